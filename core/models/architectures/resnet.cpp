#include "core/models/architectures/resnet.h"

#include <torch/torch.h>

#include "core/models/architectures/families.h"
#include "core/models/tap.h"

namespace gce {

namespace {

torch::nn::Conv2d conv3x3(int64_t in, int64_t out, int64_t stride = 1, int64_t groups = 1)
{
    return torch::nn::Conv2d(
        torch::nn::Conv2dOptions(in, out, 3).stride(stride).padding(1).groups(groups).bias(false));
}

torch::nn::Conv2d conv1x1(int64_t in, int64_t out, int64_t stride = 1)
{
    return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 1).stride(stride).bias(false));
}

// torchvision initialises BatchNorm weight=1, bias=0 and convolutions with
// kaiming_normal_(fan_out, relu); only matters for untrained weights.
void initLikeTorchvision(torch::nn::Module& root)
{
    torch::NoGradGuard noGrad;
    for (auto& module : root.modules(/*include_self=*/false)) {
        if (auto* conv = module->as<torch::nn::Conv2d>()) {
            torch::nn::init::kaiming_normal_(conv->weight, 0.0, torch::kFanOut, torch::kReLU);
        } else if (auto* bn = module->as<torch::nn::BatchNorm2d>()) {
            torch::nn::init::ones_(bn->weight);
            torch::nn::init::zeros_(bn->bias);
        }
    }
}

torch::Tensor addResidual(const torch::Tensor& out, const torch::Tensor& identity)
{
    // In the inference form, the sum goes into whichever of the two is its
    // fresh convolution output (`out`, or the downsampled identity), as
    // torchvision's `out += identity` does: two feature maps fewer per block.
    // Addition is commutative in floating point, so the order is free.
    if (detail::claimToOverwrite(out))
        return torch::Tensor(out).add_(identity).relu_();
    if (detail::claimToOverwrite(identity))
        return torch::Tensor(identity).add_(out).relu_();
    return torch::relu(out + identity); // out of place: `out` may be the tapped activation
}

} // namespace

BasicBlockImpl::BasicBlockImpl(int64_t inplanes, int64_t planes, int64_t stride, torch::nn::Sequential downsample)
{
    m_conv1 = register_module("conv1", conv3x3(inplanes, planes, stride));
    m_bn1 = register_module("bn1", torch::nn::BatchNorm2d(planes));
    m_relu = register_module("relu", torch::nn::ReLU());
    m_conv2 = register_module("conv2", conv3x3(planes, planes));
    m_bn2 = register_module("bn2", torch::nn::BatchNorm2d(planes));
    if (downsample)
        m_downsample = register_module("downsample", downsample);
}

torch::Tensor BasicBlockImpl::forward(const torch::Tensor& x)
{
    torch::Tensor out = tapped(m_relu, tapped(m_bn1, tapped(m_conv1, x)));
    out = tapped(m_bn2, tapped(m_conv2, out));
    torch::Tensor identity = m_downsample ? runSequential(m_downsample, x) : x;
    // torchvision applies self.relu to the sum: tap it as that module's output.
    return detail::afterModule(m_relu.ptr().get(), addResidual(out, identity));
}

BottleneckImpl::BottleneckImpl(int64_t inplanes, int64_t planes, int64_t stride, torch::nn::Sequential downsample,
                               int64_t groups, int64_t baseWidth)
{
    const int64_t width = planes * baseWidth / 64 * groups;
    m_conv1 = register_module("conv1", conv1x1(inplanes, width));
    m_bn1 = register_module("bn1", torch::nn::BatchNorm2d(width));
    m_conv2 = register_module("conv2", conv3x3(width, width, stride, groups));
    m_bn2 = register_module("bn2", torch::nn::BatchNorm2d(width));
    m_conv3 = register_module("conv3", conv1x1(width, planes * kExpansion));
    m_bn3 = register_module("bn3", torch::nn::BatchNorm2d(planes * kExpansion));
    m_relu = register_module("relu", torch::nn::ReLU());
    if (downsample)
        m_downsample = register_module("downsample", downsample);
}

torch::Tensor BottleneckImpl::forward(const torch::Tensor& x)
{
    torch::Tensor out = tapped(m_relu, tapped(m_bn1, tapped(m_conv1, x)));
    out = tapped(m_relu, tapped(m_bn2, tapped(m_conv2, out)));
    out = tapped(m_bn3, tapped(m_conv3, out));
    torch::Tensor identity = m_downsample ? runSequential(m_downsample, x) : x;
    return detail::afterModule(m_relu.ptr().get(), addResidual(out, identity));
}

