#pragma once
// Initialisers of torch.nn.init that LibTorch 1.13 lacks, shared by the
// families that need them (ConvNeXt, Swin).
#include <torch/types.h>

namespace gce::tvinit {

// torch.nn.init.trunc_normal_(tensor, mean 0, std, a, b): the same
// inverse-CDF method, so the distribution matches. In place, under the
// caller's NoGradGuard.
void truncNormal(torch::Tensor& tensor, double std, double a = -2.0, double b = 2.0);

} // namespace gce::tvinit
