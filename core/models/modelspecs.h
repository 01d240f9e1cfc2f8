#pragma once
// The architectures the engine knows and their official weight files. No
// LibTorch here: the GUI lists models and finds weights with this alone.
#include <string>
#include <vector>

namespace gce {

struct WeightsFile {
    std::string fileName; // as torchvision caches it, e.g. "resnet18-f37072fd.pth"
    std::string url;      // official download address
};

struct ModelSpec {
    std::string name;                 // "resnet18"
    std::vector<WeightsFile> weights; // preferred (torchvision's DEFAULT) first
};

const std::vector<ModelSpec>& modelSpecs();
// Throws UsageError listing the known names.
const ModelSpec& modelSpec(const std::string& name);

// True when a model argument names a TorchScript file rather than an
// architecture: not a known name, and it has a '/' or a file extension.
bool namesModelFile(const std::string& model);

} // namespace gce
