#pragma once
// A Network from a TorchScript file (torch.jit.script or torch.jit.trace,
// saved with torch.jit.save): any image classifier whose forward takes one
// N×3×H×W tensor and returns N×classes logits (or a tuple that starts with them).
// Layers are the module hierarchy; a layer's output is captured by rewriting
// the forward graph (core/models/graphsplit.h), since TorchScript has no hooks.
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <torch/script.h>

#include "core/models/graphsplit.h"
#include "core/models/network.h"

namespace torch::jit {
struct GraphFunction;
}

namespace gce {

class ScriptNetwork : public Network {
public:
    // Loads the file and runs one forward pass on a 1×3×height×width input
    // to learn the class count. Throws InputError when the file is not a
    // TorchScript model or its forward does not fit.
    ScriptNetwork(const std::string& path, int64_t height, int64_t width);
    ~ScriptNetwork() override;

    std::vector<LayerInfo> layers() const override { return m_layers; }
    std::string defaultLayer() const override { return m_defaultLayer; }
    std::vector<LayerShape> layerShapes(int64_t height, int64_t width) override;
    void checkLayer(const std::string& name) const override;
    TappedForward forwardTapped(const torch::Tensor& input, const std::string& layer,
                                PrefixPass pass = PrefixPass::Fastest) override;
    // Through the optimised module (below) when there is one.
    torch::Tensor logits(const torch::Tensor& inputs) override;
    void setFormPolicy(FormPolicy policy) override;
    // The optimised whole module, and the layer's prefix graph frozen and
    // optimised the same way (core/models/scriptform.h), kept under the
    // same rules; maps' prefixes use it from then on.
    void prepareInference(int64_t height, int64_t width, const std::string& layer) override;
    // Whether logits() runs torch::jit::optimize_for_inference's module for
    // inputs like these (building it on first use).
    bool optimisedFor(const torch::Tensor& inputs);
    // Whether forwardTapped's layers before `layer` run its optimised prefix
    // (built by prepareInference; never builds it).
    bool prefixOptimisedFor(const std::string& layer);
    int64_t classCount() const override { return m_classCount; }
    std::vector<torch::Tensor> parameters() const override;

private:
    struct Split;
    std::shared_ptr<Split> splitFor(const std::string& layer);
    // The split's optimised prefix when the policy lets passes use it.
    std::optional<torch::jit::Module> prefixForm(const Split& split);

    std::string m_path;
    torch::jit::Module m_module;
    InlinedForward m_inlined;
    std::unique_ptr<torch::jit::GraphFunction> m_forward; // the inlined forward
    std::vector<LayerInfo> m_layers;
    std::string m_defaultLayer;
    int64_t m_classCount = 0;
    std::map<std::string, std::shared_ptr<Split>> m_splits;

    // LibTorch's own inference form of the whole forward (freezing: conv+BN
    // folded, constants propagated; optimize_for_inference: oneDNN layouts),
    // for the passes that run the whole network without autograd (Score-CAM,
    // faithfulness, datasets). Built on the first such pass, on a copy; kept
    // when it agrees with the plain graph (1e-5) and, under Measured, was
    // faster; any graph it cannot handle runs plainly, silently.
    // Builds it on first use, for inputs of height×width (polls the thread's
    // InterruptScope between its steps).
    std::optional<torch::jit::Module> optimised(int64_t height, int64_t width);
    std::mutex m_optimisedMutex;
    FormPolicy m_formPolicy; // fast::startingPolicy()
    bool m_optimisedBuilt = false, m_optimisedFaster = false;
    std::optional<torch::jit::Module> m_optimised;
};

} // namespace gce
