#include "core/cam/camnormalisation.h"

#include <torch/torch.h>

namespace gce {

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
