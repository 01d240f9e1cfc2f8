#pragma once
// OpenCV helpers for the imaging tests (header-only: only they use OpenCV).
#include <QString>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace gce::test {

// A reference PNG written by the oracle, as CV_8UC3 RGB (empty when unreadable).
inline cv::Mat readRgb(const QString& path)
{
    cv::Mat bgr = cv::imread(path.toStdString(), cv::IMREAD_COLOR);
    cv::Mat rgb;
    if (!bgr.empty())
        cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    return rgb;
}

} // namespace gce::test
