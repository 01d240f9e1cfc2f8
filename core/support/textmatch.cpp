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

bool naturalLess(std::string_view a, std::string_view b)
{
    const auto isDigit = [](char c) { return c >= '0' && c <= '9'; };
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        if (isDigit(a[i]) && isDigit(b[j])) {
            // Numbers by value: skip leading zeros, then the longer run is larger.
            std::size_t si = i, sj = j;
            while (si < a.size() && a[si] == '0')
                ++si;
            while (sj < b.size() && b[sj] == '0')
                ++sj;
            std::size_t ei = si, ej = sj;
            while (ei < a.size() && isDigit(a[ei]))
                ++ei;
            while (ej < b.size() && isDigit(b[ej]))
                ++ej;
            if (ei - si != ej - sj)
                return ei - si < ej - sj;
            if (const int c = a.substr(si, ei - si).compare(b.substr(sj, ej - sj)); c != 0)
                return c < 0;
            if (ei - i != ej - j) // equal values: fewer leading zeros first ("7" before "007")
                return ei - i < ej - j;
            i = ei;
            j = ej;
            continue;
        }
        if (a[i] != b[j])
            return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]);
        ++i;
        ++j;
    }
    return a.size() - i < b.size() - j;
}

} // namespace gce
