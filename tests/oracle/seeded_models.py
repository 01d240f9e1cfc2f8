"""The random-init models and inputs of the parity fixtures (engine, methods,
guided, zoo_modern), one recipe for all of them so that their weights and
inputs stay reproducible from a seed alone.

Each model has its own seed: torch's global generator (which torchvision's
init draws from) is reset to it, and a torch.Generator seeded with it draws
everything the script adds afterwards (BatchNorm statistics, inputs).
"""
import os

import torch

from gradcam_reference import build, randomise_batchnorm


def seeded_model(name, seed, out_dir, randomise=randomise_batchnorm):
    """torchvision's `name` (gradcam_reference.build: in-place activations
    off) in eval mode, `randomise(model, generator)` applied (by default
    randomise_batchnorm: random-init BatchNorm is the identity), its state dict
    saved with torch.save like the official files, as OUT_DIR/<name>.pth.
    Returns (model, generator, weights path); the generator is left where
    randomise stopped, for the script's inputs."""
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    model = build(name).eval()
    randomise(model, generator)
    weights = os.path.join(out_dir, name + ".pth")
    torch.save(model.state_dict(), weights)
    return model, generator, weights


def seeded_models(models, first_seed, out_dir):
    """seeded_model for each entry of `models` (name -> anything, e.g. the
    layers to explain), seeded first_seed, first_seed + 1, ... in order.
    Yields (name, the entry's value, model, generator, weights path)."""
    for index, (name, value) in enumerate(models.items()):
        yield (name, value) + seeded_model(name, first_seed + index, out_dir)


def random_input(model, generator, size, ranks):
    """A (1, 3, H, W) input of `size` drawn from `generator`. Returns (x, its
    logits, the classes at `ranks` in the model's order of scores, best
    first)."""
    x = torch.randn(1, 3, *size, generator=generator)
    with torch.no_grad():
        logits = model(x)
    return x, logits, ranked_classes(logits, ranks)


def ranked_classes(logits, ranks):
    """The classes at `ranks` in the order of the (1, classes) logits, best first."""
    top = logits[0].argsort(descending=True)
    return [int(top[rank]) for rank in ranks]
