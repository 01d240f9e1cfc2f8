"""Runs every benchmark of the engine and prints figures with their baselines.

usage: report.py BUILD_DIR [--quick]
All ratios compare two measurements taken in this same run on this machine.
 - gce-bench (Google Benchmark): forward-only vs Grad-CAM tensor->map, extra
   class, the tutorial's full backward in C++, overlay and preprocessing of a
   4000x3000 image; once with the allocator tuning and once without.
 - gradcam-cli end to end (process start to exit, one image, overlay written)
   and its peak RSS.
 - the explorer window (bench/gui_bench.cpp, offscreen): class switch, opacity,
   open-to-overlay, peak memory with 4 panes.
 - the tutorial's Python pipeline (bench/python_tutorial.py) on Debian's torch,
   with torch's default thread count and with the machine's cores.
 - Score-CAM and Ablation-CAM (gce-bench) as multiples of the forward pass,
   Score-CAM the torch-cam way in Python (bench/python_scorecam.py, unbatched
   and torch-cam's batch of 32), the floor under any exact Score-CAM here
   (bench/python_forward_floor.py: 512 of PyTorch's fastest forwards), and the cancel latency of a running Score-CAM
   in the explorer's worker (gce-cancel-latency).
 - each architecture's inference form (gce-inference-forms): build cost, plain
   vs fast forward (issue 18); a scripted ResNet-18's map pass with and
   without LibTorch's optimised prefix graph; ResNet-18's forward against
   LibTorch's optimize_for_inference in one process, interleaved
   (gce-forward-parity).
 - dataset runs (bench/dataset_bench.py): gradcam-cli --input images/s at batch
   1/8/16 against forward-only and the tutorial's Python loop, peak RSS at 100
   and 5,000 images.
"""
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
IMAGE = os.path.join(ROOT, "resources", "demo", "cat_and_coffee.jpg")
# Architectures whose inference form (bench/inference_forms.cpp) is reported.
FORM_MODELS = ["resnet18", "resnet50", "squeezenet1_1", "googlenet", "densenet121", "vgg16_bn",
               "mobilenet_v3_large", "efficientnet_b0", "regnet_y_400mf", "convnext_tiny"]


def gce_bench(build, env_extra, min_time, only=None):
    env = dict(os.environ, **env_extra)
    out = subprocess.run([os.path.join(build, "bench", "gce-bench"), "--benchmark_format=json",
                          "--benchmark_min_time=%g" % min_time] +
                         (["--benchmark_filter=" + only] if only else []), env=env, check=True,
                         capture_output=True, text=True).stdout
    return {re.sub(r"/(min_time|iterations):.*", "", b["name"]): b["real_time"]
            for b in json.loads(out)["benchmarks"]}


