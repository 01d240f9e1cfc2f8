#include "ui/control/exportcomposition.h"

#include <QFileInfo>

namespace gce::ui {

QString preprocessText(const CamResult& result)
{
    if (result.transformText.isEmpty())
        return result.preprocess;
    return QStringLiteral("%1 (%2)").arg(result.preprocess, result.transformText);
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
