#pragma once
// Architecture families: each family's .cpp lists its models by torchvision
// name with a constructor; modelzoo.cpp looks names up across the families.
// A family is added by writing its .cpp, declaring its function here and
// listing it in modelzoo.cpp's kFamilies (plus its weight files in
// modelspecs.cpp).
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

std::vector<ModelConstructor> resnetFamily();     // resnet.cpp
std::vector<ModelConstructor> squeezenetFamily(); // squeezenet.cpp
std::vector<ModelConstructor> vggFamily();        // vgg.cpp (VGG-11/13/16/19, with and without BN)
std::vector<ModelConstructor> densenetFamily();   // densenet.cpp (121/161/169/201)
std::vector<ModelConstructor> googlenetFamily();  // googlenet.cpp
std::vector<ModelConstructor> mobilenetFamily();    // mobilenet.cpp (V2, V3 Large/Small)
std::vector<ModelConstructor> efficientnetFamily(); // efficientnet.cpp (B0-B3)
std::vector<ModelConstructor> convnextFamily();     // convnext.cpp (Tiny)
std::vector<ModelConstructor> regnetFamily();       // regnet.cpp (Y-400MF)

} // namespace gce
