#pragma once
// Conversions between the engine's OpenCV images/maps and Qt images, and the
// colorised heatmap the canvas caches per pane.
#include <QImage>
#include <QSize>

#include <opencv2/core.hpp>

#include "core/imaging/overlay.h"
#include "ui/control/camtypes.h"

namespace gce::ui {

// CV_8UC3 RGB -> QImage::Format_RGB888 (deep copy).
QImage toQImage(const cv::Mat& rgb);
// Any QImage -> CV_8UC3 RGB (deep copy).
cv::Mat toRgbMat(const QImage& image);

CamMapData toMapData(const cv::Mat& map, bool empty);
cv::Mat toMat(const CamMapData& map); // CV_32FC1 (deep copy)

// The map resized bilinearly to `size` and colored (RGB888): the heat layer
// that is blended over the photo.
QImage colorizedHeatmap(const CamMapData& map, QSize size, Colormap colormap);

} // namespace gce::ui
