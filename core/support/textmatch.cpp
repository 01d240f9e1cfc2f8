#include "core/support/textmatch.h"

#include <algorithm>
#include <cctype>
#include <numeric>

namespace gce {

std::string toLowerAscii(std::string_view text)
{
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return lower;
}

bool containsIgnoringCase(std::string_view haystack, std::string_view needle)
{
    return toLowerAscii(haystack).find(toLowerAscii(needle)) != std::string::npos;
}

std::string joinWords(const std::vector<std::string>& words, std::string_view separator)
{
    std::string joined;
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (i)
            joined += separator;
        joined += words[i];
    }
    return joined;
}

namespace {
std::size_t editDistance(const std::string& a, const std::string& b)
{
    std::vector<std::size_t> row(b.size() + 1);
    std::iota(row.begin(), row.end(), 0);
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}
} // namespace

std::vector<std::string> closestMatches(std::string_view query, const std::vector<std::string>& candidates,
                                        std::size_t count)
{
    const std::string q = toLowerAscii(query);
    const std::size_t limit = std::max<std::size_t>(2, q.size() / 3);
    std::vector<std::pair<std::size_t, std::string>> scored;
    for (const auto& candidate : candidates) {
        const std::size_t d = editDistance(q, toLowerAscii(candidate));
        if (d <= limit)
            scored.emplace_back(d, candidate);
    }
    std::stable_sort(scored.begin(), scored.end(),
                     [](const auto& x, const auto& y) { return x.first < y.first; });
    std::vector<std::string> best;
    for (std::size_t i = 0; i < scored.size() && i < count; ++i)
        best.push_back(scored[i].second);
    return best;
}

} // namespace gce
