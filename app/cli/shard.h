#pragma once
// Which share of a dataset one process explains (gradcam-cli --shard I/N), so
// that a scheduler's array of jobs covers it once: image k of the natural
// order belongs to shard k mod N. The share depends only on the list of
// images, not on the machine or on which other shards run, and shard sizes
// differ by at most one.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>

namespace gce::cli {

struct Shard {
    int index = 0; // 0-based
    int count = 1;
    bool sharded() const { return count > 1 || index != 0; }
    bool contains(std::size_t position) const { return position % static_cast<std::size_t>(count) == std::size_t(index); }
};

// "I/N" with 0 <= I < N. Throws UsageError.
Shard parseShard(const std::string& text);

// The shard to run: --shard when given; else Slurm's job array
// (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT; the IDs must run 0..N-1),
// else a Kubernetes indexed Job (JOB_COMPLETION_INDEX, with --shard-count N);
// else the whole dataset. `environment` reads a variable (empty: unset).
// Throws UsageError when what is set does not make a shard.
Shard chooseShard(const std::optional<Shard>& flag, int shardCountFlag,
                  const std::function<std::string(const char*)>& environment);

// results.jsonl, or results-I-of-N.jsonl for a shard.
std::string manifestName(const Shard& shard);

} // namespace gce::cli
