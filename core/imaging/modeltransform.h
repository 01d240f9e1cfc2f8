#pragma once
// torchvision 0.14's eval transform of a weights file on a PIL image
// (ImageClassification: F.resize with an int size, then F.center_crop),
// in pixels, and where its crop lies in the original photo.
//   resize:      shorter side -> resizeSize, longer = int(resizeSize * long / short),
//                Pillow's BILINEAR or BICUBIC (antialiased; core/imaging/pilresize.h)
//   center_crop: zero padding first when the crop is larger (left/top get the
//                smaller half), then top = int(round((h - ch) / 2.0)), same for left.
// OpenCV only (no LibTorch, no Qt): the GUI uses the rectangle too.
#include <opencv2/core.hpp>

#include "core/support/preprocessing.h"

namespace gce {

// A rectangle in original-image pixels (fractional; may reach outside the
// image when the crop was padded).
struct CropBox {
    double x = 0, y = 0, width = 0, height = 0;
    bool isEmpty() const { return width <= 0 || height <= 0; }
};

// The resized size (width, height) for an image of `width` x `height`.
cv::Size modelResizeSize(int width, int height, int resizeSize);

// Where the crop lies in the original image.
CropBox modelCropBox(int width, int height, const ModelTransform& transform);

// The crop's pixels: CV_8UC3 of cropWidth x cropHeight. Throws
// std::invalid_argument on an empty image or sizes < 1.
cv::Mat applyModelTransform(const cv::Mat& rgb, const ModelTransform& transform);

// Where the network's input lies in the original image: the whole image for
// the tutorial's Resize((H, W)), the crop for the model transform.
CropBox inputBox(int width, int height, const Preprocessing& preprocessing);

} // namespace gce
