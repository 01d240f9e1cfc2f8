#include "core/cam/adaptivebatch.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "core/models/interrupt.h"
#include "core/support/stopwatch.h"

namespace gce {

namespace {
// Growth per batch at most: the per-pass estimate from a small batch still
// carries the modules' fixed costs, so sizes are approached step by step.
constexpr int64_t kGrowth = 4;
} // namespace

AdaptiveBatch::AdaptiveBatch(int64_t first, int64_t largest, double budgetMs)
    : m_size(std::max<int64_t>(1, budgetMs > 0 ? first : largest)),
      m_largest(std::max<int64_t>(1, largest)),
      m_budgetMs(budgetMs)
{
    m_size = std::min(m_size, m_largest);
}

AdaptiveBatch AdaptiveBatch::choose(int64_t fixed, bool cancellable, int64_t first, int64_t largest)
{
    if (fixed > 0)
        return AdaptiveBatch(fixed, fixed, 0.0);
    return cancellable ? AdaptiveBatch(first, largest) : AdaptiveBatch(largest, largest, 0.0);
}

void AdaptiveBatch::run(const std::function<bool()>& cancelled, const std::string& what,
                        const std::function<void()>& work)
{
    using Clock = std::chrono::steady_clock;
    auto last = Clock::now();
    double longestGapMs = 0.0;
    {
        InterruptScope interrupt(
            [&] {
                longestGapMs = std::max(longestGapMs, millisecondsSince(last));
                last = Clock::now();
                return cancelled && cancelled();
            },
            what);
        work();
    }
    update(std::max(longestGapMs, millisecondsSince(last)));
}

void AdaptiveBatch::update(double longestGapMs)
{
    if (m_budgetMs <= 0 || !(longestGapMs > 0))
        return; // nothing to bound, or nothing measured: keep the size
    // A module's time is about proportional to the batch, plus a fixed cost
    // per call: from below, the size converges to where the gap meets the budget.
    m_perPass[static_cast<std::size_t>(m_measured % int(m_perPass.size()))] = longestGapMs / double(m_size);
    ++m_measured;
    const auto recent = m_perPass.begin() + std::min<int>(m_measured, int(m_perPass.size()));
    const double perPass = *std::min_element(m_perPass.begin(), recent);
    const auto fits = static_cast<int64_t>(std::floor(m_budgetMs / perPass));
    m_size = std::clamp<int64_t>(fits, 1, std::min(m_largest, m_size * kGrowth));
}

} // namespace gce
