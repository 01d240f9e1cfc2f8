#pragma once
// Heatmap overlays exactly as the Grad-CAM tutorial draws them:
//   heat = cv2.resize(map, (W, H))                  bilinear, to the original image
//   heat = cv2.applyColorMap(np.uint8(255 * heat), cv2.COLORMAP_JET)
//   out  = cv2.addWeighted(img, 1 - alpha, heat, alpha, 0)   alpha = 0.4
// All images here are RGB (the tutorial works in BGR; the colors are the same).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <opencv2/core.hpp>

namespace gce {

enum class Colormap { Jet, Turbo, Viridis, Inferno, Magma, Gray };

constexpr double kDefaultOverlayAlpha = 0.4;

// Lower-case names: "jet", "turbo", "viridis", "inferno", "magma", "gray".
std::string colormapName(Colormap map);
std::optional<Colormap> colormapFromName(std::string_view name); // case-insensitive
std::vector<Colormap> allColormaps();

// map: CV_32FC1 with values in [0,1]. Bilinear resize (cv::INTER_LINEAR) to `size`.
cv::Mat resizeHeatmap(const cv::Mat& map, cv::Size size);

// map: CV_32FC1 in [0,1] -> CV_8UC3 RGB colors, quantised like np.uint8(255*v)
// (truncation), values outside [0,1] clamped.
cv::Mat colorizeHeatmap(const cv::Mat& map, Colormap colormap);

// (1-alpha)*image + alpha*heat with cv::addWeighted's rounding. Both CV_8UC3 of
// the same size; alpha in [0,1] (throws std::invalid_argument otherwise).
cv::Mat blendOverlay(const cv::Mat& imageRgb, const cv::Mat& heatRgb, double alpha);

// The whole tutorial overlay: resize map to the image, colorize, blend.
cv::Mat renderOverlay(const cv::Mat& imageRgb, const cv::Mat& map, Colormap colormap = Colormap::Jet,
                      double alpha = kDefaultOverlayAlpha);

// A horizontal color bar (for legends in exports): width x height, low values left.
cv::Mat colormapBar(Colormap colormap, int width, int height);

} // namespace gce
