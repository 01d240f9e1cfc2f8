#pragma once
// torchvision's ConvNeXt-Tiny, named like its state_dict: features.0 stem
// (Conv2dNormActivation: 4×4/4 conv with bias, LayerNorm2d), features.1/3/5/7
// stages (Sequential of CNBlock), features.2/4/6 downsampling (LayerNorm2d,
// 2×2/2 conv); avgpool; classifier (LayerNorm2d, Flatten, Linear).
// CNBlock: block = [depthwise 7×7 conv, Permute(0,2,3,1), LayerNorm(eps 1e-6),
// Linear ×4, GELU, Linear, Permute(0,3,1,2)], a layer_scale parameter (C×1×1)
// and stochastic_depth (the identity in eval mode).
#include <torch/nn/modules/normalization.h>

#include "core/models/architectures/mobilenet.h"

namespace gce::cnx {

class CNBlockImpl : public torch::nn::Module {
public:
    CNBlockImpl(int64_t dim, double layerScale, double stochasticDepthProb);
    torch::Tensor forward(const torch::Tensor& x);

    torch::Tensor layer_scale;

private:
    tvops::Sequential m_block{nullptr};
    tvops::StochasticDepth m_stochasticDepth{nullptr};
};
TORCH_MODULE(CNBlock);

struct CNBlockConfig {
    int64_t inputChannels;
    int64_t outChannels; // 0: none (the last stage)
    int64_t numLayers;
};

class ConvNeXt : public ClassifierModule {
public:
    ConvNeXt(std::vector<CNBlockConfig> blockSetting, double stochasticDepthProb, int64_t numClasses = 1000);
    torch::Tensor forward(const torch::Tensor& input) override;
    void initialiseLikeTorchvision() override;

private:
    tvops::Sequential m_features{nullptr}, m_classifier{nullptr};
    torch::nn::AdaptiveAvgPool2d m_avgpool{nullptr};
};

} // namespace gce::cnx
