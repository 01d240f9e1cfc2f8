#pragma once
// Stopping a forward pass part-way. Score-based methods (Score-CAM,
// Ablation-CAM) and faithfulness scores run large batches for throughput; a
// newer request must still stop them within ~100 ms, far less than one
// batch takes. While an InterruptScope lives on a thread, our torchvision
// ports poll it after every module (detail::afterModule in tap.h) and throw
// Cancelled when it says so: a batch stops within one module's time.
// TorchScript models run as one graph call and are only polled between
// batches by their callers.
#include <functional>
#include <string>

namespace gce {

class InterruptScope {
public:
    // `interrupted` may be empty (nothing polled); `what` is the message of
    // the Cancelled thrown ("score-cam cancelled"). Scopes nest: the innermost
    // one is polled.
    InterruptScope(std::function<bool()> interrupted, std::string what);
    ~InterruptScope();
    InterruptScope(const InterruptScope&) = delete;
    InterruptScope& operator=(const InterruptScope&) = delete;

    // Throws Cancelled when the current scope's function returns true.
    static void poll();

private:
    std::function<bool()> m_interrupted;
    std::string m_what;
    InterruptScope* m_previous;
};

} // namespace gce
