#pragma once
// One image's explanation: the forward pass is run once, and the map for any
// class then costs one backward pass through the layers after the target.
//
// Efficiency by construction: the network runs without autograd up to the
// target layer; the target's output is made the only tensor that requires
// grad (core/models/tap.h), so autograd records just the tail, and
// d(logit_c)/d(activation) never touches parameter gradients.
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <torch/types.h>

#include "core/cam/cammethods.h"

namespace torch::nn {
class Module;
}

namespace gce {

class ClassifierModule;

struct ClassScore {
    int index = -1;
    float probability = 0.f; // softmax over all classes
    float logit = 0.f;
};

// What to explain: a method and the score it explains.
struct CamQuery {
    CamMethod method = CamMethod::GradCam;
    int classIndex = -1;
    int contrastClass = -1;      // >= 0: "why A rather than B", the score is logit_A − logit_B
    bool counterfactual = false; // negated score: the evidence against the class
};

struct CamMap {
    int classIndex = -1;
    cv::Mat map;         // CV_32FC1, the target layer's spatial size, values in [0,1]
    bool empty = false;  // ReLU(Σ α·A) was 0 everywhere: map is all zeros (never NaN)
    float rawMax = 0.f;  // max of ReLU(Σ α·A) before normalisation
    double backwardMs = 0.0;
};

class ExplanationSession {
public:
    // Runs the forward pass for `input` (1×3×H×W). `layer` must be a module
    // of `model` reached by its forward. Throws UsageError when the layer's
    // output is not N×C×H×W.
    ExplanationSession(ClassifierModule& model, const torch::Tensor& input, const torch::nn::Module& layer,
                       std::string layerName);

    const std::string& layerName() const { return m_layerName; }
    std::vector<int64_t> activationShape() const { return m_activation.sizes().vec(); }
    int classCount() const { return static_cast<int>(m_probabilities.size(1)); }
    double forwardMs() const { return m_forwardMs; }

    const torch::Tensor& logits() const { return m_logitsValues; }        // 1×classes, no graph
    const torch::Tensor& probabilities() const { return m_probabilities; } // 1×classes
    ClassScore score(int classIndex) const;
    std::vector<ClassScore> topK(int k) const;
    int rankOf(int classIndex) const; // 1 = top prediction

    // Grad-CAM as in the tutorial: α = spatial mean of d(logit_c)/dA,
    // map = ReLU(Σ_k α_k A_k) / max. Throws UsageError for a class out of range.
    CamMap gradCam(int classIndex) { return explain({CamMethod::GradCam, classIndex}); }

    // Any method of the family on the same pipeline (ReLU, then / max; all
    // zeros and `empty` when the maximum is 0). One backward pass through the
    // tail when the method uses gradients, none otherwise.
    CamMap explain(const CamQuery& query);

private:
    void checkClass(int classIndex) const;

    std::string m_layerName;
    torch::Tensor m_activation;    // requires grad; the leaf of the tail graph
    torch::Tensor m_logits;        // with the tail graph, kept for further classes
    torch::Tensor m_logitsValues;
    torch::Tensor m_probabilities;
    double m_forwardMs = 0.0;
};

} // namespace gce
