#pragma once
// Small text helpers shared by label search, layer lookup and messages.
#include <string>
#include <string_view>
#include <vector>

namespace gce {

std::string toLowerAscii(std::string_view text);
bool containsIgnoringCase(std::string_view haystack, std::string_view needle);
std::string joinWords(const std::vector<std::string>& words, std::string_view separator);
// "img2" before "img10": runs of digits compare as numbers, everything else
// byte by byte. Locale-free, so every machine orders a dataset alike (the
// shards of a run depend on it).
bool naturalLess(std::string_view a, std::string_view b);
// Up to `count` candidates closest to `query` by edit distance (ignoring
// case), closest first, only those plausibly meant (distance <= max(2, len/3)).
std::vector<std::string> closestMatches(std::string_view query, const std::vector<std::string>& candidates,
                                        std::size_t count);

} // namespace gce
