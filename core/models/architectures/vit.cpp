#include "core/models/architectures/vit.h"

#include <cmath>

#include <torch/torch.h>

#include "core/errors.h"
#include "core/models/architectures/families.h"
#include "core/models/architectures/init.h"
#include "core/models/tap.h"

namespace gce {

namespace vit {

namespace {
constexpr double kNormEps = 1e-6; // torchvision: partial(nn.LayerNorm, eps=1e-6)

torch::nn::LayerNorm layerNorm(int64_t dim)
{
    return torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim}).eps(kNormEps));
}
} // namespace

MultiheadAttentionImpl::MultiheadAttentionImpl(int64_t embedDim, int64_t numHeads) : m_numHeads(numHeads)
{
    TORCH_CHECK(embedDim % numHeads == 0, "embed_dim must be divisible by num_heads");
    in_proj_weight = register_parameter("in_proj_weight", torch::empty({3 * embedDim, embedDim}));
    in_proj_bias = register_parameter("in_proj_bias", torch::zeros({3 * embedDim}));
    m_outProj = register_module("out_proj", NonDynamicallyQuantizableLinear(embedDim, embedDim));
    // nn.MultiheadAttention._reset_parameters: the out_proj weight keeps
    // Linear's own init, its bias is zeroed.
    torch::NoGradGuard noGrad;
    torch::nn::init::xavier_uniform_(in_proj_weight);
    torch::nn::init::zeros_(m_outProj->bias);
}

torch::Tensor MultiheadAttentionImpl::forward(const torch::Tensor& x)
{
    // F.multi_head_attention_forward for self-attention: one packed
    // projection, q scaled by 1/sqrt(head_dim) before q·kᵀ, softmax, ·v.
    const int64_t batch = x.size(0), length = x.size(1), embed = x.size(2);
    const int64_t headDim = embed / m_numHeads;
    const std::vector<torch::Tensor> qkv = fast::linear(x, in_proj_weight, in_proj_bias).chunk(3, -1);
    const auto heads = [&](const torch::Tensor& t) {
        return t.reshape({batch, length, m_numHeads, headDim}).transpose(1, 2).reshape({batch * m_numHeads, length, headDim});
    };
    const torch::Tensor q = heads(qkv[0]) / std::sqrt(double(headDim));
    const torch::Tensor attention = torch::softmax(torch::bmm(q, heads(qkv[1]).transpose(-2, -1)), -1);
    const torch::Tensor output = torch::bmm(attention, heads(qkv[2]))
                                     .reshape({batch, m_numHeads, length, headDim})
                                     .transpose(1, 2)
                                     .reshape({batch, length, embed});
    return tapped(m_outProj, output);
}

MLPBlockImpl::MLPBlockImpl(int64_t inDim, int64_t mlpDim)
{
    push_back(fast::Linear(inDim, mlpDim));
    push_back(torch::nn::GELU());
    push_back(torch::nn::Dropout(0.0));
    push_back(fast::Linear(mlpDim, inDim));
    push_back(torch::nn::Dropout(0.0));
}

EncoderBlockImpl::EncoderBlockImpl(int64_t numHeads, int64_t hiddenDim, int64_t mlpDim)
{
    m_ln1 = register_module("ln_1", layerNorm(hiddenDim));
    m_selfAttention = register_module("self_attention", MultiheadAttention(hiddenDim, numHeads));
    m_dropout = register_module("dropout", torch::nn::Dropout(0.0));
    m_ln2 = register_module("ln_2", layerNorm(hiddenDim));
    m_mlp = register_module("mlp", MLPBlock(hiddenDim, mlpDim));
}

torch::Tensor EncoderBlockImpl::forward(const torch::Tensor& input)
{
    torch::Tensor x = tapped(m_ln1, input);
    x = tapped(m_dropout, tapped(m_selfAttention, x)) + input;
    return x + tapped(m_mlp, tapped(m_ln2, x));
}

EncoderImpl::EncoderImpl(int64_t seqLength, int64_t numLayers, int64_t numHeads, int64_t hiddenDim, int64_t mlpDim)
{
    pos_embedding = register_parameter("pos_embedding", torch::empty({1, seqLength, hiddenDim}).normal_(0.0, 0.02));
    m_dropout = register_module("dropout", torch::nn::Dropout(0.0));
    tvops::Sequential layers;
    for (int64_t i = 0; i < numLayers; ++i)
        layers->push_back("encoder_layer_" + std::to_string(i), EncoderBlock(numHeads, hiddenDim, mlpDim));
    m_layers = register_module("layers", layers);
    m_ln = register_module("ln", layerNorm(hiddenDim));
}

