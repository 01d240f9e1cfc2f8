#include "core/checkpoint/tensorref.h"

#include <algorithm>
#include <utility>

#include <c10/core/CPUAllocator.h>

#include "core/errors.h"

namespace gce::detail {

namespace {

// Limits far beyond any real checkpoint that keep every size computation
// below, in int64, free of overflow.
constexpr size_t kMaxDims = 64;
constexpr int64_t kMaxElements = int64_t(1) << 48;

bool hostIsLittleEndian()
{
#if defined(__BYTE_ORDER__) && defined(__ORDER_BIG_ENDIAN__)
    return __BYTE_ORDER__ != __ORDER_BIG_ENDIAN__;
#else
    const uint16_t probe = 1;
    return *reinterpret_cast<const unsigned char*>(&probe) == 1;
#endif
}

} // namespace

std::optional<c10::ScalarType> dtypeOfStorageType(const std::string& name)
{
    static const std::pair<const char*, c10::ScalarType> kStorageTypes[] = {
        {"FloatStorage", c10::ScalarType::Float},   {"DoubleStorage", c10::ScalarType::Double},
        {"HalfStorage", c10::ScalarType::Half},     {"BFloat16Storage", c10::ScalarType::BFloat16},
        {"LongStorage", c10::ScalarType::Long},     {"IntStorage", c10::ScalarType::Int},
        {"ShortStorage", c10::ScalarType::Short},   {"CharStorage", c10::ScalarType::Char},
        {"ByteStorage", c10::ScalarType::Byte},     {"BoolStorage", c10::ScalarType::Bool},
    };
    for (const auto& [storageName, dtype] : kStorageTypes)
        if (name == storageName)
            return dtype;
    return std::nullopt;
}

size_t bytesPerElement(c10::ScalarType dtype) { return c10::elementSize(dtype); }

void validateStorageRef(const StorageRef& ref)
{
    if (ref.numel < 0 || ref.numel > kMaxElements)
        throw CheckpointError("storage \"" + ref.key + "\" has an invalid size (" +
                              std::to_string(ref.numel) + " elements)");
    if (ref.viewOffset < 0 || ref.viewNumel < 0 || ref.viewOffset > ref.numel ||
        ref.viewNumel > ref.numel - ref.viewOffset)
        throw CheckpointError("storage \"" + ref.key + "\" has a view [" +
                              std::to_string(ref.viewOffset) + ", +" +
                              std::to_string(ref.viewNumel) + ") outside its " +
                              std::to_string(ref.numel) + " elements");
}

void validateTensorRef(const std::string& name, const TensorRef& ref)
{
    const auto fail = [&](const std::string& why) {
        throw CheckpointError("tensor \"" + name + "\" " + why);
    };
    if (ref.sizes.size() != ref.strides.size())
        fail("has " + std::to_string(ref.sizes.size()) + " sizes but " +
             std::to_string(ref.strides.size()) + " strides");
    if (ref.sizes.size() > kMaxDims)
        fail("has too many dimensions (" + std::to_string(ref.sizes.size()) + ")");
    if (ref.offset < 0 || ref.offset > kMaxElements)
        fail("has an invalid storage offset " + std::to_string(ref.offset));

    // Sizes and strides are each bounded by kMaxElements (2^48) and there are
    // at most 64 of them, so the products and sums below are checked one step
    // at a time against the same bound and cannot overflow int64.
    int64_t numel = 1;
    int64_t lastIndex = ref.offset;
    for (size_t d = 0; d < ref.sizes.size(); ++d) {
        const int64_t size = ref.sizes[d];
        const int64_t stride = ref.strides[d];
        if (size < 0 || size > kMaxElements || stride < 0 || stride > kMaxElements)
            fail("has an invalid shape " + formatShape(ref.sizes) + " or stride " +
                 formatShape(ref.strides));
        if (size == 0) {
            numel = 0;
            continue;
        }
        if (numel > kMaxElements / size)
            fail("is too large " + formatShape(ref.sizes));
        numel *= size;
        if (stride != 0 && size - 1 > (kMaxElements - lastIndex) / stride)
            fail("reaches beyond any storage (shape " + formatShape(ref.sizes) + ", stride " +
                 formatShape(ref.strides) + ")");
        lastIndex += (size - 1) * stride;
    }
    if (numel > 0 && lastIndex >= ref.storage.viewNumel)
        fail("reads element " + std::to_string(lastIndex) + " of storage \"" + ref.storage.key +
             "\", which has only " + std::to_string(ref.storage.viewNumel));
}

size_t storageBytes(const StorageRef& ref)
{
    return static_cast<size_t>(ref.numel) * bytesPerElement(ref.dtype);
}

at::Storage allocateStorage(size_t bytes)
{
    return at::Storage(at::Storage::use_byte_size_t(), bytes, c10::GetCPUAllocator(),
                       /*resizable=*/false);
}

void littleEndianToHost(void* data, size_t bytes, size_t elementSize)
{
    if (hostIsLittleEndian() || elementSize <= 1)
        return;
    auto* p = static_cast<unsigned char*>(data);
    for (size_t i = 0; i + elementSize <= bytes; i += elementSize)
        std::reverse(p + i, p + i + elementSize);
}

torch::Tensor tensorOnStorage(const at::Storage& storage, const TensorRef& ref)
{
    auto tensor = at::empty({0}, at::TensorOptions().dtype(ref.storage.dtype));
    tensor.set_(storage, ref.storage.viewOffset + ref.offset, ref.sizes, ref.strides);
    return tensor;
}

std::string formatShape(c10::IntArrayRef shape)
{
    std::string text = "[";
    for (size_t i = 0; i < shape.size(); ++i) {
        if (i)
            text += ", ";
        text += std::to_string(shape[i]);
    }
    return text + "]";
}

} // namespace gce::detail
