#include "app/explorer/explorerexport.h"

#include <QFileInfo>

#include <cstdio>
#include <optional>

#include "core/errors.h"
#include "core/models/modelspecs.h"
#include "core/support/weightscache.h"
#include "ui/camengine.h"
#include "ui/exportrenderer.h"
#include "ui/settings.h"

namespace gce::explorer {

namespace {
int fail(const QString& message, int code)
{
    std::fprintf(stderr, "gradcam-explorer: %s\n", qPrintable(message));
    return code;
}
} // namespace

int runHeadlessExport(const ExplorerOptions& options)
{
    using namespace gce::ui;
    CamRequest request;
    request.imagePath = options.image;
    request.modelName = options.model.isEmpty() ? QStringLiteral("resnet18") : options.model;
    request.layer = options.layer;
    request.labelsPath = options.labels;
    try {
        const std::optional<std::string> argument =
            options.weights.isEmpty() ? std::nullopt : std::optional<std::string>(options.weights.toStdString());
        request.weightsPath = QString::fromStdString(resolveWeightsArgument(request.modelName.toStdString(), argument));
    } catch (const UsageError& error) {
        return fail(QString::fromUtf8(error.what()), 2);
    } catch (const Error& error) {
        return fail(QString::fromUtf8(error.what()), 3);
    }
    if (request.weightsPath.isEmpty() && !namesModelFile(request.modelName.toStdString()))
        std::fprintf(stderr, "gradcam-explorer: warning: untrained weights: predictions and maps are meaningless\n");

    CamEngine engine;
    CamFailure failure;
    engine.ensureModel(request, &failure);
    if (!failure.message.isEmpty())
        return fail(failure.message, failure.usage ? 2 : 3);
    for (const QString& query : options.classes) {
        const auto index = engine.resolveClass(query, &failure);
        if (!index)
            return fail(failure.message, 2);
        request.classes.push_back(*index);
    }
    if (request.classes.isEmpty())
        request.classes.push_back(-1); // the top-1 prediction
    const auto result = engine.compute(request, 1, [] { return false; }, &failure);
    if (!result)
        return fail(failure.message, failure.usage ? 2 : 3);

    ExportRequest exportRequest;
    exportRequest.image = result->image;
    exportRequest.panes = result->panes;
    exportRequest.modelName = result->modelName;
    exportRequest.layerName = result->layerName;
    exportRequest.sourceFileName = QFileInfo(options.image).fileName();
    const auto colormap = colormapFromName(Settings::value(Setting::Colormap).toString().toStdString());
    exportRequest.colormap = colormap.value_or(Colormap::Jet);
    exportRequest.alpha = Settings::value(Setting::Opacity).toInt() / 100.0;
    exportRequest.untrained = result->untrained;
    QString error;
    if (!saveImageAtomically(renderExport(exportRequest), options.exportPath, /*overwrite=*/false, &error))
        return fail(error, 3);
    return 0;
}

} // namespace gce::explorer
