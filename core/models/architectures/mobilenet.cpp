#include "core/models/architectures/mobilenet.h"

#include <torch/torch.h>

#include "core/models/architectures/families.h"
#include "core/models/tap.h"

namespace gce {

namespace tvops {

torch::Tensor SequentialImpl::forward(const torch::Tensor& x)
{
    torch::Tensor out = x;
    for (auto& child : *this)
        out = detail::afterModule(child.ptr().get(), child.forward(out));
    return out;
}

torch::nn::AnyModule makeActivation(Activation kind)
{
    switch (kind) {
    case Activation::ReLU:
        return torch::nn::AnyModule(torch::nn::ReLU());
    case Activation::ReLU6:
        return torch::nn::AnyModule(torch::nn::ReLU6());
    case Activation::Hardswish:
        return torch::nn::AnyModule(Hardswish());
    case Activation::SiLU:
        return torch::nn::AnyModule(torch::nn::SiLU());
    case Activation::Sigmoid:
        return torch::nn::AnyModule(torch::nn::Sigmoid());
    case Activation::Hardsigmoid:
        return torch::nn::AnyModule(Hardsigmoid());
    case Activation::GELU:
        return torch::nn::AnyModule(torch::nn::GELU());
    case Activation::None:
        break;
    }
    return {};
}

torch::Tensor tappedAny(torch::nn::AnyModule& child, const torch::Tensor& x)
{
    return detail::afterModule(child.ptr().get(), child.forward(x));
}

Conv2dNormActivationImpl::Conv2dNormActivationImpl(const ConvNormAct& spec)
{
    const int64_t padding = spec.m_padding >= 0 ? spec.m_padding : (spec.m_kernel - 1) / 2 * spec.m_dilation;
    const bool bias = spec.m_bias >= 0 ? spec.m_bias == 1 : spec.m_norm.kind == Norm::Kind::None;
    push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(spec.m_in, spec.m_out, spec.m_kernel)
                                    .stride(spec.m_stride)
                                    .padding(padding)
                                    .dilation(spec.m_dilation)
                                    .groups(spec.m_groups)
                                    .bias(bias)));
    if (spec.m_norm.kind == Norm::Kind::BatchNorm)
        push_back(torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(spec.m_out).eps(spec.m_norm.eps)));
    else if (spec.m_norm.kind == Norm::Kind::LayerNorm2d)
        push_back(LayerNorm2d(spec.m_out, spec.m_norm.eps));
    if (spec.m_activation != Activation::None)
        push_back(makeActivation(spec.m_activation));
}

SqueezeExcitationImpl::SqueezeExcitationImpl(int64_t inputChannels, int64_t squeezeChannels, Activation activation,
                                             Activation scaleActivation)
{
    m_avgpool = register_module("avgpool", torch::nn::AdaptiveAvgPool2d(torch::nn::AdaptiveAvgPool2dOptions(1)));
    m_fc1 = register_module("fc1", torch::nn::Conv2d(torch::nn::Conv2dOptions(inputChannels, squeezeChannels, 1)));
    m_fc2 = register_module("fc2", torch::nn::Conv2d(torch::nn::Conv2dOptions(squeezeChannels, inputChannels, 1)));
    m_activation = makeActivation(activation);
    register_module("activation", m_activation.ptr());
    m_scaleActivation = makeActivation(scaleActivation);
    register_module("scale_activation", m_scaleActivation.ptr());
}

torch::Tensor SqueezeExcitationImpl::forward(const torch::Tensor& x)
{
    torch::Tensor scale = tapped(m_fc1, tapped(m_avgpool, x));
    scale = tapped(m_fc2, tappedAny(m_activation, scale));
    scale = tappedAny(m_scaleActivation, scale);
    return scale * x;
}

torch::Tensor HardswishImpl::forward(const torch::Tensor& x) { return torch::hardswish(x); }

torch::Tensor HardsigmoidImpl::forward(const torch::Tensor& x) { return torch::hardsigmoid(x); }

