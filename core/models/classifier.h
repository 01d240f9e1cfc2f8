#pragma once
// The interface every image classifier in the engine implements: a
// torch::nn::Module whose children are registered under torchvision's names
// (so parameters match state_dict keys and layers can be chosen by name)
// and whose forward routes child calls through taps (core/models/tap.h).
#include <string>

#include <torch/nn/module.h>

namespace gce {

class ClassifierModule : public torch::nn::Module {
public:
    using torch::nn::Module::Module;
    // input: N×3×H×W normalised images -> N×classes logits.
    virtual torch::Tensor forward(const torch::Tensor& input) = 0;
    // torchvision's initialisation scheme, for untrained use only: skipped
    // when weights are loaded (it costs tens of ms of random numbers).
    virtual void initialiseLikeTorchvision() = 0;
};

} // namespace gce
