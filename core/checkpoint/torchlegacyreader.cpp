#include "core/checkpoint/torchlegacyreader.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "core/checkpoint/picklereader.h"
#include "core/checkpoint/tensorref.h"
#include "core/errors.h"

namespace gce::detail {

namespace {

using Kind = PickleValue::Kind;

// torch.serialization.MAGIC_NUMBER (0x1950a86a20f9469cfc6c) as pickle's
// LONG1 writes it: ten little-endian bytes.
const std::string kMagicNumber("\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19", 10);
constexpr int64_t kProtocolVersion = 1001;

class LegacyFile {
public:
    explicit LegacyFile(const std::string& path)
        : m_in(path, std::ios::binary), m_size(std::filesystem::file_size(path))
    {
        if (!m_in)
            throw CheckpointError("cannot open the file");
    }

    // The next pickle in the file; its values live as long as the reader.
    std::unique_ptr<PickleReader> nextPickle()
    {
        auto reader = std::make_unique<PickleReader>(m_in, m_size - m_offset);
        reader->load();
        m_offset += reader->bytesRead();
        return reader;
    }

    int64_t readInt64()
    {
        uint8_t bytes[8];
        readExactly(bytes, sizeof bytes, "a storage size");
        uint64_t value = 0;
        for (int i = 8; i-- > 0;)
            value = (value << 8) | bytes[i];
        return static_cast<int64_t>(value);
    }

    void readExactly(void* dst, uint64_t bytes, const std::string& what)
    {
        requireBytes(bytes, what);
        m_in.read(static_cast<char*>(dst), static_cast<std::streamsize>(bytes));
        if (static_cast<uint64_t>(m_in.gcount()) != bytes)
            throw CheckpointError("cannot read " + what + " from the file");
        m_offset += bytes;
    }

    void skip(uint64_t bytes, const std::string& what)
    {
        requireBytes(bytes, what);
        m_in.seekg(static_cast<std::streamoff>(bytes), std::ios::cur);
        m_offset += bytes;
    }

    void requireBytes(uint64_t bytes, const std::string& what) const
    {
        if (bytes > m_size - m_offset)
            throw CheckpointError("the file is truncated: " + what + " needs " + std::to_string(bytes) +
                                  " bytes, only " + std::to_string(m_size - m_offset) + " are left");
    }

private:
    std::ifstream m_in;
    uint64_t m_size;
    uint64_t m_offset = 0;
};

} // namespace

StateDict readTorchLegacy(const std::string& path)
{
    LegacyFile file(path);

    const auto magicPickle = file.nextPickle();
    const PickleValue& magic = magicPickle->load();
    if (magic.kind != Kind::BigInt || magic.text != kMagicNumber)
        throw CheckpointError("a pickle without torch.save's magic number: not a PyTorch checkpoint");

    const auto protocolPickle = file.nextPickle();
    const PickleValue& protocol = protocolPickle->load();
    if (protocol.kind != Kind::Int || protocol.integer != kProtocolVersion)
        throw CheckpointError("unsupported legacy torch.save protocol version");

    const auto sysInfoPickle = file.nextPickle();
    const PickleValue& sysInfo = sysInfoPickle->load();
    if (sysInfo.kind != Kind::Dict)
        throw CheckpointError("malformed legacy checkpoint: no sys_info record");
    const PickleValue* littleEndian = dictValue(sysInfo, "little_endian");
    if (littleEndian && littleEndian->kind == Kind::Bool && !littleEndian->boolean)
        throw CheckpointError("the file was written on a big-endian machine, which is not supported");

    const auto mainPickle = file.nextPickle();
    const std::vector<TensorEntry> entries = findStateDict(mainPickle->load());

    const auto keysPickle = file.nextPickle();
    const PickleValue& keys = keysPickle->load();
    if (keys.kind != Kind::List)
        throw CheckpointError("malformed legacy checkpoint: the storage key list is a " +
                              std::string(kindName(keys.kind)));

    std::set<std::string> needed;
    for (const TensorEntry& entry : entries)
        needed.insert(entry.ref.storage.key);

    // The storages follow in the order of the key list. Only those of the
    // state dict are read; others (e.g. an optimizer's) are skipped.
    std::map<std::string, at::Storage> storages;
    std::set<std::string> seen;
    for (const PickleValue* keyValue : keys.items) {
        if (keyValue->kind != Kind::String)
            throw CheckpointError("malformed legacy checkpoint: a storage key is a " +
                                  std::string(kindName(keyValue->kind)));
        const std::string& key = keyValue->text;
        if (!seen.insert(key).second)
            throw CheckpointError("storage \"" + key + "\" is listed twice");
        const auto declared = mainPickle->storages().find(key);
        if (declared == mainPickle->storages().end())
            throw CheckpointError("storage \"" + key + "\" is in the file but no tensor refers to it");
        const StorageRef& ref = declared->second;
        const std::string what = "storage \"" + key + "\"";
        const int64_t count = file.readInt64();
        if (count != ref.numel)
            throw CheckpointError(what + " holds " + std::to_string(count) +
                                  " elements, but the pickle declares " + std::to_string(ref.numel));
        const size_t bytes = storageBytes(ref);
        if (!needed.count(key)) {
            file.skip(bytes, what);
            continue;
        }
        // The size comes from the file: a short file must not make us
        // allocate what it claims (up to 2^48 elements) before reading fails.
        file.requireBytes(bytes, what);
        at::Storage storage = allocateStorage(bytes);
        file.readExactly(storage.data_ptr().get(), bytes, what);
        littleEndianToHost(storage.data_ptr().get(), bytes, bytesPerElement(ref.dtype));
        storages.emplace(key, std::move(storage));
    }

    StateDict dict;
    dict.entries.reserve(entries.size());
    for (const TensorEntry& entry : entries) {
        const auto it = storages.find(entry.ref.storage.key);
        if (it == storages.end())
            throw CheckpointError("tensor \"" + entry.name + "\" refers to storage \"" +
                                  entry.ref.storage.key + "\", which is missing from the file");
        dict.entries.emplace_back(entry.name, tensorOnStorage(it->second, entry.ref));
    }
    return dict;
}

} // namespace gce::detail
