#include "core/models/architectures/init.h"

#include <cmath>

namespace gce::tvinit {

void truncNormal(torch::Tensor& tensor, double std, double a, double b)
{
    const auto normCdf = [](double x) { return (1.0 + std::erf(x / std::sqrt(2.0))) / 2.0; };
    const double l = normCdf(a / std);
    const double u = normCdf(b / std);
    tensor.uniform_(2 * l - 1, 2 * u - 1);
    tensor.erfinv_();
    tensor.mul_(std * std::sqrt(2.0));
    tensor.clamp_(a, b);
}

} // namespace gce::tvinit
