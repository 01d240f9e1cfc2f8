#pragma once
// gradcam-cli --input DIR|LIST.txt --out-dir OUT: a whole dataset, decoded
// ahead on a pool (decodepool.h) and explained a batch at a time
// (datasetbatch.h), into OUT/results.jsonl (or the shard's manifest,
// manifest.h), with the maps as .npy files (--save-maps) and the overlays
// (--overlays) under OUT. An image that fails becomes an error
// record and the run goes on; --resume continues a run that was stopped;
// --shard (or a Slurm array / Kubernetes indexed Job) takes a share (shard.h).
// Nothing is kept per image, so memory stays flat however many there are.
#include <ostream>
#include <vector>

#include "app/cli/clioptions.h"
#include "core/cam/explainer.h"

namespace gce::cli {

// Returns the exit code: 0 every image explained, 4 the run completed but
// some images failed (each in the manifest and one line on `err`). Throws
// UsageError (an existing manifest without --resume) and InputError.
int runDataset(const CliOptions& options, Explainer& explainer, const std::vector<int>& classes, int contrast,
               std::ostream& err);

} // namespace gce::cli
