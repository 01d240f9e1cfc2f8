#include "core/models/architectures/densenet.h"

#include <regex>

#include <torch/torch.h>

#include "core/models/architectures/families.h"
#include "core/models/tap.h"

namespace gce {

namespace {
constexpr int64_t kBnSize = 4; // torchvision's bn_size for every DenseNet; drop_rate is 0
} // namespace

DenseLayerImpl::DenseLayerImpl(int64_t inputFeatures, int64_t growthRate, int64_t bnSize)
    : torch::nn::Module("_DenseLayer")
{
    using torch::nn::Conv2dOptions;
    m_norm1 = register_module("norm1", torch::nn::BatchNorm2d(inputFeatures));
    m_relu1 = register_module("relu1", torch::nn::ReLU());
    m_conv1 = register_module("conv1",
                              torch::nn::Conv2d(Conv2dOptions(inputFeatures, bnSize * growthRate, 1).bias(false)));
    m_norm2 = register_module("norm2", torch::nn::BatchNorm2d(bnSize * growthRate));
    m_relu2 = register_module("relu2", torch::nn::ReLU());
    m_conv2 = register_module(
        "conv2", torch::nn::Conv2d(Conv2dOptions(bnSize * growthRate, growthRate, 3).padding(1).bias(false)));
}

torch::Tensor DenseLayerImpl::forward(const torch::Tensor& x)
{
    torch::Tensor bottleneck = tapped(m_conv1, tapped(m_relu1, tapped(m_norm1, x)));
    return tapped(m_conv2, tapped(m_relu2, tapped(m_norm2, bottleneck)));
}

DenseBlockImpl::DenseBlockImpl(int64_t layers, int64_t inputFeatures, int64_t bnSize, int64_t growthRate)
    : torch::nn::Module("_DenseBlock")
{
    for (int64_t i = 0; i < layers; ++i)
        m_layers.push_back(register_module("denselayer" + std::to_string(i + 1),
                                           DenseLayer(inputFeatures + i * growthRate, growthRate, bnSize)));
}

torch::Tensor DenseBlockImpl::forward(const torch::Tensor& x)
{
    // Each layer sees the concatenation of everything before it (new tensors:
    // the tapped outputs are never written to).
    std::vector<torch::Tensor> features{x};
    for (auto& layer : m_layers)
        features.push_back(tapped(layer, torch::cat(features, 1)));
    return torch::cat(features, 1);
}

TransitionImpl::TransitionImpl(int64_t inputFeatures, int64_t outputFeatures) : torch::nn::Module("_Transition")
{
    m_norm = register_module("norm", torch::nn::BatchNorm2d(inputFeatures));
    m_relu = register_module("relu", torch::nn::ReLU());
    m_conv = register_module(
        "conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(inputFeatures, outputFeatures, 1).bias(false)));
    m_pool = register_module("pool", torch::nn::AvgPool2d(torch::nn::AvgPool2dOptions(2).stride(2)));
}

torch::Tensor TransitionImpl::forward(const torch::Tensor& x)
{
    return tapped(m_pool, tapped(m_conv, tapped(m_relu, tapped(m_norm, x))));
}

DenseNet::DenseNet(int64_t growthRate, std::vector<int64_t> blockConfig, int64_t initFeatures, int64_t numClasses)
{
    TORCH_CHECK(blockConfig.size() == 4, "DenseNet needs 4 block sizes");
    torch::nn::Sequential features;
    features->push_back("conv0", torch::nn::Conv2d(
                                     torch::nn::Conv2dOptions(3, initFeatures, 7).stride(2).padding(3).bias(false)));
    features->push_back("norm0", torch::nn::BatchNorm2d(initFeatures));
    features->push_back("relu0", torch::nn::ReLU());
    features->push_back("pool0", torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(3).stride(2).padding(1)));
    int64_t channels = initFeatures;
    for (size_t i = 0; i < blockConfig.size(); ++i) {
        const std::string n = std::to_string(i + 1);
        features->push_back("denseblock" + n, DenseBlock(blockConfig[i], channels, kBnSize, growthRate));
        channels += blockConfig[i] * growthRate;
        if (i + 1 != blockConfig.size()) {
            features->push_back("transition" + n, Transition(channels, channels / 2));
            channels /= 2;
        }
    }
    features->push_back("norm5", torch::nn::BatchNorm2d(channels));
    m_features = register_module("features", features);
    m_classifier = register_module("classifier", torch::nn::Linear(channels, numClasses));
}

void DenseNet::initialiseLikeTorchvision()
{
    // torchvision: convolutions kaiming_normal_ (fan_in), BatchNorm 1/0,
    // Linear bias 0 (its weight keeps the default init).
    torch::NoGradGuard noGrad;
    for (auto& module : modules(/*include_self=*/false)) {
        if (auto* conv = module->as<torch::nn::Conv2d>()) {
            torch::nn::init::kaiming_normal_(conv->weight);
        } else if (auto* bn = module->as<torch::nn::BatchNorm2d>()) {
            torch::nn::init::ones_(bn->weight);
            torch::nn::init::zeros_(bn->bias);
        } else if (auto* linear = module->as<torch::nn::Linear>()) {
            torch::nn::init::zeros_(linear->bias);
        }
    }
}

std::string DenseNet::checkpointKey(const std::string& fileKey) const
{
    // torchvision's densenet._load_state_dict: "...denselayer1.norm.1.weight"
    // -> "...denselayer1.norm1.weight".
    static const std::regex oldStyle(
        R"(^(.*denselayer\d+\.(?:norm|relu|conv))\.((?:[12])\.(?:weight|bias|running_mean|running_var))$)");
    std::smatch match;
    if (std::regex_match(fileKey, match, oldStyle))
        return match.str(1) + match.str(2);
    return fileKey;
}

torch::Tensor DenseNet::forward(const torch::Tensor& input)
{
    const torch::Tensor features = runSequential(m_features, input);
    torch::Tensor out = torch::adaptive_avg_pool2d(tappedRelu(features), {1, 1});
    return tapped(m_classifier, torch::flatten(out, 1));
}

std::vector<ModelConstructor> densenetFamily()
{
    auto make = [](int64_t growthRate, std::vector<int64_t> blocks, int64_t initFeatures) {
        return [=](int64_t classes) { return std::make_shared<DenseNet>(growthRate, blocks, initFeatures, classes); };
    };
    return {
        {"densenet121", make(32, {6, 12, 24, 16}, 64)},
        {"densenet161", make(48, {6, 12, 36, 24}, 96)},
        {"densenet169", make(32, {6, 12, 32, 32}, 64)},
        {"densenet201", make(32, {6, 12, 48, 32}, 64)},
    };
}

} // namespace gce
