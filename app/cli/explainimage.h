#pragma once
// One image through the explainer for gradcam-cli: its classes' maps, the
// overlays, and the results as text or as JSON lines (--json). The plain run
// prints them; the dataset run (datasetrun.h) takes the lines through a sink
// and files them in its manifest.
#include <filesystem>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "app/cli/clioptions.h"
#include "core/cam/explainer.h"

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

// Throws InputError (the image cannot be read, an overlay cannot be written).
void explainImage(const CliOptions& options, Explainer& explainer, const ImageJob& job, std::ostream& out,
                  const ExplainOutput& output = {});

// Writes a PNG or JPEG whole or not at all (core/support/atomicfile.h).
void writeImageAtomically(const std::filesystem::path& path, const cv::Mat& rgb);

// A file name part made of the label: lower case, anything else '_'.
std::string slug(const std::string& text);

} // namespace gce::cli
