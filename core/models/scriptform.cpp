#include "core/models/scriptform.h"

#include <unordered_map>

#include <torch/csrc/jit/api/compilation_unit.h>
#include <torch/csrc/jit/passes/freeze_module.h>
#include <torch/csrc/jit/passes/frozen_conv_add_relu_fusion.h>
#include <torch/csrc/jit/passes/frozen_graph_optimizations.h>
#include <torch/csrc/jit/passes/frozen_linear_transpose.h>
#include <torch/csrc/jit/passes/frozen_ops_to_mkldnn.h>

namespace gce::scriptform {

namespace tj = torch::jit;

tj::Module optimisedModule(const tj::Module& module)
{
    tj::Module frozen = tj::freeze(module.clone());
    return tj::optimize_for_inference(frozen);
}

tj::Module optimisedPrefix(const tj::Module& module, const std::shared_ptr<tj::Graph>& prefix)
{
    // A clone has class types of its own (sharing the tensors), so that the
    // method added to it is not added to the loaded module's type; the
    // prefix's values typed as the loaded module's classes (self and the
    // submodules its attribute reads reach) are retyped to the clone's.
    tj::Module clone = module.clone(/*inplace=*/true);
    std::unordered_map<c10::TypePtr, c10::TypePtr> typeOf;
    const auto from = module.modules(), to = clone.modules();
    for (auto a = from.begin(), b = to.begin(); a != from.end() && b != to.end(); ++a, ++b)
        typeOf[(*a).type()] = (*b).type();
    std::shared_ptr<tj::Graph> graph = prefix->copy();
    graph->remapTypes([&](c10::TypePtr type) {
        const auto found = typeOf.find(type);
        return found == typeOf.end() ? type : found->second;
    });
    tj::Function* method = clone._ivalue()->compilation_unit()->create_function(
        c10::QualifiedName(*clone.type()->name(), kPrefixMethod), graph);
    clone.type()->addMethod(method);

    // freeze() and optimize_for_inference() optimise `forward` only (and the
    // latter re-freezes an unfrozen module without the preserved method), so
    // the method gets the passes optimize_for_inference runs, one by one.
    tj::Module frozen = tj::freeze_module(clone, {kPrefixMethod});
    std::shared_ptr<tj::Graph> optimised = frozen.get_method(kPrefixMethod).graph();
    tj::OptimizeFrozenGraph(optimised, /*optimize_numerics=*/true);
    tj::FuseFrozenConvAddRelu(optimised);
    tj::ConvertFrozenOpsToMKLDNN(optimised);
    tj::FrozenLinearTranspose(optimised);
    return frozen;
}

} // namespace gce::scriptform
