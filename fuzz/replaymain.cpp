// Runs a libFuzzer target's LLVMFuzzerTestOneInput once on each file named
// on the command line, without libFuzzer, so that the normal (gcc) build can
// replay the inputs in fuzz/regressions/ as a ctest test
// (tests/fuzzregressions.cmake). Targets abort on a contract violation, which
// fails the test.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv)
{
    for (int i = 1; i < argc; ++i) {
        std::ifstream in(argv[i], std::ios::binary);
        if (!in) {
            std::fprintf(stderr, "cannot open %s\n", argv[i]);
            return 2;
        }
        const std::vector<std::uint8_t> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
        LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
        std::printf("ok %s\n", argv[i]);
    }
    return 0;
}
