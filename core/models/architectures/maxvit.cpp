#include "core/models/architectures/maxvit.h"

#include <cmath>

#include <torch/torch.h>

#include "core/models/architectures/families.h"
#include "core/models/architectures/init.h"
#include "core/models/tap.h"

namespace gce {

namespace maxvit {

namespace {
using tvops::Activation;
using tvops::ConvNormAct;
using tvops::Norm;

// torchvision's default norm_layer: partial(nn.BatchNorm2d, eps=1e-3, momentum=0.99).
constexpr double kBatchNormEps = 1e-3;

// _get_conv_output_shape for a 3×3 stride-2 padding-1 convolution.
int64_t halved(int64_t size) { return (size - 3 + 2) / 2 + 1; }

// _get_relative_position_index(size, size): for each pair of positions in a
// size×size window, the row of the bias table of their offset.
torch::Tensor relativePositionIndex(int64_t size)
{
    const torch::Tensor rows = torch::arange(size).repeat_interleave(size); // meshgrid, flattened
    const torch::Tensor cols = torch::arange(size).repeat(size);
    const torch::Tensor dRow = rows.unsqueeze(1) - rows.unsqueeze(0) + (size - 1);
    const torch::Tensor dCol = cols.unsqueeze(1) - cols.unsqueeze(0) + (size - 1);
    return dRow * (2 * size - 1) + dCol;
}

// np.linspace(0, end, count).
std::vector<double> linspace(double end, int64_t count)
{
    std::vector<double> values(count, 0.0);
    for (int64_t i = 1; i < count; ++i)
        values[i] = i == count - 1 ? end : end * static_cast<double>(i) / static_cast<double>(count - 1);
    return values;
}
} // namespace

MBConvImpl::MBConvImpl(int64_t inChannels, int64_t outChannels, double expansionRatio, double squeezeRatio,
                       int64_t stride, double pStochastic)
{
    if (stride != 1 || inChannels != outChannels) {
        tvops::Sequential proj;
        if (stride == 2)
            proj->push_back(torch::nn::AvgPool2d(torch::nn::AvgPool2dOptions(3).stride(stride).padding(1)));
        proj->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(inChannels, outChannels, 1).bias(true)));
        m_proj = torch::nn::AnyModule(proj);
    } else {
        m_proj = torch::nn::AnyModule(torch::nn::Identity());
    }
    register_module("proj", m_proj.ptr());
    if (pStochastic != 0.0)
        m_stochasticDepth = torch::nn::AnyModule(tvops::StochasticDepth(pStochastic));
    else
        m_stochasticDepth = torch::nn::AnyModule(torch::nn::Identity());
    register_module("stochastic_depth", m_stochasticDepth.ptr());

    const auto mid = static_cast<int64_t>(static_cast<double>(outChannels) * expansionRatio);
    const auto squeezed = static_cast<int64_t>(static_cast<double>(outChannels) * squeezeRatio);
    const Norm norm = Norm::batch(kBatchNormEps);
    tvops::Sequential layers;
    layers->push_back("pre_norm", torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(inChannels).eps(kBatchNormEps)));
    layers->push_back("conv_a", tvops::Conv2dNormActivation(
                                    ConvNormAct(inChannels, mid, 1).padding(0).norm(norm).activation(Activation::GELU)));
    layers->push_back("conv_b", tvops::Conv2dNormActivation(ConvNormAct(mid, mid, 3)
                                                                .stride(stride)
                                                                .padding(1)
                                                                .groups(mid)
                                                                .norm(norm)
                                                                .activation(Activation::GELU)));
    layers->push_back("squeeze_excitation", tvops::SqueezeExcitation(mid, squeezed, Activation::SiLU));
    layers->push_back("conv_c", torch::nn::Conv2d(torch::nn::Conv2dOptions(mid, outChannels, 1).bias(true)));
    m_layers = register_module("layers", layers);
}

torch::Tensor MBConvImpl::forward(const torch::Tensor& x)
{
    const torch::Tensor res = tvops::tappedAny(m_proj, x);
    return res + tvops::tappedAny(m_stochasticDepth, tapped(m_layers, x));
}

