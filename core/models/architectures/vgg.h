#pragma once
// torchvision's VGG (11/13/16/19, with and without batch norm), named like
// its state_dict: features.N (Conv2d[, BatchNorm2d], ReLU and MaxPool2d, as
// torchvision's make_layers numbers them), avgpool (adaptive 7×7) and
// classifier.0..6 (Linear, ReLU, Dropout, Linear, ReLU, Dropout, Linear).
#include <vector>

#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/pooling.h>

#include "core/models/classifier.h"

namespace gce {

class VGG : public ClassifierModule {
public:
    // torchvision's cfgs["A"/"B"/"D"/"E"]: output channels of each 3×3
    // convolution, kMaxPool for a 2×2 max pooling.
    static constexpr int64_t kMaxPool = 0;
    VGG(const std::vector<int64_t>& config, bool batchNorm, int64_t numClasses = 1000);
    torch::Tensor forward(const torch::Tensor& input) override;
    void initialiseLikeTorchvision() override;

private:
    torch::nn::Sequential m_features{nullptr};
    torch::nn::AdaptiveAvgPool2d m_avgpool{nullptr};
    torch::nn::Sequential m_classifier{nullptr};
};

} // namespace gce
