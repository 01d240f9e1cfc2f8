// libFuzzer target: gce::parseLabelsText (one name per line, a JSON list or a
// JSON index map) on arbitrary bytes. Seeds: resources/labels/imagenet1k.txt
// and small variants (fuzz/make_seeds.py). The contract: a non-empty list of
// non-empty names, or an InputError with a one-line message.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/errors.h"
#include "core/support/labelsfile.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    try {
        const auto names = gce::parseLabelsText(std::string(reinterpret_cast<const char*>(data), size));
        if (names.empty())
            std::abort();
        for (const std::string& name : names)
            if (name.empty())
                std::abort();
    } catch (const gce::InputError& e) {
        if (std::strchr(e.what(), '\n'))
            std::abort(); // messages must stay on one line
    }
    return 0;
}
