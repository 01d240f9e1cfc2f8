#pragma once
// Linear layers through oneDNN. Debian's LibTorch is built with a generic
// BLAS (BLAS_INFO=generic): torch::linear on a ViT-B/16 token matrix
// (197×768 · 768×3072) takes ~310 ms on this machine, while the same product
// as a 1×1 convolution, which LibTorch hands to oneDNN, takes ~13 ms, forward
// and backward alike, and is closer to a float64 reference (6e-5 against
// 1.5e-4 on that product). Transformers are made of such products, so their
// Linear layers and attention projections use this (measured: ViT-B/16's
// forward 13.5 s with torch::linear). The module keeps torch::nn::Linear's
// parameters and state_dict names, and lists as "Linear".
#include <torch/nn/modules/linear.h>

namespace gce::fast {

// torch::nn::functional::linear's result: input (..., in), weight (out, in),
// bias (out) or undefined -> (..., out). Other dtypes and devices than float32
// on the CPU go to torch::linear.
torch::Tensor linear(const torch::Tensor& input, const torch::Tensor& weight, const torch::Tensor& bias = {});

class LinearImpl : public torch::nn::LinearImpl {
public:
    using torch::nn::LinearImpl::LinearImpl;
    torch::Tensor forward(const torch::Tensor& input) { return fast::linear(input, weight, bias); }
};
TORCH_MODULE(Linear);

} // namespace gce::fast
