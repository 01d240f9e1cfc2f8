#pragma once
// torchvision's GoogLeNet (Inception v1) as googlenet(weights=...) builds it
// for the official weights: transform_input on, auxiliary classifiers
// removed (eval-mode logits never use them). Named like its state_dict:
// conv1..conv3 (BasicConv2d: conv, bn), maxpool1..4, inception3a..5b
// (branch1, branch2.0/1, branch3.0/1, branch4.0 = MaxPool2d, branch4.1),
// avgpool, dropout, fc. The official file still holds aux1.* / aux2.*:
// checkpointKey() drops them, as torchvision deletes those modules.
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/pooling.h>

#include "core/models/classifier.h"

namespace gce {

// Conv2d (no bias) + BatchNorm2d(eps 0.001) + a functional ReLU.
class BasicConv2dImpl : public torch::nn::Module {
public:
    explicit BasicConv2dImpl(torch::nn::Conv2dOptions options);
    torch::Tensor forward(const torch::Tensor& x);

private:
    torch::nn::Conv2d m_conv{nullptr};
    torch::nn::BatchNorm2d m_bn{nullptr};
};
TORCH_MODULE(BasicConv2d);

class InceptionImpl : public torch::nn::Module {
public:
    InceptionImpl(int64_t inChannels, int64_t ch1x1, int64_t ch3x3red, int64_t ch3x3, int64_t ch5x5red,
                  int64_t ch5x5, int64_t poolProj);
    torch::Tensor forward(const torch::Tensor& x);

private:
    BasicConv2d m_branch1{nullptr};
    torch::nn::Sequential m_branch2{nullptr}, m_branch3{nullptr}, m_branch4{nullptr};
};
TORCH_MODULE(Inception);

class GoogLeNet : public ClassifierModule {
public:
    explicit GoogLeNet(int64_t numClasses = 1000, bool transformInput = true);
    torch::Tensor forward(const torch::Tensor& input) override;
    void initialiseLikeTorchvision() override;
    std::string checkpointKey(const std::string& fileKey) const override;

private:
    bool m_transformInput;
    BasicConv2d m_conv1{nullptr}, m_conv2{nullptr}, m_conv3{nullptr};
    torch::nn::MaxPool2d m_maxpool1{nullptr}, m_maxpool2{nullptr}, m_maxpool3{nullptr}, m_maxpool4{nullptr};
    Inception m_inception3a{nullptr}, m_inception3b{nullptr};
    Inception m_inception4a{nullptr}, m_inception4b{nullptr}, m_inception4c{nullptr}, m_inception4d{nullptr},
        m_inception4e{nullptr};
    Inception m_inception5a{nullptr}, m_inception5b{nullptr};
    torch::nn::AdaptiveAvgPool2d m_avgpool{nullptr};
    torch::nn::Dropout m_dropout{nullptr};
    torch::nn::Linear m_fc{nullptr};
};

} // namespace gce
