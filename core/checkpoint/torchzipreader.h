#pragma once
// torch.save's default format since PyTorch 1.6: a zip archive holding
// <archive>/data.pkl (the pickled state dict), <archive>/data/<key> (one
// record of raw little-endian bytes per storage) and <archive>/version.
#include <string>

#include "core/checkpoint/statedict.h"

namespace gce::detail {

// Throws CheckpointError with a reason (without the path).
StateDict readTorchZip(const std::string& path);

} // namespace gce::detail
