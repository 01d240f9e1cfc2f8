// MainWindow's exports: the comparison or the current pane as painted, the
// Top-K (one image per class, computed on the worker), the clipboard. What an
// export contains is composed in ui/control/exportcomposition.h.
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QSlider>

#include "ui/canvas/colorbar.h"
#include "ui/canvas/comparepane.h"
#include "ui/canvas/panearea.h"
#include "ui/export/exportrenderer.h"
#include "ui/settings/settings.h"
#include "ui/window/aboutdialog.h"
#include "ui/window/mainwindow.h"
#include "ui/window/panestrip.h"
#include "ui/window/windowconstants.h"

namespace gce::ui {

QImage MainWindow::renderExportImage(bool allPanes) const
{
    // The panes as painted: on the shared scale when it is on.
    const QVector<PaneResult> panes = m_strip->shownResults(allPanes);
    ExportLook look = exportLook();
    look.sharedMax = m_colorBar->sharedMax();
    if (allPanes)
        look.grid = m_paneArea->grid(); // as the window arranges them
    ExportRequest request = composeExport(shown(), panes, look);
    // The region and its top classes by Here, when its ranking is the one shown.
    if (isRegion(m_strip->region()) && m_regionResult.requestId != 0 &&
        m_regionResult.requestId == m_controller->regionRequestId() && m_regionResult.imagePath == shown().imagePath) {
        request.region = m_regionResult.region;
        request.regionLegend = regionLegend(m_regionResult, m_modelInfo.labels);
    }
    return renderExport(request);
}

ExportLook MainWindow::exportLook() const
{
    ExportLook look;
    look.colormap = Colormap(m_colormap->currentData().toInt());
    look.alpha = m_opacity->value() / 100.0;
    return look;
}

void MainWindow::exportImage(bool allPanes)
{
    if (shown().image.isNull())
        return;
    const QString suggested = QDir(Settings::value(Setting::LastFolder).toString())
                                  .filePath(QFileInfo(shown().imagePath).completeBaseName() + "_gradcam.png");
    // The native dialog asks before replacing a file, so overwrite is confirmed.
    const QString path = QFileDialog::getSaveFileName(this, tr("Export"), suggested, tr("PNG (*.png);;JPEG (*.jpg *.jpeg)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!saveImageAtomically(renderExportImage(allPanes), path, true, &error))
        showMessage(tr("Export failed: %1").arg(error));
    else
        m_status->setText(tr("Exported %1").arg(QDir::toNativeSeparators(path)));
}

void MainWindow::exportTopK()
{
    if (shown().image.isNull())
        return;
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Export Top-%1 Into").arg(kTopKExport),
                                                          Settings::value(Setting::LastFolder).toString());
    if (dir.isEmpty())
        return;
    CamRequest request = baseRequest();
    request.imagePath = shown().imagePath;
    // The focused pane's method and model: its top K.
    const PaneModel model = ModelChoice::paneModel(m_strip->focusedPane()->model());
    for (int rank = 1; rank <= kTopKExport; ++rank) {
        request.classes.push_back(-rank);
        request.methods.push_back(m_strip->focusedPane()->method());
        request.paneModels.push_back(model);
    }
    m_controller->requestTopK(request, dir);
}

void MainWindow::writeTopKExport(const CamResult& result, const QString& folder)
{
    QStringList written;
    // One image per class, on the shared scale of the five when it is on.
    const PaneScales scales = paneScales(result.panes, action(ActionId::SharedScale)->isChecked());
    for (int i = 0; i < result.panes.size(); ++i) {
        PaneResult pane = result.panes[i];
        pane.map = scaledMap(pane.map, scales.factors[i]);
        ExportLook look = exportLook();
        look.sharedMax = scales.shared ? scales.sharedMax : 0.0;
        const ExportRequest request = composeExport(result, {pane}, look);
        const QString path = QDir(folder)
                                 .filePath(QStringLiteral("%1_rank%2_%3.png")
                                               .arg(QFileInfo(result.imagePath).completeBaseName())
                                               .arg(pane.rank)
                                               .arg(pane.classIndex));
        QString error;
        if (!saveImageAtomically(renderExport(request), path, false, &error)) {
            showMessage(tr("Export failed: %1").arg(error));
            return;
        }
        written << path;
    }
    m_status->setText(tr("Exported %1 images to %2").arg(written.size()).arg(QDir::toNativeSeparators(folder)));
}

void MainWindow::copyToClipboard()
{
    if (!shown().image.isNull())
        QApplication::clipboard()->setImage(renderExportImage(true));
}

void MainWindow::about()
{
    AboutDialog dialog(this);
    dialog.exec();
}

} // namespace gce::ui
