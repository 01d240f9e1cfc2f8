#include "app/cli/datasetbatch.h"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <system_error>

#include <torch/torch.h>

#include "app/cli/npyfile.h"
#include "core/errors.h"
#include "core/support/atomicfile.h"

namespace gce::cli {

namespace fs = std::filesystem;

namespace {

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

DatasetBatch::DatasetBatch(const CliOptions& options, Explainer& explainer, const std::vector<int>& classes, int contrast)
    : m_options(options), m_explainer(explainer), m_classes(classes), m_contrast(contrast),
      m_query{options.method, -1, contrast, options.counterfactual, options.augmentSmooth, options.eigenSmooth},
      m_batched(BatchExplanation::supports(m_query) && !options.metrics)
{
}

std::vector<ImageLines> DatasetBatch::explain(std::vector<DecodePool::Item>& items)
{
    std::vector<ImageLines> results(items.size());
    std::vector<std::size_t> decoded;
    for (std::size_t i = 0; i < items.size(); ++i) {
        results[i].image = items[i].image;
        results[i].failure = items[i].error;
        if (items[i].error.empty())
            decoded.push_back(i);
    }
    std::unique_ptr<BatchExplanation> batch;
    if (m_batched && !decoded.empty())
        batch = forward(items, decoded);
    for (std::size_t k = 0; k < decoded.size(); ++k) {
        const std::size_t i = decoded[k];
        try {
            if (batch)
                report(items[i], batchAnswers(*batch, int(k)), results[i].lines);
            else
                explainAlone(items[i], results[i].lines);
        } catch (const UsageError&) {
            throw; // the run's options, not the image: exit 2
        } catch (const std::exception& e) {
            results[i].failure = failureLine(e);
        }
    }
    return results;
}

ImageJob DatasetBatch::job(const DecodePool::Item& item) const
{
    return {item.image->path.string(), m_classes, m_options.topKMaps, m_contrast};
}

// One forward pass for the decoded images, and their maps class slot by
// class slot (every image has as many classes). Null when the batch cannot
// run together: the images then go one by one.
//
// A lone image runs twice over (a batch of 2) when the run's batches are
// larger: LibTorch chooses its convolution kernels by batch size (some 3×3
// layers run natively at batch 1 and through oneDNN above), so results
// differ in the last float bits between batch 1 and larger batches, while
// any two batches of 2 or more agree bit for bit whatever images they hold.
// The padding keeps a run's results independent of how its images fell
// into batches: shards, resumed runs and a single process write the same
// numbers.
std::unique_ptr<BatchExplanation> DatasetBatch::forward(const std::vector<DecodePool::Item>& items,
                                                        const std::vector<std::size_t>& decoded)
{
    std::vector<torch::Tensor> inputs;
    for (std::size_t i : decoded)
        inputs.push_back(items[i].prepared.input);
    if (inputs.size() == 1 && m_options.batchSize > 1)
        inputs.push_back(inputs.front());
    try {
        auto batch = m_explainer.explainBatch(torch::cat(inputs), m_options.layer, prefixPassFor(m_options.method));
        const auto itemOf = [&](int row) -> const DecodePool::Item& {
            return items[decoded[std::min(std::size_t(row), decoded.size() - 1)]];
        };
        // Each row's classes once (a top-K over its logits), then one backward per slot.
        std::vector<std::vector<int>> rowClasses;
        for (int row = 0; row < batch->size(); ++row)
            rowClasses.push_back(classesFor(job(itemOf(row)), batch->ranking(row)));
        m_maps.assign(std::size_t(batch->size()), {});
        for (std::size_t slot = 0; slot < rowClasses.front().size(); ++slot) {
            std::vector<int> classes;
            for (const auto& chosen : rowClasses)
                classes.push_back(chosen[slot]);
            std::vector<CamMap> maps = batch->explain(m_query, classes);
            for (std::size_t row = 0; row < maps.size(); ++row)
                m_maps[row].push_back(std::move(maps[row]));
        }
        return batch;
    } catch (const UsageError&) {
        throw;
    } catch (const Cancelled&) {
        throw;
    } catch (const std::exception& e) {
        // Say so once: a run that falls back (e.g. out of memory for the batch)
        // is slower, and the user should know why.
        if (!m_warnedFallback) {
            std::cerr << "gradcam-cli: a batch of " << inputs.size()
                      << " images failed together, so its images run one at a time (" << failureLine(e) << ")\n";
            m_warnedFallback = true;
        }
        return nullptr;
    }
}

ImageAnswers DatasetBatch::batchAnswers(const BatchExplanation& batch, int k) const
{
    const std::vector<CamMap>& maps = m_maps[std::size_t(k)];
    return {batch.ranking(k), batch.layerName(), batch.forwardMs() / batch.size(), [&maps](int classIndex) {
                const auto found = std::find_if(maps.begin(), maps.end(),
                                                [&](const CamMap& map) { return map.classIndex == classIndex; });
                if (found == maps.end()) // classesFor chose the same classes for the batch: cannot happen
                    throw std::logic_error("no batch map for class " + std::to_string(classIndex));
                return *found;
            }};
}

void DatasetBatch::explainAlone(const DecodePool::Item& item, std::vector<std::string>& lines)
{
    auto session = m_explainer.explainTensor(item.prepared.input, m_options.layer, prefixPassFor(m_options.method));
    const ImageAnswers answers{session->ranking(), session->layerName(), session->forwardMs(),
                               [&](int classIndex) {
                                   CamQuery query = m_query;
                                   query.classIndex = classIndex;
                                   return session->explain(query);
                               },
                               session.get()};
    report(item, answers, lines);
}

void DatasetBatch::report(const DecodePool::Item& item, const ImageAnswers& answers, std::vector<std::string>& lines)
{
    const DatasetImage& image = *item.image;
    const fs::path out = m_options.outDir;
    ExplainOutput output;
    output.sink = [&](ResultLine&& result) { lines.push_back(fileResult(m_options, out, image, std::move(result))); };
    output.overlayPath = [&](int classIndex, const std::string&) {
        if (!m_options.overlays)
            return fs::path();
        const fs::path path = out / "overlays" / (outputName(image.relative) + "." + std::to_string(classIndex) + ".png");
        std::error_code ignored;
        fs::create_directories(path.parent_path(), ignored);
        return path;
    };
    std::ostream unused(nullptr); // results go through the sink
    reportImage(m_options, m_explainer, job(item), item.prepared, answers, unused, output);
}

} // namespace gce::cli
