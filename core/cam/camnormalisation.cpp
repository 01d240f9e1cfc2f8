#include "core/cam/camnormalisation.h"

#include <torch/torch.h>

#include "core/cam/smoothing.h"

namespace gce {

torch::Tensor queryScore(const torch::Tensor& logitsRow, const CamQuery& query, int classIndex)
{
    torch::Tensor score = logitsRow[classIndex];
    if (query.contrastClass >= 0)
        score = score - logitsRow[query.contrastClass];
    return query.counterfactual ? -score : score;
}

torch::Tensor methodCam(const CamMethodImpl& method, const torch::Tensor& activation, const torch::Tensor& gradient,
                        const torch::Tensor& weights, bool eigenSmooth)
{
    torch::NoGradGuard noGrad;
    const torch::Tensor a = activation.detach();
    if (eigenSmooth)
        return principalComponentProjection(weights.defined() ? weights.reshape({1, -1, 1, 1}) * a
                                                              : method.weightedActivations(a, gradient));
    return weights.defined() ? (weights.reshape({1, -1, 1, 1}) * a).sum(1)[0] : method.camImage(a, gradient);
}

CamMap normalisedCamMap(const torch::Tensor& cam, int classIndex)
{
    torch::NoGradGuard noGrad;
    torch::Tensor map = torch::relu(cam.detach().to(torch::kFloat32));
    CamMap result;
    result.classIndex = classIndex;
    result.rawMax = map.max().item<float>();
    result.empty = !(result.rawMax > 0.f);
    map = (result.empty ? torch::zeros_like(map) : map / result.rawMax).contiguous();
    result.map = cv::Mat(static_cast<int>(map.size(0)), static_cast<int>(map.size(1)), CV_32FC1, map.data_ptr<float>())
                     .clone();
    return result;
}

torch::Tensor mapToTensor(const cv::Mat& map)
{
    const cv::Mat continuous = map.isContinuous() ? map : map.clone();
    return torch::from_blob(const_cast<float*>(continuous.ptr<float>()), {continuous.rows, continuous.cols},
                            torch::kFloat32)
        .clone();
}

torch::Tensor resizeMap(const torch::Tensor& map, int64_t height, int64_t width)
{
    if (map.size(0) == height && map.size(1) == width)
        return map;
    namespace F = torch::nn::functional;
    return F::interpolate(map.unsqueeze(0).unsqueeze(0), F::InterpolateFuncOptions()
                                                             .size(std::vector<int64_t>{height, width})
                                                             .mode(torch::kBilinear)
                                                             .align_corners(false))[0][0];
}

} // namespace gce
