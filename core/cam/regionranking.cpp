#include "core/cam/regionranking.h"

#include <algorithm>

#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include "core/errors.h"

namespace gce {

namespace {

// length×cells: row p holds the weights cv::resize (INTER_LINEAR) gives each
// of `cells` source cells for output pixel p along one axis. Resizing the
// identity along that axis only (the other keeps its size, an exact copy)
// reads them off OpenCV itself, edge rules included.
cv::Mat axisWeights(int cells, int length)
{
    const cv::Mat identity = cv::Mat::eye(cells, cells, CV_32F);
    cv::Mat weights;
    cv::resize(identity, weights, cv::Size(cells, length), 0, 0, cv::INTER_LINEAR); // rows: output pixels
    return weights;
}

// Σ of rows [begin, end) of `weights` (clipped to its rows), as doubles.
torch::Tensor rowSum(const cv::Mat& weights, int begin, int end)
{
    torch::Tensor sum = torch::zeros({weights.cols}, torch::kDouble);
    auto out = sum.accessor<double, 1>();
    for (int row = std::max(0, begin); row < std::min(weights.rows, end); ++row)
        for (int cell = 0; cell < weights.cols; ++cell)
            out[cell] += weights.at<float>(row, cell);
    return sum;
}

std::string regionText(const ImageRegion& r)
{
    return std::to_string(r.x) + "," + std::to_string(r.y) + "," + std::to_string(r.width) + "," +
           std::to_string(r.height);
}

} // namespace

RegionScorer::RegionScorer(cv::Size mapSize, cv::Rect placement, cv::Size imageSize, ImageRegion region)
{
    if (region.width < 0 || region.height < 0)
        throw UsageError("region " + regionText(region) + " has a negative size");
    // A point is its one pixel.
    const cv::Rect wanted(region.x, region.y, std::max(1, region.width), std::max(1, region.height));
    const cv::Rect clipped = wanted & cv::Rect(cv::Point(0, 0), imageSize);
    if (clipped.empty())
        throw UsageError("region " + regionText(region) + " lies outside the image (" +
                         std::to_string(imageSize.width) + "×" + std::to_string(imageSize.height) + ")");
    m_region = region.width == 0 && region.height == 0
                   ? region
                   : ImageRegion{clipped.x, clipped.y, clipped.width, clipped.height};

    const cv::Mat rows = axisWeights(mapSize.height, placement.height);
    const cv::Mat columns = axisWeights(mapSize.width, placement.width);
    const auto massOf = [&](const cv::Rect& r) {
        const torch::Tensor ry = rowSum(rows, r.y - placement.y, r.y + r.height - placement.y);
        const torch::Tensor rx = rowSum(columns, r.x - placement.x, r.x + r.width - placement.x);
        return torch::outer(ry, rx).reshape({-1});
    };
    m_regionMass = massOf(clipped);
    m_meanWeights = m_regionMass / double(clipped.area());
    m_wholeMass = massOf(placement);
}

std::vector<RegionScore> RegionScorer::rank(const torch::Tensor& raw, int k) const
{
    const torch::Tensor maps = raw.reshape({raw.size(0), -1}).to(torch::kDouble);
    if (maps.size(1) != m_meanWeights.size(0))
        throw UsageError("region ranking: the maps have " + std::to_string(maps.size(1)) + " cells, the scorer " +
                         std::to_string(m_meanWeights.size(0)));
    const torch::Tensor here = torch::mv(maps, m_meanWeights);
    const torch::Tensor inRegion = torch::mv(maps, m_regionMass);
    const torch::Tensor whole = torch::mv(maps, m_wholeMass);
    std::vector<RegionScore> scores(static_cast<std::size_t>(maps.size(0)));
    const auto h = here.accessor<double, 1>();
    const auto r = inRegion.accessor<double, 1>();
    const auto w = whole.accessor<double, 1>();
    for (int64_t c = 0; c < maps.size(0); ++c)
        scores[std::size_t(c)] = {int(c), h[c], w[c] > 0 ? r[c] / w[c] : 0.0};
    std::stable_sort(scores.begin(), scores.end(),
                     [](const RegionScore& a, const RegionScore& b) { return a.here > b.here; });
    if (k > 0 && std::size_t(k) < scores.size())
        scores.resize(std::size_t(k));
    return scores;
}

} // namespace gce
