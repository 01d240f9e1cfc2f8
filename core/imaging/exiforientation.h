#pragma once
// Private to gce_imaging: the EXIF Orientation tag (0x0112) and turning an
// image upright. We decode with IMREAD_UNCHANGED (to keep 16-bit samples and
// alpha), and OpenCV only applies the orientation itself with IMREAD_COLOR, so
// the loader applies it here, the same way for JPEG, PNG (eXIf) and WebP.
#include <cstddef>
#include <cstdint>

#include <opencv2/core.hpp>

namespace gce::detail {

// Orientation 1..8 from a TIFF-structured EXIF block ("II*\0" or "MM\0*",
// optionally preceded by "Exif\0\0"); 1 when absent or malformed.
int exifOrientation(const std::uint8_t* exif, std::size_t size);

// The image as the camera meant it to be shown (orientation 1 = as stored).
cv::Mat applyExifOrientation(const cv::Mat& image, int orientation);

} // namespace gce::detail
