"""Fixture for tst_zoo_classic: the classic CNNs of the model zoo against
Debian's torchvision 0.14 (run with /usr/bin/python3).

usage: make_zoo_classic.py OUT_DIR

For each architecture: a random-init torchvision model (BatchNorm statistics
randomised, in-place ReLUs off: gradcam_reference.build), its state dict
saved with torch.save like the official files, a small random input, the
logits and the tutorial's Grad-CAM maps (make_zoo_modern.grad_cams) at the
default layer (last Conv2d) and at one block/Sequential/other layer, for the
top class and the 11th; torchvision's module list (names and class names)
for the structure check; torchvision's official weight URLs; the standard
deviations of a few freshly initialised parameters (the untrained-init
check). Inputs are
96×96 (64×64 for VGG, whose convolutions dominate the run time): the default
layers' maps are then 3×3 (VGG 4×4). Bottleneck ResNets get their residual
branches damped (damp_residual_branches) so float32 parity is meaningful.

Checkpoints are saved the way torchvision's official files are keyed:
  - densenet121 / densenet169 with the old "denselayerN.norm.1" keys and no
    num_batches_tracked (as the official DenseNet files), densenet161 / 201
    with current keys;
  - googlenet built as googlenet(weights=...) builds it (transform_input on,
    aux heads present when saving, deleted before evaluating), plus a copy
    without aux keys;
Size: VGG's two 4096-wide Linear weights (411 MB + 67 MB of float32 per
model) are saved as overlapping strided views of one small random storage
(W[i, j] = s[3i + j]); torch.save keeps the view, so the files stay small
while the shapes and the values the models compute with are the real ones.
"""
import collections
import json
import os
import re
import sys
import time

import torch
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gradcam_reference import build, last_conv_name, randomise_batchnorm  # noqa: E402
from make_zoo_modern import grad_cams, map_cases  # noqa: E402
from oracle_io import save_safetensors  # noqa: E402

# model -> (input side, other layer). The other layers are blocks, Sequentials
# or activations; never a module whose output torchvision's forward then
# changes in place (DenseNet's features / norm5, GoogLeNet's BasicConv2d.bn),
# where a forward hook sees the modified tensor.
MODELS = collections.OrderedDict([
    ("resnet101", (96, "layer3")),
    ("resnet152", (96, "layer4.1")),
    ("wide_resnet50_2", (96, "layer3")),
    ("resnext50_32x4d", (96, "layer4.0.conv2")),
    ("vgg11", (64, "features.14")),
    ("vgg11_bn", (64, "features.21")),
    ("vgg13", (64, "features.18")),
    ("vgg13_bn", (64, "features.27")),
    ("vgg16", (64, "features.22")),
    ("vgg16_bn", (64, "features")),
    ("vgg19", (64, "features.26")),
    ("vgg19_bn", (64, "features.39")),
    ("densenet121", (96, "features.denseblock3")),
    ("densenet161", (96, "features.transition3")),
    ("densenet169", (96, "features.denseblock2.denselayer12")),
    ("densenet201", (96, "features.denseblock3")),
    ("squeezenet1_0", (96, "features.10")),
    ("googlenet", (96, "inception4e")),
])
OLD_STYLE_DENSENETS = {"densenet121", "densenet169"}
NEW_DENSENET_KEY = re.compile(r"^(.*denselayer\d+\.(?:norm|relu|conv))([12])\.(weight|bias|running_mean|running_var)$")
# torchvision's densenet._load_state_dict pattern (old -> new).
OLD_DENSENET_KEY = re.compile(
    r"^(.*denselayer\d+\.(?:norm|relu|conv))\.((?:[12])\.(?:weight|bias|running_mean|running_var))$")


def make_model(name):
    if name == "googlenet":
        # As googlenet(weights=DEFAULT): transform_input=True, aux heads built
        # (the file has them), init_weights=False (PyTorch's default init).
        model = torchvision.models.GoogLeNet(aux_logits=True, transform_input=True, init_weights=False)
        for module in model.modules():
            if isinstance(module, torch.nn.ReLU):
                module.inplace = False
        return model
    return build(name)


def damp_residual_branches(model, factor=0.3):
    """Scales each Bottleneck's bn3 so random deep ResNets stay well-conditioned.

    Undamped (random BN, no zero_init_residual), ResNet-152's activations
    reach 1e8 and its logits cancel so badly that torch's own float32 results
    differ by 1e-2 between 1 and 2 threads (ResNet-101: 3e-3): no 1e-4 parity
    is possible. Damped by 0.3, both agree with float64 to ~3e-6.
    """
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torchvision.models.resnet.Bottleneck):
                module.bn3.weight.mul_(factor)
                module.bn3.bias.mul_(factor)


def hankel_like(rows, cols, generator, std):
    """A rows x cols view onto rows*3+cols random numbers: W[i, j] = s[3i + j]."""
    storage = torch.randn(3 * rows + cols, generator=generator) * std
    return storage.as_strided((rows, cols), (3, 1))


def old_style(state_dict):
    """The official DenseNet files' keys: "norm.1.weight", no num_batches_tracked, no _metadata."""
    result = collections.OrderedDict()
    for key, value in state_dict.items():
        if key.endswith("num_batches_tracked"):
            continue
        match = NEW_DENSENET_KEY.match(key)
        result[match.group(1) + "." + match.group(2) + "." + match.group(3) if match else key] = value
    return result


