#pragma once
// Decoding user images into 8-bit RGB, the one pixel format the engine uses.
//
// Decisions (documented in README "Image decoding"), where PIL and OpenCV differ:
//  - EXIF orientation is honoured (the photo is shown and explained the way
//    the camera meant it). Note: torchvision's PIL pipeline does NOT rotate.
//  - Greyscale becomes RGB by replication; 16-bit samples are scaled to 8 bits
//    (value * 255 / 65535, rounded); alpha is composited over white.
//  - CMYK JPEGs are converted to RGB.
//  - Truncated files are refused (as PIL does by default), not grey-filled.
//  - Images above kMaxPixels are refused before their pixels are decoded.
#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace gce {

// 200 megapixels: a 100-megapixel photo still opens, a decompression bomb does not.
constexpr std::int64_t kMaxImagePixels = 200'000'000;

struct LoadedImage {
    cv::Mat rgb;            // CV_8UC3, RGB channel order, continuous
    std::string source;     // file path (or a name for in-memory data)
    int sourceBitDepth = 8; // 8 or 16
    int sourceChannels = 3; // 1 grey, 2 grey+alpha, 3 colour, 4 colour+alpha / CMYK
    bool hadAlpha = false;  // alpha was composited over white
};

// Throws ImageError with a one-line reason naming the file.
LoadedImage loadImage(const std::string& path);

// Same for bytes already in memory; `name` is used in messages.
LoadedImage decodeImage(const std::vector<std::uint8_t>& bytes, const std::string& name);

} // namespace gce
