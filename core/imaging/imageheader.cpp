#include "core/imaging/imageheader.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>

namespace gce::detail {
namespace {

constexpr const char* kSupportedHint = "; use JPEG, PNG, WebP or BMP";

std::uint32_t be16(const std::uint8_t* p) { return (p[0] << 8) | p[1]; }
std::uint32_t be32(const std::uint8_t* p)
{
    return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3];
}
std::uint32_t le16(const std::uint8_t* p) { return p[0] | (p[1] << 8); }
std::uint32_t le24(const std::uint8_t* p) { return p[0] | (p[1] << 8) | (std::uint32_t(p[2]) << 16); }
std::uint32_t le32(const std::uint8_t* p) { return le24(p) | (std::uint32_t(p[3]) << 24); }

bool startsWith(const std::uint8_t* data, std::size_t size, std::string_view prefix, std::size_t at = 0)
{
    return size >= at + prefix.size() && std::memcmp(data + at, prefix.data(), prefix.size()) == 0;
}

[[noreturn]] void unsupported(const std::string& what)
{
    throw HeaderError("unsupported format (" + what + ")" + kSupportedHint);
}

[[noreturn]] void corrupt(ImageFormat format, const char* detail)
{
    throw HeaderError(std::string("corrupt ") + formatName(format) + " header (" + detail + ")");
}

// ---- JPEG: a sequence of marker segments; entropy-coded data follows each SOS.

bool isStartOfFrame(std::uint8_t marker)
{
    // C0..CF except DHT (C4), JPG (C8) and DAC (CC).
    return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
}

// Skips entropy-coded bytes from `pos`; returns the position of the next marker
// (its 0xFF), or `size` if the data ends first.
std::size_t skipEntropyData(const std::uint8_t* data, std::size_t size, std::size_t pos)
{
    while (pos < size) {
        const void* ff = std::memchr(data + pos, 0xFF, size - pos);
        if (!ff)
            return size;
        pos = static_cast<std::size_t>(static_cast<const std::uint8_t*>(ff) - data);
        if (pos + 1 >= size)
            return size;
        const std::uint8_t next = data[pos + 1];
        if (next == 0x00 || (next >= 0xD0 && next <= 0xD7))
            pos += 2; // stuffed 0xFF byte or restart marker: still scan data
        else if (next == 0xFF)
            pos += 1; // fill byte before a marker
        else
            return pos;
    }
    return size;
}

ImageHeader parseJpeg(const std::uint8_t* data, std::size_t size)
{
    ImageHeader header;
    header.format = ImageFormat::Jpeg;
    bool haveFrame = false;
    bool haveScan = false;
    std::size_t pos = 2; // after SOI
    for (;;) {
        // Like libjpeg, tolerate stray bytes before a marker.
        while (pos < size && data[pos] != 0xFF)
            ++pos;
        while (pos < size && data[pos] == 0xFF)
            ++pos;
        if (pos >= size)
            break;
        const std::uint8_t marker = data[pos++];
        if (marker == 0xD9) { // EOI
            if (!haveFrame)
                corrupt(header.format, "no frame header");
            if (!haveScan)
                corrupt(header.format, "no image data");
            return header;
        }
        if ((marker >= 0xD0 && marker <= 0xD7) || marker == 0x01)
            continue; // markers without a length
        if (pos + 2 > size)
            break;
        const std::size_t length = be16(data + pos);
        if (length < 2)
            corrupt(header.format, "bad segment length");
        if (pos + length > size)
            break;
        const std::uint8_t* segment = data + pos + 2;
        const std::size_t segmentSize = length - 2;
        if (isStartOfFrame(marker) && !haveFrame) {
            if (segmentSize < 6)
                corrupt(header.format, "short frame header");
            header.height = be16(segment + 1);
            header.width = be16(segment + 3);
            header.channels = segment[5];
            if (header.width == 0 || header.height == 0)
                corrupt(header.format, "zero image size");
            haveFrame = true;
        } else if (marker == 0xE1 && !header.exif
                   && startsWith(segment, segmentSize, std::string_view("Exif\0\0", 6))) {
            header.exif = segment;
            header.exifSize = segmentSize;
        }
        pos += length;
        if (marker == 0xDA) { // SOS
            if (!haveFrame)
                corrupt(header.format, "scan before frame header");
            haveScan = true;
            pos = skipEntropyData(data, size, pos);
        }
    }
    if (!haveFrame)
        throw HeaderError("file is truncated (the JPEG data ends before its frame header)");
    // OpenCV (libjpeg) would grey-fill the missing part and succeed.
    header.truncated = "file is truncated (the JPEG data ends before its end-of-image marker)";
    return header;
}

// ---- PNG: signature, then length-type-data-CRC chunks from IHDR to IEND.

ImageHeader parsePng(const std::uint8_t* data, std::size_t size)
{
    ImageHeader header;
    header.format = ImageFormat::Png;
    constexpr std::size_t kSignature = 8;
    if (size < kSignature + 8 + 13 || std::memcmp(data + kSignature + 4, "IHDR", 4) != 0
        || be32(data + kSignature) != 13)
        corrupt(header.format, "no IHDR chunk");
    const std::uint8_t* ihdr = data + kSignature + 8;
    header.width = be32(ihdr);
    header.height = be32(ihdr + 4);
    if (header.width == 0 || header.height == 0 || header.width > 0x7FFFFFFF || header.height > 0x7FFFFFFF)
        corrupt(header.format, "bad image size");
    switch (ihdr[9]) { // color type
    case 0: header.channels = 1; break;
    case 2: header.channels = 3; break;
    case 3: header.channels = 0; break; // palette: RGB or RGBA after expansion
    case 4: header.channels = 2; break;
    case 6: header.channels = 4; break;
    default: corrupt(header.format, "bad color type");
    }

    std::size_t pos = kSignature;
    while (pos + 8 <= size) {
        const std::size_t length = be32(data + pos);
        if (length > 0x7FFFFFFF)
            corrupt(header.format, "bad chunk length");
        if (length + 12 > size - pos)
            break;
        const std::uint8_t* type = data + pos + 4;
        if (std::memcmp(type, "IEND", 4) == 0)
            return header;
        if (std::memcmp(type, "eXIf", 4) == 0 && !header.exif) {
            header.exif = data + pos + 8;
            header.exifSize = length;
        }
        pos += length + 12;
    }
    // libpng fails on most truncations anyway; this catches all of them,
    // including a file cut between the last IDAT and IEND.
    header.truncated = "file is truncated (the PNG data ends before its IEND chunk)";
    return header;
}

// ---- WebP: a RIFF container whose first chunk is VP8 (lossy), VP8L
// (lossless) or VP8X (extended: alpha, EXIF, animation).

ImageHeader parseWebP(const std::uint8_t* data, std::size_t size)
{
    ImageHeader header;
    header.format = ImageFormat::WebP;
    const std::size_t riffEnd = std::size_t(le32(data + 4)) + 8;
    std::size_t end = size;
    if (riffEnd > size)
        header.truncated = "file is truncated (the WebP data is shorter than its RIFF header says)";
    else
        end = riffEnd;

    bool haveSize = false;
    std::size_t pos = 12;
    while (pos + 8 <= end) {
        const std::uint8_t* fourcc = data + pos;
        const std::size_t length = le32(data + pos + 4);
        const std::uint8_t* chunk = data + pos + 8;
        const std::size_t available = end - pos - 8;
        const bool first = pos == 12;
        if (length > available) {
            if (!header.truncated)
                header.truncated = "file is truncated (a WebP chunk ends past the end of the file)";
            if (!first)
                break;
        }
        const std::size_t readable = std::min(length, available);
        if (first) {
            if (std::memcmp(fourcc, "VP8 ", 4) == 0) {
                if (readable < 10 || chunk[3] != 0x9D || chunk[4] != 0x01 || chunk[5] != 0x2A)
                    corrupt(header.format, "bad VP8 frame header");
                header.width = le16(chunk + 6) & 0x3FFF;
                header.height = le16(chunk + 8) & 0x3FFF;
            } else if (std::memcmp(fourcc, "VP8L", 4) == 0) {
                if (readable < 5 || chunk[0] != 0x2F)
                    corrupt(header.format, "bad VP8L header");
                const std::uint32_t bits = le32(chunk + 1);
                header.width = (bits & 0x3FFF) + 1;
                header.height = ((bits >> 14) & 0x3FFF) + 1;
            } else if (std::memcmp(fourcc, "VP8X", 4) == 0) {
                if (readable < 10)
                    corrupt(header.format, "bad VP8X header");
                if (chunk[0] & 0x02)
                    unsupported("animated WebP");
                header.width = std::int64_t(le24(chunk + 4)) + 1;
                header.height = std::int64_t(le24(chunk + 7)) + 1;
            } else {
                corrupt(header.format, "unknown first chunk");
            }
            haveSize = true;
        } else if (std::memcmp(fourcc, "EXIF", 4) == 0 && !header.exif && length <= available) {
            header.exif = chunk;
            header.exifSize = length;
        }
        if (length > available)
            break;
        pos += 8 + length + (length & 1); // chunks are padded to an even size
    }
    if (!haveSize)
        corrupt(header.format, "no image chunk");
    if (header.width == 0 || header.height == 0)
        corrupt(header.format, "zero image size");
    return header;
}

// ---- BMP: file header, then an info header of one of several sizes.

ImageHeader parseBmp(const std::uint8_t* data, std::size_t size)
{
    ImageHeader header;
    header.format = ImageFormat::Bmp;
    if (size < 26)
        corrupt(header.format, "too short");
    const std::uint32_t pixelOffset = le32(data + 10);
    const std::uint32_t infoSize = le32(data + 14);
    std::int64_t height = 0;
    std::uint32_t bitsPerPixel = 0;
    std::uint32_t compression = 0;
    if (infoSize == 12) { // OS/2 BITMAPCOREHEADER
        header.width = le16(data + 18);
        height = le16(data + 20);
        bitsPerPixel = le16(data + 24);
    } else if (infoSize >= 40 && infoSize <= 124) {
        if (size < 54)
            corrupt(header.format, "too short");
        header.width = static_cast<std::int32_t>(le32(data + 18));
        height = static_cast<std::int32_t>(le32(data + 22)); // negative: stored top-down
        bitsPerPixel = le16(data + 28);
        compression = le32(data + 30);
    } else {
        corrupt(header.format, "unknown info header");
    }
    header.height = height < 0 ? -height : height;
    if (header.width <= 0 || header.height <= 0)
        corrupt(header.format, "bad image size");
    if (bitsPerPixel == 0 || bitsPerPixel > 32)
        corrupt(header.format, "bad bit count");

    constexpr std::uint32_t kUncompressed = 0;
    constexpr std::uint32_t kBitfields = 3;
    if (compression == kUncompressed || compression == kBitfields) {
        // Rows of up to 2^31 pixels × 32 bits and as many rows: their product
        // does not fit 64 bits, so the rows that fit are counted instead.
        const std::int64_t rowBytes = (header.width * bitsPerPixel + 31) / 32 * 4; // >= 4
        const std::int64_t available = std::int64_t(size) - std::int64_t(pixelOffset);
        if (available < 0 || header.height > available / rowBytes)
            header.truncated = "file is truncated (the BMP pixel data is shorter than its header says)";
    }
    return header;
}

// An SVG renamed to .png is a common mistake; name it rather than say "unknown".
bool looksLikeSvg(const std::uint8_t* data, std::size_t size)
{
    std::size_t pos = startsWith(data, size, "\xEF\xBB\xBF") ? 3 : 0;
    while (pos < size && (data[pos] == ' ' || data[pos] == '\t' || data[pos] == '\r' || data[pos] == '\n'))
        ++pos;
    if (pos >= size || data[pos] != '<')
        return false;
    const std::string_view head(reinterpret_cast<const char*>(data + pos), std::min<std::size_t>(size - pos, 4096));
    return head.find("<svg") != std::string_view::npos;
}

} // namespace

