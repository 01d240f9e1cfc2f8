#pragma once
// What every zoo parity test (tst_zoo_*) checks of an architecture against
// its fixture, beyond logits and maps (tests/paritycases.h):
// - the module tree: torchvision's named_modules() names and class names in
//   order (make_zoo_modern.py's module_tree), and the parameter count;
// - initialiseLikeTorchvision() against torchvision's own init as the fixture
//   records it (make_zoo_modern.py's init_stats: per tensor the mean, the mean
//   absolute deviation and the element count): constants exactly, random
//   tensors within six standard errors.
// Header-only: LibTorch tests.
#include <QJsonArray>
#include <QJsonObject>
#include <QString>

#include <algorithm>
#include <cmath>
#include <map>

#include <torch/torch.h>

#include "core/models/modelzoo.h"

namespace gce::test {

// The first difference from the fixture entry's "modules" and "num_params",
// or an empty string.
inline QString moduleTreeMismatch(const torch::nn::Module& net, const QJsonObject& entry)
{
    const std::vector<LayerInfo> layers = listLayers(net);
    const QJsonArray want = entry["modules"].toArray();
    for (int i = 0; i < std::min<int>(want.size(), int(layers.size())); ++i) {
        const QJsonArray item = want[i].toArray();
        const QString got = QString::fromStdString(layers[i].name + " " + layers[i].type);
        if (got != item[0].toString() + " " + item[1].toString())
            return QString("module %1 is \"%2\", torchvision's \"%3 %4\"")
                .arg(i)
                .arg(got, item[0].toString(), item[1].toString());
    }
    if (int(layers.size()) != want.size())
        return QString("%1 modules, torchvision %2").arg(layers.size()).arg(want.size());
    int64_t parameters = 0;
    for (const auto& p : net.parameters())
        parameters += p.numel();
    if (parameters != int64_t(entry["num_params"].toDouble()))
        return QString("%1 parameters, torchvision %2").arg(parameters).arg(int64_t(entry["num_params"].toDouble()));
    return {};
}

// The first difference between the model's parameters and buffers and a
// fixture's [[key, shape], ...] list (a full-size model's state_dict, checked
// without a weights file), or an empty string.
inline QString stateDictMismatch(const torch::nn::Module& net, const QJsonArray& keys)
{
    std::map<std::string, std::vector<int64_t>> got, want;
    for (const auto& p : net.named_parameters())
        got[p.key()] = p.value().sizes().vec();
    for (const auto& b : net.named_buffers())
        got[b.key()] = b.value().sizes().vec();
    for (const auto& item : keys) {
        std::vector<int64_t> shape;
        for (const auto& d : item.toArray()[1].toArray())
            shape.push_back(int64_t(d.toDouble()));
        want[item.toArray()[0].toString().toStdString()] = shape;
    }
    for (const auto& [key, shape] : want) {
        const auto found = got.find(key);
        if (found == got.end())
            return "lacks " + QString::fromStdString(key);
        if (found->second != shape)
            return "shape of " + QString::fromStdString(key) + " differs";
    }
    for (const auto& item : got)
        if (!want.count(item.first))
            return "has an extra " + QString::fromStdString(item.first);
    return {};
}

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
