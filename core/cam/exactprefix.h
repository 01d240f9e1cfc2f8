#pragma once
// Grad-CAM++ and XGrad-CAM divide by sums that can cancel to near zero, so
// the inference form's rounding (1e-6 in the activation) can grow past 1e-4
// in their maps (CamMethodImpl::magnifiesRounding). A session or batch whose
// pass went through the form runs it once more with the plain layers before
// the target when such a method first asks; the class ranking of the first
// pass is kept, so captions and "top prediction" do not move.
#include <chrono>
#include <string>

#include "core/models/network.h"
#include "core/support/stopwatch.h"

namespace gce {

// Gives keep() the pass again with PrefixPass::Exact unless `exact` already
// says it was; adds the time it took to forwardMs. keep() takes the new pass
// only once it is complete: an interrupted one leaves the caller as it was.
template <typename Keep>
void ensureExactPrefix(bool exact, Network& network, const torch::Tensor& inputs, const std::string& layer,
                       double& forwardMs, Keep&& keep)
{
    if (exact)
        return;
    const auto start = std::chrono::steady_clock::now();
    keep(network.forwardTapped(inputs, layer, PrefixPass::Exact));
    forwardMs += millisecondsSince(start);
}

} // namespace gce
