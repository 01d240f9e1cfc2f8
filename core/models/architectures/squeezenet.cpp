#include "core/models/architectures/squeezenet.h"

#include <torch/torch.h>

#include "core/models/architectures/families.h"
#include "core/models/tap.h"

namespace gce {

namespace {

torch::nn::MaxPool2d ceilPool()
{
    return torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(3).stride(2).ceil_mode(true));
}

} // namespace

FireImpl::FireImpl(int64_t inplanes, int64_t squeezePlanes, int64_t expand1x1Planes, int64_t expand3x3Planes)
{
    using torch::nn::Conv2dOptions;
    m_squeeze = register_module("squeeze", torch::nn::Conv2d(Conv2dOptions(inplanes, squeezePlanes, 1)));
    m_squeezeActivation = register_module("squeeze_activation", torch::nn::ReLU());
    m_expand1x1 = register_module("expand1x1", torch::nn::Conv2d(Conv2dOptions(squeezePlanes, expand1x1Planes, 1)));
    m_expand1x1Activation = register_module("expand1x1_activation", torch::nn::ReLU());
    m_expand3x3 = register_module("expand3x3",
                                  torch::nn::Conv2d(Conv2dOptions(squeezePlanes, expand3x3Planes, 3).padding(1)));
    m_expand3x3Activation = register_module("expand3x3_activation", torch::nn::ReLU());
}

torch::Tensor FireImpl::forward(const torch::Tensor& x)
{
    torch::Tensor s = tapped(m_squeezeActivation, tapped(m_squeeze, x));
    return torch::cat({tapped(m_expand1x1Activation, tapped(m_expand1x1, s)),
                       tapped(m_expand3x3Activation, tapped(m_expand3x3, s))},
                      1);
}

SqueezeNet::SqueezeNet(Version version, int64_t numClasses)
{
    using torch::nn::Conv2d;
    using torch::nn::Conv2dOptions;
    if (version == Version::V1_0) {
        m_features = register_module(
            "features", torch::nn::Sequential(Conv2d(Conv2dOptions(3, 96, 7).stride(2)), torch::nn::ReLU(), ceilPool(),
                                              Fire(96, 16, 64, 64), Fire(128, 16, 64, 64), Fire(128, 32, 128, 128),
                                              ceilPool(), Fire(256, 32, 128, 128), Fire(256, 48, 192, 192),
                                              Fire(384, 48, 192, 192), Fire(384, 64, 256, 256), ceilPool(),
                                              Fire(512, 64, 256, 256)));
    } else {
        m_features = register_module(
            "features", torch::nn::Sequential(Conv2d(Conv2dOptions(3, 64, 3).stride(2)), torch::nn::ReLU(), ceilPool(),
                                              Fire(64, 16, 64, 64), Fire(128, 16, 64, 64), ceilPool(),
                                              Fire(128, 32, 128, 128), Fire(256, 32, 128, 128), ceilPool(),
                                              Fire(256, 48, 192, 192), Fire(384, 48, 192, 192),
                                              Fire(384, 64, 256, 256), Fire(512, 64, 256, 256)));
    }
    m_finalConv = torch::nn::Conv2d(torch::nn::Conv2dOptions(512, numClasses, 1));
    m_classifier = register_module(
        "classifier", torch::nn::Sequential(torch::nn::Dropout(0.5), m_finalConv, torch::nn::ReLU(),
                                            torch::nn::AdaptiveAvgPool2d(torch::nn::AdaptiveAvgPool2dOptions({1, 1}))));
}

void SqueezeNet::initialiseLikeTorchvision()
{
    // torchvision: final conv ~ N(0, 0.01), other convs kaiming_uniform, biases 0.
    torch::NoGradGuard noGrad;
    for (auto& module : modules(/*include_self=*/false)) {
        if (auto* conv = module->as<torch::nn::Conv2d>()) {
            if (conv == m_finalConv.get())
                torch::nn::init::normal_(conv->weight, 0.0, 0.01);
            else
                torch::nn::init::kaiming_uniform_(conv->weight);
            torch::nn::init::zeros_(conv->bias);
        }
    }
}

torch::Tensor SqueezeNet::forward(const torch::Tensor& input)
{
    torch::Tensor x = runSequential(m_features, input);
    x = runSequential(m_classifier, x);
    return torch::flatten(x, 1);
}

std::vector<ModelConstructor> squeezenetFamily()
{
    return {
        {"squeezenet1_0",
         [](int64_t classes) { return std::make_shared<SqueezeNet>(SqueezeNet::Version::V1_0, classes); }},
        {"squeezenet1_1",
         [](int64_t classes) { return std::make_shared<SqueezeNet>(SqueezeNet::Version::V1_1, classes); }},
    };
}

} // namespace gce
