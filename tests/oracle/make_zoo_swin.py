"""Fixture for the Swin Transformer parity tests (tests/core/tst_zoo_swin.cpp).

Reduced models (torchvision 0.14's own SwinTransformer class at a small size,
so the test runs in seconds), one per block version: V1 (swin_t's recipe:
SwinTransformerBlock, PatchMerging, window 7) and V2 (swin_v2_t's:
SwinTransformerBlockV2, PatchMergingV2, window 8). The input size is chosen so
that every code path of shifted_window_attention runs: feature maps padded to
whole windows, shifted in both directions, shifted in one direction only
(window >= padded height), not shifted (window larger than the map), and
PatchMerging padding an odd size. Random init plus randomised LayerNorms,
Linear biases (V2 zeroes the key bias in forward), position-bias tables and
V2's logit_scale (some above the clamp at log 100). Saved with torch.save.

Recorded per reduced model: its config, logits, the module tree, the
parameter count, torchvision's init statistics, Grad-CAM maps ("cases") at
layers whose output is channels-first N×C×H×W, and ("token_cases") at
channels-last (B,H,W,C) layers: the hooked activation and gradient permuted to
(B,C,H,W) before the usual Grad-CAM. For the full swin_t/s/b and
swin_v2_t/s/b (weights=None, nothing written): state_dict keys with shapes,
the module tree and the parameter count. For swin_t at full size
("full_maps"): randomised weights saved like the official file, logits and
maps at the default token layer and a middle block at 224×224.
usage: make_zoo_swin.py OUT_DIR
"""
import json
import os
import sys

import torch
from torchvision.models import swin_transformer as swin

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_zoo_modern import (grad_cams, init_stats, map_cases, module_tree, ranked_grad_cams,  # noqa: E402
                             skipped_init)
from oracle_io import save_safetensors  # noqa: E402
from seeded_models import random_input  # noqa: E402

# Stride 4 -> 26×34 (padded to windows, shifted both ways), 13×17 (odd: PatchMerging
# pads), 7×9 (V1: padded height 7 = window, so only the width shifts; V2: 8×16,
# likewise), 4×5 (window larger than the map: no shift).
INPUT_SIZE = (104, 136)

REDUCED = {
    "swin_t": {"version": 1, "patch_size": [4, 4], "embed_dim": 32, "depths": [2, 2, 2, 2],
               "num_heads": [2, 2, 4, 4], "window_size": [7, 7], "stochastic_depth_prob": 0.2},
    "swin_v2_t": {"version": 2, "patch_size": [4, 4], "embed_dim": 32, "depths": [2, 2, 2, 2],
                  "num_heads": [2, 2, 4, 4], "window_size": [8, 8], "stochastic_depth_prob": 0.2},
}

# Channels-first N×C×H×W outputs: the patch embedding's conv and the Permute
# after the final norm.
CHANNELS_FIRST_LAYERS = ["permute", "features.0.0"]
# Channels-last (B,H,W,C): the last block's norm1 (the default layer of the
# transformers rule), a middle stage's last block, an attention module (its output).
TOKEN_LAYERS = ["features.7.1.norm1", "features.5.1", "features.3.0.attn"]

FULL = ["swin_t", "swin_s", "swin_b", "swin_v2_t", "swin_v2_s", "swin_v2_b"]


def build_reduced(config):
    v2 = config["version"] == 2
    extra = {"block": swin.SwinTransformerBlockV2, "downsample_layer": swin.PatchMergingV2} if v2 else {}
    return swin.SwinTransformer(
        patch_size=config["patch_size"], embed_dim=config["embed_dim"], depths=config["depths"],
        num_heads=config["num_heads"], window_size=config["window_size"],
        stochastic_depth_prob=config["stochastic_depth_prob"], **extra)


