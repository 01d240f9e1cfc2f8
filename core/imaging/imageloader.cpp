#include "core/imaging/imageloader.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/errors.h"
#include "core/imaging/exiforientation.h"
#include "core/imaging/imageheader.h"

namespace gce {
namespace {

// Messages are one line: a file name with a newline in it must not break that.
std::string printable(const std::string& name)
{
    std::string out = name;
    for (char& c : out)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
            c = '?';
    return out;
}

[[noreturn]] void fail(const std::string& name, const std::string& reason)
{
    throw ImageError("cannot read image \"" + printable(name) + "\": " + reason);
}

// OpenCV's decoders refuse longer sides (OPENCV_IO_MAX_IMAGE_WIDTH/HEIGHT,
// read once when OpenCV loads); checked here so the message says why.
constexpr std::int64_t kMaxImageSide = 1 << 20;

// Empty when the size is acceptable.
std::string sizeProblem(std::int64_t width, std::int64_t height)
{
    char text[160] = "";
    if (width * height > kMaxImagePixels)
        std::snprintf(text, sizeof text,
                      "image is too large (%lld x %lld pixels = %.1f megapixels; the limit is %lld megapixels)",
                      static_cast<long long>(width), static_cast<long long>(height),
                      static_cast<double>(width) * static_cast<double>(height) / 1e6,
                      static_cast<long long>(kMaxImagePixels / 1'000'000));
    else if (width > kMaxImageSide || height > kMaxImageSide)
        std::snprintf(text, sizeof text, "image is too large (%lld x %lld pixels; a side may be at most %lld)",
                      static_cast<long long>(width), static_cast<long long>(height),
                      static_cast<long long>(kMaxImageSide));
    return text;
}

std::vector<std::uint8_t> readFile(const std::string& path)
{
    namespace fs = std::filesystem;
    std::error_code error;
    const fs::file_status status = fs::status(path, error);
    if (error && error != std::errc::no_such_file_or_directory) {
        fail(path, error == std::errc::permission_denied ? std::string("permission denied") : error.message());
    }
    if (!fs::exists(status))
        fail(path, "file not found");
    if (fs::is_directory(status))
        fail(path, "it is a directory");
    if (!fs::is_regular_file(status))
        fail(path, "not a regular file");

    const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!file)
        fail(path, errno == EACCES ? std::string("permission denied") : std::strerror(errno));
    std::vector<std::uint8_t> bytes;
    const auto expected = fs::file_size(path, error);
    if (!error)
        bytes.reserve(expected);
    std::uint8_t buffer[1 << 16];
    std::size_t got = 0;
    while ((got = std::fread(buffer, 1, sizeof buffer, file.get())) > 0)
        bytes.insert(bytes.end(), buffer, buffer + got);
    if (std::ferror(file.get()))
        fail(path, std::string("read error: ") + std::strerror(errno));
    return bytes;
}

// Sample scaling to 8 bits, rounded: v * 255 / max (identity for 8-bit data).
template <typename T>
inline std::uint8_t to8(T v, std::uint32_t max)
{
    return static_cast<std::uint8_t>((std::uint32_t(v) * 255u + max / 2) / max);
}

// Color c with alpha a, both in [0, max], over white, rounded to 8 bits:
// round(255 * (c * a + max * (max - a)) / max^2). 64-bit for 16-bit data.
template <typename T>
inline std::uint8_t overWhite(T c, T a, std::uint64_t max)
{
    const std::uint64_t numerator = std::uint64_t(c) * a + max * (max - a);
    return static_cast<std::uint8_t>((numerator * 255 + max * max / 2) / (max * max));
}

// OpenCV's decoded channel orders are grey, grey+alpha, BGR and BGRA.
template <typename T>
cv::Mat toRgb8(const cv::Mat& src, std::uint32_t max)
{
    cv::Mat rgb(src.size(), CV_8UC3);
    const int channels = src.channels();
    for (int y = 0; y < src.rows; ++y) {
        const T* in = src.ptr<T>(y);
        std::uint8_t* out = rgb.ptr<std::uint8_t>(y);
        for (int x = 0; x < src.cols; ++x, in += channels, out += 3) {
            switch (channels) {
            case 1: out[0] = out[1] = out[2] = to8(in[0], max); break;
            case 2: out[0] = out[1] = out[2] = overWhite(in[0], in[1], max); break;
            case 3:
                out[0] = to8(in[2], max);
                out[1] = to8(in[1], max);
                out[2] = to8(in[0], max);
                break;
            default:
                out[0] = overWhite(in[2], in[3], max);
                out[1] = overWhite(in[1], in[3], max);
                out[2] = overWhite(in[0], in[3], max);
                break;
            }
        }
    }
    return rgb;
}

cv::Mat convertToRgb8(const cv::Mat& decoded, const std::string& name)
{
    const int channels = decoded.channels();
    if (channels < 1 || channels > 4)
        fail(name, "unsupported number of channels (" + std::to_string(channels) + ")");
    switch (decoded.depth()) {
    case CV_8U:
        if (channels == 1 || channels == 3) { // the common cases, vectorised
            cv::Mat rgb;
            cv::cvtColor(decoded, rgb, channels == 1 ? cv::COLOR_GRAY2RGB : cv::COLOR_BGR2RGB);
            return rgb;
        }
        return toRgb8<std::uint8_t>(decoded, 255);
    case CV_16U:
        return toRgb8<std::uint16_t>(decoded, 65535);
    default:
        fail(name, "unsupported sample type (only 8- and 16-bit integer images are read)");
    }
}

} // namespace

LoadedImage decodeImage(const std::vector<std::uint8_t>& bytes, const std::string& name)
{
    if (bytes.empty())
        fail(name, "file is empty");

    detail::ImageHeader header;
    try {
        header = detail::readImageHeader(bytes.data(), bytes.size());
    } catch (const detail::HeaderError& e) {
        fail(name, e.what());
    }
    // Before decoding: a small file can claim a huge canvas.
    if (const std::string problem = sizeProblem(header.width, header.height); !problem.empty())
        fail(name, problem);
    if (header.truncated)
        fail(name, header.truncated);

    cv::Mat decoded;
    try {
        decoded = cv::imdecode(bytes, cv::IMREAD_UNCHANGED);
    } catch (const cv::Exception&) {
        decoded.release(); // reported below, like a decoder that returned nothing
    }
    if (decoded.empty())
        fail(name, std::string("cannot decode the ") + detail::formatName(header.format) + " data (corrupt file)");

    LoadedImage image;
    image.source = name;
    image.sourceBitDepth = decoded.depth() == CV_16U ? 16 : 8;
    image.hadAlpha = decoded.channels() == 2 || decoded.channels() == 4;
    image.sourceChannels = header.channels > 0 ? header.channels : decoded.channels();
    if (image.hadAlpha && (image.sourceChannels == 1 || image.sourceChannels == 3))
        ++image.sourceChannels; // a PNG tRNS color key: stored without an alpha channel
    const int orientation = detail::exifOrientation(header.exif, header.exifSize);
    image.rgb = detail::applyExifOrientation(convertToRgb8(decoded, name), orientation);
    if (!image.rgb.isContinuous())
        image.rgb = image.rgb.clone();
    return image;
}

LoadedImage loadImage(const std::string& path)
{
    return decodeImage(readFile(path), path);
}

} // namespace gce
