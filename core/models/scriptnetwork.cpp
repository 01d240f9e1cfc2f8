#include "core/models/scriptnetwork.h"

#include <filesystem>

#include <torch/csrc/jit/api/function_impl.h>
#include <torch/torch.h>

#include "core/errors.h"
#include "core/models/activationlayout.h"
#include "core/models/fastcheck.h"
#include "core/models/interrupt.h"
#include "core/models/modelzoo.h"
#include "core/models/scriptform.h"

namespace gce {

namespace tj = torch::jit;

namespace {
std::string firstLine(const std::string& text)
{
    return text.substr(0, text.find('\n'));
}

// The logits from whatever the forward returned: a tensor, or a tuple/list
// whose first element is one (as some classifiers return (logits, aux)).
torch::Tensor logitsOf(const c10::IValue& output, const std::string& path)
{
    c10::IValue value = output;
    if (value.isTuple() && !value.toTupleRef().elements().empty())
        value = value.toTupleRef().elements()[0];
    else if (value.isList() && value.toListRef().size() > 0)
        value = value.toListRef()[0];
    if (!value.isTensor() || value.toTensor().dim() != 2)
        throw InputError("TorchScript model \"" + path +
                         "\" does not return N×classes logits (its forward must return a 2-D tensor)");
    return value.toTensor();
}

std::string typeName(const tj::Module& module)
{
    const auto name = module.type()->name();
    return name ? name->name() : "Module";
}

std::unique_ptr<tj::GraphFunction> functionFor(const std::string& name, std::shared_ptr<tj::Graph> graph)
{
    // SIMPLE: run the graph as written; no profiling runs or fusion, whose
    // first calls are slow and whose kernels could change the numbers.
    return std::make_unique<tj::GraphFunction>(c10::QualifiedName(name), std::move(graph), nullptr,
                                               tj::ExecutorExecutionMode::SIMPLE);
}

c10::IValue call(tj::GraphFunction& function, std::vector<c10::IValue> arguments)
{
    tj::Stack stack(std::move(arguments));
    function.run(stack);
    return stack.front();
}

// Two prefix results (tuples) agree: the same values, their tensors within
// fast::agrees.
bool prefixesAgree(const c10::IValue& fast, const c10::IValue& plain)
{
    const auto& a = fast.toTupleRef().elements();
    const auto& b = plain.toTupleRef().elements();
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].isTensor() != b[i].isTensor())
            return false;
        if (a[i].isTensor() && !fast::agrees(a[i].toTensor(), b[i].toTensor()))
            return false;
    }
    return true;
}
} // namespace

struct ScriptNetwork::Split {
    std::shared_ptr<tj::Graph> prefixGraph;
    std::unique_ptr<tj::GraphFunction> prefix;
    std::unique_ptr<tj::GraphFunction> tail;
    std::size_t liveCount = 0;
    // LibTorch's inference form of the prefix (core/models/scriptform.h),
    // built by prepareInference; under m_optimisedMutex.
    bool formBuilt = false, formFaster = false;
    std::optional<tj::Module> form;
};

ScriptNetwork::ScriptNetwork(const std::string& path, int64_t height, int64_t width)
    : m_path(path), m_formPolicy(fast::startingPolicy())
{
    std::error_code error;
    if (!std::filesystem::exists(path, error))
        throw InputError("cannot read TorchScript model \"" + path + "\": no such file");
    if (!std::filesystem::is_regular_file(path, error))
        throw InputError("cannot read TorchScript model \"" + path + "\": not a regular file");
    try {
        m_module = tj::load(path, torch::kCPU);
    } catch (const c10::Error& error) {
        throw InputError("cannot read TorchScript model \"" + path + "\": " + firstLine(error.msg()));
    }
    if (!m_module.find_method("forward"))
        throw InputError("TorchScript model \"" + path + "\" has no forward method");
    m_module.eval();
    // Only d(score)/d(activation) is ever asked for: parameters never need
    // autograd, and without it the tail records just the activation's path.
    for (const auto& parameter : m_module.parameters())
        parameter.requires_grad_(false);

    for (const auto& item : m_module.named_modules())
        if (!item.name.empty())
            m_layers.push_back({item.name, typeName(item.value)});
    try {
        m_inlined = inlineForward(m_module.get_method("forward").graph());
    } catch (const c10::Error& error) {
        throw InputError("cannot prepare TorchScript model \"" + path + "\": " + firstLine(error.msg()));
    }
    m_forward = functionFor("gce_forward", m_inlined.graph);
    m_defaultLayer = defaultLayerOf(m_layers);
    try {
        m_classCount = logits(torch::zeros({1, 3, height, width})).size(1);
    } catch (const c10::Error& error) {
        throw InputError("TorchScript model \"" + path + "\" fails on a 1×3×" + std::to_string(height) + "×" +
                         std::to_string(width) + " input: " + firstLine(error.msg()));
    }
}

