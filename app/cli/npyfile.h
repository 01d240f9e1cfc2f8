#pragma once
// A map as a NumPy .npy file (format 1.0): float32, little-endian, C order,
// shape (rows, cols), readable by numpy.load without pickle.
#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

namespace gce::cli {

// `map`: CV_32F, one channel.
std::vector<std::uint8_t> npyFloat32(const cv::Mat& map);

} // namespace gce::cli
