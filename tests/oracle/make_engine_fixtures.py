"""Fixture for the engine parity tests.

For each architecture: random-init torchvision weights saved with torch.save
exactly like the official files, a random input tensor, and the tutorial's
logits and Grad-CAM maps (tests/oracle/gradcam_reference.py's, computed by
make_zoo_modern.grad_cams) at the default layer and at other layers, for two
classes. Plus end-to-end references from
the demo image file through torchvision's own preprocessing.
usage: make_engine_fixtures.py OUT_DIR
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gradcam_reference import last_conv_name, preprocess  # noqa: E402
from make_zoo_modern import grad_cams, map_cases, ranked_grad_cams  # noqa: E402
from oracle_io import save_safetensors  # noqa: E402
from seeded_models import random_input, seeded_models  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEMO = os.path.join(ROOT, "resources", "demo", "cat_and_coffee.jpg")

# model -> (other layer, ...). Includes blocks and a Sequential, not just convs.
OTHER_LAYERS = {
    "resnet18": ["layer3.1.conv2", "layer4"],
    "resnet34": ["layer4.2"],
    "resnet50": ["layer4.2.conv3", "layer3"],
    "squeezenet1_1": ["features.12.expand3x3", "features.12"],
}


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(2)
    manifest = []
    for name, others, model, generator, weights in seeded_models(OTHER_LAYERS, 1234, out_dir):
        x, logits, classes = random_input(model, generator, (224, 224), ranks=(0, 500))
        tensors = {"input": x.numpy(), "logits": logits.numpy()}
        # One forward for every layer and one backward per class (grad_cams),
        # not one forward and backward per layer and class: the same maps.
        layers = [last_conv_name(model)] + others
        cases = map_cases(grad_cams(model, x, layers, classes), layers, classes, tensors)
        save_safetensors(os.path.join(out_dir, name + "_expected.safetensors"), tensors)

        # End to end from the image file (PIL decode + torchvision transforms):
        # the top class and its map from one forward.
        image = preprocess(DEMO)
        logits_image, (top1,), maps = ranked_grad_cams(model, image, [last_conv_name(model)], (0,))
        cam_image = maps[(last_conv_name(model), top1)]
        save_safetensors(os.path.join(out_dir, name + "_image.safetensors"),
                         {"input": image.numpy(), "logits": logits_image.numpy(), "cam": cam_image.numpy()})
        manifest.append({"model": name, "weights": weights, "default_layer": last_conv_name(model),
                         "cases": cases, "image": DEMO, "image_top1": top1})
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
