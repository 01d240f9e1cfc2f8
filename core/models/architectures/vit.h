#pragma once
// torchvision 0.14's Vision Transformer (vision_transformer.py), named like its
// state_dict: conv_proj (the patch embedding), class_token, encoder
// (pos_embedding, dropout, layers.encoder_layer_i, ln), heads.head.
// EncoderBlock: ln_1, self_attention (nn.MultiheadAttention, batch_first),
// dropout, ln_2, mlp (MLPBlock: Linear, GELU, Dropout, Linear, Dropout).
// The attention is written out (torch.nn.functional's slow path, which is
// what PyTorch runs whenever autograd records) so that its output can be
// tapped and its module tree matches torchvision's.
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include "core/models/architectures/fastlinear.h"
#include "core/models/architectures/mobilenet.h"

namespace gce::vit {

// nn.MultiheadAttention's output projection class, listed under its name.
class NonDynamicallyQuantizableLinearImpl : public fast::LinearImpl {
public:
    using fast::LinearImpl::LinearImpl;
};
TORCH_MODULE(NonDynamicallyQuantizableLinear);

// Self-attention only (query = key = value), no mask, need_weights=False.
class MultiheadAttentionImpl : public torch::nn::Module {
public:
    MultiheadAttentionImpl(int64_t embedDim, int64_t numHeads);
    // B×L×E -> B×L×E
    torch::Tensor forward(const torch::Tensor& x);

    torch::Tensor in_proj_weight, in_proj_bias;

private:
    int64_t m_numHeads;
    NonDynamicallyQuantizableLinear m_outProj{nullptr};
};
TORCH_MODULE(MultiheadAttention);

class MLPBlockImpl : public tvops::SequentialImpl {
public:
    MLPBlockImpl(int64_t inDim, int64_t mlpDim);
};
TORCH_MODULE(MLPBlock);

class EncoderBlockImpl : public torch::nn::Module {
public:
    EncoderBlockImpl(int64_t numHeads, int64_t hiddenDim, int64_t mlpDim);
    torch::Tensor forward(const torch::Tensor& input);

private:
    torch::nn::LayerNorm m_ln1{nullptr}, m_ln2{nullptr};
    MultiheadAttention m_selfAttention{nullptr};
    torch::nn::Dropout m_dropout{nullptr};
    MLPBlock m_mlp{nullptr};
};
TORCH_MODULE(EncoderBlock);

class EncoderImpl : public torch::nn::Module {
public:
    EncoderImpl(int64_t seqLength, int64_t numLayers, int64_t numHeads, int64_t hiddenDim, int64_t mlpDim);
    torch::Tensor forward(const torch::Tensor& input);

    torch::Tensor pos_embedding;

private:
    torch::nn::Dropout m_dropout{nullptr};
    tvops::Sequential m_layers{nullptr};
    torch::nn::LayerNorm m_ln{nullptr};
};
TORCH_MODULE(Encoder);

struct ViTConfig {
    int64_t imageSize = 224;
    int64_t patchSize = 16;
    int64_t numLayers = 12;
    int64_t numHeads = 12;
    int64_t hiddenDim = 768;
    int64_t mlpDim = 3072;
};

class VisionTransformer : public ClassifierModule {
public:
    explicit VisionTransformer(const ViTConfig& config, int64_t numClasses = 1000);
    torch::Tensor forward(const torch::Tensor& input) override;
    void initialiseLikeTorchvision() override;
    // The official files predate torchvision's MLP: "mlp.linear_1" is "mlp.0".
    std::string checkpointKey(const std::string& fileKey) const override;

    torch::Tensor class_token;

private:
    ViTConfig m_config;
    torch::nn::Conv2d m_convProj{nullptr};
    Encoder m_encoder{nullptr};
    tvops::Sequential m_heads{nullptr};
};

} // namespace gce::vit
