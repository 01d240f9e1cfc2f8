#include "app/explorer/explorercommandline.h"

#include <QCommandLineParser>

#include <cstdio>

#include "core/imaging/overlay.h"
#include "core/support/preprocessing.h"
#include "ui/control/camengine.h"
#include "ui/control/panelayout.h"
#include "core/support/defaults.h"

namespace gce::explorer {

namespace {
// The canonical spelling of a method name typed in any case, or empty.
QString canonicalMethod(const QString& typed)
{
    for (const QString& name : gce::ui::CamEngine::methodNames())
        if (name.compare(typed, Qt::CaseInsensitive) == 0)
            return name;
    return {};
}

// Checks what QCommandLineParser cannot: names and ranges. Returns the
// one-line complaint, or empty.
QString validate(ExplorerOptions& o)
{
    if (!o.exportPath.isEmpty() && o.image.isEmpty())
        return QStringLiteral("--export needs an image");
    if (o.classes.size() > 4)
        return QStringLiteral("at most 4 --class panes");
    for (QString& method : o.methods) {
        const QString name = canonicalMethod(method);
        if (name.isEmpty())
            return QStringLiteral("unknown method \"%1\" (known: %2)")
                .arg(method, gce::ui::CamEngine::methodNames().join(QStringLiteral(", ")));
        method = name;
    }
    if (o.methods.size() > 1 && o.methods.size() != o.paneCount())
        return QStringLiteral("%1 --method values for %2 pane(s): give one for every pane, or one for all")
            .arg(o.methods.size())
            .arg(o.paneCount());
    if (!o.paneModels.isEmpty() && o.paneModels.size() != o.classes.size())
        return QStringLiteral("%1 --pane-model values for %2 --class pane(s): give one for every --class (main: the "
                              "window's model)")
            .arg(o.paneModels.size())
            .arg(o.classes.size());
    const QStringList architectures = gce::ui::CamEngine::architectureNames();
    for (const QString& model : o.paneModels)
        if (model != QLatin1String("main") && !architectures.contains(model))
            return QStringLiteral("unknown --pane-model \"%1\" (main, or one of %2)")
                .arg(model, architectures.join(QStringLiteral(", ")));
    if (!o.preprocess.isEmpty() && !preprocessModeFromName(o.preprocess.toStdString()))
        return QStringLiteral("unknown preprocessing \"%1\" (known: tutorial, model)").arg(o.preprocess);
    if (const auto layout = gce::ui::paneLayoutFromName(o.layout); !o.layout.isEmpty() && !layout)
        return QStringLiteral("unknown layout \"%1\" (known: %2)")
            .arg(o.layout, gce::ui::paneLayoutNames().join(QStringLiteral(", ")));
    else if (layout)
        o.layout = gce::ui::paneLayoutName(*layout);
    if (!o.colormap.isEmpty() && !colormapFromName(o.colormap.toStdString()))
        return QStringLiteral("unknown colormap \"%1\"").arg(o.colormap);
    if ((!o.colormap.isEmpty() || o.alpha >= 0.0) && o.exportPath.isEmpty())
        return QStringLiteral("--colormap and --alpha are for --export (the window has its own controls)");
    return {};
}
} // namespace

QString ExplorerOptions::methodForPane(int pane) const
{
    if (methods.size() == 1)
        return methods.front();
    if (pane >= 0 && pane < methods.size())
        return methods[pane];
    return QString::fromLatin1(kDefaultMethod);
}

QString ExplorerOptions::modelForPane(int pane) const
{
    const QString model = paneModels.value(pane);
    return model == QLatin1String("main") ? QString() : model;
}

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
    const QCommandLineOption methodOption(
        QStringLiteral("method"),
        QStringLiteral("CAM method: one for every pane, or one per --class pane in order (%1).")
            .arg(gce::ui::CamEngine::methodNames().join(QStringLiteral(", "))),
        QStringLiteral("name"));
    const QCommandLineOption paneModelOption(
        QStringLiteral("pane-model"),
        QStringLiteral("A pane's own model, once per --class in order: an architecture (e.g. vit_b_16, swin_t) at "
                       "its default layer, or main for the window's model."),
        QStringLiteral("name"));
    const QCommandLineOption ttaOption(QStringList{QStringLiteral("tta"), QStringLiteral("aug-smooth")},
                                       QStringLiteral("Test-time augmentation: each map averaged over horizontal "
                                                      "flips x input scales 0.9/1.0/1.1."));
    const QCommandLineOption eigenOption(QStringLiteral("eigen-smooth"),
                                         QStringLiteral("Principal-component smoothing of the weighted activations."));
    const QCommandLineOption sharedOption(QStringLiteral("shared-scale"),
                                          QStringLiteral("The panes' raw maps on one scale (same method only)."));
    const QCommandLineOption preprocessOption(
        QStringLiteral("preprocess"),
        QStringLiteral("tutorial: Resize((224,224)) as the Grad-CAM tutorial; model: the weights' own transform "
                       "(resize the shorter side, centre crop; the map covers the crop)."),
        QStringLiteral("tutorial|model"));
    const QCommandLineOption layoutOption(
        QStringLiteral("layout"),
        QStringLiteral("Pane arrangement: auto (the photo largest), columns, rows or grid."),
        QStringLiteral("name"));
    const QCommandLineOption colormapOption(
        QStringLiteral("colormap"), QStringLiteral("With --export: jet, turbo, viridis, inferno, magma or gray."),
        QStringLiteral("name"));
    const QCommandLineOption alphaOption(QStringLiteral("alpha"),
                                         QStringLiteral("With --export: heatmap opacity, 0..1."), QStringLiteral("A"));
    parser.addOptions({classOption, modelOption, weightsOption, labelsOption, layerOption, methodOption, paneModelOption, ttaOption,
                       eigenOption, sharedOption, preprocessOption, layoutOption, exportOption, colormapOption,
                       alphaOption});

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
    o.methods = parser.values(methodOption);
    o.paneModels = parser.values(paneModelOption);
    o.augmentSmooth = parser.isSet(ttaOption);
    o.eigenSmooth = parser.isSet(eigenOption);
    o.sharedScale = parser.isSet(sharedOption);
    o.preprocess = parser.value(preprocessOption);
    o.layout = parser.value(layoutOption);
    o.colormap = parser.value(colormapOption);
    QString complaint;
    if (parser.isSet(alphaOption)) {
        bool ok = false;
        o.alpha = parser.value(alphaOption).toDouble(&ok);
        if (!ok || !(o.alpha >= 0.0 && o.alpha <= 1.0))
            complaint = QStringLiteral("--alpha must be a number between 0 and 1");
    }
    if (complaint.isEmpty())
        complaint = validate(o);
    if (!complaint.isEmpty()) {
        std::fprintf(stderr, "gradcam-explorer: %s (see --help)\n", qPrintable(complaint));
        outcome.exitCode = 2;
    }
    return outcome;
}

} // namespace gce::explorer
