// libFuzzer target: the pickle subset interpreter (the security boundary)
// straight from memory, as successive pickles the way the legacy format lays
// them out. Zip archives carry CRCs, so mutations of a whole .pth rarely
// reach the pickle; this target feeds it directly. Seeds: the data.pkl of
// real torch.save archives and whole legacy files (fuzz/make_seeds.py).
#include <cstdint>
#include <sstream>
#include <string>

#include "core/checkpoint/picklereader.h"
#include "core/errors.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
    std::uint64_t offset = 0;
    try {
        while (offset < size) {
            gce::detail::PickleReader reader(in, size - offset);
            const gce::detail::PickleValue& root = reader.load();
            offset += reader.bytesRead();
            if (root.kind == gce::detail::PickleValue::Kind::Dict)
                (void)gce::detail::findStateDict(root);
        }
    } catch (const gce::CheckpointError&) {
        // the expected way for hostile and broken pickles to end
    }
    return 0;
}
