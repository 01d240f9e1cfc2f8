#include "app/cli/datasetrun.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "app/cli/datasetbatch.h"
#include "app/cli/datasetinputs.h"
#include "app/cli/decodepool.h"
#include "app/cli/manifest.h"
#include "app/cli/shard.h"
#include "core/errors.h"

namespace gce::cli {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

// Decoding threads ahead of the network. Decoding and resizing an
// ImageNet-sized photo takes a few milliseconds against ~30 ms of network
// per image (scripts/bench, dataset rows), so two keep the next batch ready
// even for photos several times larger, and take the cores from the
// network's passes (which use them all, core/support/runtime.h) only briefly.
int decodeThreads() { return 2; }

std::string environment(const char* name)
{
    const char* value = std::getenv(name);
    return value ? value : "";
}

// One line on a terminal's stderr, rewritten in place: done/total, images/s,
// ETA and failures. Nothing when stderr is not a terminal (or --quiet).
class Progress {
public:
    Progress(std::ostream& err, bool shown, std::size_t total, std::size_t done)
        : m_err(err), m_shown(shown), m_total(total), m_done(done), m_resumedAt(done), m_start(Clock::now())
    {
    }

    void imageDone(bool failed)
    {
        ++m_done;
        m_failed += failed;
        if (m_shown && Clock::now() - m_lastDrawn > std::chrono::milliseconds(250))
            draw();
    }

    // A line of its own (an image's error) above the progress line.
    void note(const std::string& line)
    {
        if (m_shown)
            m_err << "\r\033[K";
        m_err << line << "\n";
        if (m_shown)
            draw();
    }

    void finish()
    {
        if (!m_shown)
            return;
        draw();
        m_err << "\n";
    }

private:
    void draw()
    {
        m_lastDrawn = Clock::now();
        const double seconds = std::chrono::duration<double>(m_lastDrawn - m_start).count();
        const double rate = seconds > 0 ? double(m_done - m_resumedAt) / seconds : 0.0;
        const long eta = rate > 0 ? long(double(m_total - m_done) / rate) : -1;
        char line[160];
        std::snprintf(line, sizeof line, "%zu/%zu images, %.1f images/s, ETA %s, %zu failed", m_done, m_total, rate,
                      eta < 0 ? "--:--"
                              : (std::to_string(eta / 60) + ":" + (eta % 60 < 10 ? "0" : "") + std::to_string(eta % 60))
                                    .c_str(),
                      m_failed);
        m_err << "\r\033[K" << line << std::flush;
    }

    std::ostream& m_err;
    bool m_shown;
    std::size_t m_total, m_done, m_resumedAt, m_failed = 0;
    Clock::time_point m_start, m_lastDrawn{};
};

} // namespace

int runDataset(const CliOptions& options, Explainer& explainer, const std::vector<int>& classes, int contrast,
               std::ostream& err)
{
    const fs::path out = options.outDir;
    std::error_code error;
    fs::create_directories(out, error);
    if (!fs::is_directory(out))
        throw InputError("cannot create --out-dir \"" + out.string() + "\"" +
                         (error ? ": " + error.message() : std::string()));
    const Shard shard = chooseShard(options.shard, options.shardCount, environment);
    const fs::path manifest = out / manifestName(shard);
    const ManifestLock lock(manifest); // before reading it: a second run on this shard stops here
    const std::size_t perImage = classes.empty() ? std::size_t(std::max(1, options.topKMaps)) : classes.size();
    ResumePoint resumed;
    if (fs::exists(manifest)) {
        if (!options.resume)
            throw UsageError("\"" + manifest.string() +
                             "\" exists: --resume continues that run (or choose another --out-dir)");
        resumed = resumeManifest(manifest, perImage);
    }
    const std::set<std::string>& complete = resumed.complete;

    const std::vector<DatasetImage> images = listDataset(options.input);
    std::vector<const DatasetImage*> todo;
    std::size_t total = 0;
    for (std::size_t k = 0; k < images.size(); ++k) {
        if (!shard.contains(k))
            continue;
        ++total;
        if (!complete.count(images[k].relative))
            todo.push_back(&images[k]);
    }

    ManifestWriter writer(manifest);
    Progress progress(err, !options.quiet && ::isatty(STDERR_FILENO), total, total - todo.size());
    if (resumed.failed > 0) // the run as a whole: its exit code says so too
        progress.note("gradcam-cli: " + std::to_string(resumed.failed) +
                      " image(s) failed before the run was resumed (error records in " + manifest.string() + ")");
    const std::size_t batchSize = std::size_t(std::max(1, options.batchSize));
    DecodePool pool(todo, explainer.preprocessing(), options.overlays, decodeThreads(), 2 * batchSize);
    DatasetBatch batch(options, explainer, classes, contrast);
    // Every batch's layers before the target run through the network's
    // inference form: built once here, while the pool decodes the first images.
    // Not for a method that magnifies rounding: its passes run plainly.
    if (!todo.empty() && prefixPassFor(options.method) == PrefixPass::Fastest)
        explainer.prepareInference(options.layer);
    std::size_t failures = 0;
    std::vector<DecodePool::Item> items;
    DecodePool::Item item;
    for (bool more = true; more;) {
        more = pool.next(item);
        if (more)
            items.push_back(std::move(item));
        if (items.empty() || (more && items.size() < batchSize))
            continue;
        std::vector<std::string> lines;
        for (ImageLines& image : batch.explain(items)) {
            if (image.failure.empty()) {
                lines.insert(lines.end(), image.lines.begin(), image.lines.end());
            } else {
                lines.push_back(nlohmann::json{{"image", image.image->relative}, {"error", image.failure}}.dump());
                ++failures;
                progress.note("gradcam-cli: " + image.image->relative + ": " + image.failure);
            }
            progress.imageDone(!image.failure.empty());
        }
        writer.append(lines); // the batch's lines in one write: a kill loses at most this batch
        items.clear();
    }
    writer.sync(); // the run is complete on disk before it says so
    progress.finish();
    return failures + resumed.failed > 0 ? 4 : 0;
}

} // namespace gce::cli
