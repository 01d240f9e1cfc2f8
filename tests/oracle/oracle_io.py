"""Small I/O helpers shared by the oracle scripts (system python3 only).

Tensors go to the C++ tests as .safetensors files written here by hand (the
format is an 8-byte little-endian header length, a JSON header, raw data), so
no extra Python package is needed.
"""
import json
import os
import struct

import numpy as np

_DTYPES = {np.dtype("float32"): "F32", np.dtype("float64"): "F64", np.dtype("int64"): "I64",
           np.dtype("float16"): "F16", np.dtype("int32"): "I32", np.dtype("uint8"): "U8"}


def save_safetensors(path, arrays, metadata=None):
    """arrays: dict name -> numpy array (C order is enforced)."""
    header = {}
    blobs = []
    offset = 0
    for name, arr in arrays.items():
        arr = np.require(arr, requirements="C")  # keeps 0-dim arrays 0-dim
        data = arr.astype(arr.dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": _DTYPES[arr.dtype], "shape": list(arr.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * ((8 - len(raw) % 8) % 8)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)