const char* formatName(ImageFormat format)
{
    switch (format) {
    case ImageFormat::Jpeg: return "JPEG";
    case ImageFormat::Png: return "PNG";
    case ImageFormat::WebP: return "WebP";
    case ImageFormat::Bmp: return "BMP";
    }
    return "image";
}

ImageHeader readImageHeader(const std::uint8_t* data, std::size_t size)
{
    if (startsWith(data, size, "\xFF\xD8\xFF"))
        return parseJpeg(data, size);
    if (startsWith(data, size, "\x89PNG\r\n\x1A\n"))
        return parsePng(data, size);
    if (startsWith(data, size, "RIFF") && startsWith(data, size, "WEBP", 8))
        return parseWebP(data, size);
    if (startsWith(data, size, "BM") && size >= 18) {
        const std::uint32_t infoSize = le32(data + 14);
        if (infoSize == 12 || (infoSize >= 40 && infoSize <= 124))
            return parseBmp(data, size);
    }

    // Recognised, but not decoded: OpenCV 4.6 has no GIF or HEIF reader, and
    // its TIFF reader applies the orientation tag only on some code paths.
    if (startsWith(data, size, "GIF87a") || startsWith(data, size, "GIF89a"))
        unsupported("GIF");
    if (startsWith(data, size, std::string_view("II*\0", 4)) || startsWith(data, size, std::string_view("MM\0*", 4)))
        unsupported("TIFF");
    if (startsWith(data, size, "ftyp", 4))
        unsupported("HEIF/AVIF");
    if (looksLikeSvg(data, size))
        unsupported("SVG vector graphics");
    throw HeaderError(std::string("not an image (unrecognised content)") + kSupportedHint);
}

} // namespace gce::detail
