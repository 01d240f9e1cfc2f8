#include "core/models/architectures/swin.h"

#include <cmath>
#include <stdexcept>

#include <torch/torch.h>

#include "core/models/architectures/families.h"
#include "core/models/architectures/init.h"
#include "core/models/tap.h"

namespace gce {

namespace swin {

namespace {
namespace F = torch::nn::functional;

constexpr double kNormEps = 1e-5;
constexpr int64_t kCpbHidden = 512; // V2's continuous position bias MLP width

torch::nn::LayerNorm layerNorm(int64_t dim)
{
    return torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim}).eps(kNormEps));
}

fast::Linear linear(int64_t in, int64_t out, bool bias = true)
{
    return fast::Linear(torch::nn::LinearOptions(in, out).bias(bias));
}

// _patch_merging_pad: (..., H, W, C) -> (..., H/2, W/2, 4C), odd sizes padded.
torch::Tensor patchMergingPad(const torch::Tensor& input)
{
    const int64_t h = input.size(-3), w = input.size(-2);
    const torch::Tensor x = torch::constant_pad_nd(input, {0, 0, 0, w % 2, 0, h % 2}, 0);
    const auto take = [&](int64_t row, int64_t col) {
        return x.slice(-3, row, c10::nullopt, 2).slice(-2, col, c10::nullopt, 2);
    };
    return torch::cat({take(0, 0), take(1, 0), take(0, 1), take(1, 1)}, -1);
}

// define_relative_position_index: for each pair of positions in a window,
// the row of the bias table for their offset.
torch::Tensor relativePositionIndex(const std::vector<int64_t>& window)
{
    const auto grids = torch::meshgrid({torch::arange(window[0]), torch::arange(window[1])}, "ij");
    const torch::Tensor coords = torch::stack(grids).flatten(1);                            // 2, N
    const torch::Tensor relative = (coords.unsqueeze(2) - coords.unsqueeze(1)).permute({1, 2, 0}); // N, N, 2
    const torch::Tensor rows = (relative.select(2, 0) + (window[0] - 1)) * (2 * window[1] - 1);
    const torch::Tensor cols = relative.select(2, 1) + (window[1] - 1);
    return (rows + cols).flatten();
}

// V2's define_relative_position_bias_table: log-spaced offsets in float32,
// 1 × (2Wh-1) × (2Ww-1) × 2, computed in torchvision's order of operations.
torch::Tensor relativeCoordsTable(const std::vector<int64_t>& window)
{
    const auto range = [](int64_t w) { return torch::arange(-(w - 1), w, torch::kFloat32); };
    const auto grids = torch::meshgrid({range(window[0]), range(window[1])}, "ij");
    const torch::Tensor rows = grids[0] / double(window[0] - 1);
    const torch::Tensor cols = grids[1] / double(window[1] - 1);
    torch::Tensor table = torch::stack({rows, cols}, -1).unsqueeze(0) * 8;
    return torch::sign(table) * torch::log2(torch::abs(table) + 1.0) / 3.0;
}

// _get_relative_position_bias: table rows (one column per head) gathered into
// 1 × heads × N × N.
torch::Tensor gatherPositionBias(const torch::Tensor& table, const torch::Tensor& index,
                                 const std::vector<int64_t>& window)
{
    const int64_t n = window[0] * window[1];
    return table.index({index}).view({n, n, -1}).permute({2, 0, 1}).contiguous().unsqueeze(0);
}