RelativePositionalMultiHeadAttentionImpl::RelativePositionalMultiHeadAttentionImpl(int64_t featDim, int64_t headDim,
                                                                                   int64_t maxSeqLen)
    : m_heads(featDim / headDim),
      m_headDim(headDim),
      m_maxSeqLen(maxSeqLen),
      m_scale(std::pow(static_cast<double>(featDim), -0.5)) // torchvision scales by the feature size, not the head's
{
    TORCH_CHECK(featDim % headDim == 0, "feat_dim: ", featDim, " must be divisible by head_dim: ", headDim);
    const auto size = static_cast<int64_t>(std::sqrt(static_cast<double>(maxSeqLen)));
    m_toQkv = register_module("to_qkv", fast::Linear(featDim, m_heads * headDim * 3));
    m_merge = register_module("merge", fast::Linear(m_heads * headDim, featDim));
    // trunc_normal_ in torchvision's constructor: here in initialiseLikeTorchvision() (skipped when loading weights).
    relative_position_bias_table =
        register_parameter("relative_position_bias_table", torch::zeros({(2 * size - 1) * (2 * size - 1), m_heads}));
    relative_position_index = register_buffer("relative_position_index", relativePositionIndex(size));
}

torch::Tensor RelativePositionalMultiHeadAttentionImpl::positionalBias() const
{
    const torch::Tensor bias = relative_position_bias_table.index({relative_position_index.view(-1)});
    return bias.view({m_maxSeqLen, m_maxSeqLen, -1}).permute({2, 0, 1}).contiguous().unsqueeze(0);
}

torch::Tensor RelativePositionalMultiHeadAttentionImpl::forward(const torch::Tensor& x)
{
    const int64_t b = x.size(0), g = x.size(1), p = x.size(2), d = x.size(3);
    const std::vector<torch::Tensor> qkv = tapped(m_toQkv, x).chunk(3, -1);
    const auto heads = [&](const torch::Tensor& t) {
        return t.reshape({b, g, p, m_heads, m_headDim}).permute({0, 1, 3, 2, 4});
    };
    const torch::Tensor q = heads(qkv[0]);
    const torch::Tensor k = heads(qkv[1]) * m_scale;
    const torch::Tensor v = heads(qkv[2]);
    torch::Tensor dotProd = torch::einsum("bghid,bghjd->bghij", {q, k});
    dotProd = torch::softmax(dotProd + positionalBias(), -1);
    torch::Tensor out = torch::einsum("bghij,bghjd->bghid", {dotProd, v});
    out = out.permute({0, 1, 3, 2, 4}).reshape({b, g, p, d});
    return tapped(m_merge, out);
}

torch::Tensor SwapAxesImpl::forward(const torch::Tensor& x) { return x.transpose(m_a, m_b); }

torch::Tensor WindowPartitionImpl::forward(const torch::Tensor& x)
{
    const int64_t b = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3), p = m_p;
    return x.reshape({b, c, h / p, p, w / p, p}).permute({0, 2, 4, 3, 5, 1}).reshape({b, (h / p) * (w / p), p * p, c});
}

torch::Tensor WindowDepartitionImpl::forward(const torch::Tensor& x)
{
    const int64_t b = x.size(0), c = x.size(3), p = m_p, hp = m_hPartitions, wp = m_wPartitions;
    return x.reshape({b, hp, wp, p, p, c}).permute({0, 5, 1, 3, 2, 4}).reshape({b, c, hp * p, wp * p});
}

