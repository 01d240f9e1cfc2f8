// "What is here?" in the window: a region marked on any pane is drawn on
// every pane and ranked on the worker for the focused pane's model, layer and
// method (CamWorker::requestRegion); the class panel's Here and Share columns
// show the answer. The region belongs to its photo: another photo clears it.
#include <QFileInfo>

#include <algorithm>

#include "ui/control/explorercontroller.h"
#include "ui/control/exportcomposition.h"
#include "ui/panels/classpanel.h"
#include "ui/window/mainwindow.h"
#include "ui/window/panestrip.h"

namespace gce::ui {


void MainWindow::markRegion(const QRect& region)
{
    if (!isRegion(region))
        return;
    m_strip->setRegion(region);
    m_regionImage = shown().imagePath;
    requestRegion();
}

QRect MainWindow::region() const { return m_strip->region(); }

void MainWindow::requestRegion()
{
    const CamResult& result = shown();
    if (!isRegion(m_strip->region()) || result.requestId == 0 || result.imagePath != m_regionImage ||
        result.panes.isEmpty())
        return;
    RegionRequest request;
    request.source = baseRequest();
    request.mapRequest = result.requestId;
    request.pane = std::clamp(m_strip->focused(), 0, int(result.panes.size()) - 1);
    request.region = m_strip->region();
    m_controller->requestRegion(request);
}

void MainWindow::clearRegion()
{
    m_strip->setRegion(noRegion());
    m_controller->clearRegion();
    m_classPanel->setRegionScores({}, {});
    m_regionImage.clear();
    m_regionResult = {};
}

void MainWindow::onRegionReady(const RegionResult& result)
{
    m_regionResult = result;
    m_classPanel->setRegionScores(result.here, result.share);
    const QRect& r = result.region;
    const QString where = r.width() == 0 && r.height() == 0
                              ? tr("at %1, %2").arg(r.x()).arg(r.y())
                              : tr("in %1×%2 at %3, %4").arg(r.width()).arg(r.height()).arg(r.x()).arg(r.y());
    showMessage(tr("Here (%1, %2 at %3, %4): %5 · %6 ms")
                    .arg(where, result.method, result.layerName, result.mapsReused ? tr("maps kept") : tr("maps made"),
                         topHereText(result, m_modelInfo.labels, 3))
                    .arg(result.rankingMs, 0, 'f', 1));
    emit regionShown(result.requestId);
}

} // namespace gce::ui
