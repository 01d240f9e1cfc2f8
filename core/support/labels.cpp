#include "core/support/labels.h"

#include <algorithm>
#include <cctype>

#include "core/errors.h"
#include "core/support/textmatch.h"

namespace gce {

namespace detail {
extern const char* const kImageNetLabels[];
extern const std::size_t kImageNetLabelCount;
} // namespace detail

namespace {
bool isIndex(const std::string& text)
{
    return !text.empty() && text.size() <= 9 &&
           std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); });
}
} // namespace

const LabelSet& LabelSet::imageNet()
{
    static const LabelSet labels(
        std::vector<std::string>(detail::kImageNetLabels, detail::kImageNetLabels + detail::kImageNetLabelCount));
    return labels;
}

LabelSet LabelSet::numbered(int count)
{
    std::vector<std::string> names;
    for (int i = 0; i < count; ++i)
        names.push_back("class " + std::to_string(i));
    return LabelSet(std::move(names));
}

LabelSet::LabelSet(std::vector<std::string> names) : m_names(std::move(names)) {}

const std::string& LabelSet::name(int index) const
{
    if (index < 0 || index >= size())
        throw UsageError("class " + std::to_string(index) + " is out of range (0.." + std::to_string(size() - 1) + ")");
    return m_names[static_cast<std::size_t>(index)];
}

int LabelSet::resolve(const std::string& query) const
{
    if (isIndex(query)) {
        const int index = std::stoi(query);
        name(index); // throws when out of range
        return index;
    }
    // An exact match wins: torchvision has "Cardigan" (264, the corgi) and
    // "cardigan" (474, the sweater), which only differ in case.
    for (int i = 0; i < size(); ++i)
        if (m_names[static_cast<std::size_t>(i)] == query)
            return i;
    const std::string wanted = toLowerAscii(query);
    std::vector<int> hits;
    for (int i = 0; i < size(); ++i)
        if (toLowerAscii(m_names[static_cast<std::size_t>(i)]) == wanted)
            hits.push_back(i);
    if (hits.size() == 1)
        return hits.front();
    if (hits.size() > 1) {
        std::vector<std::string> indices;
        for (int i : hits)
            indices.push_back(std::to_string(i));
        throw UsageError("class \"" + query + "\" is ambiguous: give its index (" + joinWords(indices, " or ") + ")");
    }
    std::string message = "unknown class \"" + query + "\"";
    std::vector<std::string> suggestions;
    for (int i : search(query))
        if (suggestions.size() < 3)
            suggestions.push_back("\"" + m_names[static_cast<std::size_t>(i)] + "\"");
    if (suggestions.empty())
        for (const auto& close : closestMatches(query, m_names, 3))
            suggestions.push_back("\"" + close + "\"");
    if (!suggestions.empty())
        message += " (did you mean " + joinWords(suggestions, ", ") + "?)";
    throw UsageError(message);
}

std::vector<int> LabelSet::search(const std::string& text) const
{
    std::vector<int> hits;
    const bool numeric = isIndex(text);
    const int wantedIndex = numeric ? std::stoi(text) : -1;
    for (int i = 0; i < size(); ++i)
        if (i == wantedIndex || containsIgnoringCase(m_names[static_cast<std::size_t>(i)], text))
            hits.push_back(i);
    return hits;
}

} // namespace gce
