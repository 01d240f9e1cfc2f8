#pragma once
// "What is here?": every class scored by its evidence in a region of the
// photo, from the raw maps of core/cam/classmaps.h.
//
// here  = the class's raw map ReLU(Σα·A), resized as the overlay resizes it
//         (bilinear, cv::resize INTER_LINEAR) to where it lies on the photo,
//         averaged over the region's pixels;
// share = the fraction of the resized map's whole mass that lies in the region.
// Both are linear in the map, so they are computed on the map's own cells:
// bilinear resizing is separable, and the weights of a region are the outer
// product of its row and column sums of the two axes' interpolation weights.
// A further region costs one small matrix product, no pass through the network.
#include <vector>

#include <opencv2/core.hpp>
#include <torch/types.h>

namespace gce {

// Pixels of the original photo; width = height = 0 is the point (x, y).
struct ImageRegion {
    int x = 0;
    int y = 0;
    int width = 0;
    int height = 0;
};

struct RegionScore {
    int classIndex = -1;
    double here = 0.0;  // mean raw evidence over the region's pixels
    double share = 0.0; // region's part of the map's mass, 0..1 (0 for an empty map)
};

class RegionScorer {
public:
    // A map of mapSize cells resized to `placement` in a photo of imageSize:
    // the whole photo for the tutorial's Resize, the crop's rectangle for the
    // model transform (pixels outside it carry no evidence). Throws UsageError
    // when the region does not overlap the photo or has a negative size; a
    // region reaching past the photo's edge is clipped to it.
    RegionScorer(cv::Size mapSize, cv::Rect placement, cv::Size imageSize, ImageRegion region);

    // Scores of every class in `raw` (classes×h×w), highest `here` first
    // (ties: lower class index first); k > 0 keeps the first k.
    std::vector<RegionScore> rank(const torch::Tensor& raw, int k = 0) const;
    // The region after clipping to the photo.
    const ImageRegion& region() const { return m_region; }

private:
    ImageRegion m_region;
    torch::Tensor m_meanWeights;  // h·w (double): mean over the region = weights · map
    torch::Tensor m_regionMass;   // h·w: sum over the region
    torch::Tensor m_wholeMass;    // h·w: sum over the whole resized map
};

} // namespace gce
