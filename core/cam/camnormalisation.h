#pragma once
// The pipeline's steps that every way of making a map shares: the score a
// query explains, a method's map from activation and gradient, and the last
// step, ReLU then / max (a map whose maximum is 0 comes back as zeros flagged
// `empty`, never NaN). Used by ExplanationSession, each image of a batch
// (core/cam/batchexplanation.h), guided methods and test-time augmentation.
#include <torch/types.h>

#include "core/cam/explanationsession.h"

namespace gce {

// The score S of a query for one image from its logits row (with autograd's
// graph): logit_c, minus the contrast class's, negated for a counterfactual.
torch::Tensor queryScore(const torch::Tensor& logitsRow, const CamQuery& query, int classIndex);

// A method's map before ReLU and normalisation (H×W) from one image's
// activation (1×C×H×W) and its gradient dS/dA, or, for score-based methods,
// their channel weights (C; gradient undefined). eigenSmooth: the first
// principal component of the weighted activations (core/cam/smoothing.h).
torch::Tensor methodCam(const CamMethodImpl& method, const torch::Tensor& activation, const torch::Tensor& gradient,
                        const torch::Tensor& weights, bool eigenSmooth);

// cam: H×W (any float type). rawMax is the maximum before the division.
CamMap normalisedCamMap(const torch::Tensor& cam, int classIndex);

// A CV_32FC1 map as an H×W float tensor (copied).
torch::Tensor mapToTensor(const cv::Mat& map);

// Bilinear resize of an H×W map (torch's, align_corners=false: cv::resize's
// INTER_LINEAR when upsampling), as pytorch-grad-cam scales its maps.
torch::Tensor resizeMap(const torch::Tensor& map, int64_t height, int64_t width);

} // namespace gce
