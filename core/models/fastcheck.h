#pragma once
// What decides whether a faster way of running a network may replace the
// plain one (the zoo's inference form, core/models/inferenceform.h; a
// TorchScript model's optimize_for_inference, core/models/scriptnetwork.h):
// it must agree with the plain output and take less time.
#include <functional>

#include <torch/types.h>

namespace gce::fast {

// The agreement asked for (issue 18): within 1e-5 of the reference's largest
// magnitude, same shape, finite.
bool agrees(const torch::Tensor& fast, const torch::Tensor& reference);

struct Timing {
    double plainMs = 0;
    double fastMs = 0;
    bool faster() const { return fastMs < plainMs; }
};

// The best of two warm runs each way, interleaved (the caller has run both
// at least once: first calls set up oneDNN's primitives).
Timing compareSpeed(const std::function<void()>& plain, const std::function<void()>& fast);

} // namespace gce::fast
