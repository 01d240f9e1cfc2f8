"""Checkpoint fixtures for tst_checkpoint (run with Debian's /usr/bin/python3).

usage: make_checkpoints.py OUTDIR

Writes, from fixed seeds and Debian's torch / torchvision:
  - torchvision resnet18 and squeezenet1_1 state dicts saved like the official
    weight files (torch.save zip), in the legacy (pre-1.6) format, as
    .safetensors, in float16, with a DataParallel "module." prefix and nested
    in training checkpoints (with optimizer state);
  - small dicts covering every dtype, strided / offset / shared views,
    Parameters, pickle protocol 4 and a legacy storage view;
  - a small conv/bn/fc net for the loadStateDict tests;
  - broken files (truncated, empty, text, garbage) and hostile pickles
    (os.system, builtins.eval, REDUCE of a non-callable, bad memo, missing record,
    out-of-range view, sizes and offsets far beyond the file),
    crafted as bytes and never unpickled by Python here.
For each readable file, <file>.json lists the expected entries in order:
name, dtype, shape, stride, storage offset and the SHA-256 of the tensor's
contiguous little-endian bytes.
"""
import collections
import hashlib
import json
import os
import pickle
import struct
import sys
import zipfile

import torch
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle_io  # noqa: E402

OUT = sys.argv[1]
os.makedirs(OUT, exist_ok=True)


def path(name):
    return os.path.join(OUT, name)


# ---------------------------------------------------------------- manifests

def tensor_bytes(t):
    return t.detach().contiguous().reshape(-1).view(torch.uint8).numpy().tobytes()


def write_manifest(file_name, entries):
    """entries: iterable of (name, tensor) in the order the file holds them."""
    rows = []
    for name, t in entries:
        rows.append({"name": name, "dtype": str(t.dtype).replace("torch.", ""),
                     "shape": list(t.shape), "stride": list(t.stride()),
                     "offset": t.storage_offset(),
                     "sha256": hashlib.sha256(tensor_bytes(t)).hexdigest()})
    with open(path(file_name + ".json"), "w") as f:
        json.dump({"entries": rows}, f, indent=1)


def save_zip(obj, file_name, manifest=None, **kwargs):
    torch.save(obj, path(file_name), **kwargs)
    if manifest is not None:
        write_manifest(file_name, manifest)


def save_legacy(obj, file_name, manifest=None):
    save_zip(obj, file_name, manifest, _use_new_zipfile_serialization=False)


# ---------------------------------------------------------------- safetensors

_ST_DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.float16: "F16",
              torch.bfloat16: "BF16", torch.int64: "I64", torch.int32: "I32",
              torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8", torch.bool: "BOOL"}