torch::Tensor PermuteImpl::forward(const torch::Tensor& x) { return x.permute(m_dims); }

torch::Tensor StochasticDepthImpl::forward(const torch::Tensor& x) { return x; }

LayerNorm2dImpl::LayerNorm2dImpl(int64_t channels, double eps) : m_channels(channels), m_eps(eps)
{
    weight = register_parameter("weight", torch::ones({channels}));
    bias = register_parameter("bias", torch::zeros({channels}));
}

torch::Tensor LayerNorm2dImpl::forward(const torch::Tensor& x)
{
    torch::Tensor y = x.permute({0, 2, 3, 1});
    y = torch::layer_norm(y, {m_channels}, weight, bias, m_eps);
    return y.permute({0, 3, 1, 2});
}

int64_t makeDivisible(double value, int64_t divisor, int64_t minValue)
{
    if (minValue <= 0)
        minValue = divisor;
    int64_t result = std::max(minValue, static_cast<int64_t>(value + divisor / 2.0) / divisor * divisor);
    if (static_cast<double>(result) < 0.9 * value) // never round down by more than 10%
        result += divisor;
    return result;
}

void initConvAndNormLikeTorchvision(torch::nn::Module& root)
{
    torch::NoGradGuard noGrad;
    for (auto& module : root.modules(/*include_self=*/false)) {
        if (auto* conv = module->as<torch::nn::Conv2d>()) {
            torch::nn::init::kaiming_normal_(conv->weight, 0.0, torch::kFanOut, torch::kReLU);
            if (conv->bias.defined())
                torch::nn::init::zeros_(conv->bias);
        } else if (auto* bn = module->as<torch::nn::BatchNorm2d>()) {
            torch::nn::init::ones_(bn->weight);
            torch::nn::init::zeros_(bn->bias);
        }
    }
}

} // namespace tvops

namespace {
using tvops::Activation;
using tvops::ConvNormAct;
using tvops::Norm;

void initLinearsNormal(torch::nn::Module& root)
{
    torch::NoGradGuard noGrad;
    for (auto& module : root.modules(/*include_self=*/false)) {
        if (auto* linear = module->as<torch::nn::Linear>()) {
            torch::nn::init::normal_(linear->weight, 0.0, 0.01);
            torch::nn::init::zeros_(linear->bias);
        }
    }
}
} // namespace

namespace mbv2 {

InvertedResidualImpl::InvertedResidualImpl(int64_t inp, int64_t oup, int64_t stride, int64_t expandRatio)
    : m_useResConnect(stride == 1 && inp == oup)
{
    TORCH_CHECK(stride == 1 || stride == 2, "stride should be 1 or 2");
    const int64_t hidden = inp * expandRatio;
    tvops::Sequential conv;
    if (expandRatio != 1)
        conv->push_back(tvops::Conv2dNormActivation(ConvNormAct(inp, hidden, 1).activation(Activation::ReLU6)));
    conv->push_back(tvops::Conv2dNormActivation(
        ConvNormAct(hidden, hidden).stride(stride).groups(hidden).activation(Activation::ReLU6)));
    conv->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(hidden, oup, 1).bias(false)));
    conv->push_back(torch::nn::BatchNorm2d(oup));
    m_conv = register_module("conv", conv);
}

torch::Tensor InvertedResidualImpl::forward(const torch::Tensor& x)
{
    torch::Tensor out = tapped(m_conv, x);
    return m_useResConnect ? x + out : out;
}

