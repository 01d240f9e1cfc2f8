#pragma once
// Architecture families: each family's .cpp lists its models by torchvision
// name with a constructor; modelzoo.cpp looks names up across the families.
// A family is added by writing its .cpp and one line in families.def (plus
// its weights files in core/models/modelspecs.cpp).
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/models/classifier.h"

namespace gce {

using ModelFactory = std::function<std::shared_ptr<ClassifierModule>(int64_t numClasses)>;

struct ModelConstructor {
    std::string name; // torchvision's function name: "resnet18", "vgg16_bn", ...
    ModelFactory create;
};

// resnetFamily(), squeezenetFamily(), ...: each family's models by torchvision name.
#define GCE_FAMILY(name) std::vector<ModelConstructor> name##Family();
#include "core/models/architectures/families.def"
#undef GCE_FAMILY

} // namespace gce
