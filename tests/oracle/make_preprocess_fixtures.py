"""Fixture for the preprocessing choice (issue 13): torchvision 0.14's own
eval transforms (weights.transforms(), ImageClassification) as the oracle.

Writes OUT_DIR/:
  images/*.png         awkward photos derived from resources/demo (tall, smaller than the crop)
  resize/              Pillow's Image.resize(BICUBIC) (and BILINEAR) of synthetic photos, byte for byte
  crops/               F.resize(int) + F.center_crop pixels for transforms the table has
                       and ones it does not (padding, non-square crop)
  <model>.pth          random-init weights (torch.save) for resnet18, squeezenet1_1,
                       efficientnet_b3, and per (model, image) the input tensor that
                       <Weights>.transforms() makes, the logits and the Grad-CAM map of
                       the top-1 class at the default layer on that tensor
  realweights.json     top-5 of torchvision's squeezenet1_1 with the bundled real
                       weights on every photo for both preprocessings (when present)
  manifest.json
usage: make_preprocess_fixtures.py OUT_DIR
"""
import json
import os
import sys

import numpy as np
import torch
import torchvision
from PIL import Image
from torchvision.transforms import InterpolationMode, transforms
from torchvision.transforms import functional as F
from torchvision.transforms._presets import ImageClassification

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gradcam_reference import MEAN, STD, build, grad_cam, last_conv_name  # noqa: E402
from image_synth import synthetic_photo  # noqa: E402
from oracle_io import save_safetensors  # noqa: E402
from seeded_models import seeded_model  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEMO_DIR = os.path.join(ROOT, "resources", "demo")
BUNDLED = os.path.join(ROOT, "resources", "models", "squeezenet1_1-imagenet.pth")

MODELS = {
    "resnet18": torchvision.models.ResNet18_Weights.IMAGENET1K_V1,
    "squeezenet1_1": torchvision.models.SqueezeNet1_1_Weights.IMAGENET1K_V1,
    "efficientnet_b3": torchvision.models.EfficientNet_B3_Weights.IMAGENET1K_V1,
}

# (input width, input height, output width, output height)
RESIZE_CASES = [
    (451, 300, 224, 224), (600, 400, 320, 213), (1201, 400, 901, 300), (300, 451, 256, 384),
    (997, 613, 224, 224), (50, 30, 640, 480), (7, 5, 224, 224), (1, 1, 5, 3), (3, 1000, 224, 224),
    (224, 225, 224, 224), (225, 224, 224, 224), (451, 300, 100, 37), (300, 451, 1, 1),
    (997, 613, 500, 613), (997, 613, 997, 100),
]

# (resize_size, crop_size [h, w], interpolation) beyond the models' own
CROP_TRANSFORMS = [
    (256, [224, 224], "bilinear"), (232, [224, 224], "bilinear"), (255, [240, 240], "bilinear"),
    (256, [240, 240], "bicubic"), (320, [300, 300], "bicubic"), (288, [288, 288], "bicubic"),
    (200, [224, 224], "bilinear"),   # crop larger than the resized image: zero padding
    (201, [224, 231], "bicubic"),    # padding by odd amounts, non-square crop
    (256, [224, 240], "bilinear"),   # non-square crop
]
INTERPOLATION = {"bilinear": InterpolationMode.BILINEAR, "bicubic": InterpolationMode.BICUBIC}


def photos(out_dir):
    """Demo photos plus awkward ones derived from them: name -> path."""
    result = {}
    for name in sorted(os.listdir(DEMO_DIR)):
        if name.endswith(".jpg"):
            result[os.path.splitext(name)[0]] = os.path.join(DEMO_DIR, name)
    images = os.path.join(out_dir, "images")
    os.makedirs(images, exist_ok=True)
    cat = Image.open(result["cat_and_coffee"]).convert("RGB")
    derived = {
        "tall": cat.crop((60, 0, 230, 400)),                              # 170x400, portrait
        "small": Image.open(result["chelsea"]).convert("RGB").resize((150, 100), Image.BILINEAR),
        "odd": Image.fromarray(synthetic_photo(997, 613, 5)),
    }
    for name, image in derived.items():
        path = os.path.join(images, name + ".png")
        image.save(path)
        result[name] = path
    return result


