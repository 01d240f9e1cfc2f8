#pragma once
// A strict interpreter for the pickle subset torch.save writes.
//
// It never imports or calls anything: GLOBAL may only name an allow-listed
// class or function (OrderedDict, torch's tensor rebuild functions, the typed
// storage classes), and REDUCE on those is interpreted here, producing plain
// values (pickleglobals.cpp). Storages named by BINPERSID are not read; they become StorageRefs
// that the zip or legacy reader resolves afterwards. Every length, index and
// stack operation from the file is checked, and the work a pickle can ask
// for is bounded, so a hostile file ends in a CheckpointError.
#include <cstdint>
#include <istream>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/checkpoint/tensorref.h"

namespace gce::detail {

// One object of the pickle. Values live in the reader's arena and refer to
// each other by plain pointers, so shared and even cyclic structures (which
// pickles can express through the memo) need no reference counting and are
// freed without recursion.
struct PickleValue {
    enum class Kind { None, Bool, Int, BigInt, Float, String, Tuple, List, Dict, Global, Storage, Tensor };

    Kind kind = Kind::None;
    bool boolean = false;
    int64_t integer = 0;
    double real = 0.0;
    // String: the text; BigInt: little-endian two's complement bytes (LONG1
    // wider than 64 bits, e.g. the legacy magic number); Global: "module.name".
    std::string text;
    std::vector<PickleValue*> items;                         // Tuple, List
    std::vector<std::pair<PickleValue*, PickleValue*>> dict; // Dict, in insertion order
    std::unique_ptr<StorageRef> storage;                     // Storage
    std::unique_ptr<TensorRef> tensor;                       // Tensor
};

const char* kindName(PickleValue::Kind kind);

// The value of a dict's string key, or null.
const PickleValue* dictValue(const PickleValue& dict, const std::string& key);

class PickleReader {
public:
    // Reads one pickle from `in`, which is positioned at its first byte and
    // may supply `available` bytes (the pickle ends at its STOP opcode).
    PickleReader(std::istream& in, uint64_t available);
    ~PickleReader();
    PickleReader(const PickleReader&) = delete;
    PickleReader& operator=(const PickleReader&) = delete;

    // Runs the pickle to STOP (on the first call) and returns the object it
    // built, owned by this reader. Throws CheckpointError.
    const PickleValue& load();

    // Bytes consumed, up to and including STOP.
    uint64_t bytesRead() const { return m_offset; }

    // Every storage the pickle referred to, by key (also those outside the
    // state dict, e.g. an optimizer's), so that readers can skip them.
    const std::map<std::string, StorageRef>& storages() const { return m_storages; }

private:
    // One interpreter step per opcode; see picklereader.cpp.
    bool step();
    PickleValue* make(PickleValue::Kind kind);
    PickleValue* pop();
    PickleValue* top();
    void push(PickleValue* value);
    std::vector<PickleValue*> popMark();
    void memoPut(uint64_t index);
    PickleValue* memoGet(uint64_t index);

    void loadGlobal(const std::string& module, const std::string& name);
    void reduce();
    void build();
    void persistentLoad();
    void setItems(PickleValue* dict, const std::vector<PickleValue*>& keysAndValues);
    PickleValue* rebuildTensor(const std::vector<PickleValue*>& args, bool v2);

    void need(uint64_t bytes);
    void readBytes(void* dst, size_t bytes);
    uint8_t readU8();
    uint64_t readLittleEndian(int bytes);
    std::string readString(uint64_t length);
    std::string readLine();
    [[noreturn]] void fail(const std::string& why) const;

    std::istream& m_in;
    uint64_t m_available;
    uint64_t m_offset = 0;
    uint64_t m_opcodeOffset = 0;
    uint64_t m_steps = 0;

    std::vector<std::unique_ptr<PickleValue>> m_arena;
    std::vector<PickleValue*> m_stack;
    std::vector<size_t> m_marks;
    std::unordered_map<uint64_t, PickleValue*> m_memo;
    // Position of simple keys (str, int, bool, None) in each dict, so that a
    // repeated key replaces its value like Python's dict does.
    std::unordered_map<const PickleValue*, std::unordered_map<std::string, size_t>> m_dictIndex;
    std::map<std::string, StorageRef> m_storages;
    PickleValue* m_result = nullptr;
};

struct TensorEntry {
    std::string name;
    TensorRef ref;
};

// The state dict in what torch.save wrote: either the object itself (a dict
// of tensors, as model.state_dict()) or the dict of tensors stored under
// "state_dict", "model_state_dict" or "model" of a training checkpoint. Throws
// CheckpointError when there is none. The entries' views are validated.
std::vector<TensorEntry> findStateDict(const PickleValue& root);

} // namespace gce::detail
