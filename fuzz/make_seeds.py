"""Seed corpora for the libFuzzer targets, made from real files at fuzz time
(nothing binary is committed). Run with Debian's Python (torch, PIL):

    /usr/bin/python3 fuzz/make_seeds.py OUT_DIR

writes OUT_DIR/<target>/ for fuzz_checkpoint, fuzz_pickle, fuzz_safetensors,
fuzz_imageloader and fuzz_labels. Files are small on purpose: libFuzzer's
mutations and max_len follow the seeds' sizes.
"""
import io
import json
import os
import shutil
import struct
import sys
import zipfile
from collections import OrderedDict

import numpy as np
import torch
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def out_dir(base, target):
    d = os.path.join(base, target)
    os.makedirs(d, exist_ok=True)
    return d


def state_dicts():
    """Small state dicts covering what the readers handle: dtypes, views that
    share a storage, 0-dim and empty tensors, nesting, DataParallel names."""
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv2d(3, 2, 3), torch.nn.BatchNorm2d(2), torch.nn.Flatten(),
                              torch.nn.Linear(2, 2))
    base = torch.arange(12, dtype=torch.float32)
    return {
        "sequential": net.state_dict(),
        "dtypes": OrderedDict((str(d).split(".")[-1], torch.ones(3, dtype=d)) for d in (
            torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.int64, torch.int32,
            torch.int16, torch.int8, torch.uint8, torch.bool)),
        "views": OrderedDict([("base", base), ("t", base.view(3, 4).t()), ("slice", base[2:7]),
                              ("scalar", torch.tensor(1.5)), ("empty", torch.zeros(0, 3))]),
        "nested": {"epoch": 1, "state_dict": OrderedDict([("module.w", torch.ones(2, 2))])},
    }


def write_checkpoints(base):
    ckpt = out_dir(base, "fuzz_checkpoint")
    pkl = out_dir(base, "fuzz_pickle")
    for name, sd in state_dicts().items():
        zpath = os.path.join(ckpt, name + ".pth")
        torch.save(sd, zpath)
        torch.save(sd, os.path.join(ckpt, name + "_legacy.pth"), _use_new_zipfile_serialization=False)
        torch.save(sd, os.path.join(ckpt, name + "_p4.pth"), pickle_protocol=4)
        # The pickle target gets each archive's data.pkl and the legacy stream.
        for zname in (name + ".pth", name + "_p4.pth"):
            with zipfile.ZipFile(os.path.join(ckpt, zname)) as z:
                record = next(n for n in z.namelist() if n.endswith("/data.pkl"))
                with open(os.path.join(pkl, zname + ".data.pkl"), "wb") as f:
                    f.write(z.read(record))
        shutil.copy(os.path.join(ckpt, name + "_legacy.pth"), os.path.join(pkl, name + "_legacy.pkl"))


def safetensors_bytes(tensors, metadata=None):
    names = {torch.float32: "F32", torch.float64: "F64", torch.float16: "F16", torch.bfloat16: "BF16",
             torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8",
             torch.uint8: "U8", torch.bool: "BOOL"}
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.contiguous()
        data = t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b""
        header[name] = {"dtype": names[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = metadata
    raw = json.dumps(header).encode()
    return struct.pack("<Q", len(raw)) + raw + b"".join(blobs)


def write_safetensors(base):
    d = out_dir(base, "fuzz_safetensors")
    for name, sd in state_dicts().items():
        if name == "nested":
            sd = sd["state_dict"]
        tensors = OrderedDict((k, v.clone()) for k, v in sd.items() if isinstance(v, torch.Tensor))
        with open(os.path.join(d, name + ".safetensors"), "wb") as f:
            f.write(safetensors_bytes(tensors, {"format": "pt"}))


def write_images(base):
    d = out_dir(base, "fuzz_imageloader")
    for name in sorted(os.listdir(os.path.join(ROOT, "resources", "demo"))):
        if name.endswith(".jpg"):
            shutil.copy(os.path.join(ROOT, "resources", "demo", name), os.path.join(d, "demo_" + name))
    rng = np.random.default_rng(0)
    rgb = Image.fromarray(rng.integers(0, 256, (12, 16, 3), dtype=np.uint8), "RGB")
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90
    images = {
        "rgb.png": (rgb, {}),
        "rgba.png": (rgb.convert("RGBA"), {}),
        "grey.png": (rgb.convert("L"), {}),
        "grey_alpha.png": (rgb.convert("LA"), {}),
        "palette.png": (rgb.convert("P"), {}),
        "grey16.png": (Image.fromarray(rng.integers(0, 65536, (9, 7), dtype=np.uint16)), {}),
        "exif.png": (rgb, {"exif": exif}),
        "rgb.jpg": (rgb, {"quality": 90}),
        "progressive.jpg": (rgb, {"progressive": True}),
        "grey.jpg": (rgb.convert("L"), {}),
        "cmyk.jpg": (rgb.convert("CMYK"), {}),
        "exif.jpg": (rgb, {"exif": exif}),
        "rgb.bmp": (rgb, {}),
        "rgb.webp": (rgb, {"lossless": True}),
        "lossy.webp": (rgb, {"quality": 50}),
        "one.png": (Image.new("RGB", (1, 1), (10, 20, 30)), {}),
    }
    for name, (image, options) in images.items():
        image.save(os.path.join(d, name), **options)


def write_labels(base):
    d = out_dir(base, "fuzz_labels")
    with open(os.path.join(ROOT, "resources", "labels", "imagenet1k.txt"), "rb") as f:
        labels = f.read()
    seeds = {
        "imagenet1k.txt": labels,
        "crlf.txt": labels[:300].replace(b"\n", b"\r\n"),
        "bom.txt": b"\xef\xbb\xbf" + labels[:200],
        "blank_lines.txt": b"cat\n\n  dog  \n\n",
        "no_newline.txt": b"tench\ngoldfish",
        "utf8.txt": "caf\u00e9\n\u00e9l\u00e9phant\n\u72ac\n".encode(),
        "list.json": json.dumps(["tench", "goldfish", "caf\u00e9"]).encode(),
        "map.json": json.dumps({"1": "goldfish", "0": "tench", "2": "white shark"}, indent=1).encode(),
    }
    for name, data in seeds.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


def main():
    base = sys.argv[1]
    torch.set_num_threads(1)
    write_checkpoints(base)
    write_safetensors(base)
    write_images(base)
    write_labels(base)
    for target in sorted(os.listdir(base)):
        print(f"{target}: {len(os.listdir(os.path.join(base, target)))} seeds")


if __name__ == "__main__":
    main()
