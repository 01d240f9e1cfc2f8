#include "core/cam/cammethods.h"

#include "core/cam/smoothing.h"

#include <torch/torch.h>

#include "core/cam/explanationsession.h"
#include "core/models/interrupt.h"
#include "core/support/textmatch.h"

namespace gce {

namespace {

struct MethodInfo {
    CamMethod method;
    const char* name;
    const char* description;
};

constexpr MethodInfo kMethods[] = {
    {CamMethod::GradCam, "gradcam", "Grad-CAM: channel weights = spatial mean of the gradient (the tutorial's)"},
    {CamMethod::GradCamPlusPlus, "gradcam++", "Grad-CAM++: positive gradients weighted by second/third-order terms"},
    {CamMethod::XGradCam, "xgradcam", "XGrad-CAM: weights = sum(gradient x activation) / sum(activation)"},
    {CamMethod::HiResCam, "hirescam", "HiRes-CAM: element-wise gradient x activation, summed over channels"},
    {CamMethod::LayerCam, "layercam", "LayerCAM: element-wise relu(gradient) x activation"},
    {CamMethod::EigenCam, "eigencam", "Eigen-CAM: first principal component of the activations (class-agnostic)"},
    {CamMethod::ScoreCam, "scorecam",
     "Score-CAM: weights = class probability of the image masked by each channel (one pass per channel)"},
    {CamMethod::AblationCam, "ablationcam",
     "Ablation-CAM: weights = relative drop of the class score when a channel is zeroed (layers after the target)"},
    {CamMethod::GuidedBackprop, "guidedbackprop",
     "Guided Backpropagation: input gradient through ReLUs that pass only positive gradients (input resolution)"},
    {CamMethod::GuidedGradCam, "guidedgradcam",
     "Guided Grad-CAM: guided backpropagation x Grad-CAM upsampled to the input (input resolution)"},
};

// Channels per batch (core/cam/adaptivebatch.h grows the first size up to
// the largest while the cancel latency allows; bench/gce_bench.cpp's
// ScoreCam/Batch and AblationCam/Batch sweeps chose the largest, the README
// has the figures). A Score-CAM pass is a whole forward, so its first batch is
// small and memory traffic caps the largest; an Ablation-CAM batch re-runs the
// layers before the target once, so larger batches amortise that.
constexpr int64_t kScoreCamFirstBatch = 2;
constexpr int64_t kScoreCamLargestBatch = 16;
constexpr int64_t kAblationCamFirstBatch = 16;
constexpr int64_t kAblationCamLargestBatch = 128;

class GradCamMethod : public CamMethodImpl {
public:
    bool linearInGradient() const override { return true; }
};

class GradCamPlusPlusMethod : public CamMethodImpl {
public:
    // Near the pole 2 + ΣA·g = 0 (below), an activation off by rounding
    // (7e-7 of its largest value, an inference form's) moved trained
    // SqueezeNet's maps at features.9 by up to 5.7e-4.
    bool magnifiesRounding() const override { return true; }

protected:
    torch::Tensor channelWeights(const torch::Tensor& a, const torch::Tensor& g) const override
    {
        // α = g²/(2g² + ΣA·g³) is exactly 1/(2 + ΣA·g) wherever g ≠ 0, so no
        // eps is needed. pytorch-grad-cam (and this engine before) added
        // one to the first form's denominator, where with trained weights
        // it dominates: g² is ~3e-8 at SqueezeNet's features.12, and an eps
        // of 1e-7 moved the map by up to 0.07. Where g = 0 the first form
        // is 0/0: α = 0 (the paper's convention, and relu(g) = 0 there
        // anyway). Where 2 + ΣA·g = 0 the formula is singular: α = 0, the
        // point gives no evidence rather than an infinite weight.
        const torch::Tensor sumA = a.sum({2, 3}, /*keepdim=*/true);
        const torch::Tensor denominator = 2 + sumA * g;
        const torch::Tensor defined = (g != 0).logical_and(denominator != 0);
        const torch::Tensor alpha = torch::where(defined, denominator.reciprocal(), torch::zeros_like(g));
        return (torch::relu(g) * alpha).sum({2, 3}, /*keepdim=*/true);
    }
};

class XGradCamMethod : public CamMethodImpl {
public:
    bool linearInGradient() const override { return true; }
    // ΣA_k of a layer with signed outputs (a convolution before its
    // BatchNorm) can cancel to near 0, where rounding decides the weight.
    bool magnifiesRounding() const override { return true; }

protected:
    torch::Tensor channelWeights(const torch::Tensor& a, const torch::Tensor& g) const override
    {
        return (g * a).sum({2, 3}, true) / (a.sum({2, 3}, true) + 1e-7);
    }
};

class HiResCamMethod : public CamMethodImpl {
public:
    bool linearInGradient() const override { return true; }
    torch::Tensor camImages(const torch::Tensor& a, const torch::Tensor& g) const override { return (g * a).sum(1); }
    torch::Tensor weightedActivations(const torch::Tensor& a, const torch::Tensor& g) const override { return g * a; }
};

class LayerCamMethod : public CamMethodImpl {
public:
    torch::Tensor camImages(const torch::Tensor& a, const torch::Tensor& g) const override
    {
        return (torch::relu(g) * a).sum(1);
    }
    torch::Tensor weightedActivations(const torch::Tensor& a, const torch::Tensor& g) const override
    {
        return torch::relu(g) * a;
    }
};

class EigenCamMethod : public CamMethodImpl {
public:
    bool usesGradients() const override { return false; }
    // Eigen-CAM already is the activations' projection: smoothing leaves it as is.
    torch::Tensor weightedActivations(const torch::Tensor& a, const torch::Tensor&) const override { return a; }
    torch::Tensor camImage(const torch::Tensor& a, const torch::Tensor&) const override
    {
        // Its sign comes from the component, not from the projection's sum
        // (always 0 for centred points): see core/cam/smoothing.h.
        return principalComponentProjection(a);
    }
};

// Wang et al. 2020 as the authors implement it (haofanwang/Score-CAM,
// cam/scorecam.py): each channel, bilinearly upsampled to the input and
// min-max normalised, masks the preprocessed input; its weight is the softmax
// probability of the class for the masked input.
class ScoreCamMethod : public CamMethodImpl {
public:
    bool usesGradients() const override { return false; }
    bool usesChannelScores() const override { return true; }
    int64_t firstBatch() const override { return kScoreCamFirstBatch; }
    int64_t largestBatch() const override { return kScoreCamLargestBatch; }

