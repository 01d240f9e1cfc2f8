#pragma once
// .safetensors: an 8-byte little-endian header length, a JSON header
// {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}},
// then the tensors' raw little-endian bytes (offsets relative to the end of
// the header).
#include <cstdint>
#include <string>

#include "core/checkpoint/statedict.h"

namespace gce::detail {

// Whether a file starting with `head` (at least its first 9 bytes, when the
// file has them) and of `fileSize` bytes starts like a safetensors file.
bool looksLikeSafetensors(const std::string& head, uint64_t fileSize);

// Tensors in header order. Throws CheckpointError with a reason (without
// the path).
StateDict readSafetensors(const std::string& path);

} // namespace gce::detail
