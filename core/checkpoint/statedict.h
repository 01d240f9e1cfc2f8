#pragma once
// Reading the weight files users actually have and loading them into models.
//
//  - PyTorch zip checkpoints: torch.save(model.state_dict(), f) as torchvision
//    publishes them (an OrderedDict with `_metadata`), read with a strict
//    pickle subset that never executes anything (allow-listed globals only,
//    like PyTorch's weights_only=True).
//  - .safetensors files.
// The format is detected from the file's first bytes, not its name.
#include <string>
#include <utility>
#include <vector>

#include <torch/types.h>

namespace torch::nn {
class Module;
}

namespace gce {

struct StateDict {
    // Entries in file order; names as in the file (no prefix stripping).
    std::vector<std::pair<std::string, torch::Tensor>> entries;

    const torch::Tensor* find(const std::string& name) const;
    bool empty() const { return entries.empty(); }
};

// Reads a checkpoint file. Throws CheckpointError with a one-line reason
// (missing file, truncated archive, unsupported pickle global, ...).
StateDict readCheckpoint(const std::string& path);

// Copies `dict` into the module's parameters and buffers (strict, like
// load_state_dict(strict=True)). A "module." prefix on every key
// (DataParallel) is stripped. Throws CheckpointError naming the first
// missing key, unexpected key or shape mismatch. Tensors are converted to the
// parameter's dtype (e.g. float16 files into float32 models).
void loadStateDict(torch::nn::Module& module, const StateDict& dict);

} // namespace gce