ResNet::ResNet(ResNetBlock block, std::vector<int64_t> layers, int64_t numClasses, int64_t groups,
               int64_t widthPerGroup)
    : m_block(block), m_groups(groups), m_baseWidth(widthPerGroup)
{
    TORCH_CHECK(layers.size() == 4, "ResNet needs 4 stage sizes");
    m_conv1 = register_module(
        "conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 64, 7).stride(2).padding(3).bias(false)));
    m_bn1 = register_module("bn1", torch::nn::BatchNorm2d(64));
    m_relu = register_module("relu", torch::nn::ReLU());
    m_maxpool = register_module("maxpool", torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(3).stride(2).padding(1)));
    m_layer1 = register_module("layer1", makeLayer(64, layers[0], 1));
    m_layer2 = register_module("layer2", makeLayer(128, layers[1], 2));
    m_layer3 = register_module("layer3", makeLayer(256, layers[2], 2));
    m_layer4 = register_module("layer4", makeLayer(512, layers[3], 2));
    m_avgpool = register_module("avgpool", torch::nn::AdaptiveAvgPool2d(torch::nn::AdaptiveAvgPool2dOptions({1, 1})));
    const int64_t expansion = block == ResNetBlock::Basic ? BasicBlockImpl::kExpansion : BottleneckImpl::kExpansion;
    m_fc = register_module("fc", torch::nn::Linear(512 * expansion, numClasses));
}

void ResNet::initialiseLikeTorchvision() { initLikeTorchvision(*this); }

torch::nn::Sequential ResNet::makeLayer(int64_t planes, int64_t blocks, int64_t stride)
{
    const int64_t expansion = m_block == ResNetBlock::Basic ? BasicBlockImpl::kExpansion : BottleneckImpl::kExpansion;
    torch::nn::Sequential downsample{nullptr};
    if (stride != 1 || m_inplanes != planes * expansion) {
        downsample = torch::nn::Sequential(conv1x1(m_inplanes, planes * expansion, stride),
                                           torch::nn::BatchNorm2d(planes * expansion));
    }
    torch::nn::Sequential layer;
    for (int64_t i = 0; i < blocks; ++i) {
        const int64_t s = i == 0 ? stride : 1;
        torch::nn::Sequential ds = i == 0 ? downsample : torch::nn::Sequential{nullptr};
        if (m_block == ResNetBlock::Basic)
            layer->push_back(BasicBlock(m_inplanes, planes, s, ds));
        else
            layer->push_back(Bottleneck(m_inplanes, planes, s, ds, m_groups, m_baseWidth));
        m_inplanes = planes * expansion;
    }
    return layer;
}

torch::Tensor ResNet::forward(const torch::Tensor& input)
{
    torch::Tensor x = tapped(m_maxpool, tapped(m_relu, tapped(m_bn1, tapped(m_conv1, input))));
    x = runSequential(m_layer1, x);
    x = runSequential(m_layer2, x);
    x = runSequential(m_layer3, x);
    x = runSequential(m_layer4, x);
    x = tapped(m_avgpool, x);
    return tapped(m_fc, torch::flatten(x, 1));
}

std::vector<ModelConstructor> resnetFamily()
{
    auto make = [](ResNetBlock block, std::vector<int64_t> layers, int64_t groups = 1, int64_t widthPerGroup = 64) {
        return [=](int64_t classes) {
            return std::make_shared<ResNet>(block, layers, classes, groups, widthPerGroup);
        };
    };
    return {
        {"resnet18", make(ResNetBlock::Basic, {2, 2, 2, 2})},
        {"resnet34", make(ResNetBlock::Basic, {3, 4, 6, 3})},
        {"resnet50", make(ResNetBlock::Bottleneck, {3, 4, 6, 3})},
        {"resnet101", make(ResNetBlock::Bottleneck, {3, 4, 23, 3})},
        {"resnet152", make(ResNetBlock::Bottleneck, {3, 8, 36, 3})},
        // torchvision's width_per_group=64*2: the 3×3 convolutions are twice as wide.
        {"wide_resnet50_2", make(ResNetBlock::Bottleneck, {3, 4, 6, 3}, 1, 128)},
        {"resnext50_32x4d", make(ResNetBlock::Bottleneck, {3, 4, 6, 3}, 32, 4)},
    };
}

} // namespace gce
