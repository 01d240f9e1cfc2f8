"""Fixture for guided backpropagation, Guided Grad-CAM and the smoothing
options, each written here from its published formula in plain PyTorch on
random-init torchvision models (seeded_models.seeded_model, as for
make_method_fixtures.py: seeded init, randomised BatchNorm):

  guided backprop   Springenberg et al. 2015 as pytorch-grad-cam's
                    guided_backprop.py does it: every torch.nn.ReLU module
                    replaced by a custom autograd Function whose backward is
                    grad * (x > 0) * (grad > 0); d score / d input by a full
                    backward. Display: max over channels of |g|, / max.
  guided grad-cam   that saliency x the layer's Grad-CAM (hooks, normalised)
                    upsampled with F.interpolate(bilinear, align_corners=False).
  eigen smoothing   pytorch-grad-cam's get_2d_projection of the weighted
                    activations (w*A for Grad-CAM, G*A for HiRes-CAM,
                    relu(G)*A for LayerCAM), the sign that correlates
                    positively with the plain (channel-summed) map.
  test-time aug.    Grad-CAM of the input (resized to round(s*224), bilinear,
                    align_corners=False, then flipped or not) for s in 0.9,
                    1.0, 1.1; each normalised map unflipped, resized to the
                    plain map's size, averaged, / max.

DenseNet-121 (112x112) checks that functional ReLUs are guided too.
Also writes tiny_traced.pt, a traced TorchScript CNN (guided backprop is
refused for TorchScript models).
usage: make_guided_fixtures.py OUT_DIR
"""
import copy
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gradcam_reference import activation_and_gradient  # noqa: E402
from make_method_fixtures import normalised  # noqa: E402
from oracle_io import save_safetensors  # noqa: E402
from seeded_models import random_input, seeded_model, seeded_models  # noqa: E402

MODELS = {"resnet18": ["layer4.1.conv2", "layer3"], "squeezenet1_1": ["features.12.expand3x3", "features.9"]}
AUGMENTATIONS = [(False, 1.0), (True, 1.0), (False, 0.9), (True, 0.9), (False, 1.1), (True, 1.1)]


class GuidedReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (x > 0).type_as(grad) * (grad > 0).type_as(grad)


class GuidedReLUModule(torch.nn.Module):
    def forward(self, x):
        return GuidedReLU.apply(x)


def guided_model(model):
    guided = copy.deepcopy(model)

    def replace(parent):
        for name, child in parent.named_children():
            if isinstance(child, torch.nn.ReLU):
                setattr(parent, name, GuidedReLUModule())
            else:
                replace(child)
    replace(guided)
    return guided.eval()


def every_relu_guided(model, x, score_fn):
    """Guided backprop for a model with functional ReLUs (DenseNet's last
    F.relu, which pytorch-grad-cam's module replacement misses): F.relu itself
    is replaced while the model runs (nn.ReLU calls it too)."""
    original = F.relu
    F.relu = lambda x, inplace=False: GuidedReLU.apply(x)
    try:
        return guided_gradient(model, x, score_fn)
    finally:
        F.relu = original


def guided_gradient(guided, x, score_fn):
    x = x.clone().requires_grad_(True)
    score_fn(guided(x)).backward()
    return x.grad.detach()


def saliency(gradient):
    return gradient[0].abs().amax(dim=0)


def upsample(cam, size):
    return F.interpolate(cam[None, None], size=size, mode="bilinear", align_corners=False)[0, 0]


def projection(weighted):
    c, h, w = weighted.shape[1:]
    x = weighted[0].reshape(c, h * w).T.double().numpy()
    x = x - x.mean(axis=0)
    _, _, vt = np.linalg.svd(x, full_matrices=True)
    v = vt[0] if vt[0].sum() >= 0 else -vt[0]  # positive correlation with the plain map
    p = x @ v
    assert np.dot(p, x.sum(axis=1)) >= 0
    return torch.from_numpy(p.reshape(h, w)).float()


def weighted_activations(method, a, g):
    if method == "gradcam":
        return g.mean(dim=(2, 3), keepdim=True) * a
    if method == "hirescam":
        return g * a
    return torch.relu(g) * a  # layercam


def augment(x, flipped, scale):
    if scale != 1.0:
        size = [int(math.floor(scale * n + 0.5)) for n in x.shape[-2:]]
        x = F.interpolate(x, size=size, mode="bilinear", align_corners=False)
    return x.flip(3) if flipped else x


