"""Dataset runs (gradcam-cli --input): throughput and memory, ResNet-18.

usage: dataset_bench.py BUILD_DIR [--quick]   (report.py runs it too)
 - The photos: bench/make_photos.py's crops of the demo photos at ImageNet-like
   sizes, the same files in every run. 1,000 of them (200 with --quick).
 - images/s of gradcam-cli --input at --batch-size 1, 8 and 16 (top-1 map per
   image, manifest with the map values; process start and model loading
   included), against the forward-only throughput at the same batch
   (gce-bench Forward/Batch/N: the network alone on tensors, no decoding) and
   against the tutorial's Python loop over the same files
   (bench/python_dataset_loop.py), all measured in this run.
 - Peak RSS of a run over 100 and over 5,000 images (1,000 with --quick).
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from make_photos import make_photos  # noqa: E402
from report import gce_bench, timed_process  # noqa: E402

BATCHES = (1, 8, 16)


def cli_run(build, weights, data, out, batch):
    """(images/s, peak RSS MB) of one dataset run."""
    cli = os.path.join(build, "app", "cli", "gradcam-cli")
    wall, rss, _ = timed_process([cli, "--input", data, "--out-dir", out, "--weights", weights,
                                  "--batch-size", str(batch), "--quiet"])
    with open(os.path.join(out, "results.jsonl")) as manifest:
        lines = sum(1 for _ in manifest)
    return lines / (wall / 1000.0), rss


def run(build, weights, quick, tmp):
    count = 200 if quick else 1000
    many = 1000 if quick else 5000
    data = os.path.join(tmp, "photos")
    paths = make_photos(data, many)
    small = os.path.join(tmp, "photos-small")  # the first `count` and the first 100, as folders of their own
    tiny = os.path.join(tmp, "photos-100")
    for folder, n in ((small, count), (tiny, 100)):
        for path in paths[:n]:
            target = os.path.join(folder, os.path.relpath(path, data))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            os.link(path, target)

    engine = gce_bench(build, {}, 1.0 if quick else 3.0, "^Forward/Batch/")
    rows, raw = [], {"photos": count, "forward_ms": engine, "cli": {}, "python": {}, "rss_mb": {}}
    for batch in BATCHES:
        rate, _ = cli_run(build, weights, small, os.path.join(tmp, "out-b%d" % batch), batch)
        forward_rate = batch / (engine["Forward/Batch/%d" % batch] / 1000.0)
        raw["cli"][batch] = rate
        rows.append(("Dataset run, batch %d (%d photos)" % (batch, count), "%.1f img/s" % rate,
                     "%.2fx forward-only at batch %d (%.1f img/s; target >= 0.8x)" % (rate / forward_rate, batch,
                                                                                   forward_rate)))
    listing = os.path.join(tmp, "list.txt")
    with open(listing, "w") as f:
        f.write("\n".join(paths[:count]) + "\n")
    best = max(raw["cli"].values())
    for threads in (0, os.cpu_count()):
        _, _, out = timed_process(["/usr/bin/python3", os.path.join(HERE, "python_dataset_loop.py"), weights,
                                   listing, os.path.join(tmp, "python-%d.jsonl" % threads), str(threads)])
        result = json.loads(out)
        raw["python"][threads] = result
        rows.append(("Python tutorial loop, %d thread(s)" % result["threads"], "%.1f img/s" % result["images_per_s"],
                     "dataset run (best batch) is %.1fx faster (target >= 5x)" % (best / result["images_per_s"])))
    for n, folder in ((100, tiny), (many, data)):
        _, rss = cli_run(build, weights, folder, os.path.join(tmp, "out-rss-%d" % n), 8)
        raw["rss_mb"][n] = rss
    rows.append(("Dataset run peak RSS, 100 images", "%.0f MB" % raw["rss_mb"][100], "baseline"))
    rows.append(("Dataset run peak RSS, %d images" % many, "%.0f MB" % raw["rss_mb"][many],
                 "%.3fx the 100-image run (target <= 1.10x)" % (raw["rss_mb"][many] / raw["rss_mb"][100])))
    return rows, raw


def main(build, quick):
    tmp = tempfile.mkdtemp(prefix="gce-dataset-bench-")
    weights = os.path.join(tmp, "resnet18.pth")
    subprocess.run(["/usr/bin/python3", "-c",
                    "import torch, torchvision; torch.save(torchvision.models.resnet18().state_dict(), '%s')" % weights],
                   check=True)
    rows, raw = run(build, weights, quick, tmp)
    width = max(len(r[0]) for r in rows)
    print("\nDataset runs (ResNet-18, %d cores)" % os.cpu_count())
    for name, value, note in rows:
        print("  %-*s  %12s  %s" % (width, name, value, note))
    json.dump(raw, open(os.path.join(build, "bench-dataset.json"), "w"), indent=1)


if __name__ == "__main__":
    main(sys.argv[1], "--quick" in sys.argv)
