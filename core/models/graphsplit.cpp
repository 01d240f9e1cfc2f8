#include "core/models/graphsplit.h"

#include <algorithm>

#include <torch/csrc/jit/api/function_impl.h>
#include <torch/csrc/jit/passes/dead_code_elimination.h>

#include "core/errors.h"

namespace gce {

namespace tj = torch::jit;

namespace {
// The callee of a call node, or null when it is not a graph function.
tj::GraphFunction* calleeOf(tj::Node* node)
{
    if (node->kind() == c10::prim::CallMethod) {
        const auto classType = node->input(0)->type()->cast<c10::ClassType>();
        return classType ? tj::tryToGraphFunction(classType->getMethod(node->s(c10::attr::name))) : nullptr;
    }
    if (node->kind() == c10::prim::CallFunction) {
        const auto functionType = node->input(0)->type()->cast<c10::FunctionType>();
        return functionType ? tj::tryToGraphFunction(*functionType->function()) : nullptr;
    }
    return nullptr;
}

bool isModule(const tj::Value* value)
{
    const auto classType = value->type()->cast<c10::ClassType>();
    return classType && classType->is_module();
}

struct Inliner {
    std::map<const tj::Value*, std::string> modulePaths; // module-typed values -> their path
    std::map<std::string, tj::Value*> outputs;

    void run(tj::Block* block)
    {
        for (tj::Node* node = block->nodes().front(); node != block->return_node();) {
            tj::Node* previous = node->prev();
            if (visit(node)) {
                node = previous->next(); // continue with the inlined body
                continue;
            }
            for (tj::Block* inner : node->blocks())
                run(inner);
            node = node->next();
        }
    }

