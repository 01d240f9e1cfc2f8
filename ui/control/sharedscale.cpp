#include "ui/control/sharedscale.h"

#include <QCoreApplication>
#include <QStringList>

#include <algorithm>

namespace gce::ui {

namespace {
// The distinct values, comma-separated, when there is more than one; else empty.
QString differing(QStringList values)
{
    values.removeDuplicates();
    return values.size() > 1 ? values.join(QStringLiteral(", ")) : QString();
}
} // namespace

QString sharedScaleObstacle(const QStringList& methods, const QStringList& models)
{
    if (const QString different = differing(models); !different.isEmpty())
        return QCoreApplication::translate("gce::ui::SharedScale",
                                           "the panes use different models (%1), whose raw values are not comparable: "
                                           "the maps of different networks measure different activations")
            .arg(different);
    if (const QString different = differing(methods); !different.isEmpty())
        return QCoreApplication::translate("gce::ui::SharedScale",
                                           "the panes use different CAM methods (%1), whose raw values are different "
                                           "quantities: give every pane the same method to share a scale")
            .arg(different);
    return {};
}

PaneScales paneScales(const QVector<PaneResult>& panes, bool wanted)
{
    PaneScales scales;
    scales.factors.fill(1.0, panes.size());
    if (!wanted)
        return scales;
    QStringList methods, models;
    for (const PaneResult& pane : panes) {
        methods << pane.method;
        models << pane.modelName;
    }
    scales.reason = sharedScaleObstacle(methods, models);
    if (!scales.reason.isEmpty())
        return scales;
    for (const PaneResult& pane : panes)
        scales.sharedMax = std::max(scales.sharedMax, double(pane.map.rawMax));
    if (!(scales.sharedMax > 0.0)) {
        scales.reason = QCoreApplication::translate("gce::ui::SharedScale", "no pane has positive evidence");
        scales.sharedMax = 0.0;
        return scales;
    }
    scales.shared = true;
    for (int i = 0; i < panes.size(); ++i)
        scales.factors[i] = double(panes[i].map.rawMax) / scales.sharedMax;
    return scales;
}

CamMapData scaledMap(const CamMapData& map, double factor)
{
    if (factor == 1.0)
        return map;
    CamMapData scaled = map;
    for (float& value : scaled.values)
        value = static_cast<float>(value * factor);
    return scaled;
}

} // namespace gce::ui
