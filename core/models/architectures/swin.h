#pragma once
// torchvision 0.14's Swin Transformer V1 (swin_t/s/b) and V2 (swin_v2_t/s/b),
// named like its state_dict and named_modules():
//   features.0   Sequential(Conv2d patch embedding, Permute(0,2,3,1), LayerNorm)
//   features.1/3/5/7  stages: Sequential of SwinTransformerBlock(V2)
//   features.2/4/6    PatchMerging(V2): reduction (Linear 4C->2C, no bias), norm
//   norm (LayerNorm), permute (Permute(0,3,1,2)), avgpool, flatten, head.
// Between the patch embedding and `permute` every activation is channels-last
// (B,H,W,C). A block is norm1, attn (ShiftedWindowAttention(V2): qkv, proj, and
// V2's cpb_mlp), stochastic_depth (the identity in eval mode), norm2 and mlp
// (torchvision.ops.MLP: Linear, GELU, Dropout, Linear, Dropout).
// Like torchvision, the attention calls its qkv and proj weights functionally
// (F.linear), so those two modules are never reached by a forward pass.
#include <vector>

#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/modules/pooling.h>

#include "core/models/architectures/fastlinear.h"
#include "core/models/architectures/mobilenet.h"

namespace gce::swin {

// torchvision.models.SwinTransformer's arguments (norm_layer LayerNorm eps
// 1e-5, dropouts 0). version 1: SwinTransformerBlock and PatchMerging;
// version 2: SwinTransformerBlockV2 and PatchMergingV2.
struct SwinConfig {
    int version = 1;
    std::vector<int64_t> patchSize{4, 4};
    int64_t embedDim = 96;
    std::vector<int64_t> depths{2, 2, 6, 2};
    std::vector<int64_t> numHeads{3, 6, 12, 24};
    std::vector<int64_t> windowSize{7, 7};
    double mlpRatio = 4.0;
    double stochasticDepthProb = 0.2;
    int64_t numClasses = 1000;
};

// torchvision.ops.MLP(in, hidden, activation_layer=GELU, dropout 0) as Swin
// builds it: Linear, GELU, Dropout per hidden layer, then Linear, Dropout.
class MLPImpl : public tvops::SequentialImpl {
public:
    MLPImpl(int64_t inChannels, const std::vector<int64_t>& hiddenChannels);
};
TORCH_MODULE(MLP);

// Concatenates the four 2×2 neighbours (padding odd sizes), then V1: norm,
// reduction; V2: reduction, norm.
class PatchMergingImpl : public torch::nn::Module {
public:
    PatchMergingImpl(int64_t dim, bool v2 = false);
    torch::Tensor forward(const torch::Tensor& x);

private:
    bool m_v2;
    fast::Linear m_reduction{nullptr};
    torch::nn::LayerNorm m_norm{nullptr};
};
TORCH_MODULE(PatchMerging);

class PatchMergingV2Impl : public PatchMergingImpl {
public:
    explicit PatchMergingV2Impl(int64_t dim) : PatchMergingImpl(dim, /*v2=*/true) {}
};
TORCH_MODULE(PatchMergingV2);

struct AttentionSpec {
    int64_t dim, numHeads;
    std::vector<int64_t> windowSize, shiftSize;
};

// Window attention with a learned relative position bias table.
class ShiftedWindowAttentionImpl : public torch::nn::Module {
public:
    explicit ShiftedWindowAttentionImpl(const AttentionSpec& spec);
    torch::Tensor forward(const torch::Tensor& x);

    torch::Tensor relative_position_bias_table, relative_position_index;
    fast::Linear qkv{nullptr}, proj{nullptr};

private:
    AttentionSpec m_spec;
};
TORCH_MODULE(ShiftedWindowAttention);

// V2: cosine attention scaled by exp(min(logit_scale, log 100)), the bias
// 16·sigmoid(cpb_mlp(relative_coords_table)), the key bias zeroed in forward.
// Not derived from ShiftedWindowAttentionImpl: V2 has no bias table, and the
// registration order must be torchvision's.
class ShiftedWindowAttentionV2Impl : public torch::nn::Module {
public:
    explicit ShiftedWindowAttentionV2Impl(const AttentionSpec& spec);
    torch::Tensor forward(const torch::Tensor& x);

    torch::Tensor logit_scale, relative_coords_table, relative_position_index;
    fast::Linear qkv{nullptr}, proj{nullptr};

private:
    AttentionSpec m_spec;
    tvops::Sequential m_cpbMlp{nullptr};
};
TORCH_MODULE(ShiftedWindowAttentionV2);

struct BlockSpec {
    AttentionSpec attention;
    double mlpRatio;
    double stochasticDepthProb;
};

// V1: x + sd(attn(norm1(x))), then x + sd(mlp(norm2(x))).
class SwinTransformerBlockImpl : public torch::nn::Module {
public:
    explicit SwinTransformerBlockImpl(const BlockSpec& spec);
    torch::Tensor forward(const torch::Tensor& x);

protected:
    SwinTransformerBlockImpl(const BlockSpec& spec, torch::nn::AnyModule attention);

    torch::nn::LayerNorm m_norm1{nullptr}, m_norm2{nullptr};
    torch::nn::AnyModule m_attn;
    tvops::StochasticDepth m_stochasticDepth{nullptr};
    MLP m_mlp{nullptr};
};
TORCH_MODULE(SwinTransformerBlock);

// V2 (post-norm): x + sd(norm1(attn(x))), then x + sd(norm2(mlp(x))).
class SwinTransformerBlockV2Impl : public SwinTransformerBlockImpl {
public:
    explicit SwinTransformerBlockV2Impl(const BlockSpec& spec);
    torch::Tensor forward(const torch::Tensor& x);
};
TORCH_MODULE(SwinTransformerBlockV2);

class SwinTransformer : public ClassifierModule {
public:
    explicit SwinTransformer(const SwinConfig& config);
    torch::Tensor forward(const torch::Tensor& input) override;
    void initialiseLikeTorchvision() override;

private:
    tvops::Sequential m_features{nullptr};
    torch::nn::LayerNorm m_norm{nullptr};
    tvops::Permute m_permute{nullptr};
    torch::nn::AdaptiveAvgPool2d m_avgpool{nullptr};
    torch::nn::Flatten m_flatten{nullptr};
    fast::Linear m_head{nullptr};
};

// torchvision's swin_t, swin_s, ... configurations (numClasses 1000); throws
// std::invalid_argument for another name.
SwinConfig swinConfig(const std::string& name);

} // namespace gce::swin
