#pragma once
// Where torchvision keeps downloaded weights, and finding them there.
#include <optional>
#include <string>

namespace gce {

struct ModelSpec;

// torch.hub's rule: $TORCH_HOME, else $XDG_CACHE_HOME/torch, else
// ~/.cache/torch; checkpoints live in <that>/hub/checkpoints.
std::string torchHubCheckpointsDir();

// The first of the model's official files present in the cache.
std::optional<std::string> findCachedWeights(const ModelSpec& spec);

// One line telling a user how to get weights for `spec`.
std::string howToGetWeights(const ModelSpec& spec);

// What --weights means, for every executable: "none" -> "" (untrained), a
// path -> that path, absent -> the cached official file. Throws InputError
// (howToGetWeights) when nothing is found, UsageError for an unknown model.
std::string resolveWeightsArgument(const std::string& modelName, const std::optional<std::string>& argument);

} // namespace gce
