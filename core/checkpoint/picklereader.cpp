#include "core/checkpoint/picklereader.h"

#include <cstdio>
#include <cstring>
#include <optional>

#include "core/errors.h"

namespace gce::detail {

namespace {

using Kind = PickleValue::Kind;

// A state dict pickle takes about 20 opcodes per tensor; this allows 200000
// tensors while bounding what a hostile pickle can make us allocate (every
// value, memo slot and stack slot comes from one opcode).
constexpr uint64_t kMaxSteps = 4'000'000;
// GLOBAL names a module and an attribute on two text lines.
constexpr size_t kMaxGlobalLine = 256;

// The opcodes of pickle protocols 2 to 4 that torch.save (and pickle with a
// higher pickle_protocol) uses for a state dict; anything else is refused.
namespace op {
constexpr uint8_t kProto = 0x80, kFrame = 0x95, kStop = '.', kMark = '(';
constexpr uint8_t kEmptyDict = '}', kEmptyList = ']', kEmptyTuple = ')';
constexpr uint8_t kTuple = 't', kTuple1 = 0x85, kTuple2 = 0x86, kTuple3 = 0x87;
constexpr uint8_t kBinUnicode = 'X', kShortBinUnicode = 0x8c, kBinUnicode8 = 0x8d;
constexpr uint8_t kBinString = 'T', kShortBinString = 'U';
constexpr uint8_t kBinInt = 'J', kBinInt1 = 'K', kBinInt2 = 'M', kLong1 = 0x8a;
constexpr uint8_t kNone = 'N', kNewTrue = 0x88, kNewFalse = 0x89, kBinFloat = 'G';
constexpr uint8_t kGlobal = 'c', kStackGlobal = 0x93, kReduce = 'R', kBuild = 'b';
constexpr uint8_t kBinPut = 'q', kLongBinPut = 'r', kMemoize = 0x94;
constexpr uint8_t kBinGet = 'h', kLongBinGet = 'j';
constexpr uint8_t kSetItem = 's', kSetItems = 'u', kAppend = 'a', kAppends = 'e';
constexpr uint8_t kBinPersId = 'Q';
} // namespace op

// The identity of a dict key for replacing repeated keys; only the hashable
// scalars state dicts use are tracked (other keys are simply appended).
std::optional<std::string> dictKeyIdentity(const PickleValue& key)
{
    switch (key.kind) {
    case Kind::String: return "s" + key.text;
    case Kind::Int: return "i" + std::to_string(key.integer);
    case Kind::Bool: return key.boolean ? "b1" : "b0";
    case Kind::None: return "n";
    default: return std::nullopt;
    }
}

} // namespace

const PickleValue* dictValue(const PickleValue& dict, const std::string& key)
{
    for (const auto& [k, v] : dict.dict)
        if (k->kind == Kind::String && k->text == key)
            return v;
    return nullptr;
}

const char* kindName(PickleValue::Kind kind)
{
    switch (kind) {
    case Kind::None: return "None";
    case Kind::Bool: return "bool";
    case Kind::Int:
    case Kind::BigInt: return "int";
    case Kind::Float: return "float";
    case Kind::String: return "str";
    case Kind::Tuple: return "tuple";
    case Kind::List: return "list";
    case Kind::Dict: return "dict";
    case Kind::Global: return "global";
    case Kind::Storage: return "storage";
    case Kind::Tensor: return "tensor";
    }
    return "?";
}

PickleReader::PickleReader(std::istream& in, uint64_t available) : m_in(in), m_available(available) {}

PickleReader::~PickleReader() = default;

const PickleValue& PickleReader::load()
{
    if (!m_result)
        while (step()) {
        }
    return *m_result;
}

bool PickleReader::step()
{
    if (++m_steps > kMaxSteps)
        fail("too many operations (more than " + std::to_string(kMaxSteps) + ")");
    m_opcodeOffset = m_offset;
    const uint8_t code = readU8();
    switch (code) {
    case op::kProto: {
        const uint8_t protocol = readU8();
        if (protocol < 2 || protocol > 5)
            fail("unsupported pickle protocol " + std::to_string(protocol));
        break;
    }
    case op::kFrame: {
        // Protocol 4 frames only announce how much follows; the opcodes
        // inside are read as usual.
        const uint64_t length = readLittleEndian(8);
        if (length > m_available - m_offset)
            fail("frame of " + std::to_string(length) + " bytes runs past the end");
        break;
    }
    case op::kStop:
        m_result = pop();
        return false;
    case op::kMark:
        m_marks.push_back(m_stack.size());
        break;
    case op::kEmptyDict: push(make(Kind::Dict)); break;
    case op::kEmptyList: push(make(Kind::List)); break;
    case op::kEmptyTuple: push(make(Kind::Tuple)); break;
    case op::kTuple: {
        auto items = popMark();
        PickleValue* tuple = make(Kind::Tuple);
        tuple->items = std::move(items);
        push(tuple);
        break;
    }
    case op::kTuple1:
    case op::kTuple2:
    case op::kTuple3: {
        const size_t count = code - op::kTuple1 + 1;
        std::vector<PickleValue*> items(count);
        for (size_t i = count; i-- > 0;)
            items[i] = pop();
        PickleValue* tuple = make(Kind::Tuple);
        tuple->items = std::move(items);
        push(tuple);
        break;
    }
    case op::kBinUnicode:
    case op::kShortBinUnicode:
    case op::kBinUnicode8:
    case op::kBinString:
    case op::kShortBinString: {
        uint64_t length = 0;
        if (code == op::kShortBinUnicode || code == op::kShortBinString)
            length = readU8();
        else if (code == op::kBinUnicode8)
            length = readLittleEndian(8);
        else if (code == op::kBinString) {
            const auto signedLength = static_cast<int32_t>(readLittleEndian(4));
            if (signedLength < 0)
                fail("negative string length");
            length = static_cast<uint64_t>(signedLength);
        } else
            length = readLittleEndian(4);
        PickleValue* string = make(Kind::String);
        string->text = readString(length);
        push(string);
        break;
    }
    case op::kBinInt:
    case op::kBinInt1:
    case op::kBinInt2: {
        PickleValue* integer = make(Kind::Int);
        if (code == op::kBinInt)
            integer->integer = static_cast<int32_t>(readLittleEndian(4));
        else
            integer->integer = static_cast<int64_t>(readLittleEndian(code == op::kBinInt1 ? 1 : 2));
        push(integer);
        break;
    }
    case op::kLong1: {
        const uint8_t length = readU8();
        const std::string bytes = readString(length);
        PickleValue* integer = nullptr;
        if (length <= 8) {
            integer = make(Kind::Int);
            uint64_t value = 0;
            for (size_t i = 0; i < length; ++i)
                value |= uint64_t(static_cast<uint8_t>(bytes[i])) << (8 * i);
            // Sign-extend from the top byte written.
            if (length > 0 && length < 8 && (static_cast<uint8_t>(bytes[length - 1]) & 0x80))
                value |= ~uint64_t(0) << (8 * length);
            integer->integer = static_cast<int64_t>(value);
        } else {
            integer = make(Kind::BigInt);
            integer->text = bytes;
        }
        push(integer);
        break;
    }
    case op::kNone: push(make(Kind::None)); break;
    case op::kNewTrue:
    case op::kNewFalse: {
        PickleValue* boolean = make(Kind::Bool);
        boolean->boolean = code == op::kNewTrue;
        push(boolean);
        break;
    }
    case op::kBinFloat: {
        // The only big-endian field of the format.
        uint8_t bytes[8];
        readBytes(bytes, sizeof bytes);
        uint64_t bits = 0;
        for (uint8_t byte : bytes)
            bits = (bits << 8) | byte;
        PickleValue* real = make(Kind::Float);
        std::memcpy(&real->real, &bits, sizeof bits);
        push(real);
        break;
    }
    case op::kGlobal: {
        const std::string module = readLine();
        const std::string name = readLine();
        loadGlobal(module, name);
        break;
    }
    case op::kStackGlobal: {
        PickleValue* name = pop();
        PickleValue* module = pop();
        if (module->kind != Kind::String || name->kind != Kind::String)
            fail("STACK_GLOBAL needs two strings");
        loadGlobal(module->text, name->text);
        break;
    }
    case op::kReduce: reduce(); break;
    case op::kBuild: build(); break;
    case op::kBinPut: memoPut(readU8()); break;
    case op::kLongBinPut: memoPut(readLittleEndian(4)); break;
    case op::kMemoize: memoPut(m_memo.size()); break;
    case op::kBinGet: push(memoGet(readU8())); break;
    case op::kLongBinGet: push(memoGet(readLittleEndian(4))); break;
    case op::kSetItem: {
        PickleValue* value = pop();
        PickleValue* key = pop();
        setItems(top(), {key, value});
        break;
    }
    case op::kSetItems: {
        const auto keysAndValues = popMark();
        setItems(top(), keysAndValues);
        break;
    }
    case op::kAppend: {
        PickleValue* item = pop();
        PickleValue* list = top();
        if (list->kind != Kind::List)
            fail(std::string("APPEND to a ") + kindName(list->kind));
        list->items.push_back(item);
        break;
    }
    case op::kAppends: {
        auto items = popMark();
        PickleValue* list = top();
        if (list->kind != Kind::List)
            fail(std::string("APPENDS to a ") + kindName(list->kind));
        list->items.insert(list->items.end(), items.begin(), items.end());
        break;
    }
    case op::kBinPersId: persistentLoad(); break;
    default: {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02x", code);
        fail(std::string("unsupported pickle opcode ") + hex);
    }
    }
    return true;
}

PickleValue* PickleReader::make(Kind kind)
{
    m_arena.push_back(std::make_unique<PickleValue>());
    m_arena.back()->kind = kind;
    return m_arena.back().get();
}

PickleValue* PickleReader::top()
{
    // Items below the innermost MARK belong to an enclosing construction and
    // are out of reach, as in Python's unpickler.
    const size_t floor = m_marks.empty() ? 0 : m_marks.back();
    if (m_stack.size() <= floor)
        fail("stack underflow");
    return m_stack.back();
}

PickleValue* PickleReader::pop()
{
    PickleValue* value = top();
    m_stack.pop_back();
    return value;
}

void PickleReader::push(PickleValue* value) { m_stack.push_back(value); }

std::vector<PickleValue*> PickleReader::popMark()
{
    if (m_marks.empty())
        fail("no MARK to collect items from");
    const size_t mark = m_marks.back();
    m_marks.pop_back();
    std::vector<PickleValue*> items(m_stack.begin() + static_cast<std::ptrdiff_t>(mark), m_stack.end());
    m_stack.resize(mark);
    return items;
}

void PickleReader::memoPut(uint64_t index) { m_memo[index] = top(); }

PickleValue* PickleReader::memoGet(uint64_t index)
{
    const auto it = m_memo.find(index);
    if (it == m_memo.end())
        fail("memo entry " + std::to_string(index) + " is used but was never stored");
    return it->second;
}

void PickleReader::setItems(PickleValue* dict, const std::vector<PickleValue*>& keysAndValues)
{
    if (dict->kind != Kind::Dict)
        fail(std::string("SETITEM on a ") + kindName(dict->kind));
    if (keysAndValues.size() % 2 != 0)
        fail("SETITEMS with an odd number of items");
    auto& index = m_dictIndex[dict];
    for (size_t i = 0; i < keysAndValues.size(); i += 2) {
        PickleValue* key = keysAndValues[i];
        PickleValue* value = keysAndValues[i + 1];
        const auto identity = dictKeyIdentity(*key);
        if (identity) {
            const auto found = index.find(*identity);
            if (found != index.end()) {
                dict->dict[found->second].second = value;
                continue;
            }
            index.emplace(*identity, dict->dict.size());
        }
        dict->dict.emplace_back(key, value);
    }
}

void PickleReader::need(uint64_t bytes)
{
    if (bytes > m_available - m_offset)
        fail("the pickle is truncated (needs " + std::to_string(bytes) + " more bytes, " +
             std::to_string(m_available - m_offset) + " left)");
}

void PickleReader::readBytes(void* dst, size_t bytes)
{
    need(bytes);
    m_in.read(static_cast<char*>(dst), static_cast<std::streamsize>(bytes));
    if (static_cast<size_t>(m_in.gcount()) != bytes)
        fail("the file is truncated");
    m_offset += bytes;
}

uint8_t PickleReader::readU8()
{
    uint8_t byte = 0;
    readBytes(&byte, 1);
    return byte;
}

uint64_t PickleReader::readLittleEndian(int bytes)
{
    uint8_t buffer[8] = {};
    readBytes(buffer, static_cast<size_t>(bytes));
    uint64_t value = 0;
    for (int i = bytes; i-- > 0;)
        value = (value << 8) | buffer[i];
    return value;
}

std::string PickleReader::readString(uint64_t length)
{
    need(length); // before allocating: the length comes from the file
    std::string text(static_cast<size_t>(length), '\0');
    readBytes(text.data(), text.size());
    return text;
}

std::string PickleReader::readLine()
{
    std::string line;
    for (;;) {
        const char c = static_cast<char>(readU8());
        if (c == '\n')
            return line;
        if (line.size() >= kMaxGlobalLine)
            fail("GLOBAL name is too long");
        line += c;
    }
}

void PickleReader::fail(const std::string& why) const
{
    throw CheckpointError("malformed pickle: " + why + " (at byte " + std::to_string(m_opcodeOffset) +
                          ")");
}

std::vector<TensorEntry> findStateDict(const PickleValue& root)
{
    if (root.kind != Kind::Dict)
        throw CheckpointError(std::string("the file holds a ") + kindName(root.kind) +
                              ", not a state dict");

    // `_metadata` is what torch.save keeps of state_dict()'s attribute when a
    // state dict went through dict(); it carries no tensors.
    const auto isMetadata = [](const PickleValue* key) {
        return key->kind == Kind::String && key->text == "_metadata";
    };
    const auto firstNonTensor = [&](const PickleValue& dict) -> const PickleValue* {
        for (const auto& [key, value] : dict.dict)
            if (!isMetadata(key) && (key->kind != Kind::String || value->kind != Kind::Tensor))
                return key;
        return nullptr;
    };
    const auto entriesOf = [&](const PickleValue& dict) {
        std::vector<TensorEntry> entries;
        entries.reserve(dict.dict.size());
        for (const auto& [key, value] : dict.dict) {
            if (isMetadata(key))
                continue;
            validateTensorRef(key->text, *value->tensor);
            entries.push_back({key->text, *value->tensor});
        }
        return entries;
    };

    const PickleValue* offending = firstNonTensor(root);
    if (!offending)
        return entriesOf(root);
    // Training checkpoints keep the weights next to epochs, optimizer state, ...
    for (const char* key : {"state_dict", "model_state_dict", "model"}) {
        const PickleValue* nested = dictValue(root, key);
        if (nested && nested->kind == Kind::Dict && !firstNonTensor(*nested))
            return entriesOf(*nested);
    }
    const std::string keyText = offending->kind == Kind::String
                                    ? "\"" + offending->text + "\""
                                    : std::string("of type ") + kindName(offending->kind);
    throw CheckpointError("no state dict found: the top-level entry " + keyText +
                          " is not a tensor, and there is no \"state_dict\" or \"model\" dict of "
                          "tensors");
}

} // namespace gce::detail
