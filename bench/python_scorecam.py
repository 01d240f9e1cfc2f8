"""Score-CAM the way torch-cam and the Score-CAM authors run it, in Python on
Debian's torch: the baseline for gce-bench's ScoreCam/Layer4 in the same run.

usage: python_scorecam.py BATCH REPEATS THREADS
ResNet-18 (random init: timing does not depend on trained values), target
layer4, a 224x224 input. Every channel's activation is upsampled (bilinear),
min-max normalised, multiplies the input, and the masked inputs run through
the whole network, BATCH at a time (1 = the authors' loop, unbatched;
torch-cam's ScoreCAM defaults to 32); weight = softmax probability of the class.
Prints one JSON line: the median time of one map (ms) over REPEATS runs.
"""
import json
import statistics
import sys
import time

import torch
import torchvision


def score_cam(model, x, cls, batch, activation):
    with torch.no_grad():
        a = activation["a"]
        masks = torch.nn.functional.interpolate(a.transpose(0, 1), size=x.shape[-2:], mode="bilinear",
                                                align_corners=False)
        flat = masks.flatten(1)
        low, high = flat.min(1).values, flat.max(1).values
        masks = (masks - low[:, None, None, None]) / (high - low + 1e-8)[:, None, None, None]
        weights = torch.zeros(a.shape[1])
        for begin in range(0, a.shape[1], batch):
            end = min(a.shape[1], begin + batch)
            weights[begin:end] = torch.softmax(model(x * masks[begin:end]), dim=1)[:, cls]
        return torch.relu((weights[None, :, None, None] * a).sum(1))[0]


def main(batch, repeats, threads):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = torchvision.models.resnet18().eval()
    x = torch.randn(1, 3, 224, 224)
    activation = {}
    handle = model.layer4.register_forward_hook(lambda _m, _i, out: activation.__setitem__("a", out.detach()))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        with torch.no_grad():
            cls = int(model(x).argmax())  # the forward that captures the activation
        handle.remove()  # the masked passes must not overwrite it
        score_cam(model, x, cls, batch, activation)
        times.append((time.perf_counter() - start) * 1000)
        handle = model.layer4.register_forward_hook(lambda _m, _i, out: activation.__setitem__("a", out.detach()))
    print(json.dumps({"scorecam_ms": statistics.median(times), "batch": batch, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
