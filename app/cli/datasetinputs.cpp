#include "app/cli/datasetinputs.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <utility>

#include <sys/stat.h>

#include "core/errors.h"
#include "core/support/textmatch.h"

namespace gce::cli {

namespace fs = std::filesystem;

namespace {

void walk(const fs::path& folder, const fs::path& root, std::set<std::pair<dev_t, ino_t>>& visited,
          std::vector<DatasetImage>& images)
{
    struct stat info {};
    if (::stat(folder.c_str(), &info) != 0 || !visited.insert({info.st_dev, info.st_ino}).second)
        return; // unreadable, or a folder seen already (a symlink loop or a second link)
    std::error_code error;
    for (fs::directory_iterator it(folder, fs::directory_options::skip_permission_denied, error), end;
         !error && it != end; it.increment(error)) {
        const fs::path path = it->path();
        std::error_code kind;
        if (fs::is_directory(path, kind)) // follows symlinks
            walk(path, root, visited, images);
        else if (fs::is_regular_file(path, kind) && hasImageExtension(path))
            images.push_back({path, path.lexically_relative(root).generic_string()});
    }
}

std::vector<DatasetImage> readList(const fs::path& list)
{
    std::ifstream in(list);
    if (!in)
        throw InputError("cannot read the list \"" + list.string() + "\"");
    const fs::path base = list.parent_path();
    std::vector<DatasetImage> images;
    std::set<std::string> seen;
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (line.empty() || line.front() == '#')
            continue;
        const fs::path listed(line);
        const fs::path path = listed.is_absolute() ? listed : base / listed;
        const std::string relative = listed.is_absolute() ? listed.generic_string() : listed.lexically_normal().generic_string();
        if (seen.insert(relative).second) // a path listed twice is explained once
            images.push_back({path, relative});
    }
    return images;
}

} // namespace

std::string outputName(const std::string& relative)
{
    std::string name;
    for (const fs::path& part : fs::path(relative).lexically_normal().relative_path()) {
        if (!name.empty())
            name += '/';
        name += part == ".." ? "_up_" : part.string();
    }
    return name;
}

bool hasImageExtension(const fs::path& path)
{
    const std::string extension = toLowerAscii(path.extension().string());
    return extension == ".jpg" || extension == ".jpeg" || extension == ".png" || extension == ".webp" ||
           extension == ".bmp";
}

std::vector<DatasetImage> listDataset(const fs::path& input)
{
    std::error_code error;
    std::vector<DatasetImage> images;
    if (fs::is_directory(input, error)) {
        std::set<std::pair<dev_t, ino_t>> visited;
        walk(input, input, visited, images);
    } else if (fs::exists(input, error)) {
        images = readList(input);
    } else {
        throw InputError("--input \"" + input.string() + "\" is neither a folder nor a list file");
    }
    std::stable_sort(images.begin(), images.end(), [](const DatasetImage& a, const DatasetImage& b) {
        return naturalLess(a.relative, b.relative);
    });
    return images;
}

} // namespace gce::cli
