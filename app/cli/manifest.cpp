#include "app/cli/manifest.h"

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <regex>
#include <unordered_map>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "core/errors.h"
#include "core/support/atomicfile.h"
#include "core/support/textmatch.h"

namespace gce::cli {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const fs::path& path, const std::string& what)
{
    throw InputError("cannot " + what + " \"" + path.string() + "\": " + std::strerror(errno));
}

// One parsed line of a manifest.
struct Record {
    std::string text; // the line as written, without its newline
    std::string image;
    int classIndex = -1; // -1: an error record
};

// The complete lines of a manifest; a torn last line (no newline, or not a
// JSON object with an image) is left out.
std::vector<Record> readRecords(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        fail(path, "read");
    std::vector<Record> records;
    std::string line;
    while (std::getline(in, line)) {
        if (in.eof())
            break; // no newline after it: torn by a kill
        const auto json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
        if (!json.is_object() || !json.contains("image") || !json["image"].is_string())
            continue;
        Record record;
        record.image = json["image"].get<std::string>();
        if (!json.contains("error"))
            record.classIndex = json.value("class_index", -1);
        record.text = std::move(line);
        records.push_back(std::move(record));
    }
    return records;
}

} // namespace

ManifestWriter::ManifestWriter(const fs::path& path) : m_path(path)
{
    m_fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
    if (m_fd < 0)
        fail(path, "write");
}

ManifestWriter::~ManifestWriter()
{
    if (m_fd >= 0) {
        ::fsync(m_fd); // best effort: a destructor cannot report it
        ::close(m_fd);
    }
}

void ManifestWriter::append(const std::vector<std::string>& lines)
{
    std::string text;
    for (const std::string& line : lines)
        text += line + '\n';
    // One write for the batch; on a full disk the tail is what is missing,
    // which --resume cuts off like a kill's.
    for (std::size_t done = 0; done < text.size();) {
        const ssize_t written = ::write(m_fd, text.data() + done, text.size() - done);
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0)
            fail(m_path, "write");
        done += static_cast<std::size_t>(written);
    }
    // The write alone survives a crash or SIGKILL of this process; fsync
    // guards against the machine going down too, and costs a disk flush, so
    // it runs at most once per kSyncInterval (and when the writer closes).
    const auto now = std::chrono::steady_clock::now();
    if (now - m_lastSync >= kSyncInterval) {
        sync();
        m_lastSync = now;
    }
}

void ManifestWriter::sync()
{
    if (::fsync(m_fd) != 0)
        fail(m_path, "write");
}

namespace {
fs::path lockPath(const fs::path& manifest) { return manifest.string() + ".lock"; }
} // namespace

ManifestLock::ManifestLock(const fs::path& manifest)
{
    const fs::path path = lockPath(manifest);
    m_fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (m_fd < 0)
        fail(path, "create");
    if (::flock(m_fd, LOCK_EX | LOCK_NB) != 0) {
        ::close(m_fd);
        m_fd = -1;
        throw UsageError("another gradcam-cli is writing \"" + manifest.string() +
                         "\" (the same --out-dir and shard started twice?)");
    }
}

ManifestLock::~ManifestLock()
{
    if (m_fd >= 0)
        ::close(m_fd); // releases the lock
}

bool ManifestLock::held(const fs::path& manifest)
{
    const int fd = ::open(lockPath(manifest).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false; // never locked
    const bool free = ::flock(fd, LOCK_EX | LOCK_NB) == 0;
    ::close(fd);
    return !free;
}

ResumePoint resumeManifest(const fs::path& manifest, std::size_t perImage)
{
    const std::vector<Record> records = readRecords(manifest);
    std::unordered_map<std::string, std::set<int>> classes;
    ResumePoint point;
    for (const Record& record : records) {
        if (record.classIndex < 0) {
            point.failed += point.complete.insert(record.image).second;
        } else if (classes[record.image].insert(record.classIndex).second &&
                   classes[record.image].size() >= perImage) {
            point.complete.insert(record.image);
        }
    }
    std::string kept;
    for (const Record& record : records)
        if (point.complete.count(record.image))
            kept += record.text + '\n';
    writeFileAtomically(manifest, kept.data(), kept.size());
    return point;
}

std::string mergeShardManifests(const fs::path& outDir)
{
    const fs::path merged = outDir / "results.jsonl";
    if (fs::exists(merged))
        throw UsageError("\"" + merged.string() + "\" exists: remove it to merge the shards again");
    static const std::regex shardName(R"(results-(\d+)-of-(\d+)\.jsonl)");
    std::map<int, fs::path> shards;
    int count = -1;
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(outDir, error)) {
        std::smatch match;
        const std::string name = entry.path().filename().string();
        if (!std::regex_match(name, match, shardName))
            continue;
        const int n = std::stoi(match[2]);
        if (count >= 0 && n != count)
            throw InputError("shard manifests of different runs in \"" + outDir.string() + "\": -of-" +
                             std::to_string(count) + " and -of-" + std::to_string(n));
        count = n;
        shards[std::stoi(match[1])] = entry.path();
    }
    if (error)
        throw InputError("cannot read the folder \"" + outDir.string() + "\": " + error.message());
    if (count < 1)
        throw InputError("no shard manifests (results-I-of-N.jsonl) in \"" + outDir.string() + "\"");
    // A shard still running first: its manifest is incomplete, whatever else is wrong.
    std::vector<std::string> running;
    for (const auto& [index, path] : shards)
        if (ManifestLock::held(path))
            running.push_back(std::to_string(index));
    if (!running.empty())
        throw InputError("shard(s) " + joinWords(running, ", ") + " of " + std::to_string(count) +
                         " still being written in \"" + outDir.string() + "\": merge when they have finished");

    std::vector<std::string> missing;
    for (int i = 0; i < count; ++i)
        if (!shards.count(i))
            missing.push_back(std::to_string(i));
    if (!missing.empty())
        throw InputError("shard(s) " + joinWords(missing, ", ") + " of " + std::to_string(count) +
                         " missing in \"" + outDir.string() + "\"");
    // Image -> its lines, remembering which shard had it.
    std::map<std::string, std::pair<int, std::vector<std::string>>> byImage;
    std::size_t lines = 0, failed = 0;
    for (const auto& [index, path] : shards) {
        for (Record& record : readRecords(path)) {
            auto [it, fresh] = byImage.try_emplace(record.image, index, std::vector<std::string>{});
            if (!fresh && it->second.first != index)
                throw InputError("\"" + record.image + "\" is in shards " + std::to_string(it->second.first) +
                                 " and " + std::to_string(index) + ": were the shards made from the same input?");
            failed += record.classIndex < 0;
            it->second.second.push_back(std::move(record.text));
            ++lines;
        }
    }
    std::vector<std::string> images;
    for (const auto& entry : byImage)
        images.push_back(entry.first);
    std::sort(images.begin(), images.end(), [](const std::string& a, const std::string& b) { return naturalLess(a, b); });
    std::string text;
    for (const std::string& image : images)
        for (const std::string& line : byImage[image].second)
            text += line + '\n';
    writeFileAtomically(merged, text.data(), text.size(), Replace::Refused);
    return "merged " + std::to_string(count) + " shards: " + std::to_string(lines) + " lines, " +
           std::to_string(images.size()) + " images (" + std::to_string(failed) + " failed)";
}

} // namespace gce::cli
