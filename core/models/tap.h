#pragma once
// Taps: how the engine sees inside a forward pass without hooks.
//
// LibTorch modules have no forward hooks, so our torchvision models route
// every child call through `tapped()` / `runSequential()`. When no tap is
// installed these are plain calls. A `TapScope` installed on the current
// thread can:
//  - capture the output of one target module: the output is made a leaf that
//    requires grad and, from that point on, autograd recording is switched on.
//    Run the forward under torch::NoGradGuard and only the tail after the
//    target layer is recorded: this is what makes Grad-CAM cost a forward pass.
//  - record the output shape of every module (for layer lists).
//  - replace the target's output with other activations (replaceWith): the
//    layers after the target then run on them, e.g. a batch of ablated maps.
//  - read the target's output as a feature map (readAsMap): tokens and
//    channels-last outputs are turned into N×C×h×w (core/models/activationlayout.h);
//    the map is what is captured or replaced, and the model continues from it
//    turned back into the layer's own layout.
//  - guide every rectifier (guideRectifiers): the output of each ReLU / ReLU6
//    module, and of each functional ReLU written as tappedRelu(), passes only
//    positive gradients back: guided backpropagation (core/cam/guidedbackprop.h).
// Every child call also polls the thread's InterruptScope (core/models/interrupt.h).
// Models must never modify a module's output in place (the tapped tensor is
// a leaf that requires grad), so they use out-of-place ops throughout.
#include <map>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>

#include "core/models/activationlayout.h"
#include "core/models/fastpass.h"
#include "core/models/interrupt.h"

namespace gce {

class TapScope {
public:
    // target may be null (shape recording only).
    explicit TapScope(const torch::nn::Module* target, bool recordShapes = false);
    ~TapScope();
    TapScope(const TapScope&) = delete;
    TapScope& operator=(const TapScope&) = delete;

    // The target's output of its last call in the forward pass (undefined if
    // the target was never reached).
    const torch::Tensor& activation() const { return m_activation; }
    bool reached() const { return m_activation.defined(); }
    const std::map<const torch::nn::Module*, std::vector<int64_t>>& shapes() const { return m_shapes; }
    // The model continues from `activations` instead of the target's output;
    // grad mode is switched on after the target when they require grad, and
    // otherwise left as the caller set it.
    void replaceWith(torch::Tensor activations) { m_replacement = std::move(activations); }
    // Capture (and replace) the target's output as a map, its layout inferred
    // for an input of this size. Without it the output is taken as it is.
    void readAsMap(int64_t inputHeight, int64_t inputWidth)
    {
        m_inputHeight = inputHeight;
        m_inputWidth = inputWidth;
    }
    // The target output's layout (Map until the target is reached).
    const ActivationLayout& layout() const { return m_layout; }
    // Guided backpropagation for the forward run under this scope. Combined
    // with the rectifier's own backward (which passes gradients only where its
    // input is positive) the gradient reaching its input is (x > 0)·max(g, 0).
    void guideRectifiers() { m_guided = true; }
    bool guidesRectifiers() const { return m_guided; }

    // Called by tapped(): returns the tensor the model continues with.
    torch::Tensor afterModule(const torch::nn::Module* module, torch::Tensor output);

    static TapScope* current();

private:
    const torch::nn::Module* m_target;
    bool m_recordShapes;
    bool m_gradModeBefore;
    TapScope* m_previous;
    torch::Tensor m_activation;
    torch::Tensor m_replacement;
    bool m_guided = false;
    int64_t m_inputHeight = 0;
    int64_t m_inputWidth = 0;
    ActivationLayout m_layout{ActivationLayout::Kind::Map};
    std::map<const torch::nn::Module*, std::vector<int64_t>> m_shapes;
};

namespace detail {
inline torch::Tensor afterModule(const torch::nn::Module* module, torch::Tensor output)
{
    InterruptScope::poll();
    TapScope* scope = TapScope::current();
    return scope ? scope->afterModule(module, std::move(output)) : output;
}
} // namespace detail

namespace detail {
// Whether the thread's FastPass lets the caller write a result into `value`
// (FastPass::claimToOverwrite); never while no fast pass runs.
inline bool claimToOverwrite(const torch::Tensor& value)
{
    FastPass* fast = FastPass::current();
    return fast && fast->claimToOverwrite(value);
}

// The child's output, computed by the thread's FastPass (the inference form,
// core/models/inferenceform.h) when one is installed, else plainly.
template <typename Call>
torch::Tensor runChild(const torch::nn::Module* module, const torch::Tensor& input, Call&& call)
{
    if (FastPass* fast = FastPass::current())
        return fast->run(module, input, call);
    return call(input);
}
} // namespace detail

// Runs a child module (a ModuleHolder such as torch::nn::Conv2d) through the tap.
template <typename Holder>
torch::Tensor tapped(Holder& child, const torch::Tensor& input)
{
    const torch::nn::Module* module = child.ptr().get();
    return detail::afterModule(
        module, detail::runChild(module, input, [&](const torch::Tensor& x) { return child->forward(x); }));
}

// A ReLU applied as a function in forward (torchvision's F.relu: DenseNet's
// last ReLU, GoogLeNet's BasicConv2d), not by a module: written through here
// so that guided backpropagation guides it too.
torch::Tensor tappedRelu(const torch::Tensor& input);

// Runs a Sequential child by child (so that its children can be tapped), then
// taps the Sequential itself.
torch::Tensor runSequential(torch::nn::Sequential& sequential, torch::Tensor input);

} // namespace gce
