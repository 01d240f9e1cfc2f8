#pragma once
// A Network made of our torch::nn ports of torchvision (core/models/modelzoo.h):
// layers are reached through taps (core/models/tap.h).
#include <memory>

#include "core/models/classifier.h"
#include "core/models/network.h"

namespace gce {

class ZooNetwork : public Network {
public:
    ZooNetwork(std::shared_ptr<ClassifierModule> model, int64_t classCount);

    ClassifierModule& module() { return *m_model; }

    std::vector<LayerInfo> layers() const override;
    std::string defaultLayer() const override { return m_defaultLayer; }
    std::vector<LayerShape> layerShapes(int64_t height, int64_t width) override;
    void checkLayer(const std::string& name) const override;
    TappedForward forwardTapped(const torch::Tensor& input, const std::string& layer) override;
    torch::Tensor logits(const torch::Tensor& inputs) override;
    torch::Tensor guidedLogits(const torch::Tensor& input) override;
    torch::Tensor headWeight() const override;
    int64_t classCount() const override { return m_classCount; }
    std::vector<torch::Tensor> parameters() const override { return m_model->parameters(); }

private:
    std::shared_ptr<ClassifierModule> m_model;
    std::string m_defaultLayer;
    int64_t m_classCount;
};

} // namespace gce
