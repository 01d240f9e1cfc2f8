#include "app/explorer/explorercommandline.h"

#include <QCommandLineParser>

#include <cstdio>

namespace gce::explorer {

ParseOutcome parseExplorerCommandLine(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Grad-CAM Explorer: shows why an image classifier decided what it decided."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("image"), QStringLiteral("Image to open (default: the installed demo image)."),
                                 QStringLiteral("[IMAGE]"));
    const QCommandLineOption classOption(QStringLiteral("class"),
                                         QStringLiteral("Class for a pane, by index or name (repeatable, up to 4)."),
                                         QStringLiteral("N|label"));
    const QCommandLineOption modelOption(QStringLiteral("model"),
                                         QStringLiteral("A torchvision architecture, e.g. resnet50 or convnext_tiny (gradcam-cli --list-models), "
                                                        "or a TorchScript file (model.pt, with an optional model.json)."),
                                         QStringLiteral("name"));
    const QCommandLineOption weightsOption(
        QStringLiteral("weights"), QStringLiteral("Weights file, or none for untrained weights."), QStringLiteral("file"));
    const QCommandLineOption labelsOption(
        QStringLiteral("labels"), QStringLiteral("Class names: one per line, a JSON list or a JSON index->name map."),
        QStringLiteral("file"));
    const QCommandLineOption layerOption(QStringLiteral("layer"), QStringLiteral("Target layer."),
                                         QStringLiteral("name"));
    const QCommandLineOption exportOption(
        QStringLiteral("export"),
        QStringLiteral("Render the annotated export of the --class panes to PATH (PNG or JPEG) and exit."),
        QStringLiteral("path"));
    parser.addOptions({classOption, modelOption, weightsOption, labelsOption, layerOption, exportOption});

    ParseOutcome outcome;
    if (!parser.parse(arguments)) {
        std::fprintf(stderr, "gradcam-explorer: %s (see --help)\n", qPrintable(parser.errorText()));
        outcome.exitCode = 2;
        return outcome;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        std::printf("%s", qPrintable(parser.helpText()));
        outcome.exitCode = 0;
        return outcome;
    }
    if (parser.isSet(QStringLiteral("version"))) {
        std::printf("gradcam-explorer %s\n", GCE_VERSION);
        outcome.exitCode = 0;
        return outcome;
    }
    const QStringList positional = parser.positionalArguments();
    if (positional.size() > 1) {
        std::fprintf(stderr, "gradcam-explorer: one image at a time (see --help)\n");
        outcome.exitCode = 2;
        return outcome;
    }
    ExplorerOptions& o = outcome.options;
    o.image = positional.value(0);
    o.classes = parser.values(classOption);
    o.model = parser.value(modelOption);
    o.weights = parser.value(weightsOption);
    o.labels = parser.value(labelsOption);
    o.layer = parser.value(layerOption);
    o.exportPath = parser.value(exportOption);
    if (!o.exportPath.isEmpty() && o.image.isEmpty()) {
        std::fprintf(stderr, "gradcam-explorer: --export needs an image (see --help)\n");
        outcome.exitCode = 2;
    } else if (o.classes.size() > 4) {
        std::fprintf(stderr, "gradcam-explorer: at most 4 --class panes (see --help)\n");
        outcome.exitCode = 2;
    }
    return outcome;
}

} // namespace gce::explorer