ScriptNetwork::~ScriptNetwork() = default;

void ScriptNetwork::checkLayer(const std::string& name) const
{
    std::vector<std::string> names;
    for (const auto& layer : m_layers) {
        if (layer.name == name)
            return;
        names.push_back(layer.name);
    }
    throwUnknownLayer(name, names);
}

std::vector<torch::Tensor> ScriptNetwork::parameters() const
{
    std::vector<torch::Tensor> result;
    for (const auto& parameter : m_module.parameters())
        result.push_back(parameter);
    return result;
}

torch::Tensor ScriptNetwork::logits(const torch::Tensor& inputs)
{
    torch::NoGradGuard noGrad;
    if (std::optional<torch::jit::Module> module =
            inputs.dim() == 4 ? optimised(inputs.size(2), inputs.size(3)) : std::nullopt) {
        try {
            return logitsOf(module->forward({inputs}), m_path);
        } catch (const std::exception&) {
            // A shape or type the frozen graph did not foresee: the plain graph.
        }
    }
    return logitsOf(call(*m_forward, {m_module._ivalue(), inputs}), m_path);
}

void ScriptNetwork::setFormPolicy(FormPolicy policy)
{
    std::lock_guard<std::mutex> lock(m_optimisedMutex);
    m_formPolicy = policy;
}

void ScriptNetwork::prepareInference(int64_t height, int64_t width, const std::string& layer)
{
    // A graph call cannot be stopped part-way: the thread's InterruptScope is
    // polled between the steps (each under ~0.2 s for ResNet-18), and a
    // stopped build leaves nothing half-made for the next call.
    optimised(height, width);
    InterruptScope::poll();
    std::shared_ptr<Split> split;
    try {
        split = splitFor(layer);
    } catch (const std::exception&) {
        return; // a layer the maps cannot use either: they say why
    }
    std::lock_guard<std::mutex> lock(m_optimisedMutex);
    if (m_formPolicy == FormPolicy::Off || split->formBuilt)
        return;
    try {
        torch::NoGradGuard noGrad;
        tj::Module module = scriptform::optimisedPrefix(m_module, split->prefixGraph);
        InterruptScope::poll();
        const torch::Tensor x = torch::randn({1, 3, height, width});
        const auto plain = [&] { return call(*split->prefix, {m_module._ivalue(), x}); };
        const auto fast = [&] { return module.get_method(scriptform::kPrefixMethod)({x}); };
        if (prefixesAgree(fast(), plain())) {
            InterruptScope::poll();
            split->formFaster = fast::compareSpeed(plain, fast).faster();
            split->form = std::move(module);
        }
    } catch (const Cancelled&) {
        throw;
    } catch (const std::exception&) {
        // Control flow or operators freezing does not take: the plain prefix.
    }
    split->formBuilt = true;
}

bool ScriptNetwork::prefixOptimisedFor(const std::string& layer) { return prefixForm(*splitFor(layer)).has_value(); }

std::optional<torch::jit::Module> ScriptNetwork::prefixForm(const Split& split)
{
    std::lock_guard<std::mutex> lock(m_optimisedMutex);
    if (m_formPolicy == FormPolicy::Off || !split.form || (m_formPolicy == FormPolicy::Measured && !split.formFaster))
        return std::nullopt;
    return split.form;
}

bool ScriptNetwork::optimisedFor(const torch::Tensor& inputs)
{
    return inputs.dim() == 4 && optimised(inputs.size(2), inputs.size(3)).has_value();
}

std::optional<torch::jit::Module> ScriptNetwork::optimised(int64_t height, int64_t width)
{
    std::lock_guard<std::mutex> lock(m_optimisedMutex);
    // The constructor's own pass (the class count) stays plain: m_classCount
    // is still 0 then.
    if (m_formPolicy == FormPolicy::Off || m_classCount == 0)
        return std::nullopt;
    if (!m_optimisedBuilt) {
        // Polled between the steps, as prepareInference's prefix build: a
        // stopped build leaves nothing, and the next call starts it again.
        try {
            InterruptScope::poll();
            torch::NoGradGuard noGrad;
            torch::jit::Module module = scriptform::optimisedModule(m_module);
            InterruptScope::poll();
            const torch::Tensor x = torch::randn({1, 3, height, width});
            const auto plain = [&] { return logitsOf(call(*m_forward, {m_module._ivalue(), x}), m_path); };
            const auto fast = [&] { return logitsOf(module.forward({x}), m_path); };
            if (fast::agrees(fast(), plain())) {
                InterruptScope::poll();
                m_optimisedFaster = fast::compareSpeed(plain, fast).faster();
                m_optimised = std::move(module);
            }
        } catch (const Cancelled&) {
            throw;
        } catch (const std::exception&) {
            // Control flow or operators freezing does not take: the plain graph.
        }
        m_optimisedBuilt = true;
    }
    if (!m_optimised || (m_formPolicy == FormPolicy::Measured && !m_optimisedFaster))
        return std::nullopt;
    return m_optimised;
}

