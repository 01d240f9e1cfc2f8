#include "app/explorer/explorerexport.h"

#include <QFileInfo>

#include <cstdio>
#include <optional>

#include "core/errors.h"
#include "core/models/modelspecs.h"
#include "core/support/weightscache.h"
#include "ui/control/camengine.h"
#include "ui/settings/settings.h"
#include "ui/control/sharedscale.h"
#include "core/support/defaults.h"

namespace gce::explorer {

namespace {
HeadlessExport failed(const QString& message, int code)
{
    HeadlessExport result;
    result.error = message;
    result.exitCode = code;
    return result;
}
} // namespace

HeadlessExport composeHeadlessExport(const ExplorerOptions& options)
{
    using namespace gce::ui;
    CamRequest request;
    request.imagePath = options.image;
    request.modelName = options.model.isEmpty() ? QString::fromLatin1(kDefaultModel) : options.model;
    request.layer = options.layer;
    request.labelsPath = options.labels;
    request.augmentSmooth = options.augmentSmooth;
    request.eigenSmooth = options.eigenSmooth;
    request.preprocess = options.preprocess;
    // As the window starts: a chosen architecture without weights anywhere
    // gives way to the bundled trained model, with a notice, rather than to
    // untrained weights (those only with --weights none).
    const std::string wanted = request.modelName.toStdString();
    if (options.weights.isEmpty() && !namesModelFile(wanted)) {
        try {
            const ModelSpec& spec = modelSpec(wanted);
            const auto bundled = bundledWeights(modelSpec(bundledModelName()));
            if (!findWeights(spec) && bundled) {
                std::fprintf(stderr, "gradcam-explorer: %s has no weights in the torch hub cache: using the bundled %s (%s)\n",
                             wanted.c_str(), bundledModelName().c_str(), downloadUrl(spec).c_str());
                request.modelName = QString::fromStdString(bundledModelName());
            }
        } catch (const UsageError& error) {
            return failed(QString::fromUtf8(error.what()), 2);
        }
    }
    try {
        const std::optional<std::string> argument =
            options.weights.isEmpty() ? std::nullopt : std::optional<std::string>(options.weights.toStdString());
        request.weightsPath = QString::fromStdString(resolveWeightsArgument(request.modelName.toStdString(), argument));
    } catch (const UsageError& error) {
        return failed(QString::fromUtf8(error.what()), 2);
    } catch (const Error& error) {
        return failed(QString::fromUtf8(error.what()), 3);
    }
    if (request.weightsPath.isEmpty() && !namesModelFile(request.modelName.toStdString()))
        std::fprintf(stderr, "gradcam-explorer: warning: untrained weights: predictions and maps are meaningless\n");

    CamEngine engine;
    CamFailure failure;
    engine.ensureModel(request, &failure);
    if (!failure.message.isEmpty())
        return failed(failure.message, failure.usage ? 2 : 3);
    for (const QString& query : options.classes) {
        const auto index = engine.resolveClass(query, &failure);
        if (!index)
            return failed(failure.message, 2);
        request.classes.push_back(*index);
    }
    if (request.classes.isEmpty())
        request.classes.push_back(-1); // the top-1 prediction
    for (int i = 0; i < request.classes.size(); ++i) {
        request.methods.push_back(options.methodForPane(i));
        // A pane's own model: its weights from the cache, untrained (with a
        // warning) without, its remembered preprocessing.
        PaneModel pane;
        pane.modelName = options.modelForPane(i);
        if (pane.isSet()) {
            if (const auto found = findWeights(modelSpec(pane.modelName.toStdString())))
                pane.weightsPath = QString::fromStdString(*found);
            else
                std::fprintf(stderr, "gradcam-explorer: warning: %s (pane %d) has no weights in the torch hub cache: "
                                     "untrained weights, its map is meaningless\n",
                             qPrintable(pane.modelName), i + 1);
            pane.preprocess = Settings::preprocessFor(pane.modelName);
        }
        request.paneModels.push_back(pane);
    }
    const auto result = engine.compute(request, 1, [] { return false; }, &failure);
    if (!result)
        return failed(failure.message, failure.usage ? 2 : 3);

    // As the window paints them: on one raw scale when asked and the methods
    // allow it (a notice otherwise, and each map on its own max).
    QVector<PaneResult> panes = result->panes;
    const PaneScales scales = paneScales(panes, options.sharedScale);
    if (!scales.reason.isEmpty())
        std::fprintf(stderr, "gradcam-explorer: shared scale not applied: %s\n", qPrintable(scales.reason));
    for (int i = 0; i < panes.size(); ++i)
        panes[i].map = scaledMap(panes[i].map, scales.factors[i]);
    ExportLook look;
    look.sharedMax = scales.shared ? scales.sharedMax : 0.0;
    const QString colormapName =
        options.colormap.isEmpty() ? Settings::value(Setting::Colormap).toString() : options.colormap;
    look.colormap = colormapFromName(colormapName.toStdString()).value_or(Colormap::Jet);
    look.alpha = options.alpha >= 0.0 ? options.alpha : Settings::value(Setting::Opacity).toInt() / 100.0;
    // The window's Auto arrangement for a typical screen, or the one asked for.
    const PaneLayout layout = paneLayoutFromName(options.layout).value_or(PaneLayout::Auto);
    look.grid = arrangeForNominalScreen(layout, panes.size(), result->image.size());
    HeadlessExport composed;
    composed.request = composeExport(*result, panes, look);
    return composed;
}

int runHeadlessExport(const ExplorerOptions& options)
{
    const HeadlessExport composed = composeHeadlessExport(options);
    QString error = composed.error;
    int code = composed.exitCode;
    if (code == 0 && !gce::ui::saveImageAtomically(gce::ui::renderExport(composed.request), options.exportPath,
                                                   /*overwrite=*/false, &error))
        code = 3;
    if (code != 0)
        std::fprintf(stderr, "gradcam-explorer: %s\n", qPrintable(error));
    return code;
}

} // namespace gce::explorer
