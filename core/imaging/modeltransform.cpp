#include "core/imaging/modeltransform.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/imaging/pilresize.h"

namespace gce {

namespace {

// The crop's top-left corner and padding in the resized image's pixels.
struct CropPlan {
    cv::Size resized;
    int padLeft = 0, padTop = 0; // zeros added before the crop (torchvision pads when smaller)
    int left = 0, top = 0;       // in the padded image
};

// Python's round() on x.5 values: halves to even (round((h - ch) / 2.0)).
int pythonRoundHalf(int twice)
{
    // twice = h - ch; the value is twice / 2.
    if (twice % 2 == 0)
        return twice / 2;
    const int down = (twice - 1) / 2; // twice >= 0 here
    return down % 2 == 0 ? down : down + 1;
}

CropPlan planCrop(int width, int height, const ModelTransform& t)
{
    if (width < 1 || height < 1)
        throw std::invalid_argument("model transform: empty image");
    if (t.resizeSize < 1 || t.cropWidth < 1 || t.cropHeight < 1)
        throw std::invalid_argument("model transform: sizes must be at least 1");
    CropPlan plan;
    plan.resized = modelResizeSize(width, height, t.resizeSize);
    int w = plan.resized.width, h = plan.resized.height;
    if (t.cropWidth > w || t.cropHeight > h) {
        plan.padLeft = t.cropWidth > w ? (t.cropWidth - w) / 2 : 0;
        plan.padTop = t.cropHeight > h ? (t.cropHeight - h) / 2 : 0;
        const int padRight = t.cropWidth > w ? (t.cropWidth - w + 1) / 2 : 0;
        const int padBottom = t.cropHeight > h ? (t.cropHeight - h + 1) / 2 : 0;
        w += plan.padLeft + padRight;
        h += plan.padTop + padBottom;
    }
    plan.top = pythonRoundHalf(h - t.cropHeight);
    plan.left = pythonRoundHalf(w - t.cropWidth);
    return plan;
}

} // namespace

cv::Size modelResizeSize(int width, int height, int resizeSize)
{
    // torchvision's _compute_resized_output_size: int(size * long / short), in doubles.
    if (width <= height)
        return {resizeSize, static_cast<int>(static_cast<double>(resizeSize) * height / width)};
    return {static_cast<int>(static_cast<double>(resizeSize) * width / height), resizeSize};
}

CropBox modelCropBox(int width, int height, const ModelTransform& transform)
{
    const CropPlan plan = planCrop(width, height, transform);
    const double sx = static_cast<double>(width) / plan.resized.width;
    const double sy = static_cast<double>(height) / plan.resized.height;
    return {(plan.left - plan.padLeft) * sx, (plan.top - plan.padTop) * sy, transform.cropWidth * sx,
            transform.cropHeight * sy};
}

cv::Mat applyModelTransform(const cv::Mat& rgb, const ModelTransform& transform)
{
    if (rgb.empty())
        throw std::invalid_argument("model transform: empty image");
    const CropPlan plan = planCrop(rgb.cols, rgb.rows, transform);
    // F_pil.resize returns the image itself when the size does not change
    // (Pillow's resize does too); resizePil copies.
    const PilFilter filter =
        transform.interpolation == ResizeInterpolation::Bicubic ? PilFilter::Bicubic : PilFilter::Bilinear;
    cv::Mat resized = resizePil(rgb, plan.resized.width, plan.resized.height, filter);
    if (plan.padLeft || plan.padTop || transform.cropWidth > resized.cols || transform.cropHeight > resized.rows) {
        const int padRight = std::max(0, transform.cropWidth - resized.cols - plan.padLeft);
        const int padBottom = std::max(0, transform.cropHeight - resized.rows - plan.padTop);
        cv::Mat padded;
        cv::copyMakeBorder(resized, padded, plan.padTop, padBottom, plan.padLeft, padRight, cv::BORDER_CONSTANT,
                           cv::Scalar::all(0));
        resized = padded;
    }
    return resized(cv::Rect(plan.left, plan.top, transform.cropWidth, transform.cropHeight)).clone();
}

CropBox inputBox(int width, int height, const Preprocessing& preprocessing)
{
    if (preprocessing.mode == PreprocessMode::Model)
        return modelCropBox(width, height, preprocessing.model);
    return {0.0, 0.0, static_cast<double>(width), static_cast<double>(height)};
}

} // namespace gce
