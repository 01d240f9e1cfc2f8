#include "app/cli/shard.h"

#include <cstdlib>

#include "core/errors.h"

namespace gce::cli {

namespace {

// A whole number >= 0, or -1.
long parseCount(const std::string& text)
{
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos || text.size() > 9)
        return -1;
    return std::strtol(text.c_str(), nullptr, 10);
}

Shard checked(long index, long count, const std::string& what)
{
    if (count < 1 || index < 0 || index >= count)
        throw UsageError(what + " does not name a shard: need 0 <= I < N");
    return {static_cast<int>(index), static_cast<int>(count)};
}

} // namespace

Shard parseShard(const std::string& text)
{
    const auto slash = text.find('/');
    if (slash == std::string::npos)
        throw UsageError("--shard expects I/N (e.g. 0/4), got \"" + text + "\"");
    return checked(parseCount(text.substr(0, slash)), parseCount(text.substr(slash + 1)),
                   "--shard \"" + text + "\"");
}

Shard chooseShard(const std::optional<Shard>& flag, int shardCountFlag,
                  const std::function<std::string(const char*)>& environment)
{
    if (flag)
        return *flag;
    const std::string slurmId = environment("SLURM_ARRAY_TASK_ID");
    if (!slurmId.empty()) {
        const std::string slurmCount = environment("SLURM_ARRAY_TASK_COUNT");
        return checked(parseCount(slurmId), parseCount(slurmCount),
                       "SLURM_ARRAY_TASK_ID=" + slurmId + " with SLURM_ARRAY_TASK_COUNT=" + slurmCount +
                           " (submit the array as --array=0-<N-1>)");
    }
    const std::string jobIndex = environment("JOB_COMPLETION_INDEX");
    if (!jobIndex.empty()) {
        if (shardCountFlag < 1)
            throw UsageError("JOB_COMPLETION_INDEX is set: give the Job's completions as --shard-count N");
        return checked(parseCount(jobIndex), shardCountFlag, "JOB_COMPLETION_INDEX=" + jobIndex);
    }
    if (shardCountFlag > 0)
        throw UsageError("--shard-count goes with a Kubernetes indexed Job (JOB_COMPLETION_INDEX); use --shard I/N");
    return {};
}

std::string manifestName(const Shard& shard)
{
    if (!shard.sharded())
        return "results.jsonl";
    return "results-" + std::to_string(shard.index) + "-of-" + std::to_string(shard.count) + ".jsonl";
}

} // namespace gce::cli
