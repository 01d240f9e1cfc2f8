#include "core/support/modelsidecar.h"

#include <filesystem>
#include <algorithm>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/errors.h"

namespace gce {

namespace fs = std::filesystem;

namespace {
constexpr int kMaxInputSide = 4096; // beyond this a forward pass would not fit in memory anyway

[[noreturn]] void fail(const std::string& path, const std::string& reason)
{
    throw InputError("model settings \"" + path + "\": " + reason);
}

std::optional<fs::path> sidecarFor(const std::string& modelPath)
{
    const fs::path model(modelPath);
    for (const fs::path& candidate : {fs::path(model).replace_extension(".json"), fs::path(modelPath + ".json")}) {
        std::error_code error;
        if (candidate != model && fs::is_regular_file(candidate, error))
            return candidate;
    }
    return std::nullopt;
}

int side(const nlohmann::json& value, const std::string& path, const std::string& key = "input_size")
{
    if (!value.is_number_integer() || value.get<int64_t>() < 1 || value.get<int64_t>() > kMaxInputSide)
        fail(path, key + " values must be whole numbers from 1 to " + std::to_string(kMaxInputSide));
    return value.get<int>();
}

std::array<float, 3> triple(const nlohmann::json& value, const std::string& key, const std::string& path,
                            bool positive)
{
    if (!value.is_array() || value.size() != 3)
        fail(path, "\"" + key + "\" must be a list of 3 numbers (R, G, B)");
    std::array<float, 3> result{};
    for (std::size_t i = 0; i < 3; ++i) {
        if (!value[i].is_number())
            fail(path, "\"" + key + "\" must be a list of 3 numbers (R, G, B)");
        result[i] = value[i].get<float>();
        if (positive && !(result[i] > 0.f))
            fail(path, "\"" + key + "\" values must be greater than 0");
    }
    return result;
}
} // namespace

ModelSidecar readModelSidecar(const std::string& modelPath)
{
    ModelSidecar sidecar;
    const auto found = sidecarFor(modelPath);
    if (!found)
        return sidecar;
    sidecar.path = found->string();
    std::ifstream file(*found, std::ios::binary);
    std::stringstream text;
    text << file.rdbuf();
    nlohmann::json document;
    try {
        document = nlohmann::json::parse(text.str());
    } catch (const nlohmann::json::exception& error) {
        fail(sidecar.path, std::string("not valid JSON (") + error.what() + ")");
    }
    if (!document.is_object())
        fail(sidecar.path, "must be a JSON object");
    bool cropGiven = false, resizeGiven = false;
    for (const auto& [key, value] : document.items()) {
        if (key == "resize_size") {
            if (!value.is_number_integer() || value.get<int64_t>() < 1 || value.get<int64_t>() > kMaxInputSide)
                fail(sidecar.path, "\"resize_size\" must be a whole number from 1 to " + std::to_string(kMaxInputSide));
            sidecar.preprocessing.model.resizeSize = value.get<int>();
            resizeGiven = true;
        } else if (key == "crop_size") {
            if (value.is_array() && value.size() == 2) {
                sidecar.preprocessing.model.cropHeight = side(value[0], sidecar.path, key);
                sidecar.preprocessing.model.cropWidth = side(value[1], sidecar.path, key);
            } else if (value.is_number()) {
                sidecar.preprocessing.model.cropHeight = sidecar.preprocessing.model.cropWidth =
                    side(value, sidecar.path, key);
            } else {
                fail(sidecar.path, "\"crop_size\" must be [height, width] or one number");
            }
            cropGiven = true;
        } else if (key == "interpolation") {
            const auto interpolation =
                value.is_string() ? interpolationFromName(value.get<std::string>()) : std::nullopt;
            if (!interpolation)
                fail(sidecar.path, "\"interpolation\" must be \"bilinear\" or \"bicubic\"");
            sidecar.preprocessing.model.interpolation = *interpolation;
        } else if (key == "preprocess") {
            const auto mode = value.is_string() ? preprocessModeFromName(value.get<std::string>()) : std::nullopt;
            if (!mode)
                fail(sidecar.path, "\"preprocess\" must be \"tutorial\" or \"model\"");
            sidecar.preprocessing.mode = *mode;
            sidecar.preprocessNamed = true;
        } else if (key == "input_size") {
            if (value.is_array() && value.size() == 2) {
                sidecar.preprocessing.height = side(value[0], sidecar.path);
                sidecar.preprocessing.width = side(value[1], sidecar.path);
            } else if (value.is_number()) {
                sidecar.preprocessing.height = sidecar.preprocessing.width = side(value, sidecar.path);
            } else {
                fail(sidecar.path, "\"input_size\" must be [height, width] or one number");
            }
        } else if (key == "mean") {
            sidecar.preprocessing.mean = triple(value, key, sidecar.path, false);
        } else if (key == "std") {
            sidecar.preprocessing.std = triple(value, key, sidecar.path, true);
        } else if (key == "labels") {
            if (!value.is_string() || value.get<std::string>().empty())
                fail(sidecar.path, "\"labels\" must be a file name");
            const fs::path labels(value.get<std::string>());
            sidecar.labelsPath = (labels.is_absolute() ? labels : found->parent_path() / labels).string();
        } else {
            fail(sidecar.path, "unknown key \"" + key +
                                   "\" (known: input_size, mean, std, labels, preprocess, resize_size, crop_size, "
                                   "interpolation)");
        }
    }
    // The model transform's defaults follow input_size: crop = input_size,
    // resize = crop * 256 / 224 (torchvision's usual ratio, 256 for 224).
    if (!cropGiven) {
        sidecar.preprocessing.model.cropHeight = sidecar.preprocessing.height;
        sidecar.preprocessing.model.cropWidth = sidecar.preprocessing.width;
    }
    if (!resizeGiven)
        sidecar.preprocessing.model.resizeSize =
            std::min(sidecar.preprocessing.model.cropHeight, sidecar.preprocessing.model.cropWidth) * 256 / 224;
    return sidecar;
}

} // namespace gce
