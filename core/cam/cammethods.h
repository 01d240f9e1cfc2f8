#pragma once
// The CAM family on one pipeline. Every method turns the target layer's
// activation A (1×C×H×W) and, when it uses them, the gradients G = dS/dA of a
// score S into a map; the pipeline (ExplanationSession) then applies ReLU and
// divides by the maximum. A method overrides one hook, as in
// pytorch-grad-cam: channel weights (cam = Σ_k w_k A_k) or the whole image.
//
//   gradcam      w_k = mean(G_k)                              (Selvaraju et al. / the tutorial)
//   gradcam++    w_k = Σ relu(G_k) · α_k,  α = G²/(2G² + ΣA·G³) (Chattopadhay et al.),
//                computed as 1/(2 + ΣA·G): equal where G ≠ 0, and no eps needed
//   xgradcam     w_k = Σ(G_k·A_k) / (ΣA_k + 1e-7)               (Fu et al.)
//   hirescam     cam = Σ_k G_k ⊙ A_k, no spatial averaging         (Draelos & Carin)
//   layercam     cam = Σ_k relu(G_k) ⊙ A_k                         (Jiang et al.)
//   eigencam     cam = projection of A on its first principal component, no gradients;
//                the SVD's sign is fixed so that the projection's sum is positive.
//
// Score-based methods weigh channels by the class scores of perturbed passes
// instead of gradients (no autograd):
//   scorecam     w_k = softmax(f(X ∘ M_k))_c, M_k = A_k upsampled (bilinear) to the
//                input and min-max normalised; constant channels get w_k = 0 without
//                a pass. As the authors' implementation (haofanwang/Score-CAM,
//                Wang et al. 2020): softmax over the classes, no baseline.
//   ablationcam  w_k = (y_c − y_c^k) / y_c, y_c^k = logit c with channel k of A set
//                to 0, only the layers after the target run (Desai & Ramaswamy 2020).
// Their perturbed scores do not depend on the class: the session computes the
// channels×classes matrix once (channelScores, batch by batch, with progress
// and cancel) and keeps it, so a further class costs only scoreWeights.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <torch/types.h>

#include "core/models/network.h"

namespace gce {

// GuidedBackprop and GuidedGradCam are computed at the input's resolution by
// core/cam/guidedbackprop.h (the session routes them there).
enum class CamMethod {
    GradCam, GradCamPlusPlus, XGradCam, HiResCam, LayerCam, EigenCam, ScoreCam, AblationCam,
    GuidedBackprop, GuidedGradCam
};

std::string camMethodName(CamMethod method);                   // "gradcam", "gradcam++", ...
std::optional<CamMethod> camMethodFromName(std::string_view name); // case-insensitive
std::vector<CamMethod> allCamMethods();
std::string camMethodDescription(CamMethod method);            // one line for --list-methods

class ExplanationSession;

// How a long explanation (Score-CAM: one forward pass per channel) reports
// progress and learns that it is no longer wanted. Both are called between
// batches on the computing thread; either may be empty.
struct ExplainControl {
    std::function<void(double fraction)> progress; // 0..1 of the perturbed passes done
    std::function<bool()> cancelled;               // true: stop, ExplanationSession::explain throws Cancelled
    int batchSize = 0;                             // channels per batch; 0 = adaptive (core/cam/adaptivebatch.h)
};

class CamMethodImpl {
public:
    virtual ~CamMethodImpl() = default;
    virtual bool usesGradients() const { return true; }
    // Whether the map before ReLU is linear in the gradient, channel by
    // channel (weightedActivations' channel k depends on the gradient's
    // channel k only, linearly): Grad-CAM, XGrad-CAM, HiRes-CAM. Then every
    // class's map follows from the Jacobian of the logits, which region
    // ranking (core/cam/classmaps.h) gets for all classes at once.
    virtual bool linearInGradient() const { return false; }
    // Whether the formula can turn float rounding of the activation into a
    // visible change of the map (a pole): its sessions then run the layers
    // before the target plainly (PrefixPass::Exact, core/models/network.h),
    // never through an inference form, whose rounding differs from PyTorch's.
    virtual bool magnifiesRounding() const { return false; }

    // Score-based methods (usesChannelScores): rows [begin, end) of the
    // channels×classes matrix of perturbed scores, and the channel weights
    // (C) for one class from the whole matrix. Channels per call: the first
    // batch's size and the largest (core/cam/adaptivebatch.h).
    virtual bool usesChannelScores() const { return false; }
    virtual int64_t firstBatch() const { return 1; }
    virtual int64_t largestBatch() const { return 1; }
    virtual torch::Tensor channelScores(ExplanationSession& session, int64_t begin, int64_t end) const;
    virtual torch::Tensor scoreWeights(const torch::Tensor& scores, const torch::Tensor& logits, int classIndex) const;

    // The map before ReLU and normalisation: H×W.
    virtual torch::Tensor camImage(const torch::Tensor& activation, const torch::Tensor& gradient) const
    {
        return camImages(activation, gradient)[0];
    }
    // The same for B gradients of one activation (1×C×H×W and B×C×H×W -> B×H×W):
    // the hook gradient methods override when they do not weigh whole channels.
    virtual torch::Tensor camImages(const torch::Tensor& activation, const torch::Tensor& gradients) const;
    // The per-channel terms that camImage sums over channels (1×C×H×W): what
    // principal-component smoothing projects instead (core/cam/smoothing.h).
    virtual torch::Tensor weightedActivations(const torch::Tensor& activation, const torch::Tensor& gradient) const
    {
        return channelWeights(activation, gradient) * activation;
    }

protected:
    // Channel weights 1×C×1×1 (the hook most gradient methods override).
    virtual torch::Tensor channelWeights(const torch::Tensor& activation, const torch::Tensor& gradient) const;
};

std::unique_ptr<CamMethodImpl> makeCamMethod(CamMethod method);
// How sessions for `method` should run the layers before the target:
// Exact when it magnifiesRounding(), else Fastest.
PrefixPass prefixPassFor(CamMethod method);

} // namespace gce
