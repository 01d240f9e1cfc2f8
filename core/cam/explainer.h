#pragma once
// The engine's front door: a model with its weights, labels and
// preprocessing, producing ExplanationSessions for images.
// Not thread-safe: use one Explainer from one thread at a time.
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <torch/types.h>

#include "core/cam/batchexplanation.h"
#include "core/cam/explanationsession.h"
#include "core/models/network.h"
#include "core/support/labels.h"
#include "core/support/preprocessing.h"

namespace gce {

class ClassifierModule;

class Explainer {
public:
    // modelName: a torchvision architecture ("resnet18"), or the path of a
    // TorchScript file (core/models/scriptnetwork.h) whose input size,
    // normalisation and labels come from its sidecar JSON
    // (core/support/modelsidecar.h); weightsPath must then be empty. weightsPath empty:
    // untrained weights (torchvision's init, fixed seed). A weights file whose
    // classifier has N ≠ 1000 outputs builds the architecture with N classes.
    // labelsPath (core/support/labelsfile.h) names the classes; without it,
    // 1000 classes are ImageNet's and other counts are "class 0".."class N-1".
    // Throws UsageError (unknown model) or InputError (bad weights or labels,
    // or labels that do not match the class count).
    Explainer(const std::string& modelName, const std::string& weightsPath, const std::string& labelsPath = {});
    // An Explainer around a model built in code, not by name: e.g. a test's
    // reduced-size architecture (gce::maxvit::MaxVit(MaxVitConfig)) whose
    // weights the caller loaded (loadStateDict). The tutorial's preprocessing,
    // labels as for a weights file without a labels file; weightsPath() empty
    // and untrained() false. Puts the model in eval mode.
    static Explainer fromModule(std::shared_ptr<ClassifierModule> model, int64_t classCount,
                                const std::string& modelName = {});

    const std::string& modelName() const { return m_modelName; }
    const std::string& weightsPath() const { return m_weightsPath; }
    bool untrained() const { return m_untrained; }
    bool isTorchScript() const { return m_torchScript; }
    const LabelSet& labels() const { return m_labels; }
    const Preprocessing& preprocessing() const { return m_preprocessing; }
    // Which preprocessing runs (core/support/preprocessing.h): the tutorial's
    // Resize((224, 224)) by default (or what a TorchScript sidecar names),
    // or the weights file's own transform (core/models/modelspecs.h).
    PreprocessMode preprocessMode() const { return m_preprocessing.mode; }
    void setPreprocessMode(PreprocessMode mode) { m_preprocessing.mode = mode; }
    int classCount() const { return m_labels.size(); }

    std::vector<LayerInfo> layers() const { return m_network->layers(); }
    std::string defaultLayer() const { return m_network->defaultLayer(); }
    // Throws UsageError for an unknown layer (with suggestions).
    void checkLayer(const std::string& name) const { m_network->checkLayer(name); }
    // Output shapes for an input of the model's size (runs one forward pass).
    std::vector<LayerShape> layerShapes();
    // Builds the network's faster form of no-grad passes for inputs of the
    // model's size now (Network::prepareInference); layer empty = default.
    void prepareInference(const std::string& layer = {});

    // Forward pass on an already preprocessed 1×3×H×W tensor; layer empty = default.
    // Throws UsageError for an unknown or unsuitable layer. `pass`: Exact
    // when the session is for a method that magnifies rounding
    // (CamMethodImpl::magnifiesRounding), which would otherwise run the
    // layers before the target a second time.
    std::unique_ptr<ExplanationSession> explainTensor(const torch::Tensor& input, const std::string& layer = {},
                                                      PrefixPass pass = PrefixPass::Fastest);
    // Forward pass on B preprocessed images (B×3×H×W) at once, for one class
    // per image per backward pass (core/cam/batchexplanation.h).
    std::unique_ptr<BatchExplanation> explainBatch(const torch::Tensor& inputs, const std::string& layer = {},
                                                   PrefixPass pass = PrefixPass::Fastest);
    // Preprocesses an 8-bit RGB image (torchvision-exact), then explainTensor.
    std::unique_ptr<ExplanationSession> explainImage(const cv::Mat& rgb, const std::string& layer = {});

    Network& network() { return *m_network; }

private:
    Explainer();

    std::string m_modelName;
    std::string m_weightsPath;
    bool m_torchScript = false;
    bool m_untrained = false;
    Preprocessing m_preprocessing;
    std::shared_ptr<Network> m_network;
    LabelSet m_labels;
};

} // namespace gce
