#pragma once
// Guided Backpropagation (Springenberg et al. 2015, "Striving for Simplicity")
// and Guided Grad-CAM (Selvaraju et al. 2017, section 3), as the Grad-CAM
// paper and pytorch-grad-cam's guided_backprop.py compute them:
//
//   guidedbackprop  G = d score / d input (1×3×H×W) with every ReLU's backward
//                   replaced by (x > 0)·max(g, 0). The network runs again with
//                   autograd from the input (not the engine's fast path from the
//                   target layer) and the taps guide its rectifiers
//                   (TapScope::guideRectifiers: ReLU and ReLU6 modules and the
//                   functional ReLUs written as tappedRelu). Activations other
//                   than ReLU (Hardswish, SiLU, GELU) pass plain gradients, as
//                   in pytorch-grad-cam.
//   guidedgradcam   G ⊙ Grad-CAM upsampled bilinearly (align_corners=false) to
//                   the input: the paper's fine-grained, class-discriminative map.
//
// Displayed as one channel, the usual saliency reduction max_c |G_c| (Simonyan
// et al. 2014), then the pipeline's / max. max|·| commutes with the factor
// Grad-CAM ≥ 0, so the Guided Grad-CAM map is also that reduction of G ⊙ cam.
// Both maps have the input's resolution (224×224), not the layer's. The signed
// gradient stays available (GuidedBackprop::gradient) for a color display
// such as pytorch-grad-cam's deprocess_image ((g − mean)/std·0.1 + 0.5).
//
// Cost: one forward pass with autograd through the whole network (the graph is
// kept for further classes) and one full backward per class; parameter
// gradients are never computed, only d score / d input.
#include <utility>

#include <torch/types.h>

#include "core/cam/cammethods.h"
#include "core/cam/explanationsession.h"
#include "core/models/network.h"

namespace gce {

bool isGuidedMethod(CamMethod method);

class GuidedBackprop {
public:
    // Runs the guided forward pass for `input` (1×3×H×W). Throws UsageError
    // when the network cannot guide its ReLUs (TorchScript).
    GuidedBackprop(Network& network, const torch::Tensor& input);

    // d score / d input (1×3×H×W) for the query's score: the class logit, minus
    // the contrast class's, negated for a counterfactual (as the session does).
    torch::Tensor gradient(const CamQuery& query) const;
    // The guided forward pass's time, once: the first map that uses it counts it.
    double takeForwardMs() { return std::exchange(m_forwardMs, 0.0); }

private:
    double m_forwardMs = 0.0;
    torch::Tensor m_input;  // a leaf that requires grad
    torch::Tensor m_logits; // 1×classes with the whole network's graph
};

// The one-channel display of a gradient: max over channels of |g|, 1×3×H×W -> H×W.
torch::Tensor guidedSaliency(const torch::Tensor& gradient);

// The guidedbackprop or guidedgradcam map of `query` at the input's
// resolution. Guided Grad-CAM's layer map is the session's Grad-CAM (with the
// query's contrast, counterfactual and eigen smoothing). Throws UsageError for
// eigen smoothing of guidedbackprop (it has no layer activations).
CamMap explainGuided(ExplanationSession& session, GuidedBackprop& pass, const CamQuery& query);

} // namespace gce
