#include "core/models/fastcheck.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <string>

#include <torch/torch.h>

#include "core/support/stopwatch.h"

namespace gce::fast {

FormPolicy startingPolicy()
{
    const char* value = std::getenv("GCE_INFERENCE_FORM");
    const std::string policy = value ? value : "";
    return policy == "off" ? FormPolicy::Off : policy == "exact" ? FormPolicy::WhenExact : FormPolicy::Measured;
}

bool agrees(const torch::Tensor& fast, const torch::Tensor& reference)
{
    if (!fast.defined() || !reference.defined() || fast.sizes() != reference.sizes())
        return false;
    const double scale = reference.abs().max().item<double>();
    const double error = (fast - reference).abs().max().item<double>();
    return std::isfinite(error) && error <= 1e-5 * std::max(scale, 1e-12);
}

Timing compareSpeed(const std::function<void()>& plain, const std::function<void()>& fast)
{
    const auto timed = [](const std::function<void()>& run) {
        const auto start = std::chrono::steady_clock::now();
        run();
        return millisecondsSince(start);
    };
    Timing timing;
    timing.plainMs = timed(plain);
    timing.fastMs = timed(fast);
    for (int round = 1; round < 3; ++round) {
        timing.plainMs = std::min(timing.plainMs, timed(plain));
        timing.fastMs = std::min(timing.fastMs, timed(fast));
    }
    return timing;
}

} // namespace gce::fast
