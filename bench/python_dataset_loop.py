"""The seed tutorial's Grad-CAM in a Python loop over a dataset's files.

usage: python_dataset_loop.py WEIGHTS LIST OUT.jsonl THREADS
What a notebook user writes to explain a folder: the tutorial's pipeline
(bench/python_tutorial.py: PIL decode, Resize((224, 224)), hooks on
layer4.1.conv2, a full backward per image) for every path in LIST, one JSON
line per image (top-1 class, probability, map values) appended to OUT.jsonl,
as gradcam-cli --input writes its manifest. THREADS: 0 keeps torch's default.
Prints one JSON line: images, seconds, images per second.
"""
import json
import os
import sys
import time

import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from python_tutorial import tutorial_gradcam, tutorial_model  # noqa: E402


def main(weights, list_path, out_path, threads):
    if threads > 0:
        torch.set_num_threads(threads)
    model, tf, saved = tutorial_model(weights)
    paths = [line.strip() for line in open(list_path) if line.strip()]
    start = time.perf_counter()
    with open(out_path, "w") as out:
        for path in paths:
            x = tf(Image.open(path).convert("RGB")).unsqueeze(0)
            logits, index, cam = tutorial_gradcam(model, saved, x)
            probability = float(torch.softmax(logits.detach()[0], 0)[index])
            out.write(json.dumps({"image": path, "class_index": index, "probability": probability,
                                  "heatmap": cam.flatten().tolist()}) + "\n")
    seconds = time.perf_counter() - start
    print(json.dumps({"images": len(paths), "seconds": seconds, "images_per_s": len(paths) / seconds,
                      "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
