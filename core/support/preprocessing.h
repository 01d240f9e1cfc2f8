#pragma once
// What a model expects of its input, without LibTorch (the GUI and the
// TorchScript sidecar reader use it): torchvision's Resize((height, width))
// and Normalize(mean, std). core/support/preprocess.h applies it.
#include <array>

namespace gce {

struct Preprocessing {
    int width = 224;
    int height = 224;
    std::array<float, 3> mean{0.485f, 0.456f, 0.406f};
    std::array<float, 3> std{0.229f, 0.224f, 0.225f};
};

} // namespace gce
