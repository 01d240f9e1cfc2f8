#pragma once
// The images of a dataset run (gradcam-cli --input): every image under a
// folder, or every path in a list file, in natural order, each with the path
// it is known by in the manifest (relative to the folder or the list's folder).
#include <filesystem>
#include <string>
#include <vector>

namespace gce::cli {

struct DatasetImage {
    std::filesystem::path path; // to open
    std::string relative;       // in the manifest and the output folders ("a/b/img.jpg")
};

// A folder: recursive, following symlinks to folders but never the same
// folder twice (loops end), files that are not images by name (.jpg, .jpeg,
// .png, .webp, .bmp, any case) skipped. A file: one path per line (blank
// lines and lines starting with # skipped), relative ones to the list's
// folder; listed paths are kept whatever their name, so a missing or broken
// one becomes an error record. Throws InputError when `input` does not exist.
std::vector<DatasetImage> listDataset(const std::filesystem::path& input);

// `relative` as a path that stays inside an output folder (maps/,
// overlays/): a listed path that climbs has each ".." as "_up_", an absolute
// one loses its leading "/".
std::string outputName(const std::string& relative);

// Whether `path`'s extension names an image format the loader reads.
bool hasImageExtension(const std::filesystem::path& path);

} // namespace gce::cli
