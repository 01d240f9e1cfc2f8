#pragma once
// initialiseLikeTorchvision() against torchvision's own init, as the zoo
// fixtures record it (make_zoo_modern.py's init_stats: per tensor the mean,
// the mean absolute deviation and the element count): constants exactly,
// random tensors within six standard errors. Header-only: LibTorch tests.
#include <QJsonArray>
#include <QJsonObject>
#include <QString>

#include <algorithm>
#include <cmath>
#include <map>

#include <torch/torch.h>

namespace gce::test {

// The first disagreement, or an empty string when every tensor agrees.
inline QString compareInitStatistics(const QString& model, const torch::nn::Module& net, const QJsonObject& stats)
{
    std::map<std::string, torch::Tensor> tensors;
    for (const auto& p : net.named_parameters())
        tensors[p.key()] = p.value();
    for (const auto& b : net.named_buffers())
        tensors[b.key()] = b.value();
    const auto floating = std::count_if(tensors.begin(), tensors.end(),
                                        [](const auto& t) { return t.second.is_floating_point(); });
    if (floating != stats.size())
        return QString("%1: %2 floating-point tensors, torchvision %3").arg(model).arg(floating).arg(stats.size());
    for (auto it = stats.begin(); it != stats.end(); ++it) {
        const auto found = tensors.find(it.key().toStdString());
        if (found == tensors.end())
            return model + " lacks " + it.key();
        const torch::Tensor value = found->second.detach().to(torch::kFloat64);
        const QJsonArray s = it.value().toArray();
        const double wantMean = s[0].toDouble(), wantDeviation = s[1].toDouble(), n = s[2].toDouble();
        if (double(value.numel()) != n)
            return QString("%1 %2: %3 elements, torchvision %4").arg(model, it.key()).arg(value.numel()).arg(n);
        const double mean = value.mean().item<double>();
        const double deviation = (value - mean).abs().mean().item<double>();
        const QString what = QString("%1 %2: mean %3, mean |x - mean| %4; torchvision %5, %6")
                                 .arg(model, it.key())
                                 .arg(mean)
                                 .arg(deviation)
                                 .arg(wantMean)
                                 .arg(wantDeviation);
        if (wantDeviation == 0.0) { // a constant: ones, zeros, layer_scale's 1e-6
            const double spread = (value - wantMean).abs().max().item<double>();
            if (!(spread <= 1e-12 + 1e-6 * std::abs(wantMean)))
                return what;
            continue;
        }
        if (!(std::abs(deviation / wantDeviation - 1.0) < 6.0 / std::sqrt(n) + 1e-3))
            return what;
        if (!(std::abs(mean - wantMean) < 6.0 * 1.25 * wantDeviation * std::sqrt(2.0 / n)))
            return what;
    }
    return {};
}

} // namespace gce::test
