// libFuzzer target: gce::readCheckpoint on arbitrary bytes, as a user's .pth
// would reach it (format detected from content: zip archive with data.pkl,
// legacy torch.save stream, or safetensors). The seeds are real torch.save
// files (fuzz/make_seeds.py), so mutations explore the zip and legacy paths.
// The contract: a CheckpointError with a one-line message, nothing else.
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "core/checkpoint/statedict.h"
#include "core/errors.h"
#include "memoryfile.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static gce::fuzz::MemoryFile file;
    try {
        const gce::StateDict dict = gce::readCheckpoint(file.write(data, size));
        // Touch every tensor's bytes so a view past its storage is caught by ASan.
        for (const auto& [name, tensor] : dict.entries)
            if (tensor.numel() > 0)
                (void)tensor.sum().item<double>();
    } catch (const gce::CheckpointError& e) {
        if (std::strchr(e.what(), '\n'))
            std::abort(); // messages must stay on one line
    }
    return 0;
}
