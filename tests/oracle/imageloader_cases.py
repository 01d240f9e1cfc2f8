"""Files for tst_imageloader and the RGB each must decode to.

Writes <dir>/loader/: the files, <file>.expected.png for the good ones, and
cases.json with "good" entries (file, expected, channels, depth, alpha,
tolerance) and "bad" entries (file, reason: a substring of the message).

Oracles: Pillow's decoding (with ImageOps.exif_transpose) for 8-bit opaque
images; for 16-bit samples and alpha, the documented formulas evaluated here
in float64 (Pillow truncates 16-bit data to 8 and rounds its compositing
differently, so it is not the reference for those).
"""
import glob
import io
import json
import os
import struct

import numpy as np
from PIL import Image, ImageOps

from image_synth import png16_bytes, png_bytes, png_chunk, synthetic_photo

ORIENTATION_TAG = 0x0112
DEMO_EXTENSIONS = ("*.jpg", "*.jpeg", "*.png")


def pil_bytes(image, fmt, **options):
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def pil_decode(data):
    """What Pillow shows for the file, upright."""
    return np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB"))


def to8(values, maximum):
    return np.floor(values.astype(np.float64) * 255 / maximum + 0.5).astype(np.uint8)


def over_white(color, alpha, maximum):
    """round(255 * (c*a + max*(max-a)) / max^2), per channel."""
    c = color.astype(np.float64)
    a = alpha.astype(np.float64)[..., None] if color.ndim == 3 else alpha.astype(np.float64)
    return np.floor((c * a + maximum * (maximum - a)) * 255 / maximum**2 + 0.5).astype(np.uint8)


def grey_to_rgb(grey):
    return np.repeat(grey[..., None], 3, axis=2)


def big_endian_exif(orientation):
    """A Motorola-order EXIF block (Pillow writes Intel order)."""
    ifd = struct.pack(">H", 1) + struct.pack(">HHIHH", ORIENTATION_TAG, 3, 1, orientation, 0) + struct.pack(">I", 0)
    return b"Exif\x00\x00" + b"MM\x00\x2a" + struct.pack(">I", 8) + ifd


