#pragma once
// What decides whether a faster way of running a network may replace the
// plain one (the zoo's inference form, core/models/inferenceform.h; a
// TorchScript model's optimize_for_inference, core/models/scriptnetwork.h):
// it must agree with the plain output and take less time.
#include <functional>

#include <torch/types.h>

#include "core/models/network.h"

namespace gce::fast {

// The policy a network starts with, from GCE_INFERENCE_FORM: "off" (every
// pass plainly: maps bit for bit as the plain modules give them, and the
// benchmarks' same-run baseline), "exact" (whenever it agrees, untimed: for
// tests, where timing on a loaded machine would decide), else Measured.
FormPolicy startingPolicy();

// The agreement asked for (issue 18): within 1e-5 of the reference's largest
// magnitude, same shape, finite.
bool agrees(const torch::Tensor& fast, const torch::Tensor& reference);

struct Timing {
    double plainMs = 0;
    double fastMs = 0;
    // Faster by at least 5%: closer than that, the timing noise of a shared
    // machine decides (VGG-16-BN's form measured 1.05× faster when built and
    // 0.89× in the benchmark run after it), and the form's memory is not
    // worth keeping.
    bool faster() const { return fastMs < 0.95 * plainMs; }
};

// The best of three warm runs each way, interleaved (the caller has run both
// at least once: first calls set up oneDNN's primitives).
Timing compareSpeed(const std::function<void()>& plain, const std::function<void()>& fast);

} // namespace gce::fast
