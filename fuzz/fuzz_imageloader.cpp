// libFuzzer target: gce::decodeImage (header walk, size limits, OpenCV
// decode, EXIF orientation, conversion to 8-bit RGB) on arbitrary bytes.
// Seeds: the demo images and small PNG/JPEG/WebP/BMP files made with PIL
// (fuzz/make_seeds.py). The contract: an RGB image or an ImageError.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "core/errors.h"
#include "core/imaging/imageloader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    try {
        const gce::LoadedImage image = gce::decodeImage(std::vector<std::uint8_t>(data, data + size), "fuzz");
        if (image.rgb.type() != CV_8UC3 || image.rgb.empty() || !image.rgb.isContinuous())
            std::abort(); // the documented output format
    } catch (const gce::ImageError& e) {
        if (std::strchr(e.what(), '\n'))
            std::abort(); // messages must stay on one line
    }
    return 0;
}
