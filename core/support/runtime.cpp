#include "core/support/runtime.h"

#include <malloc.h>

#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>

#include <opencv2/core/utility.hpp>
#include <torch/torch.h>
#include <torch/version.h>

namespace gce {

namespace {
// glibc's dynamic mmap threshold makes the 1-25 MB activation and weight
// buffers of a forward pass be mmap'ed and munmap'ed on every call, so each
// pass pays page faults on fresh zero pages. Raising both thresholds keeps
// them in the heap; raising only one of them makes things worse (measured:
// bench/gce-bench reports the ratio with and without this).
constexpr int kMmapThresholdBytes = 32 * 1024 * 1024;
constexpr int kTrimThresholdBytes = 256 * 1024 * 1024;

std::string g_description = "runtime not configured";
std::once_flag g_once;
} // namespace

RuntimeSettings runtimeSettingsFromEnvironment(RuntimeSettings settings)
{
    if (const char* threads = std::getenv("GCE_THREADS"); threads && std::atoi(threads) > 0)
        settings.intraOpThreads = std::atoi(threads);
    if (const char* noMallopt = std::getenv("GCE_NO_MALLOPT"); noMallopt && std::string(noMallopt) == "1")
        settings.tuneAllocator = false;
    return settings;
}

void configureRuntime(const RuntimeSettings& settings)
{
    std::call_once(g_once, [&] {
        bool tuned = false;
        if (settings.tuneAllocator)
            tuned = mallopt(M_MMAP_THRESHOLD, kMmapThresholdBytes) == 1 &&
                    mallopt(M_TRIM_THRESHOLD, kTrimThresholdBytes) == 1;
        // Debian's LibTorch defaults to one intra-op thread on this machine.
        int threads = settings.intraOpThreads;
        if (threads <= 0)
            threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
        torch::set_num_threads(threads);
        g_description = std::to_string(torch::get_num_threads()) + " intra-op threads, allocator " +
                        (tuned ? "tuned (mmap threshold 32 MiB, trim threshold 256 MiB)" : "glibc defaults");
    });
}

std::string runtimeDescription() { return g_description; }

std::string libtorchVersion() { return TORCH_VERSION; }

std::string opencvVersion() { return cv::getVersionString(); }

} // namespace gce
