#pragma once
// torchvision's SqueezeNet 1.0 and 1.1, named like its state_dict:
// features.N (Conv2d, ReLU, MaxPool2d, Fire modules with squeeze /
// expand1x1 / expand3x3 and their activations) and classifier.0..3
// (Dropout, Conv2d, ReLU, AdaptiveAvgPool2d).
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>

#include "core/models/classifier.h"

namespace gce {

class FireImpl : public torch::nn::Module {
public:
    FireImpl(int64_t inplanes, int64_t squeezePlanes, int64_t expand1x1Planes, int64_t expand3x3Planes);
    torch::Tensor forward(const torch::Tensor& x);

private:
    torch::nn::Conv2d m_squeeze{nullptr}, m_expand1x1{nullptr}, m_expand3x3{nullptr};
    torch::nn::ReLU m_squeezeActivation{nullptr}, m_expand1x1Activation{nullptr}, m_expand3x3Activation{nullptr};
};
TORCH_MODULE(Fire);

class SqueezeNet : public ClassifierModule {
public:
    enum class Version { V1_0, V1_1 };
    explicit SqueezeNet(Version version, int64_t numClasses = 1000);
    torch::Tensor forward(const torch::Tensor& input) override;
    void initialiseLikeTorchvision() override;

private:
    torch::nn::Conv2d m_finalConv{nullptr};
    torch::nn::Sequential m_features{nullptr};
    torch::nn::Sequential m_classifier{nullptr};
};

} // namespace gce