// shifted_window_attention's mask: -100 between positions that the cyclic
// shift brought from different regions. torchvision fills regions by Python
// slices with negative bounds; Tensor::slice clamps bounds the same way,
// including the empty slice (-window, -0) when only the other direction shifts.
torch::Tensor shiftMask(int64_t padH, int64_t padW, const std::vector<int64_t>& window,
                        const std::vector<int64_t>& shift, const torch::TensorOptions& options)
{
    using Bound = c10::optional<int64_t>;
    const auto slices = [](int64_t w, int64_t s) {
        return std::vector<std::pair<Bound, Bound>>{{0, -w}, {-w, -s}, {-s, c10::nullopt}};
    };
    torch::Tensor mask = torch::zeros({padH, padW}, options);
    int count = 0;
    for (const auto& [h0, h1] : slices(window[0], shift[0]))
        for (const auto& [w0, w1] : slices(window[1], shift[1]))
            mask.slice(0, h0, h1).slice(1, w0, w1).fill_(count++);
    const int64_t numWindows = (padH / window[0]) * (padW / window[1]);
    mask = mask.view({padH / window[0], window[0], padW / window[1], window[1]})
               .permute({0, 2, 1, 3})
               .reshape({numWindows, window[0] * window[1]});
    mask = mask.unsqueeze(1) - mask.unsqueeze(2);
    return mask.masked_fill(mask != 0, -100.0).masked_fill(mask == 0, 0.0);
}

// torchvision's shifted_window_attention (dropouts 0). logitScale undefined:
// V1's scaled dot product; defined: V2's cosine attention, key bias zeroed.
torch::Tensor shiftedWindowAttention(const torch::Tensor& input, const fast::Linear& qkv,
                                     const fast::Linear& proj, const torch::Tensor& positionBias,
                                     const AttentionSpec& spec, const torch::Tensor& logitScale)
{
    const std::vector<int64_t>& window = spec.windowSize;
    const int64_t b = input.size(0), h = input.size(1), w = input.size(2), c = input.size(3);
    const int64_t heads = spec.numHeads;
    const int64_t padRight = (window[1] - w % window[1]) % window[1];
    const int64_t padBottom = (window[0] - h % window[0]) % window[0];
    torch::Tensor x = torch::constant_pad_nd(input, {0, 0, 0, padRight, 0, padBottom}, 0);
    const int64_t padH = x.size(1), padW = x.size(2);

    // A window at least as large as the padded map: no shift in that direction.
    std::vector<int64_t> shift = spec.shiftSize;
    if (window[0] >= padH)
        shift[0] = 0;
    if (window[1] >= padW)
        shift[1] = 0;
    const bool shifted = shift[0] + shift[1] > 0;
    if (shifted)
        x = torch::roll(x, {-shift[0], -shift[1]}, {1, 2});

    // Partition into windows: B·nW × N × C.
    const int64_t numWindows = (padH / window[0]) * (padW / window[1]);
    const int64_t n = window[0] * window[1];
    x = x.reshape({b, padH / window[0], window[0], padW / window[1], window[1], c})
            .permute({0, 1, 3, 2, 4, 5})
            .reshape({b * numWindows, n, c});

    torch::Tensor qkvBias = qkv->bias;
    if (logitScale.defined() && qkvBias.defined()) {
        const int64_t length = qkvBias.numel() / 3;
        qkvBias = torch::cat({qkvBias.slice(0, 0, length), torch::zeros({length}, qkvBias.options()),
                              qkvBias.slice(0, 2 * length)});
    }
    const torch::Tensor qkvOut =
        fast::linear(x, qkv->weight, qkvBias).reshape({x.size(0), n, 3, heads, c / heads}).permute({2, 0, 3, 1, 4});
    const torch::Tensor q = qkvOut[0], k = qkvOut[1], v = qkvOut[2];
    torch::Tensor attn;
    if (logitScale.defined()) {
        const auto unit = F::NormalizeFuncOptions().dim(-1);
        attn = F::normalize(q, unit).matmul(F::normalize(k, unit).transpose(-2, -1));
        attn = attn * torch::clamp_max(logitScale, std::log(100.0)).exp();
    } else {
        attn = (q * std::pow(double(c / heads), -0.5)).matmul(k.transpose(-2, -1));
    }
    attn = attn + positionBias;
    if (shifted) {
        const torch::Tensor mask = shiftMask(padH, padW, window, shift, x.options());
        attn = attn.view({x.size(0) / numWindows, numWindows, heads, n, n}) + mask.unsqueeze(1).unsqueeze(0);
        attn = attn.view({-1, heads, n, n});
    }
    attn = torch::softmax(attn, -1);

    x = attn.matmul(v).transpose(1, 2).reshape({x.size(0), n, c});
    x = fast::linear(x, proj->weight, proj->bias);

    // Reverse the windows, the shift and the padding.
    x = x.reshape({b, padH / window[0], padW / window[1], window[0], window[1], c})
            .permute({0, 1, 3, 2, 4, 5})
            .reshape({b, padH, padW, c});
    if (shifted)
        x = torch::roll(x, {shift[0], shift[1]}, {1, 2});
    return x.slice(1, 0, h).slice(2, 0, w).contiguous();
}
} // namespace

