// Deliberate fault for the sanitizer proof test (tests/sanitizer.cmake): two
// std::threads increment one plain int without synchronisation. Only a
// ThreadSanitizer build reports the data race.
#include <cstdio>
#include <thread>

namespace {
int g_counter = 0; // shared and unprotected on purpose

void bump()
{
    for (int i = 0; i < 1000; ++i)
        ++g_counter;
}
} // namespace

int main()
{
    std::thread first(bump);
    std::thread second(bump);
    first.join();
    second.join();
    std::printf("%d\n", g_counter);
    return 0;
}
