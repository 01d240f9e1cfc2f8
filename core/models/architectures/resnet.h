#pragma once
// torchvision's ResNet (v1.5: stride on the 3×3 convolution of Bottleneck),
// with modules named exactly as torchvision names them: conv1, bn1, relu,
// maxpool, layer1..layer4 (Sequential of blocks with conv1, bn1, conv2, ...,
// downsample.0/1), avgpool, fc.
#include <vector>

#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/pooling.h>
#include <torch/nn/modules/activation.h>

#include "core/models/classifier.h"

namespace gce {

class BasicBlockImpl : public torch::nn::Module {
public:
    static constexpr int kExpansion = 1;
    BasicBlockImpl(int64_t inplanes, int64_t planes, int64_t stride, torch::nn::Sequential downsample);
    torch::Tensor forward(const torch::Tensor& x);

private:
    torch::nn::Conv2d m_conv1{nullptr}, m_conv2{nullptr};
    torch::nn::BatchNorm2d m_bn1{nullptr}, m_bn2{nullptr};
    torch::nn::ReLU m_relu{nullptr};
    torch::nn::Sequential m_downsample{nullptr};
};
TORCH_MODULE(BasicBlock);

class BottleneckImpl : public torch::nn::Module {
public:
    static constexpr int kExpansion = 4;
    BottleneckImpl(int64_t inplanes, int64_t planes, int64_t stride, torch::nn::Sequential downsample,
                   int64_t groups = 1, int64_t baseWidth = 64);
    torch::Tensor forward(const torch::Tensor& x);

private:
    torch::nn::Conv2d m_conv1{nullptr}, m_conv2{nullptr}, m_conv3{nullptr};
    torch::nn::BatchNorm2d m_bn1{nullptr}, m_bn2{nullptr}, m_bn3{nullptr};
    torch::nn::ReLU m_relu{nullptr};
    torch::nn::Sequential m_downsample{nullptr};
};
TORCH_MODULE(Bottleneck);

enum class ResNetBlock { Basic, Bottleneck };

class ResNet : public ClassifierModule {
public:
    ResNet(ResNetBlock block, std::vector<int64_t> layers, int64_t numClasses = 1000, int64_t groups = 1,
           int64_t widthPerGroup = 64);
    torch::Tensor forward(const torch::Tensor& input) override;
    void initialiseLikeTorchvision() override;

private:
    torch::nn::Sequential makeLayer(int64_t planes, int64_t blocks, int64_t stride);

    ResNetBlock m_block;
    int64_t m_inplanes = 64;
    int64_t m_groups;
    int64_t m_baseWidth;
    torch::nn::Conv2d m_conv1{nullptr};
    torch::nn::BatchNorm2d m_bn1{nullptr};
    torch::nn::ReLU m_relu{nullptr};
    torch::nn::MaxPool2d m_maxpool{nullptr};
    torch::nn::Sequential m_layer1{nullptr}, m_layer2{nullptr}, m_layer3{nullptr}, m_layer4{nullptr};
    torch::nn::AdaptiveAvgPool2d m_avgpool{nullptr};
    torch::nn::Linear m_fc{nullptr};
};

} // namespace gce
