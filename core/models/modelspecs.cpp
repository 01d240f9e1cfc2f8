#include "core/models/modelspecs.h"

#include <filesystem>

#include "core/errors.h"
#include "core/support/textmatch.h"

namespace gce {

namespace {
const std::string kDownloadBase = "https://download.pytorch.org/models/";

// torchvision 0.14's transforms=partial(ImageClassification, crop_size=..., resize_size=...,
// interpolation=...) of each file; ImageClassification's defaults are 256, bilinear.
WeightsFile official(const std::string& fileName, int resizeSize = 256, int cropSize = 224,
                     ResizeInterpolation interpolation = ResizeInterpolation::Bilinear)
{
    return {fileName, kDownloadBase + fileName, {resizeSize, cropSize, cropSize, interpolation}};
}

WeightsFile bicubic(const std::string& fileName, int resizeSize, int cropSize)
{
    return official(fileName, resizeSize, cropSize, ResizeInterpolation::Bicubic);
}
} // namespace

const std::vector<ModelSpec>& modelSpecs()
{
    static const std::vector<ModelSpec> specs = {
        {"resnet18", {official("resnet18-f37072fd.pth")}},
        {"resnet34", {official("resnet34-b627a593.pth")}},
        // torchvision's DEFAULT for ResNet-50 is IMAGENET1K_V2; V1 is still common in caches.
        {"resnet50", {official("resnet50-11ad3fa6.pth", 232), official("resnet50-0676ba61.pth")}},
        {"resnet101", {official("resnet101-cd907fc2.pth", 232), official("resnet101-63fe2227.pth")}},
        {"resnet152", {official("resnet152-f82ba261.pth", 232), official("resnet152-394f9c45.pth")}},
        {"wide_resnet50_2", {official("wide_resnet50_2-9ba9bcbe.pth", 232), official("wide_resnet50_2-95faca4d.pth")}},
        {"resnext50_32x4d", {official("resnext50_32x4d-1a0047aa.pth", 232), official("resnext50_32x4d-7cdf4587.pth")}},
        {"squeezenet1_0", {official("squeezenet1_0-b66bff10.pth")}},
        {"squeezenet1_1", {official("squeezenet1_1-b8a52dc0.pth")}},
        {"vgg11", {official("vgg11-8a719046.pth")}},
        {"vgg11_bn", {official("vgg11_bn-6002323d.pth")}},
        {"vgg13", {official("vgg13-19584684.pth")}},
        {"vgg13_bn", {official("vgg13_bn-abd245e5.pth")}},
        {"vgg16", {official("vgg16-397923af.pth")}},
        {"vgg16_bn", {official("vgg16_bn-6c64b313.pth")}},
        {"vgg19", {official("vgg19-dcbb9e9d.pth")}},
        {"vgg19_bn", {official("vgg19_bn-c79401a0.pth")}},
        // The official DenseNet files use old keys ("norm.1"): DenseNet::checkpointKey.
        {"densenet121", {official("densenet121-a639ec97.pth")}},
        {"densenet161", {official("densenet161-8d451a50.pth")}},
        {"densenet169", {official("densenet169-b2777c0a.pth")}},
        {"densenet201", {official("densenet201-c1103571.pth")}},
        // Holds the auxiliary heads torchvision drops: GoogLeNet::checkpointKey.
        {"googlenet", {official("googlenet-1378be20.pth")}},
        // torchvision 0.14's DEFAULT weights first, then the other published versions.
        {"mobilenet_v2", {official("mobilenet_v2-7ebf99e0.pth", 232), official("mobilenet_v2-b0353104.pth")}},
        {"mobilenet_v3_large",
         {official("mobilenet_v3_large-5c1a4163.pth", 232), official("mobilenet_v3_large-8738ca79.pth")}},
        {"mobilenet_v3_small", {official("mobilenet_v3_small-047dcff4.pth")}},
        {"efficientnet_b0", {bicubic("efficientnet_b0_rwightman-3dd342df.pth", 256, 224)}},
        {"efficientnet_b1",
         {official("efficientnet_b1-c27df63c.pth", 255, 240), bicubic("efficientnet_b1_rwightman-533bc792.pth", 256, 240)}},
        {"efficientnet_b2", {bicubic("efficientnet_b2_rwightman-bcdf34b7.pth", 288, 288)}},
        {"efficientnet_b3", {bicubic("efficientnet_b3_rwightman-cf984f9c.pth", 320, 300)}},
        {"convnext_tiny", {official("convnext_tiny-983f1562.pth", 236)}},
        // Vision transformers: the ImageNet-1K files and SWAG's linear-classifier
        // files, all 224×224. SWAG's end-to-end files (384, 512) learned their
        // position embeddings for larger inputs and are not offered.
        {"vit_b_16", {official("vit_b_16-c867db91.pth"), bicubic("vit_b_16_lc_swag-4e70ced5.pth", 224, 224)}},
        {"vit_b_32", {official("vit_b_32-d86f8d99.pth")}},
        {"vit_l_16", {official("vit_l_16-852ce7e3.pth", 242), bicubic("vit_l_16_lc_swag-4d563306.pth", 224, 224)}},
        {"vit_l_32", {official("vit_l_32-c7638314.pth")}},
        {"maxvit_t", {bicubic("maxvit_t-bc5ab103.pth", 224, 224)}},
        {"regnet_y_400mf", {official("regnet_y_400mf-e6988f5f.pth", 232), official("regnet_y_400mf-c65dace8.pth")}},
        {"swin_t", {bicubic("swin_t-704ceda3.pth", 232, 224)}},
        {"swin_s", {bicubic("swin_s-5e29d889.pth", 246, 224)}},
        {"swin_b", {bicubic("swin_b-68c6b09e.pth", 238, 224)}},
        {"swin_v2_t", {bicubic("swin_v2_t-b137f0e2.pth", 260, 256)}},
        {"swin_v2_s", {bicubic("swin_v2_s-637d8ceb.pth", 260, 256)}},
        {"swin_v2_b", {bicubic("swin_v2_b-781e5279.pth", 272, 256)}},
    };
    return specs;
}

const ModelSpec& modelSpec(const std::string& name)
{
    std::vector<std::string> names;
    for (const auto& spec : modelSpecs()) {
        if (spec.name == name)
            return spec;
        names.push_back(spec.name);
    }
    throw UsageError("unknown model \"" + name + "\" (known: " + joinWords(names, ", ") +
                     "; or the path of a TorchScript file)");
}

ModelTransform modelTransformFor(const std::string& modelName, const std::string& weightsPath)
{
    const ModelSpec& spec = modelSpec(modelName);
    const std::string base = std::filesystem::path(weightsPath).filename().string();
    for (const auto& file : spec.weights)
        if (file.fileName == base)
            return file.transform;
    return spec.weights.front().transform;
}

bool namesModelFile(const std::string& model)
{
    for (const auto& spec : modelSpecs())
        if (spec.name == model)
            return false;
    return model.find('/') != std::string::npos || model.find('.') != std::string::npos;
}

} // namespace gce
