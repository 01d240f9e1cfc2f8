"""Reference overlays for tst_overlay, drawn exactly as the Grad-CAM tutorial
does with cv2 (in BGR; the C++ side works in RGB and compares after a swap):

    heat = cv2.resize(cam, (W, H))
    heat = cv2.applyColorMap(np.uint8(255 * heat), cv2.COLORMAP_JET)
    out  = cv2.addWeighted(img, 1 - alpha, heat, alpha, 0)

Writes <dir>/overlay/: images (PNG), maps (.npy float32), expected overlays
and color bars (PNG, RGB), and cases.json.
"""
import json
import os

import cv2
import numpy as np

from image_synth import synthetic_photo

COLORMAPS = {"jet": cv2.COLORMAP_JET, "turbo": cv2.COLORMAP_TURBO, "viridis": cv2.COLORMAP_VIRIDIS,
             "inferno": cv2.COLORMAP_INFERNO, "magma": cv2.COLORMAP_MAGMA, "gray": None}
IMAGE_SIZES = [(451, 300), (224, 224), (97, 61)]
EXTRA_ALPHAS = [0.0, 0.25, 0.7, 1.0]
BAR_SIZE = (256, 12)


def colorize(grey, colormap):
    code = COLORMAPS[colormap]
    return np.dstack([grey] * 3) if code is None else cv2.applyColorMap(grey, code)


def tutorial_overlay(image_bgr, cam, colormap, alpha):
    height, width = image_bgr.shape[:2]
    heat = cv2.resize(cam, (width, height))
    heat = colorize(np.uint8(255 * heat), colormap)
    return cv2.addWeighted(image_bgr, 1 - alpha, heat, alpha, 0)


def normalised(cam):
    cam = cam - cam.min()
    return (cam / cam.max()).astype(np.float32)


def make_maps(rng):
    """Grad-CAM-like maps: a smooth 7x7 (ResNet layer4), a random 14x14 and a
    non-square one, all scaled to [0, 1] like the tutorial's."""
    y, x = np.mgrid[0:7, 0:7].astype(np.float64)
    blob = np.exp(-((x - 4.2) ** 2 + (y - 2.1) ** 2) / 3.0) + 0.6 * np.exp(-((x - 1.0) ** 2 + (y - 5.0) ** 2) / 1.5)
    return {"blob7x7": normalised(blob),
            "random14x14": normalised(rng.uniform(0, 1, (14, 14))),
            "wide9x5": normalised(rng.uniform(0, 1, (5, 9)) ** 2)}


def write(out_dir):
    out = os.path.join(out_dir, "overlay")
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(11)
    maps = make_maps(rng)
    for name, cam in maps.items():
        np.save(os.path.join(out, name + ".npy"), cam)

    cases = []
    for index, (width, height) in enumerate(IMAGE_SIZES):
        image_name = f"image_{width}x{height}.png"
        rgb = synthetic_photo(width, height, 100 + index)
        cv2.imwrite(os.path.join(out, image_name), rgb[..., ::-1])
        for map_name, cam in maps.items():
            runs = [(c, 0.4) for c in COLORMAPS]
            if index == 0 and map_name == "blob7x7":
                runs += [("jet", a) for a in EXTRA_ALPHAS]
            for colormap, alpha in runs:
                expected = f"overlay_{width}x{height}_{map_name}_{colormap}_{alpha}.png"
                result = tutorial_overlay(rgb[..., ::-1].copy(), cam, colormap, alpha)
                cv2.imwrite(os.path.join(out, expected), result)
                cases.append({"image": image_name, "map": map_name + ".npy", "colormap": colormap,
                              "alpha": alpha, "expected": expected})

    bars = []
    bar_width, bar_height = BAR_SIZE
    ramp = np.arange(bar_width, dtype=np.float32) / np.float32(bar_width - 1)
    for colormap in COLORMAPS:
        bar = np.repeat(colorize(np.uint8(255 * ramp)[None, :], colormap), bar_height, axis=0)
        name = f"bar_{colormap}.png"
        cv2.imwrite(os.path.join(out, name), bar)
        bars.append({"colormap": colormap, "width": bar_width, "height": bar_height, "expected": name})

    with open(os.path.join(out, "cases.json"), "w") as f:
        json.dump({"overlays": cases, "bars": bars}, f, indent=1)
