#include "app/cli/clirunner.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iomanip>
#include <optional>
#include <ostream>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/cam/explainer.h"
#include "core/cam/faithfulness.h"
#include "core/errors.h"
#include "core/support/atomicfile.h"
#include "core/imaging/cropoverlay.h"
#include "core/imaging/imageloader.h"
#include "core/imaging/overlay.h"
#include "core/models/modelspecs.h"
#include "core/support/textmatch.h"
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
    if (path.empty() && !namesModelFile(options.model))
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

// Encoded in memory, then written atomically (core/support/atomicfile.h): the
// reason a write failed is the system's, and libpng gets no file to complain
// about on stderr.
void writeImageAtomically(const fs::path& path, const cv::Mat& rgb)
{
    cv::Mat bgr;
    cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
    std::vector<std::uint8_t> encoded;
    bool ok = false;
    try {
        ok = cv::imencode(path.extension().string(), bgr, encoded);
    } catch (const cv::Exception&) {
        ok = false;
    }
    if (!ok)
        throw InputError("cannot write \"" + path.string() + "\": \"" + path.extension().string() +
                         "\" is not an image format (use .png or .jpg)");
    writeFileAtomically(path, encoded.data(), encoded.size());
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

// With the model transform: which transform ran and where its crop lies in the image.
nlohmann::json transformJson(const Preprocessing& preprocessing, const CropBox& box)
{
    const ModelTransform& t = preprocessing.model;
    return {{"resize_size", t.resizeSize},
            {"crop_size", {t.cropHeight, t.cropWidth}},
            {"interpolation", interpolationName(t.interpolation)},
            {"crop", {{"x", box.x}, {"y", box.y}, {"width", box.width}, {"height", box.height}}}};
}

// --metrics: the faithfulness scores of one map (core/cam/faithfulness.h).
nlohmann::json metricsJson(const FaithfulnessScores& scores)
{
    return {{"deletion_auc", scores.deletionAuc},
            {"insertion_auc", scores.insertionAuc},
            {"average_drop", scores.averageDrop},
            {"increase_in_confidence", scores.increaseInConfidence},
            {"deletion_curve", scores.deletionCurve},
            {"insertion_curve", scores.insertionCurve}};
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
    const Preprocessing& preprocessing = explainer.preprocessing();
    const bool modelTransform = preprocessing.mode == PreprocessMode::Model;
    const auto input = preprocessImage(image.rgb, preprocessing);
    const CropBox box = inputBox(image.rgb.cols, image.rgb.rows, preprocessing);
    const double preprocessMs = msSince(t);

    auto session = explainer.explainTensor(input, options.layer);
    const auto top = session->topK(options.topK);
    std::vector<int> classes = job.classes;
    if (classes.empty())
        classes.push_back(top.front().index);

    const LabelSet& labels = explainer.labels();
    if (!options.json) {
        out << job.path << " (" << image.rgb.cols << "x" << image.rgb.rows << "), " << explainer.modelName()
            << " at " << session->layerName()
            << (modelTransform ? ", model preprocessing (" + describeModelTransform(preprocessing.model) + ")" : "")
            << "\n  top-" << top.size() << ":";
        for (const auto& score : top)
            out << "  " << score.index << " " << labels.name(score.index) << " " << std::fixed
                << std::setprecision(3) << score.probability;
        out << "\n";
    }

    bool firstLine = true;
    for (int classIndex : classes) {
        const auto lineStart = Clock::now();
        const CamMap cam = session->explain({options.method, classIndex, job.contrast, options.counterfactual,
                                             options.augmentSmooth, options.eigenSmooth});
        double overlayMs = 0.0;
        std::string written;
        if (!options.overlayPath.empty() || !options.outDir.empty()) {
            t = Clock::now();
            const cv::Mat overlay = modelTransform
                                        ? renderCropOverlay(image.rgb, cam.map, box, options.colormap, options.alpha)
                                        : renderOverlay(image.rgb, cam.map, options.colormap, options.alpha);
            fs::path path = options.overlayPath;
            if (path.empty())
                path = fs::path(options.outDir) / (fs::path(job.path).stem().string() + "_" +
                                                   std::to_string(classIndex) + "_" +
                                                   slug(labels.name(classIndex)) + ".png");
            writeImageAtomically(path, overlay);
            written = path.string();
            overlayMs = msSince(t);
        }
        std::optional<FaithfulnessScores> metrics;
        double metricsMs = 0.0;
        if (options.metrics) {
            t = Clock::now();
            metrics = computeFaithfulness(*session, classIndex, cam.map);
            metricsMs = msSince(t);
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
                {"aug_smooth", options.augmentSmooth},
                {"eigen_smooth", options.eigenSmooth},
                {"preprocess", preprocessModeName(preprocessing.mode)},
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
            if (modelTransform)
                line["transform"] = transformJson(preprocessing, box);
            if (!written.empty())
                line["overlay"] = written;
            if (metrics) {
                line["metrics"] = metricsJson(*metrics);
                line["timings_ms"]["metrics"] = metricsMs;
            }
            out << line.dump() << "\n";
        } else {
            out << "  class " << classIndex << " \"" << labels.name(classIndex) << "\": probability " << std::fixed
                << std::setprecision(3) << score.probability << ", rank " << session->rankOf(classIndex)
                << (cam.empty ? ", empty map (no positive evidence at this layer)" : "")
                << (written.empty() ? "" : ", overlay " + written) << "\n";
            if (metrics)
                out << "    faithfulness: deletion AUC " << std::setprecision(3) << metrics->deletionAuc
                    << ", insertion AUC " << metrics->insertionAuc << ", average drop " << std::setprecision(1)
                    << metrics->averageDrop << "%, confidence "
                    << (metrics->increaseInConfidence ? "increased" : "not increased") << "\n";
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
    if (!namesModelFile(options.model))
        modelSpec(options.model); // unknown model: usage error before touching files
    if (!options.outDir.empty() && !fs::is_directory(options.outDir))
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
