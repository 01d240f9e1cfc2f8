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

#include "app/cli/datasetinputs.h"
#include "app/cli/explainimage.h"
#include "app/cli/manifest.h"
#include "app/cli/npyfile.h"
#include "app/cli/shard.h"
#include "core/errors.h"
#include "core/support/atomicfile.h"

namespace gce::cli {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

std::string environment(const char* name)
{
    const char* value = std::getenv(name);
    return value ? value : "";
}

std::string firstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

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

// The manifest's form of a result line: the image as the dataset names it,
// the map in a .npy file with --save-maps, the overlay relative to OUT.
std::string fileResult(const CliOptions& options, const fs::path& out, const DatasetImage& image, ResultLine&& result)
{
    nlohmann::json& line = result.json;
    line["image"] = image.relative;
    if (options.saveMaps) {
        const std::string name = "maps/" + outputName(image.relative) + "." + std::to_string(result.classIndex) + ".npy";
        std::error_code ignored; // a folder that cannot be made fails the write below, with its reason
        fs::create_directories((out / name).parent_path(), ignored);
        const std::vector<std::uint8_t> bytes = npyFloat32(result.map);
        writeFileAtomically(out / name, bytes.data(), bytes.size());
        line["heatmap"] = {{"height", result.map.rows}, {"width", result.map.cols}, {"file", name}};
    }
    if (line.contains("overlay"))
        line["overlay"] = fs::path(line["overlay"].get<std::string>()).lexically_relative(out).generic_string();
    return line.dump();
}

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
    std::ostream unused(nullptr); // results go through the sink
    std::vector<std::string> batch;
    std::size_t inBatch = 0, failures = 0;
    if (resumed.failed > 0) // the run as a whole: its exit code says so too
        progress.note("gradcam-cli: " + std::to_string(resumed.failed) +
                      " image(s) failed before the run was resumed (error records in " + manifest.string() + ")");
    for (const DatasetImage* image : todo) {
        std::vector<std::string> lines; // all of an image's lines, or its error record
        ExplainOutput output;
        output.sink = [&](ResultLine&& result) { lines.push_back(fileResult(options, out, *image, std::move(result))); };
        output.overlayPath = [&](int classIndex, const std::string&) {
            if (!options.overlays)
                return fs::path();
            const fs::path path = out / "overlays" / (outputName(image->relative) + "." + std::to_string(classIndex) + ".png");
            std::error_code ignored;
            fs::create_directories(path.parent_path(), ignored);
            return path;
        };
        std::string failure;
        try {
            explainImage(options, explainer, {image->path.string(), classes, options.topKMaps, contrast}, unused,
                         output);
        } catch (const InputError& e) {
            failure = firstLine(e.what());
        } catch (const std::exception& e) { // LibTorch or OpenCV on a strange image: this image only
            failure = "internal error: " + firstLine(e.what());
        }
        if (!failure.empty()) {
            lines = {nlohmann::json{{"image", image->relative}, {"error", failure}}.dump()};
            ++failures;
            progress.note("gradcam-cli: " + image->relative + ": " + failure);
        }
        batch.insert(batch.end(), lines.begin(), lines.end());
        progress.imageDone(!failure.empty());
        if (++inBatch >= std::size_t(options.batchSize)) {
            writer.append(batch);
            batch.clear();
            inBatch = 0;
        }
    }
    if (!batch.empty())
        writer.append(batch);
    progress.finish();
    return failures + resumed.failed > 0 ? 4 : 0;
}

} // namespace gce::cli
