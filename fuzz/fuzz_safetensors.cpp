// libFuzzer target: the .safetensors reader (8-byte header length, JSON
// header, offsets into the data) on arbitrary bytes. Seeds: safetensors files
// written by fuzz/make_seeds.py. The contract: tensors or a CheckpointError.
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "core/checkpoint/safetensorsreader.h"
#include "core/errors.h"
#include "memoryfile.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static gce::fuzz::MemoryFile file;
    try {
        const gce::StateDict dict = gce::detail::readSafetensors(file.write(data, size));
        for (const auto& [name, tensor] : dict.entries)
            if (tensor.numel() > 0)
                (void)tensor.sum().item<double>();
    } catch (const gce::CheckpointError&) {
        // the expected way for broken files to end
    }
    return 0;
}
