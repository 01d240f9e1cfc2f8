#pragma once
// torchvision's EfficientNet B0–B3 (0.14's efficientnet_b*), named like its
// state_dict: features.0 stem (Conv2dNormActivation, SiLU), features.1..7
// stages (Sequential of MBConv: block = [expand] depthwise, SqueezeExcitation,
// project; stochastic_depth), features.8 final 1×1 conv; avgpool; classifier
// (Dropout, Linear). BatchNorm eps 1e-5. Stochastic depth is the identity in
// eval mode. Shared building blocks: core/models/architectures/mobilenet.h (gce::tvops).
#include "core/models/architectures/mobilenet.h"

namespace gce::effnet {

struct MBConvConfig {
    double expandRatio;
    int64_t kernel, stride, inputChannels, outChannels, numLayers;
};

class MBConvImpl : public torch::nn::Module {
public:
    MBConvImpl(const MBConvConfig& cnf, double stochasticDepthProb);
    torch::Tensor forward(const torch::Tensor& x);

private:
    bool m_useResConnect;
    tvops::Sequential m_block{nullptr};
    tvops::StochasticDepth m_stochasticDepth{nullptr};
};
TORCH_MODULE(MBConv);

class EfficientNet : public ClassifierModule {
public:
    EfficientNet(double widthMult, double depthMult, double dropout, int64_t numClasses = 1000);
    torch::Tensor forward(const torch::Tensor& input) override;
    void initialiseLikeTorchvision() override;

private:
    tvops::Sequential m_features{nullptr}, m_classifier{nullptr};
    torch::nn::AdaptiveAvgPool2d m_avgpool{nullptr};
};

} // namespace gce::effnet
