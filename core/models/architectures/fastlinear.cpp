#include "core/models/architectures/fastlinear.h"

#include <torch/torch.h>

namespace gce::fast {

torch::Tensor linear(const torch::Tensor& input, const torch::Tensor& weight, const torch::Tensor& bias)
{
    if (!input.is_cpu() || input.scalar_type() != torch::kFloat32 || weight.scalar_type() != torch::kFloat32 ||
        input.dim() < 1 || input.numel() == 0)
        return torch::linear(input, weight, bias);
    // Every row a 1×1 image with `in` channels: one convolution of the whole batch.
    const int64_t in = weight.size(1), out = weight.size(0);
    const torch::Tensor rows = input.reshape({-1, in, 1, 1});
    const torch::Tensor result = torch::conv2d(rows, weight.view({out, in, 1, 1}), bias);
    std::vector<int64_t> shape = input.sizes().vec();
    shape.back() = out;
    return result.view(shape);
}

} // namespace gce::fast
