"""The fastest ResNet-18 forward PyTorch itself offers on this machine, per
image: the floor under any exact Score-CAM here, which needs one whole
forward per masked input (512 at layer4).

usage: python_forward_floor.py THREADS
torch.jit.optimize_for_inference (freezing, conv+BN folding, conv+ReLU
fusion, oneDNN blocked layouts with prepacked weights) on a scripted
torchvision ResNet-18 (random init: timing does not depend on trained
values), batches of 1, 8, 16 and 32 masked-size inputs (1x3x224x224 each), no
autograd. Prints one JSON line: the best per-image time over the batch sizes
(ms), the time of 512 such forwards (ms), and batch 1's best and mean time
over 50 forwards (ms): the target for our own batch-1 forward (issue 18),
whose Google Benchmark figure is a mean.
"""
import json
import sys
import time

import torch
import torchvision


def per_image_ms(model, batch, repeats=4):
    """(best, mean) of `repeats` forwards, per image."""
    x = torch.randn(batch, 3, 224, 224)
    with torch.no_grad():
        model(x)
        model(x)  # the optimised graph specialises on its first runs
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            model(x)
            times.append(time.perf_counter() - start)
    return min(times) * 1000 / batch, sum(times) / len(times) * 1000 / batch


def main(threads):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = torch.jit.optimize_for_inference(torch.jit.script(torchvision.models.resnet18().eval()))
    timed = {batch: per_image_ms(model, batch, repeats=(50 if batch == 1 else 4)) for batch in (1, 8, 16, 32)}
    per_batch = {batch: best for batch, (best, _) in timed.items()}
    best = min(per_batch.values())
    print(json.dumps({"forward_ms_per_image": best, "by_batch": per_batch, "passes_512_ms": best * 512,
                      "batch1_ms": per_batch[1], "batch1_mean_ms": timed[1][1],
                      "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main(int(sys.argv[1]))
