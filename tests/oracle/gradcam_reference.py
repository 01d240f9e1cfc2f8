"""The Grad-CAM tutorial's algorithm in plain PyTorch, used as the oracle.

Hooks capture the target module's output and its gradient during an ordinary
full backward pass (exactly what the tutorial does, parameter gradients and
all); weights = spatial mean of the gradient; map = ReLU(sum_k w_k A_k) / max.
"""
import torch
import torchvision
from PIL import Image
from torchvision import transforms

MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]


def preprocess(path):
    tf = transforms.Compose([transforms.Resize((224, 224)), transforms.ToTensor(),
                             transforms.Normalize(mean=MEAN, std=STD)])
    return tf(Image.open(path).convert("RGB")).unsqueeze(0)


def last_conv_name(model):
    return [n for n, m in model.named_modules() if isinstance(m, torch.nn.Conv2d)][-1]


def activation_and_gradient(model, x, layer_name, score_fn):
    """The layer's output and its gradient for score_fn(logits), captured by
    hooks during an ordinary full backward pass. Returns (logits, activation,
    gradient), detached."""
    module = dict(model.named_modules())[layer_name]
    saved = {}

    def forward_hook(_m, _inp, out):
        saved["activation"] = out
        out.register_hook(lambda g: saved.__setitem__("gradient", g))

    handle = module.register_forward_hook(forward_hook)
    try:
        model.zero_grad()
        logits = model(x)
        score_fn(logits).backward()
    finally:
        handle.remove()
    return logits.detach(), saved["activation"].detach(), saved["gradient"]


def grad_cam(model, x, layer_name, class_index):
    """Returns (logits, map) for one class; map is HxW float32 in [0,1]."""
    logits, activation, gradient = activation_and_gradient(model, x, layer_name, lambda lg: lg[0, class_index])
    weights = gradient.mean(dim=(2, 3), keepdim=True)
    cam = torch.relu((weights * activation).sum(dim=1))[0]
    top = cam.max()
    cam = cam / top if top > 0 else torch.zeros_like(cam)
    return logits, cam


def build(name, num_classes=1000):
    """A torchvision model with in-place activations switched off.

    With inplace=True, a hooked module whose output is then passed through an
    in-place ReLU (squeezenet's expand3x3) hands the hook the post-ReLU tensor;
    the engine explains the module's real output, so the oracle must too.
    Likewise ReLU6 (Hardtanh), Hardswish and SiLU (MobileNet, EfficientNet).
    """
    model = getattr(torchvision.models, name)(weights=None, num_classes=num_classes)
    for module in model.modules():
        if isinstance(module, (torch.nn.ReLU, torch.nn.Hardtanh, torch.nn.Hardswish, torch.nn.SiLU)):
            module.inplace = False
    return model


def randomise_batchnorm(model, generator):
    """Random-init BN is the identity in eval mode; make it do something."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.copy_(torch.randn(m.num_features, generator=generator) * 0.1)
                m.running_var.copy_(torch.rand(m.num_features, generator=generator) * 0.5 + 0.75)
                m.weight.copy_(torch.rand(m.num_features, generator=generator) * 0.5 + 0.75)
                m.bias.copy_(torch.randn(m.num_features, generator=generator) * 0.1)
                m.num_batches_tracked.fill_(7)
