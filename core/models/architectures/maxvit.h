#pragma once
// torchvision 0.14's MaxViT (torchvision/models/maxvit.py), named like its
// state_dict and named_modules(): stem (two Conv2dNormActivation), blocks
// (ModuleList of MaxVitBlock, each a ModuleList `layers` of MaxVitLayer),
// classifier (AdaptiveAvgPool2d, Flatten, LayerNorm, Linear, Tanh, Linear
// without bias). A MaxVitLayer is a Sequential `layers` of MBconv, then window
// attention, then grid attention (PartitionAttentionLayer).
//
// The input size is fixed at construction: the partitions and the relative
// position tables depend on the grid size of each block. Like torchvision,
// only square inputs run: grid attention takes its partition count from the
// height alone, so a non-square grid gives sequences that do not match the
// partitionSize² bias table (torchvision fails in forward, and so does this).
//
// torchvision's nn.ModuleList containers (blocks, blocks.N.layers) have no
// forward: they are listed but never tapped, so, as with torchvision's hooks,
// they cannot be Grad-CAM targets.
#include <vector>

#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/normalization.h>

#include "core/models/architectures/fastlinear.h"
#include "core/models/architectures/mobilenet.h"

namespace gce::maxvit {

// torchvision.models.maxvit.MaxVit's arguments; the defaults are maxvit_t's.
// Norm and activation layers are torchvision's defaults (BatchNorm2d eps 1e-3,
// GELU); dropouts are 0 (they are the identity in eval mode anyway).
struct MaxVitConfig {
    int64_t inputHeight = 224, inputWidth = 224;
    int64_t stemChannels = 64;
    int64_t partitionSize = 7;
    std::vector<int64_t> blockChannels{64, 128, 256, 512};
    std::vector<int64_t> blockLayers{2, 2, 5, 2};
    int64_t headDim = 32;
    double stochasticDepthProb = 0.2;
    double squeezeRatio = 0.25;
    double expansionRatio = 4.0;
    int64_t mlpRatio = 4;
    int64_t numClasses = 1000;
};

// Pre-norm inverted bottleneck: layers = [pre_norm BatchNorm2d, conv_a 1×1,
// conv_b 3×3 depthwise (stride), squeeze_excitation (SiLU), conv_c 1×1]; the
// shortcut `proj` is [AvgPool2d 3/2 (stride 2 only), 1×1 conv] when the shape
// changes, else nn.Identity; stochastic_depth is nn.Identity when p is 0.
class MBConvImpl : public torch::nn::Module {
public:
    MBConvImpl(int64_t inChannels, int64_t outChannels, double expansionRatio, double squeezeRatio, int64_t stride,
               double pStochastic);
    torch::Tensor forward(const torch::Tensor& x);

private:
    torch::nn::AnyModule m_proj, m_stochasticDepth;
    tvops::Sequential m_layers{nullptr};
};
TORCH_MODULE(MBConv);

// Attention within each group of an B×G×P×D input, with a learned bias per
// head for each relative position in a √P×√P window
// (relative_position_bias_table, indexed by the relative_position_index buffer).
class RelativePositionalMultiHeadAttentionImpl : public torch::nn::Module {
public:
    RelativePositionalMultiHeadAttentionImpl(int64_t featDim, int64_t headDim, int64_t maxSeqLen);
    torch::Tensor forward(const torch::Tensor& x);

    torch::Tensor relative_position_bias_table, relative_position_index;

private:
    torch::Tensor positionalBias() const;

