"""Fixture for the CAM-family tests: each method written from its published
formula in plain PyTorch (hooks, full backward, as a notebook would), on
random-init torchvision models. Every map is ReLU(cam) / max (zeros when the
max is 0), the engine's shared pipeline.

Score-CAM and Ablation-CAM run one pass per channel; to keep this script
quick their cases use a 112x112 input ("input_small"; ~4x cheaper passes).
usage: make_method_fixtures.py OUT_DIR
"""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gradcam_reference import activation_and_gradient  # noqa: E402
from oracle_io import save_safetensors  # noqa: E402
from seeded_models import random_input, seeded_models  # noqa: E402

MODELS = {"resnet18": ["layer4.1.conv2", "layer3"], "squeezenet1_1": ["features.12.expand3x3", "features.9"]}


def weights_gradcam(a, g):
    return g.mean(dim=(2, 3), keepdim=True)


def weights_gradcampp(a, g):
    """The paper's alpha = g^2 / (2 g^2 + sum(A) g^3) as written, in float64
    and without the eps that pytorch-grad-cam adds to the denominator (with
    trained weights g^2 is ~1e-8 and the eps would dominate). 0 where it is
    undefined: g = 0 (0/0) or a zero denominator."""
    a, g = a.double(), g.double()
    g2, g3 = g ** 2, g ** 3
    denominator = 2 * g2 + a.sum(dim=(2, 3), keepdim=True) * g3
    defined = (g != 0) & (denominator != 0)
    alpha = torch.where(defined, g2 / torch.where(defined, denominator, torch.ones_like(denominator)),
                        torch.zeros_like(g))
    return (torch.relu(g) * alpha).sum(dim=(2, 3), keepdim=True)


def weights_xgradcam(a, g):
    return (g * a).sum(dim=(2, 3), keepdim=True) / (a.sum(dim=(2, 3), keepdim=True) + 1e-7)


def eigencam(a):
    c, h, w = a.shape[1:]
    x = a[0].reshape(c, h * w).T.double()
    x = x - x.mean(dim=0, keepdim=True)
    _, _, vt = np.linalg.svd(x.numpy(), full_matrices=False)
    p = x.numpy() @ vt[0]
    if vt[0].sum() < 0:  # the projection of centred points sums to 0: the component's sum picks the sign
        p = -p
    return torch.from_numpy(p.reshape(h, w)).float()


def cam_image(method, a, g):
    if method in ("gradcam", "gradcam++", "xgradcam"):
        w = {"gradcam": weights_gradcam, "gradcam++": weights_gradcampp, "xgradcam": weights_xgradcam}[method](a, g)
        return (w * a.to(w.dtype)).sum(dim=1)[0].float()
    if method == "hirescam":
        return (g * a).sum(dim=1)[0]
    if method == "layercam":
        return (torch.relu(g) * a).sum(dim=1)[0]
    return eigencam(a)


def scorecam_probabilities(model, x, a, chunk=32):
    """Score-CAM's scores as its authors' code computes them (haofanwang/
    Score-CAM, cam/scorecam.py): each channel upsampled (bilinear), min-max
    normalised, masks the input; row k = softmax of the masked input's logits
    (all classes: the class only picks a column). Constant channels are
    skipped (row of zeros). The masked inputs run `chunk` at a time."""
    with torch.no_grad():
        rows = torch.zeros(a.shape[1], model(x).shape[1])
    masks, kept = [], []
    for k in range(a.shape[1]):
        m = torch.nn.functional.interpolate(a[:, k:k + 1], size=x.shape[-2:], mode="bilinear", align_corners=False)
        if m.max() == m.min():
            continue
        masks.append((m - m.min()) / (m.max() - m.min()))
        kept.append(k)
    with torch.no_grad():
        for begin in range(0, len(kept), chunk):
            batch = torch.cat(masks[begin:begin + chunk])
            rows[kept[begin:begin + chunk]] = torch.softmax(model(x * batch), dim=1)
    return rows


