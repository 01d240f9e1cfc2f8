#pragma once
// LibTorch's own inference form of a TorchScript model (issue 18): what
// torch.jit.freeze and torch.jit.optimize_for_inference do (parameters made
// constants, BatchNorm folded into the convolution before it, conv+add+ReLU
// fused, oneDNN layouts between operations), for the whole forward and for
// a prefix graph (core/models/graphsplit.h: the layers before a target).
// Both work on a copy: the loaded module and its graphs are not changed.
// Whether a result may be used (agreement, speed) is the caller's to check
// (core/models/fastcheck.h); anything the passes cannot handle throws.
#include <memory>

#include <torch/script.h>

namespace gce::scriptform {

// freeze + optimize_for_inference of a copy of `module` (in eval mode).
torch::jit::Module optimisedModule(const torch::jit::Module& module);

// A frozen copy of `module` whose method kPrefixMethod is `prefix`
// (self, input) -> tuple, optimised as optimize_for_inference optimises a
// forward. Call it as result.get_method(kPrefixMethod)({input}).
inline constexpr const char* kPrefixMethod = "gce_prefix";
torch::jit::Module optimisedPrefix(const torch::jit::Module& module, const std::shared_ptr<torch::jit::Graph>& prefix);

} // namespace gce::scriptform
