#pragma once
// The pipeline's last step for maps made outside ExplanationSession::explain
// (guided methods, test-time augmentation): ReLU, then / max; a map whose
// maximum is 0 comes back as zeros flagged `empty`, never NaN.
#include <torch/types.h>

#include "core/cam/explanationsession.h"

namespace gce {

// cam: H×W (any float type). rawMax is the maximum before the division.
CamMap normalisedCamMap(const torch::Tensor& cam, int classIndex);

// A CV_32FC1 map as an H×W float tensor (copied).
torch::Tensor mapToTensor(const cv::Mat& map);

// Bilinear resize of an H×W map (torch's, align_corners=false: cv::resize's
// INTER_LINEAR when upsampling), as pytorch-grad-cam scales its maps.
torch::Tensor resizeMap(const torch::Tensor& map, int64_t height, int64_t width);

} // namespace gce
