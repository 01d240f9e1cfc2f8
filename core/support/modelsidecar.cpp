#include "core/support/modelsidecar.h"

#include <filesystem>
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

int side(const nlohmann::json& value, const std::string& path)
{
    if (!value.is_number_integer() || value.get<int64_t>() < 1 || value.get<int64_t>() > kMaxInputSide)
        fail(path, "input_size values must be whole numbers from 1 to " + std::to_string(kMaxInputSide));
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
    for (const auto& [key, value] : document.items()) {
        if (key == "input_size") {
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
            fail(sidecar.path, "unknown key \"" + key + "\" (known: input_size, mean, std, labels)");
        }
    }
    return sidecar;
}

} // namespace gce
