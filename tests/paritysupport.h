#pragma once
// Helpers shared by the parity tests against the Python oracle (header-only:
// only the LibTorch tests include it).
#include <stdexcept>
#include <string>

#include <opencv2/core.hpp>
#include <torch/torch.h>

#include "core/checkpoint/statedict.h"

namespace gce::test {

// A tensor the oracle wrote; throws when the fixture lacks it.
inline torch::Tensor expected(const StateDict& dict, const std::string& key)
{
    const torch::Tensor* tensor = dict.find(key);
    if (!tensor)
        throw std::runtime_error("fixture lacks " + key);
    return *tensor;
}

// A CV_32FC1 map as an H×W tensor (copied).
inline torch::Tensor mapTensor(const cv::Mat& map)
{
    return torch::from_blob(const_cast<float*>(map.ptr<float>()), {map.rows, map.cols}, torch::kFloat32).clone();
}

// Largest |a-b|, relative for values above 1 (logits of random nets can be big).
inline double worstError(const torch::Tensor& a, const torch::Tensor& b)
{
    const auto diff = (a - b).abs();
    const auto scale = torch::clamp_min(b.abs(), 1.0);
    return (diff / scale).max().item<double>();
}

} // namespace gce::test
