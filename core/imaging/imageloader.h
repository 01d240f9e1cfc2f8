#pragma once
// Decoding user images into 8-bit RGB, the one pixel format the engine uses.
//
// Decisions (documented in README "Image decoding"), where PIL and OpenCV differ:
//  - Formats are recognised by content, not by extension: JPEG, PNG, WebP and
//    BMP are read. GIF (OpenCV 4.6 has no GIF reader), TIFF (OpenCV applies its
//    orientation tag on some code paths only), HEIF/AVIF, SVG and animated WebP
//    are refused as unsupported.
//  - EXIF orientation is honoured (the photo is shown and explained the way
//    the camera meant it), from JPEG APP1, PNG eXIf and WebP EXIF alike.
//    Note: torchvision's PIL pipeline does NOT rotate.
//  - Greyscale becomes RGB by replication; 16-bit samples are scaled to 8 bits
//    (value * 255 / 65535, rounded); alpha is composited over white in the
//    source depth: round(255 * (c*a + max*(max - a)) / max^2). OpenCV drops
//    the alpha of BMPs and the tRNS color key of grey PNGs, so those stay opaque.
//  - CMYK JPEGs are converted to RGB (libjpeg + OpenCV; within 1 of Pillow).
//  - Truncated files are refused (as PIL does by default), not grey-filled: a
//    JPEG must reach its end-of-image marker, a PNG its IEND chunk, a WebP the
//    size in its RIFF header, a BMP the end of its pixel array.
//  - Images above kMaxImagePixels are refused from their header, before their
//    pixels are decoded.
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
    int sourceChannels = 3; // 1 grey, 2 grey+alpha, 3 color, 4 color+alpha / CMYK
    bool hadAlpha = false;  // alpha was composited over white
};

// Throws ImageError with a one-line reason naming the file.
LoadedImage loadImage(const std::string& path);

// Same for bytes already in memory; `name` is used in messages.
LoadedImage decodeImage(const std::vector<std::uint8_t>& bytes, const std::string& name);

} // namespace gce
