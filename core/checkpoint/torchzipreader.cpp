#include "core/checkpoint/torchzipreader.h"

#include <map>
#include <memory>
#include <sstream>

#include <caffe2/serialize/inline_container.h>

#include "core/checkpoint/picklereader.h"
#include "core/checkpoint/tensorref.h"
#include "core/errors.h"

namespace gce::detail {

namespace {

using caffe2::serialize::PyTorchStreamReader;

std::string firstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

std::string recordText(PyTorchStreamReader& archive, const std::string& name)
{
    const auto [data, size] = archive.getRecord(name);
    return std::string(static_cast<const char*>(data.get()), size);
}

// The bytes of one storage record, adopted by an at::Storage without a copy
// (the stream reader allocates them with LibTorch's CPU allocator).
at::Storage readStorage(PyTorchStreamReader& archive, const StorageRef& ref, const std::string& tensorName)
{
    const std::string record = "data/" + ref.key;
    if (!archive.hasRecord(record))
        throw CheckpointError("tensor \"" + tensorName + "\" refers to storage record " + record +
                              ", which is missing from the archive");
    auto [data, size] = archive.getRecord(record);
    const size_t expected = storageBytes(ref);
    if (size != expected)
        throw CheckpointError("storage record " + record + " has " + std::to_string(size) +
                              " bytes, but the pickle declares " + std::to_string(ref.numel) + " " +
                              c10::toString(ref.dtype) + " elements (" + std::to_string(expected) +
                              " bytes)");
    littleEndianToHost(data.get(), size, bytesPerElement(ref.dtype));
    return at::Storage(at::Storage::use_byte_size_t(), size, std::move(data), /*allocator=*/nullptr,
                       /*resizable=*/false);
}

} // namespace

StateDict readTorchZip(const std::string& path)
{
    std::unique_ptr<PyTorchStreamReader> archive;
    try {
        archive = std::make_unique<PyTorchStreamReader>(path);
    } catch (const c10::Error& e) {
        throw CheckpointError("the zip archive is truncated or corrupted (" +
                              firstLine(e.what_without_backtrace()) + ")");
    }

    // TorchScript archives have a data.pkl too, but of scripted modules.
    if (archive->hasRecord("constants.pkl"))
        throw CheckpointError("this is a TorchScript archive (torch.jit.save), not a state dict "
                              "saved with torch.save(model.state_dict(), path)");
    if (!archive->hasRecord("data.pkl"))
        throw CheckpointError("the zip archive has no data.pkl: not a torch.save checkpoint");
    // PyTorch >= 2.1 records the byte order of the storages.
    if (archive->hasRecord("byteorder") && recordText(*archive, "byteorder") != "little")
        throw CheckpointError("the storages are big-endian, which is not supported");

    const std::string pickle = recordText(*archive, "data.pkl");
    std::istringstream pickleStream(pickle);
    PickleReader reader(pickleStream, pickle.size());
    const std::vector<TensorEntry> entries = findStateDict(reader.load());

    // Tensors that share a storage (views, tied weights) share it here too.
    std::map<std::string, at::Storage> storages;
    StateDict dict;
    dict.entries.reserve(entries.size());
    for (const TensorEntry& entry : entries) {
        auto it = storages.find(entry.ref.storage.key);
        if (it == storages.end())
            it = storages.emplace(entry.ref.storage.key, readStorage(*archive, entry.ref.storage, entry.name))
                     .first;
        dict.entries.emplace_back(entry.name, tensorOnStorage(it->second, entry.ref));
    }
    return dict;
}

} // namespace gce::detail
