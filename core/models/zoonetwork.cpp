#include "core/models/zoonetwork.h"

#include <optional>

#include <torch/torch.h>

#include "core/errors.h"
#include "core/models/fastcheck.h"
#include "core/models/inferenceform.h"
#include "core/models/modelzoo.h"
#include "core/models/tap.h"

namespace gce {

ZooNetwork::ZooNetwork(std::shared_ptr<ClassifierModule> model, int64_t classCount)
    : m_model(std::move(model)), m_formPolicy(fast::startingPolicy()), m_defaultLayer(defaultTargetLayer(*m_model)),
      m_classCount(classCount)
{
}

std::vector<LayerInfo> ZooNetwork::layers() const { return listLayers(*m_model); }

void ZooNetwork::checkLayer(const std::string& name) const { findLayer(*m_model, name); }

std::vector<LayerShape> ZooNetwork::layerShapes(int64_t height, int64_t width)
{
    torch::NoGradGuard noGrad;
    TapScope tap(nullptr, /*recordShapes=*/true);
    m_model->forward(torch::zeros({1, 3, height, width}));
    std::vector<LayerShape> shapes;
    for (const auto& item : m_model->named_modules("", false)) {
        LayerShape shape{item.key(), moduleTypeName(*item.value()), {}};
        if (const auto found = tap.shapes().find(item.value().get()); found != tap.shapes().end())
            shape.outputShape = found->second;
        shapes.push_back(std::move(shape));
    }
    return shapes;
}

TappedForward ZooNetwork::forwardTapped(const torch::Tensor& input, const std::string& layer, PrefixPass pass)
{
    const auto module = findLayer(*m_model, layer);
    // Never built here: a map's first pass must not wait for it (prepareInference).
    const std::shared_ptr<const InferenceForm> form =
        pass == PrefixPass::Fastest && input.dim() == 4 ? this->form(input.size(2), input.size(3), /*build=*/false)
                                                        : nullptr;
    TappedForward result;
    result.exactPrefix = !form;
    {
        torch::NoGradGuard noGrad; // the TapScope re-enables autograd after the target
        TapScope tap(module.get());
        tap.readAsMap(input.size(2), input.size(3));
        // The layers before the target through the inference form; after it
        // autograd records and the pass steps aside.
        std::optional<InferencePass> fast;
        if (form)
            fast.emplace(*form, module.get());
        result.logits = m_model->forward(input);
        if (!tap.reached())
            throw UsageError("layer \"" + layer + "\" is not used by the model's forward pass");
        result.activation = tap.activation();
    }
    // The tail re-runs the layers before the target at batch 1 (through the
    // inference form): the modules have no resumable state, and their outputs
    // broadcast over the batch of replacements (residual sums). Where they do
    // not (concatenations), the input is repeated over the batch instead.
    result.tail = [model = m_model, module, input, form](const torch::Tensor& activations) {
        torch::NoGradGuard noGrad;
        const auto run = [&](const torch::Tensor& x) {
            TapScope tap(module.get());
            tap.readAsMap(input.size(2), input.size(3));
            tap.replaceWith(activations);
            std::optional<InferencePass> fast;
            if (form)
                fast.emplace(*form, module.get());
            return model->forward(x);
        };
        try {
            return run(input);
        } catch (const Cancelled&) {
            throw; // an interrupt (core/models/interrupt.h), not a shape mismatch
        } catch (const std::exception&) {
            return run(input.expand({activations.size(0), -1, -1, -1}));
        }
    };
    return result;
}

torch::Tensor ZooNetwork::logits(const torch::Tensor& inputs)
{
    torch::NoGradGuard noGrad;
    if (const std::shared_ptr<const InferenceForm> form = inferenceForm(inputs))
        return InferencePass(*form, nullptr).forward(*m_model, inputs);
    return m_model->forward(inputs);
}

std::shared_ptr<const InferenceForm> ZooNetwork::inferenceForm(const torch::Tensor& input)
{
    return input.dim() == 4 ? form(input.size(2), input.size(3), /*build=*/true) : nullptr;
}

void ZooNetwork::prepareInference(int64_t height, int64_t width, const std::string& /*layer*/)
{
    // One form serves every layer: the pass decides where it stops.
    form(height, width, /*build=*/true);
}

std::shared_ptr<const InferenceForm> ZooNetwork::form(int64_t height, int64_t width, bool build)
{
    std::lock_guard<std::mutex> lock(m_formMutex);
    if (m_formPolicy == FormPolicy::Off)
        return nullptr;
    if (!m_formBuilt && build) {
        m_formBuilt = true;
        bool layerNorm = false;
        for (const auto& module : m_model->modules(/*include_self=*/false))
            layerNorm = layerNorm || module->as<torch::nn::LayerNorm>() != nullptr;
        if (!layerNorm) {
            try {
                auto form = std::make_shared<const InferenceForm>(*m_model, height, width);
                if (form->stats().exact)
                    m_form = std::move(form);
            } catch (const Cancelled&) {
                m_formBuilt = false; // the pass that built it was cancelled: the next one builds it
                throw;
            }
        }
    }
    if (m_form && m_formPolicy == FormPolicy::Measured && !m_form->stats().faster)
        return nullptr;
    return m_form;
}

void ZooNetwork::setFormPolicy(FormPolicy policy)
{
    std::lock_guard<std::mutex> lock(m_formMutex);
    m_formPolicy = policy;
}

torch::Tensor ZooNetwork::headWeight() const
{
    // The last Linear in module order (fast::Linear included): the classifier
    // head of every architecture that has one. Whether the logits really are
    // its output is for the caller to verify.
    torch::Tensor weight;
    for (const auto& module : m_model->modules(/*include_self=*/false))
        if (const auto* linear = module->as<torch::nn::Linear>())
            weight = linear->weight;
    return weight.defined() && weight.size(0) == m_classCount ? weight.detach() : torch::Tensor();
}

torch::Tensor ZooNetwork::guidedLogits(const torch::Tensor& input)
{
    // Guiding rectifies the gradient at every ReLU; a GELU (ViT, Swin,
    // ConvNeXt) passes negative gradients that nothing guides, and the result
    // would be neither guided backpropagation nor a plain gradient.
    for (const auto& module : m_model->modules(/*include_self=*/false))
        if (module->as<torch::nn::GELU>())
            throw UsageError("guided backpropagation needs a ReLU network, and this model uses GELU activations; "
                             "choose another method");
    // The whole network is recorded (autograd from the input, not from a
    // target layer): this costs a full backward per class, not a tail's.
    torch::AutoGradMode grad(true);
    TapScope tap(nullptr);
    tap.guideRectifiers();
    return m_model->forward(input);
}

} // namespace gce
