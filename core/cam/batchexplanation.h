#pragma once
// Many images explained from one forward pass. B preprocessed images run
// through the network together (no autograd before the target layer, as for
// one image), and the maps of one class per image come from one backward pass
// through the tail: in an eval-mode network the images do not interact, so
// the gradient of Σ_i S_i with respect to image i's activation is dS_i/dA_i.
// A dataset run (app/cli/datasetrun.h) uses it; each image's ranking and maps
// are those of an ExplanationSession on that image alone, up to the float
// rounding of a convolution run at another batch size.
#include <memory>
#include <string>
#include <vector>

#include <torch/types.h>

#include "core/cam/classranking.h"
#include "core/cam/explanationsession.h"
#include "core/models/network.h"

namespace gce {

class BatchExplanation {
public:
    // inputs: B×3×H×W, preprocessed. Throws UsageError like ExplanationSession
    // (unknown layer, an output that is not N×C×H×W, a layer the output does
    // not depend on).
    // `pass` as for ExplanationSession: a query whose method magnifies
    // rounding runs the batch's forward again plainly when it was not.
    BatchExplanation(std::shared_ptr<Network> network, const torch::Tensor& inputs, std::string layerName,
                     PrefixPass pass = PrefixPass::Fastest);

    int size() const { return static_cast<int>(m_rankings.size()); }
    const std::string& layerName() const { return m_layerName; }
    double forwardMs() const { return m_forwardMs; } // the whole batch's forward pass(es)
    bool exactPrefix() const { return m_exactPrefix; } // as ExplanationSession's
    const ClassRanking& ranking(int image) const { return m_rankings.at(static_cast<std::size_t>(image)); }

    // Whether explain() serves the query: the gradient methods and Eigen-CAM,
    // without test-time augmentation. Score-based and guided methods run
    // passes of their own per image, so they take a session per image.
    static bool supports(const CamQuery& query);
    // Image i's map for classes[i] (query.classIndex is ignored), all from one
    // backward pass; each map's backwardMs is its share of the batch's.
    // Throws UsageError for a class out of range or a query supports() refuses.
    std::vector<CamMap> explain(const CamQuery& query, const std::vector<int>& classes);

private:
    // Explains from this tapped forward pass from now on.
    void keepPass(TappedForward forward);

    std::shared_ptr<Network> m_network; // the tail graph refers to its parameters
    std::string m_layerName;
    torch::Tensor m_inputs;
    torch::Tensor m_activation; // B×C×h×w, requires grad: the leaf of the tail graph
    torch::Tensor m_logits;     // B×classes with the tail graph, kept for further classes
    bool m_exactPrefix = true;
    std::vector<ClassRanking> m_rankings;
    double m_forwardMs = 0.0;
};

} // namespace gce
