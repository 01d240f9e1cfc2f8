#include "core/models/architectures/vgg.h"

#include <torch/torch.h>

#include "core/models/architectures/families.h"
#include "core/models/tap.h"

namespace gce {

namespace {

constexpr int64_t M = VGG::kMaxPool;
// torchvision's cfgs, by the letter of the paper's table.
const std::vector<int64_t> kConfigA = {64, M, 128, M, 256, 256, M, 512, 512, M, 512, 512, M};
const std::vector<int64_t> kConfigB = {64, 64, M, 128, 128, M, 256, 256, M, 512, 512, M, 512, 512, M};
const std::vector<int64_t> kConfigD = {64,  64,  M,   128, 128, M,   256, 256, 256,
                                       M,   512, 512, 512, M,   512, 512, 512, M};
const std::vector<int64_t> kConfigE = {64,  64,  M,   128, 128, M,   256, 256, 256, 256, M,
                                       512, 512, 512, 512, M,   512, 512, 512, 512, M};

// torchvision's make_layers.
torch::nn::Sequential makeLayers(const std::vector<int64_t>& config, bool batchNorm)
{
    torch::nn::Sequential layers;
    int64_t inChannels = 3;
    for (const int64_t v : config) {
        if (v == M) {
            layers->push_back(torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2).stride(2)));
            continue;
        }
        layers->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(inChannels, v, 3).padding(1)));
        if (batchNorm)
            layers->push_back(torch::nn::BatchNorm2d(v));
        layers->push_back(torch::nn::ReLU());
        inChannels = v;
    }
    return layers;
}

} // namespace

VGG::VGG(const std::vector<int64_t>& config, bool batchNorm, int64_t numClasses)
{
    m_features = register_module("features", makeLayers(config, batchNorm));
    m_avgpool = register_module("avgpool", torch::nn::AdaptiveAvgPool2d(torch::nn::AdaptiveAvgPool2dOptions({7, 7})));
    m_classifier = register_module(
        "classifier", torch::nn::Sequential(torch::nn::Linear(512 * 7 * 7, 4096), torch::nn::ReLU(),
                                            torch::nn::Dropout(0.5), torch::nn::Linear(4096, 4096),
                                            torch::nn::ReLU(), torch::nn::Dropout(0.5),
                                            torch::nn::Linear(4096, numClasses)));
}

void VGG::initialiseLikeTorchvision()
{
    // torchvision: convolutions kaiming_normal_(fan_out, relu), BatchNorm 1/0,
    // Linear N(0, 0.01); all biases 0.
    torch::NoGradGuard noGrad;
    for (auto& module : modules(/*include_self=*/false)) {
        if (auto* conv = module->as<torch::nn::Conv2d>()) {
            torch::nn::init::kaiming_normal_(conv->weight, 0.0, torch::kFanOut, torch::kReLU);
            torch::nn::init::zeros_(conv->bias);
        } else if (auto* bn = module->as<torch::nn::BatchNorm2d>()) {
            torch::nn::init::ones_(bn->weight);
            torch::nn::init::zeros_(bn->bias);
        } else if (auto* linear = module->as<torch::nn::Linear>()) {
            torch::nn::init::normal_(linear->weight, 0.0, 0.01);
            torch::nn::init::zeros_(linear->bias);
        }
    }
}

torch::Tensor VGG::forward(const torch::Tensor& input)
{
    torch::Tensor x = runSequential(m_features, input);
    x = tapped(m_avgpool, x);
    return runSequential(m_classifier, torch::flatten(x, 1));
}

std::vector<ModelConstructor> vggFamily()
{
    auto make = [](const std::vector<int64_t>& config, bool batchNorm) {
        return [config, batchNorm](int64_t classes) { return std::make_shared<VGG>(config, batchNorm, classes); };
    };
    return {
        {"vgg11", make(kConfigA, false)}, {"vgg11_bn", make(kConfigA, true)},
        {"vgg13", make(kConfigB, false)}, {"vgg13_bn", make(kConfigB, true)},
        {"vgg16", make(kConfigD, false)}, {"vgg16_bn", make(kConfigD, true)},
        {"vgg19", make(kConfigE, false)}, {"vgg19_bn", make(kConfigE, true)},
    };
}

} // namespace gce