def torchvision_load_old_style(name, state_dict):
    """torchvision's _load_state_dict on a file with old keys (sanity check of the fixture)."""
    renamed = collections.OrderedDict()
    for key, value in state_dict.items():
        match = OLD_DENSENET_KEY.match(key)
        renamed[match.group(1) + match.group(2) if match else key] = value
    model = build(name).eval()
    model.load_state_dict(renamed)
    return model


def initialisation_stats(model):
    """Standard deviations of a few parameters as torchvision initialises them."""
    convs = [n for n, m in model.named_modules() if isinstance(m, torch.nn.Conv2d)]
    linear = [n for n, m in model.named_modules() if isinstance(m, torch.nn.Linear)][-1:]
    params = dict(model.named_parameters())
    names = [convs[0] + ".weight", convs[-1] + ".weight"] + [n + suffix for n in linear for suffix in (".weight", ".bias")]
    return {n: float(params[n].detach().double().std()) for n in names}


def release(model):
    """Frees the model's parameters and gradients now.

    grad_cams' tensor hooks close over the hooked outputs, whose graph holds
    the parameters: a cycle through C++ that Python's gc cannot collect, so
    every model's weights and gradients would stay alive (4+ GB by the end).
    """
    with torch.no_grad():
        for tensor in list(model.parameters()) + list(model.buffers()):
            tensor.grad = None
            tensor.data = torch.empty(0, dtype=tensor.dtype)


def module_list(model):
    return [[n, type(m).__name__] for n, m in model.named_modules() if n]


def make_entry(out_dir, index, name, side, other):
    """One architecture: weights, reference tensors; returns its manifest entry."""
    generator = torch.Generator().manual_seed(4321 + index)
    torch.manual_seed(4321 + index)
    model = make_model(name).eval()
    # googlenet(weights=None) initialises with init_weights=True; the fixture's
    # model is built as for the official weights (init_weights=False).
    initialised = model
    if name == "googlenet":
        initialised = torchvision.models.googlenet(weights=None, aux_logits=False, init_weights=True)
    init_std = initialisation_stats(initialised)
    randomise_batchnorm(model, generator)
    if isinstance(model, torchvision.models.ResNet):
        damp_residual_branches(model)
    state = model.state_dict()
    entry = {"model": name, "input_size": side, "init_std": init_std}
    # The official weight files, by torchvision's own registry (DEFAULT first).
    official = torchvision.models.get_model_weights(name)
    entry["official_urls"] = [official.DEFAULT.url] + [w.url for w in official if w.url != official.DEFAULT.url]

    if name.startswith("vgg"):
        with torch.no_grad():
            for i in (0, 3):
                linear = model.classifier[i]
                view = hankel_like(linear.out_features, linear.in_features, generator, 0.01)
                linear.weight.copy_(view)
                state[f"classifier.{i}.weight"] = view
        entry["shared_storage"] = ["classifier.0.weight", "classifier.3.weight"]
    if name in OLD_STYLE_DENSENETS:
        state = old_style(state)
        entry["key_style"] = "old"
        reloaded = torchvision_load_old_style(name, state)
    weights = os.path.join(out_dir, name + ".pth")
    torch.save(state, weights)
    entry["weights"] = weights

    if name == "googlenet":
        entry["aux_keys"] = True
        # What torchvision does after loading the official file.
        model.aux_logits = False
        model.aux1 = None
        model.aux2 = None
        without_aux = os.path.join(out_dir, "googlenet_noaux.pth")
        torch.save(model.state_dict(), without_aux)
        entry["weights_without_aux"] = without_aux

    x = torch.randn(1, 3, side, side, generator=generator)
    tensors = {"input": x.numpy()}
    with torch.no_grad():
        logits = model(x)
        if name in OLD_STYLE_DENSENETS:
            assert torch.equal(reloaded(x), logits), name
    tensors["logits"] = logits.numpy()
    top = logits[0].argsort(descending=True)
    classes = [int(top[0]), int(top[10])]  # the top class and one from a top-k list
    default = last_conv_name(model)
    # One forward for both layers and one backward per class (grad_cams);
    # one grad_cam call per layer and class made 4 forwards and 4 full
    # backwards, ~80% of the fixture's time, for the same maps bit for bit.
    layers = [default, other]
    cases = map_cases(grad_cams(model, x, layers, classes), layers, classes, tensors)
    for case in cases:
        case["size"] = list(tensors[case["key"]].shape)
    save_safetensors(os.path.join(out_dir, name + "_expected.safetensors"), tensors)
    entry.update({"default_layer": default, "cases": cases, "layers": module_list(model)})
    release(model)
    return entry


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    # One thread: Debian's OpenMP build slows down several-fold when its
    # threads compete for shared cores (as under a parallel ctest or build).
    torch.set_num_threads(1)
    manifest = []
    timings = {}
    for index, (name, (side, other)) in enumerate(MODELS.items()):
        start = time.time()
        manifest.append(make_entry(out_dir, index, name, side, other))
        timings[name] = round(time.time() - start, 2)
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    total = sum(os.path.getsize(os.path.join(out_dir, f)) for f in os.listdir(out_dir))
    print("zoo_classic fixture: %.0f MB; seconds per model: %s" % (total / 1e6, timings))


if __name__ == "__main__":
    main(sys.argv[1])
