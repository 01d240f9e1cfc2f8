#include "core/support/preprocessing.h"

#include <opencv2/core.hpp>
#include <torch/torch.h>

#include "core/imaging/modeltransform.h"
#include "core/imaging/pilresize.h"

namespace gce {

torch::Tensor normalizedTensor(const cv::Mat& resizedRgb, const Preprocessing& settings)
{
    TORCH_CHECK(resizedRgb.type() == CV_8UC3, "expected an 8-bit RGB image");
    const cv::Mat pixels = resizedRgb.isContinuous() ? resizedRgb : resizedRgb.clone();
    // Same operations in the same order and precision as torchvision, so the
    // tensor is bit-identical: float(x) / 255, then (x - mean) / std.
    torch::Tensor hwc = torch::from_blob(pixels.data, {pixels.rows, pixels.cols, 3}, torch::kUInt8);
    torch::Tensor chw = hwc.permute({2, 0, 1}).to(torch::kFloat32).div(255);
    const auto mean = torch::tensor({settings.mean[0], settings.mean[1], settings.mean[2]}).view({3, 1, 1});
    const auto std = torch::tensor({settings.std[0], settings.std[1], settings.std[2]}).view({3, 1, 1});
    return chw.sub(mean).div(std).unsqueeze(0).contiguous();
}

cv::Mat preprocessPixels(const cv::Mat& rgb, const Preprocessing& settings)
{
    if (settings.mode == PreprocessMode::Model)
        return applyModelTransform(rgb, settings.model);
    return resizePilBilinear(rgb, settings.width, settings.height);
}

torch::Tensor preprocessImage(const cv::Mat& rgb, const Preprocessing& settings)
{
    return normalizedTensor(preprocessPixels(rgb, settings), settings);
}

} // namespace gce
