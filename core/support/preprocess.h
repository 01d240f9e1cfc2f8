#pragma once
// torchvision's classification preprocessing, exactly:
//   Resize((H, W)) on a PIL image  -> resizePilBilinear (bit-exact), or with
//   PreprocessMode::Model the weights' own resize + centre crop
//   (core/imaging/modeltransform.h, bit-exact with Pillow too)
//   ToTensor                       -> uint8 / 255 in float32, CHW
//   Normalize(mean, std)           -> (x - mean) / std, in that order
#include <opencv2/core.hpp>
#include <torch/types.h>

#include "core/support/preprocessing.h"

namespace gce {

// rgb: CV_8UC3 RGB of any size -> 1×3×H×W float32 tensor
// (H×W = settings.inputHeight() × inputWidth()).
torch::Tensor preprocessImage(const cv::Mat& rgb, const Preprocessing& settings = {});

// The 8-bit pixels the network sees, before ToTensor: the resized image, or the crop.
cv::Mat preprocessPixels(const cv::Mat& rgb, const Preprocessing& settings = {});

// The ToTensor + Normalize half, for an image already at the model's size.
torch::Tensor normalizedTensor(const cv::Mat& resizedRgb, const Preprocessing& settings = {});

} // namespace gce
