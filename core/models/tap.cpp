#include "core/models/tap.h"

#include <torch/torch.h>

namespace gce {

namespace {
thread_local TapScope* t_current = nullptr;
}

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
    if (module != m_target)
        return output;
    // A module called several times (torchvision's shared ReLU in a block)
    // is captured at its last call, like a forward hook would be.
    m_activation = output.detach().requires_grad_(true);
    c10::GradMode::set_enabled(true);
    return m_activation;
}

torch::Tensor runSequential(torch::nn::Sequential& sequential, torch::Tensor input)
{
    for (auto& child : *sequential)
        input = detail::afterModule(child.ptr().get(), child.forward<torch::Tensor>(input));
    return detail::afterModule(sequential.ptr().get(), std::move(input));
}

} // namespace gce
