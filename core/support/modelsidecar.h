#pragma once
// Settings for a TorchScript model, from a small JSON file next to it
// ("model.json" or "model.pt.json" for "model.pt"), all optional:
//   {"input_size": [224, 224],            // [height, width], or one number for a square
//    "mean": [0.485, 0.456, 0.406],       // Normalize's mean and std, per RGB channel
//    "std": [0.229, 0.224, 0.225],
//    "labels": "labels.txt",              // relative to the JSON file (core/support/labelsfile.h)
//    "preprocess": "tutorial",            // or "model": which preprocessing runs unless told otherwise
//    "resize_size": 256,                  // the model transform (core/support/preprocessing.h):
//    "crop_size": 224,                    //   shorter side -> resize_size, centre crop ([h, w] or one number),
//    "interpolation": "bilinear"}         //   "bilinear" or "bicubic"; defaults: crop = input_size,
//                                         //   resize = crop * 256 / 224
// Without a sidecar (or for keys it leaves out): the ImageNet defaults of
// core/support/preprocessing.h and numbered classes.
#include <optional>
#include <string>

#include "core/support/preprocessing.h"

namespace gce {

struct ModelSidecar {
    std::string path; // empty: no sidecar found
    Preprocessing preprocessing;
    std::string labelsPath; // absolute or relative to the working directory; empty = none
    bool preprocessNamed = false; // the sidecar said "preprocess"
};

// The sidecar next to `modelPath` (or the defaults). Throws InputError for
// a sidecar that is not valid JSON, has unknown keys or out-of-range values.
ModelSidecar readModelSidecar(const std::string& modelPath);

} // namespace gce
