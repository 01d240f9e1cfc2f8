#include "core/cam/explainer.h"

#include <torch/torch.h>

#include "core/checkpoint/statedict.h"
#include "core/errors.h"
#include "core/models/activationlayout.h"
#include "core/models/modelspecs.h"
#include "core/models/modelzoo.h"
#include "core/models/scriptnetwork.h"
#include "core/models/zoonetwork.h"
#include "core/support/labelsfile.h"
#include "core/support/modelsidecar.h"

namespace gce {

namespace {
constexpr uint64_t kUntrainedSeed = 0;
constexpr int64_t kImageNetClasses = 1000;

// The file's keys as the model names them (ClassifierModule::checkpointKey):
// renamed, or dropped when the model says so; loadStateDict stays strict.
StateDict withModelKeys(const ClassifierModule& model, StateDict dict)
{
    StateDict renamed;
    for (auto& [key, tensor] : dict.entries)
        if (std::string name = model.checkpointKey(key); !name.empty())
            renamed.entries.emplace_back(std::move(name), std::move(tensor));
    return renamed;
}

// A fine-tuned model differs from the ImageNet one only in its classifier:
// the parameters whose first dimension is the class count. Returns the
// file's count when every such parameter agrees on one, else 1000 (and the
// strict load then names the mismatch).
int64_t classCountOf(const ClassifierModule& imageNetModel, const StateDict& dict)
{
    int64_t found = -1;
    for (const auto& item : imageNetModel.named_parameters()) {
        const auto& shape = item.value().sizes();
        if (shape.empty() || shape[0] != kImageNetClasses)
            continue;
        const auto entry = std::find_if(dict.entries.begin(), dict.entries.end(),
                                        [&](const auto& e) { return e.first == item.key(); });
        if (entry == dict.entries.end() || entry->second.dim() != static_cast<int64_t>(shape.size()))
            return kImageNetClasses;
        const int64_t count = entry->second.size(0);
        if (count <= 0 || (found >= 0 && count != found))
            return kImageNetClasses;
        found = count;
    }
    return found > 0 ? found : kImageNetClasses;
}

std::shared_ptr<Network> buildZooNetwork(const std::string& modelName, const std::string& weightsPath)
{
    if (weightsPath.empty()) {
        torch::manual_seed(kUntrainedSeed); // untrained maps are at least reproducible
        auto model = createModel(modelName, kImageNetClasses, /*torchvisionInit=*/true);
        model->eval();
        return std::make_shared<ZooNetwork>(model, kImageNetClasses);
    }
    auto model = createModel(modelName, kImageNetClasses, /*torchvisionInit=*/false);
    StateDict dict = withModelKeys(*model, readCheckpoint(weightsPath));
    const int64_t classes = classCountOf(*model, dict);
    if (classes != kImageNetClasses)
        model = createModel(modelName, classes, /*torchvisionInit=*/false);
    loadStateDict(*model, std::move(dict));
    model->eval();
    return std::make_shared<ZooNetwork>(model, classes);
}

LabelSet labelsFor(int64_t classes, const std::string& labelsPath)
{
    if (labelsPath.empty())
        return classes == kImageNetClasses ? LabelSet::imageNet() : LabelSet::numbered(static_cast<int>(classes));
    std::vector<std::string> names = readLabelsFile(labelsPath);
    if (static_cast<int64_t>(names.size()) != classes)
        throw InputError("labels \"" + labelsPath + "\" name " + std::to_string(names.size()) +
                         " classes but the model has " + std::to_string(classes));
    return LabelSet(std::move(names));
}
} // namespace

Explainer::Explainer(const std::string& modelName, const std::string& weightsPath, const std::string& labelsPath)
    : m_modelName(modelName),
      m_weightsPath(weightsPath),
      m_torchScript(namesModelFile(modelName)),
      m_untrained(!m_torchScript && weightsPath.empty()),
      m_labels(LabelSet::numbered(0))
{
    std::string labels = labelsPath;
    if (m_torchScript) {
        if (!weightsPath.empty())
            throw UsageError("a TorchScript model carries its own weights: no weights file applies to \"" +
                             modelName + "\"");
        const ModelSidecar sidecar = readModelSidecar(modelName);
        m_preprocessing = sidecar.preprocessing;
        if (labels.empty())
            labels = sidecar.labelsPath;
        m_network = std::make_shared<ScriptNetwork>(modelName, m_preprocessing.height, m_preprocessing.width);
    } else {
        m_network = buildZooNetwork(modelName, weightsPath);
        m_preprocessing.model = modelTransformFor(modelName, weightsPath);
    }
    m_labels = labelsFor(m_network->classCount(), labels);
}

Explainer::Explainer() : m_labels(LabelSet::numbered(0)) {}

Explainer Explainer::fromModule(std::shared_ptr<ClassifierModule> model, int64_t classCount,
                                const std::string& modelName)
{
    Explainer explainer;
    explainer.m_modelName = modelName;
    model->eval();
    explainer.m_network = std::make_shared<ZooNetwork>(std::move(model), classCount);
    explainer.m_labels = labelsFor(classCount, {});
    return explainer;
}

void Explainer::prepareInference(const std::string& layer)
{
    m_network->prepareInference(m_preprocessing.inputHeight(), m_preprocessing.inputWidth(),
                                layer.empty() ? m_network->defaultLayer() : layer);
}

std::vector<LayerShape> Explainer::layerShapes()
{
    const int64_t height = m_preprocessing.inputHeight(), width = m_preprocessing.inputWidth();
    std::vector<LayerShape> shapes = m_network->layerShapes(height, width);
    for (auto& shape : shapes) {
        const ActivationLayout layout = ActivationLayout::infer(shape.outputShape, height, width);
        shape.explainable = layout.explainable();
        shape.mapLayout = layout.describe(shape.outputShape);
    }
    return shapes;
}

std::unique_ptr<ExplanationSession> Explainer::explainTensor(const torch::Tensor& input, const std::string& layer,
                                                           PrefixPass pass)
{
    const std::string name = layer.empty() ? m_network->defaultLayer() : layer;
    return std::make_unique<ExplanationSession>(m_network, input, name, pass);
}

std::unique_ptr<BatchExplanation> Explainer::explainBatch(const torch::Tensor& inputs, const std::string& layer,
                                                          PrefixPass pass)
{
    return std::make_unique<BatchExplanation>(m_network, inputs, layer.empty() ? m_network->defaultLayer() : layer,
                                              pass);
}

std::unique_ptr<ExplanationSession> Explainer::explainImage(const cv::Mat& rgb, const std::string& layer)
{
    return explainTensor(preprocessImage(rgb, m_preprocessing), layer);
}

} // namespace gce