def align(cam, flipped, size):
    if flipped:
        cam = cam.flip(1)
    return cam if tuple(cam.shape) == tuple(size) else upsample(cam, size)


def grad_cam(model, x, layer, score_fn):
    _, a, g = activation_and_gradient(model, x, layer, score_fn)
    return normalised((g.mean(dim=(2, 3), keepdim=True) * a).sum(dim=1)[0])


def tiny_traced(out_dir):
    torch.manual_seed(5)
    net = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3, padding=1), torch.nn.ReLU(), torch.nn.Conv2d(8, 8, 3, padding=1),
                              torch.nn.ReLU(), torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(),
                              torch.nn.Linear(8, 5)).eval()
    path = os.path.join(out_dir, "tiny_traced.pt")
    torch.jit.save(torch.jit.trace(net, torch.randn(1, 3, 224, 224)), path)
    return path


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(2)
    manifest = []
    for name, layers, model, generator, weights in seeded_models(MODELS, 177, out_dir):
        guided = guided_model(model)
        x, _, (a_class, b_class) = random_input(model, generator, (224, 224), ranks=(0, 3))
        tensors = {"input": x.numpy()}
        cases = []

        def add(kind, method, layer, cls, contrast, value, aug=False, eigen=False):
            key = "%s|%s|%s|%d|%d|%d|%d" % (kind, method, layer, cls, contrast, int(aug), int(eigen))
            tensors[key] = value.numpy()
            cases.append({"kind": kind, "method": method, "layer": layer, "class": cls, "contrast": contrast,
                          "aug_smooth": aug, "eigen_smooth": eigen, "key": key})

        def score_for(cls, contrast=-1):
            return lambda logits: logits[0, cls] - (logits[0, contrast] if contrast >= 0 else 0)

        for cls, contrast in ((a_class, -1), (b_class, -1), (a_class, b_class)):
            gradient = guided_gradient(guided, x, score_for(cls, contrast))
            add("gradient", "guidedbackprop", "", cls, contrast, gradient)
            add("map", "guidedbackprop", "", cls, contrast, normalised(saliency(gradient)))
            for layer in layers:
                cam = grad_cam(model, x, layer, score_for(cls, contrast))
                add("map", "guidedgradcam", layer, cls, contrast, normalised(saliency(gradient) * upsample(cam, (224, 224))))
        for layer in layers:
            _, a, g = activation_and_gradient(model, x, layer, score_for(a_class))
            for method in ("gradcam", "hirescam", "layercam"):
                add("map", method, layer, a_class, -1, normalised(projection(weighted_activations(method, a, g))),
                    eigen=True)
            maps = []
            for flipped, scale in AUGMENTATIONS:
                cam = grad_cam(model, augment(x, flipped, scale), layer, score_for(a_class))
                maps.append(align(cam, flipped, maps[0].shape if maps else cam.shape))
            add("map", "gradcam", layer, a_class, -1, normalised(torch.stack(maps).mean(dim=0)), aug=True)
        save_safetensors(os.path.join(out_dir, name + "_guided.safetensors"), tensors)
        manifest.append({"model": name, "weights": weights, "cases": cases})
    manifest.append(densenet_case(out_dir))
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump({"models": manifest, "torchscript": tiny_traced(out_dir)}, f, indent=1)


def densenet_case(out_dir):
    """DenseNet-121 on a 112x112 input: its last ReLU is functional."""
    model, generator, weights = seeded_model("densenet121", 301, out_dir)
    x = torch.randn(1, 3, 112, 112, generator=generator)
    with torch.no_grad():
        cls = int(model(x)[0].argmax())
    gradient = every_relu_guided(model, x, lambda logits: logits[0, cls])
    key = "gradient|guidedbackprop||%d|-1|0|0" % cls
    save_safetensors(os.path.join(out_dir, "densenet121_guided.safetensors"), {"input": x.numpy(),
                                                                                key: gradient.numpy()})
    return {"model": "densenet121", "weights": weights, "cases": [
        {"kind": "gradient", "method": "guidedbackprop", "layer": "", "class": cls, "contrast": -1,
         "aug_smooth": False, "eigen_smooth": False, "key": key}]}


if __name__ == "__main__":
    main(sys.argv[1])
