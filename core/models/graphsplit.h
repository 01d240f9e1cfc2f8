#pragma once
// TorchScript graph surgery for taps. TorchScript modules have no forward
// hooks, so the engine rewrites the forward graph instead:
//  1. inline every submodule call, remembering which value each module's
//     forward returned (its last call, like a forward hook);
//  2. split the flat graph at a module's output into a prefix (input -> the
//     values still needed afterwards, and the activation) and a tail (those
//     values and the activation -> the model's output).
// The prefix runs without autograd and the activation becomes the only leaf
// that requires grad in the tail: the same efficiency rule as our own models.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <torch/csrc/jit/ir/ir.h>

namespace gce {

struct InlinedForward {
    std::shared_ptr<torch::jit::Graph> graph;         // forward(self, input) with every call inlined
    std::map<std::string, torch::jit::Value*> outputs; // module path ("layer4.1.conv2") -> its output
};

// Inlines a copy of the module's forward graph (the module is not changed).
InlinedForward inlineForward(const std::shared_ptr<torch::jit::Graph>& forward);

struct SplitForward {
    // prefix(self, input) -> (live..., activation) as one tuple
    std::shared_ptr<torch::jit::Graph> prefix;
    // tail(self, input, live..., activation) -> the forward's output; tensors
    // among the live values and the activation are cloned on entry, so the
    // tail's in-place ops never change what it is given.
    std::shared_ptr<torch::jit::Graph> tail;
    std::size_t liveCount = 0;
};

// Throws UsageError when `value` is computed inside an if/loop of the graph
// (the split needs it at the top level).
SplitForward splitAt(const InlinedForward& forward, torch::jit::Value* value, const std::string& layerName);

// A graph returning every module output that is a tensor, as one tuple, in
// the order of `names` (filled here): for layer shapes.
std::shared_ptr<torch::jit::Graph> allOutputsGraph(const InlinedForward& forward, std::vector<std::string>* names);

} // namespace gce
