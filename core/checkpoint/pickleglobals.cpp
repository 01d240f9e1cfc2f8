// The globals a weights pickle may name, and what calling them means: the
// pickle machine (picklereader.cpp) hands GLOBAL, REDUCE, BUILD and
// BINPERSID here, where torch's tensor rebuild functions, OrderedDict and the
// typed storages are interpreted without importing or calling anything.
#include <optional>
#include <string_view>

#include "core/checkpoint/picklereader.h"
#include "core/errors.h"

namespace gce::detail {

namespace {

using Kind = PickleValue::Kind;

constexpr const char* kOrderedDict = "collections.OrderedDict";
constexpr const char* kRebuildTensorV2 = "torch._utils._rebuild_tensor_v2";
constexpr const char* kRebuildTensor = "torch._utils._rebuild_tensor";
constexpr const char* kRebuildParameter = "torch._utils._rebuild_parameter";

// The storage class a "torch.XStorage" global names, if it is one we read.
std::optional<c10::ScalarType> storageClassDtype(const std::string& global)
{
    constexpr std::string_view kTorchPrefix = "torch.";
    if (global.compare(0, kTorchPrefix.size(), kTorchPrefix) != 0)
        return std::nullopt;
    return dtypeOfStorageType(global.substr(kTorchPrefix.size()));
}

bool isAllowedGlobal(const std::string& global)
{
    return global == kOrderedDict || global == kRebuildTensorV2 || global == kRebuildTensor ||
           global == kRebuildParameter || storageClassDtype(global).has_value();
}

} // namespace

void PickleReader::loadGlobal(const std::string& module, const std::string& name)
{
    const std::string global = module + "." + name;
    if (!isAllowedGlobal(global))
        throw CheckpointError("refusing to load " + global +
                              ": not an allowed global in a weights file (the file may run code "
                              "or hold a whole pickled object rather than a state dict)");
    PickleValue* value = make(Kind::Global);
    value->text = global;
    push(value);
}

void PickleReader::reduce()
{
    PickleValue* args = pop();
    PickleValue* callable = pop();
    if (callable->kind != Kind::Global)
        fail(std::string("REDUCE calls a ") + kindName(callable->kind));
    if (args->kind != Kind::Tuple)
        fail("REDUCE arguments are a " + std::string(kindName(args->kind)) + ", not a tuple");
    const std::string& function = callable->text;
    const auto& items = args->items;
    if (function == kOrderedDict) {
        // Python 3 pickles an OrderedDict empty and fills it with SETITEMS;
        // Python 2 (old official weights) passes the items: ([[k, v], ...],).
        const auto isSequence = [](const PickleValue* value) {
            return value->kind == Kind::List || value->kind == Kind::Tuple;
        };
        const char* kNotPairs = "OrderedDict is built from something other than a list of pairs";
        PickleValue* dict = make(Kind::Dict);
        if (items.size() > 1 || (items.size() == 1 && !isSequence(items[0])))
            fail(kNotPairs);
        if (items.size() == 1) {
            std::vector<PickleValue*> keysAndValues;
            for (const PickleValue* pair : items[0]->items) {
                if (!isSequence(pair) || pair->items.size() != 2)
                    fail(kNotPairs);
                keysAndValues.insert(keysAndValues.end(), pair->items.begin(), pair->items.end());
            }
            setItems(dict, keysAndValues);
        }
        push(dict);
    } else if (function == kRebuildTensorV2) {
        push(rebuildTensor(items, /*v2=*/true));
    } else if (function == kRebuildTensor) {
        push(rebuildTensor(items, /*v2=*/false));
    } else if (function == kRebuildParameter) {
        // (data, requires_grad, backward_hooks): a Parameter is its tensor here.
        if (items.size() != 3 || items[0]->kind != Kind::Tensor || items[1]->kind != Kind::Bool)
            fail("malformed call to " + function);
        push(items[0]);
    } else {
        fail("refusing to call " + function);
    }
}

PickleValue* PickleReader::rebuildTensor(const std::vector<PickleValue*>& args, bool v2)
{
    // v2: (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
    // v1 (PyTorch < 0.4): (storage, storage_offset, size, stride)
    const std::string function = v2 ? kRebuildTensorV2 : kRebuildTensor;
    const bool countOk = v2 ? (args.size() == 6 || args.size() == 7) : args.size() == 4;
    if (!countOk)
        fail(function + " with " + std::to_string(args.size()) + " arguments");
    const auto intTuple = [&](const PickleValue* value, const char* what) {
        if (value->kind != Kind::Tuple)
            fail(function + ": " + what + " is a " + kindName(value->kind) + ", not a tuple");
        std::vector<int64_t> numbers;
        numbers.reserve(value->items.size());
        for (const PickleValue* item : value->items) {
            if (item->kind != Kind::Int)
                fail(function + ": " + what + " holds a " + kindName(item->kind));
            numbers.push_back(item->integer);
        }
        return numbers;
    };
    if (args[0]->kind != Kind::Storage)
        fail(function + ": first argument is a " + kindName(args[0]->kind) + ", not a storage");
    if (args[1]->kind != Kind::Int)
        fail(function + ": storage offset is a " + kindName(args[1]->kind));
    if (v2) {
        if (args[4]->kind != Kind::Bool)
            fail(function + ": requires_grad is a " + kindName(args[4]->kind));
        // Backward hooks cannot be restored without running code; torch.save
        // writes an empty OrderedDict here, and their absence does not change
        // the weights.
        if (args[5]->kind != Kind::Dict)
            fail(function + ": backward hooks are a " + kindName(args[5]->kind));
    }
    PickleValue* tensor = make(Kind::Tensor);
    tensor->tensor = std::make_unique<TensorRef>();
    tensor->tensor->storage = *args[0]->storage;
    tensor->tensor->offset = args[1]->integer;
    tensor->tensor->sizes = intTuple(args[2], "size");
    tensor->tensor->strides = intTuple(args[3], "stride");
    return tensor;
}

void PickleReader::build()
{
    PickleValue* state = pop();
    PickleValue* target = top();
    // torch.save only uses BUILD to set a state dict's `_metadata` attribute
    // (per-module versions), which loading does not need.
    if (target->kind != Kind::Dict || (state->kind != Kind::Dict && state->kind != Kind::None))
        fail(std::string("BUILD on a ") + kindName(target->kind) + " with a " + kindName(state->kind) +
             " (only an OrderedDict's attributes can be set)");
}

void PickleReader::persistentLoad()
{
    // ('storage', torch.FloatStorage, key, location, numel)            zip
    // ('storage', torch.FloatStorage, key, location, numel, view)      legacy
    //   view: None or (view_key, offset, view_numel)
    PickleValue* pid = pop();
    const auto& f = pid->items;
    if (pid->kind != Kind::Tuple || f.empty() || f[0]->kind != Kind::String || f[0]->text != "storage")
        fail("persistent id is not a ('storage', ...) tuple");
    if (f.size() != 5 && f.size() != 6)
        fail("storage persistent id with " + std::to_string(f.size()) + " fields");
    if (f[1]->kind != Kind::Global || !storageClassDtype(f[1]->text))
        fail("storage persistent id without a storage type");
    if (f[2]->kind != Kind::String || f[3]->kind != Kind::String || f[4]->kind != Kind::Int)
        fail("malformed storage persistent id");

    StorageRef ref;
    ref.key = f[2]->text;
    ref.dtype = *storageClassDtype(f[1]->text);
    ref.numel = f[4]->integer;
    ref.viewOffset = 0;
    ref.viewNumel = ref.numel;
    if (f.size() == 6 && f[5]->kind != Kind::None) {
        const auto& view = f[5]->items;
        if (f[5]->kind != Kind::Tuple || view.size() != 3 || view[1]->kind != Kind::Int ||
            view[2]->kind != Kind::Int)
            fail("malformed storage view in persistent id");
        ref.viewOffset = view[1]->integer;
        ref.viewNumel = view[2]->integer;
    }
    validateStorageRef(ref);

    const auto [it, inserted] = m_storages.emplace(ref.key, ref);
    if (!inserted && (it->second.dtype != ref.dtype || it->second.numel != ref.numel))
        fail("storage \"" + ref.key + "\" is declared with two different types or sizes");

    PickleValue* storage = make(Kind::Storage);
    storage->storage = std::make_unique<StorageRef>(ref);
    push(storage);
}

} // namespace gce::detail