    torch::Tensor channelScores(ExplanationSession& session, int64_t begin, int64_t end) const override
    {
        namespace F = torch::nn::functional;
        torch::NoGradGuard noGrad;
        const torch::Tensor& input = session.input();
        const torch::Tensor channels = session.activation().slice(1, begin, end).transpose(0, 1); // n×1×h×w
        torch::Tensor masks = F::interpolate(channels, F::InterpolateFuncOptions()
                                                           .size(std::vector<int64_t>{input.size(2), input.size(3)})
                                                           .mode(torch::kBilinear)
                                                           .align_corners(false));
        const torch::Tensor flat = masks.flatten(1);
        const torch::Tensor low = std::get<0>(flat.min(1)), high = std::get<0>(flat.max(1));
        torch::Tensor scores = torch::zeros({end - begin, int64_t(session.classCount())});
        // A constant channel masks nothing in particular (and would divide by
        // zero): weight 0, and no pass is run for it, as the authors skip it.
        const torch::Tensor varying = (high > low).nonzero().flatten();
        if (varying.numel() == 0)
            return scores;
        const auto shape = std::vector<int64_t>{-1, 1, 1, 1};
        const torch::Tensor lo = low.index_select(0, varying).view(shape);
        const torch::Tensor span = (high.index_select(0, varying) - low.index_select(0, varying)).view(shape);
        masks = (masks.index_select(0, varying) - lo) / span;
        // Channels-last: oneDNN's convolutions take 10-20% less CPU time per
        // image on a batch of 16 here (bench ScoreCam/Batch) than on NCHW.
        const torch::Tensor masked = (input * masks).contiguous(torch::MemoryFormat::ChannelsLast);
        InterruptScope::poll(); // the masks took a while too: a gap of their own
        const torch::Tensor logits = session.network().logits(masked);
        return scores.index_copy_(0, varying, torch::softmax(logits, 1));
    }

