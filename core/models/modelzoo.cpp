#include "core/models/modelzoo.h"

#include <torch/torch.h>

#include "core/errors.h"
#include "core/models/architectures/families.h"
#include "core/support/textmatch.h"

namespace gce {

namespace {
using FamilyList = std::vector<ModelConstructor> (*)();
const FamilyList kFamilies[] = {
#define GCE_FAMILY(name) name##Family,
#include "core/models/architectures/families.def"
#undef GCE_FAMILY
};

ModelFactory findConstructor(const std::string& name)
{
    for (FamilyList family : kFamilies)
        for (auto& constructor : family())
            if (constructor.name == name)
                return constructor.create;
    return {};
}
} // namespace

std::shared_ptr<ClassifierModule> createModel(const std::string& name, int64_t numClasses, bool torchvisionInit)
{
    const std::string& known = modelSpec(name).name;
    const ModelFactory create = findConstructor(known);
    TORCH_CHECK(create, "model spec without a constructor: ", known);
    std::shared_ptr<ClassifierModule> model = create(numClasses);
    if (torchvisionInit)
        model->initialiseLikeTorchvision();
    model->eval();
    return model;
}

std::string moduleTypeName(const torch::nn::Module& module)
{
    std::string name = module.name();
    if (const auto colons = name.rfind("::"); colons != std::string::npos)
        name = name.substr(colons + 2);
    if (name.size() > 4 && name.compare(name.size() - 4, 4, "Impl") == 0)
        name.resize(name.size() - 4);
    return name;
}

std::vector<LayerInfo> listLayers(const torch::nn::Module& model)
{
    std::vector<LayerInfo> layers;
    for (const auto& item : model.named_modules(/*name_prefix=*/"", /*include_self=*/false))
        layers.push_back({item.key(), moduleTypeName(*item.value())});
    return layers;
}

std::string lastConv2d(const std::vector<LayerInfo>& layers)
{
    std::string last;
    for (const auto& layer : layers)
        if (layer.type == "Conv2d")
            last = layer.name;
    if (last.empty())
        throw UsageError("the model has no Conv2d layer; choose a target layer explicitly");
    return last;
}

std::string defaultTargetLayer(const torch::nn::Module& model) { return lastConv2d(listLayers(model)); }

void throwUnknownLayer(const std::string& name, const std::vector<std::string>& known)
{
    std::string message = "unknown layer \"" + name + "\"";
    const auto close = closestMatches(name, known, 3);
    if (!close.empty())
        message += " (did you mean " + joinWords(close, ", ") + "?)";
    throw UsageError(message + "; --list-layers shows them all");
}

std::shared_ptr<torch::nn::Module> findLayer(const torch::nn::Module& model, const std::string& name)
{
    std::vector<std::string> names;
    for (const auto& item : model.named_modules("", false)) {
        if (item.key() == name)
            return item.value();
        names.push_back(item.key());
    }
    throwUnknownLayer(name, names);
}

} // namespace gce
