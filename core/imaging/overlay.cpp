#include "core/imaging/overlay.h"

#include <array>
#include <cctype>
#include <stdexcept>

#include <opencv2/imgproc.hpp>

namespace gce {
namespace {

struct ColormapInfo {
    Colormap map;
    const char* name;
    int opencvCode; // cv::ColormapTypes; -1 for Gray, which needs no table
};

constexpr std::array<ColormapInfo, 6> kColormaps{{
    {Colormap::Jet, "jet", cv::COLORMAP_JET},
    {Colormap::Turbo, "turbo", cv::COLORMAP_TURBO},
    {Colormap::Viridis, "viridis", cv::COLORMAP_VIRIDIS},
    {Colormap::Inferno, "inferno", cv::COLORMAP_INFERNO},
    {Colormap::Magma, "magma", cv::COLORMAP_MAGMA},
    {Colormap::Gray, "gray", -1},
}};

const ColormapInfo& info(Colormap map)
{
    for (const auto& entry : kColormaps)
        if (entry.map == map)
            return entry;
    throw std::invalid_argument("unknown colormap");
}

void requireHeatmap(const cv::Mat& map, const char* function)
{
    if (map.empty() || map.type() != CV_32FC1)
        throw std::invalid_argument(std::string(function) + ": expected a non-empty CV_32FC1 map");
}

void requireRgb(const cv::Mat& image, const char* function, const char* what)
{
    if (image.empty() || image.type() != CV_8UC3)
        throw std::invalid_argument(std::string(function) + ": expected a non-empty CV_8UC3 " + what);
}

// np.uint8(255 * v): a float32 product truncated toward zero. Clamping first
// keeps the out-of-range cases (where numpy's cast is undefined) sensible;
// NaN fails both comparisons and becomes 0.
inline std::uint8_t quantise(float v)
{
    if (!(v > 0.0f))
        return 0;
    if (v >= 1.0f)
        return 255;
    return static_cast<std::uint8_t>(255.0f * v);
}

} // namespace

std::string colormapName(Colormap map) { return info(map).name; }

std::optional<Colormap> colormapFromName(std::string_view name)
{
    std::string lower(name);
    for (char& c : lower)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const auto& entry : kColormaps)
        if (lower == entry.name)
            return entry.map;
    return std::nullopt;
}

std::vector<Colormap> allColormaps()
{
    std::vector<Colormap> maps;
    for (const auto& entry : kColormaps)
        maps.push_back(entry.map);
    return maps;
}

cv::Mat resizeHeatmap(const cv::Mat& map, cv::Size size)
{
    requireHeatmap(map, "resizeHeatmap");
    if (size.width < 1 || size.height < 1)
        throw std::invalid_argument("resizeHeatmap: size must be at least 1x1");
    cv::Mat resized;
    cv::resize(map, resized, size, 0, 0, cv::INTER_LINEAR);
    return resized;
}

cv::Mat colorizeHeatmap(const cv::Mat& map, Colormap colormap)
{
    requireHeatmap(map, "colorizeHeatmap");
    cv::Mat grey(map.size(), CV_8UC1);
    for (int y = 0; y < map.rows; ++y) {
        const float* in = map.ptr<float>(y);
        std::uint8_t* out = grey.ptr<std::uint8_t>(y);
        for (int x = 0; x < map.cols; ++x)
            out[x] = quantise(in[x]);
    }

    cv::Mat rgb;
    const int code = info(colormap).opencvCode;
    if (code < 0) {
        cv::cvtColor(grey, rgb, cv::COLOR_GRAY2RGB);
    } else {
        cv::Mat bgr;
        cv::applyColorMap(grey, bgr, code);
        cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    }
    return rgb;
}

cv::Mat blendOverlay(const cv::Mat& imageRgb, const cv::Mat& heatRgb, double alpha)
{
    requireRgb(imageRgb, "blendOverlay", "image");
    requireRgb(heatRgb, "blendOverlay", "heatmap");
    if (imageRgb.size() != heatRgb.size())
        throw std::invalid_argument("blendOverlay: image and heatmap sizes differ");
    if (!(alpha >= 0.0 && alpha <= 1.0))
        throw std::invalid_argument("blendOverlay: alpha must be in [0, 1]");
    cv::Mat blended;
    cv::addWeighted(imageRgb, 1.0 - alpha, heatRgb, alpha, 0.0, blended);
    return blended;
}

cv::Mat renderOverlay(const cv::Mat& imageRgb, const cv::Mat& map, Colormap colormap, double alpha)
{
    requireRgb(imageRgb, "renderOverlay", "image");
    const cv::Mat heat = colorizeHeatmap(resizeHeatmap(map, imageRgb.size()), colormap);
    return blendOverlay(imageRgb, heat, alpha);
}

cv::Mat colormapBar(Colormap colormap, int width, int height)
{
    if (width < 1 || height < 1)
        throw std::invalid_argument("colormapBar: size must be at least 1x1");
    cv::Mat ramp(1, width, CV_32FC1);
    for (int x = 0; x < width; ++x)
        ramp.at<float>(0, x) = width == 1 ? 0.0f : static_cast<float>(x) / static_cast<float>(width - 1);
    cv::Mat bar;
    cv::repeat(colorizeHeatmap(ramp, colormap), height, 1, bar);
    return bar;
}

} // namespace gce