def randomise(model, generator):
    """Random-init LayerNorms are 1/0, Linear biases 0, the position tables tiny:
    give them values that matter."""
    def rand(shape, scale, offset=0.0):
        return torch.rand(shape, generator=generator) * scale + offset

    def randn(shape, scale):
        return torch.randn(shape, generator=generator) * scale

    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.LayerNorm):
                m.weight.copy_(rand(m.weight.shape, 0.5, 0.75))
                m.bias.copy_(randn(m.bias.shape, 0.1))
            elif isinstance(m, torch.nn.Linear) and m.bias is not None:
                m.bias.copy_(randn(m.bias.shape, 0.1))
            if isinstance(m, swin.ShiftedWindowAttentionV2):
                # exp(logit_scale) in [e, e^5]: some heads above the clamp at 100.
                m.logit_scale.copy_(rand(m.logit_scale.shape, 4.0, 1.0))
                m.cpb_mlp[0].weight.copy_(randn(m.cpb_mlp[0].weight.shape, 1.0))
                m.cpb_mlp[2].weight.copy_(randn(m.cpb_mlp[2].weight.shape, 0.1))
            elif isinstance(m, swin.ShiftedWindowAttention):
                m.relative_position_bias_table.copy_(randn(m.relative_position_bias_table.shape, 0.5))


def channels_first(tensor):
    """A channels-last (B,H,W,C) output or gradient as (B,C,H,W)."""
    return tensor.permute(0, 3, 1, 2)


def reduced_entry(name, config, seed, out_dir):
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    model = build_reduced(config).eval()
    init = init_stats(model)
    randomise(model, generator)
    weights = os.path.join(out_dir, name + "_reduced.pth")
    torch.save(model.state_dict(), weights)
    x, logits, classes = random_input(model, generator, INPUT_SIZE, ranks=(0, 500))
    tensors = {"input": x.numpy(), "logits": logits.numpy()}
    lists = {
        "cases": map_cases(grad_cams(model, x, CHANNELS_FIRST_LAYERS, classes), CHANNELS_FIRST_LAYERS, classes,
                           tensors),
        "token_cases": map_cases(grad_cams(model, x, TOKEN_LAYERS, classes, channels_first), TOKEN_LAYERS, classes,
                                 tensors, prefix="tokencam"),
    }
    save_safetensors(os.path.join(out_dir, name + "_expected.safetensors"), tensors)
    last_stage = "features.%d" % (2 * len(config["depths"]) - 1)
    return {
        "model": name,
        "config": config,
        "weights": weights,
        # The transformers rule: the first norm of the last transformer block.
        "default_layer": "%s.%d.norm1" % (last_stage, config["depths"][-1] - 1),
        "cases": lists["cases"],
        "token_cases": lists["token_cases"],
        "modules": module_tree(model),
        "num_params": sum(p.numel() for p in model.parameters()),
        "init": init,
    }


def full_entry(name):
    with skipped_init():  # keys, shapes, modules and parameter count only
        model = getattr(swin, name)(weights=None)
    return {
        "model": name,
        "keys": [[k, list(v.shape)] for k, v in model.state_dict().items()],
        "modules": module_tree(model),
        "num_params": sum(p.numel() for p in model.parameters()),
    }


def full_maps_entry(name, seed, out_dir):
    """The full-size model by name (randomised as the reduced ones), 224×224,
    Grad-CAM at the default token layer (the last block's norm1) and at a
    middle block: what a user loading torchvision's file gets."""
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    model = getattr(swin, name)(weights=None).eval()
    randomise(model, generator)
    weights = os.path.join(out_dir, name + ".pth")
    torch.save(model.state_dict(), weights)
    x = torch.randn(1, 3, 224, 224, generator=generator)  # as random_input draws it
    layers = ["features.7.1.norm1", "features.5.2"]
    # The classes from the maps' own forward pass (no extra no-grad forward).
    logits, classes, maps = ranked_grad_cams(model, x, layers, (0, 500), channels_first)
    tensors = {"input": x.numpy(), "logits": logits.numpy()}
    cases = map_cases(maps, layers, classes, tensors, prefix="tokencam")
    save_safetensors(os.path.join(out_dir, name + "_full_expected.safetensors"), tensors)
    return {"model": name, "weights": weights, "default_layer": layers[0], "cases": cases}


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    # One thread: see make_zoo_modern.py.
    torch.set_num_threads(1)
    manifest = {
        "reduced": [reduced_entry(name, config, 9876 + i, out_dir) for i, (name, config) in enumerate(REDUCED.items())],
        "full": [full_entry(name) for name in FULL],
        "full_maps": [full_maps_entry("swin_t", 9900, out_dir)],
    }
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