def scorecam(probabilities, a, cls):
    """cam = sum_k softmax(f(X * M_k))_c A_k."""
    return (probabilities[:, cls][None, :, None, None] * a).sum(dim=1)[0]


def ablation_logits(model, x, layer, a, chunk=64, to_output=lambda maps, output: maps):
    """Logits with channel k of the layer's output set to 0, row k: a forward
    hook replaces the output with ablated copies (input repeated), no grad.
    `a` is the output read as a map; to_output(maps, output) turns ablated maps
    back into the layer's own layout (tokens, for a transformer)."""
    module = dict(model.named_modules())[layer]
    channels = a.shape[1]
    rows = []
    for begin in range(0, channels, chunk):
        end = min(channels, begin + chunk)
        ablated = a.repeat(end - begin, 1, 1, 1)
        for i in range(end - begin):
            ablated[i, begin + i] = 0
        handle = module.register_forward_hook(lambda _m, _i, out, ablated=ablated: to_output(ablated, out))
        try:
            with torch.no_grad():
                rows.append(model(x.expand(end - begin, -1, -1, -1)))
        finally:
            handle.remove()
    return torch.cat(rows)


def ablationcam(logits, ablated, a, cls):
    """Desai & Ramaswamy: w_k = (y_c - y_c^k) / y_c."""
    y = logits[0, cls]
    w = (y - ablated[:, cls]) / y
    return (w[None, :, None, None] * a).sum(dim=1)[0]


def normalised(cam):
    cam = torch.relu(cam)
    top = cam.max()
    return cam / top if top > 0 else torch.zeros_like(cam)


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(2)
    manifest = []
    for name, layers, model, generator, weights in seeded_models(MODELS, 77, out_dir):
        x, _, (a_class, b_class) = random_input(model, generator, (224, 224), ranks=(0, 3))
        tensors = {"input": x.numpy()}
        cases = []
        queries = [(a_class, -1, False), (b_class, -1, False), (a_class, b_class, False), (a_class, -1, True)]
        for layer in layers:
            for cls, contrast, counter in queries:
                def score(logits, cls=cls, contrast=contrast, counter=counter):
                    s = logits[0, cls] - (logits[0, contrast] if contrast >= 0 else 0)
                    return -s if counter else s
                _, a, g = activation_and_gradient(model, x, layer, score)
                for method in ("gradcam", "gradcam++", "xgradcam", "hirescam", "layercam", "eigencam"):
                    if method == "eigencam" and (contrast >= 0 or counter or cls != a_class):
                        continue  # class-agnostic: one case per layer is enough
                    key = "%s|%s|%d|%d|%d" % (method, layer, cls, contrast, int(counter))
                    tensors[key] = normalised(cam_image(method, a, g)).numpy()
                    cases.append({"method": method, "layer": layer, "class": cls, "contrast": contrast,
                                  "counterfactual": counter, "key": key})
        # Score-based methods, on the small input.
        x_small = torch.randn(1, 3, 112, 112, generator=generator)
        tensors["input_small"] = x_small.numpy()
        with torch.no_grad():
            order = model(x_small)[0].argsort(descending=True)
        for layer in layers:
            logits, a, _ = activation_and_gradient(model, x_small, layer, lambda lg: lg[0, 0])
            ablated = ablation_logits(model, x_small, layer, a)
            probabilities = scorecam_probabilities(model, x_small, a)
            for cls in (int(order[0]), int(order[3])):
                for method in ("scorecam", "ablationcam"):
                    if method == "scorecam":
                        cam = scorecam(probabilities, a, cls)
                    else:
                        cam = ablationcam(logits, ablated, a, cls)
                    key = "%s|%s|%d|-1|0" % (method, layer, cls)
                    tensors[key] = normalised(cam).numpy()
                    cases.append({"method": method, "layer": layer, "class": cls, "contrast": -1,
                                  "counterfactual": False, "key": key, "input": "input_small"})
        save_safetensors(os.path.join(out_dir, name + "_methods.safetensors"), tensors)
        manifest.append({"model": name, "weights": weights, "cases": cases})
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
