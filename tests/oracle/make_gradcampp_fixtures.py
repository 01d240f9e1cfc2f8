"""Fixture for Grad-CAM++ with trained weights, where pytorch-grad-cam's eps
is not negligible: the bundled SqueezeNet 1.1 (real ImageNet weights) on the
three demo photos, the tutorial's preprocessing, at features.12 and
features.9, each photo's top class and its 4th. The reference is the paper's
formula in float64 without eps (make_method_fixtures.weights_gradcampp).
Also writes how far the eps forms move the map (stats.json), as measured
figures for the README.

usage: make_gradcampp_fixtures.py OUT_DIR
"""
import json
import os
import sys

import torch
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gradcam_reference import activation_and_gradient, preprocess  # noqa: E402
from make_method_fixtures import normalised, weights_gradcampp  # noqa: E402
from oracle_io import save_safetensors  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WEIGHTS = os.path.join(ROOT, "resources", "models", "squeezenet1_1-imagenet.pth")
PHOTOS = ("chelsea.jpg", "coffee.jpg", "cat_and_coffee.jpg")
LAYERS = ("features.12", "features.9")


def with_eps(eps):
    """pytorch-grad-cam's form: g^2 / (2 g^2 + sum(A) g^3 + eps), 0 where g = 0."""
    def weights(a, g):
        g2, g3 = g ** 2, g ** 3
        alpha = g2 / (2 * g2 + a.sum(dim=(2, 3), keepdim=True) * g3 + eps)
        alpha = torch.where(g != 0, alpha, torch.zeros_like(alpha))
        return (torch.relu(g) * alpha).sum(dim=(2, 3), keepdim=True)
    return weights


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(2)
    model = torchvision.models.squeezenet1_1()
    model.load_state_dict(torch.load(WEIGHTS))
    for module in model.modules():  # the activation is the module's own output, as the engine taps it
        if isinstance(module, torch.nn.ReLU):
            module.inplace = False
    model.eval()
    tensors, cases = {}, []
    moved = {"eps 1e-7": 0.0, "eps 1e-6": 0.0}
    for photo in PHOTOS:
        x = preprocess(os.path.join(ROOT, "resources", "demo", photo))
        tensors["input|" + photo] = x.numpy()
        with torch.no_grad():
            order = model(x)[0].argsort(descending=True)
        for layer in LAYERS:
            for cls in (int(order[0]), int(order[3])):
                _, a, g = activation_and_gradient(model, x, layer, lambda lg, cls=cls: lg[0, cls])
                exact = normalised((weights_gradcampp(a, g) * a.double()).sum(dim=1)[0])
                key = "%s|%s|%d" % (photo, layer, cls)
                tensors[key] = exact.float().numpy()
                cases.append({"photo": photo, "layer": layer, "class": cls, "key": key})
                for name, eps in (("eps 1e-7", 1e-7), ("eps 1e-6", 1e-6)):
                    approx = normalised((with_eps(eps)(a, g) * a).sum(dim=1)[0]).double()
                    moved[name] = max(moved[name], float((approx - exact).abs().max()))
    save_safetensors(os.path.join(out_dir, "gradcampp_real.safetensors"), tensors)
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump({"weights": WEIGHTS, "cases": cases, "eps_moves_map_by": moved}, f, indent=1)
    print(json.dumps(moved))


if __name__ == "__main__":
    main(sys.argv[1])
