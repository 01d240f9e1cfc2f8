"""Fixture for the modern-architecture parity tests (tests/core/tst_zoo_modern.cpp).

For each architecture (MobileNet V2/V3, EfficientNet B0-B3, ConvNeXt-Tiny,
RegNet-Y-400MF): torchvision 0.14's model with random weights (BatchNorm,
LayerNorm and ConvNeXt's layer_scale randomised too, so that none is the
identity), saved with torch.save like the official files; a small random
non-square input; logits; the tutorial's Grad-CAM maps
(gradcam_reference.py) at the default layer and at two other layers (a block
and a module inside one) for two classes; the module tree (names and class
names); and per-tensor statistics of torchvision's own initialisation
(for checking initialiseLikeTorchvision()).
usage: make_zoo_modern.py OUT_DIR
"""
import contextlib
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gradcam_reference import last_conv_name, randomise_batchnorm  # noqa: E402
from oracle_io import save_safetensors  # noqa: E402
from seeded_models import random_input, ranked_classes, seeded_model  # noqa: E402

# Every architecture allows this size (ConvNeXt needs >= 32); non-square to
# catch height/width mix-ups. Stride-32 networks end at 4×3.
INPUT_SIZE = (128, 96)

# model -> other layers: a block (or stage) and a module inside a block. None of
# them is modified in place by torchvision afterwards (MBConv and
# InvertedResidual V3 do `result += input` on their `block` output), so the
# hooks see the module's own output.
OTHER_LAYERS = {
    "mobilenet_v2": ["features.13", "features.16.conv.1"],
    "mobilenet_v3_large": ["features.12", "features.13.block.2", "features.16.1"],
    "mobilenet_v3_small": ["features.10", "features.1.block.1"],
    "efficientnet_b0": ["features.6", "features.5.2.block.2"],
    "efficientnet_b1": ["features.6", "features.4.1.block.1.2"],
    "efficientnet_b2": ["features.6"],
    "efficientnet_b3": ["features.6", "features.7.1"],
    "convnext_tiny": ["features.5", "features.6.0", "features.7.1"],
    "regnet_y_400mf": ["trunk_output.block3", "trunk_output.block2.block2-1.f.se", "stem"],
}


def randomise_extras(model, generator):
    """LayerNorm (ConvNeXt's LayerNorm2d too) and layer_scale are 1/0 and 1e-6
    at init: give them values that matter."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.LayerNorm):
                m.weight.copy_(torch.rand(m.weight.shape, generator=generator) * 0.5 + 0.75)
                m.bias.copy_(torch.randn(m.bias.shape, generator=generator) * 0.1)
            if hasattr(m, "layer_scale") and isinstance(m.layer_scale, torch.nn.Parameter):
                m.layer_scale.copy_(torch.rand(m.layer_scale.shape, generator=generator) * 0.5 + 0.25)


def randomise_recording_init(init):
    """seeded_model's randomise step for these models: records torchvision's
    own initialisation (init_stats, before anything is randomised) in `init`,
    then randomises BatchNorm, LayerNorm and layer_scale."""
    def randomise(model, generator):
        init.update(init_stats(model))
        randomise_batchnorm(model, generator)
        randomise_extras(model, generator)
    return randomise


def module_tree(model):
    """named_modules() without the root: [name, class name] in order."""
    return [[n, type(m).__name__] for n, m in model.named_modules() if n]


def map_cases(maps, layers, classes, tensors, prefix="cam"):
    """Stores each (layer, class) map of grad_cams as float32 under
    "<prefix>|layer|class" in `tensors`; returns the manifest's cases."""
    cases = []
    for layer in layers:
        for c in classes:
            key = "%s|%s|%d" % (prefix, layer, c)
            tensors[key] = maps[(layer, c)].numpy().astype(np.float32)
            cases.append({"layer": layer, "class": c, "key": key})
    return cases


def grad_cams(model, x, layers, classes, as_map=lambda t: t):
    """gradcam_reference.grad_cam (the tutorial's hooks and map) for several
    layers and classes, sharing the forward pass: the hooks capture every layer
    at once and each class is one backward (retain_graph); the parameters are
    frozen (the input requires grad instead), so backward skips the weight
    gradients. Bit-identical to one grad_cam call per layer and class (checked
    when this was written), at a fraction of the fixture's time. as_map(t)
    reads a layer's output (and its gradient) as 1×C×h×w: the identity for CNN
    layers; tokens or channels-last for transformers (make_zoo_vit.py,
    make_zoo_swin.py). Returns {(layer, class): HxW map}."""
    return _grad_cams(model, x, layers, lambda _logits: classes, as_map)[2]


