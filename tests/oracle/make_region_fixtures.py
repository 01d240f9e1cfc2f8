"""Fixture for region ranking ("what is here?", core/cam/classmaps.h and
core/cam/regionranking.h).

Each class's raw Grad-CAM map is computed one class at a time, as any
Grad-CAM script would (one backward pass per class through the recorded
tail), resized to the photo with cv2.resize (bilinear, as the overlay), and
averaged over each region; share is the region's part of the resized map's
sum. Seeded random ResNet-18 and SqueezeNet 1.1 at two layers each (the last
convolution, where the engine's closed form applies, and a layer before a
convolution, where it runs the batched backward), on three photos and three
regions (a point, a small box, the whole photo); XGrad-CAM and HiRes-CAM on
one photo, from the same gradients.
usage: make_region_fixtures.py OUT_DIR
"""
import json
import os
import sys

import cv2
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gradcam_reference import preprocess  # noqa: E402
from oracle_io import save_safetensors  # noqa: E402
from seeded_models import seeded_models  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PHOTOS = [os.path.join(ROOT, "resources", "demo", name)
          for name in ("cat_and_coffee.jpg", "chelsea.jpg", "coffee.jpg")]

# model -> [(layer, photos, methods)]: Grad-CAM on every photo at the last
# convolution or the block after it (the engine's closed form) and on one
# photo at a layer before a convolution (its batched backward); XGrad-CAM and
# HiRes-CAM once, from the same gradients. XGrad-CAM divides by each channel's
# sum, which at a convolution's output (both signs) can nearly cancel and
# turn a 1e-7 change of the activation into 2e-3 of a score: its case is at
# the last block's output, after a ReLU.
CASES = {
    "resnet18": [("layer4", PHOTOS[:1], ["gradcam", "xgradcam", "hirescam"]),
                 ("layer4.1.conv2", PHOTOS[1:], ["gradcam"]),
                 ("layer4.1.conv1", PHOTOS[:1], ["gradcam"])],
    "squeezenet1_1": [("classifier.1", PHOTOS, ["gradcam"]), ("features.12", PHOTOS[:1], ["gradcam"])],
}


def regions(width, height):
    """A point, a small box, the whole photo: (x, y, w, h) in pixels."""
    return [(width // 3, height // 2, 0, 0), (width // 5, height // 4, width // 6, height // 5),
            (0, 0, width, height)]


def raw_maps(model, x, layer, methods):
    """method -> [h x w per class]: ReLU of each class's map, one backward
    pass per class (shared by the methods)."""
    saved = {}

    def leaf(_module, _inputs, out):  # the tail is recorded from here on
        saved["a"] = out.detach().requires_grad_(True)
        return saved["a"]

    handle = dict(model.named_modules())[layer].register_forward_hook(leaf)
    try:
        logits = model(x)
    finally:
        handle.remove()
    a = saved["a"]
    maps = {method: [] for method in methods}
    for c in range(logits.shape[1]):
        g, = torch.autograd.grad(logits[0, c], a, retain_graph=True)
        for method in methods:
            if method == "gradcam":
                cam = (g.mean((2, 3), keepdim=True) * a).sum(1)
            elif method == "xgradcam":
                cam = ((g * a).sum((2, 3), keepdim=True) / (a.sum((2, 3), keepdim=True) + 1e-7) * a).sum(1)
            else:  # hirescam
                cam = (g * a).sum(1)
            maps[method].append(torch.relu(cam[0]).detach().numpy())
    return maps


def scores(maps, size, boxes):
    """Per box: (here, share) over the classes. Each map is resized once."""
    width, height = size
    here = np.zeros((len(boxes), len(maps)))
    share = np.zeros((len(boxes), len(maps)))
    for c, m in enumerate(maps):
        up = cv2.resize(m.astype(np.float32), (width, height), interpolation=cv2.INTER_LINEAR).astype(np.float64)
        total = up.sum()
        for b, (x, y, w, h) in enumerate(boxes):
            w, h = max(1, w), max(1, h)
            inside = up[y:y + h, x:x + w].sum()
            here[b, c] = inside / (w * h)
            share[b, c] = inside / total if total > 0 else 0.0
    return here, share


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(2)
    manifest = []
    tensors = {}
    for name, cases, model, _generator, weights in seeded_models(CASES, 4321, out_dir):
        for p in model.parameters():
            p.requires_grad_(False)  # only d(logit)/d(activation) is needed
        for layer, photos, methods in cases:
            for photo in photos:
                x = preprocess(photo)
                size = cv2.imread(photo).shape[1::-1]
                boxes = regions(*size)
                for method, maps in raw_maps(model, x, layer, methods).items():
                    here, share = scores(maps, size, boxes)
                    for b, region in enumerate(boxes):
                        key = "%s|%s|%s|%s|%s" % (name, layer, method, os.path.basename(photo),
                                                   ",".join(map(str, region)))
                        tensors[key + "|here"] = here[b]
                        tensors[key + "|share"] = share[b]
                        manifest.append({"model": name, "weights": weights, "layer": layer, "method": method,
                                         "image": photo, "region": list(region), "key": key})
    save_safetensors(os.path.join(out_dir, "expected.safetensors"), tensors)
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