PartitionAttentionLayerImpl::PartitionAttentionLayerImpl(int64_t inChannels, int64_t headDim, int64_t partitionSize,
                                                         PartitionType type, int64_t gridHeight, int64_t gridWidth,
                                                         int64_t mlpRatio, double pStochastic)
{
    const int64_t partitions = gridHeight / partitionSize;
    const bool grid = type == PartitionType::Grid;
    const int64_t p = grid ? partitions : partitionSize;
    TORCH_CHECK(p > 0 && gridHeight % p == 0 && gridWidth % p == 0, "Grid size must be divisible by partition size. ",
                "Got grid size of (", gridHeight, ", ", gridWidth, ") and partition size of ", p);
    m_partition = register_module("partition_op", WindowPartition(p));
    m_departition = register_module("departition_op", WindowDepartition(p, gridHeight / p, gridWidth / p));
    const auto swap = [grid]() {
        return grid ? torch::nn::AnyModule(SwapAxes(-2, -3)) : torch::nn::AnyModule(torch::nn::Identity());
    };
    m_partitionSwap = swap();
    register_module("partition_swap", m_partitionSwap.ptr());
    m_departitionSwap = swap();
    register_module("departition_swap", m_departitionSwap.ptr());

    tvops::Sequential attn;
    attn->push_back(torch::nn::LayerNorm(torch::nn::LayerNormOptions({inChannels})));
    // partitionSize² positions in both cases: the grid's axes are swapped first
    attn->push_back(RelativePositionalMultiHeadAttention(inChannels, headDim, partitionSize * partitionSize));
    attn->push_back(torch::nn::Dropout(0.0));
    m_attnLayer = register_module("attn_layer", attn);
    tvops::Sequential mlp;
    mlp->push_back(torch::nn::LayerNorm(torch::nn::LayerNormOptions({inChannels})));
    mlp->push_back(fast::Linear(inChannels, inChannels * mlpRatio));
    mlp->push_back(torch::nn::GELU());
    mlp->push_back(fast::Linear(inChannels * mlpRatio, inChannels));
    mlp->push_back(torch::nn::Dropout(0.0));
    m_mlpLayer = register_module("mlp_layer", mlp);
    m_stochasticDropout = register_module("stochastic_dropout", tvops::StochasticDepth(pStochastic));
}

torch::Tensor PartitionAttentionLayerImpl::forward(const torch::Tensor& input)
{
    torch::Tensor x = tvops::tappedAny(m_partitionSwap, tapped(m_partition, input));
    x = x + tapped(m_stochasticDropout, tapped(m_attnLayer, x));
    x = x + tapped(m_stochasticDropout, tapped(m_mlpLayer, x));
    return tapped(m_departition, tvops::tappedAny(m_departitionSwap, x));
}

MaxVitLayerImpl::MaxVitLayerImpl(const MaxVitConfig& config, int64_t inChannels, int64_t outChannels, int64_t stride,
                                 double pStochastic, int64_t gridHeight, int64_t gridWidth)
{
    tvops::Sequential layers;
    layers->push_back("MBconv", MBConv(inChannels, outChannels, config.expansionRatio, config.squeezeRatio, stride,
                                       pStochastic));
    for (const auto type : {PartitionType::Window, PartitionType::Grid})
        layers->push_back(type == PartitionType::Window ? "window_attention" : "grid_attention",
                          PartitionAttentionLayer(outChannels, config.headDim, config.partitionSize, type, gridHeight,
                                                  gridWidth, config.mlpRatio, pStochastic));
    m_layers = register_module("layers", layers);
}

torch::Tensor MaxVitLayerImpl::forward(const torch::Tensor& x) { return tapped(m_layers, x); }

MaxVitBlockImpl::MaxVitBlockImpl(const MaxVitConfig& config, int64_t inChannels, int64_t outChannels,
                                 const std::vector<double>& pStochastic, int64_t inputHeight, int64_t inputWidth)
    : m_gridHeight(halved(inputHeight)), m_gridWidth(halved(inputWidth))
{
    m_layerList = register_module("layers", torch::nn::ModuleList());
    for (size_t i = 0; i < pStochastic.size(); ++i) {
        MaxVitLayer layer(config, i == 0 ? inChannels : outChannels, outChannels, i == 0 ? 2 : 1, pStochastic[i],
                          m_gridHeight, m_gridWidth);
        m_layerList->push_back(layer);
        m_layers.push_back(layer);
    }
}

torch::Tensor MaxVitBlockImpl::forward(const torch::Tensor& input)
{
    torch::Tensor x = input;
    for (auto& layer : m_layers)
        x = tapped(layer, x);
    return x;
}

