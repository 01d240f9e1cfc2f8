#include "core/cam/faithfulness.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>

#include <torch/torch.h>

#include "core/cam/adaptivebatch.h"
#include "core/errors.h"
#include "core/imaging/overlay.h"
#include "core/support/stopwatch.h"

namespace gce {

namespace {

constexpr int kBlurSize = 11;      // RISE's klen
constexpr double kBlurSigma = 5.0; // RISE's nsig

// RISE builds its kernel as scipy.ndimage.gaussian_filter(delta, 5) on an
// 11×11 grid: a Gaussian truncated at 4σ (radius 20) whose tails, wider than
// the grid, are folded back in by scipy's default 'reflect' boundary
// (d c b a | a b c d | d c b a). We reproduce that fold so that the blurred
// image is RISE's, not merely similar. The 2-D kernel is the outer product.
std::array<double, kBlurSize> riseKernel1d()
{
    const int radius = static_cast<int>(4.0 * kBlurSigma + 0.5);
    std::vector<double> weights(2 * radius + 1);
    for (int t = -radius; t <= radius; ++t)
        weights[t + radius] = std::exp(-0.5 * t * t / (kBlurSigma * kBlurSigma));
    const double sum = std::accumulate(weights.begin(), weights.end(), 0.0);
    const auto reflect = [](int p) {
        const int period = 2 * kBlurSize;
        p = ((p % period) + period) % period;
        return p < kBlurSize ? p : period - 1 - p;
    };
    std::array<double, kBlurSize> kernel{};
    const int centre = kBlurSize / 2;
    for (int i = 0; i < kBlurSize; ++i)
        for (int t = -radius; t <= radius; ++t)
            if (reflect(i + t) == centre)
                kernel[i] += weights[t + radius] / sum;
    return kernel;
}


// One image to evaluate: the pixels ranked below `count` come from `inside`,
// the others from `outside`.
struct MaskedImage {
    const torch::Tensor* inside;
    const torch::Tensor* outside;
    int64_t count;
};

} // namespace

double trapezoidAuc(const std::vector<double>& curve)
{
    if (curve.empty())
        return 0.0;
    if (curve.size() == 1)
        return curve.front();
    const double sum = std::accumulate(curve.begin(), curve.end(), 0.0);
    return (sum - 0.5 * (curve.front() + curve.back())) / static_cast<double>(curve.size() - 1);
}

cv::Mat randomSaliencyMap(int rows, int cols, std::uint64_t seed)
{
    if (rows < 1 || cols < 1)
        throw std::invalid_argument("randomSaliencyMap: size must be at least 1x1");
    // The engine's own conversion (top 24 bits of mt19937_64), not
    // std::uniform_real_distribution, whose output differs between standard
    // libraries: a seed means the same map everywhere.
    std::mt19937_64 generator(seed);
    cv::Mat map(rows, cols, CV_32FC1);
    for (int y = 0; y < rows; ++y)
        for (int x = 0; x < cols; ++x)
            map.at<float>(y, x) = static_cast<float>(generator() >> 40) * (1.0f / 16777216.0f);
    return map;
}

std::vector<int> saliencyOrder(const cv::Mat& map)
{
    if (map.empty() || map.type() != CV_32FC1)
        throw std::invalid_argument("saliencyOrder: expected a non-empty CV_32FC1 map");
    const cv::Mat values = map.isContinuous() ? map : map.clone();
    const float* v = values.ptr<float>();
    std::vector<int> order(static_cast<std::size_t>(values.total()));
    std::iota(order.begin(), order.end(), 0);
    // Stable: equal saliency keeps row-major order, so the curves never
    // depend on the sort implementation.
    std::stable_sort(order.begin(), order.end(), [v](int a, int b) { return v[a] > v[b]; });
    return order;
}

torch::Tensor riseBlur(const torch::Tensor& input)
{
    TORCH_CHECK(input.dim() == 4, "riseBlur: expected an N×C×H×W tensor");
    torch::NoGradGuard noGrad;
    const auto k1 = riseKernel1d();
    auto kernel = torch::from_blob(const_cast<double*>(k1.data()), {kBlurSize}, torch::kFloat64).to(input.dtype());
    kernel = torch::outer(kernel, kernel);
    const int64_t channels = input.size(1);
    const auto weight = kernel.expand({channels, 1, kBlurSize, kBlurSize}).contiguous();
    return torch::conv2d(input, weight, /*bias=*/{}, /*stride=*/1, /*padding=*/kBlurSize / 2, /*dilation=*/1,
                         /*groups=*/channels);
}

FaithfulnessScores computeFaithfulness(ExplanationSession& session, int classIndex, const cv::Mat& map,
                                       const FaithfulnessOptions& options)
{
    if (map.empty() || map.type() != CV_32FC1)
        throw std::invalid_argument("computeFaithfulness: expected a non-empty CV_32FC1 map");
    if (options.steps < 1 || options.control.batchSize < 0)
        throw std::invalid_argument("computeFaithfulness: steps must be at least 1 and the batch size not negative");
    const ExplainControl& control = options.control;
    AdaptiveBatch batch = AdaptiveBatch::choose(control.batchSize, bool(control.cancelled), kFaithfulnessFirstBatch,
                                                kDefaultFaithfulnessBatch);
    const auto start = std::chrono::steady_clock::now();
    FaithfulnessScores scores;
    scores.classIndex = classIndex;
    scores.originalProbability = session.score(classIndex).probability; // UsageError when out of range

    torch::NoGradGuard noGrad;
    const torch::Tensor input = session.input().contiguous();
    const int64_t height = input.size(2);
    const int64_t width = input.size(3);
    const int64_t pixels = height * width;

    // The map at the input's resolution, as the overlay shows it.
    const cv::Mat upsampled = resizeHeatmap(map, cv::Size(static_cast<int>(width), static_cast<int>(height)));
    const std::vector<int> order = saliencyOrder(upsampled);
    std::vector<int32_t> rankValues(order.size());
    for (std::size_t i = 0; i < order.size(); ++i)
        rankValues[static_cast<std::size_t>(order[i])] = static_cast<int32_t>(i);
    const torch::Tensor rank = torch::from_blob(rankValues.data(), {1, 1, height, width}, torch::kInt32).clone();
    const torch::Tensor saliency =
        torch::from_blob(const_cast<float*>(upsampled.ptr<float>()), {1, 1, height, width}, torch::kFloat32)
            .clone()
            .to(input.dtype());

    // Baselines after RISE (Petsiuk et al. 2018, and its evaluation.py):
    // deletion replaces pixels with 0 in normalised space, i.e. the dataset's
    // mean color; insertion starts from the blurred image. The explanation
    // map of Grad-CAM++ multiplies the same normalised input by the map, so
    // that a zero there also means "mean color", as pytorch-grad-cam does.
    const torch::Tensor removed = torch::zeros_like(input);
    const torch::Tensor blurred = riseBlur(input);
    const torch::Tensor explanation = input * saliency;

    const int steps = options.steps;
    std::vector<MaskedImage> images;
    for (int k = 0; k <= steps; ++k) // deletion: k steps of the most salient pixels removed
        images.push_back({&removed, &input, (k * pixels + steps / 2) / steps});
    for (int k = 0; k <= steps; ++k) // insertion: k steps of them put back into the blur
        images.push_back({&input, &blurred, (k * pixels + steps / 2) / steps});
    images.push_back({&explanation, &explanation, 0});
    const int total = static_cast<int>(images.size());

    std::vector<double> probabilities;
    probabilities.reserve(images.size());
    for (int first = 0; first < total;) {
        if (control.cancelled && control.cancelled())
            throw Cancelled("faithfulness scores cancelled");
        const int last = static_cast<int>(std::min<int64_t>(total, first + batch.size()));
        std::vector<torch::Tensor> batchImages;
        for (int i = first; i < last; ++i) {
            const MaskedImage& image = images[static_cast<std::size_t>(i)];
            batchImages.push_back(torch::where(rank < image.count, *image.inside, *image.outside));
        }
        torch::Tensor logits;
        // Polled inside the batch too, after every module where the network allows it.
        batch.run(control.cancelled, "faithfulness scores cancelled",
                  [&] { logits = session.network().logits(torch::cat(batchImages, 0)); });
        first = last;
        const torch::Tensor p = torch::softmax(logits.to(torch::kFloat64), 1).select(1, classIndex).contiguous();
        probabilities.insert(probabilities.end(), p.data_ptr<double>(), p.data_ptr<double>() + p.numel());
        if (control.progress)
            control.progress(static_cast<double>(last) / total);
    }

    const auto curveEnd = probabilities.begin() + (steps + 1);
    scores.deletionCurve.assign(probabilities.begin(), curveEnd);
    scores.insertionCurve.assign(curveEnd, curveEnd + (steps + 1));
    scores.deletionAuc = trapezoidAuc(scores.deletionCurve);
    scores.insertionAuc = trapezoidAuc(scores.insertionCurve);
    scores.explanationProbability = probabilities.back();
    const double y = scores.originalProbability;
    const double o = scores.explanationProbability;
    // Y_c is a softmax output, so positive unless it underflowed to 0; then
    // nothing can drop.
    scores.averageDrop = y > 0.0 ? std::max(0.0, y - o) / y * 100.0 : 0.0;
    scores.increaseInConfidence = o > y;
    scores.forwardImages = total;
    scores.elapsedMs = millisecondsSince(start);
    return scores;
}

} // namespace gce
