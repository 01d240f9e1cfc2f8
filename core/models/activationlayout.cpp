#include "core/models/activationlayout.h"

#include <algorithm>

#include <torch/torch.h>

namespace gce {

namespace {
// Whether rows×cols is the input's size divided by one whole stride, rounded
// either way (convolutions with padding round up, patch embeddings down).
bool isGridOf(int64_t rows, int64_t cols, int64_t inputHeight, int64_t inputWidth)
{
    if (rows < 1 || cols < 1)
        return false;
    for (int64_t stride = 1; stride <= std::max(inputHeight, inputWidth); ++stride) {
        const auto fits = [stride](int64_t size, int64_t extent) {
            return size == extent / stride || size == (extent + stride - 1) / stride;
        };
        if (fits(rows, inputHeight) && fits(cols, inputWidth))
            return true;
    }
    return false;
}

std::string times(std::initializer_list<int64_t> sizes)
{
    std::string text;
    for (int64_t size : sizes)
        text += (text.empty() ? "" : "×") + std::to_string(size);
    return text;
}
} // namespace

ActivationLayout ActivationLayout::infer(const std::vector<int64_t>& shape, int64_t inputHeight, int64_t inputWidth)
{
    ActivationLayout layout;
    if (shape.size() == 4) {
        // Channels-first unless only the middle dimensions form the grid: a
        // map's last two dimensions always do, Swin's 1×7×7×768 does not.
        const bool lastTwo = isGridOf(shape[2], shape[3], inputHeight, inputWidth);
        const bool middleTwo = isGridOf(shape[1], shape[2], inputHeight, inputWidth);
        layout.kind = !lastTwo && middleTwo ? Kind::ChannelsLast : Kind::Map;
        return layout;
    }
    if (shape.size() != 3)
        return layout;
    // Tokens: k extra tokens (a class token first, as in ViT; two in DeiT's
    // distilled models; none in pooled models) and a grid of whole patches.
    for (const int64_t extra : {1, 2, 0}) {
        const int64_t patches = shape[1] - extra;
        for (int64_t patch = 1; patch <= std::min(inputHeight, inputWidth) && patches > 0; ++patch) {
            const int64_t rows = inputHeight / patch, cols = inputWidth / patch;
            if (rows * cols == patches && rows >= 2 && cols >= 2) { // one token is no grid
                layout.kind = Kind::Tokens;
                layout.extraTokens = extra;
                layout.height = rows;
                layout.width = cols;
                return layout;
            }
        }
    }
    return layout;
}

torch::Tensor ActivationLayout::toMap(const torch::Tensor& output) const
{
    switch (kind) {
    case Kind::Map:
        return output;
    case Kind::ChannelsLast:
        return output.permute({0, 3, 1, 2});
    case Kind::Tokens:
        return output.slice(1, extraTokens)
            .transpose(1, 2)
            .reshape({output.size(0), output.size(2), height, width});
    case Kind::None:
        break;
    }
    return output;
}

torch::Tensor ActivationLayout::fromMap(const torch::Tensor& maps, const torch::Tensor& output) const
{
    switch (kind) {
    case Kind::Map:
        return maps;
    case Kind::ChannelsLast:
        return maps.permute({0, 2, 3, 1}).contiguous();
    case Kind::Tokens: {
        const torch::Tensor patches = maps.flatten(2).transpose(1, 2);
        if (extraTokens == 0)
            return patches.contiguous();
        torch::Tensor extra = output.slice(1, 0, extraTokens).detach();
        if (extra.size(0) != maps.size(0))
            extra = extra.expand({maps.size(0), -1, -1});
        return torch::cat({extra, patches}, 1);
    }
    case Kind::None:
        break;
    }
    return maps;
}

std::string ActivationLayout::describe(const std::vector<int64_t>& shape) const
{
    if (kind == Kind::Tokens)
        return "tokens " + times({height, width, shape.back()});
    if (kind == Kind::ChannelsLast)
        return "channels-last " + times({shape[1], shape[2], shape[3]});
    return {};
}

} // namespace gce
