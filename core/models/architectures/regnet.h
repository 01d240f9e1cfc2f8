#pragma once
// torchvision's RegNet (Y-400MF), named like its state_dict: stem
// (SimpleStemIN: 3×3/2 conv, BN, ReLU), trunk_output.block1..4 (AnyStage of
// ResBottleneckBlock "blockS-I": proj (when the shape changes), f
// (BottleneckTransform a, b, se, c), activation), avgpool, fc. Stage widths
// and depths come from torchvision's BlockParams.from_init_params, computed
// with the same float32 tensor operations.
#include <vector>

#include "core/models/architectures/mobilenet.h"

namespace gce::regnet {

struct BlockParams {
    std::vector<int64_t> depths, widths, groupWidths;
    std::vector<double> bottleneckMultipliers;
    std::vector<int64_t> strides;
    double seRatio = 0.0; // 0: no SqueezeExcitation

    static BlockParams fromInitParams(int64_t depth, int64_t w0, double wa, double wm, int64_t groupWidth,
                                      double bottleneckMultiplier = 1.0, double seRatio = 0.0);
};

class SimpleStemINImpl : public tvops::Conv2dNormActivationImpl {
public:
    SimpleStemINImpl(int64_t widthIn, int64_t widthOut);
};
TORCH_MODULE(SimpleStemIN);

class BottleneckTransformImpl : public tvops::SequentialImpl {
public:
    BottleneckTransformImpl(int64_t widthIn, int64_t widthOut, int64_t stride, int64_t groupWidth,
                            double bottleneckMultiplier, double seRatio);
};
TORCH_MODULE(BottleneckTransform);

class ResBottleneckBlockImpl : public torch::nn::Module {
public:
    ResBottleneckBlockImpl(int64_t widthIn, int64_t widthOut, int64_t stride, int64_t groupWidth,
                           double bottleneckMultiplier, double seRatio);
    torch::Tensor forward(const torch::Tensor& x);

private:
    tvops::Conv2dNormActivation m_proj{nullptr};
    BottleneckTransform m_f{nullptr};
    torch::nn::ReLU m_activation{nullptr};
};
TORCH_MODULE(ResBottleneckBlock);

class AnyStageImpl : public tvops::SequentialImpl {
public:
    AnyStageImpl(int64_t widthIn, int64_t widthOut, int64_t stride, int64_t depth, int64_t groupWidth,
                 double bottleneckMultiplier, double seRatio, int64_t stageIndex);
};
TORCH_MODULE(AnyStage);

class RegNet : public ClassifierModule {
public:
    explicit RegNet(const BlockParams& params, int64_t numClasses = 1000, int64_t stemWidth = 32);
    torch::Tensor forward(const torch::Tensor& input) override;
    void initialiseLikeTorchvision() override;

private:
    SimpleStemIN m_stem{nullptr};
    tvops::Sequential m_trunkOutput{nullptr};
    torch::nn::AdaptiveAvgPool2d m_avgpool{nullptr};
    torch::nn::Linear m_fc{nullptr};
};

} // namespace gce::regnet
