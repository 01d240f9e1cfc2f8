#pragma once
// One image's explanation: the forward pass is run once, and the map for any
// class then costs one backward pass through the layers after the target.
//
// Efficiency by construction: the network runs without autograd up to the
// target layer; the target's output is made the only tensor that requires
// grad (core/models/network.h), so autograd records just the tail, and
// d(logit_c)/d(activation) never touches parameter gradients.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <torch/types.h>

#include "core/cam/cammethods.h"
#include "core/cam/classranking.h"
#include "core/models/network.h"

namespace gce {

class GuidedBackprop;    // core/cam/guidedbackprop.h
class AugmentedSessions; // core/cam/smoothing.h

// What to explain: a method and the score it explains.
struct CamQuery {
    CamMethod method = CamMethod::GradCam;
    int classIndex = -1;
    int contrastClass = -1;      // >= 0: "why A rather than B", the score is logit_A − logit_B
    bool counterfactual = false; // negated score: the evidence against the class
    // Smoothing (core/cam/smoothing.h), pytorch-grad-cam's aug_smooth and eigen_smooth:
    bool augmentSmooth = false; // average over flips × scales 0.9/1.0/1.1 (6 passes, maps aligned back)
    bool eigenSmooth = false;   // first principal component of the weighted activations
};

struct CamMap {
    int classIndex = -1;
    cv::Mat map;         // CV_32FC1, the target layer's spatial size (guided methods: the input's), values in [0,1]
    bool empty = false;  // ReLU(Σ α·A) was 0 everywhere: map is all zeros (never NaN)
    float rawMax = 0.f;  // max of ReLU(Σ α·A) before normalisation
    double backwardMs = 0.0; // the method's own cost: backward pass, or perturbed passes (Score-CAM)
};

// Throws UsageError unless a tapped forward pass (core/models/network.h) can
// be explained: an N×C×H×W activation that the logits depend on.
void requireExplainableLayer(const std::string& layerName, const torch::Tensor& activation,
                             const torch::Tensor& logits);

class ExplanationSession {
public:
    // Runs the forward pass for `input` (1×3×H×W). `layer` must be a module
    // of `network` reached by its forward. Throws UsageError when it is not,
    // or when the layer's output is not N×C×H×W. The session keeps the
    // network alive (methods such as Score-CAM run it again). `pass`: how the
    // layers before the target run (core/models/network.h); a query whose
    // method magnifies rounding makes the session exact first by itself
    // (useExactPrefix), so Exact only saves that second forward pass.
    ExplanationSession(std::shared_ptr<Network> network, const torch::Tensor& input, std::string layerName,
                       PrefixPass pass = PrefixPass::Fastest);

    const std::string& layerName() const { return m_layerName; }
    const torch::Tensor& input() const { return m_input; }            // 1×3×H×W, preprocessed
    torch::Tensor activation() const { return m_activation.detach(); } // 1×C×h×w
    Network& network() { return *m_network; }
    // Logits for a batch of activations in place of the target layer's output
    // (B×C×h×w -> B×classes), no autograd (core/models/network.h).
    torch::Tensor tailLogits(const torch::Tensor& activations) const { return m_tail(activations); }
    std::vector<int64_t> activationShape() const { return m_activation.sizes().vec(); }
    // d(Σ_c w_c·logit_c)/d(activation) for class weights w (classes), 1×C×h×w:
    // one backward through the tail, whose graph is kept for further queries.
    torch::Tensor logitGradient(const torch::Tensor& classWeights) const;
    int classCount() const { return m_ranking.classCount(); }
    double forwardMs() const { return m_forwardMs; }

    // Whether the activation (and the tail graph) came from the plain layers
    // before the target, bit for bit PyTorch's (TappedForward::exactPrefix).
    bool exactPrefix() const { return m_exactPrefix; }
    // Makes it so: when the forward pass went through an inference form,
    // runs it again plainly and explains every later query from that pass.
    // The ranking stays the first pass's (its logits agree within 1e-5), so
    // that captions and "the top prediction" do not move under the user.
    void useExactPrefix();

    const torch::Tensor& logits() const { return m_logitsValues; }        // 1×classes, no graph
    const torch::Tensor& probabilities() const { return m_probabilities; } // 1×classes
    const ClassRanking& ranking() const { return m_ranking; }
    ClassScore score(int classIndex) const { return m_ranking.score(classIndex); }
    std::vector<ClassScore> topK(int k) const { return m_ranking.topK(k); }
    int rankOf(int classIndex) const { return m_ranking.rankOf(classIndex); } // 1 = top prediction

    // Grad-CAM as in the tutorial: α = spatial mean of d(logit_c)/dA,
    // map = ReLU(Σ_k α_k A_k) / max. Throws UsageError for a class out of range.
    CamMap gradCam(int classIndex) { return explain({CamMethod::GradCam, classIndex}); }

    // Any method of the family on the same pipeline (ReLU, then / max; all
    // zeros and `empty` when the maximum is 0). One backward pass through the
    // tail when the method uses gradients, none otherwise. Score-based methods
    // (Score-CAM, Ablation-CAM) run their perturbed passes on the first query
    // only, in batches, reporting progress and polling `control.cancelled`
    // between batches: cancelled, explain throws Cancelled, and the batches
    // done so far are kept for the next query. They explain a class score, so
    // a contrast class or counterfactual throws UsageError.
    CamMap explain(const CamQuery& query, const ExplainControl& control = {});

    // Whether explain(query) still has perturbed passes to run: a score-based
    // method whose channel scores are not all done here (with test-time
    // augmentation, conservatively, always). Seconds rather than milliseconds:
    // callers show the other panes first.
    bool hasPendingPasses(const CamQuery& query) const;

private:
    // Explains from this tapped forward pass from now on.
    void keepPass(TappedForward forward);
    const torch::Tensor& channelScores(CamMethod which, const CamMethodImpl& method, const ExplainControl& control);

    std::shared_ptr<Network> m_network;
    std::string m_layerName;
    torch::Tensor m_input;
    std::function<torch::Tensor(const torch::Tensor&)> m_tail;
    torch::Tensor m_activation;    // requires grad; the leaf of the tail graph
    torch::Tensor m_logits;        // with the tail graph, kept for further classes
    bool m_exactPrefix = true;
    ClassRanking m_ranking;
    torch::Tensor m_logitsValues;  // 1×classes views of the ranking's
    torch::Tensor m_probabilities;
    double m_forwardMs = 0.0;
    // Score-based methods: channels×classes perturbed scores, rows [0, done) filled.
    struct ChannelScores {
        torch::Tensor scores;
        int64_t done = 0;
    };
    std::map<CamMethod, ChannelScores> m_channelScores;
    // Made on first use, kept for further classes: the guided forward pass and
    // the augmented passes of test-time augmentation.
    std::shared_ptr<GuidedBackprop> m_guided;
    std::shared_ptr<AugmentedSessions> m_augmented;
};

} // namespace gce