def ranked_grad_cams(model, x, layers, ranks, as_map=lambda t: t):
    """grad_cams for the classes at `ranks` of the model's own scores for x
    (seeded_models.random_input's choice), taken from grad_cams' forward pass
    instead of a no-grad forward of their own: for the full-size transformers,
    whose forward alone takes ~13 s (ViT-B/16) under Debian's generic BLAS.
    The logits are those of the no-grad forward bit for bit (checked when this
    was written). Returns (logits, classes, {(layer, class): HxW map})."""
    return _grad_cams(model, x, layers, lambda logits: ranked_classes(logits, ranks), as_map)


def _grad_cams(model, x, layers, choose, as_map):
    """grad_cams with the classes chosen from the logits: choose(logits).
    Returns (logits, classes, maps)."""
    for p in model.parameters():
        p.requires_grad_(False)
    x = x.clone().requires_grad_(True)
    modules = dict(model.named_modules())
    saved = {layer: {} for layer in layers}
    handles = []
    for layer in layers:
        def forward_hook(_m, _inp, out, entry=saved[layer]):
            entry["activation"] = out
            out.register_hook(lambda g: entry.__setitem__("gradient", g))
        handles.append(modules[layer].register_forward_hook(forward_hook))
    try:
        logits = model(x)
    finally:
        for handle in handles:
            handle.remove()
    classes = choose(logits.detach())
    maps = {}
    for c in classes:
        logits[0, c].backward(retain_graph=True)
        for layer in layers:
            activation = as_map(saved[layer]["activation"].detach())
            weights = as_map(saved[layer]["gradient"]).mean(dim=(2, 3), keepdim=True)
            cam = torch.relu((weights * activation).sum(dim=1))[0]
            top = cam.max()
            maps[(layer, c)] = cam / top if top > 0 else torch.zeros_like(cam)
    return logits.detach(), classes, maps


@contextlib.contextmanager
def skipped_init():
    """torch.nn.init's functions do nothing inside: for building full-size
    models whose state_dict keys and shapes, module tree and parameter count
    are all a fixture records (make_zoo_vit.py, make_zoo_swin.py,
    make_zoo_maxvit.py). Their values are never read, and drawing them took
    most of those scripts' time (the six full Swin models: ~23 s)."""
    names = [n for n in dir(torch.nn.init) if n.endswith("_") and not n.startswith("_")]
    saved = {n: getattr(torch.nn.init, n) for n in names}
    try:
        for n in names:
            setattr(torch.nn.init, n, lambda tensor, *_args, **_kwargs: tensor)
        yield
    finally:
        for n, f in saved.items():
            setattr(torch.nn.init, n, f)


def init_stats(model):
    """Mean and mean absolute deviation of every floating-point tensor of a
    freshly initialised model. (Not the standard deviation: trunc_normal_ can
    draw erfinv(-1) = -inf, clamped to -2 = 100 sigma, which alone moves the std
    of a ConvNeXt weight by 0.5%.)"""
    stats = {}
    for key, value in model.state_dict().items():
        if value.is_floating_point():
            v = value.double()
            mean = v.mean()
            stats[key] = [float(mean), float((v - mean).abs().mean()), int(v.numel())]
    return stats


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    # One thread: on a shared 2-core machine two OpenMP threads that compete with
    # other jobs spin at every barrier (measured 9 s vs 64 s for this script).
    torch.set_num_threads(1)
    manifest = []
    for index, (name, others) in enumerate(OTHER_LAYERS.items()):
        init = {}  # torchvision's own init, recorded by the randomise step
        model, generator, weights = seeded_model(name, 4321 + index, out_dir, randomise_recording_init(init))
        x, logits, classes = random_input(model, generator, INPUT_SIZE, ranks=(0, 500))
        tensors = {"input": x.numpy(), "logits": logits.numpy()}
        layers = [last_conv_name(model)] + others
        cases = map_cases(grad_cams(model, x, layers, classes), layers, classes, tensors)
        save_safetensors(os.path.join(out_dir, name + "_expected.safetensors"), tensors)
        manifest.append({
            "model": name,
            "weights": weights,
            "default_layer": last_conv_name(model),
            "cases": cases,
            "modules": module_tree(model),
            "num_params": sum(p.numel() for p in model.parameters()),
            "init": init,
        })
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
