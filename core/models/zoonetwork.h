#pragma once
// A Network made of our torch::nn ports of torchvision (core/models/modelzoo.h):
// layers are reached through taps (core/models/tap.h).
#include <memory>
#include <mutex>

#include "core/models/classifier.h"
#include "core/models/network.h"

namespace gce {

class InferenceForm;

class ZooNetwork : public Network {
public:
    ZooNetwork(std::shared_ptr<ClassifierModule> model, int64_t classCount);

    ClassifierModule& module() { return *m_model; }

    std::vector<LayerInfo> layers() const override;
    std::string defaultLayer() const override { return m_defaultLayer; }
    std::vector<LayerShape> layerShapes(int64_t height, int64_t width) override;
    void checkLayer(const std::string& name) const override;
    TappedForward forwardTapped(const torch::Tensor& input, const std::string& layer,
                                PrefixPass pass = PrefixPass::Fastest) override;
    torch::Tensor logits(const torch::Tensor& inputs) override;
    torch::Tensor guidedLogits(const torch::Tensor& input) override;
    torch::Tensor headWeight() const override;
    int64_t classCount() const override { return m_classCount; }
    std::vector<torch::Tensor> parameters() const override { return m_model->parameters(); }

    // The inference form (core/models/inferenceform.h) used by the passes
    // that need no gradient, built now if it is not yet (for the input's
    // size; its units work at any). Null while switched off (FormPolicy), for
    // a model with LayerNorm (transformers and ConvNeXt, whose operations
    // oneDNN's layout does not have), when the calibration found nothing that
    // agrees, or (Measured, the default) when it was not faster on the
    // calibration input.
    std::shared_ptr<const InferenceForm> inferenceForm(const torch::Tensor& input);
    void setFormPolicy(FormPolicy policy) override;
    void prepareInference(int64_t height, int64_t width, const std::string& layer) override;

private:
    // As inferenceForm() for inputs of height×width (the build's calibration
    // size), or without building it (null until built).
    std::shared_ptr<const InferenceForm> form(int64_t height, int64_t width, bool build);

    std::shared_ptr<ClassifierModule> m_model;
    std::mutex m_formMutex;
    FormPolicy m_formPolicy; // fast::startingPolicy()
    bool m_formBuilt = false;
    std::shared_ptr<const InferenceForm> m_form; // built, agreed; null when neither
    std::string m_defaultLayer;
    int64_t m_classCount;
};

} // namespace gce
