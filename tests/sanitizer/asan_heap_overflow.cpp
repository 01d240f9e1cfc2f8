// Deliberate fault for the sanitizer proof test (tests/sanitizer.cmake): one
// int written just past a heap array. Only an AddressSanitizer build reports
// it. The size comes from the command line so that neither the optimiser nor
// UBSan's object-size check (which knows constant allocation sizes and would
// stop the program first) can see it.
#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv)
{
    const int count = argc > 1 ? std::atoi(argv[1]) : 4;
    int* values = new int[count]();
    values[count] = 1; // heap-buffer-overflow
    std::printf("%d\n", values[0]);
    delete[] values;
    return 0;
}
