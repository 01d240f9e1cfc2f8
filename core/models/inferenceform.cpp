#include "core/models/inferenceform.h"

#include <chrono>
#include <utility>

#include <ATen/ATen.h>
#include <torch/torch.h>

#include "core/errors.h"
#include "core/models/classifier.h"
#include "core/models/fastcheck.h"
#include "core/models/interrupt.h"
#include "core/models/tap.h"
#include "core/support/stopwatch.h"

namespace gce {

namespace {
thread_local FastPass* t_current = nullptr;

bool denseFloat(const torch::Tensor& t)
{
    return t.defined() && t.layout() == torch::kStrided && t.device().is_cpu() && t.scalar_type() == torch::kFloat &&
           t.dim() == 4;
}

torch::Tensor toDense(torch::Tensor t) { return t.is_mkldnn() ? t.to_dense() : t; }

// Runs `undo` when the scope ends, by a throw too.
template <typename Undo>
struct OnExit {
    Undo undo;
    ~OnExit() { undo(); }
};
template <typename Undo>
OnExit(Undo) -> OnExit<Undo>;

// The convolution's options as oneDNN takes them; false for what it does not
// cover the same way (string paddings, non-zero padding modes).
bool convolutionOptions(const torch::nn::Conv2dImpl& conv, std::vector<int64_t>& padding,
                        std::vector<int64_t>& stride, std::vector<int64_t>& dilation, int64_t& groups)
{
    const auto& options = conv.options;
    if (!c10::get_if<torch::ExpandingArray<2>>(&options.padding()) ||
        !c10::get_if<torch::enumtype::kZeros>(&options.padding_mode()))
        return false;
    const auto& pad = c10::get<torch::ExpandingArray<2>>(options.padding());
    padding = {(*pad)[0], (*pad)[1]};
    stride = {(*options.stride())[0], (*options.stride())[1]};
    dilation = {(*options.dilation())[0], (*options.dilation())[1]};
    groups = options.groups();
    return true;
}
} // namespace

FastPass::FastPass() : m_previous(t_current) { t_current = this; }

FastPass::~FastPass() { t_current = m_previous; }

FastPass* FastPass::current() { return t_current; }

// The calibration's two plain forward passes: first which BatchNorm takes
// which convolution's output (findPairs), then which modules agree as units
// (findUnits). Every call is run plainly and returned as such.
class CalibrationPass : public FastPass {
public:
    enum class Mode { Pairs, Units };
    CalibrationPass(InferenceForm& form, Mode mode) : m_form(form), m_mode(mode) {}

    torch::Tensor run(const torch::nn::Module* module, const torch::Tensor& input, Plain plain) override
    {
        return m_mode == Mode::Pairs ? observePair(module, input, plain) : tryUnit(module, input, plain);
    }

    std::unordered_map<const torch::nn::Module*, const torch::nn::Module*> batchNormInput; // null: not a conv's
    std::unordered_map<const torch::nn::Module*, int> calls;

private:
    torch::Tensor observePair(const torch::nn::Module* module, const torch::Tensor& input, Plain plain)
    {
        ++calls[module];
        if (module->as<torch::nn::BatchNorm2d>()) {
            const torch::nn::Module* from =
                input.unsafeGetTensorImpl() == m_lastConvOutput.unsafeGetTensorImpl() ? m_lastConv : nullptr;
            auto [it, fresh] = batchNormInput.emplace(module, from);
            if (!fresh && it->second != from)
                it->second = nullptr;
        }
        torch::Tensor output = plain(input);
        if (module->as<torch::nn::Conv2d>()) {
            m_lastConv = module;
            m_lastConvOutput = output;
        }
        return output;
    }

