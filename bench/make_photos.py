"""Photos for dataset runs: crops of the three demo photos at ImageNet-like
sizes (longer side 400-640 px, half of them mirrored, JPEG quality 90), the
same files for the same seed on every machine.

usage: make_photos.py FOLDER COUNT [SEED]
Writes FOLDER/NN/photoNNNNN.jpg (100 per folder). bench/dataset_bench.py
times runs over them; tests/app/tst_slurmarray.cpp shards them.
"""
import os
import random
import sys

from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def make_photos(folder, count, seed=15):
    """Returns the photos' paths in order."""
    sources = [Image.open(os.path.join(ROOT, "resources", "demo", name)).convert("RGB")
               for name in ("chelsea.jpg", "coffee.jpg", "cat_and_coffee.jpg")]
    rng = random.Random(seed)
    paths = []
    for i in range(count):
        source = sources[i % len(sources)]
        w, h = source.size
        cw, ch = rng.randint(w // 3, w), rng.randint(h // 3, h)
        x, y = rng.randint(0, w - cw), rng.randint(0, h - ch)
        scale = rng.randint(400, 640) / max(cw, ch)
        photo = source.crop((x, y, x + cw, y + ch)).resize((max(1, round(cw * scale)), max(1, round(ch * scale))),
                                                           Image.BILINEAR)
        if rng.random() < 0.5:
            photo = photo.transpose(Image.FLIP_LEFT_RIGHT)
        path = os.path.join(folder, "%02d" % (i // 100), "photo%05d.jpg" % i)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        photo.save(path, quality=90)
        paths.append(path)
    return paths


if __name__ == "__main__":
    make_photos(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 15)
