#include "core/imaging/exiforientation.h"

#include <cstring>

namespace gce::detail {
namespace {

constexpr std::uint16_t kOrientationTag = 0x0112;
constexpr std::uint16_t kTypeShort = 3;
constexpr std::uint16_t kTypeLong = 4;
constexpr std::size_t kEntrySize = 12;

class TiffReader {
public:
    TiffReader(const std::uint8_t* data, bool littleEndian) : data_(data), little_(littleEndian) {}

    std::uint32_t u16(std::size_t at) const
    {
        const std::uint8_t* p = data_ + at;
        return little_ ? p[0] | (p[1] << 8) : (p[0] << 8) | p[1];
    }
    std::uint32_t u32(std::size_t at) const
    {
        return little_ ? u16(at) | (u16(at + 2) << 16) : (u16(at) << 16) | u16(at + 2);
    }

private:
    const std::uint8_t* data_;
    bool little_;
};

} // namespace

int exifOrientation(const std::uint8_t* exif, std::size_t size)
{
    if (!exif)
        return 1;
    if (size >= 6 && std::memcmp(exif, "Exif\0\0", 6) == 0) {
        exif += 6;
        size -= 6;
    }
    if (size < 8)
        return 1;
    bool little = false;
    if (std::memcmp(exif, "II*\0", 4) == 0)
        little = true;
    else if (std::memcmp(exif, "MM\0*", 4) != 0)
        return 1;

    const TiffReader tiff(exif, little);
    const std::size_t ifd = tiff.u32(4); // the orientation lives in IFD0
    if (ifd > size - 2)
        return 1;
    const std::size_t entries = tiff.u16(ifd);
    for (std::size_t i = 0; i < entries; ++i) {
        const std::size_t entry = ifd + 2 + i * kEntrySize;
        if (entry + kEntrySize > size)
            break;
        if (tiff.u16(entry) != kOrientationTag)
            continue;
        // A single value fits in the entry's 4-byte value field.
        const std::uint32_t type = tiff.u16(entry + 2);
        std::uint32_t value = 0;
        if (type == kTypeShort)
            value = tiff.u16(entry + 8);
        else if (type == kTypeLong)
            value = tiff.u32(entry + 8);
        return value >= 1 && value <= 8 ? static_cast<int>(value) : 1;
    }
    return 1;
}

cv::Mat applyExifOrientation(const cv::Mat& image, int orientation)
{
    cv::Mat out;
    cv::Mat transposed;
    switch (orientation) {
    case 2: cv::flip(image, out, 1); break;                                 // mirrored left-right
    case 3: cv::rotate(image, out, cv::ROTATE_180); break;
    case 4: cv::flip(image, out, 0); break;                                 // mirrored top-bottom
    case 5: cv::transpose(image, out); break;                               // mirrored along the main diagonal
    case 6: cv::rotate(image, out, cv::ROTATE_90_CLOCKWISE); break;
    case 7: cv::transpose(image, transposed); cv::flip(transposed, out, -1); break; // along the anti-diagonal
    case 8: cv::rotate(image, out, cv::ROTATE_90_COUNTERCLOCKWISE); break;
    default: out = image; break;
    }
    return out;
}

} // namespace gce::detail