def save_safetensors_any(file_name, tensors, metadata=None):
    """Like oracle_io.save_safetensors, for torch tensors of any dtype
    (numpy lacks bfloat16) and of any rank (0-dim included)."""
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = tensor_bytes(t)
        header[name] = {"dtype": _ST_DTYPES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = metadata
    write_safetensors_raw(file_name, header, b"".join(blobs))


def write_safetensors_raw(file_name, header, data, header_text=None):
    raw = header_text if header_text is not None else json.dumps(header).encode()
    with open(path(file_name), "wb") as f:
        f.write(struct.pack("<Q", len(raw)) + raw + data)


# ---------------------------------------------------------------- crafted pickles
# Written opcode by opcode, exactly as torch.save lays them out, so that the
# hostile variants differ from a valid file only where intended.

def p_str(s):
    b = s.encode()
    return b"X" + struct.pack("<I", len(b)) + b


def p_int(n):
    if -2**31 <= n < 2**31:
        return b"J" + struct.pack("<i", n)
    # LONG1, as pickle writes integers beyond 32 bits (hostile sizes).
    b = n.to_bytes((n.bit_length() + 8) // 8, "little", signed=True)
    return b"\x8a" + bytes([len(b)]) + b


def p_tuple(items):
    return b"(" + b"".join(items) + b"t"


def p_global(module, name):
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def p_storage_pid(storage_type, key, numel, view=None):
    fields = [p_str("storage"), p_global("torch", storage_type), p_str(key), p_str("cpu"), p_int(numel)]
    if view is not None:
        fields.append(p_tuple([p_str(view[0]), p_int(view[1]), p_int(view[2])]))
    return p_tuple(fields) + b"Q"


def p_tensor(pid, offset, size, stride):
    return (p_global("torch._utils", "_rebuild_tensor_v2")
            + p_tuple([pid, p_int(offset), p_tuple([p_int(s) for s in size]),
                       p_tuple([p_int(s) for s in stride]), b"\x89",
                       p_global("collections", "OrderedDict") + b")R"])
            + b"R")


def p_state_dict(items):
    """items: (name, pickled tensor bytes) -> an OrderedDict pickle."""
    body = b"".join(p_str(name) + tensor for name, tensor in items)
    return b"\x80\x02" + p_global("collections", "OrderedDict") + b")R(" + body + b"u."


def write_torch_zip(file_name, data_pkl, records=None):
    """The zip layout of torch.save: <archive>/data.pkl, data/<key>, version."""
    with zipfile.ZipFile(path(file_name), "w", zipfile.ZIP_STORED) as z:
        z.writestr("archive/data.pkl", data_pkl)
        for key, data in (records or {}).items():
            z.writestr("archive/data/" + key, data)
        z.writestr("archive/version", "3\n")


def write_legacy(file_name, main_pickle, storages):
    """storages: list of (key, element count, raw bytes), in file order."""
    with open(path(file_name), "wb") as f:
        f.write(pickle.dumps(0x1950a86a20f9469cfc6c, protocol=2))
        f.write(pickle.dumps(1001, protocol=2))
        f.write(pickle.dumps({"protocol_version": 1001, "little_endian": True,
                              "type_sizes": {"short": 2, "int": 4, "long": 4}}, protocol=2))
        f.write(main_pickle)
        f.write(pickle.dumps([key for key, _, _ in storages], protocol=2))
        for _, count, data in storages:
            f.write(struct.pack("<q", count) + data)


def floats(values):
    return struct.pack("<%df" % len(values), *values)


# ---------------------------------------------------------------- models

def train_step(model, input_shape):
    """One SGD step in train mode: BatchNorm running stats and counters move
    away from their defaults, and the optimizer gets momentum buffers."""
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss = model(torch.randn(*input_shape)).square().mean()
    loss.backward()
    opt.step()
    model.eval()
    return opt


def write_model_fixtures():
    torch.manual_seed(0)
    resnet = torchvision.models.resnet18()
    train_step(resnet, (2, 3, 64, 64))
    sd = resnet.state_dict()
    save_zip(sd, "resnet18.pth", sd.items())
    save_legacy(sd, "resnet18_legacy.pth", sd.items())
    # Written by our own writer: oracle_io.save_safetensors passes arrays
    # through np.ascontiguousarray, which turns the 0-dim num_batches_tracked
    # into shape [1].
    save_safetensors_any("resnet18.safetensors", sd, metadata={"format": "pt"})
    write_manifest("resnet18.safetensors", sd.items())
    half = collections.OrderedDict((k, v.half() if v.is_floating_point() else v) for k, v in sd.items())
    save_zip(half, "resnet18_half.pth", half.items())

    with open(path("resnet18.pth"), "rb") as f:
        data = f.read()
    with open(path("resnet18_trunc50.pth"), "wb") as f:
        f.write(data[:len(data) // 2])
    with open(path("resnet18_trunc10.pth"), "wb") as f:
        f.write(data[:10])

    torch.manual_seed(1)
    squeeze = torchvision.models.squeezenet1_1()
    opt = train_step(squeeze, (2, 3, 64, 64))
    sd = squeeze.state_dict()
    save_zip(sd, "squeezenet1_1.pth", sd.items())
    save_legacy(sd, "squeezenet1_1_legacy.pth", sd.items())
    oracle_io.save_safetensors(path("squeezenet1_1.safetensors"), {k: v.numpy() for k, v in sd.items()})
    write_manifest("squeezenet1_1.safetensors", sd.items())
    dp = collections.OrderedDict(("module." + k, v) for k, v in sd.items())
    save_zip(dp, "squeezenet1_1_dataparallel.pth", dp.items())
    # A training checkpoint: the weights sit next to other state (with tensors
    # of their own in the optimizer's momentum buffers).
    nested = {"epoch": 12, "arch": "squeezenet1_1", "best_acc1": 0.56,
              "optimizer": opt.state_dict(), "state_dict": sd}
    save_zip(nested, "squeezenet1_1_nested.pth", sd.items())
    save_legacy(nested, "squeezenet1_1_nested_legacy.pth", sd.items())

    with open(path("squeezenet1_1_legacy.pth"), "rb") as f:
        data = f.read()
    with open(path("squeezenet1_1_legacy_trunc.pth"), "wb") as f:
        f.write(data[:len(data) * 6 // 10])
    with open(path("squeezenet1_1.safetensors"), "rb") as f:
        data = f.read()
    with open(path("squeezenet1_1_trunc.safetensors"), "wb") as f:
        f.write(data[:len(data) * 6 // 10])


class SmallNet(torch.nn.Module):
    """The module the C++ test builds for loadStateDict (same names)."""

    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(3, 4, 3)
        self.bn1 = torch.nn.BatchNorm2d(4)
        self.fc = torch.nn.Linear(4, 2)

    def forward(self, x):
        x = torch.relu(self.bn1(self.conv1(x)))
        return self.fc(x.mean(dim=(2, 3)))


def write_small_fixtures():
    torch.manual_seed(2)
    net = SmallNet()
    train_step(net, (2, 3, 8, 8))
    sd = net.state_dict()
    save_zip(sd, "small_net.pth", sd.items())
    half = collections.OrderedDict((k, v.half() if v.is_floating_point() else v) for k, v in sd.items())
    save_zip(half, "small_net_half.pth", half.items())
    dp = collections.OrderedDict(("module." + k, v) for k, v in sd.items())
    save_zip(dp, "small_net_dataparallel.pth", dp.items())

    # Every dtype, a 0-dim tensor and an empty one.
    g = torch.Generator().manual_seed(3)
    base = torch.randn(2, 3, generator=g)
    dtypes = collections.OrderedDict([
        ("f32", base), ("f64", base.double()), ("f16", base.half()), ("bf16", base.bfloat16()),
        ("i64", torch.tensor([[-(2 ** 40), 7, 0]])), ("i32", torch.tensor([-5, 2 ** 30], dtype=torch.int32)),
        ("i16", torch.tensor([-300, 300], dtype=torch.int16)), ("i8", torch.tensor([-128, 127], dtype=torch.int8)),
        ("u8", torch.tensor([0, 200, 255], dtype=torch.uint8)), ("bool", torch.tensor([True, False, True])),
        ("scalar", torch.tensor(3.25)), ("empty", torch.zeros(0, 3)),
    ])
    save_zip(dtypes, "dtypes.pth", dtypes.items())
    save_legacy(dtypes, "dtypes_legacy.pth", dtypes.items())
    save_zip(dtypes, "dtypes_protocol4.pth", dtypes.items(), pickle_protocol=4)
    save_safetensors_any("dtypes.safetensors", dtypes)
    write_manifest("dtypes.safetensors", dtypes.items())

    # Views: transposed, offset, strided, stride 0, all sharing one storage.
    grid = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    strided = collections.OrderedDict([
        ("grid", grid), ("transposed", grid.t()), ("rows", grid[1:3]), ("column", grid[:, 2]),
        ("broadcast", torch.arange(3, dtype=torch.float32).expand(4, 3)),
    ])
    save_zip(strided, "strided.pth", strided.items())
    save_legacy(strided, "strided_legacy.pth", strided.items())

    # A Parameter is pickled through torch._utils._rebuild_parameter.
    params = {"weight": torch.nn.Parameter(torch.randn(2, 3, generator=g))}
    save_zip(params, "parameter.pth", params.items())

    # A state dict whose tensors are not torch-written: the C++ reader must
    # accept a file that only follows the format (checked with torch.load).
    crafted = p_state_dict([("a", p_tensor(p_storage_pid("FloatStorage", "0", 4), 1, [3], [1]))])
    write_torch_zip("crafted.pth", crafted, {"0": floats([0, 1, 2, 3])})
    expected = collections.OrderedDict([("a", torch.tensor([1.0, 2.0, 3.0]))])
    assert torch.equal(torch.load(path("crafted.pth"))["a"], expected["a"])
    write_manifest("crafted.pth", [("a", torch.arange(4.0)[1:])])

    # A legacy storage view (view_metadata), which PyTorch < 1.0 could write:
    # the tensor at offset 1 of the view [2, 2 + 5) of a 10-element storage.
    main = p_state_dict([("v", p_tensor(p_storage_pid("FloatStorage", "root", 10, ("view", 2, 5)),
                                        1, [3], [1]))])
    write_legacy("legacy_view.pth", main, [("root", 10, floats(range(10)))])
    assert torch.equal(torch.load(path("legacy_view.pth"))["v"], torch.tensor([3.0, 4.0, 5.0]))
    write_manifest("legacy_view.pth", [("v", torch.arange(10.0)[3:6])])

    # As Python 2 and PyTorch 0.3 wrote the oldest official weights: byte
    # strings (SHORT_BINSTRING), _rebuild_tensor (v1) and an OrderedDict
    # pickled as OrderedDict([[key, value], ...]).
    def s2(text):
        return b"U" + bytes([len(text)]) + text.encode()

    def l2(items):
        return b"](" + b"".join(items) + b"e"

    def t2(key, numel, offset, size, stride):
        pid = p_tuple([s2("storage"), p_global("torch", "FloatStorage"), s2(key), s2("cpu"), p_int(numel),
                       b"N"]) + b"Q"
        return (p_global("torch._utils", "_rebuild_tensor")
                + p_tuple([pid, p_int(offset), p_tuple([p_int(s) for s in size]),
                           p_tuple([p_int(s) for s in stride])]) + b"R")

    main = (b"\x80\x02" + p_global("collections", "OrderedDict")
            + p_tuple([l2([l2([s2("w"), t2("k1", 6, 0, [2, 3], [3, 1])]),
                           l2([s2("b"), t2("k2", 2, 1, [1], [1])])])]) + b"R.")
    write_legacy("python2_legacy.pth", main,
                 [("k1", 6, floats(range(6))), ("k2", 2, floats([7, 8]))])
    loaded = torch.load(path("python2_legacy.pth"))
    assert list(loaded) == ["w", "b"] and torch.equal(loaded["b"], torch.tensor([8.0]))
    write_manifest("python2_legacy.pth", loaded.items())


def write_bad_fixtures():
    with open(path("text.pth"), "w") as f:
        f.write("version https://git-lfs.github.com/spec/v1\noid sha256:0123\nsize 46830571\n")
    open(path("empty.pth"), "wb").close()
    with open(path("garbage.bin"), "wb") as f:
        f.write(bytes((i * 37 + 11) % 256 for i in range(4096)))

    ok_tensor = p_tensor(p_storage_pid("FloatStorage", "0", 4), 0, [4], [1])
    ok_records = {"0": floats([0, 1, 2, 3])}
    # Hostile pickles: never unpickled here.
    write_torch_zip("evil_os_system.pth",
                    b"\x80\x02" + p_global("os", "system") + p_str("echo pwned") + b"\x85R.")
    write_torch_zip("evil_builtins_eval.pth",
                    b"\x80\x02" + p_global("builtins", "eval") + p_str("1+1") + b"\x85R.")
    write_torch_zip("evil_stack_global.pth",
                    b"\x80\x04" + b"\x8c\x05posix\x94\x8c\x06system\x94\x93\x94"
                    + b"\x8c\x02id\x94\x85\x94R\x94.")
    # The same payload hidden in the value of an otherwise valid state dict.
    write_torch_zip("evil_in_value.pth",
                    p_state_dict([("a", ok_tensor),
                                  ("b", p_global("subprocess", "check_output") + p_str("id") + b"\x85R")]),
                    ok_records)
    write_legacy("evil_legacy.pth",
                 b"\x80\x02" + p_global("os", "system") + p_str("echo pwned") + b"\x85R.", [])
    write_torch_zip("bad_memo.pth", b"\x80\x02}q\x00h\x63.")
    write_torch_zip("stack_underflow.pth", b"\x80\x02R.")
    write_torch_zip("missing_record.pth",
                    p_state_dict([("a", ok_tensor),
                                  ("b", p_tensor(p_storage_pid("FloatStorage", "1", 4), 0, [4], [1]))]),
                    ok_records)
    write_torch_zip("oob_view.pth",
                    p_state_dict([("a", p_tensor(p_storage_pid("FloatStorage", "0", 4), 2, [2, 2], [2, 1]))]),
                    ok_records)
    write_torch_zip("record_size.pth",
                    p_state_dict([("a", p_tensor(p_storage_pid("FloatStorage", "0", 10), 0, [4], [1]))]),
                    ok_records)
    write_torch_zip("truncated_pickle.pth", p_state_dict([("a", ok_tensor)])[:40], ok_records)

    # REDUCE may only call the tensor and OrderedDict rebuilders: a storage
    # class is allow-listed as data, and a plain string is no callable.
    write_torch_zip("reduce_storage_class.pth", b"\x80\x02" + p_global("torch", "FloatStorage") + b")R.")
    write_torch_zip("reduce_string.pth", b"\x80\x02" + p_str("os.system") + p_str("id") + b"\x85R.")
    # The allow-list matches whole names: an allowed prefix is not enough.
    write_torch_zip("evil_attribute_chain.pth",
                    b"\x80\x02" + p_global("collections", "OrderedDict.__init__.__globals__") + b".")
    write_torch_zip("long_global.pth", b"\x80\x02" + p_global("x" * 300, "system") + b".")

    # Sizes and offsets from the file, checked before anything is allocated
    # or read: storages, views, strings and frames far beyond the file.
    def sized(name, numel=4, offset=0, size=(4,), stride=(1,)):
        tensor = p_tensor(p_storage_pid("FloatStorage", "0", numel), offset, list(size), list(stride))
        write_torch_zip(name, p_state_dict([("a", tensor)]), ok_records)
    sized("huge_storage.pth", numel=2**60)
    sized("negative_storage.pth", numel=-1)
    sized("huge_offset.pth", offset=2**62)
    sized("negative_offset.pth", offset=-1)
    sized("huge_shape.pth", size=(2**40, 2**40), stride=(1, 1))
    sized("negative_size.pth", size=(-1,))
    sized("huge_stride.pth", size=(2,), stride=(2**47,))
    write_torch_zip("huge_string.pth", b"\x80\x02\x8d" + struct.pack("<Q", 2**62) + b"x.")
    write_torch_zip("huge_frame.pth", b"\x80\x04\x95" + struct.pack("<Q", 2**40) + b"}.")
    # Every opcode costs work and memory: the number of operations is bounded.
    write_torch_zip("endless_pickle.pth", b"\x80\x02" + b"(" * 4_000_001 + b".")
    # A legacy storage of 2^40 floats announced by a 200-byte file.
    write_legacy("legacy_huge_storage.pth",
                 p_state_dict([("a", p_tensor(p_storage_pid("FloatStorage", "0", 2**40), 0, [4], [1]))]),
                 [("0", 2**40, b"")])

    torch.save(torch.nn.Linear(2, 2), path("pickled_module.pth"))
    torch.jit.save(torch.jit.script(torch.nn.Linear(2, 2)), path("torchscript.pt"))
    torch.save({"epoch": 3, "lr": 0.1}, path("not_state_dict.pth"))
    torch.save([torch.zeros(2)], path("list_top.pth"))

    data = floats([0, 1, 2, 3])
    write_safetensors_raw("st_bad_json.safetensors", None, data, header_text=b"{\"a\": [1, 2")
    write_safetensors_raw("st_bad_offsets.safetensors",
                          {"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 32]}}, data)
    write_safetensors_raw("st_size_mismatch.safetensors",
                          {"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 16]}}, data)
    write_safetensors_raw("st_bad_dtype.safetensors",
                          {"a": {"dtype": "C64", "shape": [2], "data_offsets": [0, 16]}}, data)
    # 2^80 elements, which is 0 modulo 2^64: matches an empty data range
    # unless the element count is checked before it can wrap.
    write_safetensors_raw("st_huge_shape.safetensors",
                          {"a": {"dtype": "F32", "shape": [2**40, 2**40], "data_offsets": [0, 0]}}, data)
    write_safetensors_raw("st_huge_offsets.safetensors",
                          {"a": {"dtype": "U8", "shape": [15], "data_offsets": [2**64 - 16, 2**64 - 1]}}, data)
    write_safetensors_raw("st_negative_offsets.safetensors",
                          {"a": {"dtype": "F32", "shape": [4], "data_offsets": [-16, 0]}}, data)
    # The header length says 1000 bytes; the file ends after 9.
    with open(path("st_long_header.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", 1000) + b"{\"a\": {}}")


def main():
    torch.set_num_threads(2)
    write_model_fixtures()
    write_small_fixtures()
    write_bad_fixtures()
    print("checkpoint fixtures written to", OUT)


if __name__ == "__main__":
    main()
