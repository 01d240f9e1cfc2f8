#include "app/cli/clirunner.h"

#include <algorithm>
#include <filesystem>
#include <iomanip>
#include <optional>
#include <ostream>

#include "app/cli/datasetrun.h"
#include "app/cli/explainimage.h"
#include "app/cli/regionquery.h"
#include "app/cli/manifest.h"
#include "core/cam/explainer.h"
#include "core/errors.h"
#include "core/models/modelspecs.h"
#include "core/support/textmatch.h"
#include "core/support/weightscache.h"

namespace gce::cli {

namespace fs = std::filesystem;

namespace {

std::string resolveWeights(const CliOptions& options, std::ostream& err)
{
    const std::string path = resolveWeightsArgument(options.model, options.weights);
    if (path.empty() && !namesModelFile(options.model))
        err << "gradcam-cli: warning: untrained weights (--weights none): predictions and maps are meaningless\n";
    return path;
}

void listLayers(Explainer& explainer, std::ostream& out)
{
    for (const auto& layer : explainer.layerShapes()) {
        std::string shape;
        for (std::size_t i = 0; i < layer.outputShape.size(); ++i)
            shape += (i ? "x" : "") + std::to_string(layer.outputShape[i]);
        if (!layer.mapLayout.empty())
            shape += " (" + layer.mapLayout + ")";
        out << std::left << std::setw(34) << layer.name << std::setw(20) << layer.type << std::setw(18) << shape
            << (layer.name == explainer.defaultLayer() ? " (default)" : "") << "\n";
    }
}

void listModels(std::ostream& out)
{
    // One line per architecture in aligned columns. "found" goes by the file
    // name alone: hashing every cached file (up to 550 MB each) would make a
    // listing take seconds; downloads are verified before they get the name.
    const auto searched = torchHubSearchDirs();
    const std::string where = searched.empty() ? "(no torch hub cache folder exists)" : joinWords(searched, ", ");
    out << "weights searched in " << where << "; downloads go to " << torchHubCheckpointsDir() << "\n";
    std::size_t nameWidth = std::string("model").size();
    for (const auto& spec : modelSpecs())
        nameWidth = std::max(nameWidth, spec.name.size());
    const int nameColumn = static_cast<int>(nameWidth) + 2;
    constexpr int kStatusColumn = 9; // "missing" + 2
    out << std::left << std::setw(nameColumn) << "model" << std::setw(kStatusColumn) << "weights"
        << "file (or download address)\n";
    for (const auto& spec : modelSpecs()) {
        const auto cached = findCachedWeights(spec);
        const auto bundled = cached ? std::nullopt : bundledWeights(spec);
        const char* status = cached ? "found" : bundled ? "bundled" : "missing";
        out << std::left << std::setw(nameColumn) << spec.name << std::setw(kStatusColumn) << status
            << (cached ? *cached : bundled ? *bundled : downloadUrl(spec)) << "\n";
    }
}

void listMethods(std::ostream& out)
{
    for (CamMethod method : allCamMethods())
        out << std::left << std::setw(16) << camMethodName(method) << camMethodDescription(method) << "\n";
}

} // namespace

int runCli(const CliOptions& options, std::ostream& out, std::ostream& err)
{
    if (options.listModels) {
        listModels(out);
        return 0;
    }
    if (options.listMethods) {
        listMethods(out);
        return 0;
    }
    if (!options.merge.empty()) {
        const std::string summary = mergeShardManifests(options.merge); // before any output: it may throw
        err << "gradcam-cli: " << summary << "\n";
        return 0;
    }
    if (!namesModelFile(options.model))
        modelSpec(options.model); // unknown model: usage error before touching files
    // A dataset run makes its --out-dir; the plain run writes into an existing one.
    if (!options.outDir.empty() && options.input.empty() && !fs::is_directory(options.outDir))
        throw UsageError("--out-dir \"" + options.outDir + "\" is not a directory");

    Explainer explainer(options.model, resolveWeights(options, err), options.labels);
    if (options.preprocess)
        explainer.setPreprocessMode(*options.preprocess);
    if (options.listLayers) {
        listLayers(explainer, out);
        return 0;
    }
    // Validate the layer and the classes before any image work.
    if (!options.layer.empty())
        explainer.checkLayer(options.layer);
    std::vector<int> classes;
    for (const auto& query : options.classes)
        classes.push_back(explainer.labels().resolve(query));
    const int contrast = options.contrast.empty() ? -1 : explainer.labels().resolve(options.contrast);

    if (!options.input.empty())
        return runDataset(options, explainer, classes, contrast, err);

    int exitCode = 0;
    for (const auto& path : options.images) {
        try {
            if (options.region)
                rankRegion(options, explainer, path, out);
            else
                explainImage(options, explainer, {path, classes, 1, contrast}, out);
        } catch (const InputError& error) {
            err << "gradcam-cli: " << error.what() << "\n";
            exitCode = 3;
        }
        out.flush();
    }
    return exitCode;
}

} // namespace gce::cli
