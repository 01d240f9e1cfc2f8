#include "ui/control/heatmapimage.h"

#include <opencv2/imgproc.hpp>

namespace gce::ui {

QImage toQImage(const cv::Mat& rgb)
{
    CV_Assert(rgb.type() == CV_8UC3);
    QImage image(rgb.cols, rgb.rows, QImage::Format_RGB888);
    for (int y = 0; y < rgb.rows; ++y)
        std::memcpy(image.scanLine(y), rgb.ptr(y), static_cast<size_t>(rgb.cols) * 3);
    return image;
}

cv::Mat toRgbMat(const QImage& image)
{
    const QImage rgb = image.format() == QImage::Format_RGB888 ? image : image.convertToFormat(QImage::Format_RGB888);
    cv::Mat mat(rgb.height(), rgb.width(), CV_8UC3);
    for (int y = 0; y < rgb.height(); ++y)
        std::memcpy(mat.ptr(y), rgb.constScanLine(y), static_cast<size_t>(rgb.width()) * 3);
    return mat;
}

CamMapData toMapData(const cv::Mat& map, bool empty)
{
    CV_Assert(map.type() == CV_32FC1);
    CamMapData data;
    data.rows = map.rows;
    data.cols = map.cols;
    data.empty = empty;
    data.values.reserve(map.rows * map.cols);
    for (int y = 0; y < map.rows; ++y)
        for (int x = 0; x < map.cols; ++x)
            data.values.push_back(map.at<float>(y, x));
    return data;
}

cv::Mat toMat(const CamMapData& map)
{
    cv::Mat mat(map.rows, map.cols, CV_32FC1);
    std::copy(map.values.begin(), map.values.end(), mat.begin<float>());
    return mat;
}

QImage colorizedHeatmap(const CamMapData& map, QSize size, Colormap colormap)
{
    if (map.isNull() || size.isEmpty())
        return {};
    return toQImage(colorizeHeatmap(resizeHeatmap(toMat(map), cv::Size(size.width(), size.height())), colormap));
}

} // namespace gce::ui
