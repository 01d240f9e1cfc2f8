#include "core/support/labelsfile.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/errors.h"

namespace gce {

namespace {
constexpr std::size_t kMaxLabelsBytes = 16u << 20;
constexpr std::size_t kMaxIndexDigits = 9;

std::string trimmed(const std::string& text)
{
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos)
        return {};
    return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

// Messages are one line: control characters from the file (a key with a
// line break in it) are shown as '?'.
[[noreturn]] void fail(const std::string& source, const std::string& reason)
{
    std::string message = "cannot read labels \"" + source + "\": " + reason;
    for (char& c : message)
        if (static_cast<unsigned char>(c) < 0x20)
            c = '?';
    throw InputError(message);
}

std::vector<std::string> parseLines(const std::string& text, const std::string& source)
{
    std::vector<std::string> names;
    std::istringstream lines(text);
    std::string line;
    int blankRun = 0;
    while (std::getline(lines, line)) {
        std::string name = trimmed(line);
        if (name.empty()) {
            ++blankRun; // blank lines are fine at the end only
            continue;
        }
        if (blankRun > 0)
            fail(source, "line " + std::to_string(names.size() + 1) + " is empty");
        names.push_back(std::move(name));
    }
    return names;
}

std::string jsonName(const nlohmann::json& value, const std::string& where, const std::string& source)
{
    if (!value.is_string())
        fail(source, where + " is not a string");
    std::string name = trimmed(value.get<std::string>());
    if (name.empty())
        fail(source, where + " is an empty name");
    if (name.find_first_of("\r\n") != std::string::npos)
        fail(source, where + " has a line break in it");
    return name;
}

std::vector<std::string> parseJson(const std::string& text, const std::string& source)
{
    nlohmann::json document;
    try {
        // The formats are one level deep; refusing deeper nesting as it is
        // parsed keeps hostile files from building huge trees.
        document = nlohmann::json::parse(text, [&](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
            if (depth > 1)
                fail(source, "nested JSON values are not names");
            return true;
        });
    } catch (const nlohmann::json::exception& error) {
        fail(source, std::string("not valid JSON (") + error.what() + ")");
    }
    std::vector<std::string> names;
    if (document.is_array()) {
        for (std::size_t i = 0; i < document.size(); ++i)
            names.push_back(jsonName(document[i], "entry " + std::to_string(i), source));
        return names;
    }
    if (!document.is_object())
        fail(source, "JSON labels must be a list of names or a map from index to name");
    names.resize(document.size());
    std::vector<bool> seen(document.size(), false);
    for (const auto& [key, value] : document.items()) {
        const bool digits = !key.empty() && key.size() <= kMaxIndexDigits &&
                            std::all_of(key.begin(), key.end(), [](unsigned char c) { return c >= '0' && c <= '9'; });
        if (!digits)
            fail(source, "key \"" + key + "\" is not a class index");
        const auto index = std::stoul(key);
        if (index >= names.size())
            fail(source, "index " + key + " is out of range: " + std::to_string(names.size()) +
                             " names need the indices 0.." + std::to_string(names.size() - 1));
        if (seen[index])
            fail(source, "index " + std::to_string(index) + " appears twice");
        seen[index] = true;
        names[index] = jsonName(value, "the name of class " + key, source);
    }
    return names;
}
} // namespace

std::vector<std::string> parseLabelsText(const std::string& bytes, const std::string& source)
{
    std::string text = bytes;
    if (text.rfind("\xEF\xBB\xBF", 0) == 0) // a UTF-8 byte order mark, as some editors write
        text.erase(0, 3);
    if (text.find('\0') != std::string::npos)
        fail(source, "binary data, not text");
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos)
        fail(source, "the file has no names");
    std::vector<std::string> names =
        (text[first] == '[' || text[first] == '{') ? parseJson(text, source) : parseLines(text, source);
    if (names.empty())
        fail(source, "the file has no names");
    return names;
}

std::vector<std::string> readLabelsFile(const std::string& path)
{
    std::error_code error;
    if (std::filesystem::is_directory(path, error))
        fail(path, "a directory, not a file");
    std::ifstream file(path, std::ios::binary);
    if (!file)
        fail(path, "no such file or not readable");
    std::string bytes;
    char buffer[65536];
    while (file.read(buffer, sizeof buffer) || file.gcount() > 0) {
        bytes.append(buffer, static_cast<std::size_t>(file.gcount()));
        if (bytes.size() > kMaxLabelsBytes)
            fail(path, "larger than 16 MiB");
    }
    if (file.bad())
        fail(path, "read error");
    return parseLabelsText(bytes, path);
}

} // namespace gce
