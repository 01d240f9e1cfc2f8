"""Fixture for the Vision Transformer parity tests (tests/core/tst_zoo_vit.cpp).

- vit_b_16 at full size: torchvision 0.14's model with random weights
  (LayerNorms, the class token and the zero-initialised head randomised too,
  so that none is trivial), saved with torch.save like the official files; a
  random 224×224 input; logits; hook-based Grad-CAM maps (the tutorial's
  algorithm on tokens read as a grid, pytorch-grad-cam's reshape_transform)
  at the default layer (the last block's ln_1), at a middle block and at the
  patch embedding; the module tree; torchvision's init statistics.
- vit_b_32, vit_l_16, vit_l_32: the state_dict's keys and shapes only (their
  constructors are the same code with other sizes; no weights are written).
- vit_scripted.pt: a small torchvision VisionTransformer (96×96, patch 16,
  2 blocks) through torch.jit.script, with a sidecar JSON; its logits and maps
  from the eager model, at the default layer and at the first block, and
  every activation-based method's map at the default layer.
usage: make_zoo_vit.py OUT_DIR
"""
import json
import os
import sys

import torch
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gradcam_reference import activation_and_gradient  # noqa: E402
from make_method_fixtures import (ablation_logits, ablationcam, cam_image, normalised, scorecam,  # noqa: E402
                                  scorecam_probabilities)
from make_zoo_modern import (grad_cams, init_stats, map_cases, module_tree, randomise_extras,  # noqa: E402
                             ranked_grad_cams, skipped_init)
from oracle_io import save_safetensors  # noqa: E402
from seeded_models import random_input, seeded_model  # noqa: E402

MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]
SHAPE_ONLY = ["vit_b_32", "vit_l_16", "vit_l_32"]


def as_map(tensor, grid):
    """A layer's output (or its gradient) as 1×C×h×w: tokens (1, 1+h·w, C)
    without the class token, reshaped row by row; a 4-D map as it is."""
    if tensor.dim() == 4:
        return tensor
    h, w = grid
    return tensor[:, 1:, :].reshape(tensor.size(0), h, w, tensor.size(2)).permute(0, 3, 1, 2)


def randomise_vit(init):
    """Records torchvision's init (before anything changes), then gives the
    LayerNorms, the class token and the zero head values that matter."""
    def randomise(model, generator):
        init.update(init_stats(model))
        randomise_extras(model, generator)
        with torch.no_grad():
            model.class_token.copy_(torch.randn(model.class_token.shape, generator=generator) * 0.5)
            head = model.heads.head
            head.weight.copy_(torch.randn(head.weight.shape, generator=generator) * 0.05)
            head.bias.copy_(torch.randn(head.bias.shape, generator=generator) * 0.1)
    return randomise


def cases_for(model, x, layers, classes, grid, tensors):
    """Grad-CAM (make_zoo_modern.grad_cams) on the layers' tokens read as a grid."""
    return map_cases(grad_cams(model, x, layers, classes, lambda t: as_map(t, grid)), layers, classes, tensors)


def as_tokens(maps, output):
    """as_map's inverse for a batch of maps: the class token of `output`
    (repeated), then the grid's tokens row by row."""
    patches = maps.flatten(2).transpose(1, 2)
    return torch.cat([output[:, :1].expand(maps.size(0), -1, -1), patches], dim=1)