def timed_process(cmd):
    """(wall ms, peak RSS MB, stdout) of one run of cmd; exits on failure."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        process = subprocess.Popen(cmd, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        wall = (time.perf_counter() - start) * 1000
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            err.seek(0)
            raise SystemExit("failed: %s\n%s" % (" ".join(cmd), err.read()))
        out.seek(0)
        return wall, usage.ru_maxrss / 1024.0, out.read()


def main(build, quick):
    runs = 3 if quick else 7
    min_time = 0.5 if quick else 2.0
    tmp = tempfile.mkdtemp(prefix="gce-bench-")
    weights = os.path.join(tmp, "resnet18.pth")
    subprocess.run(["/usr/bin/python3", "-c",
                    "import torch, torchvision; torch.save(torchvision.models.resnet18().state_dict(), '%s')" % weights],
                   check=True)

    tuned = gce_bench(build, {}, min_time)
    # The score-based methods take seconds each: timed once, tuned.
    untuned = gce_bench(build, {"GCE_NO_MALLOPT": "1"}, min_time, "^(Forward|GradCam)")

    cli = os.path.join(build, "app", "cli", "gradcam-cli")
    overlay = os.path.join(tmp, "overlay.png")
    cli_cmd = [cli, "--image", IMAGE, "--weights", weights, "--overlay", overlay]
    cli_walls, cli_rss = [], []
    for _ in range(runs):
        wall, rss, _ = timed_process(cli_cmd)
        cli_walls.append(wall)
        cli_rss.append(rss)

    gui = json.loads(subprocess.run([os.path.join(build, "bench", "gce-gui-bench"), IMAGE,
                                     os.path.join(ROOT, "resources", "demo", "chelsea.jpg")],
                                    check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])

    py = {}
    for threads in (0, os.cpu_count()):
        walls = []
        for _ in range(max(2, runs // 2)):
            wall, _, _ = timed_process(["/usr/bin/python3", os.path.join(HERE, "python_tutorial.py"), weights,
                                          IMAGE, "1", str(threads)])
            walls.append(wall)
        _, _, steady = timed_process(["/usr/bin/python3", os.path.join(HERE, "python_tutorial.py"), weights, IMAGE,
                                      str(runs + 2), str(threads)])
        py[threads] = {"process_wall": statistics.median(walls), "steady": json.loads(steady)}

    threads = str(os.cpu_count())
    py_scorecam = {batch: json.loads(subprocess.run(
        ["/usr/bin/python3", os.path.join(HERE, "python_scorecam.py"), str(batch), "1" if quick else "2", threads],
        check=True, capture_output=True, text=True).stdout) for batch in (1, 32)}
    floor = json.loads(subprocess.run(["/usr/bin/python3", os.path.join(HERE, "python_forward_floor.py"), threads],
                                      check=True, capture_output=True, text=True).stdout)
    cancel = json.loads(subprocess.run([os.path.join(build, "bench", "gce-cancel-latency"), IMAGE,
                                        "5" if quick else "9"],
                                       check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])

    fwd = tuned["Forward/NoGrad"]
    rows = [
        ("Forward only (no autograd), plain modules", "%.1f ms" % fwd, "baseline"),
        ("Grad-CAM tensor -> map", "%.1f ms" % tuned["GradCam/TensorToMap"],
         "%.2fx forward (target <= 1.3x)" % (tuned["GradCam/TensorToMap"] / fwd)),
        ("Each extra class, same image", "%.2f ms" % tuned["GradCam/ExtraClass"], "target < 2 ms"),
        ("Tutorial's full backward, C++", "%.1f ms" % tuned["Tutorial/FullBackward"],
         "%.1fx our tensor -> map" % (tuned["Tutorial/FullBackward"] / tuned["GradCam/TensorToMap"])),
        ("ViT-B/16 forward only", "%.1f ms" % tuned["ViT-B16/Forward/NoGrad"],
         "%.2fx ResNet-18's forward" % (tuned["ViT-B16/Forward/NoGrad"] / fwd)),
        ("ViT-B/16 Grad-CAM tensor -> map (last block's ln_1)", "%.1f ms" % tuned["ViT-B16/GradCam/TensorToMap"],
         "%.2fx its forward" % (tuned["ViT-B16/GradCam/TensorToMap"] / tuned["ViT-B16/Forward/NoGrad"])),
        ("ViT-B/16 each extra class", "%.2f ms" % tuned["ViT-B16/GradCam/ExtraClass"],
         "%.3fx its forward" % (tuned["ViT-B16/GradCam/ExtraClass"] / tuned["ViT-B16/Forward/NoGrad"])),
        ("Region ranking, 1000 classes at layer4.1.conv2", "%.1f ms" % tuned["Region/AllClasses/layer4.1.conv2"],
         "%.1fx one class's tail backward (%.2f ms); target < 300 ms"
         % (tuned["Region/AllClasses/layer4.1.conv2"] / tuned["Region/OneClass/layer4.1.conv2"],
            tuned["Region/OneClass/layer4.1.conv2"])),
        ("Region ranking, 1000 classes at layer3", "%.0f ms" % tuned["Region/AllClasses/layer3"],
         "%.0fx one class's tail backward (%.2f ms); target < 1000 ms"
         % (tuned["Region/AllClasses/layer3"] / tuned["Region/OneClass/layer3"], tuned["Region/OneClass/layer3"])),
        ("Region ranking, a further box (1201x400 photo)", "%.3f ms" % tuned["Region/FurtherBox"],
         "no pass through the network"),
        ("Forward, batch 1, through the inference form", "%.1f ms" % tuned["Forward/Batch/1"],
         "%.2fx faster than the plain modules; %.2fx PyTorch's optimize_for_inference at batch 1, mean to mean "
         "(%.1f ms; its best single pass %.1f ms)"
         % (fwd / tuned["Forward/Batch/1"], tuned["Forward/Batch/1"] / floor["batch1_mean_ms"],
            floor["batch1_mean_ms"], floor["batch1_ms"])),
        ("Forward, batch 8, per image, through the inference form", "%.1f ms" % (tuned["Forward/Batch/8"] / 8),
         "%.2fx faster than the plain modules (%.1f ms); %.2fx PyTorch's best batch (%.1f ms/image)"
         % (tuned["Forward/Plain/8"] / tuned["Forward/Batch/8"], tuned["Forward/Plain/8"] / 8,
            tuned["Forward/Batch/8"] / 8 / floor["forward_ms_per_image"], floor["forward_ms_per_image"])),
        ("Overlay of 4000x3000", "%.1f ms" % tuned["Overlay/4000x3000"], ""),
        ("Preprocess 4000x3000 -> tensor", "%.1f ms" % tuned["Preprocess/4000x3000"], ""),
        ("Allocator tuning: tensor -> map", "%.1f ms untuned" % untuned["GradCam/TensorToMap"],
         "%.2fx faster tuned" % (untuned["GradCam/TensorToMap"] / tuned["GradCam/TensorToMap"])),
        ("Allocator tuning: forward", "%.1f ms untuned" % untuned["Forward/NoGrad"],
         "%.2fx faster tuned" % (untuned["Forward/NoGrad"] / fwd)),
        ("Score-CAM, layer4 (512 masked passes)", "%.0f ms" % tuned["ScoreCam/Layer4/0"],
         "%.0fx forward; target < 6800 ms (torch-cam's published CPU figure)" % (tuned["ScoreCam/Layer4/0"] / fwd)),
        ("Score-CAM, layer4, cancellable (as the worker runs it)", "%.0f ms" % tuned["ScoreCam/Layer4/Cancellable"],
         "adaptive batches; %.2fx the largest-batch run" % (tuned["ScoreCam/Layer4/Cancellable"]
                                                            / tuned["ScoreCam/Layer4/0"])),
        ("Score-CAM, further class (cached)", "%.2f ms" % tuned["ScoreCam/ExtraClass"], "no forward pass"),
        ("Score-CAM, torch-cam way in Python, unbatched", "%.0f ms" % py_scorecam[1]["scorecam_ms"],
         "ours is %.1fx faster" % (py_scorecam[1]["scorecam_ms"] / tuned["ScoreCam/Layer4/0"])),
        ("Score-CAM, torch-cam way in Python, batch 32", "%.0f ms" % py_scorecam[32]["scorecam_ms"],
         "ours is %.1fx faster" % (py_scorecam[32]["scorecam_ms"] / tuned["ScoreCam/Layer4/0"])),
        ("Score-CAM floor: 512 x PyTorch's fastest forward", "%.0f ms" % floor["passes_512_ms"],
         "optimize_for_inference (oneDNN, conv+BN folded), %.1f ms/image; ours is %.2fx it"
         % (floor["forward_ms_per_image"], tuned["ScoreCam/Layer4/0"] / floor["passes_512_ms"])),
        ("Ablation-CAM, layer4", "%.0f ms" % tuned["AblationCam/Layer4/0"],
         "%.1fx forward" % (tuned["AblationCam/Layer4/0"] / fwd)),
        ("Ablation-CAM, layer4.1.conv2", "%.0f ms" % tuned["AblationCam/Layer4.1.conv2/0"],
         "%.1fx forward" % (tuned["AblationCam/Layer4.1.conv2/0"] / fwd)),
        ("Score-CAM cancel -> new result (worker)", "%.0f ms" % cancel["latency_ms"]["max"],
         "max of %d (median %.0f ms); target < 100 ms" % (cancel["runs"], cancel["latency_ms"]["median"])),
    ]
    rows += [("Score-CAM batch %s" % name.split("/")[-1], "%.0f ms" % ms, "sweep")
             for name, ms in tuned.items() if name.startswith("ScoreCam/Batch/")]
    rows += [("Ablation-CAM (layer4.1.conv2) batch %s" % name.split("/")[-1], "%.0f ms" % ms, "sweep")
             for name, ms in tuned.items() if name.startswith("AblationCam/Batch/")]
    # A scripted ResNet-18 (untrained), for LibTorch's optimised prefix graph.
    scripted = os.path.join(tmp, "resnet18_scripted.pt")
    subprocess.run(["/usr/bin/python3", "-c", "import sys, torch, torchvision; "
                    "torch.jit.script(torchvision.models.resnet18().eval()).save(sys.argv[1])", scripted], check=True)
    # Our forward against LibTorch's optimize_for_inference in one process,
    # interleaved: the steadiest comparison on a shared machine.
    parity = {p["batch"]: p for p in (json.loads(line) for line in subprocess.run(
        [os.path.join(build, "bench", "gce-forward-parity"), scripted, "6" if quick else "12"],
        check=True, capture_output=True, text=True).stdout.splitlines())}
    rows += [("Forward, batch %d, against LibTorch's optimize_for_inference (one process, interleaved)" % batch,
              "%.1f ms" % p["ours_ms"],
              "%.3fx its %.1f ms/image (median of %d rounds; %.3f-%.3f)"
              % (p["ratio"], p["libtorch_ms"], p["rounds"], p["ratio_min"], p["ratio_max"]))
             for batch, p in sorted(parity.items())]
    forms = [json.loads(line) for line in subprocess.run(
        [os.path.join(build, "bench", "gce-inference-forms")] + FORM_MODELS + [scripted],
        check=True, capture_output=True, text=True).stdout.splitlines()]
    rows += [("TorchScript map pass (%s at %s)" % (f["model"], f["layer"]),
              "%.1f -> %.1f ms" % (f["plain_ms"], f["fast_ms"]),
              "%.2fx faster%s; prefix and whole module optimised in %.0f ms" %
              (f["ratio"], "" if f["kept"] else " (not kept: slower when built)", f["build_ms"]))
             for f in forms if f.get("torchscript")]
    forms = [f for f in forms if not f.get("torchscript")]
    rows += [("Inference form, %s" % f["model"],
              "%.1f -> %.1f ms" % (f["plain_ms"], f["fast_ms"]) if f["form"] else "%.1f ms" % f["plain_ms"],
              ("%.2fx faster%s; built in %.0f ms, +%.0f MB; %d BN folded, whole network %s"
               % (f["ratio"], "" if f["kept"] else " (not kept: slower when built)", f["build_ms"], f["extra_mb"],
                  f["folded"], "yes" if f["whole_network"] else "no")) if f["form"] else "no form")
             for f in forms]
    rows += [
        ("CLI end to end (median of %d)" % runs, "%.0f ms" % statistics.median(cli_walls), "baseline"),
        ("CLI peak RSS", "%.0f MB" % max(cli_rss), "target < 400 MB"),
    ]
    cli_wall = statistics.median(cli_walls)
    rows += [
        ("GUI: class click -> repainted overlay", "%.1f ms" % gui["class_switch_ms"], "target < 30 ms"),
        ("GUI: opacity change -> repaint", "%.1f ms" % gui["opacity_ms"], "target < 16 ms"),
        ("GUI: open image -> first overlay", "%.0f ms" % gui["open_ms"],
         "%.2fx CLI end to end (target < 1.5x); includes loading the model" % (gui["open_ms"] / cli_wall)),
        ("GUI: next image -> overlay", "%.0f ms" % gui.get("open_warm_ms", 0), "model already loaded"),
        ("GUI: peak RSS, 4 panes on 4000x3000", "%.0f MB" % gui["peak_rss_mb"], ""),
    ]
    for threads, r in py.items():
        label = "default threads (%d)" % r["steady"]["threads"] if threads == 0 else "%d threads" % threads
        rows.append(("Python tutorial, %s: process" % label, "%.0f ms" % r["process_wall"],
                     "CLI is %.1fx faster (target >= 3x)" % (r["process_wall"] / cli_wall)))
        rows.append(("Python tutorial, %s: per image" % label, "%.1f ms" % r["steady"]["total"],
                     "steady state, imports and weights excluded"))
    import dataset_bench  # imports this module's helpers: loaded here, once they exist
    dataset_rows, dataset = dataset_bench.run(build, weights, quick, tmp)
    rows += dataset_rows
    width = max(len(r[0]) for r in rows)
    print("\nGrad-CAM Explorer benchmarks (ResNet-18, %d cores)" % os.cpu_count())
    for name, value, note in rows:
        print("  %-*s  %12s  %s" % (width, name, value, note))
    json.dump({"engine": tuned, "engine_untuned": untuned, "cli_wall_ms": cli_walls, "cli_rss_mb": cli_rss,
               "gui": gui, "python": py, "python_scorecam": py_scorecam, "cancel": cancel,
               "dataset": dataset, "forward_parity": parity}, open(os.path.join(build, "bench-report.json"), "w"), indent=1)


if __name__ == "__main__":
    main(sys.argv[1], "--quick" in sys.argv)