MLPImpl::MLPImpl(int64_t inChannels, const std::vector<int64_t>& hiddenChannels)
{
    int64_t in = inChannels;
    for (size_t i = 0; i + 1 < hiddenChannels.size(); ++i) {
        push_back(linear(in, hiddenChannels[i]));
        push_back(torch::nn::GELU());
        push_back(torch::nn::Dropout(0.0));
        in = hiddenChannels[i];
    }
    push_back(linear(in, hiddenChannels.back()));
    push_back(torch::nn::Dropout(0.0));
}

PatchMergingImpl::PatchMergingImpl(int64_t dim, bool v2) : m_v2(v2)
{
    m_reduction = register_module("reduction", linear(4 * dim, 2 * dim, /*bias=*/false));
    m_norm = register_module("norm", layerNorm(v2 ? 2 * dim : 4 * dim));
}

torch::Tensor PatchMergingImpl::forward(const torch::Tensor& x)
{
    const torch::Tensor merged = patchMergingPad(x);
    if (m_v2)
        return tapped(m_norm, tapped(m_reduction, merged));
    return tapped(m_reduction, tapped(m_norm, merged));
}

ShiftedWindowAttentionImpl::ShiftedWindowAttentionImpl(const AttentionSpec& spec) : m_spec(spec)
{
    TORCH_CHECK(spec.windowSize.size() == 2 && spec.shiftSize.size() == 2,
                "window_size and shift_size must be of length 2");
    qkv = register_module("qkv", linear(spec.dim, spec.dim * 3));
    proj = register_module("proj", linear(spec.dim, spec.dim));
    const int64_t rows = (2 * spec.windowSize[0] - 1) * (2 * spec.windowSize[1] - 1);
    relative_position_bias_table =
        register_parameter("relative_position_bias_table", torch::zeros({rows, spec.numHeads}));
    relative_position_index = register_buffer("relative_position_index", relativePositionIndex(spec.windowSize));
}

torch::Tensor ShiftedWindowAttentionImpl::forward(const torch::Tensor& x)
{
    const torch::Tensor bias =
        gatherPositionBias(relative_position_bias_table, relative_position_index, m_spec.windowSize);
    return shiftedWindowAttention(x, qkv, proj, bias, m_spec, torch::Tensor());
}

ShiftedWindowAttentionV2Impl::ShiftedWindowAttentionV2Impl(const AttentionSpec& spec) : m_spec(spec)
{
    TORCH_CHECK(spec.windowSize.size() == 2 && spec.shiftSize.size() == 2,
                "window_size and shift_size must be of length 2");
    qkv = register_module("qkv", linear(spec.dim, spec.dim * 3));
    proj = register_module("proj", linear(spec.dim, spec.dim));
    relative_coords_table = register_buffer("relative_coords_table", relativeCoordsTable(spec.windowSize));
    relative_position_index = register_buffer("relative_position_index", relativePositionIndex(spec.windowSize));
    logit_scale = register_parameter("logit_scale", torch::log(10 * torch::ones({spec.numHeads, 1, 1})));
    tvops::Sequential cpbMlp;
    cpbMlp->push_back(linear(2, kCpbHidden));
    cpbMlp->push_back(torch::nn::ReLU()); // inplace in torchvision: same values
    cpbMlp->push_back(linear(kCpbHidden, spec.numHeads, /*bias=*/false));
    m_cpbMlp = register_module("cpb_mlp", cpbMlp);
}

