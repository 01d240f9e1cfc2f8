#include "core/cam/smoothing.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include <torch/torch.h>

#include "core/cam/camnormalisation.h"
#include "core/errors.h"
#include "core/support/stopwatch.h"

namespace gce {

torch::Tensor principalComponentProjection(const torch::Tensor& weightedActivations)
{
    torch::NoGradGuard noGrad;
    const torch::Tensor& a = weightedActivations;
    const int64_t channels = a.size(1), height = a.size(2), width = a.size(3);
    // Float64: the first component of nearly tied singular values is where
    // float32 and NumPy would part ways.
    torch::Tensor points = a[0].reshape({channels, height * width}).t().to(torch::kFloat64); // HW×C
    points = torch::nan_to_num(points, 0.0, 0.0, 0.0); // as get_2d_projection: NaN counts as 0
    points = points - points.mean(0, /*keepdim=*/true);
    const auto svd = torch::linalg_svd(points, /*full_matrices=*/false);
    torch::Tensor component = std::get<2>(svd)[0];
    // An SVD's sign is arbitrary. The projection of centred points always sums
    // to 0, so its sum cannot choose; the component's sum can, and it is the
    // sign of the projection's correlation with the plain map (the sum over
    // channels): (Xv)·(X1) = s²(v·1). Smoothing then keeps the map's direction.
    if (component.sum().item<double>() < 0)
        component = -component;
    const torch::Tensor projection = torch::matmul(points, component);
    return projection.reshape({height, width}).to(torch::kFloat32);
}

std::vector<Augmentation> testTimeAugmentations()
{
    std::vector<Augmentation> passes;
    for (double scale : {1.0, 0.9, 1.1})
        for (bool flipped : {false, true})
            passes.push_back({flipped, scale});
    return passes;
}

torch::Tensor augmentInput(const torch::Tensor& input, const Augmentation& augmentation)
{
    namespace F = torch::nn::functional;
    torch::NoGradGuard noGrad;
    torch::Tensor x = input.detach();
    if (augmentation.scale != 1.0) {
        const auto scaled = [&](int64_t size) { return std::max<int64_t>(1, std::lround(augmentation.scale * size)); };
        x = F::interpolate(x, F::InterpolateFuncOptions()
                                  .size(std::vector<int64_t>{scaled(x.size(2)), scaled(x.size(3))})
                                  .mode(torch::kBilinear)
                                  .align_corners(false));
    }
    return augmentation.flipped ? x.flip({3}) : x;
}

torch::Tensor alignMap(const torch::Tensor& map, const Augmentation& augmentation, int64_t height, int64_t width)
{
    torch::NoGradGuard noGrad;
    return resizeMap(augmentation.flipped ? map.flip({1}) : map, height, width);
}

AugmentedSessions::AugmentedSessions(std::shared_ptr<Network> network, torch::Tensor input, std::string layerName)
    : m_network(std::move(network)),
      m_input(std::move(input)),
      m_layerName(std::move(layerName)),
      m_augmentations(testTimeAugmentations())
{
    m_sessions.resize(m_augmentations.size());
}

CamMap AugmentedSessions::explain(ExplanationSession& plain, const CamQuery& query, const ExplainControl& control)
{
    const auto start = std::chrono::steady_clock::now();
    CamQuery passQuery = query;
    passQuery.augmentSmooth = false;
    const double passes = static_cast<double>(m_augmentations.size());
    torch::Tensor sum;
    double rawMaxSum = 0.0;
    for (std::size_t i = 0; i < m_augmentations.size(); ++i) {
        if (control.cancelled && control.cancelled())
            throw Cancelled("test-time augmentation cancelled");
        ExplainControl passControl = control;
        if (control.progress)
            passControl.progress = [&, i](double fraction) { control.progress((double(i) + fraction) / passes); };
        CamMap pass;
        if (i == 0) {
            pass = plain.explain(passQuery, passControl);
        } else {
            if (!m_sessions[i])
                m_sessions[i] = std::make_unique<ExplanationSession>(
                    m_network, augmentInput(m_input, m_augmentations[i]), m_layerName,
                    prefixPassFor(query.method));
            pass = m_sessions[i]->explain(passQuery, passControl);
        }
        torch::Tensor map = mapToTensor(pass.map);
        if (i == 0)
            sum = map;
        else
            sum = sum + alignMap(map, m_augmentations[i], sum.size(0), sum.size(1));
        rawMaxSum += pass.rawMax;
        if (control.progress)
            control.progress(double(i + 1) / passes);
    }
    CamMap result = normalisedCamMap(sum / passes, query.classIndex);
    result.rawMax = static_cast<float>(rawMaxSum / passes);
    result.backwardMs = millisecondsSince(start);
    return result;
}

} // namespace gce
