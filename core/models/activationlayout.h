#pragma once
// How a layer's output is read as a C×h×w feature map, whatever its layout.
//
// CAM methods weigh channels over a spatial grid, so they need N×C×h×w. A CNN
// gives that directly; a vision transformer gives tokens, N×(k+h·w)×C with k
// class (or distillation) tokens first; Swin and ConvNeXt's inner layers give
// channels-last N×h×w×C. The layout is inferred from the output's shape and the
// input's size alone (the grid is the input divided by a whole patch size,
// never a hard-coded 14), so it holds for our models and for TorchScript
// files alike. It is an inference: a 3-D output whose length happens to be
// k + h·w for a whole patch size (k = 1, 2 or 0, in that order) is read as
// tokens, and a 4-D output is channels-last only when its middle dimensions,
// and not its last two, fit the input's grid.
//
// The engine explains the map view: at the target layer the network's output
// is turned into a map, the map becomes the autograd leaf, and the network
// continues from the map turned back into its own layout (core/models/tap.h,
// core/models/scriptnetwork.cpp). The round trip is exact (a permutation and a
// concatenation), so logits do not change, and d(score)/d(map) is the gradient
// of the patch tokens in map order, which is what hook-based implementations
// compute with a reshape_transform.
#include <cstdint>
#include <string>
#include <vector>

#include <torch/types.h>

namespace gce {

struct ActivationLayout {
    enum class Kind {
        Map,          // N×C×h×w: used as it is
        ChannelsLast, // N×h×w×C
        Tokens,       // N×(k+h·w)×C, the k extra tokens first
        None,         // anything else: not explainable
    };
    Kind kind = Kind::None;
    int64_t extraTokens = 0; // k for Tokens
    int64_t height = 0;      // the grid (Tokens only; the others read it from the shape)
    int64_t width = 0;

    // The layout of an output of `shape` for a 1×3×inputHeight×inputWidth input.
    static ActivationLayout infer(const std::vector<int64_t>& shape, int64_t inputHeight, int64_t inputWidth);

    bool explainable() const { return kind != Kind::None; }
    // The output as N×C×h×w (a view or a copy).
    torch::Tensor toMap(const torch::Tensor& output) const;
    // N×C×h×w maps back in the layer's own layout, contiguous like the layer's
    // output. Extra tokens come from `output` (the layer's real output, batch 1
    // or N), repeated over the maps' batch when needed.
    torch::Tensor fromMap(const torch::Tensor& maps, const torch::Tensor& output) const;
    // For layer lists: "tokens 14×14×768 (+1)", "map 768×7×7 (channels-last)",
    // "" for an ordinary map or a layer that is not explainable.
    std::string describe(const std::vector<int64_t>& shape) const;
};

} // namespace gce
