#pragma once
// Initialisers that torchvision uses and LibTorch lacks, shared by the
// architectures' initialiseLikeTorchvision().
#include <torch/types.h>

namespace gce::tvinit {

// torch.nn.init.trunc_normal_(tensor, mean 0, std, a, b) (bounds absolute,
// not in standard deviations): the same inverse-CDF method, so the
// distribution matches.
void truncNormal(torch::Tensor& tensor, double std, double a = -2.0, double b = 2.0);

} // namespace gce::tvinit