def method_cases(model, x, layer, classes, grid, tensors):
    """Every CAM method of the engine that works on activations, on the layer's
    tokens read as a grid (make_method_fixtures.py's formulas)."""
    cases = []
    x = x.clone().requires_grad_(True)  # the parameters are frozen (grad_cams)
    for cls in classes:
        logits, a, g = activation_and_gradient(model, x, layer, lambda lg, cls=cls: lg[0, cls])
        a, g = as_map(a, grid), as_map(g, grid)
        for method in ("gradcam", "gradcam++", "xgradcam", "hirescam", "layercam", "eigencam"):
            key = "%s|%s|%d" % (method, layer, cls)
            tensors[key] = normalised(cam_image(method, a, g)).numpy()
            cases.append({"method": method, "layer": layer, "class": cls, "key": key})
        ablated = ablation_logits(model, x, layer, a, to_output=as_tokens)
        probabilities = scorecam_probabilities(model, x, a)
        for method, cam in (("scorecam", scorecam(probabilities, a, cls)),
                            ("ablationcam", ablationcam(logits, ablated, a, cls))):
            key = "%s|%s|%d" % (method, layer, cls)
            tensors[key] = normalised(cam).numpy()
            cases.append({"method": method, "layer": layer, "class": cls, "key": key})
    return cases


def default_layer(model):
    """The first norm of the block holding the last attention module."""
    names = [n for n, m in model.named_modules() if isinstance(m, torch.nn.MultiheadAttention)]
    block = names[-1].rsplit(".", 1)[0] + "."
    return [n for n, m in model.named_modules() if n.startswith(block) and isinstance(m, torch.nn.LayerNorm)][0]


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(1)  # see make_zoo_modern.py
    manifest = {}

    init = {}
    model, generator, weights = seeded_model("vit_b_16", 6100, out_dir, randomise_vit(init))
    x = torch.randn(1, 3, 224, 224, generator=generator)  # as random_input draws it
    layers = [default_layer(model), "encoder.layers.encoder_layer_5", "conv_proj"]
    # The classes from the maps' own forward pass: a no-grad forward first
    # (random_input) took a quarter of the script's time.
    logits, classes, maps = ranked_grad_cams(model, x, layers, (0, 500), lambda t: as_map(t, (14, 14)))
    tensors = {"input": x.numpy(), "logits": logits.numpy()}
    cases = map_cases(maps, layers, classes, tensors)
    save_safetensors(os.path.join(out_dir, "vit_b_16_expected.safetensors"), tensors)
    manifest["vit_b_16"] = {
        "model": "vit_b_16", "weights": weights, "default_layer": layers[0], "cases": cases,
        "modules": module_tree(model),
        "num_params": sum(p.numel() for p in model.parameters()), "init": init,
    }
    del model

    manifest["shapes"] = {}
    for name in SHAPE_ONLY:
        with skipped_init():  # keys and shapes only
            full = getattr(torchvision.models, name)(weights=None)
        manifest["shapes"][name] = {"keys": [[k, list(v.shape)] for k, v in full.state_dict().items()],
                                    "default_layer": default_layer(full)}
        del full

    # A ViT scripted by its user (the TorchScript path), with its sidecar.
    torch.manual_seed(6200)
    small = torchvision.models.vision_transformer.VisionTransformer(
        image_size=96, patch_size=16, num_layers=2, num_heads=4, hidden_dim=64, mlp_dim=128).eval()
    randomise_vit({})(small, generator)
    scripted = os.path.join(out_dir, "vit_scripted.pt")
    torch.jit.save(torch.jit.script(small), scripted)
    with open(os.path.join(out_dir, "vit_scripted.json"), "w") as f:
        json.dump({"input_size": [96, 96], "mean": MEAN, "std": STD}, f)
    xs, logits_s, classes_s = random_input(small, generator, (96, 96), ranks=(0, 500))
    tensors = {"input": xs.numpy(), "logits": logits_s.numpy()}
    layers = [default_layer(small), "encoder.layers.encoder_layer_0"]
    cases = cases_for(small, xs, layers, classes_s, (6, 6), tensors)
    methods = method_cases(small, xs, layers[0], classes_s, (6, 6), tensors)
    save_safetensors(os.path.join(out_dir, "vit_scripted_expected.safetensors"), tensors)
    manifest["vit_scripted"] = {"model": scripted, "default_layer": layers[0], "cases": cases, "methods": methods}

    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
