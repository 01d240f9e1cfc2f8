#include "core/models/architectures/regnet.h"

#include <cmath>
#include <set>

#include <torch/torch.h>

#include "core/models/architectures/families.h"
#include "core/models/tap.h"

namespace gce {

namespace regnet {

namespace {
using tvops::Activation;
using tvops::ConvNormAct;
} // namespace

BlockParams BlockParams::fromInitParams(int64_t depth, int64_t w0, double wa, double wm, int64_t groupWidth,
                                        double bottleneckMultiplier, double seRatio)
{
    constexpr int64_t kQuant = 8;
    constexpr int64_t kStride = 2;
    TORCH_CHECK(wa >= 0 && w0 > 0 && wm > 1 && w0 % 8 == 0, "Invalid RegNet settings");
    // The same float32 tensor operations as torchvision, so the rounding agrees.
    const torch::Tensor widthsCont = torch::arange(depth) * wa + w0;
    const torch::Tensor blockCapacity = torch::round(torch::log(widthsCont / w0) / std::log(wm));
    const torch::Tensor quantised =
        (torch::round(torch::divide(w0 * torch::pow(wm, blockCapacity), kQuant)) * kQuant).to(torch::kInt);
    std::vector<int64_t> blockWidths;
    for (int64_t i = 0; i < depth; ++i)
        blockWidths.push_back(quantised[i].item<int>());
    const size_t numStages = std::set<int64_t>(blockWidths.begin(), blockWidths.end()).size();

    // A stage starts wherever the width changes (the sentinels 0 close the list).
    std::vector<int64_t> padded = blockWidths;
    padded.push_back(0);
    std::vector<int64_t> shifted{0};
    shifted.insert(shifted.end(), blockWidths.begin(), blockWidths.end());
    std::vector<bool> splits;
    for (size_t i = 0; i < padded.size(); ++i)
        splits.push_back(padded[i] != shifted[i]);
    BlockParams params;
    std::vector<int64_t> starts;
    for (size_t i = 0; i < splits.size(); ++i) {
        if (splits[i])
            starts.push_back(static_cast<int64_t>(i));
        if (i < blockWidths.size() && splits[i])
            params.widths.push_back(blockWidths[i]);
    }
    for (size_t i = 1; i < starts.size(); ++i)
        params.depths.push_back(starts[i] - starts[i - 1]);

    params.strides.assign(numStages, kStride);
    params.bottleneckMultipliers.assign(numStages, bottleneckMultiplier);
    params.groupWidths.assign(numStages, groupWidth);
    params.seRatio = seRatio;

    // _adjust_widths_groups_compatibilty
    for (size_t i = 0; i < params.widths.size(); ++i) {
        const double b = params.bottleneckMultipliers[i];
        const int64_t wBot = static_cast<int64_t>(static_cast<double>(params.widths[i]) * b);
        const int64_t g = std::min(params.groupWidths[i], wBot);
        const int64_t wBotDivisible = tvops::makeDivisible(static_cast<double>(wBot), g);
        params.widths[i] = static_cast<int64_t>(static_cast<double>(wBotDivisible) / b);
        params.groupWidths[i] = g;
    }
    return params;
}

SimpleStemINImpl::SimpleStemINImpl(int64_t widthIn, int64_t widthOut)
    : tvops::Conv2dNormActivationImpl(ConvNormAct(widthIn, widthOut, 3).stride(2).activation(Activation::ReLU))
{
}

BottleneckTransformImpl::BottleneckTransformImpl(int64_t widthIn, int64_t widthOut, int64_t stride,
                                                 int64_t groupWidth, double bottleneckMultiplier, double seRatio)
{
    // Python's round() rounds halves to even, like nearbyint in the default rounding mode.
    const int64_t wB = static_cast<int64_t>(std::nearbyint(static_cast<double>(widthOut) * bottleneckMultiplier));
    const int64_t g = wB / groupWidth;
    push_back("a", tvops::Conv2dNormActivation(ConvNormAct(widthIn, wB, 1)));
    push_back("b", tvops::Conv2dNormActivation(ConvNormAct(wB, wB, 3).stride(stride).groups(g)));
    if (seRatio > 0) {
        const int64_t widthSeOut = static_cast<int64_t>(std::nearbyint(seRatio * static_cast<double>(widthIn)));
        push_back("se", tvops::SqueezeExcitation(wB, widthSeOut, Activation::ReLU, Activation::Sigmoid));
    }
    push_back("c", tvops::Conv2dNormActivation(ConvNormAct(wB, widthOut, 1).activation(Activation::None)));
}

ResBottleneckBlockImpl::ResBottleneckBlockImpl(int64_t widthIn, int64_t widthOut, int64_t stride,
                                               int64_t groupWidth, double bottleneckMultiplier, double seRatio)
{
    if (widthIn != widthOut || stride != 1)
        m_proj = register_module(
            "proj", tvops::Conv2dNormActivation(
                        ConvNormAct(widthIn, widthOut, 1).stride(stride).activation(Activation::None)));
    m_f = register_module(
        "f", BottleneckTransform(widthIn, widthOut, stride, groupWidth, bottleneckMultiplier, seRatio));
    m_activation = register_module("activation", torch::nn::ReLU());
}

torch::Tensor ResBottleneckBlockImpl::forward(const torch::Tensor& x)
{
    torch::Tensor sum;
    if (m_proj) {
        torch::Tensor projected = tapped(m_proj, x);
        sum = projected + tapped(m_f, x);
    } else {
        sum = x + tapped(m_f, x);
    }
    return tapped(m_activation, sum);
}

AnyStageImpl::AnyStageImpl(int64_t widthIn, int64_t widthOut, int64_t stride, int64_t depth, int64_t groupWidth,
                           double bottleneckMultiplier, double seRatio, int64_t stageIndex)
{
    for (int64_t i = 0; i < depth; ++i)
        push_back("block" + std::to_string(stageIndex) + "-" + std::to_string(i),
                  ResBottleneckBlock(i == 0 ? widthIn : widthOut, widthOut, i == 0 ? stride : 1, groupWidth,
                                     bottleneckMultiplier, seRatio));
}

RegNet::RegNet(const BlockParams& params, int64_t numClasses, int64_t stemWidth)
{
    m_stem = register_module("stem", SimpleStemIN(3, stemWidth));
    int64_t currentWidth = stemWidth;
    tvops::Sequential trunk;
    for (size_t i = 0; i < params.widths.size(); ++i) {
        trunk->push_back("block" + std::to_string(i + 1),
                         AnyStage(currentWidth, params.widths[i], params.strides[i], params.depths[i],
                                  params.groupWidths[i], params.bottleneckMultipliers[i], params.seRatio,
                                  static_cast<int64_t>(i + 1)));
        currentWidth = params.widths[i];
    }
    m_trunkOutput = register_module("trunk_output", trunk);
    m_avgpool = register_module("avgpool", torch::nn::AdaptiveAvgPool2d(torch::nn::AdaptiveAvgPool2dOptions({1, 1})));
    m_fc = register_module("fc", torch::nn::Linear(currentWidth, numClasses));
}

void RegNet::initialiseLikeTorchvision()
{
    // Conv2d ~ N(0, sqrt(2 / (k·k·out))), biases (SE only) keep PyTorch's
    // default init; BatchNorm 1/0; Linear ~ N(0, 0.01), bias 0.
    torch::NoGradGuard noGrad;
    for (auto& module : modules(/*include_self=*/false)) {
        if (auto* conv = module->as<torch::nn::Conv2d>()) {
            const auto& kernel = conv->options.kernel_size();
            const double fanOut = static_cast<double>((*kernel)[0] * (*kernel)[1] * conv->options.out_channels());
            torch::nn::init::normal_(conv->weight, 0.0, std::sqrt(2.0 / fanOut));
        } else if (auto* bn = module->as<torch::nn::BatchNorm2d>()) {
            torch::nn::init::ones_(bn->weight);
            torch::nn::init::zeros_(bn->bias);
        } else if (auto* linear = module->as<torch::nn::Linear>()) {
            torch::nn::init::normal_(linear->weight, 0.0, 0.01);
            torch::nn::init::zeros_(linear->bias);
        }
    }
}

torch::Tensor RegNet::forward(const torch::Tensor& input)
{
    torch::Tensor x = tapped(m_trunkOutput, tapped(m_stem, input));
    x = tapped(m_avgpool, x);
    return tapped(m_fc, torch::flatten(x, 1));
}

} // namespace regnet

std::vector<ModelConstructor> regnetFamily()
{
    return {
        {"regnet_y_400mf",
         [](int64_t classes) {
             return std::make_shared<regnet::RegNet>(
                 regnet::BlockParams::fromInitParams(16, 48, 27.89, 2.09, 8, 1.0, 0.25), classes);
         }},
    };
}

} // namespace gce
