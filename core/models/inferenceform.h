#pragma once
// The inference form of a zoo network (issue 18): how passes that need no
// gradient (the layers before a target, Score-CAM's masked inputs, the
// faithfulness and dataset passes, Ablation-CAM's tails up to the target)
// run at PyTorch's fastest on this CPU, while the autograd tail after the
// target stays the exact module.
//
// What it does, measured on ResNet-18 at batch 1 (bench/gce_bench.cpp,
// Forward/Plain vs Forward/Fast): BatchNorm folded into the convolution
// before it, weights reordered once into oneDNN's blocked layout, and
// activations kept in oneDNN's layout (MKLDNN tensors) between operations.
// Only the last gains much: folding or prepacking on dense tensors, NCHW or
// channels-last, gained under 12% here, because every convolution then
// reorders its input and output; torch.jit.optimize_for_inference does the
// same three things. Like it, the form also runs ReLUs and residual sums in
// place on the convolution outputs it has just made (claimToOverwrite; 17
// relu_ and 8 add_ in ResNet-18, as torchvision's own inplace=True modules)
// and multiplies a classifier's Linear by its weight stored transposed.
//
// How it stays exact and general over 27 architectures without knowing any
// of them: a unit is a module that runs whole in oneDNN's layout (converted
// in, converted back out). Which modules qualify is found by trying them,
// once, when the form is built: every module, largest first, is run both
// ways on a calibration input and kept only if it runs and agrees within
// 1e-5 of its largest output. A conv/BN pair is folded only where every call
// of the BatchNorm took that convolution's output straight from it. A pass
// never runs a module as a unit when it contains the target layer, and runs
// everything plainly once the target is reached or while autograd records;
// a unit that throws at run time is run plainly instead.
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <torch/types.h>

#include "core/models/fastpass.h"

namespace torch::nn {
class BatchNorm2dImpl;
class Conv2dImpl;
} // namespace torch::nn

namespace gce {

class ClassifierModule;

struct InferenceFormStats {
    bool exact = false;  // the whole network agreed with the plain one (1e-5 of its largest logit)
    bool faster = false; // and took 5% less time on the calibration input (fast::Timing)
    int foldedPairs = 0;         // conv + BatchNorm pairs folded
    int packedConvolutions = 0;  // convolutions with weights in oneDNN's layout
    int transposedLinears = 0;   // Linear layers with their weight stored transposed
    int units = 0;               // modules that may run whole in oneDNN's layout
    int modulesTried = 0;        // modules tried as units (the others inherited a containing unit's verdict)
    bool wholeNetwork = false;   // the root itself is a unit
    double buildMs = 0;          // calibration (about nine forward passes at batch 1) and packing
    double plainMs = 0, fastMs = 0; // the calibration input's forward, plain and through the form
    int64_t extraBytes = 0;      // the folded and packed weights and biases kept beside the model's
};

class InferenceForm {
public:
    // Builds the form for inputs of height×width (a random calibration input
    // of that size, batch 1; units work at any size). Never throws for a model
    // it cannot speed up: stats().exact is false, and nothing may use it.
    InferenceForm(ClassifierModule& model, int64_t height, int64_t width);
    ~InferenceForm();

    const InferenceFormStats& stats() const { return m_stats; }

private:
    friend class InferencePass;
    friend class CalibrationPass;
    struct Convolution {
        torch::Tensor packed; // oneDNN's layout, BatchNorm folded in when paired
        torch::Tensor bias;   // dense
        std::vector<int64_t> padding, stride, dilation;
        int64_t groups = 1;
        const torch::nn::Module* batchNorm = nullptr; // the folded BatchNorm, or null
        torch::nn::BatchNorm2dImpl* batchNormImpl = nullptr;
    };

    // A Linear layer's weight, transposed once: F.linear multiplies by a
    // transposed view, which at batch 1 takes twice the time of a contiguous
    // one here (0.43 against 0.22 ms for ResNet-18's 512×1000 classifier);
    // torch.jit.optimize_for_inference stores it so too (FrozenLinearTranspose).
    struct Linear {
        torch::Tensor weightTransposed; // in × out, contiguous
        torch::Tensor bias;             // undefined when the layer has none
    };

    void findPairs(ClassifierModule& model, const torch::Tensor& input);
    void pack(ClassifierModule& model);
    torch::Tensor findUnits(ClassifierModule& model, const torch::Tensor& input);
    void measure(ClassifierModule& model, const torch::Tensor& input);

    std::unordered_map<const torch::nn::Module*, Convolution> m_convolutions;
    std::unordered_map<const torch::nn::Module*, Linear> m_linears;
    std::unordered_map<const torch::nn::Module*, const torch::nn::Module*> m_pairOfBatchNorm; // BN -> its conv
    std::unordered_set<const torch::nn::Module*> m_units;
    std::unordered_map<const torch::nn::Module*, const torch::nn::Module*> m_parent;
    const torch::nn::Module* m_root = nullptr;
    InferenceFormStats m_stats;
};

// One pass with the inference form installed on the calling thread: child
// calls before `target` (null: none) that autograd does not record are run by
// the form. An exact form only; construct it next to the pass's TapScope.
class InferencePass : public FastPass {
public:
    InferencePass(const InferenceForm& form, const torch::nn::Module* target);

    torch::Tensor run(const torch::nn::Module* module, const torch::Tensor& input, Plain plain) override;
    // The whole network's logits for `inputs`: the root as one unit when it is one.
    torch::Tensor forward(ClassifierModule& model, const torch::Tensor& inputs);

    // Inside a unit, the output of the convolution called last, until the
    // next call (its folded BatchNorm aside) or until claimed: a ReLU module
    // after it, tappedRelu and a residual sum then write into it.
    bool claimToOverwrite(const torch::Tensor& value) override;

    // Unit runs that threw and were run plainly instead (0 in every test).
    int fallbacks() const { return m_fallbacks; }

private:
    friend class CalibrationPass;
    bool targetReached() const;
    torch::Tensor runUnit(const torch::nn::Module* module, const torch::Tensor& input, Plain plain);
    // A child call inside a unit: its input and output are in oneDNN's layout.
    torch::Tensor inside(const torch::nn::Module* module, const torch::Tensor& input, Plain plain);

    const InferenceForm& m_form;
    const torch::nn::Module* m_target;
    std::unordered_set<const torch::nn::Module*> m_ancestors; // of the target, the target included
    int m_depth = 0;                                          // > 0 inside a unit
    // The output of the last folded convolution, which its BatchNorm passes on.
    const torch::TensorImpl* m_lastFolded = nullptr;
    const torch::nn::Module* m_lastFoldedBatchNorm = nullptr;
    // What claimToOverwrite may give away: held, so that no later tensor at
    // the same address is taken for it.
    torch::Tensor m_overwritable;
    int m_fallbacks = 0;
};

} // namespace gce
