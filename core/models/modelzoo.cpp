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

namespace {
// Attention modules of vision transformers: torchvision's ViT
// (MultiheadAttention), Swin (ShiftedWindowAttention, V2) and timm's ViT/DeiT
// (Attention), scripted or not. MaxViT's partitioned attention is not among
// them: its blocks end in channels-first maps, and its last Conv2d is kept.
bool isTransformerAttention(const std::string& type)
{
    return type == "MultiheadAttention" || type == "ShiftedWindowAttention" || type == "ShiftedWindowAttentionV2" ||
           type == "Attention";
}

bool isNorm(const std::string& type) { return type.find("Norm") != std::string::npos; }
} // namespace

std::string defaultLayerOf(const std::vector<LayerInfo>& layers)
{
    // The block holding the last attention module, and that block's first
    // norm: pytorch-grad-cam's advice for ViT (blocks[-1].norm1) and Swin
    // (layers[-1].blocks[-1].norm1). The last block's output feeds only the
    // class token (ViT) or a pooled vector, so its gradient says little about
    // where; the norm before the last attention still has one token per patch.
    for (auto attention = layers.rbegin(); attention != layers.rend(); ++attention) {
        if (!isTransformerAttention(attention->type))
            continue;
        const auto dot = attention->name.rfind('.');
        if (dot == std::string::npos)
            break;
        const std::string block = attention->name.substr(0, dot + 1);
        for (const auto& layer : layers)
            if (layer.name.compare(0, block.size(), block) == 0 && isNorm(layer.type))
                return layer.name;
        break;
    }
    return lastConv2d(layers);
}

std::string defaultTargetLayer(const torch::nn::Module& model) { return defaultLayerOf(listLayers(model)); }

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