MobileNetV2::MobileNetV2(int64_t numClasses)
{
    // t (expansion), c (channels), n (repeats), s (first stride)
    const int64_t setting[][4] = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2},
                                  {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
    int64_t inputChannel = tvops::makeDivisible(32, 8);
    const int64_t lastChannel = tvops::makeDivisible(1280, 8);
    tvops::Sequential features;
    features->push_back(
        tvops::Conv2dNormActivation(ConvNormAct(3, inputChannel).stride(2).activation(Activation::ReLU6)));
    for (const auto& row : setting) {
        const int64_t outputChannel = tvops::makeDivisible(row[1], 8);
        for (int64_t i = 0; i < row[2]; ++i) {
            features->push_back(InvertedResidual(inputChannel, outputChannel, i == 0 ? row[3] : 1, row[0]));
            inputChannel = outputChannel;
        }
    }
    features->push_back(
        tvops::Conv2dNormActivation(ConvNormAct(inputChannel, lastChannel, 1).activation(Activation::ReLU6)));
    m_features = register_module("features", features);
    tvops::Sequential classifier;
    classifier->push_back(torch::nn::Dropout(0.2));
    classifier->push_back(torch::nn::Linear(lastChannel, numClasses));
    m_classifier = register_module("classifier", classifier);
}

void MobileNetV2::initialiseLikeTorchvision()
{
    tvops::initConvAndNormLikeTorchvision(*this);
    initLinearsNormal(*this);
}

torch::Tensor MobileNetV2::forward(const torch::Tensor& input)
{
    torch::Tensor x = tapped(m_features, input);
    x = torch::adaptive_avg_pool2d(x, {1, 1}); // functional in torchvision: not a layer
    return tapped(m_classifier, torch::flatten(x, 1));
}

} // namespace mbv2

