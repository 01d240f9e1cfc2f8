#pragma once
// The manifest of a dataset run: OUT/results.jsonl (or one per shard), one
// JSON object per line, per (image, class), or {"image", "error"} for an
// image that failed. Lines are appended a batch at a time with one write and
// an fsync, so a crash or SIGKILL loses at most the batch in flight; a torn
// last line is not valid JSON, so readers skip it, and --resume cuts it off.
#include <cstddef>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace gce::cli {

class ManifestWriter {
public:
    // Opens `path` for appending (created if missing). Throws InputError.
    explicit ManifestWriter(const std::filesystem::path& path);
    ~ManifestWriter();
    ManifestWriter(const ManifestWriter&) = delete;
    ManifestWriter& operator=(const ManifestWriter&) = delete;

    // Appends `lines` (JSON objects without newlines) in one write. Throws InputError.
    void append(const std::vector<std::string>& lines);

private:
    std::filesystem::path m_path;
    int m_fd = -1;
};

// For --resume: the images `manifest` holds complete (an error record, or
// `perImage` different classes). The file is rewritten without the lines of
// incomplete images and without a torn last line, so appending the rest
// gives each image exactly once. Throws InputError.
struct ResumePoint {
    std::set<std::string> complete; // images not to explain again
    std::size_t failed = 0;         // of those, the ones with an error record
};
ResumePoint resumeManifest(const std::filesystem::path& manifest, std::size_t perImage);

// gradcam-cli --merge OUT: the shard manifests results-I-of-N.jsonl in OUT
// (one N, none missing, no image in two of them) merged into
// OUT/results.jsonl, images in natural order, each image's lines in the order
// written. Returns "merged N shards: X lines, Y images (Z failed)". Throws
// InputError naming what is wrong, UsageError when OUT/results.jsonl exists.
std::string mergeShardManifests(const std::filesystem::path& outDir);

} // namespace gce::cli