    // Tries the module as a unit against its plain output, computed with no
    // trials below it. When they agree, every module the plain run called is
    // a unit too (it ran in oneDNN's layout inside this one); when not, the
    // module runs plainly again and its children are tried one by one.
    torch::Tensor tryUnit(const torch::nn::Module* module, const torch::Tensor& input, Plain plain)
    {
        if (m_collecting) {
            m_collected.push_back(module);
            return plain(input);
        }
        if (m_form.m_pairOfBatchNorm.count(module)) // folded: passed over, never run
            return plain(input);
        ++m_form.m_stats.modulesTried;
        torch::Tensor fast;
        if (denseFloat(input)) {
            try {
                InferencePass trial(m_form, nullptr);
                fast = trial.runUnit(module, input, plain);
                if (trial.fallbacks() > 0)
                    fast = torch::Tensor();
            } catch (const Cancelled&) {
                throw;
            } catch (const std::exception&) {
                fast = torch::Tensor(); // an operation oneDNN's layout does not have: not a unit
            }
        }
        torch::Tensor output;
        std::vector<const torch::nn::Module*> below;
        {
            m_collecting = true;
            OnExit reset{[this] { m_collecting = false; }};
            output = plain(input);
            below.swap(m_collected);
        }
        torch::Tensor reference = output;
        if (const auto conv = m_form.m_convolutions.find(module);
            conv != m_form.m_convolutions.end() && conv->second.batchNormImpl)
            reference = conv->second.batchNormImpl->forward(output); // the unit folds its BatchNorm in
        if (fast::agrees(fast, reference)) {
            m_form.m_units.insert(module);
            m_form.m_units.insert(below.begin(), below.end());
            return output;
        }
        return plain(input);
    }

