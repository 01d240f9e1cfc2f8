#pragma once
// The smoothing options of pytorch-grad-cam's BaseCAM (aug_smooth, eigen_smooth),
// selected per query (CamQuery::augmentSmooth, CamQuery::eigenSmooth):
//
//  eigen smoothing   the map is the projection of the method's weighted
//                    activations (w_k·A_k; G⊙A for HiRes-CAM, relu(G)⊙A for
//                    LayerCAM, the score weights for Score-/Ablation-CAM) on
//                    their first principal component, instead of their sum
//                    over channels: pytorch-grad-cam's get_2d_projection
//                    (HW×C points centred, SVD, projection on the first right
//                    singular vector). An SVD's sign is arbitrary: it is
//                    fixed so that the projection correlates positively with
//                    the plain map (the singular vector's entries sum ≥ 0).
//  test-time aug.    the map of the input flipped horizontally or not × scaled
//                    0.9, 1.0, 1.1 (6 passes); each pass's map is aligned back
//                    (unflipped, resized to the plain map's size), the six are
//                    averaged and the average is divided by its maximum.
//                    Differences from pytorch-grad-cam, on purpose: its ttach
//                    Multiply(0.9, 1, 1.1) scales pixel values, not the image;
//                    here the scale is geometric (what checks that the map
//                    follows the object), done on the preprocessed tensor by
//                    bilinear interpolation (align_corners=false, no
//                    antialias) to round(s·H)×round(s·W). Its maps are
//                    min-max normalised before averaging; here each pass has
//                    the pipeline's ReLU / max.
#include <memory>
#include <string>
#include <vector>

#include <torch/types.h>

#include "core/cam/explanationsession.h"
#include "core/models/network.h"

namespace gce {

// 1×C×H×W weighted activations -> H×W projection on their first principal component.
torch::Tensor principalComponentProjection(const torch::Tensor& weightedActivations);

struct Augmentation {
    bool flipped = false;
    double scale = 1.0;
};

// The six passes, the identity first.
std::vector<Augmentation> testTimeAugmentations();
// The augmented 1×3×H×W input: resized (scale ≠ 1), then flipped.
torch::Tensor augmentInput(const torch::Tensor& input, const Augmentation& augmentation);
// A pass's H'×W' map in the plain map's frame: unflipped, then resized to height×width.
torch::Tensor alignMap(const torch::Tensor& map, const Augmentation& augmentation, int64_t height, int64_t width);

// The sessions of the augmented inputs (the identity pass is the plain
// session itself), made on first use and kept: a further class costs six
// backward passes, no forward.
class AugmentedSessions {
public:
    AugmentedSessions(std::shared_ptr<Network> network, torch::Tensor input, std::string layerName);

    // The test-time-augmented map of `query` (each pass explains the query
    // without augmentSmooth). `control` is polled before each pass (Cancelled
    // as in ExplanationSession::explain; passes already made are kept) and
    // told the fraction of passes done; score-based methods also report their
    // own progress within each pass. rawMax is the mean of the passes' rawMax.
    CamMap explain(ExplanationSession& plain, const CamQuery& query, const ExplainControl& control);

private:
    std::shared_ptr<Network> m_network;
    torch::Tensor m_input;
    std::string m_layerName;
    std::vector<Augmentation> m_augmentations;
    std::vector<std::unique_ptr<ExplanationSession>> m_sessions; // [0], the identity, stays empty
};

} // namespace gce
