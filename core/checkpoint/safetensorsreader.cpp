#include "core/checkpoint/safetensorsreader.h"

#include <filesystem>
#include <fstream>
#include <optional>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/checkpoint/tensorref.h"
#include "core/errors.h"

namespace gce::detail {

namespace {

// The safetensors specification caps the header at 100 MB.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;
constexpr size_t kMaxDims = 64;
constexpr uint64_t kMaxElements = uint64_t(1) << 48;

std::optional<c10::ScalarType> dtypeOfName(const std::string& name)
{
    static const std::pair<const char*, c10::ScalarType> kDtypes[] = {
        {"F32", c10::ScalarType::Float},  {"F64", c10::ScalarType::Double},
        {"F16", c10::ScalarType::Half},   {"BF16", c10::ScalarType::BFloat16},
        {"I64", c10::ScalarType::Long},   {"I32", c10::ScalarType::Int},
        {"I16", c10::ScalarType::Short},  {"I8", c10::ScalarType::Char},
        {"U8", c10::ScalarType::Byte},    {"BOOL", c10::ScalarType::Bool},
    };
    for (const auto& [dtypeName, dtype] : kDtypes)
        if (name == dtypeName)
            return dtype;
    return std::nullopt;
}

uint64_t littleEndian64(const char* bytes)
{
    uint64_t value = 0;
    for (int i = 8; i-- > 0;)
        value = (value << 8) | static_cast<uint8_t>(bytes[i]);
    return value;
}

// One header entry, checked against the size of the data section.
struct Entry {
    std::string name;
    c10::ScalarType dtype;
    std::vector<int64_t> shape;
    uint64_t begin = 0;
    uint64_t bytes = 0;
};

Entry parseEntry(const std::string& name, const nlohmann::ordered_json& info, uint64_t dataSize)
{
    const auto fail = [&](const std::string& why) -> void {
        throw CheckpointError("safetensors entry \"" + name + "\" " + why);
    };
    if (!info.is_object())
        fail("is not an object");
    const auto dtypeIt = info.find("dtype");
    const auto shapeIt = info.find("shape");
    const auto offsetsIt = info.find("data_offsets");
    if (dtypeIt == info.end() || !dtypeIt->is_string() || shapeIt == info.end() ||
        !shapeIt->is_array() || offsetsIt == info.end() || !offsetsIt->is_array())
        fail("lacks dtype, shape or data_offsets");

    Entry entry;
    entry.name = name;
    const auto dtype = dtypeOfName(dtypeIt->get<std::string>());
    if (!dtype)
        fail("has an unsupported dtype " + dtypeIt->get<std::string>());
    entry.dtype = *dtype;

    if (shapeIt->size() > kMaxDims)
        fail("has too many dimensions");
    uint64_t numel = 1;
    for (const auto& dim : *shapeIt) {
        if (!dim.is_number_unsigned() || dim.get<uint64_t>() > kMaxElements)
            fail("has an invalid shape " + shapeIt->dump());
        const uint64_t size = dim.get<uint64_t>();
        // Checked before multiplying: two sides of 2^40 would wrap to 0.
        if (size != 0 && numel > kMaxElements / size)
            fail("is too large " + shapeIt->dump());
        numel *= size;
        entry.shape.push_back(static_cast<int64_t>(size));
    }

    if (offsetsIt->size() != 2 || !(*offsetsIt)[0].is_number_unsigned() ||
        !(*offsetsIt)[1].is_number_unsigned())
        fail("has invalid data_offsets " + offsetsIt->dump());
    const uint64_t begin = (*offsetsIt)[0].get<uint64_t>();
    const uint64_t end = (*offsetsIt)[1].get<uint64_t>();
    if (begin > end || end > dataSize)
        fail("has data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
             "] outside the " + std::to_string(dataSize) + " bytes of data (is the file truncated?)");
    entry.begin = begin;
    entry.bytes = numel * bytesPerElement(entry.dtype);
    if (end - begin != entry.bytes)
        fail("has " + std::to_string(end - begin) + " bytes of data, but shape " + shapeIt->dump() +
             " of " + dtypeIt->get<std::string>() + " needs " + std::to_string(entry.bytes));
    return entry;
}

} // namespace

bool looksLikeSafetensors(const std::string& head, uint64_t fileSize)
{
    if (head.size() < 9 || fileSize < 9)
        return false;
    // A plausible header length (so that text starting with "{" after eight
    // characters is not taken for one); whether the file is long enough is
    // for the reader to report, as truncation.
    const uint64_t headerBytes = littleEndian64(head.data());
    return headerBytes >= 2 && headerBytes <= kMaxHeaderBytes && head[8] == '{';
}

StateDict readSafetensors(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw CheckpointError("cannot open the file");
    const uint64_t fileSize = std::filesystem::file_size(path);

    char lengthBytes[8];
    if (fileSize < 8 || !in.read(lengthBytes, sizeof lengthBytes))
        throw CheckpointError("the safetensors file is truncated (no header length)");
    const uint64_t headerBytes = littleEndian64(lengthBytes);
    if (headerBytes > fileSize - 8)
        throw CheckpointError("the safetensors file is truncated (header of " +
                              std::to_string(headerBytes) + " bytes, file of " +
                              std::to_string(fileSize) + ")");
    if (headerBytes > kMaxHeaderBytes)
        throw CheckpointError("the safetensors header is too large");
    std::string headerText(static_cast<size_t>(headerBytes), '\0');
    if (!in.read(headerText.data(), static_cast<std::streamsize>(headerText.size())))
        throw CheckpointError("cannot read the safetensors header");

    // ordered_json keeps the header's order, which is the file's tensor order.
    const auto header = nlohmann::ordered_json::parse(headerText, nullptr, /*allow_exceptions=*/false);
    if (header.is_discarded() || !header.is_object())
        throw CheckpointError("the safetensors header is not a JSON object");

    const uint64_t dataStart = 8 + headerBytes;
    const uint64_t dataSize = fileSize - dataStart;
    std::vector<Entry> entries;
    for (const auto& [name, info] : header.items()) {
        if (name == "__metadata__")
            continue;
        entries.push_back(parseEntry(name, info, dataSize));
    }

    // Each tensor gets its own memory, read straight from the file into it.
    StateDict dict;
    dict.entries.reserve(entries.size());
    for (const Entry& entry : entries) {
        auto tensor = at::empty(entry.shape, at::TensorOptions().dtype(entry.dtype));
        if (entry.bytes > 0) {
            in.seekg(static_cast<std::streamoff>(dataStart + entry.begin));
            if (!in.read(static_cast<char*>(tensor.data_ptr()), static_cast<std::streamsize>(entry.bytes)))
                throw CheckpointError("cannot read the data of \"" + entry.name + "\"");
            littleEndianToHost(tensor.data_ptr(), entry.bytes, bytesPerElement(entry.dtype));
        }
        dict.entries.emplace_back(entry.name, std::move(tensor));
    }
    return dict;
}

} // namespace gce::detail