    InferenceForm& m_form;
    Mode m_mode;
    const torch::nn::Module* m_lastConv = nullptr;
    torch::Tensor m_lastConvOutput;
    bool m_collecting = false;
    std::vector<const torch::nn::Module*> m_collected;
};

InferenceForm::InferenceForm(ClassifierModule& model, int64_t height, int64_t width) : m_root(&model)
{
    const auto start = std::chrono::steady_clock::now();
    torch::NoGradGuard noGrad;
    for (const auto& item : model.named_modules("", /*include_self=*/true))
        for (const auto& child : item.value()->children())
            m_parent[child.get()] = item.value().get();
    // Any input will do: units are found by agreement on it, and the values
    // of a normalised photo are of this order.
    auto generator = at::detail::createCPUGenerator(/*seed_in=*/18);
    const torch::Tensor input = at::randn({1, 3, height, width}, generator);
    try {
        findPairs(model, input);
        pack(model);
        const torch::Tensor plain = findUnits(model, input);
        {
            InferencePass pass(*this, nullptr);
            m_stats.exact = !m_units.empty() && fast::agrees(pass.forward(model, input), plain) && pass.fallbacks() == 0;
        }
        if (m_stats.exact)
            measure(model, input);
    } catch (const Cancelled&) {
        throw;
    } catch (const std::exception&) {
        m_stats.exact = false; // the plain network is still there: nothing is lost
    }
    m_stats.units = int(m_units.size());
    m_stats.wholeNetwork = m_units.count(m_root) > 0;
    m_stats.buildMs = millisecondsSince(start);
}

InferenceForm::~InferenceForm() = default;

void InferenceForm::measure(ClassifierModule& model, const torch::Tensor& input)
{
    // Where few modules run in oneDNN's layout (an architecture whose blocks
    // use operations it lacks: RegNet's squeeze-excitation product), the
    // conversions around each unit can cost more than they save.
    const fast::Timing timing = fast::compareSpeed([&] { model.forward(input); },
                                                   [&] { InferencePass(*this, nullptr).forward(model, input); });
    m_stats.plainMs = timing.plainMs;
    m_stats.fastMs = timing.fastMs;
    m_stats.faster = timing.faster();
}

void InferenceForm::findPairs(ClassifierModule& model, const torch::Tensor& input)
{
    CalibrationPass pass(*this, CalibrationPass::Mode::Pairs);
    model.forward(input);
    // A BatchNorm folds into the convolution whose output every one of its
    // calls took, if that convolution was called exactly as often.
    for (const auto& [batchNorm, conv] : pass.batchNormInput)
        if (conv && pass.calls[conv] == pass.calls[batchNorm])
            m_pairOfBatchNorm[batchNorm] = conv;
    for (const auto& [module, count] : pass.calls)
        if (module->as<torch::nn::Conv2d>())
            m_convolutions[module]; // called: worth packing
        else if (module->as<torch::nn::Linear>())
            m_linears[module];
}

void InferenceForm::pack(ClassifierModule& model)
{
    std::unordered_map<const torch::nn::Module*, torch::nn::BatchNorm2dImpl*> batchNorms;
    for (const auto& module : model.modules(/*include_self=*/false))
        if (auto* batchNorm = module->as<torch::nn::BatchNorm2d>())
            batchNorms[module.get()] = batchNorm;
    std::unordered_map<const torch::nn::Module*, const torch::nn::Module*> batchNormOfConv;
    for (const auto& [batchNorm, conv] : m_pairOfBatchNorm)
        batchNormOfConv[conv] = batchNorm;

    for (const auto& module : model.modules(/*include_self=*/false)) {
        const auto found = m_convolutions.find(module.get());
        if (found == m_convolutions.end())
            continue;
        const auto& conv = *module->as<torch::nn::Conv2d>();
        Convolution& packed = found->second;
        if (!convolutionOptions(conv, packed.padding, packed.stride, packed.dilation, packed.groups)) {
            m_convolutions.erase(found);
            continue;
        }
        torch::Tensor weight = conv.weight.detach();
        torch::Tensor bias = conv.bias.defined() ? conv.bias.detach() : torch::zeros({weight.size(0)});
        if (const auto pair = batchNormOfConv.find(module.get()); pair != batchNormOfConv.end()) {
            // bn(conv(x)) = γ·(W∗x + b − μ)/√(σ²+ε) + β: one convolution.
            torch::nn::BatchNorm2dImpl* batchNorm = batchNorms.at(pair->second);
            const torch::Tensor scale =
                batchNorm->weight.detach() / torch::sqrt(batchNorm->running_var + batchNorm->options.eps());
            weight = weight * scale.view({-1, 1, 1, 1});
            bias = batchNorm->bias.detach() + (bias - batchNorm->running_mean) * scale;
            packed.batchNorm = pair->second;
            packed.batchNormImpl = batchNorm;
            ++m_stats.foldedPairs;
        }
        packed.packed = at::mkldnn_reorder_conv2d_weight(weight.contiguous().to_mkldnn(), packed.padding,
                                                          packed.stride, packed.dilation, packed.groups);
        packed.bias = bias.contiguous();
        m_stats.extraBytes += int64_t(weight.numel() + bias.numel()) * int64_t(sizeof(float));
        ++m_stats.packedConvolutions;
    }
    for (auto& [module, linear] : m_linears) {
        const auto& layer = *module->as<torch::nn::Linear>();
        linear.weightTransposed = layer.weight.detach().t().contiguous();
        linear.bias = layer.bias.defined() ? layer.bias.detach() : torch::Tensor();
        m_stats.extraBytes += linear.weightTransposed.numel() * int64_t(sizeof(float));
        ++m_stats.transposedLinears;
    }
    // A BatchNorm whose convolution cannot be packed is not folded either.
    for (auto it = m_pairOfBatchNorm.begin(); it != m_pairOfBatchNorm.end();)
        it = m_convolutions.count(it->second) ? std::next(it) : m_pairOfBatchNorm.erase(it);
}

torch::Tensor InferenceForm::findUnits(ClassifierModule& model, const torch::Tensor& input)
{
    CalibrationPass pass(*this, CalibrationPass::Mode::Units);
    // The root is tried like any module (logits() runs it as one unit).
    return pass.run(m_root, input, [&](const torch::Tensor& x) { return model.forward(x); });
}

InferencePass::InferencePass(const InferenceForm& form, const torch::nn::Module* target)
    : m_form(form), m_target(target)
{
    for (const torch::nn::Module* module = target; module;) {
        m_ancestors.insert(module);
        const auto parent = form.m_parent.find(module);
        module = parent == form.m_parent.end() ? nullptr : parent->second;
    }
}

bool InferencePass::targetReached() const
{
    const TapScope* tap = TapScope::current();
    return m_target && tap && tap->reached();
}

torch::Tensor InferencePass::run(const torch::nn::Module* module, const torch::Tensor& input, Plain plain)
{
    if (m_depth > 0)
        return inside(module, input, plain);
    if (module == m_lastFoldedBatchNorm && input.unsafeGetTensorImpl() == m_lastFolded) {
        m_lastFoldedBatchNorm = nullptr;
        return input; // its convolution already applied it
    }
    if (c10::GradMode::is_enabled() || targetReached() || m_ancestors.count(module) || !m_form.m_units.count(module) ||
        !denseFloat(input))
        return plain(input);
    // A convolution whose BatchNorm is the target must give the target its
    // own input: not folded, and plain (one convolution).
    if (const auto conv = m_form.m_convolutions.find(module);
        conv != m_form.m_convolutions.end() && conv->second.batchNorm && m_ancestors.count(conv->second.batchNorm))
        return plain(input);
    try {
        torch::Tensor output = runUnit(module, input, plain);
        if (const auto conv = m_form.m_convolutions.find(module);
            conv != m_form.m_convolutions.end() && conv->second.batchNorm) {
            m_lastFolded = output.unsafeGetTensorImpl();
            m_lastFoldedBatchNorm = conv->second.batchNorm;
        }
        return output;
    } catch (const Cancelled&) {
        throw;
    } catch (const std::exception&) {
        ++m_fallbacks; // an input the calibration did not see the like of
        return plain(input);
    }
}

torch::Tensor InferencePass::runUnit(const torch::nn::Module* module, const torch::Tensor& input, Plain plain)
{
    ++m_depth;
    OnExit leave{[this] {
        if (--m_depth == 0)
            m_overwritable = torch::Tensor(); // a unit's insides are not the caller's
    }};
    return toDense(inside(module, input.contiguous().to_mkldnn(), plain));
}

bool InferencePass::claimToOverwrite(const torch::Tensor& value)
{
    if (m_depth == 0 || !m_overwritable.defined() || !value.is_same(m_overwritable))
        return false;
    m_overwritable = torch::Tensor();
    return true;
}

torch::Tensor InferencePass::inside(const torch::nn::Module* module, const torch::Tensor& input, Plain plain)
{
    // Only the call right after a convolution (or its folded BatchNorm) may
    // write into its output.
    torch::Tensor overwritable = std::exchange(m_overwritable, torch::Tensor());
    if (module == m_lastFoldedBatchNorm && input.unsafeGetTensorImpl() == m_lastFolded) {
        m_lastFoldedBatchNorm = nullptr;
        m_overwritable = std::move(overwritable);
        return input;
    }
    // torchvision's ReLU modules are in place (inplace=True) on what the
    // convolution before them returns; ours are modules that cannot know
    // where their input comes from, so the form applies them in place here.
    if (overwritable.defined() && input.is_same(overwritable) && dynamic_cast<const torch::nn::ReLUImpl*>(module))
        return torch::Tensor(input).relu_();
    const auto found = m_form.m_convolutions.find(module);
    if (found == m_form.m_convolutions.end()) {
        // oneDNN's layout is for feature maps: a classifier head's Linear
        // (flattened features) takes them dense.
        const torch::Tensor dense = input.is_mkldnn() && input.dim() != 4 ? input.to_dense() : input;
        if (const auto linear = m_form.m_linears.find(module); linear != m_form.m_linears.end() && dense.dim() == 2)
            return linear->second.bias.defined() ? at::addmm(linear->second.bias, dense, linear->second.weightTransposed)
                                                 : at::mm(dense, linear->second.weightTransposed);
        return plain(dense);
    }
    const InferenceForm::Convolution& conv = found->second;
    torch::Tensor output = at::mkldnn_convolution(input.is_mkldnn() ? input : input.contiguous().to_mkldnn(),
                                                  conv.packed, conv.bias, conv.padding, conv.stride,
                                                  conv.dilation, conv.groups);
    if (conv.batchNorm) {
        m_lastFolded = output.unsafeGetTensorImpl();
        m_lastFoldedBatchNorm = conv.batchNorm;
    }
    m_overwritable = output;
    return output;
}

torch::Tensor InferencePass::forward(ClassifierModule& model, const torch::Tensor& inputs)
{
    return run(&model, inputs, [&](const torch::Tensor& x) { return model.forward(x); });
}

} // namespace gce