    // Returns true when the node was replaced by an inlined body.
    bool visit(tj::Node* node)
    {
        if (node->kind() == c10::prim::GetAttr && isModule(node->output())) {
            const auto parent = modulePaths.find(node->input(0));
            if (parent != modulePaths.end()) {
                const std::string& name = node->s(c10::attr::name);
                modulePaths[node->output()] = parent->second.empty() ? name : parent->second + "." + name;
            }
            return false;
        }
        tj::GraphFunction* callee = calleeOf(node);
        if (!callee)
            return false;
        std::string modulePath;
        bool isModuleForward = false;
        if (node->kind() == c10::prim::CallMethod) {
            const auto receiver = modulePaths.find(node->input(0));
            isModuleForward = receiver != modulePaths.end() && !receiver->second.empty() &&
                              node->s(c10::attr::name) == "forward";
            if (isModuleForward)
                modulePath = receiver->second;
        } else {
            node->removeInput(0); // the function constant is not an argument
        }
        const std::vector<tj::Value*> before(node->outputs().begin(), node->outputs().end());
        // The unoptimised graph: the optimised one has its own calls inlined
        // already, and the module boundaries inside it would be lost.
        const std::vector<tj::Value*> after = tj::inlineCallTo(node, callee, callee->graph().get());
        // Outputs recorded earlier may have been this call's result (a
        // Sequential returns its last child's output): follow them.
        for (auto& [path, value] : outputs)
            for (std::size_t i = 0; i < before.size(); ++i)
                if (value == before[i])
                    value = after[i];
        if (isModuleForward && after.size() == 1)
            outputs[modulePath] = after[0];
        return true;
    }
};

// A value's place in a graph that survives Graph::copy(): the index of its
// top-level node (-1: a graph input) and of the output.
struct Place {
    int node = -1;
    std::size_t output = 0;
};

std::vector<tj::Node*> topLevelNodes(tj::Graph& graph)
{
    return {graph.nodes().begin(), graph.nodes().end()};
}

Place placeOf(tj::Graph& graph, const tj::Value* value)
{
    const auto nodes = topLevelNodes(graph);
    for (std::size_t i = 0; i < graph.inputs().size(); ++i)
        if (graph.inputs()[i] == value)
            return {-1, i};
    for (std::size_t n = 0; n < nodes.size(); ++n)
        for (std::size_t o = 0; o < nodes[n]->outputs().size(); ++o)
            if (nodes[n]->outputs()[o] == value)
                return {static_cast<int>(n), o};
    throw std::logic_error("value is not at the top level of the graph");
}

tj::Value* valueAt(tj::Graph& graph, const Place& place)
{
    if (place.node < 0)
        return graph.inputs()[place.output];
    return topLevelNodes(graph)[static_cast<std::size_t>(place.node)]->outputs()[place.output];
}

// The top-level node that contains `node` (itself when it is top-level).
tj::Node* topLevelAncestor(tj::Node* node, tj::Block* top)
{
    while (node->owningBlock() != top)
        node = node->owningBlock()->owningNode();
    return node;
}

void returnTuple(tj::Graph& graph, const std::vector<tj::Value*>& values)
{
    while (!graph.outputs().empty())
        graph.eraseOutput(graph.outputs().size() - 1);
    tj::WithInsertPoint point(graph.return_node());
    tj::Node* tuple = graph.insertNode(graph.createTuple(values));
    graph.registerOutput(tuple->output());
}
} // namespace

InlinedForward inlineForward(const std::shared_ptr<tj::Graph>& forward)
{
    InlinedForward result;
    result.graph = forward->copy();
    Inliner inliner;
    inliner.modulePaths[result.graph->inputs().at(0)] = "";
    inliner.run(result.graph->block());
    result.outputs = std::move(inliner.outputs);
    return result;
}

SplitForward splitAt(const InlinedForward& forward, tj::Value* value, const std::string& layerName)
{
    tj::Graph& graph = *forward.graph;
    tj::Block* top = graph.block();
    if (value->node()->owningBlock() != top)
        throw UsageError("layer \"" + layerName +
                         "\" is computed inside an if or a loop of this TorchScript model; choose an enclosing layer");
    // Position of every top-level node, to tell the prefix from the tail.
    std::map<const tj::Node*, int> position;
    int index = 0;
    for (tj::Node* node : graph.nodes())
        position[node] = index++;
    const int split = value->node()->kind() == c10::prim::Param ? -1 : position.at(value->node());

    // The live values: defined up to the split, used after it.
    std::vector<Place> live;
    const auto usedAfterSplit = [&](tj::Value* candidate) {
        for (const tj::Use& use : candidate->uses()) {
            if (use.user == graph.return_node())
                return true;
            if (position.at(topLevelAncestor(use.user, top)) > split)
                return true;
        }
        return false;
    };
    for (std::size_t i = 1; i < graph.inputs().size(); ++i) // self (input 0) is passed to both halves anyway
        if (usedAfterSplit(graph.inputs()[i]))
            live.push_back({-1, i});
    for (tj::Node* node : graph.nodes()) {
        if (position.at(node) > split)
            break;
        // Constants and attribute reads (parameters, submodules) are cheap to
        // repeat: the tail keeps its own, so parameters are never copied.
        if (node->kind() == c10::prim::Constant || node->kind() == c10::prim::GetAttr)
            continue;
        for (tj::Value* output : node->outputs())
            if (output != value && usedAfterSplit(output))
                live.push_back(placeOf(graph, output));
    }
    const Place activation = placeOf(graph, value);

    SplitForward result;
    result.liveCount = live.size();

    result.prefix = graph.copy();
    std::vector<tj::Value*> prefixOutputs;
    for (const Place& place : live)
        prefixOutputs.push_back(valueAt(*result.prefix, place));
    prefixOutputs.push_back(valueAt(*result.prefix, activation));
    const std::vector<tj::Node*> prefixNodes = topLevelNodes(*result.prefix);
    returnTuple(*result.prefix, prefixOutputs);
    // Remove the tail explicitly: dead-code elimination would keep its
    // in-place ops on prefix values (they alias the outputs), and the tail
    // would then apply them a second time.
    for (int n = static_cast<int>(prefixNodes.size()) - 1; n > split; --n)
        prefixNodes[static_cast<std::size_t>(n)]->destroy();
    tj::EliminateDeadCode(result.prefix);

    result.tail = graph.copy();
    tj::Graph& tail = *result.tail;
    const std::vector<tj::Node*> tailNodes = topLevelNodes(tail); // before the clones go in front
    std::vector<tj::Value*> targets;
    for (const Place& place : live)
        targets.push_back(valueAt(tail, place));
    targets.push_back(valueAt(tail, activation));
    for (tj::Value* target : targets) {
        tj::Value* input = tail.addInput()->setType(target->type());
        tj::Value* replacement = input;
        if (target->type()->cast<c10::TensorType>()) {
            tj::WithInsertPoint point(tail.block()->nodes().front());
            replacement = tail.insert(c10::aten::clone, {input});
        }
        target->replaceAllUsesWith(replacement);
    }
    // Remove the prefix explicitly too, last node first: its values now come
    // as inputs, but dead-code elimination keeps nodes with side effects, and
    // a scripted model's modules check their inputs (a BatchNorm's dimension
    // check: prim::If ... prim::RaiseException), which kept most of the
    // prefix alive in the tail, run a second time. Constants and attribute
    // reads the tail still uses stay.
    for (int n = split; n >= 0; --n) {
        tj::Node* node = tailNodes[static_cast<std::size_t>(n)];
        const auto& outputs = node->outputs();
        if (std::none_of(outputs.begin(), outputs.end(), [](const tj::Value* v) { return v->hasUses(); }))
            node->destroy();
    }
    tj::EliminateDeadCode(result.tail);
    return result;
}

std::shared_ptr<tj::Graph> allOutputsGraph(const InlinedForward& forward, std::vector<std::string>* names)
{
    auto graph = forward.graph->copy();
    std::vector<tj::Value*> values;
    names->clear();
    for (const auto& [path, value] : forward.outputs) {
        if (!value->type()->cast<c10::TensorType>())
            continue;
        // Values inside an if/loop are not visible at the end of the graph.
        if (value->node()->owningBlock() != forward.graph->block())
            continue;
        names->push_back(path);
        values.push_back(valueAt(*graph, placeOf(*forward.graph, value)));
    }
    returnTuple(*graph, values);
    tj::EliminateDeadCode(graph);
    return graph;
}

} // namespace gce
