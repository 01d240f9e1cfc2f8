#pragma once
// torchvision's MobileNet V2 and V3 (Large, Small), named like their
// state_dicts (features.N..., classifier.N), plus the torchvision.ops
// building blocks that MobileNet, EfficientNet, ConvNeXt, RegNet and MaxViT share
// (namespace gce::tvops).
//
// Every class lives in a per-family namespace: torchvision reuses class names
// across families (InvertedResidual in MobileNet V2, V3 and ShuffleNet), and
// moduleTypeName() keeps only the last component, so "gce::mbv3::InvertedResidualImpl"
// is listed as torchvision's "InvertedResidual".
//
// Where torchvision computes in place (ReLU(inplace=True), Hardswish(inplace),
// `result += input`), these models compute the same values out of place: a
// module's output may be the tapped activation (core/models/tap.h).
#include <vector>

#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/any.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/pooling.h>

#include "core/models/classifier.h"

namespace gce::tvops {

// torch::nn::Sequential cannot hold another Sequential (its forward is a
// template); this one can, and it runs its children through the tap. Listed as
// "Sequential"; torchvision's Sequential subclasses (Conv2dNormActivation,
// BottleneckTransform, AnyStage) derive from it.
class SequentialImpl : public torch::nn::SequentialImpl {
public:
    SequentialImpl() = default;
    // Children in order, each through tapped(); the parent taps this module.
    torch::Tensor forward(const torch::Tensor& x);
};
TORCH_MODULE(Sequential);

enum class Activation { None, ReLU, ReLU6, Hardswish, SiLU, Sigmoid, Hardsigmoid, GELU };
torch::nn::AnyModule makeActivation(Activation kind);

// Runs a child held as an AnyModule through the tap.
torch::Tensor tappedAny(torch::nn::AnyModule& child, const torch::Tensor& x);

struct Norm {
    enum class Kind { None, BatchNorm, LayerNorm2d };
    Kind kind = Kind::BatchNorm;
    double eps = 1e-5;
    static Norm none() { return {Kind::None, 0.0}; }
    static Norm batch(double eps = 1e-5) { return {Kind::BatchNorm, eps}; }
    static Norm layer2d(double eps) { return {Kind::LayerNorm2d, eps}; }
};

// torchvision.ops.Conv2dNormActivation's arguments, with its defaults.
class ConvNormAct {
public:
    ConvNormAct(int64_t in, int64_t out, int64_t kernel = 3) : m_in(in), m_out(out), m_kernel(kernel) {}
    ConvNormAct& stride(int64_t v) { m_stride = v; return *this; }
    ConvNormAct& groups(int64_t v) { m_groups = v; return *this; }
    ConvNormAct& dilation(int64_t v) { m_dilation = v; return *this; }
    ConvNormAct& padding(int64_t v) { m_padding = v; return *this; }
    ConvNormAct& norm(Norm v) { m_norm = v; return *this; }
    ConvNormAct& activation(Activation v) { m_activation = v; return *this; }
    ConvNormAct& bias(bool v) { m_bias = v ? 1 : 0; return *this; }

private:
    friend class Conv2dNormActivationImpl;
    int64_t m_in, m_out, m_kernel;
    int64_t m_stride = 1, m_groups = 1, m_dilation = 1;
    int64_t m_padding = -1; // -1: (kernel - 1) / 2 * dilation
    Norm m_norm;
    Activation m_activation = Activation::ReLU;
    int m_bias = -1; // -1: a bias only without a norm layer
};

// Conv2d, then the norm layer and the activation (when present), as children 0, 1, 2.
class Conv2dNormActivationImpl : public SequentialImpl {
public:
    explicit Conv2dNormActivationImpl(const ConvNormAct& spec);
};
TORCH_MODULE(Conv2dNormActivation);

// torchvision.ops.SqueezeExcitation: avgpool, fc1, fc2, activation, scale_activation.
class SqueezeExcitationImpl : public torch::nn::Module {
public:
    SqueezeExcitationImpl(int64_t inputChannels, int64_t squeezeChannels, Activation activation = Activation::ReLU,
                          Activation scaleActivation = Activation::Sigmoid);
    torch::Tensor forward(const torch::Tensor& x);

private:
    torch::nn::AdaptiveAvgPool2d m_avgpool{nullptr};
    torch::nn::Conv2d m_fc1{nullptr}, m_fc2{nullptr};
    torch::nn::AnyModule m_activation, m_scaleActivation;
};
TORCH_MODULE(SqueezeExcitation);

// LibTorch 1.13 has no Hardswish / Hardsigmoid modules.
class HardswishImpl : public torch::nn::Module {
public:
    torch::Tensor forward(const torch::Tensor& x);
};
TORCH_MODULE(Hardswish);

class HardsigmoidImpl : public torch::nn::Module {
public:
    torch::Tensor forward(const torch::Tensor& x);
};
TORCH_MODULE(Hardsigmoid);

// torchvision.ops.misc.Permute.
class PermuteImpl : public torch::nn::Module {
public:
    explicit PermuteImpl(std::vector<int64_t> dims) : m_dims(std::move(dims)) {}
    torch::Tensor forward(const torch::Tensor& x);

private:
    std::vector<int64_t> m_dims;
};
TORCH_MODULE(Permute);

// torchvision.ops.StochasticDepth: the identity in eval mode, the only mode
// the engine runs (training would drop rows with probability p).
class StochasticDepthImpl : public torch::nn::Module {
public:
    explicit StochasticDepthImpl(double p) : m_p(p) {}
    torch::Tensor forward(const torch::Tensor& x);
    double p() const { return m_p; }

private:
    double m_p;
};
TORCH_MODULE(StochasticDepth);

// ConvNeXt's LayerNorm2d: LayerNorm over the channels of an N×C×H×W tensor
// (parameters weight and bias, like nn.LayerNorm).
class LayerNorm2dImpl : public torch::nn::Module {
public:
    LayerNorm2dImpl(int64_t channels, double eps);
    torch::Tensor forward(const torch::Tensor& x);

