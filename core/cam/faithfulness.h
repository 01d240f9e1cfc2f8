#pragma once
// Faithfulness scores: does the map point at what the network actually uses?
//
//   deletion   (Petsiuk et al., "RISE", BMVC 2018): remove the most salient
//              pixels first, in `steps` equal steps, and follow the class
//              probability; a faithful map makes it fall fast (low AUC).
//   insertion  (same paper): start from a blurred copy and put the most
//              salient pixels back first; a faithful map makes it rise fast
//              (high AUC).
//   average drop / increase in confidence (Chattopadhay et al., "Grad-CAM++",
//              WACV 2018): the class probability O_c of the image multiplied
//              by the map against Y_c of the image: drop = max(0, Y_c − O_c)/Y_c
//              × 100 (lower is better), increase = O_c > Y_c.
//
// Every image is evaluated through Network::logits in batches, so the cost is
// 2·steps + 3 forward passes; ExplainControl's `cancelled` and `progress` are
// polled between batches, as for Score-CAM, so a background worker can drop
// a request that is no longer wanted.
#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>
#include <torch/types.h>

#include "core/cam/explanationsession.h"

namespace gce {

// 50 steps: each removes or inserts 2% of the pixels. RISE's 224 steps cost
// 4.4 times the forward passes for AUCs that hardly move (README).
constexpr int kDefaultFaithfulnessSteps = 50;
// Images per Network::logits call: past 16, larger batches only cost memory
// and cancel latency (the README has the batch sweep).
constexpr int kDefaultFaithfulnessBatch = 16;
// With a cancel function the batches start at this size and grow up to
// kDefaultFaithfulnessBatch while a cancel still lands within the budget
// (core/cam/adaptivebatch.h).
constexpr int kFaithfulnessFirstBatch = 4;

struct FaithfulnessOptions {
    int steps = kDefaultFaithfulnessSteps;
    // progress: the fraction of the 2·steps + 3 images evaluated, after each
    // batch; cancelled: polled before each batch, true throws Cancelled;
    // batchSize: images per batch, 0 = kDefaultFaithfulnessBatch, or adaptive
    // from kFaithfulnessFirstBatch when `cancelled` is set.
    ExplainControl control;
};

struct FaithfulnessScores {
    int classIndex = -1;
    // steps + 1 softmax probabilities of the class; point k is at x = k/steps,
    // after k steps (point 0: the untouched image, resp. the blurred one).
    std::vector<double> deletionCurve;
    std::vector<double> insertionCurve;
    double deletionAuc = 0.0;  // trapezoid rule over x in [0,1]; lower is better
    double insertionAuc = 0.0; // higher is better
    double originalProbability = 0.0;    // Y_c: the session's probability of the class
    double explanationProbability = 0.0; // O_c: of the image multiplied by the map
    double averageDrop = 0.0;            // percent, max(0, Y_c − O_c)/Y_c × 100
    bool increaseInConfidence = false;   // O_c > Y_c
    int forwardImages = 0;               // images run through the network
    double elapsedMs = 0.0;
};

// Scores `map` (the map at the target layer's resolution, CV_32FC1 in [0,1],
// e.g. CamMap::map) for `classIndex` on the session's input. Throws
// UsageError for a class out of range, std::invalid_argument for a map that
// is not a non-empty CV_32FC1 or options out of range (steps < 1, batch
// size < 0), and Cancelled when options.control.cancelled says so.
FaithfulnessScores computeFaithfulness(ExplanationSession& session, int classIndex, const cv::Mat& map,
                                       const FaithfulnessOptions& options = {});

// Area under a curve sampled at x = k/(n−1), k = 0..n−1, by the trapezoid
// rule; a single point counts as a constant curve. Empty: 0.
double trapezoidAuc(const std::vector<double>& curve);

// A baseline to compare maps against: independent uniform values in [0,1),
// one per cell of a rows×cols map, reproducible from the seed.
cv::Mat randomSaliencyMap(int rows, int cols, std::uint64_t seed);

// The pixels of a rows×cols map in the order the curves take them: most
// salient first, equal values by increasing row-major index. `map` is the
// map already at the input's resolution.
std::vector<int> saliencyOrder(const cv::Mat& map);

// RISE's insertion start: the 1×3×H×W input blurred per channel with RISE's
// 11×11, σ = 5 Gaussian kernel, zero padding (in normalised space, so the
// border fades to the dataset's mean color).
torch::Tensor riseBlur(const torch::Tensor& input);

} // namespace gce