torch::Tensor EncoderImpl::forward(const torch::Tensor& input)
{
    return tapped(m_ln, tapped(m_layers, tapped(m_dropout, input + pos_embedding)));
}

VisionTransformer::VisionTransformer(const ViTConfig& config, int64_t numClasses) : m_config(config)
{
    TORCH_CHECK(config.imageSize % config.patchSize == 0, "Input shape indivisible by patch size!");
    m_convProj = register_module(
        "conv_proj", torch::nn::Conv2d(torch::nn::Conv2dOptions(3, config.hiddenDim, config.patchSize).stride(config.patchSize)));
    class_token = register_parameter("class_token", torch::zeros({1, 1, config.hiddenDim}));
    const int64_t grid = config.imageSize / config.patchSize;
    m_encoder = register_module("encoder", Encoder(grid * grid + 1, config.numLayers, config.numHeads,
                                                   config.hiddenDim, config.mlpDim));
    tvops::Sequential heads;
    heads->push_back("head", fast::Linear(config.hiddenDim, numClasses));
    m_heads = register_module("heads", heads);
}

void VisionTransformer::initialiseLikeTorchvision()
{
    torch::NoGradGuard noGrad;
    const double fanIn = 3.0 * m_config.patchSize * m_config.patchSize;
    tvinit::truncNormal(m_convProj->weight, std::sqrt(1.0 / fanIn));
    torch::nn::init::zeros_(m_convProj->bias);
    // MLPBlock: xavier_uniform_ weights, normal_(std=1e-6) biases.
    for (auto& module : modules(/*include_self=*/false)) {
        if (auto* mlp = module->as<MLPBlockImpl>()) {
            for (auto& child : mlp->children()) {
                if (auto* linear = child->as<torch::nn::Linear>()) {
                    torch::nn::init::xavier_uniform_(linear->weight);
                    torch::nn::init::normal_(linear->bias, 0.0, 1e-6);
                }
            }
        }
    }
    // The head starts at zero (so an untrained ViT's logits are all 0).
    auto* head = m_heads->named_children()["head"]->as<torch::nn::Linear>();
    torch::nn::init::zeros_(head->weight);
    torch::nn::init::zeros_(head->bias);
}

std::string VisionTransformer::checkpointKey(const std::string& fileKey) const
{
    for (const auto& [old, now] : {std::pair<std::string, std::string>{".mlp.linear_1.", ".mlp.0."},
                                  std::pair<std::string, std::string>{".mlp.linear_2.", ".mlp.3."}}) {
        if (const auto at = fileKey.find(old); at != std::string::npos)
            return fileKey.substr(0, at) + now + fileKey.substr(at + old.size());
    }
    return fileKey;
}

torch::Tensor VisionTransformer::forward(const torch::Tensor& input)
{
    const int64_t n = input.size(0), height = input.size(2), width = input.size(3);
    if (height != m_config.imageSize || width != m_config.imageSize)
        throw UsageError("this vision transformer takes " + std::to_string(m_config.imageSize) + "×" +
                         std::to_string(m_config.imageSize) + " inputs, not " + std::to_string(height) + "×" +
                         std::to_string(width) + " (its position embedding is learned for that size)");
    const int64_t grid = m_config.imageSize / m_config.patchSize;
    torch::Tensor x = tapped(m_convProj, input).reshape({n, m_config.hiddenDim, grid * grid}).permute({0, 2, 1});
    x = torch::cat({class_token.expand({n, -1, -1}), x}, 1);
    x = tapped(m_encoder, x).select(1, 0);
    return tapped(m_heads, x);
}

} // namespace vit

std::vector<ModelConstructor> vitFamily()
{
    const auto make = [](vit::ViTConfig config) {
        return [config](int64_t classes) { return std::make_shared<vit::VisionTransformer>(config, classes); };
    };
    return {
        {"vit_b_16", make({224, 16, 12, 12, 768, 3072})},
        {"vit_b_32", make({224, 32, 12, 12, 768, 3072})},
        {"vit_l_16", make({224, 16, 24, 16, 1024, 4096})},
        {"vit_l_32", make({224, 32, 24, 16, 1024, 4096})},
    };
}

} // namespace gce
