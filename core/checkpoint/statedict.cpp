#include "core/checkpoint/statedict.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <new>
#include <system_error>
#include <unordered_map>

#include <torch/nn/module.h>

#include "core/checkpoint/safetensorsreader.h"
#include "core/checkpoint/tensorref.h"
#include "core/checkpoint/torchlegacyreader.h"
#include "core/checkpoint/torchzipreader.h"
#include "core/errors.h"

namespace gce {

namespace {

enum class Format { TorchZip, TorchLegacy, Safetensors };

// Enough of the file to tell the formats (and text) apart.
constexpr size_t kHeadBytes = 64;

// Messages are shown on one line (CLI, status bar). Reasons from LibTorch,
// file names and names quoted from a hostile file may hold line breaks or
// terminal control characters.
std::string oneLine(std::string text)
{
    std::replace_if(
        text.begin(), text.end(),
        [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }, ' ');
    return text;
}

bool looksLikeText(const std::string& head)
{
    return std::all_of(head.begin(), head.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u >= 0x20 || u == '\n' || u == '\r' || u == '\t';
    });
}

// The format from the first bytes; the file name's extension is not trusted
// (.pt, .pth, .bin and .ckpt are all used for every format).
Format detectFormat(const std::string& path)
{
    std::error_code error;
    const auto status = std::filesystem::status(path, error);
    if (!std::filesystem::exists(status))
        throw CheckpointError("the file does not exist");
    if (std::filesystem::is_directory(status))
        throw CheckpointError("it is a directory, not a file");
    const uint64_t size = std::filesystem::file_size(path, error);
    std::ifstream in(path, std::ios::binary);
    if (error || !in)
        throw CheckpointError("the file cannot be opened");
    if (size == 0)
        throw CheckpointError("the file is empty");

    std::string head(std::min<uint64_t>(size, kHeadBytes), '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<size_t>(in.gcount()));

    if (head.compare(0, 4, "PK\x03\x04") == 0 || head.compare(0, 4, "PK\x05\x06") == 0)
        return Format::TorchZip;
    // Pickle protocol 2 (PROTO 2), which the legacy format always starts with.
    if (head.compare(0, 2, "\x80\x02") == 0)
        return Format::TorchLegacy;
    if (detail::looksLikeSafetensors(head, size))
        return Format::Safetensors;
    if (looksLikeText(head))
        throw CheckpointError("unrecognized format: it is a text file, not weights (an HTML page or a "
                              "Git LFS pointer instead of the real download?)");
    throw CheckpointError("unrecognized format: not a PyTorch (.pth/.pt) or safetensors file");
}

bool startsWith(const std::string& text, const std::string& prefix)
{
    return text.compare(0, prefix.size(), prefix) == 0;
}

bool endsWith(const std::string& text, const std::string& suffix)
{
    return text.size() >= suffix.size() &&
           text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string andMore(size_t count)
{
    return count > 1 ? " (and " + std::to_string(count - 1) + " more)" : std::string();
}

} // namespace

const torch::Tensor* StateDict::find(const std::string& name) const
{
    for (const auto& [entryName, tensor] : entries)
        if (entryName == name)
            return &tensor;
    return nullptr;
}

StateDict readCheckpoint(const std::string& path)
{
    const std::string prefix = "cannot read checkpoint \"" + path + "\": ";
    try {
        switch (detectFormat(path)) {
        case Format::TorchZip: return detail::readTorchZip(path);
        case Format::TorchLegacy: return detail::readTorchLegacy(path);
        case Format::Safetensors: return detail::readSafetensors(path);
        }
        throw CheckpointError("unrecognized format");
    } catch (const CheckpointError& e) {
        throw CheckpointError(oneLine(prefix + e.what()));
    } catch (const c10::Error& e) {
        throw CheckpointError(oneLine(prefix + e.what_without_backtrace()));
    } catch (const std::bad_alloc&) {
        throw CheckpointError(oneLine(prefix + "not enough memory"));
    } catch (const std::exception& e) {
        throw CheckpointError(oneLine(prefix + e.what()));
    }
}

void loadStateDict(torch::nn::Module& module, const StateDict& dict)
{
    // DataParallel saves every key as "module.<name>".
    const std::string kDataParallelPrefix = "module.";
    const bool stripPrefix =
        !dict.entries.empty() && std::all_of(dict.entries.begin(), dict.entries.end(), [&](const auto& e) {
            return startsWith(e.first, kDataParallelPrefix);
        });

    struct Slot {
        std::string name;
        torch::Tensor target;
        const torch::Tensor* source = nullptr;
    };
    std::vector<Slot> slots;
    for (const auto& item : module.named_parameters(/*recurse=*/true))
        if (item.value().defined())
            slots.push_back({item.key(), item.value()});
    for (const auto& item : module.named_buffers(/*recurse=*/true))
        if (item.value().defined())
            slots.push_back({item.key(), item.value()});
    std::unordered_map<std::string, size_t> slotOf;
    for (size_t i = 0; i < slots.size(); ++i)
        slotOf.emplace(slots[i].name, i);

    // Everything is checked before anything is copied, so a checkpoint that
    // does not fit leaves the model as it was.
    std::vector<std::string> unexpected;
    std::string firstMismatch;
    size_t mismatches = 0;
    for (const auto& [fileName, tensor] : dict.entries) {
        const std::string name = stripPrefix ? fileName.substr(kDataParallelPrefix.size()) : fileName;
        const auto it = slotOf.find(name);
        if (it == slotOf.end()) {
            unexpected.push_back(fileName);
            continue;
        }
        Slot& slot = slots[it->second];
        if (slot.source)
            throw CheckpointError("checkpoint does not fit the model: key \"" + fileName +
                                  "\" appears twice");
        slot.source = &tensor;
        if (!tensor.defined() || tensor.sizes() != slot.target.sizes()) {
            if (mismatches++ == 0)
                firstMismatch = "shape mismatch for \"" + fileName + "\": file has " +
                                (tensor.defined() ? detail::formatShape(tensor.sizes()) : "no data") +
                                ", model expects " + detail::formatShape(slot.target.sizes());
        }
    }

    // BatchNorm's step counter is absent from checkpoints saved before
    // PyTorch 0.4.1 (e.g. older official weights); PyTorch's own loader
    // accepts them and resets the counter, and it plays no part in inference.
    const auto optional = [](const std::string& name) {
        return name == "num_batches_tracked" || endsWith(name, ".num_batches_tracked");
    };
    std::vector<std::string> missing;
    for (const Slot& slot : slots)
        if (!slot.source && !optional(slot.name))
            missing.push_back(slot.name);

    const std::string kDoesNotFit = "checkpoint does not fit the model: ";
    if (!missing.empty())
        throw CheckpointError(oneLine(kDoesNotFit + "missing key \"" + missing.front() + "\"" +
                                      andMore(missing.size())));
    if (!unexpected.empty())
        throw CheckpointError(oneLine(kDoesNotFit + "unexpected key \"" + unexpected.front() + "\"" +
                                      andMore(unexpected.size())));
    if (mismatches > 0)
        throw CheckpointError(oneLine(kDoesNotFit + firstMismatch + andMore(mismatches)));

    torch::NoGradGuard noGrad;
    for (Slot& slot : slots) {
        if (slot.source)
            slot.target.copy_(*slot.source); // converts dtype, e.g. float16 files into float32 models
        else
            slot.target.zero_();
    }
}

} // namespace gce
