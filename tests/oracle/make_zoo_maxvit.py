"""Fixture for the MaxViT parity test (tests/core/tst_zoo_maxvit.cpp).

torchvision 0.14's own MaxVit class at a reduced size (REDUCED below; the
full maxvit_t would make the fixture and the test slow), random weights (std 1/sqrt(fan_in)) with
BatchNorm, LayerNorm and the relative position bias tables randomised too,
saved with torch.save like the official files; a random input of the model's
fixed size; logits; the tutorial's Grad-CAM maps (make_zoo_modern.grad_cams)
at the default layer (the last Conv2d), the last MaxVitLayer and two modules
inside the blocks, for two classes; the module tree; the per-tensor statistics
of torchvision's own initialisation; and, for the full-size maxvit_t
(weights=None, nothing written), every state_dict key with its shape.
usage: make_zoo_maxvit.py OUT_DIR
"""
import json
import os
import sys

import torch
from torchvision.models import maxvit_t
from torchvision.models.maxvit import MaxVit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gradcam_reference import last_conv_name, randomise_batchnorm  # noqa: E402
from make_zoo_modern import (grad_cams, init_stats, map_cases, module_tree, randomise_extras,  # noqa: E402
                             skipped_init)
from oracle_io import save_safetensors  # noqa: E402
from seeded_models import random_input  # noqa: E402

# Small enough for a fast test, large enough to exercise what the full model
# does: two blocks (the second and third layer strided, the first layer of each
# block projects its shortcut through AvgPool2d + Conv2d, the second one of
# block 0 is the identity shortcut), several heads, and partitions whose grid
# step differs from the window size (96 -> stem 48 -> block grids 24 and 12:
# windows of 4×4, grid partitions with p = 6 and 3), so that mixing up the
# window and the grid partitioning changes the result. Input must be square:
# torchvision's grid partition takes its count from the height only.
REDUCED = dict(
    input_size=(96, 96),
    stem_channels=16,
    partition_size=4,
    block_channels=[16, 32],
    block_layers=[2, 1],
    head_dim=8,
    stochastic_depth_prob=0.2,  # the first layer's MBConv has p = 0: nn.Identity, the others StochasticDepth
    num_classes=1000,
)
SEED = 5154

OTHER_LAYERS = [
    "blocks.1.layers.0",  # the last MaxVitLayer
    "blocks.0.layers.1.layers.grid_attention",  # a PartitionAttentionLayer (departitioned, B×C×H×W)
    "blocks.1.layers.0.layers.MBconv",  # MBConv with the AvgPool shortcut
]


def randomise_weights(model, generator):
    """torchvision's init (normal, std 0.02, for every Conv2d and Linear) leaves
    logits of ±0.05 that barely depend on the input and flat or all-zero maps:
    redraw weights with std 1/sqrt(fan_in) and give biases small values."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)):
                fan_in = m.weight[0].numel()
                m.weight.copy_(torch.randn(m.weight.shape, generator=generator) / fan_in ** 0.5)
                if m.bias is not None:
                    m.bias.copy_(torch.randn(m.bias.shape, generator=generator) * 0.1)


def randomise_position_bias(model, generator):
    """trunc_normal_(std 0.02) bias tables barely move the attention: make
    indexing mistakes show in the logits."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("relative_position_bias_table"):
                p.copy_(torch.randn(p.shape, generator=generator) * 0.5)


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(1)  # a shared 2-core machine (see make_zoo_modern.py)
    generator = torch.Generator().manual_seed(SEED)
    torch.manual_seed(SEED)
    model = MaxVit(**REDUCED).eval()
    init = init_stats(model)
    randomise_weights(model, generator)
    randomise_batchnorm(model, generator)
    randomise_extras(model, generator)
    randomise_position_bias(model, generator)
    weights = os.path.join(out_dir, "maxvit_reduced.pth")
    torch.save(model.state_dict(), weights)

    x, logits, classes = random_input(model, generator, REDUCED["input_size"], ranks=(0, 500))
    tensors = {"input": x.numpy(), "logits": logits.numpy()}
    layers = [last_conv_name(model)] + OTHER_LAYERS
    cases = map_cases(grad_cams(model, x, layers, classes), layers, classes, tensors)
    save_safetensors(os.path.join(out_dir, "maxvit_reduced_expected.safetensors"), tensors)

    with skipped_init():  # keys and shapes only
        full = maxvit_t(weights=None)
    parameter_names = {n for n, _ in full.named_parameters()}
    manifest = {
        "config": REDUCED,
        "weights": weights,
        "default_layer": last_conv_name(model),
        "cases": cases,
        "modules": module_tree(model),
        "num_params": sum(p.numel() for p in model.parameters()),
        "init": init,
        "full": {
            "model": "maxvit_t",
            "num_params": sum(p.numel() for p in full.parameters()),
            # state_dict order; "parameter" or "buffer" for the C++ side's two lists
            "keys": [[k, list(v.shape), "parameter" if k in parameter_names else "buffer"]
                     for k, v in full.state_dict().items()],
        },
    }
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
