#pragma once
// A dataset run's batch of images through the network and into result lines, in dataset
// order. Gradient methods and Eigen-CAM go through one forward pass for the
// whole batch and one backward per class slot (core/cam/batchexplanation.h);
// what needs an image's own session (score-based and guided methods,
// test-time augmentation, --metrics), or a batch whose forward pass fails,
// goes image by image, so one strange image fails alone.
#include <memory>
#include <string>
#include <vector>

#include "app/cli/clioptions.h"
#include "app/cli/decodepool.h"
#include "core/cam/explainer.h"

namespace gce::cli {

// The lines of one image of a batch: its result lines, or its error record.
struct ImageLines {
    const DatasetImage* image = nullptr;
    std::vector<std::string> lines;
    std::string failure;
};

class DatasetBatch {
public:
    DatasetBatch(const CliOptions& options, Explainer& explainer, const std::vector<int>& classes, int contrast);

    // The images' lines in their order. Throws UsageError when the run's
    // options cannot work (a layer this network cannot explain).
    std::vector<ImageLines> explain(std::vector<DecodePool::Item>& items);

private:
    ImageJob job(const DecodePool::Item& item) const;
    std::unique_ptr<BatchExplanation> forward(const std::vector<DecodePool::Item>& items,
                                              const std::vector<std::size_t>& decoded);
    ImageAnswers batchAnswers(const BatchExplanation& batch, int k) const;
    void explainAlone(const DecodePool::Item& item, std::vector<std::string>& lines);
    void report(const DecodePool::Item& item, const ImageAnswers& answers, std::vector<std::string>& lines);

    const CliOptions& m_options;
    Explainer& m_explainer;
    const std::vector<int>& m_classes;
    const int m_contrast;
    const CamQuery m_query;
    const bool m_batched;
    std::vector<std::vector<CamMap>> m_maps; // the current batch's, per decoded image in class-slot order
    bool m_warnedFallback = false;           // a failed batch forward was reported on stderr
};

} // namespace gce::cli
