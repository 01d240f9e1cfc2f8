#pragma once
// gradcam-cli's command line: parsed into a plain struct, usage errors thrown
// as gce::UsageError (exit code 2).
#include <optional>
#include <string>
#include <vector>

#include "core/cam/cammethods.h"
#include "core/cam/regionranking.h"
#include "core/imaging/overlay.h"
#include "core/support/preprocessing.h"
#include "core/support/defaults.h"
#include "app/cli/shard.h"

namespace gce::cli {

struct CliOptions {
    std::vector<std::string> images;
    std::string model = kDefaultModel;
    std::optional<std::string> weights; // "none" = untrained; unset = the torch hub cache
    std::string labels;                 // labels file; empty = ImageNet's or numbered
    std::string layer;                  // empty = the model's default
    std::vector<std::string> classes;   // indices or labels; empty = top-1
    int topK = 5;
    CamMethod method = CamMethod::GradCam;
    std::string contrast;       // "why A rather than B": the B class (index or label)
    bool counterfactual = false; // the evidence against the class
    bool augmentSmooth = false;  // --aug-smooth / --tta: flips × scales, averaged (core/cam/smoothing.h)
    bool eigenSmooth = false;    // --eigen-smooth: first principal component (core/cam/smoothing.h)
    // --preprocess tutorial|model; unset: tutorial (or what a TorchScript sidecar names)
    std::optional<PreprocessMode> preprocess;
    std::string overlayPath;
    std::string outDir;
    double alpha = kDefaultOverlayAlpha;
    Colormap colormap = Colormap::Jet;
    bool json = false;
    bool metrics = false; // faithfulness scores per class (core/cam/faithfulness.h)
    // "What is here?" (app/cli/regionquery.h): --region X,Y,W,H and --rank-classes K.
    std::optional<ImageRegion> region;
    int rankClasses = 0; // 0 with --region: kDefaultRankClasses
    // A dataset run (datasetrun.h): --input with --out-dir.
    std::string input;         // --input DIR|LIST.txt
    int topKMaps = 0;          // --top-k-maps K: the top K predictions of each image (0: --class or top-1)
    bool saveMaps = false;     // --save-maps: OUT/maps/<image>.<class>.npy
    bool overlays = false;     // --overlays: OUT/overlays/<image>.<class>.png
    bool resume = false;
    bool quiet = false;        // no progress line
    std::optional<Shard> shard; // --shard I/N
    int shardCount = 0;        // --shard-count N (with JOB_COMPLETION_INDEX)
    int batchSize = 8;         // images whose lines are written (and fsync'ed) together
    std::string merge;         // --merge OUT: the shard manifests into OUT/results.jsonl
    bool listLayers = false;
    bool listModels = false;
    bool listMethods = false;
    bool help = false;
    bool version = false;
};

constexpr int kDefaultRankClasses = 10;

// "X,Y,W,H" in pixels, W = H = 0 for a point. Throws UsageError.
ImageRegion parseRegion(const std::string& text);

CliOptions parseCommandLine(const std::vector<std::string>& args);
std::string usageText();

} // namespace gce::cli
