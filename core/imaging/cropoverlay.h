#pragma once
// The overlay for the model transform: the network saw only the
// centre crop, so the map is resized to the crop's rectangle in the original
// photo and blended there as the tutorial blends it (core/imaging/overlay.h);
// the rest of the photo, which the network never saw, is dimmed towards black.
#include <opencv2/core.hpp>

#include "core/imaging/modeltransform.h"
#include "core/imaging/overlay.h"
#include "core/support/preprocessing.h"

namespace gce {

constexpr double kOutsideCropDim = 0.5; // outside the crop: 50% towards black

// The box rounded to whole pixels (at least 1x1), possibly reaching outside the image.
cv::Rect cropPixelRect(const CropBox& box);

// imageRgb: CV_8UC3; map: CV_32FC1 in [0,1]; box in imageRgb's pixels.
cv::Mat renderCropOverlay(const cv::Mat& imageRgb, const cv::Mat& map, const CropBox& box,
                          Colormap colormap = Colormap::Jet, double alpha = kDefaultOverlayAlpha,
                          double dim = kOutsideCropDim);

// Where the map lies on the photo (what it is resized to): the whole photo
// for the tutorial's Resize, the crop's pixel rectangle for the model transform.
cv::Rect mapPlacement(PreprocessMode mode, const CropBox& box, cv::Size imageSize);

// The colorised map placed in the box on a black canvas of `imageSize`, and
// the part of the image it covers: for painters that blend themselves.
struct PlacedHeat {
    cv::Mat heatRgb;
    cv::Rect rect; // the part of the image the heat covers (clipped)
};
PlacedHeat placeHeatmap(const cv::Mat& map, cv::Size imageSize, const CropBox& box, Colormap colormap);

// Every pixel outside the box blended towards black by `dim` (0 = unchanged).
cv::Mat dimOutside(const cv::Mat& imageRgb, const CropBox& box, double dim = kOutsideCropDim);

} // namespace gce
