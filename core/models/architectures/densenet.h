#pragma once
// torchvision's DenseNet-BC (121/161/169/201), named like its state_dict:
// features.conv0/norm0/relu0/pool0, features.denseblockN.denselayerM
// (norm1, relu1, conv1, norm2, relu2, conv2), features.transitionN (norm,
// relu, conv, pool), features.norm5, classifier. As in torchvision, the
// final ReLU and pooling are functional (not modules) in forward.
//
// torchvision's official files predate its module names: their keys read
// "denselayer1.norm.1.weight"; checkpointKey() renames them like
// torchvision's _load_state_dict does.
#include <vector>

#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/pooling.h>

#include "core/models/classifier.h"

namespace gce {

// Type names as torchvision's classes (moduleTypeName): "_DenseLayer", ...
class DenseLayerImpl : public torch::nn::Module {
public:
    DenseLayerImpl(int64_t inputFeatures, int64_t growthRate, int64_t bnSize);
    // x: the concatenation of the block's input and all earlier layers' outputs.
    torch::Tensor forward(const torch::Tensor& x);

private:
    torch::nn::BatchNorm2d m_norm1{nullptr}, m_norm2{nullptr};
    torch::nn::ReLU m_relu1{nullptr}, m_relu2{nullptr};
    torch::nn::Conv2d m_conv1{nullptr}, m_conv2{nullptr};
};
TORCH_MODULE(DenseLayer);

class DenseBlockImpl : public torch::nn::Module {
public:
    DenseBlockImpl(int64_t layers, int64_t inputFeatures, int64_t bnSize, int64_t growthRate);
    torch::Tensor forward(const torch::Tensor& x);

private:
    std::vector<DenseLayer> m_layers;
};
TORCH_MODULE(DenseBlock);

class TransitionImpl : public torch::nn::Module {
public:
    TransitionImpl(int64_t inputFeatures, int64_t outputFeatures);
    torch::Tensor forward(const torch::Tensor& x);

private:
    torch::nn::BatchNorm2d m_norm{nullptr};
    torch::nn::ReLU m_relu{nullptr};
    torch::nn::Conv2d m_conv{nullptr};
    torch::nn::AvgPool2d m_pool{nullptr};
};
TORCH_MODULE(Transition);

class DenseNet : public ClassifierModule {
public:
    DenseNet(int64_t growthRate, std::vector<int64_t> blockConfig, int64_t initFeatures, int64_t numClasses = 1000);
    torch::Tensor forward(const torch::Tensor& input) override;
    void initialiseLikeTorchvision() override;
    std::string checkpointKey(const std::string& fileKey) const override;

private:
    torch::nn::Sequential m_features{nullptr};
    torch::nn::Linear m_classifier{nullptr};
};

} // namespace gce
