#include "core/imaging/cropoverlay.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace gce {

cv::Rect cropPixelRect(const CropBox& box)
{
    const int x0 = static_cast<int>(std::lround(box.x));
    const int y0 = static_cast<int>(std::lround(box.y));
    const int x1 = std::max(x0 + 1, static_cast<int>(std::lround(box.x + box.width)));
    const int y1 = std::max(y0 + 1, static_cast<int>(std::lround(box.y + box.height)));
    return {x0, y0, x1 - x0, y1 - y0};
}

cv::Rect mapPlacement(PreprocessMode mode, const CropBox& box, cv::Size imageSize)
{
    return mode == PreprocessMode::Model ? cropPixelRect(box) : cv::Rect(cv::Point(0, 0), imageSize);
}

PlacedHeat placeHeatmap(const cv::Mat& map, cv::Size imageSize, const CropBox& box, Colormap colormap)
{
    const cv::Rect rect = cropPixelRect(box);
    const cv::Rect visible = rect & cv::Rect(0, 0, imageSize.width, imageSize.height);
    PlacedHeat placed;
    placed.heatRgb = cv::Mat::zeros(imageSize, CV_8UC3);
    placed.rect = visible;
    if (visible.empty())
        return placed;
    const cv::Mat heat = colorizeHeatmap(resizeHeatmap(map, rect.size()), colormap);
    heat(visible - rect.tl()).copyTo(placed.heatRgb(visible));
    return placed;
}

cv::Mat dimOutside(const cv::Mat& imageRgb, const CropBox& box, double dim)
{
    if (imageRgb.type() != CV_8UC3)
        throw std::invalid_argument("dimOutside: expected an 8-bit 3-channel image");
    cv::Mat out;
    imageRgb.convertTo(out, CV_8UC3, 1.0 - dim); // rounds like cv::addWeighted with black
    const cv::Rect visible = cropPixelRect(box) & cv::Rect(0, 0, imageRgb.cols, imageRgb.rows);
    if (!visible.empty())
        imageRgb(visible).copyTo(out(visible));
    return out;
}

cv::Mat renderCropOverlay(const cv::Mat& imageRgb, const cv::Mat& map, const CropBox& box, Colormap colormap,
                          double alpha, double dim)
{
    const PlacedHeat placed = placeHeatmap(map, imageRgb.size(), box, colormap);
    cv::Mat out = dimOutside(imageRgb, box, dim);
    if (!placed.rect.empty())
        blendOverlay(imageRgb(placed.rect), placed.heatRgb(placed.rect), alpha).copyTo(out(placed.rect));
    return out;
}

} // namespace gce
