#include "app/cli/explainimage.h"

#include <algorithm>
#include <chrono>
#include <iomanip>
#include <optional>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/cam/faithfulness.h"
#include "core/errors.h"
#include "core/imaging/cropoverlay.h"
#include "core/imaging/imageloader.h"
#include "core/imaging/overlay.h"
#include "core/support/atomicfile.h"

namespace gce::cli {

namespace fs = std::filesystem;

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

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
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

} // namespace

void explainImage(const CliOptions& options, Explainer& explainer, const ImageJob& job, std::ostream& out,
                  const ExplainOutput& output)
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
        for (const auto& score : session->topK(std::max(1, job.topKMaps)))
            classes.push_back(score.index);

    const LabelSet& labels = explainer.labels();
    const bool json = options.json || output.sink;
    if (!json) {
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
        fs::path path;
        if (output.overlayPath)
            path = output.overlayPath(classIndex, labels.name(classIndex));
        else if (!options.overlayPath.empty())
            path = options.overlayPath;
        else if (!options.outDir.empty())
            path = fs::path(options.outDir) / (fs::path(job.path).stem().string() + "_" + std::to_string(classIndex) +
                                               "_" + slug(labels.name(classIndex)) + ".png");
        if (!path.empty()) {
            t = Clock::now();
            const cv::Mat overlay = modelTransform
                                        ? renderCropOverlay(image.rgb, cam.map, box, options.colormap, options.alpha)
                                        : renderOverlay(image.rgb, cam.map, options.colormap, options.alpha);
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
        if (json) {
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
            if (output.sink)
                output.sink({std::move(line), cam.map, classIndex});
            else
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
}


} // namespace gce::cli
