"""Fixture for models users bring: TorchScript files and fine-tuned class counts.

Writes, with Debian's PyTorch/torchvision (random init, seeded):
  resnet18_scripted.pt  torch.jit.script(torchvision resnet18), saved with torch.jit.save
  resnet18_traced.pt    torch.jit.trace of the same model
  tinynet.pt            a small scripted 10-class CNN (a Sequential, a module called twice,
                        a functional op, an `if` in forward) with a sidecar tinynet.json
                        (non-square input, its own mean/std) and tinynet_labels.txt
  resnet18_37.pth       torchvision resnet18(num_classes=37) state_dict (torch.save)
and for each the oracle's logits and Grad-CAM maps (tests/oracle/gradcam_reference.py:
forward hooks on the eager model the file was made from), layer names and output shapes.
usage: make_custom_model_fixtures.py OUT_DIR
"""
import json
import os
import sys

import numpy as np
import torch
import torchvision
from PIL import Image
from torchvision import transforms

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gradcam_reference import grad_cam, last_conv_name, randomise_batchnorm  # noqa: E402
from oracle_io import save_safetensors  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEMO = os.path.join(ROOT, "resources", "demo", "cat_and_coffee.jpg")

TINY_SIZE = (64, 80)  # height, width
TINY_MEAN = [0.5, 0.4, 0.3]
TINY_STD = [0.25, 0.2, 0.3]
TINY_LABELS = ["apple", "banana", "cherry", "date", "elderberry", "fig", "grape", "honeydew", "kiwi", "lemon"]


class TinyNet(torch.nn.Module):
    def __init__(self, use_extra: bool = True):
        super().__init__()
        self.stem = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3, padding=1), torch.nn.BatchNorm2d(8),
                                        torch.nn.ReLU())
        self.block = torch.nn.Sequential(torch.nn.Conv2d(8, 16, 3, stride=2, padding=1), torch.nn.ReLU(),
                                         torch.nn.Conv2d(16, 16, 3, padding=1))
        self.act = torch.nn.ReLU()  # called twice
        self.extra = torch.nn.Conv2d(16, 16, 1)
        self.head = torch.nn.Conv2d(16, 24, 3, padding=1)
        self.fc = torch.nn.Linear(24, 10)
        self.use_extra = use_extra

    def forward(self, x):
        x = self.stem(x)
        x = self.act(self.block(x))
        if bool(x.mean() > -1e9):  # data-dependent: stays an `if` in the scripted graph
            x = x + self.extra(x)
        x = self.act(self.head(x))
        x = torch.nn.functional.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.fc(x)


def layer_shapes(model, x):
    shapes = {}
    hooks = [m.register_forward_hook(lambda m, i, o, n=n: shapes.__setitem__(n, list(o.shape)))
             for n, m in model.named_modules() if n]
    with torch.no_grad():
        model(x)
    for h in hooks:
        h.remove()
    return shapes


def cases_for(model, x, layers, classes, tensors):
    cases = []
    for layer in layers:
        for c in classes:
            _, cam = grad_cam(model, x, layer, c)
            key = "cam|%s|%d" % (layer, c)
            tensors[key] = cam.numpy().astype(np.float32)
            cases.append({"layer": layer, "class": c, "key": key})
    return cases


def entry(name, path, model, x, layers, out_dir, extra=None):
    tensors = {"input": x.numpy()}
    with torch.no_grad():
        logits = model(x)
    tensors["logits"] = logits.numpy()
    top = logits[0].argsort(descending=True)
    classes = [int(top[0]), int(top[len(top) // 2])]
    cases = cases_for(model, x, layers, classes, tensors)
    save_safetensors(os.path.join(out_dir, name + "_expected.safetensors"), tensors)
    result = {"model": name, "path": path, "default_layer": last_conv_name(model), "cases": cases,
              "layers": [n for n, _ in model.named_modules() if n],
              "shapes": layer_shapes(model, x), "classes": int(logits.shape[1])}
    result.update(extra or {})
    return result


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(2)
    generator = torch.Generator().manual_seed(4321)
    torch.manual_seed(4321)
    manifest = []

    # A torchvision ResNet-18 as users script or trace it (in-place ReLUs kept).
    resnet = torchvision.models.resnet18(weights=None).eval()
    randomise_batchnorm(resnet, generator)
    x = torch.randn(1, 3, 224, 224, generator=generator)
    layers = ["layer4.1.conv2", "layer3.1.conv2", "layer4", "layer2.0", "layer4.0.downsample"]
    scripted = os.path.join(out_dir, "resnet18_scripted.pt")
    torch.jit.save(torch.jit.script(resnet), scripted)
    manifest.append(entry("resnet18_scripted", scripted, resnet, x, layers, out_dir))
    traced = os.path.join(out_dir, "resnet18_traced.pt")
    torch.jit.save(torch.jit.trace(resnet, torch.randn(1, 3, 224, 224, generator=generator)), traced)
    manifest.append(entry("resnet18_traced", traced, resnet, x, layers, out_dir))

    # A custom 10-class CNN with its sidecar and labels.
    tiny = TinyNet().eval()
    randomise_batchnorm(tiny, generator)
    tiny_path = os.path.join(out_dir, "tinynet.pt")
    torch.jit.save(torch.jit.script(tiny), tiny_path)
    with open(os.path.join(out_dir, "tinynet_labels.txt"), "w") as f:
        f.write("\n".join(TINY_LABELS) + "\n")
    with open(os.path.join(out_dir, "tinynet.json"), "w") as f:
        json.dump({"input_size": list(TINY_SIZE), "mean": TINY_MEAN, "std": TINY_STD,
                   "labels": "tinynet_labels.txt"}, f)
    xt = torch.randn(1, 3, *TINY_SIZE, generator=generator)
    tf = transforms.Compose([transforms.Resize(TINY_SIZE), transforms.ToTensor(),
                             transforms.Normalize(mean=TINY_MEAN, std=TINY_STD)])
    image = tf(Image.open(DEMO).convert("RGB")).unsqueeze(0)
    with torch.no_grad():
        image_logits = tiny(image)
    save_safetensors(os.path.join(out_dir, "tinynet_image.safetensors"),
                     {"input": image.numpy(), "logits": image_logits.numpy()})
    manifest.append(entry("tinynet", tiny_path, tiny, xt, ["head", "block", "block.2", "stem"], out_dir,
                          {"labels": TINY_LABELS, "input_size": list(TINY_SIZE), "image": DEMO,
                           "control_flow_layer": "extra"}))

    # A fine-tuned torchvision architecture with 37 classes, as a state_dict.
    resnet37 = torchvision.models.resnet18(weights=None, num_classes=37).eval()
    randomise_batchnorm(resnet37, generator)
    path37 = os.path.join(out_dir, "resnet18_37.pth")
    torch.save(resnet37.state_dict(), path37)
    with open(os.path.join(out_dir, "pets37.txt"), "w") as f:
        f.write("\n".join("breed %d" % i for i in range(37)) + "\n")
    manifest.append(entry("resnet18_37", path37, resnet37, x, ["layer4.1.conv2"], out_dir,
                          {"labels_file": os.path.join(out_dir, "pets37.txt")}))

    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
