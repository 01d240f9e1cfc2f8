#include "core/models/modelspecs.h"

#include "core/errors.h"
#include "core/support/textmatch.h"

namespace gce {

namespace {
const std::string kDownloadBase = "https://download.pytorch.org/models/";

WeightsFile official(const std::string& fileName) { return {fileName, kDownloadBase + fileName}; }
} // namespace

const std::vector<ModelSpec>& modelSpecs()
{
    static const std::vector<ModelSpec> specs = {
        {"resnet18", {official("resnet18-f37072fd.pth")}},
        {"resnet34", {official("resnet34-b627a593.pth")}},
        // torchvision's DEFAULT for ResNet-50 is IMAGENET1K_V2; V1 is still common in caches.
        {"resnet50", {official("resnet50-11ad3fa6.pth"), official("resnet50-0676ba61.pth")}},
        {"squeezenet1_1", {official("squeezenet1_1-b8a52dc0.pth")}},
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
    throw UsageError("unknown model \"" + name + "\" (known: " + joinWords(names, ", ") + ")");
}

} // namespace gce
