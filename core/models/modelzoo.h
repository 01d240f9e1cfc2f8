#pragma once
// Building the known architectures (core/models/modelspecs.h) and access to
// their layers by torchvision name.
#include <memory>
#include <string>
#include <vector>

#include "core/models/classifier.h"
#include "core/models/modelspecs.h"
#include "core/models/network.h"

namespace gce {

// A new model in eval mode; with torchvisionInit, initialised like
// torchvision's (for untrained use; pointless when weights are loaded next).
// Throws UsageError for an unknown name.
std::shared_ptr<ClassifierModule> createModel(const std::string& name, int64_t numClasses = 1000,
                                              bool torchvisionInit = true);

// Every submodule in module order (torchvision's named_modules(), without the root).
std::vector<LayerInfo> listLayers(const torch::nn::Module& model);
// The default target layer of a layer list (any network's): for a vision
// transformer the first norm of its last attention block, otherwise the last
// Conv2d in module order (the tutorial's target layer).
std::string defaultLayerOf(const std::vector<LayerInfo>& layers);
std::string defaultTargetLayer(const torch::nn::Module& model);
// The last Conv2d of a layer list (any network's); throws UsageError when there is none.
std::string lastConv2d(const std::vector<LayerInfo>& layers);
// The UsageError for a layer name that is not in `known` ("did you mean ...").
[[noreturn]] void throwUnknownLayer(const std::string& name, const std::vector<std::string>& known);
// Throws UsageError ("unknown layer ...; did you mean ...") when absent.
std::shared_ptr<torch::nn::Module> findLayer(const torch::nn::Module& model, const std::string& name);
// "torch::nn::Conv2dImpl" / "gce::BasicBlockImpl" -> "Conv2d" / "BasicBlock".
std::string moduleTypeName(const torch::nn::Module& module);

} // namespace gce
