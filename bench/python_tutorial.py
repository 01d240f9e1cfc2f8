"""The Grad-CAM tutorial pipeline in Python, timed the way the CLI is timed.

usage: python_tutorial.py WEIGHTS IMAGE REPEATS THREADS
Prints one JSON line: per-stage medians over REPEATS runs (ms) and the
process's total wall time including imports and weight loading.
THREADS: 0 keeps torch's default (what a notebook gets: 1 thread here).
"""
import json
import statistics
import sys
import time

start_process = time.perf_counter()
import cv2  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torchvision  # noqa: E402
from PIL import Image  # noqa: E402
from torchvision import transforms  # noqa: E402


def tutorial_model(weights):
    """The tutorial's ResNet-18, transform, and the hooks' captures (saved["a"], saved["g"])."""
    model = torchvision.models.resnet18()
    model.load_state_dict(torch.load(weights))
    model.eval()
    tf = transforms.Compose([transforms.Resize((224, 224)), transforms.ToTensor(),
                             transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
    saved = {}

    def hook(_m, _i, out):
        saved["a"] = out
        out.register_hook(lambda g: saved.__setitem__("g", g))

    model.layer4[1].conv2.register_forward_hook(hook)
    return model, tf, saved


def tutorial_gradcam(model, saved, x):
    """(logits, top-1 index, normalised map) the tutorial's way: a full backward."""
    model.zero_grad()
    logits = model(x)
    index = int(logits.argmax())
    logits[0, index].backward()
    w = saved["g"].mean(dim=(2, 3), keepdim=True)
    cam = torch.relu((w * saved["a"].detach()).sum(1))[0]
    return logits, index, (cam / cam.max() if cam.max() > 0 else cam)


def main(weights, image_path, repeats, threads):
    if threads > 0:
        torch.set_num_threads(threads)
    model, tf, saved = tutorial_model(weights)
    stages = {"decode_preprocess": [], "gradcam": [], "overlay": [], "total": []}
    for _ in range(repeats):
        t0 = time.perf_counter()
        x = tf(Image.open(image_path).convert("RGB")).unsqueeze(0)
        t1 = time.perf_counter()
        cam = tutorial_gradcam(model, saved, x)[2].numpy()
        t2 = time.perf_counter()
        img = cv2.imread(image_path)
        heat = cv2.applyColorMap(np.uint8(255 * cv2.resize(cam, (img.shape[1], img.shape[0]))), cv2.COLORMAP_JET)
        out = cv2.addWeighted(img, 0.6, heat, 0.4, 0)
        cv2.imwrite("/tmp/gce_python_tutorial.png", out)
        t3 = time.perf_counter()
        for k, v in zip(stages, (t1 - t0, t2 - t1, t3 - t2, t3 - t0)):
            stages[k].append(v * 1000)
    result = {k: statistics.median(v) for k, v in stages.items()}
    result["first_total"] = stages["total"][0]
    result["process_wall"] = (time.perf_counter() - start_process) * 1000
    result["threads"] = torch.get_num_threads()
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
