#pragma once
// Private to gce_imaging: what an image file says about itself before any
// pixel is decoded. Read first so that decompression bombs, truncated files and
// formats OpenCV would mishandle are refused with a precise reason.
#include <cstddef>
#include <cstdint>
#include <stdexcept>

namespace gce::detail {

enum class ImageFormat { Jpeg, Png, WebP, Bmp };

const char* formatName(ImageFormat format);

struct ImageHeader {
    ImageFormat format = ImageFormat::Png;
    std::int64_t width = 0;
    std::int64_t height = 0;
    int channels = 0;             // as stored (CMYK = 4, grey+alpha = 2); 0 = see the decoded image
    const char* truncated = nullptr; // why the data is incomplete, or null
    const std::uint8_t* exif = nullptr; // TIFF-structured EXIF block inside the data, if any
    std::size_t exifSize = 0;
};

// The file is not something we decode, or its header is unreadable. what() is
// the reason only (no file name), e.g. "unsupported format (GIF); ...".
class HeaderError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Identifies the format from the content (never the file name) and walks the
// container structure (JPEG markers, PNG chunks, RIFF chunks) without decoding.
ImageHeader readImageHeader(const std::uint8_t* data, std::size_t size);

} // namespace gce::detail
