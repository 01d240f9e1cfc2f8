#!/usr/bin/env python3
"""Fixture "awkward": the odd and broken image files people really open, for
tst_awkwardimages (the CLI and the window, end to end).

usage: make_awkward_images.py OUT_DIR   (run with Debian's /usr/bin/python3)

Writes OUT_DIR/<file> and OUT_DIR/cases.json, a list of
  {"file", "what", "opens": bool, "size": [w, h] (what the window must show),
   "reason": a substring the refusal message must contain}.
Inputs that are properties of the file system rather than of bytes (a folder
named .jpg, an unreadable file, a FIFO) are made by the test itself.
"""
import io
import json
import os
import struct
import sys
import zlib

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from image_synth import png16_bytes, png_chunk, synthetic_photo  # noqa: E402

ORIENTATION_TAG = 0x0112


def encoded(image, fmt, **options):
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def zero_png_bomb(width, height):
    """A greyscale PNG whose IDAT really holds width x height zero pixels,
    compressed to a few hundred KB: decoding it would need the whole canvas
    (400 MB for 20000 x 20000; 1.2 GB once converted to RGB). Compressed row
    by row so this script never holds the canvas either."""
    compressor = zlib.compressobj(9)
    row = bytes(width + 1)  # filter byte + samples
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat)
            + png_chunk(b"IEND", b""))


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    cases = []

    def save(name, data):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)

    def opens(name, data, what, size):
        save(name, data)
        cases.append({"file": name, "what": what, "opens": True, "size": list(size)})

    def refused(name, data, what, reason):
        save(name, data)
        cases.append({"file": name, "what": what, "opens": False, "reason": reason})

    rng = np.random.default_rng(6)
    photo = Image.fromarray(synthetic_photo(160, 120, 6))
    jpeg = encoded(photo, "JPEG", quality=90)
    png = encoded(photo, "PNG")

    refused("empty.jpg", b"", "0 bytes", "file is empty")
    refused("truncated.jpg", jpeg[: len(jpeg) // 2], "truncated JPEG (first half)",
            "file is truncated (the JPEG data ends before its end-of-image marker)")
    refused("truncated.png", png[: len(png) // 2], "truncated PNG (first half)",
            "file is truncated (the PNG data ends before its IEND chunk)")
    # Formats are recognised by content: a wrong extension is no reason to refuse.
    opens("jpeg_named.png", jpeg, "JPEG renamed .png", photo.size)
    opens("png_named.jpg", png, "PNG renamed .jpg", photo.size)
    opens("one_pixel.png", encoded(Image.new("RGB", (1, 1), (200, 30, 90)), "PNG"), "1x1 PNG", (1, 1))
    refused("huge_20000.png", zero_png_bomb(20000, 20000), "20000x20000 PNG (real zero-filled data, ~0.4 MB)",
            "image is too large (20000 x 20000 pixels = 400.0 megapixels; the limit is 200 megapixels)")
    rgb16 = rng.integers(0, 65536, (90, 70, 3), dtype=np.uint16)
    opens("rgb16.png", png16_bytes(rgb16, 2), "16-bit RGB PNG", (70, 90))
    opens("cmyk.jpg", encoded(photo.convert("CMYK"), "JPEG", quality=90), "CMYK JPEG", photo.size)
    opens("palette.png", encoded(photo.convert("P"), "PNG"), "palette PNG", photo.size)
    exif = Image.Exif()
    exif[ORIENTATION_TAG] = 6  # stored landscape, shown rotated 90 degrees clockwise
    opens("exif_rotated.jpg", encoded(photo, "JPEG", quality=90, exif=exif.tobytes()),
          "EXIF orientation 6 JPEG (160x120 stored)", (photo.height, photo.width))
    frames = [Image.fromarray(np.full((40, 60, 3), v, np.uint8)) for v in (20, 120, 220)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    refused("animated.gif", buffer.getvalue(), "animated GIF (3 frames)", "unsupported format (GIF)")
    refused("drawing_svg.png", b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="64" '
            b'height="64"><circle cx="32" cy="32" r="20"/></svg>\n', "SVG renamed .png",
            "unsupported format (SVG vector graphics)")
    noise = bytes(rng.integers(0, 256, 4096, dtype=np.uint8))
    assert not noise.startswith((b"\xff\xd8", b"\x89PNG", b"RIFF", b"BM", b"GIF", b"<"))
    refused("random.jpg", noise, "4 KB of random bytes named .jpg", "not an image (unrecognised content)")
    # The good photo the window falls back to, and a readable copy of what the
    # test makes unreadable.
    save("good.jpg", jpeg)

    with open(os.path.join(out, "cases.json"), "w") as f:
        json.dump(cases, f, indent=1)


if __name__ == "__main__":
    main()
