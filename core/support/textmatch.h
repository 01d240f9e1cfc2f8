#pragma once
// Small text helpers shared by label search, layer lookup and messages.
#include <string>
#include <string_view>
#include <vector>

namespace gce {

std::string toLowerAscii(std::string_view text);
bool containsIgnoringCase(std::string_view haystack, std::string_view needle);
std::string joinWords(const std::vector<std::string>& words, std::string_view separator);
// Up to `count` candidates closest to `query` by edit distance (ignoring
// case), closest first, only those plausibly meant (distance <= max(2, len/3)).
std::vector<std::string> closestMatches(std::string_view query, const std::vector<std::string>& candidates,
                                        std::size_t count);

} // namespace gce
