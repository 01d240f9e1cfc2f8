#include "core/models/tap.h"

#include <torch/torch.h>

namespace gce {

namespace {
thread_local TapScope* t_current = nullptr;

bool isRectifier(const torch::nn::Module* module)
{
    return dynamic_cast<const torch::nn::ReLUImpl*>(module) || dynamic_cast<const torch::nn::ReLU6Impl*>(module);
}

// The guided rule on a rectifier's output: only positive gradients flow back
// into the rectifier (a hook on the output changes the gradient its backward
// receives, summed over every consumer).
torch::Tensor guided(torch::Tensor output)
{
    if (output.requires_grad())
        output.register_hook([](const torch::Tensor& gradient) { return gradient.clamp_min(0); });
    return output;
}
} // namespace

TapScope::TapScope(const torch::nn::Module* target, bool recordShapes)
    : m_target(target),
      m_recordShapes(recordShapes),
      m_gradModeBefore(c10::GradMode::is_enabled()),
      m_previous(t_current)
{
    t_current = this;
}

TapScope::~TapScope()
{
    // The capture switches grad mode on for the tail of the network; restore
    // whatever the caller had.
    c10::GradMode::set_enabled(m_gradModeBefore);
    t_current = m_previous;
}

TapScope* TapScope::current() { return t_current; }

torch::Tensor TapScope::afterModule(const torch::nn::Module* module, torch::Tensor output)
{
    if (m_recordShapes)
        m_shapes[module] = output.sizes().vec();
    if (m_guided && isRectifier(module))
        output = guided(std::move(output));
    if (module != m_target)
        return output;
    if (m_inputHeight > 0)
        m_layout = ActivationLayout::infer(output.sizes().vec(), m_inputHeight, m_inputWidth);
    if (m_replacement.defined()) {
        m_activation = output;
        // Replacements that require grad get the layers after the target
        // recorded (region ranking's batched backward), those before not.
        if (m_replacement.requires_grad())
            c10::GradMode::set_enabled(true);
        return m_layout.fromMap(m_replacement, output);
    }
    // A module called several times (torchvision's shared ReLU in a block)
    // is captured at its last call, like a forward hook would be.
    m_activation = m_layout.toMap(output).detach().requires_grad_(true);
    c10::GradMode::set_enabled(true);
    return m_layout.fromMap(m_activation, output);
}

torch::Tensor tappedRelu(const torch::Tensor& input)
{
    if (detail::claimToOverwrite(input)) // the inference form's fresh output (no autograd, no guide)
        return torch::Tensor(input).relu_();
    torch::Tensor output = torch::relu(input);
    const TapScope* scope = TapScope::current();
    return scope && scope->guidesRectifiers() ? guided(std::move(output)) : output;
}

torch::Tensor runSequential(torch::nn::Sequential& sequential, torch::Tensor input)
{
    for (auto& child : *sequential) {
        const torch::nn::Module* module = child.ptr().get();
        input = detail::afterModule(module, detail::runChild(module, input, [&](const torch::Tensor& x) {
                                        return child.forward<torch::Tensor>(x);
                                    }));
    }
    return detail::afterModule(sequential.ptr().get(), std::move(input));
}

} // namespace gce
