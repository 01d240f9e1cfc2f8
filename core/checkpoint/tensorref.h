#pragma once
// What a torch.save pickle says about a tensor, before any data is read: the
// storage it lives in and the view (offset, sizes, strides) onto it. Both the
// zip and the legacy reader turn these into tensors once the storage bytes
// are available, after checking that every view stays inside its storage.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <torch/types.h>

namespace gce::detail {

// A storage as named by a BINPERSID record: ('storage', torch.FloatStorage,
// key, location, numel[, view_metadata]).
struct StorageRef {
    std::string key;                             // "0" -> zip record "data/0"; legacy: storage key
    c10::ScalarType dtype = c10::ScalarType::Float;
    int64_t numel = 0;                           // elements in the whole storage
    // Legacy files may name a slice of a storage (view_metadata); zip files
    // always refer to the whole storage.
    int64_t viewOffset = 0;
    int64_t viewNumel = 0;
};

struct TensorRef {
    StorageRef storage;
    int64_t offset = 0;                          // in elements, relative to the storage view
    std::vector<int64_t> sizes;
    std::vector<int64_t> strides;
};

// "FloatStorage" -> Float, ... ; nullopt for storage types we do not read.
std::optional<c10::ScalarType> dtypeOfStorageType(const std::string& name);

// Bytes per element, for the dtypes checkpoints can hold.
size_t bytesPerElement(c10::ScalarType dtype);

// Checks a storage reference from the file (non-negative, no overflow, view
// inside the storage). Throws CheckpointError.
void validateStorageRef(const StorageRef& ref);

// Checks that the view stays inside the storage (view) it refers to and that
// no size computation overflows. Throws CheckpointError naming `name`.
void validateTensorRef(const std::string& name, const TensorRef& ref);

// Byte size of the whole storage (numel * element size), already validated.
size_t storageBytes(const StorageRef& ref);

// A CPU storage of `bytes` bytes, for the readers to fill.
at::Storage allocateStorage(size_t bytes);

// Storage bytes in files are little-endian; on a big-endian host they are
// swapped in place (a no-op everywhere else).
void littleEndianToHost(void* data, size_t bytes, size_t elementSize);

// The tensor `ref` describes, sharing `storage` (which holds the whole
// storage `ref.storage`). `ref` must have passed validateTensorRef.
torch::Tensor tensorOnStorage(const at::Storage& storage, const TensorRef& ref);

// "[10, 512]"
std::string formatShape(c10::IntArrayRef shape);

} // namespace gce::detail