def resize_fixtures(out_dir):
    folder = os.path.join(out_dir, "resize")
    os.makedirs(folder, exist_ok=True)
    cases = []
    for i, (w, h, ow, oh) in enumerate(RESIZE_CASES):
        source = synthetic_photo(w, h, 100 + i)
        src = "in_%d.png" % i
        Image.fromarray(source).save(os.path.join(folder, src))
        for filter_name, filt in (("bicubic", Image.BICUBIC), ("bilinear", Image.BILINEAR)):
            out = "out_%d_%s.png" % (i, filter_name)
            Image.fromarray(source).resize((ow, oh), filt).save(os.path.join(folder, out))
            cases.append({"input": src, "width": ow, "height": oh, "filter": filter_name, "expected": out})
    return cases


def crop_fixtures(out_dir, images):
    folder = os.path.join(out_dir, "crops")
    os.makedirs(folder, exist_ok=True)
    cases = []
    for name, path in images.items():
        image = Image.open(path).convert("RGB")
        for i, (resize, crop, interp) in enumerate(CROP_TRANSFORMS):
            pixels = F.center_crop(F.resize(image, resize, interpolation=INTERPOLATION[interp]), crop)
            if crop[0] == crop[1]:
                # The premise: the class torchvision's weights use (square crops only) is these calls.
                tensor = ImageClassification(crop_size=crop[0], resize_size=resize,
                                             interpolation=INTERPOLATION[interp])(image)
                back = F.normalize(torch.from_numpy(np.array(pixels)).permute(2, 0, 1).float() / 255, MEAN, STD)
                assert torch.equal(back, tensor), (name, resize, crop, interp)
            out = "%s_%d.png" % (name, i)
            pixels.save(os.path.join(folder, out))
            cases.append({"image": path, "resize_size": resize, "crop_size": crop, "interpolation": interp,
                          "expected": out})
    return cases


def model_fixtures(out_dir, images):
    entries = []
    for index, (name, weights_enum) in enumerate(MODELS.items()):
        model, _, weights = seeded_model(name, 4321 + index, out_dir)
        transform = weights_enum.transforms()
        layer = last_conv_name(model)
        tensors = {}
        rows = []
        for image_name, path in images.items():
            x = transform(Image.open(path).convert("RGB")).unsqueeze(0)
            with torch.no_grad():
                top1 = int(model(x)[0].argmax())
            logits, cam = grad_cam(model, x, layer, top1)
            tensors["input|" + image_name] = x.numpy()
            tensors["logits|" + image_name] = logits.numpy()
            tensors["cam|" + image_name] = cam.numpy().astype(np.float32)
            rows.append({"name": image_name, "path": path, "top1": top1})
        save_safetensors(os.path.join(out_dir, name + "_expected.safetensors"), tensors)
        entries.append({"model": name, "weights": weights, "default_layer": layer, "images": rows,
                        "resize_size": transform.resize_size[0], "crop_size": transform.crop_size[0],
                        "interpolation": transform.interpolation.value})
    return entries


def real_weight_fixtures(images):
    if not os.path.exists(BUNDLED):
        return None
    model = torchvision.models.squeezenet1_1()
    model.load_state_dict(torch.load(BUNDLED, map_location="cpu"))
    model.eval()
    tutorial = transforms.Compose([transforms.Resize((224, 224)), transforms.ToTensor(),
                                   transforms.Normalize(mean=MEAN, std=STD)])
    own = torchvision.models.SqueezeNet1_1_Weights.IMAGENET1K_V1.transforms()
    rows = []
    for image_name, path in images.items():
        image = Image.open(path).convert("RGB")
        row = {"name": image_name, "path": path}
        for mode, tf in (("tutorial", tutorial), ("model", own)):
            with torch.no_grad():
                probabilities = torch.softmax(model(tf(image).unsqueeze(0))[0], 0)
            top = probabilities.argsort(descending=True)[:5]
            row[mode] = [{"index": int(i), "probability": float(probabilities[i])} for i in top]
        rows.append(row)
    return {"weights": BUNDLED, "images": rows}


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(2)
    images = photos(out_dir)
    manifest = {
        "resize": resize_fixtures(out_dir),
        "crops": crop_fixtures(out_dir, images),
        "models": model_fixtures(out_dir, images),
        "realweights": real_weight_fixtures(images),
    }
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