    int64_t m_heads, m_headDim, m_maxSeqLen;
    double m_scale;
    fast::Linear m_toQkv{nullptr}, m_merge{nullptr};
};
TORCH_MODULE(RelativePositionalMultiHeadAttention);

// torch.swapaxes(x, a, b).
class SwapAxesImpl : public torch::nn::Module {
public:
    SwapAxesImpl(int64_t a, int64_t b) : m_a(a), m_b(b) {}
    torch::Tensor forward(const torch::Tensor& x);

private:
    int64_t m_a, m_b;
};
TORCH_MODULE(SwapAxes);

// B×C×H×W -> B×(H/p·W/p)×(p·p)×C. torchvision passes p to forward; here it is
// fixed at construction (so that the call goes through tapped()), which is
// equivalent since the grid size is.
class WindowPartitionImpl : public torch::nn::Module {
public:
    explicit WindowPartitionImpl(int64_t p) : m_p(p) {}
    torch::Tensor forward(const torch::Tensor& x);

private:
    int64_t m_p;
};
TORCH_MODULE(WindowPartition);

// The inverse: B×(hp·wp)×(p·p)×C -> B×C×(hp·p)×(wp·p).
class WindowDepartitionImpl : public torch::nn::Module {
public:
    WindowDepartitionImpl(int64_t p, int64_t hPartitions, int64_t wPartitions)
        : m_p(p), m_hPartitions(hPartitions), m_wPartitions(wPartitions)
    {
    }
    torch::Tensor forward(const torch::Tensor& x);

private:
    int64_t m_p, m_hPartitions, m_wPartitions;
};
TORCH_MODULE(WindowDepartition);

enum class PartitionType { Window, Grid };

// Partition, (grid: swap axes,) x + attn_layer(x), x + mlp_layer(x), then back
// to B×C×H×W. Window: partitions of partitionSize² neighbouring pixels; grid:
// partitionSize² pixels spread over the whole map.
class PartitionAttentionLayerImpl : public torch::nn::Module {
public:
    PartitionAttentionLayerImpl(int64_t inChannels, int64_t headDim, int64_t partitionSize, PartitionType type,
                                int64_t gridHeight, int64_t gridWidth, int64_t mlpRatio, double pStochastic);
    torch::Tensor forward(const torch::Tensor& x);

private:
    WindowPartition m_partition{nullptr};
    WindowDepartition m_departition{nullptr};
    torch::nn::AnyModule m_partitionSwap, m_departitionSwap; // SwapAxes (grid) or Identity (window)
    tvops::Sequential m_attnLayer{nullptr}, m_mlpLayer{nullptr};
    tvops::StochasticDepth m_stochasticDropout{nullptr};
};
TORCH_MODULE(PartitionAttentionLayer);

class MaxVitLayerImpl : public torch::nn::Module {
public:
    MaxVitLayerImpl(const MaxVitConfig& config, int64_t inChannels, int64_t outChannels, int64_t stride,
                    double pStochastic, int64_t gridHeight, int64_t gridWidth);
    torch::Tensor forward(const torch::Tensor& x);

private:
    tvops::Sequential m_layers{nullptr};
};
TORCH_MODULE(MaxVitLayer);

class MaxVitBlockImpl : public torch::nn::Module {
public:
    // inputHeight/Width: the grid entering the block (its first layer halves it).
    MaxVitBlockImpl(const MaxVitConfig& config, int64_t inChannels, int64_t outChannels,
                    const std::vector<double>& pStochastic, int64_t inputHeight, int64_t inputWidth);
    torch::Tensor forward(const torch::Tensor& x);
    int64_t gridHeight() const { return m_gridHeight; }
    int64_t gridWidth() const { return m_gridWidth; }

private:
    int64_t m_gridHeight, m_gridWidth;
    torch::nn::ModuleList m_layerList{nullptr};
    std::vector<MaxVitLayer> m_layers; // m_layerList's entries, typed for tapped()
};
TORCH_MODULE(MaxVitBlock);

class MaxVit : public ClassifierModule {
public:
    explicit MaxVit(const MaxVitConfig& config = {});
    torch::Tensor forward(const torch::Tensor& input) override;
    void initialiseLikeTorchvision() override;

private:
    tvops::Sequential m_stem{nullptr}, m_classifier{nullptr};
    torch::nn::ModuleList m_blockList{nullptr};
    std::vector<MaxVitBlock> m_blocks; // m_blockList's entries, typed for tapped()
};

} // namespace gce::maxvit