torch::Tensor ShiftedWindowAttentionV2Impl::forward(const torch::Tensor& x)
{
    const torch::Tensor table = tapped(m_cpbMlp, relative_coords_table).view({-1, m_spec.numHeads});
    const torch::Tensor bias =
        16 * torch::sigmoid(gatherPositionBias(table, relative_position_index, m_spec.windowSize));
    return shiftedWindowAttention(x, qkv, proj, bias, m_spec, logit_scale);
}

SwinTransformerBlockImpl::SwinTransformerBlockImpl(const BlockSpec& spec)
    : SwinTransformerBlockImpl(spec, torch::nn::AnyModule(ShiftedWindowAttention(spec.attention)))
{
}

SwinTransformerBlockImpl::SwinTransformerBlockImpl(const BlockSpec& spec, torch::nn::AnyModule attention)
    : m_attn(std::move(attention))
{
    const int64_t dim = spec.attention.dim;
    m_norm1 = register_module("norm1", layerNorm(dim));
    register_module("attn", m_attn.ptr());
    m_stochasticDepth = register_module("stochastic_depth", tvops::StochasticDepth(spec.stochasticDepthProb));
    m_norm2 = register_module("norm2", layerNorm(dim));
    m_mlp = register_module("mlp", MLP(dim, std::vector<int64_t>{int64_t(dim * spec.mlpRatio), dim}));
}

torch::Tensor SwinTransformerBlockImpl::forward(const torch::Tensor& input)
{
    const torch::Tensor x = input + tapped(m_stochasticDepth, tvops::tappedAny(m_attn, tapped(m_norm1, input)));
    return x + tapped(m_stochasticDepth, tapped(m_mlp, tapped(m_norm2, x)));
}

SwinTransformerBlockV2Impl::SwinTransformerBlockV2Impl(const BlockSpec& spec)
    : SwinTransformerBlockImpl(spec, torch::nn::AnyModule(ShiftedWindowAttentionV2(spec.attention)))
{
}

torch::Tensor SwinTransformerBlockV2Impl::forward(const torch::Tensor& input)
{
    const torch::Tensor x = input + tapped(m_stochasticDepth, tapped(m_norm1, tvops::tappedAny(m_attn, input)));
    return x + tapped(m_stochasticDepth, tapped(m_norm2, tapped(m_mlp, x)));
}

SwinTransformer::SwinTransformer(const SwinConfig& config)
{
    TORCH_CHECK(config.version == 1 || config.version == 2, "Swin Transformer version must be 1 or 2");
    TORCH_CHECK(!config.depths.empty() && config.depths.size() == config.numHeads.size(),
                "depths and num_heads must have the same, non-zero length");
    const bool v2 = config.version == 2;
    tvops::Sequential features;
    tvops::Sequential patchEmbedding;
    patchEmbedding->push_back(torch::nn::Conv2d(
        torch::nn::Conv2dOptions(3, config.embedDim, {config.patchSize[0], config.patchSize[1]})
            .stride({config.patchSize[0], config.patchSize[1]})));
    patchEmbedding->push_back(tvops::Permute(std::vector<int64_t>{0, 2, 3, 1}));
    patchEmbedding->push_back(layerNorm(config.embedDim));
    features->push_back(patchEmbedding);

    int64_t totalStageBlocks = 0;
    for (const int64_t depth : config.depths)
        totalStageBlocks += depth;
    int64_t stageBlockId = 0;
    for (size_t stageIndex = 0; stageIndex < config.depths.size(); ++stageIndex) {
        const int64_t dim = config.embedDim << stageIndex;
        tvops::Sequential stage;
        for (int64_t i = 0; i < config.depths[stageIndex]; ++i) {
            // Odd blocks shift their windows by half a window.
            std::vector<int64_t> shift;
            for (const int64_t w : config.windowSize)
                shift.push_back(i % 2 == 0 ? 0 : w / 2);
            const BlockSpec spec{{dim, config.numHeads[stageIndex], config.windowSize, shift},
                                 config.mlpRatio,
                                 config.stochasticDepthProb * double(stageBlockId) / (totalStageBlocks - 1.0)};
            if (v2)
                stage->push_back(SwinTransformerBlockV2(spec));
            else
                stage->push_back(SwinTransformerBlock(spec));
            ++stageBlockId;
        }
        features->push_back(stage);
        if (stageIndex + 1 < config.depths.size()) {
            if (v2)
                features->push_back(PatchMergingV2(dim));
            else
                features->push_back(PatchMerging(dim));
        }
    }
    m_features = register_module("features", features);

    const int64_t numFeatures = config.embedDim << (config.depths.size() - 1);
    m_norm = register_module("norm", layerNorm(numFeatures));
    m_permute = register_module("permute", tvops::Permute(std::vector<int64_t>{0, 3, 1, 2}));
    m_avgpool = register_module("avgpool", torch::nn::AdaptiveAvgPool2d(torch::nn::AdaptiveAvgPool2dOptions(1)));
    m_flatten = register_module("flatten", torch::nn::Flatten(torch::nn::FlattenOptions().start_dim(1)));
    m_head = register_module("head", linear(numFeatures, config.numClasses));
}

