#pragma once
// Initialisation schemes of torch.nn.init that LibTorch lacks, drawn the same
// way, for initialiseLikeTorchvision() of the families that use them.
#include <torch/types.h>

namespace gce::tvinit {

// torch.nn.init.trunc_normal_(tensor, mean 0, std, a, b): the same
// inverse-CDF method, so the distribution matches.
void truncNormal(torch::Tensor& tensor, double std, double a = -2.0, double b = 2.0);

} // namespace gce::tvinit
