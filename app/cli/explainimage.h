#pragma once
// One image through the explainer for gradcam-cli: its classes' maps, the
// overlays, and the results as text or as JSON lines (--json). The plain run
// prints them; the dataset run (datasetrun.h) takes the lines through a sink
// and files them in its manifest. The steps are separate because a dataset
// run decodes images on a pool (decodepool.h) and explains them in batches
// (core/cam/batchexplanation.h): prepareImage, then reportImage with the
// network's answers however they were computed.
#include <filesystem>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "app/cli/clioptions.h"
#include "core/cam/explainer.h"
#include "core/imaging/modeltransform.h"

namespace gce::cli {

struct ImageJob {
    std::string path;
    std::vector<int> classes; // empty: the top `topKMaps` predictions (at least the top one)
    int topKMaps = 1;
    int contrast = -1;
};

// One result line (the fields of --json) with the map it describes.
struct ResultLine {
    nlohmann::json json;
    cv::Mat map; // float32, the layer's resolution upsampled as the engine returns it
    int classIndex = -1;
};

struct ExplainOutput {
    // Receives every line instead of `out` (the text or JSON printing).
    std::function<void(ResultLine&&)> sink;
    // Where the overlay of a class goes; empty path: none. Unset: --overlay or --out-dir.
    std::function<std::filesystem::path(int classIndex, const std::string& className)> overlayPath;
};

// An image decoded and preprocessed for the network.
struct PreparedImage {
    cv::Mat rgb; // the decoded image; may be dropped (empty) when no overlay is drawn
    int width = 0, height = 0;
    torch::Tensor input; // 1×3×H×W
    CropBox box;         // where the network's input lies in the image
    double decodeMs = 0.0, preprocessMs = 0.0;
};

// Throws InputError (the image cannot be read).
PreparedImage prepareImage(const std::string& path, const Preprocessing& preprocessing);

// The classes a job explains: its own, or the image's top `topKMaps`.
std::vector<int> classesFor(const ImageJob& job, const ClassRanking& ranking);

// What the network answered about one image, from a session of its own or
// as one image of a batch.
struct ImageAnswers {
    const ClassRanking& ranking;
    std::string layerName;
    double forwardMs = 0.0;
    std::function<CamMap(int classIndex)> map;
    ExplanationSession* session = nullptr; // --metrics: the faithfulness passes need one
};

// The result lines of a prepared image (classesFor its job), with overlays.
// Throws InputError (an overlay cannot be written).
void reportImage(const CliOptions& options, const Explainer& explainer, const ImageJob& job,
                 const PreparedImage& image, const ImageAnswers& answers, std::ostream& out,
                 const ExplainOutput& output = {});

// prepareImage, a session, reportImage.
// Throws InputError (the image cannot be read, an overlay cannot be written).
void explainImage(const CliOptions& options, Explainer& explainer, const ImageJob& job, std::ostream& out,
                  const ExplainOutput& output = {});

// Writes a PNG or JPEG whole or not at all (core/support/atomicfile.h).
void writeImageAtomically(const std::filesystem::path& path, const cv::Mat& rgb);

// A file name part made of the label: lower case, anything else '_'.
std::string slug(const std::string& text);

} // namespace gce::cli