void SwinTransformer::initialiseLikeTorchvision()
{
    // Every Linear (the blocks' MLPs too: the model-wide init overrides their
    // xavier init): trunc_normal_(std 0.02), zero bias. V1's bias tables:
    // trunc_normal_(std 0.02). LayerNorms (ones, zeros), V2's logit_scale
    // (log 10) and the patch embedding (PyTorch's default Conv2d init, which
    // LibTorch shares) keep their construction values.
    torch::NoGradGuard noGrad;
    for (auto& module : modules(/*include_self=*/false)) {
        if (auto* fc = module->as<torch::nn::Linear>()) {
            tvinit::truncNormal(fc->weight, 0.02);
            if (fc->bias.defined())
                torch::nn::init::zeros_(fc->bias);
        } else if (auto* attention = module->as<ShiftedWindowAttentionImpl>()) {
            tvinit::truncNormal(attention->relative_position_bias_table, 0.02);
        }
    }
}

torch::Tensor SwinTransformer::forward(const torch::Tensor& input)
{
    torch::Tensor x = tapped(m_norm, tapped(m_features, input));
    x = tapped(m_avgpool, tapped(m_permute, x));
    return tapped(m_head, tapped(m_flatten, x));
}

SwinConfig swinConfig(const std::string& name)
{
    const auto make = [](int version, int64_t embedDim, std::vector<int64_t> depths, std::vector<int64_t> heads,
                         double stochasticDepthProb) {
        SwinConfig config;
        config.version = version;
        config.embedDim = embedDim;
        config.depths = std::move(depths);
        config.numHeads = std::move(heads);
        config.windowSize = version == 2 ? std::vector<int64_t>{8, 8} : std::vector<int64_t>{7, 7};
        config.stochasticDepthProb = stochasticDepthProb;
        return config;
    };
    for (const int version : {1, 2}) {
        const std::string prefix = version == 2 ? "swin_v2_" : "swin_";
        if (name == prefix + "t")
            return make(version, 96, {2, 2, 6, 2}, {3, 6, 12, 24}, 0.2);
        if (name == prefix + "s")
            return make(version, 96, {2, 2, 18, 2}, {3, 6, 12, 24}, 0.3);
        if (name == prefix + "b")
            return make(version, 128, {2, 2, 18, 2}, {4, 8, 16, 32}, 0.5);
    }
    throw std::invalid_argument("not a Swin Transformer: " + name);
}

} // namespace swin

std::vector<ModelConstructor> swinFamily()
{
    std::vector<ModelConstructor> family;
    for (const char* name : {"swin_t", "swin_s", "swin_b", "swin_v2_t", "swin_v2_s", "swin_v2_b"})
        family.push_back({name, [config = swin::swinConfig(name)](int64_t classes) {
                              swin::SwinConfig withClasses = config;
                              withClasses.numClasses = classes;
                              return std::make_shared<swin::SwinTransformer>(withClasses);
                          }});
    return family;
}

} // namespace gce
