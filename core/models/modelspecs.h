#pragma once
// The architectures the engine knows and their official weight files. No
// LibTorch here: the GUI lists models and finds weights with this alone.
#include <string>
#include <vector>

#include "core/support/preprocessing.h"

namespace gce {

struct WeightsFile {
    std::string fileName; // as torchvision caches it, e.g. "resnet18-f37072fd.pth"
    std::string url;      // official download address
    // Its eval transform (weights.transforms() in torchvision 0.14): the
    // transform belongs to the file, not the architecture (EfficientNet-B1's
    // V2 file is 255 -> 240 bilinear, its V1 file 256 -> 240 bicubic).
    ModelTransform transform;
};

struct ModelSpec {
    std::string name;                 // "resnet18"
    std::vector<WeightsFile> weights; // preferred (torchvision's DEFAULT) first
};

const std::vector<ModelSpec>& modelSpecs();
// Throws UsageError listing the known names.
const ModelSpec& modelSpec(const std::string& name);

// The eval transform of the weights file `weightsPath` (matched by file name
// among the architecture's official files); any other file (a user's own, the
// bundled model, none) gets the architecture's DEFAULT file's transform.
// Throws UsageError for an unknown architecture.
ModelTransform modelTransformFor(const std::string& modelName, const std::string& weightsPath);

// True when a model argument names a TorchScript file rather than an
// architecture: not a known name, and it has a '/' or a file extension.
bool namesModelFile(const std::string& model);

} // namespace gce
