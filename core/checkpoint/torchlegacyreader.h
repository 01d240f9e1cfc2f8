#pragma once
// torch.save's format before PyTorch 1.6 (still written with
// _use_new_zipfile_serialization=False, and used by some of torchvision's
// official weights): five pickles back to back, then the raw storages.
//
//   magic number | protocol version (1001) | sys_info | the object | storage keys
//   then, per key in that list: int64 element count + the storage's bytes
#include <string>

#include "core/checkpoint/statedict.h"

namespace gce::detail {

// Throws CheckpointError with a reason (without the path).
StateDict readTorchLegacy(const std::string& path);

} // namespace gce::detail