def write(out_dir, demo_dir):
    out = os.path.join(out_dir, "loader")
    os.makedirs(out, exist_ok=True)
    good, bad = [], []

    def save(name, data):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)

    def expect(name, data, rgb, channels, depth=8, alpha=False, tolerance=0):
        save(name, data)
        Image.fromarray(np.ascontiguousarray(rgb)).save(os.path.join(out, name + ".expected.png"))
        good.append({"file": name, "expected": name + ".expected.png", "channels": channels,
                     "depth": depth, "alpha": alpha, "tolerance": tolerance})

    def refuse(name, data, reason):
        save(name, data)
        bad.append({"file": name, "reason": reason})

    rng = np.random.default_rng(2024)
    photo = synthetic_photo(301, 203, 1)
    image = Image.fromarray(photo)

    # ---- 8-bit opaque images: Pillow decodes them exactly like OpenCV does
    # (the same libjpeg-turbo, libpng and libwebp).
    expect("photo.png", pil_bytes(image, "PNG"), photo, 3)
    for name, options in [("photo_q90.jpg", {"quality": 90}),
                          ("photo_444.jpg", {"quality": 95, "subsampling": 0}),
                          ("photo_progressive.jpg", {"quality": 80, "progressive": True})]:
        data = pil_bytes(image, "JPEG", **options)
        expect(name, data, pil_decode(data), 3)
    data = pil_bytes(image.convert("L"), "JPEG", quality=90)
    expect("grey.jpg", data, pil_decode(data), 1)
    # libjpeg hands OpenCV CMYK, which it converts with its own integer
    # formula: off by one from Pillow's in places.
    data = pil_bytes(image.convert("CMYK"), "JPEG", quality=95)
    expect("cmyk.jpg", data, pil_decode(data), 4, tolerance=1)
    for name, fmt, options in [("lossless.webp", "WEBP", {"lossless": True}),
                               ("lossy.webp", "WEBP", {"quality": 80}),
                               ("photo.bmp", "BMP", {})]:
        data = pil_bytes(image, fmt, **options)
        expect(name, data, pil_decode(data), 3)
    data = pil_bytes(image.convert("P"), "BMP")
    expect("palette.bmp", data, pil_decode(data), 3)
    data = pil_bytes(image.convert("L"), "BMP")
    expect("grey.bmp", data, pil_decode(data), 1)
    for name, mode, channels in [("grey.png", "L", 1), ("bilevel.png", "1", 1), ("palette.png", "P", 3)]:
        data = pil_bytes(image.convert(mode), "PNG")
        expect(name, data, pil_decode(data), channels)
    tiny = Image.fromarray(np.array([[[200, 30, 90]]], np.uint8))
    expect("one_pixel.png", pil_bytes(tiny, "PNG"), np.asarray(tiny), 3)
    data = pil_bytes(tiny, "JPEG", quality=95)
    expect("one_pixel.jpg", data, pil_decode(data), 3)

    # ---- EXIF orientation, all eight, in every format that carries EXIF.
    small = Image.fromarray(synthetic_photo(64, 40, 3))
    for orientation in range(1, 9):
        exif = Image.Exif()
        exif[ORIENTATION_TAG] = orientation
        for ext, fmt, options in [("jpg", "JPEG", {"quality": 95}), ("png", "PNG", {}),
                                  ("webp", "WEBP", {"lossless": True})]:
            data = pil_bytes(small, fmt, exif=exif.tobytes(), **options)
            expect(f"orientation{orientation}.{ext}", data, pil_decode(data), 3)
    data = pil_bytes(small, "JPEG", quality=95, exif=big_endian_exif(6))
    expect("orientation6_motorola.jpg", data, pil_decode(data), 3)

    # ---- 16-bit samples: v * 255 / 65535, rounded. Include the extremes and
    # values next to rounding boundaries.
    shape = (37, 53)
    special = np.array([0, 1, 128, 129, 257, 32767, 32768, 65406, 65407, 65534, 65535], np.uint16)
    rgb16 = rng.integers(0, 65536, shape + (3,), dtype=np.uint16)
    rgb16.flat[:special.size] = special
    grey16 = rng.integers(0, 65536, shape, dtype=np.uint16)
    grey16.flat[:special.size] = special
    alpha16 = rng.integers(0, 65536, shape, dtype=np.uint16)
    alpha16.flat[:4] = [0, 65535, 1, 32768]
    expect("rgb16.png", png16_bytes(rgb16, 2), to8(rgb16, 65535), 3, depth=16)
    expect("grey16.png", png16_bytes(grey16, 0), grey_to_rgb(to8(grey16, 65535)), 1, depth=16)
    expect("greyalpha16.png", png16_bytes(np.dstack([grey16, alpha16]), 4),
           grey_to_rgb(over_white(grey16, alpha16, 65535)), 2, depth=16, alpha=True)
    expect("rgba16.png", png16_bytes(np.dstack([rgb16, alpha16]), 6),
           over_white(rgb16, alpha16, 65535), 4, depth=16, alpha=True)

    # ---- Alpha, composited over white.
    alpha8 = rng.integers(0, 256, (photo.shape[0], photo.shape[1]), dtype=np.uint8)
    alpha8[:10] = 0
    alpha8[10:20] = 255
    rgba = np.dstack([photo, alpha8])
    expect("rgba.png", pil_bytes(Image.fromarray(rgba), "PNG"), over_white(photo, alpha8, 255), 4, alpha=True)
    grey8 = np.asarray(image.convert("L"))
    expect("greyalpha.png", pil_bytes(Image.fromarray(np.dstack([grey8, alpha8]), "LA"), "PNG"),
           grey_to_rgb(over_white(grey8, alpha8, 255)), 2, alpha=True)
    palette = image.convert("P")
    data = pil_bytes(palette, "PNG", transparency=int(np.asarray(palette)[0, 0]))
    rgba_p = np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"))
    expect("palette_transparent.png", data, over_white(rgba_p[..., :3], rgba_p[..., 3], 255), 4, alpha=True)
    data = pil_bytes(image, "PNG", transparency=tuple(int(v) for v in photo[0, 0]))
    rgba_key = np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"))
    assert rgba_key[0, 0, 3] == 0
    expect("color_key.png", data, over_white(rgba_key[..., :3], rgba_key[..., 3], 255), 4, alpha=True)
    data = pil_bytes(Image.fromarray(rgba), "WEBP", lossless=True)
    expect("alpha.webp", data, over_white(photo, alpha8, 255), 4, alpha=True)

    # ---- The demo photos the application ships.
    for path in sorted(sum((glob.glob(os.path.join(demo_dir, e)) for e in DEMO_EXTENSIONS), [])):
        with open(path, "rb") as f:
            data = f.read()
        bands = len(Image.open(io.BytesIO(data)).getbands())
        expect("demo_" + os.path.basename(path), data, pil_decode(data), bands)

    # ---- Refused, each with the reason the message must give.
    refuse("empty.png", b"", "file is empty")
    refuse("notes.png", b"These are my notes, not a picture.\n", "not an image (unrecognised content)")
    refuse("drawing.png", b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" '
           b'height="10"><rect width="10" height="10"/></svg>\n', "unsupported format (SVG vector graphics)")
    refuse("still.gif", pil_bytes(image, "GIF"), "unsupported format (GIF)")
    frames = [Image.fromarray(np.full((20, 30, 3), v, np.uint8)) for v in (10, 200)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:])
    refuse("animated.gif", buffer.getvalue(), "unsupported format (GIF)")
    buffer = io.BytesIO()
    frames[0].save(buffer, "WEBP", save_all=True, append_images=frames[1:], lossless=True)
    refuse("animated.webp", buffer.getvalue(), "unsupported format (animated WebP)")
    refuse("photo.tif", pil_bytes(image, "TIFF"), "unsupported format (TIFF)")
    refuse("photo.heic", struct.pack(">I", 24) + b"ftypheic\x00\x00\x00\x00mif1heic", "unsupported format (HEIF/AVIF)")

    jpeg = pil_bytes(image, "JPEG", quality=90)
    progressive = pil_bytes(image, "JPEG", quality=90, progressive=True)
    jpeg_truncated = "file is truncated (the JPEG data ends before its end-of-image marker)"
    refuse("truncated.jpg", jpeg[: len(jpeg) * 6 // 10], jpeg_truncated)
    refuse("truncated_progressive.jpg", progressive[: len(progressive) * 7 // 10], jpeg_truncated)
    refuse("no_eoi.jpg", jpeg[:-2], jpeg_truncated)
    refuse("truncated_header.jpg", jpeg[: jpeg.index(b"\xff\xc0") - 4],
           "file is truncated (the JPEG data ends before its frame header)")
    png = pil_bytes(image, "PNG")
    png_truncated = "file is truncated (the PNG data ends before its IEND chunk)"
    refuse("truncated.png", png[: len(png) * 6 // 10], png_truncated)
    refuse("no_iend.png", png[:-12], png_truncated)
    webp = pil_bytes(image, "WEBP", quality=80)
    refuse("truncated.webp", webp[: len(webp) * 6 // 10],
           "file is truncated (the WebP data is shorter than its RIFF header says)")
    cut = webp[: len(webp) * 6 // 10]
    refuse("truncated_chunk.webp", cut[:4] + struct.pack("<I", len(cut) - 8) + cut[8:],
           "file is truncated (a WebP chunk ends past the end of the file)")
    bmp = pil_bytes(image, "BMP")
    refuse("truncated.bmp", bmp[: len(bmp) * 6 // 10],
           "file is truncated (the BMP pixel data is shorter than its header says)")

    # Decompression bombs: headers claiming huge canvases over a few bytes.
    refuse("huge.png", png_bytes(20000, 20000, 8, 0),
           "image is too large (20000 x 20000 pixels = 400.0 megapixels; the limit is 200 megapixels)")
    sof = jpeg.index(b"\xff\xc0")
    huge_jpeg = jpeg[: sof + 5] + struct.pack(">HH", 30000, 30000) + jpeg[sof + 9:]
    refuse("huge.jpg", huge_jpeg, "image is too large (30000 x 30000 pixels")
    lossless = pil_bytes(Image.fromarray(photo[:8, :8]), "WEBP", lossless=True)
    vp8x = b"VP8X" + struct.pack("<I", 10) + bytes([0, 0, 0, 0]) + (16383).to_bytes(3, "little") * 2
    body = b"WEBP" + vp8x + lossless[12:]
    refuse("huge.webp", b"RIFF" + struct.pack("<I", len(body)) + body, "image is too large (16384 x 16384 pixels")
    refuse("too_wide.png", png_bytes(2_000_000, 1, 8, 0),
           "image is too large (2000000 x 1 pixels; a side may be at most 1048576)")
    # Exactly at the limit the size is accepted (and this file then fails to
    # decode, having one row of data): the limit is inclusive.
    refuse("at_limit.png", png_bytes(20000, 10000, 8, 0), "cannot decode the PNG data")

    refuse("no_frame.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9",
           "corrupt JPEG header (no frame header)")
    garbage_idat = png_chunk(b"IDAT", bytes(rng.integers(0, 256, 64, dtype=np.uint8)))
    ihdr = png_chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
    refuse("corrupt.png", b"\x89PNG\r\n\x1a\n" + ihdr + garbage_idat + png_chunk(b"IEND", b""),
           "cannot decode the PNG data (corrupt file)")

    with open(os.path.join(out, "cases.json"), "w") as f:
        json.dump({"good": good, "bad": bad}, f, indent=1)
