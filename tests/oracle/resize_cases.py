"""Reference outputs of Pillow's Image.resize(size, BILINEAR) for tst_pilresize.

Writes <dir>/resize/: input PNGs, expected PNGs and cases.json (one entry per
case: input file or generated pattern, output size, expected file).
"""
import glob
import json
import os

import numpy as np
from PIL import Image

from image_synth import hash_pattern, synthetic_photo

# (input width, input height, output width, output height)
PHOTO_CASES = [
    (451, 300, 224, 224), (600, 400, 224, 224), (1201, 400, 224, 224),
    (225, 224, 224, 224), (224, 225, 224, 224),          # one axis only, by one pixel
    (997, 613, 224, 224), (613, 997, 224, 224),          # primes
    (3, 1000, 224, 224), (1000, 3, 224, 224),            # extreme aspect ratios
    (1, 1, 224, 224), (2, 3, 224, 224), (7, 5, 224, 224), (50, 30, 224, 224), (223, 224, 224, 224),
    (224, 224, 224, 224),                                # identity
    (451, 300, 100, 37), (451, 300, 224, 1), (300, 451, 1, 1), (50, 30, 640, 480),
    (997, 613, 500, 613), (997, 613, 997, 100),          # horizontal only / vertical only
]
PATTERN_SIZE = (4000, 3000)
DEMO_EXTENSIONS = ("*.jpg", "*.jpeg", "*.png")


def _resize(array, width, height):
    return np.asarray(Image.fromarray(array).resize((width, height), Image.BILINEAR))


def _check_torchvision(array):
    """The premise of the C++ resize: torchvision's Resize((224, 224)) on a PIL
    image is Image.resize(BILINEAR). Skipped when torchvision is missing."""
    try:
        import torchvision.transforms as T
    except ImportError:
        return False
    image = Image.fromarray(array)
    ours = np.asarray(image.resize((224, 224), Image.BILINEAR))
    theirs = np.asarray(T.Resize((224, 224))(image))
    if not np.array_equal(ours, theirs):
        raise SystemExit("torchvision Resize((224,224)) differs from PIL resize(BILINEAR)")
    return True


def write(out_dir, demo_dir):
    out = os.path.join(out_dir, "resize")
    os.makedirs(out, exist_ok=True)
    cases = []

    def add(name, array, width, height):
        input_file = f"{name}.png"
        Image.fromarray(array).save(os.path.join(out, input_file))
        expected_file = f"{name}_to_{width}x{height}.png"
        Image.fromarray(_resize(array, width, height)).save(os.path.join(out, expected_file))
        cases.append({"name": f"{name} -> {width}x{height}", "input": input_file,
                      "width": width, "height": height, "expected": expected_file})

    for w, h, ow, oh in PHOTO_CASES:
        # Seeded by size: cases sharing an input size share the input file.
        add(f"photo_{w}x{h}", synthetic_photo(w, h, w * 10007 + h), ow, oh)
    # Uniform noise: every coefficient matters, nothing averages out.
    add("noise_640x480", np.random.default_rng(99).integers(0, 256, (480, 640, 3), np.uint8), 224, 224)
    # A JPEG re-encode: block artefacts and chroma subsampling, like real input.
    jpeg_path = os.path.join(out, "photo_reencoded.jpg")
    Image.fromarray(synthetic_photo(800, 533, 42)).save(jpeg_path, quality=85)
    add("jpeg_800x533", np.asarray(Image.open(jpeg_path).convert("RGB")), 224, 224)
    os.remove(jpeg_path)
    for path in sorted(sum((glob.glob(os.path.join(demo_dir, e)) for e in DEMO_EXTENSIONS), [])):
        stem = os.path.splitext(os.path.basename(path))[0]
        add(f"demo_{stem}", np.asarray(Image.open(path).convert("RGB")), 224, 224)

    pattern_w, pattern_h = PATTERN_SIZE
    pattern = hash_pattern(pattern_w, pattern_h)
    expected_file = f"pattern_{pattern_w}x{pattern_h}_to_224x224.png"
    Image.fromarray(_resize(pattern, 224, 224)).save(os.path.join(out, expected_file))
    cases.append({"name": f"pattern {pattern_w}x{pattern_h} -> 224x224", "pattern": [pattern_w, pattern_h],
                  "width": 224, "height": 224, "expected": expected_file})

    torchvision_checked = _check_torchvision(synthetic_photo(451, 300, 7))
    with open(os.path.join(out, "cases.json"), "w") as f:
        json.dump({"cases": cases, "torchvisionChecked": torchvision_checked}, f, indent=1)
