// Deliberate fault for the sanitizer proof test (tests/sanitizer.cmake):
// signed int overflow, undefined behaviour that only UndefinedBehaviorSanitizer
// reports. The operand comes from the command line so it is not folded away.
#include <climits>
#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv)
{
    const int base = argc > 1 ? std::atoi(argv[1]) : INT_MAX;
    const int sum = base + 1; // INT_MAX + 1: signed integer overflow
    std::printf("%d\n", sum);
    return 0;
}
