#pragma once
// How many perturbed passes (Score-CAM's masked images, Ablation-CAM's
// ablated activations) one batch runs. Larger batches cost much less per
// pass on CPU (ResNet-18's layer-4 convolutions take ~3 times as long at a
// batch of 32 as at 2, for 16 times the images), but a cancel is seen only
// between two modules of the network (core/models/interrupt.h), so the
// slowest module of a batch bounds how fast a newer request stops it, and
// that module's time grows with the batch. So: the first batch runs at the
// method's starting size and measures the longest gap between two polls;
// each further batch is as large as keeps that gap within the budget, up to
// the method's largest size. Self-regulating across models (a VGG module at
// 224×224 costs ~16 times a ResNet-18 one), input sizes, TorchScript models
// (polled only between batches: the gap is the whole batch) and load.
#include <array>
#include <cstdint>
#include <functional>
#include <string>

namespace gce {

// Half of the 100 ms a newer request may wait for its result; the rest goes
// to the new request's own work and the queued signals.
constexpr double kCancelGapBudgetMs = 50.0;

class AdaptiveBatch {
public:
    // first, largest >= 1. budgetMs <= 0: nobody can cancel, every batch is `largest`.
    AdaptiveBatch(int64_t first, int64_t largest, double budgetMs = kCancelGapBudgetMs);

    // The batches of one computation: `fixed` > 0 forces that size; with no
    // way to cancel there is no latency to keep, so always `largest`;
    // otherwise adaptive from `first`.
    static AdaptiveBatch choose(int64_t fixed, bool cancellable, int64_t first, int64_t largest);

    int64_t size() const { return m_size; }
    // Runs one batch of size() passes: `work` under an InterruptScope that
    // polls `cancelled` (may be empty) and throws Cancelled(what), timing
    // the longest gap between two polls; then sizes the next batch. A
    // cancelled batch changes nothing.
    void run(const std::function<bool()>& cancelled, const std::string& what, const std::function<void()>& work);
    // After a batch of size() passes whose longest gap between two polls was
    // longestGapMs (wall time): the size of the next batch.
    void update(double longestGapMs);

private:
    int64_t m_size;
    int64_t m_largest;
    double m_budgetMs;
    // The gap per pass of the last few batches. Their minimum decides: a
    // time slice lost to another process only ever lengthens a gap, so one
    // such spike must not collapse the batches (it made Score-CAM 2.7 times
    // slower on a busy machine), while a lasting slowdown shows in every
    // entry within a few batches.
    std::array<double, 3> m_perPass{};
    int m_measured = 0;
};

} // namespace gce
