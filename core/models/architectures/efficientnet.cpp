#include "core/models/architectures/efficientnet.h"

#include <cmath>

#include <torch/torch.h>

#include "core/models/architectures/families.h"
#include "core/models/tap.h"

namespace gce {

namespace effnet {

namespace {
using tvops::Activation;
using tvops::ConvNormAct;

int64_t adjustChannels(double channels, double widthMult) { return tvops::makeDivisible(channels * widthMult, 8); }
} // namespace

MBConvImpl::MBConvImpl(const MBConvConfig& cnf, double stochasticDepthProb)
    : m_useResConnect(cnf.stride == 1 && cnf.inputChannels == cnf.outChannels)
{
    TORCH_CHECK(cnf.stride == 1 || cnf.stride == 2, "illegal stride value");
    const int64_t expanded = adjustChannels(static_cast<double>(cnf.inputChannels), cnf.expandRatio);
    tvops::Sequential block;
    if (expanded != cnf.inputChannels)
        block->push_back(
            tvops::Conv2dNormActivation(ConvNormAct(cnf.inputChannels, expanded, 1).activation(Activation::SiLU)));
    block->push_back(tvops::Conv2dNormActivation(
        ConvNormAct(expanded, expanded, cnf.kernel).stride(cnf.stride).groups(expanded).activation(Activation::SiLU)));
    const int64_t squeeze = std::max<int64_t>(1, cnf.inputChannels / 4);
    block->push_back(tvops::SqueezeExcitation(expanded, squeeze, Activation::SiLU, Activation::Sigmoid));
    block->push_back(
        tvops::Conv2dNormActivation(ConvNormAct(expanded, cnf.outChannels, 1).activation(Activation::None)));
    m_block = register_module("block", block);
    m_stochasticDepth = register_module("stochastic_depth", tvops::StochasticDepth(stochasticDepthProb));
}

torch::Tensor MBConvImpl::forward(const torch::Tensor& x)
{
    torch::Tensor result = tapped(m_block, x);
    if (!m_useResConnect)
        return result;
    return tapped(m_stochasticDepth, result) + x; // torchvision: result += input
}

EfficientNet::EfficientNet(double widthMult, double depthMult, double dropout, int64_t numClasses)
{
    // torchvision's _efficientnet_conf("efficientnet_b*"):
    // expand_ratio, kernel, stride, input_channels, out_channels, num_layers.
    const MBConvConfig base[] = {{1, 3, 1, 32, 16, 1},  {6, 3, 2, 16, 24, 2},  {6, 5, 2, 24, 40, 2},
                                 {6, 3, 2, 40, 80, 3},  {6, 5, 1, 80, 112, 3}, {6, 5, 2, 112, 192, 4},
                                 {6, 3, 1, 192, 320, 1}};
    std::vector<MBConvConfig> setting;
    for (MBConvConfig cnf : base) {
        cnf.inputChannels = adjustChannels(static_cast<double>(cnf.inputChannels), widthMult);
        cnf.outChannels = adjustChannels(static_cast<double>(cnf.outChannels), widthMult);
        cnf.numLayers = static_cast<int64_t>(std::ceil(static_cast<double>(cnf.numLayers) * depthMult));
        setting.push_back(cnf);
    }
    const double stochasticDepthProb = 0.2;

    tvops::Sequential features;
    features->push_back(tvops::Conv2dNormActivation(
        ConvNormAct(3, setting.front().inputChannels).stride(2).activation(Activation::SiLU)));
    int64_t totalStageBlocks = 0;
    for (const auto& cnf : setting)
        totalStageBlocks += cnf.numLayers;
    int64_t stageBlockId = 0;
    for (const auto& cnf : setting) {
        tvops::Sequential stage;
        for (int64_t i = 0; i < cnf.numLayers; ++i) {
            MBConvConfig blockCnf = cnf;
            if (i > 0) {
                blockCnf.inputChannels = blockCnf.outChannels;
                blockCnf.stride = 1;
            }
            const double sdProb = stochasticDepthProb * static_cast<double>(stageBlockId) / totalStageBlocks;
            stage->push_back(MBConv(blockCnf, sdProb));
            ++stageBlockId;
        }
        features->push_back(stage);
    }
    const int64_t lastConvInput = setting.back().outChannels;
    const int64_t lastConvOutput = 4 * lastConvInput;
    features->push_back(
        tvops::Conv2dNormActivation(ConvNormAct(lastConvInput, lastConvOutput, 1).activation(Activation::SiLU)));
    m_features = register_module("features", features);
    m_avgpool = register_module("avgpool", torch::nn::AdaptiveAvgPool2d(torch::nn::AdaptiveAvgPool2dOptions(1)));
    tvops::Sequential classifier;
    classifier->push_back(torch::nn::Dropout(dropout));
    classifier->push_back(torch::nn::Linear(lastConvOutput, numClasses));
    m_classifier = register_module("classifier", classifier);
}

void EfficientNet::initialiseLikeTorchvision()
{
    tvops::initConvAndNormLikeTorchvision(*this);
    torch::NoGradGuard noGrad;
    for (auto& module : modules(/*include_self=*/false)) {
        if (auto* linear = module->as<torch::nn::Linear>()) {
            const double range = 1.0 / std::sqrt(static_cast<double>(linear->options.out_features()));
            torch::nn::init::uniform_(linear->weight, -range, range);
            torch::nn::init::zeros_(linear->bias);
        }
    }
}

torch::Tensor EfficientNet::forward(const torch::Tensor& input)
{
    torch::Tensor x = tapped(m_avgpool, tapped(m_features, input));
    return tapped(m_classifier, torch::flatten(x, 1));
}

} // namespace effnet

std::vector<ModelConstructor> efficientnetFamily()
{
    auto make = [](double width, double depth, double dropout) {
        return [=](int64_t classes) { return std::make_shared<effnet::EfficientNet>(width, depth, dropout, classes); };
    };
    return {
        {"efficientnet_b0", make(1.0, 1.0, 0.2)},
        {"efficientnet_b1", make(1.0, 1.1, 0.2)},
        {"efficientnet_b2", make(1.1, 1.2, 0.3)},
        {"efficientnet_b3", make(1.2, 1.4, 0.3)},
    };
}

} // namespace gce
