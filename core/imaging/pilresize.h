#pragma once
// Pillow's Image.resize(size, BILINEAR) reproduced bit for bit: separable
// triangle filter whose support widens when shrinking (antialias), fixed-point
// coefficients with 22 fractional bits, horizontal pass then vertical pass,
// each rounded to 8 bits. This is what torchvision's Resize((224,224)) does on
// a PIL image, and what OpenCV's INTER_LINEAR does not do when shrinking.
#include <opencv2/core.hpp>

namespace gce {

// rgb: CV_8UC3 (any channel order, channels are independent). Returns CV_8UC3
// of outWidth x outHeight. Throws std::invalid_argument on empty input or sizes < 1.
cv::Mat resizePilBilinear(const cv::Mat& rgb, int outWidth, int outHeight);

// Image.resize(size, BILINEAR) or Image.resize(size, BICUBIC): the same
// separable resampling, BICUBIC with Pillow's cubic filter (a = -0.5,
// support 2, widened when shrinking). Its negative lobes over- and undershoot;
// each pass clamps to a byte as Pillow's clip8 does.
enum class PilFilter { Bilinear, Bicubic };
cv::Mat resizePil(const cv::Mat& rgb, int outWidth, int outHeight, PilFilter filter);

} // namespace gce