MaxVit::MaxVit(const MaxVitConfig& config)
{
    TORCH_CHECK(!config.blockChannels.empty() && config.blockChannels.size() == config.blockLayers.size(),
                "MaxVit needs one layer count per block");
    // torchvision's check: every block's input grid must be divisible by the partition size.
    int64_t h = halved(config.inputHeight), w = halved(config.inputWidth);
    for (size_t i = 0; i < config.blockChannels.size(); ++i) {
        h = halved(h);
        w = halved(w);
        TORCH_CHECK(h % config.partitionSize == 0 && w % config.partitionSize == 0, "Input size (", h, ", ", w,
                    ") of block ", i, " is not divisible by partition size ", config.partitionSize);
    }

    const Norm norm = Norm::batch(kBatchNormEps);
    tvops::Sequential stem;
    stem->push_back(tvops::Conv2dNormActivation(
        ConvNormAct(3, config.stemChannels, 3).stride(2).norm(norm).activation(Activation::GELU).bias(false)));
    stem->push_back(tvops::Conv2dNormActivation(ConvNormAct(config.stemChannels, config.stemChannels, 3)
                                                    .norm(Norm::none())
                                                    .activation(Activation::None)
                                                    .bias(true)));
    m_stem = register_module("stem", stem);

    int64_t totalLayers = 0;
    for (const int64_t n : config.blockLayers)
        totalLayers += n;
    const std::vector<double> pStochastic = linspace(config.stochasticDepthProb, totalLayers);
    m_blockList = register_module("blocks", torch::nn::ModuleList());
    int64_t gridHeight = halved(config.inputHeight), gridWidth = halved(config.inputWidth);
    int64_t inChannels = config.stemChannels;
    auto p = pStochastic.begin();
    for (size_t i = 0; i < config.blockChannels.size(); ++i) {
        const std::vector<double> blockP(p, p + config.blockLayers[i]);
        p += config.blockLayers[i];
        MaxVitBlock block(config, inChannels, config.blockChannels[i], blockP, gridHeight, gridWidth);
        gridHeight = block->gridHeight();
        gridWidth = block->gridWidth();
        inChannels = config.blockChannels[i];
        m_blockList->push_back(block);
        m_blocks.push_back(block);
    }

    const int64_t last = config.blockChannels.back();
    tvops::Sequential classifier;
    classifier->push_back(torch::nn::AdaptiveAvgPool2d(torch::nn::AdaptiveAvgPool2dOptions(1)));
    classifier->push_back(torch::nn::Flatten());
    classifier->push_back(torch::nn::LayerNorm(torch::nn::LayerNormOptions({last})));
    classifier->push_back(fast::Linear(last, last));
    classifier->push_back(torch::nn::Tanh());
    classifier->push_back(fast::Linear(torch::nn::LinearOptions(last, config.numClasses).bias(false)));
    m_classifier = register_module("classifier", classifier);
}

void MaxVit::initialiseLikeTorchvision()
{
    // MaxVit._init_weights: Conv2d and Linear normal_(std 0.02) with zero
    // biases, BatchNorm2d 1 and 0; plus the bias tables' trunc_normal_(std
    // 0.02) from RelativePositionalMultiHeadAttention's constructor. LayerNorms
    // keep their construction values (ones, zeros).
    torch::NoGradGuard noGrad;
    for (auto& module : modules(/*include_self=*/false)) {
        if (auto* conv = module->as<torch::nn::Conv2d>()) {
            torch::nn::init::normal_(conv->weight, 0.0, 0.02);
            if (conv->bias.defined())
                torch::nn::init::zeros_(conv->bias);
        } else if (auto* linear = module->as<torch::nn::Linear>()) {
            torch::nn::init::normal_(linear->weight, 0.0, 0.02);
            if (linear->bias.defined())
                torch::nn::init::zeros_(linear->bias);
        } else if (auto* bn = module->as<torch::nn::BatchNorm2d>()) {
            torch::nn::init::ones_(bn->weight);
            torch::nn::init::zeros_(bn->bias);
        } else if (auto* attention = module->as<RelativePositionalMultiHeadAttention>()) {
            tvinit::truncNormal(attention->relative_position_bias_table, 0.02);
        }
    }
}

torch::Tensor MaxVit::forward(const torch::Tensor& input)
{
    torch::Tensor x = tapped(m_stem, input);
    for (auto& block : m_blocks)
        x = tapped(block, x);
    return tapped(m_classifier, x);
}

} // namespace maxvit

std::vector<ModelConstructor> maxvitFamily()
{
    return {
        {"maxvit_t",
         [](int64_t classes) {
             maxvit::MaxVitConfig config; // maxvit_t's are the defaults
             config.numClasses = classes;
             return std::make_shared<maxvit::MaxVit>(config);
         }},
    };
}

} // namespace gce
