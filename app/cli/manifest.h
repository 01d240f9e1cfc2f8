#pragma once
// The manifest of a dataset run: OUT/results.jsonl (or one per shard), one
// JSON object per line, per (image, class), or {"image", "error"} for an
// image that failed. Lines are appended a batch at a time with one write, so
// a crash or SIGKILL of the run loses at most the batch in flight (fsync, at
// most every 2 s, bounds what a machine crash loses); a torn last line is not
// valid JSON, so readers skip it, and --resume cuts it off.
#include <chrono>
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
    // Flushes what was appended to the disk. Throws InputError.
    void sync();

private:
    static constexpr std::chrono::seconds kSyncInterval{2};
    std::filesystem::path m_path;
    int m_fd = -1;
    std::chrono::steady_clock::time_point m_lastSync = std::chrono::steady_clock::now();
};

// Held for a whole run: an exclusive lock (flock) on "<manifest>.lock", so a
// second process given the same folder and shard stops at once with a clear
// message instead of interleaving its lines. The system releases it when the
// process ends, SIGKILL included, so a killed run never blocks --resume.
class ManifestLock {
public:
    // Throws UsageError when another process holds the lock, InputError when
    // the lock file cannot be made.
    explicit ManifestLock(const std::filesystem::path& manifest);
    ~ManifestLock();
    ManifestLock(const ManifestLock&) = delete;
    ManifestLock& operator=(const ManifestLock&) = delete;

    // Whether a run holds the lock of `manifest` now.
    static bool held(const std::filesystem::path& manifest);

private:
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
// InputError naming what is wrong (a shard still being written included), UsageError when OUT/results.jsonl exists.
std::string mergeShardManifests(const std::filesystem::path& outDir);

} // namespace gce::cli
