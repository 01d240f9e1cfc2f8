#include "app/cli/clirunner.h"

#include <chrono>
#include <filesystem>
#include <iomanip>
#include <ostream>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/cam/explainer.h"
#include "core/errors.h"
#include "core/imaging/imageloader.h"
#include "core/imaging/overlay.h"
#include "core/support/weightscache.h"

namespace gce::cli {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::string resolveWeights(const CliOptions& options, std::ostream& err)
{
    const std::string path = resolveWeightsArgument(options.model, options.weights);
    if (path.empty())
        err << "gradcam-cli: warning: untrained weights (--weights none): predictions and maps are meaningless\n";
    return path;
}

std::string slug(const std::string& text)
{
    std::string out;
    for (unsigned char c : text)
        out += std::isalnum(c) ? static_cast<char>(std::tolower(c)) : '_';
    return out;
}

// Writes next to the destination, then renames: a failed write never leaves
// a half-written file under the requested name.
void writeImageAtomically(const fs::path& path, const cv::Mat& rgb)
{
    cv::Mat bgr;
    cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
    const fs::path temporary =
        path.parent_path() / ("." + path.filename().string() + ".partial" + path.extension().string());
    bool written = false;
    try {
        written = cv::imwrite(temporary.string(), bgr);
    } catch (const cv::Exception&) {
        written = false;
    }
    std::error_code error;
    if (written)
        fs::rename(temporary, path, error);
    if (!written || error) {
        fs::remove(temporary, error);
        throw InputError("cannot write \"" + path.string() + "\" (check the folder exists, is writable, "
                         "and the extension is an image format such as .png or .jpg)");
    }
}

nlohmann::json scoreJson(const LabelSet& labels, const ClassScore& score)
{
    return {{"index", score.index}, {"name", labels.name(score.index)}, {"probability", score.probability}};
}

nlohmann::json heatmapJson(const cv::Mat& map)
{
    std::vector<float> values(map.begin<float>(), map.end<float>());
    return {{"height", map.rows}, {"width", map.cols}, {"values", values}};
}

void listLayers(Explainer& explainer, std::ostream& out)
{
    for (const auto& layer : explainer.layerShapes()) {
        std::string shape;
        for (std::size_t i = 0; i < layer.outputShape.size(); ++i)
            shape += (i ? "x" : "") + std::to_string(layer.outputShape[i]);
        out << std::left << std::setw(34) << layer.name << std::setw(20) << layer.type << std::setw(18) << shape
            << (layer.name == explainer.defaultLayer() ? "(default)" : "") << "\n";
    }
}

void listModels(std::ostream& out)
{
    out << "weights are looked up in " << torchHubCheckpointsDir() << "\n";
    for (const auto& spec : modelSpecs()) {
        const auto cached = findCachedWeights(spec);
        out << std::left << std::setw(16) << spec.name << (cached ? "weights found: " + *cached : "no weights (download " + spec.weights.front().url + ")") << "\n";
    }
}

void listMethods(std::ostream& out)
{
    for (CamMethod method : allCamMethods())
        out << std::left << std::setw(12) << camMethodName(method) << camMethodDescription(method) << "\n";
}

struct ImageJob {
    std::string path;
    std::vector<int> classes;
    int contrast = -1;
};

int explainImage(const CliOptions& options, Explainer& explainer, const ImageJob& job, std::ostream& out)
{
    const auto start = Clock::now();
    const LoadedImage image = loadImage(job.path);
    const double decodeMs = msSince(start);

    auto t = Clock::now();
    const auto input = preprocessImage(image.rgb, explainer.preprocessing());
    const double preprocessMs = msSince(t);

    auto session = explainer.explainTensor(input, options.layer);
    const auto top = session->topK(options.topK);
    std::vector<int> classes = job.classes;
    if (classes.empty())
        classes.push_back(top.front().index);

    const LabelSet& labels = explainer.labels();
    if (!options.json) {
        out << job.path << " (" << image.rgb.cols << "x" << image.rgb.rows << "), " << explainer.modelName()
            << " at " << session->layerName() << "\n  top-" << top.size() << ":";
        for (const auto& score : top)
            out << "  " << score.index << " " << labels.name(score.index) << " " << std::fixed
                << std::setprecision(3) << score.probability;
        out << "\n";
    }

    bool firstLine = true;
    for (int classIndex : classes) {
        const auto lineStart = Clock::now();
        const CamMap cam = session->explain({options.method, classIndex, job.contrast, options.counterfactual});
        double overlayMs = 0.0;
        std::string written;
        if (!options.overlayPath.empty() || !options.outDir.empty()) {
            t = Clock::now();
            const cv::Mat overlay = renderOverlay(image.rgb, cam.map, options.colormap, options.alpha);
            fs::path path = options.overlayPath;
            if (path.empty())
                path = fs::path(options.outDir) / (fs::path(job.path).stem().string() + "_" +
                                                   std::to_string(classIndex) + "_" +
                                                   slug(labels.name(classIndex)) + ".png");
            writeImageAtomically(path, overlay);
            written = path.string();
            overlayMs = msSince(t);
        }
        const ClassScore score = session->score(classIndex);
        const double sharedMs = firstLine ? decodeMs + preprocessMs + session->forwardMs() : 0.0;
        if (options.json) {
            nlohmann::json line = {
                {"image", job.path},
                {"model", explainer.modelName()},
                {"layer", session->layerName()},
                {"method", camMethodName(options.method)},
                {"contrast_class_index", job.contrast},
                {"counterfactual", options.counterfactual},
                {"class_index", classIndex},
                {"class_name", labels.name(classIndex)},
                {"probability", score.probability},
                {"rank", session->rankOf(classIndex)},
                {"top_k", nlohmann::json::array()},
                {"heatmap", heatmapJson(cam.map)},
                {"empty", cam.empty},
                {"untrained", explainer.untrained()},
                {"reused_session", !firstLine},
                {"timings_ms",
                 {{"decode", firstLine ? decodeMs : 0.0},
                  {"preprocess", firstLine ? preprocessMs : 0.0},
                  {"forward", firstLine ? session->forwardMs() : 0.0},
                  {"backward", cam.backwardMs},
                  {"overlay", overlayMs},
                  {"total", sharedMs + msSince(lineStart)}}}};
            for (const auto& s : top)
                line["top_k"].push_back(scoreJson(labels, s));
            if (!written.empty())
                line["overlay"] = written;
            out << line.dump() << "\n";
        } else {
            out << "  class " << classIndex << " \"" << labels.name(classIndex) << "\": probability " << std::fixed
                << std::setprecision(3) << score.probability << ", rank " << session->rankOf(classIndex)
                << (cam.empty ? ", empty map (no positive evidence at this layer)" : "")
                << (written.empty() ? "" : ", overlay " + written) << "\n";
        }
        firstLine = false;
    }
    return 0;
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
    modelSpec(options.model); // unknown model: usage error before touching files
    if (!options.outDir.empty() && !fs::is_directory(options.outDir))
        throw UsageError("--out-dir \"" + options.outDir + "\" is not a directory");

    Explainer explainer(options.model, resolveWeights(options, err));
    if (options.listLayers) {
        listLayers(explainer, out);
        return 0;
    }
    // Validate the layer and the classes before any image work.
    if (!options.layer.empty())
        findLayer(explainer.model(), options.layer);
    std::vector<int> classes;
    for (const auto& query : options.classes)
        classes.push_back(explainer.labels().resolve(query));
    const int contrast = options.contrast.empty() ? -1 : explainer.labels().resolve(options.contrast);

    int exitCode = 0;
    for (const auto& path : options.images) {
        try {
            explainImage(options, explainer, {path, classes, contrast}, out);
        } catch (const InputError& error) {
            err << "gradcam-cli: " << error.what() << "\n";
            exitCode = 3;
        }
        out.flush();
    }
    return exitCode;
}

} // namespace gce::cli
