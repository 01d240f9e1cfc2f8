#include "ui/window/modelchoice.h"

#include <QFileInfo>

#include "core/errors.h"
#include "core/models/modelspecs.h"
#include "core/support/weightscache.h"
#include "ui/settings/settings.h"

namespace gce::ui {

namespace {
// The bundled model's weights file, if this installation has it.
std::optional<QString> bundledFile()
{
    if (const auto path = bundledWeights(modelSpec(bundledModelName())))
        return QString::fromStdString(*path);
    return std::nullopt;
}
} // namespace

std::optional<QString> ModelChoice::weightsFor(const QString& model)
{
    const std::string name = model.toStdString();
    if (namesModelFile(name))
        return QString();
    const QString remembered = Settings::weightsFor(model);
    if (!remembered.isEmpty() && QFileInfo::exists(remembered))
        return remembered;
    try {
        if (const auto found = findWeights(modelSpec(name)))
            return QString::fromStdString(*found);
    } catch (const UsageError&) {
    }
    return std::nullopt;
}

PaneModel ModelChoice::paneModel(const QString& name)
{
    if (name.isEmpty())
        return {};
    return {name, weightsFor(name).value_or(QString()), Settings::preprocessFor(name)};
}

void ModelChoice::select(const QString& name, const QString& weights, bool untrainedWeights)
{
    const bool sameModel = name == model;
    model = name;
    weightsPath = weights;
    untrained = untrainedWeights;
    if (!sameModel)
        loadRemembered();
}

void ModelChoice::loadRemembered()
{
    layer = Settings::layerFor(model);
    labelsPath = Settings::labelsFor(model);
    preprocess = Settings::preprocessFor(model);
}

bool ModelChoice::useBundledInsteadOf(const QString& wanted)
{
    const auto bundled = bundledFile();
    model = bundled ? QString::fromStdString(bundledModelName()) : wanted;
    weightsPath = bundled.value_or(QString());
    untrained = !bundled;
    loadRemembered();
    return wanted != model || untrained;
}

bool ModelChoice::fallBackAfterFailure(const QString& loadedModel, const QString& loadedWeights)
{
    // The worker still holds the model that last loaded: a bad weights file
    // costs nothing but the message.
    if (!loadedModel.isEmpty()) {
        model = loadedModel;
        weightsPath = loadedWeights;
        untrained = loadedWeights.isEmpty();
        return true;
    }
    const QString bundledName = QString::fromStdString(bundledModelName());
    if (model == bundledName && untrained)
        return false; // nothing left to fall back to
    if (!untrained)
        Settings::setWeightsFor(model, QString()); // do not offer the broken file again
    const auto bundled = bundledFile();
    if (model != bundledName && bundled) {
        model = bundledName;
        weightsPath = *bundled;
        untrained = false;
    } else {
        weightsPath.clear();
        untrained = true;
    }
    return true;
}

void ModelChoice::fill(CamRequest& request) const
{
    request.modelName = model;
    request.weightsPath = untrained ? QString() : weightsPath;
    request.labelsPath = labelsPath;
    request.layer = layer;
    request.layerFallback = true; // a remembered layer the model lacks: its default layer, and a notice
    request.preprocess = preprocess;
}

} // namespace gce::ui
