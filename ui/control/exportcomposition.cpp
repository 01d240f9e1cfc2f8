#include "ui/control/exportcomposition.h"

#include <algorithm>
#include <numeric>

#include <QFileInfo>

namespace gce::ui {

QString preprocessText(const CamResult& result)
{
    if (result.transformText.isEmpty())
        return result.preprocess;
    return QStringLiteral("%1 (%2)").arg(result.preprocess, result.transformText);
}

QVector<int> topByHere(const RegionResult& region, int count)
{
    QVector<int> order(region.here.size());
    std::iota(order.begin(), order.end(), 0);
    count = std::clamp(count, 0, int(order.size()));
    std::partial_sort(order.begin(), order.begin() + count, order.end(), [&](int a, int b) {
        return region.here[a] > region.here[b] || (region.here[a] == region.here[b] && a < b);
    });
    order.resize(count);
    return order;
}

QString topHereText(const RegionResult& region, const QStringList& labels, int count)
{
    QStringList parts;
    for (int index : topByHere(region, count))
        parts << QStringLiteral("%1 %2").arg(labels.value(index, QString::number(index)))
                     .arg(double(region.here[index]), 0, 'g', 3);
    return parts.join(QStringLiteral(" \u00b7 "));
}

QString regionLegend(const RegionResult& region, const QStringList& labels, int count)
{
    const QRect& r = region.region;
    const QString where = r.width() == 0 && r.height() == 0
                              ? QStringLiteral("point %1, %2").arg(r.x()).arg(r.y())
                              : QStringLiteral("box %1\u00d7%2 at %3, %4").arg(r.width()).arg(r.height()).arg(r.x()).arg(r.y());
    return QStringLiteral("Here (%1, %2): %3").arg(where, region.method, topHereText(region, labels, count));
}

ExportRequest composeExport(const CamResult& result, const QVector<PaneResult>& panes, const ExportLook& look)
{
    ExportRequest request;
    request.image = result.image;
    request.panes = panes;
    request.modelName = result.modelName;
    request.layerName = result.layerName;
    request.sourceFileName = QFileInfo(result.imagePath).fileName(); // no folders in shared images
    request.colormap = look.colormap;
    request.alpha = look.alpha;
    request.untrained = result.untrained;
    request.sharedMax = look.sharedMax;
    request.grid = look.grid;
    request.inputRect = result.inputRect;
    request.preprocessText = preprocessText(result);
    return request;
}

} // namespace gce::ui