    torch::Tensor scoreWeights(const torch::Tensor& scores, const torch::Tensor&, int classIndex) const override
    {
        return scores.select(1, classIndex);
    }
};

// Desai & Ramaswamy 2020, as pytorch-grad-cam's ablation_cam.py applies it to
// one image: the channel is set to 0 (the paper's ablation) and only the
// layers after the target run, on a batch of ablated activations.
class AblationCamMethod : public CamMethodImpl {
public:
    bool usesGradients() const override { return false; }
    bool usesChannelScores() const override { return true; }
    int64_t firstBatch() const override { return kAblationCamFirstBatch; }
    int64_t largestBatch() const override { return kAblationCamLargestBatch; }

    torch::Tensor channelScores(ExplanationSession& session, int64_t begin, int64_t end) const override
    {
        torch::NoGradGuard noGrad;
        const int64_t count = end - begin;
        torch::Tensor ablated = session.activation().repeat({count, 1, 1, 1});
        // Row i loses channel begin + i.
        ablated.index_put_({torch::arange(count), torch::arange(begin, end)}, 0.f);
        return session.tailLogits(ablated);
    }

    torch::Tensor scoreWeights(const torch::Tensor& scores, const torch::Tensor& logits, int classIndex) const override
    {
        const float score = logits[0][classIndex].item<float>();
        // A class score of exactly 0 has no relative drop: no evidence (an
        // empty map) rather than infinities.
        if (score == 0.f)
            return torch::zeros({scores.size(0)});
        return (score - scores.select(1, classIndex)) / score;
    }
};

} // namespace

torch::Tensor CamMethodImpl::channelScores(ExplanationSession&, int64_t, int64_t) const
{
    TORCH_CHECK(false, "channelScores called on a method without channel scores");
    return {};
}

torch::Tensor CamMethodImpl::scoreWeights(const torch::Tensor&, const torch::Tensor&, int) const
{
    TORCH_CHECK(false, "scoreWeights called on a method without channel scores");
    return {};
}

torch::Tensor CamMethodImpl::channelWeights(const torch::Tensor&, const torch::Tensor& gradient) const
{
    return gradient.mean({2, 3}, /*keepdim=*/true);
}

torch::Tensor CamMethodImpl::camImages(const torch::Tensor& activation, const torch::Tensor& gradients) const
{
    return (channelWeights(activation, gradients) * activation).sum(1);
}

std::string camMethodName(CamMethod method)
{
    for (const auto& info : kMethods)
        if (info.method == method)
            return info.name;
    return "?";
}

std::string camMethodDescription(CamMethod method)
{
    for (const auto& info : kMethods)
        if (info.method == method)
            return info.description;
    return {};
}

std::optional<CamMethod> camMethodFromName(std::string_view name)
{
    const std::string wanted = toLowerAscii(name);
    for (const auto& info : kMethods)
        if (wanted == info.name)
            return info.method;
    return std::nullopt;
}

std::vector<CamMethod> allCamMethods()
{
    std::vector<CamMethod> methods;
    for (const auto& info : kMethods)
        methods.push_back(info.method);
    return methods;
}

std::unique_ptr<CamMethodImpl> makeCamMethod(CamMethod method)
{
    switch (method) {
    case CamMethod::GradCam: return std::make_unique<GradCamMethod>();
    case CamMethod::GradCamPlusPlus: return std::make_unique<GradCamPlusPlusMethod>();
    case CamMethod::XGradCam: return std::make_unique<XGradCamMethod>();
    case CamMethod::HiResCam: return std::make_unique<HiResCamMethod>();
    case CamMethod::LayerCam: return std::make_unique<LayerCamMethod>();
    case CamMethod::EigenCam: return std::make_unique<EigenCamMethod>();
    case CamMethod::ScoreCam: return std::make_unique<ScoreCamMethod>();
    case CamMethod::AblationCam: return std::make_unique<AblationCamMethod>();
    // Routed to core/cam/guidedbackprop.h by the session; the layer map they
    // build on (Guided Grad-CAM's factor) is Grad-CAM's.
    case CamMethod::GuidedBackprop:
    case CamMethod::GuidedGradCam: return std::make_unique<GradCamMethod>();
    }
    return std::make_unique<GradCamMethod>();
}

PrefixPass prefixPassFor(CamMethod method)
{
    return makeCamMethod(method)->magnifiesRounding() ? PrefixPass::Exact : PrefixPass::Fastest;
}

} // namespace gce
