#include "core/cam/explainer.h"

#include <torch/torch.h>

#include "core/checkpoint/statedict.h"
#include "core/models/tap.h"

namespace gce {

namespace {
constexpr uint64_t kUntrainedSeed = 0;

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

std::shared_ptr<ClassifierModule> buildModel(const std::string& modelName, const std::string& weightsPath)
{
    if (weightsPath.empty())
        torch::manual_seed(kUntrainedSeed); // untrained maps are at least reproducible
    auto model = createModel(modelName, 1000, /*torchvisionInit=*/weightsPath.empty());
    if (!weightsPath.empty())
        loadStateDict(*model, withModelKeys(*model, readCheckpoint(weightsPath)));
    model->eval();
    return model;
}
} // namespace

Explainer::Explainer(const std::string& modelName, const std::string& weightsPath)
    : m_modelName(modelName),
      m_weightsPath(weightsPath),
      m_model(buildModel(modelName, weightsPath)),
      m_labels(LabelSet::imageNet()),
      m_defaultLayer(defaultTargetLayer(*m_model))
{
}

std::vector<LayerInfo> Explainer::layers() const { return listLayers(*m_model); }

std::vector<LayerShape> Explainer::layerShapes()
{
    torch::NoGradGuard noGrad;
    TapScope tap(nullptr, /*recordShapes=*/true);
    m_model->forward(torch::zeros({1, 3, m_preprocessing.height, m_preprocessing.width}));
    std::vector<LayerShape> shapes;
    for (const auto& item : m_model->named_modules("", false)) {
        LayerShape shape{item.key(), moduleTypeName(*item.value()), {}};
        if (const auto found = tap.shapes().find(item.value().get()); found != tap.shapes().end())
            shape.outputShape = found->second;
        shapes.push_back(std::move(shape));
    }
    return shapes;
}

std::unique_ptr<ExplanationSession> Explainer::explainTensor(const torch::Tensor& input, const std::string& layer)
{
    const std::string name = layer.empty() ? m_defaultLayer : layer;
    const auto module = findLayer(*m_model, name);
    return std::make_unique<ExplanationSession>(*m_model, input, *module, name);
}

std::unique_ptr<ExplanationSession> Explainer::explainImage(const cv::Mat& rgb, const std::string& layer)
{
    return explainTensor(preprocessImage(rgb, m_preprocessing), layer);
}

} // namespace gce
