#pragma once
// The engine's front door: a model with its weights, labels and
// preprocessing, producing ExplanationSessions for images.
// Not thread-safe: use one Explainer from one thread at a time.
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <torch/types.h>

#include "core/cam/explanationsession.h"
#include "core/models/modelzoo.h"
#include "core/support/labels.h"
#include "core/support/preprocess.h"

namespace gce {

struct LayerShape {
    std::string name;
    std::string type;
    std::vector<int64_t> outputShape; // empty when the module is not reached by forward
};

class Explainer {
public:
    // weightsPath empty: untrained weights (torchvision's init, fixed seed).
    // Throws UsageError (unknown model) or CheckpointError (bad weights).
    Explainer(const std::string& modelName, const std::string& weightsPath);

    const std::string& modelName() const { return m_modelName; }
    const std::string& weightsPath() const { return m_weightsPath; }
    bool untrained() const { return m_weightsPath.empty(); }
    const LabelSet& labels() const { return m_labels; }
    const Preprocessing& preprocessing() const { return m_preprocessing; }

    std::vector<LayerInfo> layers() const;
    std::string defaultLayer() const { return m_defaultLayer; }
    // Output shapes for an input of the model's size (runs one forward pass).
    std::vector<LayerShape> layerShapes();

    // Forward pass on an already preprocessed 1×3×H×W tensor; layer empty = default.
    // Throws UsageError for an unknown or unsuitable layer.
    std::unique_ptr<ExplanationSession> explainTensor(const torch::Tensor& input, const std::string& layer = {});
    // Preprocesses an 8-bit RGB image (torchvision-exact), then explainTensor.
    std::unique_ptr<ExplanationSession> explainImage(const cv::Mat& rgb, const std::string& layer = {});

    ClassifierModule& model() { return *m_model; }

private:
    std::string m_modelName;
    std::string m_weightsPath;
    std::shared_ptr<ClassifierModule> m_model;
    LabelSet m_labels;
    Preprocessing m_preprocessing;
    std::string m_defaultLayer;
};

} // namespace gce
