#pragma once
// Process-wide runtime tuning, applied once at start-up by every executable.
#include <string>

namespace gce {

struct RuntimeSettings {
    int intraOpThreads = 0;        // 0: the machine's core count
    bool tuneAllocator = true;     // raise glibc's mmap/trim thresholds (see runtime.cpp)
};

// Reads GCE_THREADS and GCE_NO_MALLOPT=1 from the environment on top of `settings`.
RuntimeSettings runtimeSettingsFromEnvironment(RuntimeSettings settings = {});

// Call first thing in main(), before large allocations. Idempotent.
void configureRuntime(const RuntimeSettings& settings);

// One line describing what configureRuntime did, for --version and benchmarks.
std::string runtimeDescription();

// Library versions for About boxes: LibTorch's as compiled against (its
// headers; Debian's libtorch has no run-time query), OpenCV's as loaded.
std::string libtorchVersion();
std::string opencvVersion();

} // namespace gce
