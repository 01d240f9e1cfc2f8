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
#include "core/support/stopwatch.h"

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

PreparedImage prepareImage(const std::string& path, const Preprocessing& preprocessing)
{
    const auto start = Clock::now();
    PreparedImage prepared;
    prepared.rgb = loadImage(path).rgb;
    prepared.width = prepared.rgb.cols;
    prepared.height = prepared.rgb.rows;
    prepared.decodeMs = millisecondsSince(start);
    const auto t = Clock::now();
    prepared.input = preprocessImage(prepared.rgb, preprocessing);
    prepared.box = inputBox(prepared.width, prepared.height, preprocessing);
    prepared.preprocessMs = millisecondsSince(t);
    return prepared;
}

std::vector<int> classesFor(const ImageJob& job, const ClassRanking& ranking)
{
    std::vector<int> classes = job.classes;
    if (classes.empty())
        for (const auto& score : ranking.topK(std::max(1, job.topKMaps)))
            classes.push_back(score.index);
    return classes;
}

void explainImage(const CliOptions& options, Explainer& explainer, const ImageJob& job, std::ostream& out,
                  const ExplainOutput& output)
{
    const PreparedImage image = prepareImage(job.path, explainer.preprocessing());
    auto session = explainer.explainTensor(image.input, options.layer, prefixPassFor(options.method));
    const ImageAnswers answers{session->ranking(), session->layerName(), session->forwardMs(),
                               [&](int classIndex) {
                                   return session->explain({options.method, classIndex, job.contrast,
                                                            options.counterfactual, options.augmentSmooth,
                                                            options.eigenSmooth});
                               },
                               session.get()};
    reportImage(options, explainer, job, image, answers, out, output);
}

void reportImage(const CliOptions& options, const Explainer& explainer, const ImageJob& job,
                 const PreparedImage& image, const ImageAnswers& answers, std::ostream& out,
                 const ExplainOutput& output)
{
    const Preprocessing& preprocessing = explainer.preprocessing();
    const bool modelTransform = preprocessing.mode == PreprocessMode::Model;
    const CropBox& box = image.box;
    const ClassRanking& ranking = answers.ranking;
    const auto top = ranking.topK(options.topK);
    const std::vector<int> classes = classesFor(job, ranking);

    const LabelSet& labels = explainer.labels();
    const bool json = options.json || output.sink;
    if (!json) {
        out << job.path << " (" << image.width << "x" << image.height << "), " << explainer.modelName() << " at "
            << answers.layerName
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
        const CamMap cam = answers.map(classIndex);
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
            const auto t = Clock::now();
            const cv::Mat overlay = modelTransform
                                        ? renderCropOverlay(image.rgb, cam.map, box, options.colormap, options.alpha)
                                        : renderOverlay(image.rgb, cam.map, options.colormap, options.alpha);
            writeImageAtomically(path, overlay);
            written = path.string();
            overlayMs = millisecondsSince(t);
        }
        std::optional<FaithfulnessScores> metrics;
        double metricsMs = 0.0;
        if (options.metrics) {
            if (!answers.session)
                throw std::logic_error("--metrics needs the image's own session");
            const auto t = Clock::now();
            metrics = computeFaithfulness(*answers.session, classIndex, cam.map);
            metricsMs = millisecondsSince(t);
        }
        const ClassScore score = ranking.score(classIndex);
        const double sharedMs = firstLine ? image.decodeMs + image.preprocessMs + answers.forwardMs : 0.0;
        if (json) {
            nlohmann::json line = {
                {"image", job.path},
                {"model", explainer.modelName()},
                {"layer", answers.layerName},
                {"method", camMethodName(options.method)},
                {"contrast_class_index", job.contrast},
                {"counterfactual", options.counterfactual},
                {"aug_smooth", options.augmentSmooth},
                {"eigen_smooth", options.eigenSmooth},
                {"preprocess", preprocessModeName(preprocessing.mode)},
                {"class_index", classIndex},
                {"class_name", labels.name(classIndex)},
                {"probability", score.probability},
                {"rank", ranking.rankOf(classIndex)},
                {"top_k", nlohmann::json::array()},
                {"heatmap", heatmapJson(cam.map)},
                {"empty", cam.empty},
                {"untrained", explainer.untrained()},
                {"reused_session", !firstLine},
                {"timings_ms",
                 {{"decode", firstLine ? image.decodeMs : 0.0},
                  {"preprocess", firstLine ? image.preprocessMs : 0.0},
                  {"forward", firstLine ? answers.forwardMs : 0.0},
                  {"backward", cam.backwardMs},
                  {"overlay", overlayMs},
                  {"total", sharedMs + millisecondsSince(lineStart)}}}};
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
                << std::setprecision(3) << score.probability << ", rank " << ranking.rankOf(classIndex)
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
