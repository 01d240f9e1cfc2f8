#pragma once
// Class names for models that are not ImageNet classifiers, read from a file
// the user gives (--labels, or the "labels" entry of a TorchScript model's
// sidecar JSON). Three formats, told apart by the first non-blank character:
//   one name per line                       (a line's surrounding spaces are dropped)
//   ["cat", "dog", ...]                     a JSON list, index = position
//   {"0": "cat", "1": "dog", ...}           a JSON map, keys 0..N-1 each exactly once
#include <string>
#include <vector>

namespace gce {

// Throws InputError with a one-line reason (empty name, bad JSON, a key that
// is not an index, a gap or duplicate in the indices, a non-string name).
// `source` names the file in messages.
std::vector<std::string> parseLabelsText(const std::string& bytes, const std::string& source = "labels");

// Reads and parses a labels file (at most 16 MiB). Throws InputError.
std::vector<std::string> readLabelsFile(const std::string& path);

} // namespace gce
