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
    // The model's name for a key of a weights file, applied before loading
    // (core/cam/explainer.cpp); an empty string drops the key. Identity by
    // default; overridden where torchvision renames or drops keys of its
    // official files on load (DenseNet's "norm.1", GoogLeNet's aux heads).
    virtual std::string checkpointKey(const std::string& fileKey) const { return fileKey; }
};

} // namespace gce