namespace mbv3 {

InvertedResidualImpl::InvertedResidualImpl(const InvertedResidualConfig& cnf)
    : m_useResConnect(cnf.stride == 1 && cnf.inputChannels == cnf.outChannels)
{
    TORCH_CHECK(cnf.stride == 1 || cnf.stride == 2, "illegal stride value");
    const Activation activation = cnf.useHardswish ? Activation::Hardswish : Activation::ReLU;
    const Norm norm = Norm::batch(0.001);
    tvops::Sequential block;
    if (cnf.expandedChannels != cnf.inputChannels)
        block->push_back(tvops::Conv2dNormActivation(
            ConvNormAct(cnf.inputChannels, cnf.expandedChannels, 1).norm(norm).activation(activation)));
    block->push_back(tvops::Conv2dNormActivation(ConvNormAct(cnf.expandedChannels, cnf.expandedChannels, cnf.kernel)
                                                     .stride(cnf.dilation > 1 ? 1 : cnf.stride)
                                                     .dilation(cnf.dilation)
                                                     .groups(cnf.expandedChannels)
                                                     .norm(norm)
                                                     .activation(activation)));
    if (cnf.useSe)
        block->push_back(tvops::SqueezeExcitation(cnf.expandedChannels,
                                                  tvops::makeDivisible(cnf.expandedChannels / 4, 8),
                                                  Activation::ReLU, Activation::Hardsigmoid));
    block->push_back(tvops::Conv2dNormActivation(
        ConvNormAct(cnf.expandedChannels, cnf.outChannels, 1).norm(norm).activation(Activation::None)));
    m_block = register_module("block", block);
}

torch::Tensor InvertedResidualImpl::forward(const torch::Tensor& x)
{
    torch::Tensor result = tapped(m_block, x);
    return m_useResConnect ? result + x : result; // torchvision: result += input
}

namespace {
std::vector<InvertedResidualConfig> settings(Variant variant, int64_t& lastChannel)
{
    // torchvision's _mobilenet_v3_conf with width_mult 1, no reduced tail, no
    // dilation: (input, kernel, expanded, out, SE, HS, stride, dilation).
    const bool RE = false, HS = true;
    if (variant == Variant::Large) {
        lastChannel = tvops::makeDivisible(1280, 8);
        return {
            {16, 3, 16, 16, false, RE, 1, 1},    {16, 3, 64, 24, false, RE, 2, 1},
            {24, 3, 72, 24, false, RE, 1, 1},    {24, 5, 72, 40, true, RE, 2, 1},
            {40, 5, 120, 40, true, RE, 1, 1},    {40, 5, 120, 40, true, RE, 1, 1},
            {40, 3, 240, 80, false, HS, 2, 1},   {80, 3, 200, 80, false, HS, 1, 1},
            {80, 3, 184, 80, false, HS, 1, 1},   {80, 3, 184, 80, false, HS, 1, 1},
            {80, 3, 480, 112, true, HS, 1, 1},   {112, 3, 672, 112, true, HS, 1, 1},
            {112, 5, 672, 160, true, HS, 2, 1},  {160, 5, 960, 160, true, HS, 1, 1},
            {160, 5, 960, 160, true, HS, 1, 1},
        };
    }
    lastChannel = tvops::makeDivisible(1024, 8);
    return {
        {16, 3, 16, 16, true, RE, 2, 1},   {16, 3, 72, 24, false, RE, 2, 1},  {24, 3, 88, 24, false, RE, 1, 1},
        {24, 5, 96, 40, true, HS, 2, 1},   {40, 5, 240, 40, true, HS, 1, 1},  {40, 5, 240, 40, true, HS, 1, 1},
        {40, 5, 120, 48, true, HS, 1, 1},  {48, 5, 144, 48, true, HS, 1, 1},  {48, 5, 288, 96, true, HS, 2, 1},
        {96, 5, 576, 96, true, HS, 1, 1},  {96, 5, 576, 96, true, HS, 1, 1},
    };
}
} // namespace

MobileNetV3::MobileNetV3(Variant variant, int64_t numClasses)
{
    int64_t lastChannel = 0;
    std::vector<InvertedResidualConfig> setting = settings(variant, lastChannel);
    for (auto& cnf : setting) { // adjust_channels with width_mult 1
        cnf.inputChannels = tvops::makeDivisible(cnf.inputChannels, 8);
        cnf.expandedChannels = tvops::makeDivisible(cnf.expandedChannels, 8);
        cnf.outChannels = tvops::makeDivisible(cnf.outChannels, 8);
    }
    const Norm norm = Norm::batch(0.001);
    tvops::Sequential features;
    features->push_back(tvops::Conv2dNormActivation(
        ConvNormAct(3, setting.front().inputChannels).stride(2).norm(norm).activation(Activation::Hardswish)));
    for (const auto& cnf : setting)
        features->push_back(InvertedResidual(cnf));
    const int64_t lastConvInput = setting.back().outChannels;
    const int64_t lastConvOutput = 6 * lastConvInput;
    features->push_back(tvops::Conv2dNormActivation(
        ConvNormAct(lastConvInput, lastConvOutput, 1).norm(norm).activation(Activation::Hardswish)));
    m_features = register_module("features", features);
    m_avgpool = register_module("avgpool", torch::nn::AdaptiveAvgPool2d(torch::nn::AdaptiveAvgPool2dOptions(1)));
    tvops::Sequential classifier;
    classifier->push_back(torch::nn::Linear(lastConvOutput, lastChannel));
    classifier->push_back(tvops::Hardswish());
    classifier->push_back(torch::nn::Dropout(0.2));
    classifier->push_back(torch::nn::Linear(lastChannel, numClasses));
    m_classifier = register_module("classifier", classifier);
}

void MobileNetV3::initialiseLikeTorchvision()
{
    tvops::initConvAndNormLikeTorchvision(*this);
    initLinearsNormal(*this);
}

torch::Tensor MobileNetV3::forward(const torch::Tensor& input)
{
    torch::Tensor x = tapped(m_avgpool, tapped(m_features, input));
    return tapped(m_classifier, torch::flatten(x, 1));
}

} // namespace mbv3

std::vector<ModelConstructor> mobilenetFamily()
{
    return {
        {"mobilenet_v2", [](int64_t classes) { return std::make_shared<mbv2::MobileNetV2>(classes); }},
        {"mobilenet_v3_large",
         [](int64_t classes) { return std::make_shared<mbv3::MobileNetV3>(mbv3::Variant::Large, classes); }},
        {"mobilenet_v3_small",
         [](int64_t classes) { return std::make_shared<mbv3::MobileNetV3>(mbv3::Variant::Small, classes); }},
    };
}

} // namespace gce
