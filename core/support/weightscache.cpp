#include "core/support/weightscache.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "core/errors.h"
#include "core/models/modelspecs.h"
#include "core/support/resourcepaths.h"
#include "core/support/textmatch.h"

namespace gce {

namespace fs = std::filesystem;

namespace {

std::string environment(const char* name)
{
    const char* value = std::getenv(name);
    return value ? std::string(value) : std::string();
}

// "~" as Python's os.path.expanduser reads it (torch.hub uses that): $HOME,
// else the password database. Empty when neither knows.
std::string homeDirectory()
{
    if (std::string home = environment("HOME"); !home.empty())
        return home;
    if (const passwd* entry = getpwuid(getuid()); entry && entry->pw_dir)
        return entry->pw_dir;
    return {};
}

// The torch homes torch.hub would consider, in its order of preference.
std::vector<fs::path> torchHomeCandidates()
{
    std::vector<fs::path> homes;
    if (const std::string torchHome = environment("TORCH_HOME"); !torchHome.empty())
        homes.emplace_back(torchHome);
    if (const std::string xdg = environment("XDG_CACHE_HOME"); !xdg.empty())
        homes.push_back(fs::path(xdg) / "torch");
    if (const std::string home = homeDirectory(); !home.empty())
        homes.push_back(fs::path(home) / ".cache" / "torch");
    return homes;
}

fs::path checkpointsIn(const fs::path& torchHome) { return torchHome / "hub" / "checkpoints"; }

// The weights files in resources/models, by architecture. Not torchvision's
// own files (other bytes, so another name): see resources/models/README.md.
struct BundledFile {
    const char* model;
    const char* fileName;
};
constexpr BundledFile kBundled[] = {{"squeezenet1_1", "squeezenet1_1-imagenet.pth"}};

} // namespace

std::string torchHubCheckpointsDir()
{
    const auto homes = torchHomeCandidates();
    // No variable and no home directory at all: a relative folder is the
    // only honest answer, and it is what torch.hub would end up with too.
    return checkpointsIn(homes.empty() ? fs::path(".cache") / "torch" : homes.front()).string();
}

std::vector<std::string> torchHubSearchDirs()
{
    std::vector<std::string> dirs;
    std::vector<fs::path> seen;
    for (const auto& home : torchHomeCandidates()) {
        const fs::path dir = checkpointsIn(home);
        std::error_code error;
        if (!fs::is_directory(dir, error))
            continue;
        // TORCH_HOME=$XDG_CACHE_HOME/torch (or a symlink) names one folder twice.
        bool repeat = false;
        for (const auto& earlier : seen)
            repeat = repeat || fs::equivalent(earlier, dir, error);
        if (repeat)
            continue;
        seen.push_back(dir);
        dirs.push_back(dir.string());
    }
    return dirs;
}

std::optional<std::string> findCachedWeights(const ModelSpec& spec)
{
    for (const auto& dir : torchHubSearchDirs()) {
        for (const auto& file : spec.weights) {
            std::error_code error;
            const fs::path candidate = fs::path(dir) / file.fileName;
            if (fs::is_regular_file(candidate, error))
                return candidate.string();
        }
    }
    return std::nullopt;
}

std::optional<std::string> bundledWeights(const ModelSpec& spec)
{
    const std::string dir = bundledModelsDir();
    if (dir.empty())
        return std::nullopt;
    for (const auto& bundled : kBundled) {
        std::error_code error;
        const fs::path candidate = fs::path(dir) / bundled.fileName;
        if (spec.name == bundled.model && fs::is_regular_file(candidate, error))
            return candidate.string();
    }
    return std::nullopt;
}

const std::string& bundledModelName()
{
    static const std::string name = kBundled[0].model;
    return name;
}

std::optional<std::string> findWeights(const ModelSpec& spec)
{
    if (auto cached = findCachedWeights(spec))
        return cached;
    return bundledWeights(spec);
}

std::string downloadUrl(const ModelSpec& spec)
{
    const WeightsFile& preferred = spec.weights.front();
    std::string mirror = environment("GCE_WEIGHTS_MIRROR");
    if (mirror.empty())
        return preferred.url;
    if (mirror.back() != '/')
        mirror += '/';
    return mirror + preferred.fileName;
}

std::string howToGetWeights(const ModelSpec& spec)
{
    const auto searched = torchHubSearchDirs();
    const std::string where = searched.empty() ? "the torch hub cache" : joinWords(searched, ", ");
    std::string alternative;
    if (spec.name != bundledModelName() && bundledWeights(modelSpec(bundledModelName())))
        alternative = ", --model " + bundledModelName() + " (trained weights bundled with Grad-CAM Explorer)";
    return "no weights for " + spec.name + " in " + where + ": download " + downloadUrl(spec) + " into " +
           torchHubCheckpointsDir() + ", pass --weights FILE" + alternative + ", or --weights none for untrained weights";
}

std::string resolveWeightsArgument(const std::string& modelName, const std::optional<std::string>& argument)
{
    if (namesModelFile(modelName)) {
        if (argument && *argument != "none")
            throw UsageError("a TorchScript model carries its own weights: --weights does not apply to \"" +
                             modelName + "\"");
        return {};
    }
    const ModelSpec& spec = modelSpec(modelName);
    if (argument && *argument == "none")
        return {};
    if (argument)
        return *argument;
    if (auto found = findWeights(spec))
        return *found;
    throw InputError(howToGetWeights(spec));
}

} // namespace gce