    torch::Tensor weight, bias;

private:
    int64_t m_channels;
    double m_eps;
};
TORCH_MODULE(LayerNorm2d);

// torchvision.models._utils._make_divisible (minValue 0 = divisor).
int64_t makeDivisible(double value, int64_t divisor, int64_t minValue = 0);

// The init the MobileNets and EfficientNet share: Conv2d kaiming_normal_(fan_out),
// zero conv biases, BatchNorm/GroupNorm weight 1 and bias 0; Linear layers are
// left to the caller.
void initConvAndNormLikeTorchvision(torch::nn::Module& root);

} // namespace gce::tvops

namespace gce::mbv2 {

class InvertedResidualImpl : public torch::nn::Module {
public:
    InvertedResidualImpl(int64_t inp, int64_t oup, int64_t stride, int64_t expandRatio);
    torch::Tensor forward(const torch::Tensor& x);

private:
    bool m_useResConnect;
    tvops::Sequential m_conv{nullptr};
};
TORCH_MODULE(InvertedResidual);

// features.0 stem, features.1..17 InvertedResidual, features.18 1×1 conv to
// 1280; functional adaptive_avg_pool2d; classifier (Dropout, Linear).
class MobileNetV2 : public ClassifierModule {
public:
    explicit MobileNetV2(int64_t numClasses = 1000);
    torch::Tensor forward(const torch::Tensor& input) override;
    void initialiseLikeTorchvision() override;

private:
    tvops::Sequential m_features{nullptr}, m_classifier{nullptr};
};

} // namespace gce::mbv2

namespace gce::mbv3 {

struct InvertedResidualConfig {
    int64_t inputChannels, kernel, expandedChannels, outChannels;
    bool useSe;
    bool useHardswish;
    int64_t stride, dilation;
};

class InvertedResidualImpl : public torch::nn::Module {
public:
    explicit InvertedResidualImpl(const InvertedResidualConfig& cnf);
    torch::Tensor forward(const torch::Tensor& x);

private:
    bool m_useResConnect;
    tvops::Sequential m_block{nullptr};
};
TORCH_MODULE(InvertedResidual);

enum class Variant { Large, Small };

// features.0 stem, InvertedResidual blocks, a final 1×1 conv (×6 channels);
// avgpool; classifier (Linear, Hardswish, Dropout, Linear). BatchNorm eps 1e-3.
class MobileNetV3 : public ClassifierModule {
public:
    MobileNetV3(Variant variant, int64_t numClasses = 1000);
    torch::Tensor forward(const torch::Tensor& input) override;
    void initialiseLikeTorchvision() override;

private:
    tvops::Sequential m_features{nullptr}, m_classifier{nullptr};
    torch::nn::AdaptiveAvgPool2d m_avgpool{nullptr};
};

} // namespace gce::mbv3
