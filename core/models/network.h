#pragma once
// What the explanation pipeline needs from a classifier, whatever it is made
// of: our torch::nn ports of torchvision (ZooNetwork) or a TorchScript file
// (ScriptNetwork). Every implementation keeps the engine's efficiency rule:
// no autograd before the target layer, so a map costs a forward pass plus a
// backward through the layers after the target, never parameter gradients.
#include <functional>
#include <string>
#include <vector>

#include <torch/types.h>

#include "core/errors.h"

namespace gce {

struct LayerInfo {
    std::string name; // "layer4.1.conv2"
    std::string type; // torchvision's class name: "Conv2d", "BasicBlock", "Sequential", ...
};

struct LayerShape {
    std::string name;
    std::string type;
    std::vector<int64_t> outputShape; // empty when the module is not reached by forward
    // Filled by Explainer::layerShapes (core/models/activationlayout.h):
    bool explainable = false; // a feature map, channels-last map or tokens
    std::string mapLayout;    // "tokens 14×14×768", "channels-last 7×7×768", "" otherwise
};

// How a tapped forward pass runs the layers before the target.
//  Fastest: through the network's faster form once prepareInference built it
//           (its outputs agree with the plain modules within 1e-5 of their
//           largest value), else plainly.
//  Exact:   always the plain modules, bit for bit PyTorch's: for a method
//           whose formula magnifies rounding (CamMethodImpl::magnifiesRounding).
enum class PrefixPass { Fastest, Exact };

// One forward pass with a layer's output captured.
struct TappedForward {
    torch::Tensor activation; // the layer's output (last call): a leaf that requires grad
    torch::Tensor logits;     // 1×classes, with autograd's record of the layers after the target
    // Logits for a batch of replacement activations (B×C×h×w in place of the
    // layer's output): what Ablation-style methods need. Without autograd,
    // unless the replacements require grad: then the layers after the target
    // are recorded (region ranking's batched backward, core/cam/classmaps.h).
    // Whatever the network computed before the layer is reused where it can be.
    std::function<torch::Tensor(const torch::Tensor& activations)> tail;
    // Whether the layers before the target (and the tail's reruns of them)
    // ran the plain modules: always under PrefixPass::Exact.
    bool exactPrefix = true;
};

// Whether passes that need no gradient run a faster equivalent of the
// network (a zoo model's inference form, core/models/inferenceform.h; a
// TorchScript model's optimize_for_inference): never; when it agrees with
// the plain network and was faster when built (the default); or whenever it
// agrees (tests, which time nothing).
enum class FormPolicy { Off, Measured, WhenExact };

class Network {
public:
    virtual ~Network() = default;

    // Every submodule in module order (named_modules() without the root).
    virtual std::vector<LayerInfo> layers() const = 0;
    // The tutorial's target layer, the last Conv2d in module order; for a
    // vision transformer the first norm of its last block (defaultLayerOf in
    // core/models/modelzoo.h).
    virtual std::string defaultLayer() const = 0;
    // Output shapes for a 1×3×height×width input (runs one forward pass).
    virtual std::vector<LayerShape> layerShapes(int64_t height, int64_t width) = 0;
    // Throws UsageError ("unknown layer ...; did you mean ...") when absent.
    virtual void checkLayer(const std::string& name) const = 0;

    // 1×3×H×W -> the layer's output and the logits (see TappedForward).
    // Throws UsageError when the layer is unknown or not reached by forward.
    // (Overrides repeat the default: a default argument is bound by the
    // static type.)
    virtual TappedForward forwardTapped(const torch::Tensor& input, const std::string& layer,
                                        PrefixPass pass = PrefixPass::Fastest) = 0;
    // Plain inference without autograd: B×3×H×W -> B×classes. Polls the
    // thread's InterruptScope (core/models/interrupt.h) where it can.
    virtual torch::Tensor logits(const torch::Tensor& inputs) = 0;
    // Guided backpropagation's forward (core/cam/guidedbackprop.h): 1×3×H×W
    // `input` that requires grad -> logits recorded by autograd all the way
    // back to the input, every ReLU's backward passing only positive
    // gradients. A network that cannot rewrite its ReLUs throws UsageError.
    virtual torch::Tensor guidedLogits(const torch::Tensor& /*input*/)
    {
        throw UsageError("guided backpropagation needs one of the built-in architectures: "
                         "the ReLUs of a TorchScript model cannot be guided");
    }

    // The weight (classes×features) of the Linear layer the model ends in,
    // or undefined: a candidate for region ranking's closed form, which
    // verifies it against real gradients before relying on it.
    virtual torch::Tensor headWeight() const { return {}; }

    // Takes effect from the next pass. Networks without a faster form ignore it.
    virtual void setFormPolicy(FormPolicy /*policy*/) {}
    // Builds the faster form of the no-grad passes now, for inputs of
    // height×width and, where it is per layer (a TorchScript model's prefix
    // graph), for `layer`. Whole-network passes (logits) build it on first
    // use themselves; a map's layers before the target (forwardTapped) only
    // use it once built, so that an interactive first map never waits for
    // the build: the window's worker calls this when idle, a dataset run
    // before its first batch. Polls the thread's InterruptScope; a cancelled
    // build is started again by the next call.
    virtual void prepareInference(int64_t /*height*/, int64_t /*width*/, const std::string& /*layer*/) {}

    virtual int64_t classCount() const = 0;
    virtual std::vector<torch::Tensor> parameters() const = 0;
};

} // namespace gce