std::vector<LayerShape> ScriptNetwork::layerShapes(int64_t height, int64_t width)
{
    std::vector<std::string> names;
    const auto function = functionFor("gce_layer_shapes", allOutputsGraph(m_inlined, &names));
    torch::NoGradGuard noGrad;
    const auto outputs = call(*function, {m_module._ivalue(), torch::zeros({1, 3, height, width})});
    std::map<std::string, std::vector<int64_t>> shapes;
    const auto& elements = outputs.toTupleRef().elements();
    for (std::size_t i = 0; i < names.size(); ++i)
        shapes[names[i]] = elements[i].toTensor().sizes().vec();
    std::vector<LayerShape> result;
    for (const auto& layer : m_layers) {
        const auto found = shapes.find(layer.name);
        result.push_back({layer.name, layer.type, found == shapes.end() ? std::vector<int64_t>{} : found->second});
    }
    return result;
}

std::shared_ptr<ScriptNetwork::Split> ScriptNetwork::splitFor(const std::string& layer)
{
    if (const auto cached = m_splits.find(layer); cached != m_splits.end())
        return cached->second;
    checkLayer(layer);
    const auto output = m_inlined.outputs.find(layer);
    if (output == m_inlined.outputs.end())
        throw UsageError("layer \"" + layer + "\" is not used by the model's forward pass");
    SplitForward graphs = splitAt(m_inlined, output->second, layer);
    auto split = std::make_shared<Split>();
    split->prefixGraph = graphs.prefix;
    split->prefix = functionFor("gce_prefix", graphs.prefix);
    split->tail = functionFor("gce_tail", graphs.tail);
    split->liveCount = graphs.liveCount;
    m_splits[layer] = split;
    return split;
}

TappedForward ScriptNetwork::forwardTapped(const torch::Tensor& input, const std::string& layer, PrefixPass pass)
{
    const auto split = splitFor(layer);
    const c10::IValue self = m_module._ivalue();
    // prefix(self, input) -> (live..., activation), without autograd: through
    // its inference form once prepareInference built one, as a zoo model's.
    const std::optional<torch::jit::Module> form =
        pass == PrefixPass::Fastest ? prefixForm(*split) : std::nullopt;
    const auto runPrefix = [split, self, form](const torch::Tensor& x) {
        torch::NoGradGuard noGrad;
        if (form) {
            try {
                return form->get_method(scriptform::kPrefixMethod)({x}).toTuple()->elements().vec();
            } catch (const std::exception&) {
                // A shape or type the frozen graph did not foresee: the plain prefix.
            }
        }
        return call(*split->prefix, {self, x}).toTuple()->elements().vec();
    };
    const auto runTail = [split, self, path = m_path](const torch::Tensor& x, const std::vector<c10::IValue>& live,
                                                     const torch::Tensor& activation) {
        std::vector<c10::IValue> arguments{self, x};
        arguments.insert(arguments.end(), live.begin(), live.end());
        arguments.emplace_back(activation);
        return logitsOf(call(*split->tail, std::move(arguments)), path);
    };

    std::vector<c10::IValue> prefixOutputs = runPrefix(input);
    if (!prefixOutputs.back().isTensor())
        throw UsageError("layer \"" + layer + "\" does not output a tensor");
    // The layer's output read as a map (core/models/activationlayout.h): the
    // map is the leaf, and the tail runs on it turned back into tokens.
    const torch::Tensor output = prefixOutputs.back().toTensor();
    const ActivationLayout layout = ActivationLayout::infer(output.sizes().vec(), input.size(2), input.size(3));
    TappedForward result;
    result.exactPrefix = !form; // conservative: a form that threw fell back to the plain prefix
    result.activation = layout.toMap(output).detach().requires_grad_(true);
    prefixOutputs.pop_back();
    {
        torch::AutoGradMode gradMode(true);
        result.logits = runTail(input, prefixOutputs, layout.fromMap(result.activation, output));
    }
    // Replacement activations reuse the prefix's values at batch 1 (they
    // broadcast over the batch in sums); where the graph cannot broadcast, the
    // prefix runs again on the input repeated over the batch.
    result.tail = [runPrefix, runTail, input, layout, output = output.detach(),
                   live = std::move(prefixOutputs)](const torch::Tensor& maps) {
        torch::AutoGradMode gradMode(maps.requires_grad()); // the prefix runs without it regardless
        const torch::Tensor activations = layout.fromMap(maps, output);
        try {
            return runTail(input, live, activations);
        } catch (const std::exception&) { // the interpreter reports shape errors as std::runtime_error
            const torch::Tensor batch = input.expand({activations.size(0), -1, -1, -1});
            std::vector<c10::IValue> batchLive = runPrefix(batch);
            batchLive.pop_back();
            return runTail(batch, batchLive, activations);
        }
    };
    return result;
}

} // namespace gce
