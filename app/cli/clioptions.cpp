#include "app/cli/clioptions.h"

#include <cstdlib>

#include "core/errors.h"
#include "core/support/resourcepaths.h"
#include "core/support/textmatch.h"

namespace gce::cli {

namespace {

double parseNumber(const std::string& option, const std::string& text)
{
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0')
        throw UsageError(option + " expects a number, got \"" + text + "\"");
    return value;
}

int parseWholeNumber(const std::string& option, const std::string& text, int minimum)
{
    const double value = parseNumber(option, text);
    if (value < minimum || value > 1e9 || value != static_cast<int>(value))
        throw UsageError(option + " expects a whole number >= " + std::to_string(minimum));
    return static_cast<int>(value);
}

} // namespace

std::string usageText()
{
    return R"(Usage: gradcam-cli --image PATH [--image PATH ...] [options]
       gradcam-cli --input DIR|LIST.txt --out-dir OUT [options]
       gradcam-cli --merge OUT

Grad-CAM heatmaps for torchvision image classifiers, exactly as the PyTorch
tutorial computes them.

Options:
  --image PATH          image to explain (repeatable; a bare argument works too)
  --demo                the bundled demo image (an installed gradcam-cli only)
  --model NAME          resnet18 (default) or another torchvision architecture:
                        resnet*, vgg*, densenet*, mobilenet_v*, efficientnet_b0..b3,
                        convnext_tiny, regnet_y_400mf, googlenet, squeezenet1_*,
                        vit_b_16, vit_b_32, vit_l_16, vit_l_32, maxvit_t
                        (--list-models lists them all), or a TorchScript file
                        (model.pt; input size, mean/std and labels from model.json)
  --weights FILE|none   weights file (.pth or .safetensors); default: torchvision's
                        file in the torch hub cache; none = untrained weights.
                        A fine-tuned file with N classes builds the model with N
  --labels FILE         class names: one per line, a JSON list, or a JSON
                        {"index": "name"} map (default: ImageNet's for 1000
                        classes, else "class 0".."class N-1")
  --layer NAME          target layer (default: the last Conv2d, e.g. layer4.1.conv2)
  --class N|"label"     class to explain, by index or ImageNet name (repeatable;
                        default: the top-1 prediction)
  --top-k K             how many predictions to report (default 5)
  --method NAME         gradcam (default), gradcam++, xgradcam, hirescam, layercam,
                        eigencam, scorecam, ablationcam, guidedbackprop, guidedgradcam
                        (these two at the input's resolution); --list-methods describes them
  --contrast N|"label"  explain "why the class rather than this one" (logit difference)
  --counterfactual      explain what argues against the class (negated gradients)
  --aug-smooth, --tta   test-time augmentation: the map averaged over horizontal flips
                        x scales 0.9/1.0/1.1 (6 passes, maps aligned back)
  --eigen-smooth        the first principal component of the weighted activations
                        instead of their sum (pytorch-grad-cam's eigen_smooth)
  --preprocess tutorial|model
                        tutorial (default): Resize((224,224)) as the Grad-CAM tutorial;
                        model: the weights file's own eval transform (torchvision's
                        weights.transforms(): resize the shorter side, centre crop);
                        the overlay then covers the crop, the rest is dimmed
  --overlay OUT.png     write the overlay (one image and one class)
  --out-dir DIR         write one overlay per image and class into DIR
  --alpha A             heatmap opacity in the overlay, 0..1 (default 0.4)
  --colormap NAME       jet (default), turbo, viridis, inferno, magma, gray
  --json                one JSON object per (image, class) line on stdout
  --metrics             faithfulness scores per class: deletion and insertion AUC
  --region X,Y,W,H      what is here? rank every class by its evidence in this box
                        of the image (pixels; W=H=0: a point): one JSON line per
                        image with each class's "here" (mean raw map over the box)
                        and "share" (its part of the class's whole map); methods
                        gradcam, xgradcam, hirescam
  --rank-classes K      how many classes --region reports (default 10)
                        (RISE, 50 steps) and average drop / increase in confidence
                        (Grad-CAM++ paper); about 100 extra forward passes per class

Datasets (the README's "Datasets" section has Slurm, GNU parallel and Kubernetes recipes):
  --input DIR|LIST.txt  every image under DIR (recursive, natural order; non-images
                        and symlink loops skipped) or every path in LIST (one per
                        line, relative to the list's folder); needs --out-dir OUT,
                        which gets results.jsonl: one JSON line per image and class
                        (the fields of --json, image relative to the input), or
                        {"image", "error"} for an image that failed
  --top-k-maps K        explain the top K predictions of each image (instead of --class)
  --save-maps           OUT/maps/<image>.<class>.npy (float32, numpy.load) in place
                        of the map's values in the manifest
  --overlays            OUT/overlays/<image>.<class>.png
  --resume              continue a stopped run: images already complete are skipped
                        (without it an existing manifest is an error)
  --shard I/N           explain share I (0-based) of N: image k belongs to k mod N;
                        writes OUT/results-I-of-N.jsonl. Without it, Slurm's
                        SLURM_ARRAY_TASK_ID/COUNT or JOB_COMPLETION_INDEX with
                        --shard-count N (Kubernetes indexed Job) choose the shard
  --merge OUT           check the shard manifests in OUT (none missing or still
                        running, no image twice) and write OUT/results.jsonl
  --batch-size N        images per forward pass and per manifest write (default 8):
                        a kill loses at most these; 1 gives exactly --image's numbers
  --quiet               no progress line (there is none when stderr is not a terminal)

  --list-layers         list the model's layers with types and output shapes
  --list-models         list the known models and whether weights were found
  --list-methods        list the CAM methods
  --version, --help

Exit codes: 0 ok, 2 usage error, 3 input error (image or weights), 1 internal error,
4 a dataset run completed but some images failed (each in the manifest).
)";
}

ImageRegion parseRegion(const std::string& text)
{
    std::vector<int> parts;
    std::size_t begin = 0;
    while (begin <= text.size()) {
        const std::size_t comma = std::min(text.find(',', begin), text.size());
        parts.push_back(parseWholeNumber("--region", text.substr(begin, comma - begin), 0));
        begin = comma + 1;
    }
    if (parts.size() != 4)
        throw UsageError("--region wants X,Y,W,H in pixels (W=H=0 for a point), not \"" + text + "\"");
    return {parts[0], parts[1], parts[2], parts[3]};
}

CliOptions parseCommandLine(const std::vector<std::string>& args)
{
    CliOptions options;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        auto value = [&]() -> const std::string& {
            if (i + 1 >= args.size())
                throw UsageError(arg + " needs a value");
            return args[++i];
        };
        if (arg == "--image")
            options.images.push_back(value());
        else if (arg == "--demo") {
            const std::string demo = installedDemoImage();
            if (demo.empty())
                throw InputError("no demo image next to this gradcam-cli (--demo needs an installed copy)");
            options.images.push_back(demo);
        }
        else if (arg == "--model")
            options.model = value();
        else if (arg == "--weights")
            options.weights = value();
        else if (arg == "--labels")
            options.labels = value();
        else if (arg == "--layer")
            options.layer = value();
        else if (arg == "--class")
            options.classes.push_back(value());
        else if (arg == "--top-k")
            options.topK = parseWholeNumber(arg, value(), 1);
        else if (arg == "--method") {
            const std::string& name = value();
            const auto method = camMethodFromName(name);
            if (!method) {
                std::vector<std::string> names;
                for (CamMethod m : allCamMethods())
                    names.push_back(camMethodName(m));
                throw UsageError("unknown method \"" + name + "\" (known: " + joinWords(names, ", ") + ")");
            }
            options.method = *method;
        } else if (arg == "--contrast")
            options.contrast = value();
        else if (arg == "--counterfactual")
            options.counterfactual = true;
        else if (arg == "--aug-smooth" || arg == "--tta")
            options.augmentSmooth = true;
        else if (arg == "--eigen-smooth")
            options.eigenSmooth = true;
        else if (arg == "--preprocess") {
            const std::string& name = value();
            options.preprocess = preprocessModeFromName(name);
            if (!options.preprocess)
                throw UsageError("unknown preprocessing \"" + name + "\" (known: tutorial, model)");
        } else if (arg == "--list-methods")
            options.listMethods = true;
        else if (arg == "--overlay")
            options.overlayPath = value();
        else if (arg == "--out-dir")
            options.outDir = value();
        else if (arg == "--alpha") {
            options.alpha = parseNumber(arg, value());
            if (!(options.alpha >= 0.0 && options.alpha <= 1.0))
                throw UsageError("--alpha must be between 0 and 1");
        } else if (arg == "--colormap") {
            const std::string& name = value();
            const auto colormap = colormapFromName(name);
            if (!colormap) {
                std::vector<std::string> names;
                for (Colormap c : allColormaps())
                    names.push_back(colormapName(c));
                throw UsageError("unknown colormap \"" + name + "\" (known: " + joinWords(names, ", ") + ")");
            }
            options.colormap = *colormap;
        } else if (arg == "--json")
            options.json = true;
        else if (arg == "--metrics")
            options.metrics = true;
        else if (arg == "--region")
            options.region = parseRegion(value());
        else if (arg == "--rank-classes")
            options.rankClasses = parseWholeNumber(arg, value(), 1);
        else if (arg == "--input")
            options.input = value();
        else if (arg == "--top-k-maps")
            options.topKMaps = parseWholeNumber(arg, value(), 1);
        else if (arg == "--save-maps")
            options.saveMaps = true;
        else if (arg == "--overlays")
            options.overlays = true;
        else if (arg == "--resume")
            options.resume = true;
        else if (arg == "--quiet")
            options.quiet = true;
        else if (arg == "--shard")
            options.shard = parseShard(value());
        else if (arg == "--shard-count")
            options.shardCount = parseWholeNumber(arg, value(), 1);
        else if (arg == "--batch-size")
            options.batchSize = parseWholeNumber(arg, value(), 1);
        else if (arg == "--merge")
            options.merge = value();
        else if (arg == "--list-layers")
            options.listLayers = true;
        else if (arg == "--list-models")
            options.listModels = true;
        else if (arg == "--help" || arg == "-h")
            options.help = true;
        else if (arg == "--version")
            options.version = true;
        else if (!arg.empty() && arg[0] == '-')
            throw UsageError("unknown option " + arg);
        else
            options.images.push_back(arg);
    }
    const bool informational =
        options.help || options.version || options.listLayers || options.listModels || options.listMethods;
    const bool dataset = !options.input.empty();
    if (!options.merge.empty()) {
        if (dataset || !options.images.empty())
            throw UsageError("--merge OUT stands alone: merge after the shard runs");
        return options;
    }
    if (!informational && !dataset && options.images.empty())
        throw UsageError("no image given (--image PATH, or --input DIR|LIST.txt for a dataset)");
    if (dataset) {
        if (!options.images.empty())
            throw UsageError("--input takes the images from DIR or LIST; give no --image with it");
        if (options.outDir.empty())
            throw UsageError("--input needs --out-dir OUT for the manifest");
        if (!options.overlayPath.empty())
            throw UsageError("--overlay is for one image; with --input use --overlays");
    } else if (options.saveMaps || options.overlays || options.resume || options.shard || options.shardCount ||
               options.topKMaps) {
        throw UsageError("--save-maps, --overlays, --resume, --shard, --shard-count and --top-k-maps go with --input");
    }
    if (options.rankClasses && !options.region)
        throw UsageError("--rank-classes K ranks the classes in a --region X,Y,W,H: give one");
    if (options.region && (dataset || !options.classes.empty() || !options.contrast.empty() ||
                           options.counterfactual || options.augmentSmooth || options.eigenSmooth ||
                           options.metrics || !options.overlayPath.empty() || !options.outDir.empty()))
        throw UsageError("--region ranks every class of each --image: it takes no --input, --class, --contrast, "
                         "--counterfactual, smoothing, --metrics, --overlay or --out-dir");
    if (options.topKMaps && !options.classes.empty())
        throw UsageError("--top-k-maps and --class choose the classes two ways: give one");
    if (!options.overlayPath.empty() && (options.images.size() > 1 || options.classes.size() > 1))
        throw UsageError("--overlay takes one image and one class; use --out-dir DIR for several");
    return options;
}

} // namespace gce::cli
