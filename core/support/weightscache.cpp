#include "core/support/weightscache.h"

#include <cstdlib>
#include <filesystem>

#include "core/errors.h"
#include "core/models/modelspecs.h"

namespace gce {

namespace fs = std::filesystem;

namespace {
std::string environment(const char* name)
{
    const char* value = std::getenv(name);
    return value ? std::string(value) : std::string();
}
} // namespace

std::string torchHubCheckpointsDir()
{
    fs::path torchHome;
    if (const std::string home = environment("TORCH_HOME"); !home.empty())
        torchHome = home;
    else if (const std::string xdg = environment("XDG_CACHE_HOME"); !xdg.empty())
        torchHome = fs::path(xdg) / "torch";
    else
        torchHome = fs::path(environment("HOME")) / ".cache" / "torch";
    return (torchHome / "hub" / "checkpoints").string();
}

std::optional<std::string> findCachedWeights(const ModelSpec& spec)
{
    const fs::path dir = torchHubCheckpointsDir();
    for (const auto& file : spec.weights) {
        std::error_code error;
        const fs::path candidate = dir / file.fileName;
        if (fs::is_regular_file(candidate, error))
            return candidate.string();
    }
    return std::nullopt;
}

std::string howToGetWeights(const ModelSpec& spec)
{
    const auto& preferred = spec.weights.front();
    return "no weights for " + spec.name + " in " + torchHubCheckpointsDir() + ": download " + preferred.url +
           " there, pass --weights FILE, or --weights none for untrained weights";
}

std::string resolveWeightsArgument(const std::string& modelName, const std::optional<std::string>& argument)
{
    const ModelSpec& spec = modelSpec(modelName);
    if (argument && *argument == "none")
        return {};
    if (argument)
        return *argument;
    if (auto cached = findCachedWeights(spec))
        return *cached;
    throw InputError(howToGetWeights(spec));
}

} // namespace gce
