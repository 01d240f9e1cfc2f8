#include "core/models/architectures/googlenet.h"

#include <torch/torch.h>

#include "core/models/architectures/families.h"
#include "core/models/tap.h"

namespace gce {

namespace {

torch::nn::Conv2dOptions convOptions(int64_t in, int64_t out, int64_t kernel)
{
    return torch::nn::Conv2dOptions(in, out, kernel).bias(false);
}

torch::nn::MaxPool2d ceilPool(int64_t kernel, int64_t stride, int64_t padding = 0)
{
    return torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(kernel).stride(stride).padding(padding).ceil_mode(true));
}

bool startsWith(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

} // namespace

BasicConv2dImpl::BasicConv2dImpl(torch::nn::Conv2dOptions options)
{
    const int64_t outChannels = options.out_channels();
    m_conv = register_module("conv", torch::nn::Conv2d(options));
    m_bn = register_module("bn", torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(outChannels).eps(0.001)));
}

torch::Tensor BasicConv2dImpl::forward(const torch::Tensor& x)
{
    return tappedRelu(tapped(m_bn, tapped(m_conv, x))); // functional in torchvision: not a module
}

InceptionImpl::InceptionImpl(int64_t inChannels, int64_t ch1x1, int64_t ch3x3red, int64_t ch3x3, int64_t ch5x5red,
                             int64_t ch5x5, int64_t poolProj)
{
    m_branch1 = register_module("branch1", BasicConv2d(convOptions(inChannels, ch1x1, 1)));
    m_branch2 = register_module("branch2", torch::nn::Sequential(BasicConv2d(convOptions(inChannels, ch3x3red, 1)),
                                                                 BasicConv2d(convOptions(ch3x3red, ch3x3, 3).padding(1))));
    // torchvision's 3×3 here (not the paper's 5×5) is a known bug kept for its weights.
    m_branch3 = register_module("branch3", torch::nn::Sequential(BasicConv2d(convOptions(inChannels, ch5x5red, 1)),
                                                                 BasicConv2d(convOptions(ch5x5red, ch5x5, 3).padding(1))));
    m_branch4 = register_module(
        "branch4", torch::nn::Sequential(ceilPool(3, 1, 1), BasicConv2d(convOptions(inChannels, poolProj, 1))));
}

torch::Tensor InceptionImpl::forward(const torch::Tensor& x)
{
    return torch::cat({tapped(m_branch1, x), runSequential(m_branch2, x), runSequential(m_branch3, x),
                       runSequential(m_branch4, x)},
                      1);
}

GoogLeNet::GoogLeNet(int64_t numClasses, bool transformInput) : m_transformInput(transformInput)
{
    m_conv1 = register_module("conv1", BasicConv2d(convOptions(3, 64, 7).stride(2).padding(3)));
    m_maxpool1 = register_module("maxpool1", ceilPool(3, 2));
    m_conv2 = register_module("conv2", BasicConv2d(convOptions(64, 64, 1)));
    m_conv3 = register_module("conv3", BasicConv2d(convOptions(64, 192, 3).padding(1)));
    m_maxpool2 = register_module("maxpool2", ceilPool(3, 2));
    m_inception3a = register_module("inception3a", Inception(192, 64, 96, 128, 16, 32, 32));
    m_inception3b = register_module("inception3b", Inception(256, 128, 128, 192, 32, 96, 64));
    m_maxpool3 = register_module("maxpool3", ceilPool(3, 2));
    m_inception4a = register_module("inception4a", Inception(480, 192, 96, 208, 16, 48, 64));
    m_inception4b = register_module("inception4b", Inception(512, 160, 112, 224, 24, 64, 64));
    m_inception4c = register_module("inception4c", Inception(512, 128, 128, 256, 24, 64, 64));
    m_inception4d = register_module("inception4d", Inception(512, 112, 144, 288, 32, 64, 64));
    m_inception4e = register_module("inception4e", Inception(528, 256, 160, 320, 32, 128, 128));
    m_maxpool4 = register_module("maxpool4", ceilPool(2, 2));
    m_inception5a = register_module("inception5a", Inception(832, 256, 160, 320, 32, 128, 128));
    m_inception5b = register_module("inception5b", Inception(832, 384, 192, 384, 48, 128, 128));
    m_avgpool = register_module("avgpool", torch::nn::AdaptiveAvgPool2d(torch::nn::AdaptiveAvgPool2dOptions({1, 1})));
    m_dropout = register_module("dropout", torch::nn::Dropout(0.2));
    m_fc = register_module("fc", torch::nn::Linear(1024, numClasses));
}

void GoogLeNet::initialiseLikeTorchvision()
{
    // torchvision: Conv2d and Linear weights trunc_normal_(0, 0.01, a=-2, b=2)
    // (the cut at ±200σ never bites: a plain normal), BatchNorm 1/0; Linear
    // biases keep their default init.
    torch::NoGradGuard noGrad;
    for (auto& module : modules(/*include_self=*/false)) {
        if (auto* conv = module->as<torch::nn::Conv2d>()) {
            torch::nn::init::normal_(conv->weight, 0.0, 0.01);
        } else if (auto* linear = module->as<torch::nn::Linear>()) {
            torch::nn::init::normal_(linear->weight, 0.0, 0.01);
        } else if (auto* bn = module->as<torch::nn::BatchNorm2d>()) {
            torch::nn::init::ones_(bn->weight);
            torch::nn::init::zeros_(bn->bias);
        }
    }
}

std::string GoogLeNet::checkpointKey(const std::string& fileKey) const
{
    // torchvision's googlenet(weights=...) loads the official file with its
    // auxiliary classifiers, then deletes them: their keys are dropped here.
    for (const char* prefix : {"", "module."})
        for (const char* aux : {"aux1.", "aux2."})
            if (startsWith(fileKey, std::string(prefix) + aux))
                return {};
    return fileKey;
}

torch::Tensor GoogLeNet::forward(const torch::Tensor& input)
{
    torch::Tensor x = input;
    if (m_transformInput) {
        // Official weights (ported from TensorFlow) expect inputs in [-1, 1]:
        // undo ImageNet's Normalize and apply (x - 0.5) / 0.5, per channel.
        x = torch::cat({x.select(1, 0).unsqueeze(1) * (0.229 / 0.5) + (0.485 - 0.5) / 0.5,
                        x.select(1, 1).unsqueeze(1) * (0.224 / 0.5) + (0.456 - 0.5) / 0.5,
                        x.select(1, 2).unsqueeze(1) * (0.225 / 0.5) + (0.406 - 0.5) / 0.5},
                       1);
    }
    x = tapped(m_maxpool1, tapped(m_conv1, x));
    x = tapped(m_maxpool2, tapped(m_conv3, tapped(m_conv2, x)));
    x = tapped(m_maxpool3, tapped(m_inception3b, tapped(m_inception3a, x)));
    x = tapped(m_inception4a, x);
    x = tapped(m_inception4b, x);
    x = tapped(m_inception4c, x);
    x = tapped(m_inception4d, x);
    x = tapped(m_maxpool4, tapped(m_inception4e, x));
    x = tapped(m_inception5b, tapped(m_inception5a, x));
    x = torch::flatten(tapped(m_avgpool, x), 1);
    return tapped(m_fc, tapped(m_dropout, x));
}

std::vector<ModelConstructor> googlenetFamily()
{
    return {
        {"googlenet", [](int64_t classes) { return std::make_shared<GoogLeNet>(classes, /*transformInput=*/true); }},
    };
}

} // namespace gce
