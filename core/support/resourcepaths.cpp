#include "core/support/resourcepaths.h"

#include <filesystem>
#include <system_error>

namespace gce {

namespace fs = std::filesystem;

std::string dataDirForExecutable(const std::string& executablePath)
{
    if (executablePath.empty())
        return {};
    std::error_code error;
    const fs::path data = fs::path(executablePath).parent_path() / ".." / "share" / "gradcam-explorer";
    if (!fs::is_directory(data, error))
        return {};
    const fs::path canonical = fs::canonical(data, error);
    return (error ? data.lexically_normal() : canonical).string();
}

std::string installedDataDir()
{
    // The kernel's link resolves symlinks (e.g. /usr/local/bin -> /opt/...),
    // so the data is found next to the real binary.
    std::error_code error;
    const fs::path executable = fs::read_symlink("/proc/self/exe", error);
    return error ? std::string() : dataDirForExecutable(executable.string());
}

std::string installedDemoImage()
{
    const std::string data = installedDataDir();
    if (data.empty())
        return {};
    std::error_code error;
    const fs::path demo = fs::path(data) / "demo" / "cat_and_coffee.jpg";
    return fs::is_regular_file(demo, error) ? demo.string() : std::string();
}

std::string bundledModelsDir()
{
    std::error_code error;
    if (const std::string data = installedDataDir(); !data.empty()) {
        const fs::path models = fs::path(data) / "models";
        if (fs::is_directory(models, error))
            return models.string();
    }
#ifdef GCE_SOURCE_RESOURCES_DIR
    const fs::path source = fs::path(GCE_SOURCE_RESOURCES_DIR) / "models";
    if (fs::is_directory(source, error))
        return source.string();
#endif
    return {};
}

} // namespace gce
