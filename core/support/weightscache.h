#pragma once
// Where torchvision keeps downloaded weights, and finding them there.
#include <optional>
#include <string>
#include <vector>

namespace gce {

struct ModelSpec;

// Where a download goes, by torch.hub's rule (the first that applies):
// $TORCH_HOME, else $XDG_CACHE_HOME/torch, else ~/.cache/torch; checkpoints
// live in <that>/hub/checkpoints. The folder need not exist yet.
std::string torchHubCheckpointsDir();

// Every checkpoints folder weights may already sit in, in search order:
// $TORCH_HOME/hub/checkpoints, $XDG_CACHE_HOME/torch/hub/checkpoints,
// ~/.cache/torch/hub/checkpoints. Unset or empty variables are skipped, as are
// folders that do not exist and repeats of an earlier folder.
std::vector<std::string> torchHubSearchDirs();

// The model's official file in the first search folder that holds one (the
// preferred file first within a folder). By file name only: the SHA-256
// prefix in the name is not re-checked here (hashing 100 MB per lookup is
// too slow); downloads are checked before they get that name.
std::optional<std::string> findCachedWeights(const ModelSpec& spec);

// The weights that ship with the product for `spec` (resources/models:
// SqueezeNet 1.1 only), if installed or in the source tree; else nullopt.
std::optional<std::string> bundledWeights(const ModelSpec& spec);

// The name of the architecture whose trained weights ship with the product
// ("squeezenet1_1"): what the explorer falls back to when the model a user
// chose has no weights yet.
const std::string& bundledModelName();

// Where weights for `spec` are found without asking anybody: the torch hub
// cache first (findCachedWeights), then the bundled file.
std::optional<std::string> findWeights(const ModelSpec& spec);

// The address the preferred file is downloaded from: torchvision's official
// one, or the same file name under $GCE_WEIGHTS_MIRROR when that is set (a
// local mirror for machines without internet access).
std::string downloadUrl(const ModelSpec& spec);

// One line telling a user how to get weights for `spec`.
std::string howToGetWeights(const ModelSpec& spec);

// What --weights means, for every executable: "none" -> "" (untrained), a
// path -> that path, absent -> the cached official file, else the bundled
// one (findWeights). Throws InputError
// (howToGetWeights) when nothing is found, UsageError for an unknown model.
std::string resolveWeightsArgument(const std::string& modelName, const std::optional<std::string>& argument);

} // namespace gce
