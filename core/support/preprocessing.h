#pragma once
// What a model expects of its input, without LibTorch (the GUI and the
// TorchScript sidecar reader use it). Two ways to get there:
//   tutorial: torchvision's Resize((height, width)), bilinear, as the Grad-CAM
//             tutorial does (the default everywhere, so results stay comparable);
//   model:    the eval transform torchvision 0.14 publishes with the weights
//             file (weights.transforms(), ImageClassification): the shorter
//             side resized to resizeSize with `interpolation` (antialiased, as
//             Pillow always is), centre crop cropHeight × cropWidth.
// Both end with ToTensor and Normalize(mean, std). The functions at the end
// apply it (preprocessing.cpp, in the engine); core/imaging/modeltransform.h
// has the model transform's pixels and its crop rectangle.
//
// The header names LibTorch's and OpenCV's types without including them, so
// that the GUI and the settings can use the settings without those headers.
#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace at {
class Tensor;
}
namespace cv {
class Mat;
}

namespace gce {

enum class PreprocessMode { Tutorial, Model };
enum class ResizeInterpolation { Bilinear, Bicubic };

inline std::string preprocessModeName(PreprocessMode mode)
{
    return mode == PreprocessMode::Model ? "model" : "tutorial";
}

inline std::optional<PreprocessMode> preprocessModeFromName(std::string_view name)
{
    if (name == "tutorial")
        return PreprocessMode::Tutorial;
    if (name == "model")
        return PreprocessMode::Model;
    return std::nullopt;
}

inline std::string interpolationName(ResizeInterpolation interpolation)
{
    return interpolation == ResizeInterpolation::Bicubic ? "bicubic" : "bilinear";
}

inline std::optional<ResizeInterpolation> interpolationFromName(std::string_view name)
{
    if (name == "bilinear")
        return ResizeInterpolation::Bilinear;
    if (name == "bicubic")
        return ResizeInterpolation::Bicubic;
    return std::nullopt;
}

// The model transform of one weights file (torchvision's ImageClassification).
struct ModelTransform {
    int resizeSize = 256; // the shorter side, before the crop
    int cropHeight = 224;
    int cropWidth = 224;
    ResizeInterpolation interpolation = ResizeInterpolation::Bilinear;

    friend bool operator==(const ModelTransform& a, const ModelTransform& b)
    {
        return a.resizeSize == b.resizeSize && a.cropHeight == b.cropHeight && a.cropWidth == b.cropWidth &&
               a.interpolation == b.interpolation;
    }
};

// "resize 256, crop 224, bilinear" (crop "300" when square, "224x240" as H x W otherwise).
inline std::string describeModelTransform(const ModelTransform& t)
{
    const std::string crop = t.cropHeight == t.cropWidth ? std::to_string(t.cropHeight)
                                                         : std::to_string(t.cropHeight) + "x" + std::to_string(t.cropWidth);
    return "resize " + std::to_string(t.resizeSize) + ", crop " + crop + ", " + interpolationName(t.interpolation);
}

struct Preprocessing {
    // tutorial: Resize((height, width))
    int width = 224;
    int height = 224;
    std::array<float, 3> mean{0.485f, 0.456f, 0.406f};
    std::array<float, 3> std{0.229f, 0.224f, 0.225f};
    PreprocessMode mode = PreprocessMode::Tutorial;
    ModelTransform model; // used when mode == Model

    // The network's input size for the chosen mode.
    int inputHeight() const { return mode == PreprocessMode::Model ? model.cropHeight : height; }
    int inputWidth() const { return mode == PreprocessMode::Model ? model.cropWidth : width; }
};

// ---- applying it (link gce_engine; include <torch/torch.h> and OpenCV to call)
// torchvision's classification preprocessing, exactly:
//   Resize((H, W)) on a PIL image  -> resizePilBilinear (bit-exact), or with
//   PreprocessMode::Model the weights' own resize + centre crop
//   (core/imaging/modeltransform.h, bit-exact with Pillow too)
//   ToTensor                       -> uint8 / 255 in float32, CHW
//   Normalize(mean, std)           -> (x - mean) / std, in that order

// rgb: CV_8UC3 RGB of any size -> 1×3×H×W float32 tensor
// (H×W = settings.inputHeight() × inputWidth()).
at::Tensor preprocessImage(const cv::Mat& rgb, const Preprocessing& settings = {});

// The 8-bit pixels the network sees, before ToTensor: the resized image, or the crop.
cv::Mat preprocessPixels(const cv::Mat& rgb, const Preprocessing& settings = {});

// The ToTensor + Normalize half, for an image already at the model's size.
at::Tensor normalizedTensor(const cv::Mat& resizedRgb, const Preprocessing& settings = {});

} // namespace gce
