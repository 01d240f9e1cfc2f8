"""Synthetic test images and a hand-written PNG encoder (system python3 only).

Shared by the resize, loader and overlay fixtures. Everything is seeded, so a
fixture run always writes the same files.
"""
import struct
import zlib

import numpy as np


def synthetic_photo(width, height, seed):
    """uint8 RGB (height, width, 3) with what photos have and resizers trip on:
    smooth gradients, hard-edged shapes and fine noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    img = np.empty((height, width, 3))
    for c in range(3):
        fx, fy = rng.uniform(-3, 3, 2)
        img[..., c] = 128 + 100 * np.sin(fx * x / max(width, 1) + fy * y / max(height, 1) + rng.uniform(0, 6))
    for _ in range(6):
        cx, cy = rng.uniform(0, width), rng.uniform(0, height)
        if rng.uniform() < 0.5:
            r = rng.uniform(0.05, 0.3) * max(width, height)
            mask = (x - cx) ** 2 + (y - cy) ** 2 < r * r
        else:
            hw, hh = rng.uniform(0.05, 0.25, 2) * (width, height)
            mask = (abs(x - cx) < hw) & (abs(y - cy) < hh)
        img[mask] = rng.uniform(0, 255, 3)
    img += rng.normal(0, 12, img.shape)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def hash_pattern(width, height):
    """Gradients plus integer-hash noise; tst_pilresize computes the same
    pixels in C++ (hashPattern), so the 4000x3000 input needs no file."""
    y, x = np.mgrid[0:height, 0:width].astype(np.uint64)
    out = np.empty((height, width, 3), np.uint8)
    bases = [x * 255 // (width - 1), y * 255 // (height - 1), (x + y) * 255 // (width + height - 2)]
    for c in range(3):
        h = ((x * 73856093) ^ (y * 19349663) ^ np.uint64(c * 83492791)) & np.uint64(0xFFFFFFFF)
        noise = ((h >> np.uint64(13)) & np.uint64(63)).astype(np.int64) - 32
        out[..., c] = np.clip(bases[c].astype(np.int64) + noise, 0, 255)
    return out


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bytes(width, height, bit_depth, color_type, raw_rows=None, extra_chunks=()):
    """A PNG from already-serialised rows (without filter bytes). With
    raw_rows=None the IDAT holds one zero row only: enough for a header test."""
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    if raw_rows is None:
        channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color_type]
        raw_rows = [bytes((width * channels * bit_depth + 7) // 8)]
    idat = zlib.compress(b"".join(b"\x00" + row for row in raw_rows))
    chunks = [png_chunk(b"IHDR", ihdr), *extra_chunks, png_chunk(b"IDAT", idat), png_chunk(b"IEND", b"")]
    return b"\x89PNG\r\n\x1a\n" + b"".join(chunks)


def png16_bytes(array, color_type):
    """16-bit PNG (Pillow cannot write 16-bit color or grey+alpha)."""
    array = np.ascontiguousarray(array, dtype=">u2")
    height, width = array.shape[:2]
    rows = [array[i].tobytes() for i in range(height)]
    return png_bytes(width, height, 16, color_type, rows)
