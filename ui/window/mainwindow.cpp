#include "ui/window/mainwindow.h"

#include <QCloseEvent>
#include <QDir>
#include <QDragEnterEvent>
#include <QFileInfo>
#include <QLabel>
#include <QMimeData>
#include <QComboBox>
#include <QSlider>

#include "core/support/labels.h"
#include "ui/canvas/colorbar.h"
#include "ui/canvas/comparepane.h"
#include "ui/canvas/panearea.h"
#include "ui/control/explorercontroller.h"
#include "ui/panels/classpanel.h"
#include "ui/settings/settings.h"
#include "ui/settings/settingscheck.h"
#include "ui/window/panestrip.h"
#include "ui/window/windowconstants.h"

namespace gce::ui {

namespace {
constexpr int kBusyDelayMs = 150;       // no spinner flicker for quick class switches
constexpr int kMessageTimeoutMs = 12000;
// Bumped when the docks change: a layout saved without the Layers dock would
// leave it wherever Qt puts unknown docks, so such a layout is not restored.
constexpr int kWindowStateVersion = 1;

// The labels are known before any model is loaded, so the class list is
// usable at once; the model's own labels replace them when it loads.
QStringList imageNetLabels()
{
    QStringList names;
    for (const auto& name : LabelSet::imageNet().names())
        names << QString::fromStdString(name);
    return names;
}
} // namespace

MainWindow::MainWindow(const StartOptions& options, QWidget* parent) : QMainWindow(parent)
{
    setWindowTitle(tr("Grad-CAM Explorer"));
    setAcceptDrops(true);
    m_controller = new ExplorerController(this);

    m_choice.model = options.modelName.isEmpty() ? Settings::value(Setting::Model).toString() : options.modelName;
    m_choice.loadRemembered();
    // --layer and --labels are for this run; a layer chosen in the tree is remembered per model.
    if (!options.layer.isEmpty())
        m_choice.layer = options.layer;
    if (!options.labelsPath.isEmpty())
        m_choice.labelsPath = options.labelsPath;

    createActions();
    createCentralArea();
    createDocks();
    createMenus();
    createToolBar();
    connectController();

    m_busyTimer.setSingleShot(true);
    connect(&m_busyTimer, &QTimer::timeout, m_busy, &QLabel::show);
    m_messageTimer.setSingleShot(true);
    connect(&m_messageTimer, &QTimer::timeout, m_message, &QLabel::hide);
    // A damaged settings file costs the user one line, once: the check repairs it.
    if (const SettingsCheck check = checkSettingsFile(); !check.ok())
        showMessage(check.notice());

    m_classPanel->setLabels(imageNetLabels());
    if (!restoreGeometry(Settings::value(Setting::WindowGeometry).toByteArray()))
        resize(1280, 760);
    restoreState(Settings::value(Setting::WindowState).toByteArray(), kWindowStateVersion);
    applyStartOptions(options);
    updateActions();
}

void MainWindow::applyStartOptions(const StartOptions& options)
{
    if (!options.classes.isEmpty()) {
        m_strip->panes().front()->setTarget(options.classes.front());
        for (int i = 1; i < options.classes.size() && !m_strip->isFull(); ++i)
            m_strip->add(options.classes[i]);
    }
    for (int i = 0; i < options.methods.size() && i < m_strip->count(); ++i)
        m_strip->panes()[i]->setMethod(options.methods[i]);
    for (int i = 0; i < options.paneModels.size() && i < m_strip->count(); ++i)
        m_strip->panes()[i]->setModel(options.paneModels[i]);
    // setChecked, not trigger: a command-line flag is for this run only.
    if (options.augmentSmooth)
        action(ActionId::AugmentSmooth)->setChecked(true);
    if (options.eigenSmooth)
        action(ActionId::EigenSmooth)->setChecked(true);
    if (options.sharedScale)
        action(ActionId::SharedScale)->setChecked(true);

    // No dialog before the window: a model without weights gives way to the
    // bundled one at once, and the bar offers the missing weights.
    if (options.untrained) {
        m_choice.untrained = true;
    } else if (!options.weightsPath.isEmpty()) {
        m_choice.weightsPath = options.weightsPath;
    } else if (const auto found = ModelChoice::weightsFor(m_choice.model)) {
        m_choice.weightsPath = *found;
    } else {
        const QString wanted = m_choice.model;
        if (m_choice.useBundledInsteadOf(wanted))
            offerWeights(wanted);
        syncModelMenu();
        showLayerChoice();
    }
    // --preprocess and --layout are for this run: applied after the model
    // (perhaps the bundled one) is settled, and not remembered.
    if (!options.preprocess.isEmpty())
        m_choice.preprocess = options.preprocess;
    syncPreprocessMenu();
    if (const auto layout = paneLayoutFromName(options.layout))
        m_paneArea->setLayoutChoice(*layout, false);
    if (!options.imagePath.isEmpty())
        openImage(options.imagePath);
}

void MainWindow::connectController()
{
    connect(m_controller, &ExplorerController::mapsRequested, this, [this] {
        m_requestClock.start();
        if (!m_busyTimer.isActive() && m_busy->isHidden())
            m_busyTimer.start(kBusyDelayMs);
    });
    connect(m_controller, &ExplorerController::partialResult, this, &MainWindow::showPartialResult);
    connect(m_controller, &ExplorerController::result, this, &MainWindow::onResult);
    connect(m_controller, &ExplorerController::failed, this, &MainWindow::onFailed);
    connect(m_controller, &ExplorerController::topKReady, this, [this](const CamResult& result, const QString& folder) {
        m_busyTimer.stop();
        m_busy->hide();
        writeTopKExport(result, folder);
    });
    connect(m_controller, &ExplorerController::topKFailed, this,
            [this](const QString& message) { showMessage(tr("Export failed: %1").arg(message)); });
    connect(m_controller, &ExplorerController::modelLoaded, this, &MainWindow::onModelLoaded);
    connect(m_controller, &ExplorerController::modelFailed, this, &MainWindow::onModelFailed);
    connect(m_controller, &ExplorerController::regionReady, this, &MainWindow::onRegionReady);
    connect(m_controller, &ExplorerController::regionFailed, this,
            [this](const QString& message) { showMessage(tr("What is here: %1").arg(message)); });
    connect(m_controller, &ExplorerController::regionProgress, this, [this](double fraction) {
        showMessage(tr("Ranking every class in the region… %1%").arg(int(fraction * 100)));
    });
    connect(m_controller, &ExplorerController::scoresDue, this,
            [this](int key) { scoreFaithfulness(m_strip->panes().indexOf(m_strip->paneForKey(key))); });
}

MainWindow::~MainWindow() = default;

// ---- panes ----------------------------------------------------------

void MainWindow::onClassActivated(int classIndex)
{
    ComparePane* pane = m_strip->focusedPane();
    if (!pane)
        return;
    // The same class again keeps its map, and so its scores.
    if (pane->result().classIndex != classIndex)
        m_strip->clearScores(pane);
    pane->setTarget(classIndex);
    requestCompute();
}

// ---- images and folders -------------------------------------------------

void MainWindow::openImage(const QString& path)
{
    const QFileInfo info(path);
    if (info.isDir()) {
        openFolder(path);
        return;
    }
    // Unpinned panes follow the new image's predictions (ranks 1, 2, ...).
    if (!m_folder.isEmpty() && !action(ActionId::PinClasses)->isChecked())
        for (int i = 0; i < m_strip->count(); ++i)
            m_strip->panes()[i]->setTarget(-(i + 1));
    m_strip->clearScores(); // scores belong to the image they were computed on
    m_folder.setCurrent(info.absoluteFilePath());
    Settings::setValue(Setting::LastFolder, info.absolutePath());
    Settings::addRecentFile(m_folder.current());
    updateRecentMenu();
    requestCompute();
    updateActions();
}

void MainWindow::openFolder(const QString& folder)
{
    const QStringList files = FolderNavigator::imagesIn(QDir(folder));
    if (files.isEmpty()) {
        showMessage(tr("No images (JPEG, PNG, WebP, BMP) in %1").arg(QDir::toNativeSeparators(folder)));
        return;
    }
    openImage(files.front());
}

void MainWindow::step(int delta)
{
    if (const QString next = m_folder.neighbour(delta); !next.isEmpty())
        openImage(next);
}

// ---- the worker ---------------------------------------------------------

CamRequest MainWindow::baseRequest() const
{
    CamRequest request;
    request.imagePath = m_folder.current();
    m_choice.fill(request);
    request.augmentSmooth = action(ActionId::AugmentSmooth)->isChecked();
    request.eigenSmooth = action(ActionId::EigenSmooth)->isChecked();
    return request;
}

void MainWindow::requestCompute()
{
    if (m_folder.isEmpty())
        return;
    CamRequest request = baseRequest();
    for (ComparePane* pane : m_strip->panes()) {
        request.classes.push_back(pane->target());
        request.methods.push_back(pane->method());
        request.paneModels.push_back(ModelChoice::paneModel(pane->model()));
    }
    request.preload = m_folder.neighbours();
    m_controller->requestMaps(request);
}

// The quick panes of a request whose other panes still run perturbed passes
// (Score-CAM, Ablation-CAM): painted now, the pending ones show the photo and
// say they are computing. The controller's last result stays the complete one, which
// exports and scores use, and the busy indicator stays, until the complete
// result arrives. Own scales: a shared one would need the pending maps.
void MainWindow::showPartialResult(const CamResult& result)
{
    showPanes(result, false);
    // Own scales until the slow panes arrive; the bar shows now, not then, or the panes would shift.
    m_colorBar->setScale(0.0, QString());
    m_colorBar->setVisible(true);
    updateActions();
    emit partialResultShown(result.requestId);
}

void MainWindow::onResult(const CamResult& result)
{
    m_busyTimer.stop();
    m_busy->hide();
    showPanes(result, true);
    syncPreprocessMenu();
    m_badge->setVisible(result.untrained);
    setWindowTitle(tr("%1 — Grad-CAM Explorer").arg(QFileInfo(result.imagePath).fileName()));
    const int position = m_folder.position();
    // Smoothing applies to every pane: said once here too, where narrow panes cannot cut it off.
    PaneResult smoothing;
    smoothing.augmentSmooth = action(ActionId::AugmentSmooth)->isChecked();
    smoothing.eigenSmooth = action(ActionId::EigenSmooth)->isChecked();
    m_status->setText(tr("%1 × %2 px · %3 · layer %4%5%6 · %7 · %8 ms to screen")
                          .arg(result.image.width())
                          .arg(result.image.height())
                          .arg(result.modelName, result.layerName,
                               result.preprocess == QLatin1String("model")
                                   ? tr(" · model preprocessing (%1)").arg(result.transformText)
                                   : QString(),
                               smoothing.smoothingText().isEmpty()
                                   ? QString()
                                   : tr(" · smoothed: %1").arg(smoothing.smoothingText()),
                               position >= 0 ? tr("image %1 of %2").arg(position + 1).arg(m_folder.count())
                                             : QString())
                          .arg(m_requestClock.elapsed()));
    updateActions();
    // A region belongs to its photo; on the same photo it is ranked again for
    // the maps now shown (no pass through the network unless the layer,
    // method or model changed).
    if (isRegion(m_strip->region()) && result.imagePath != m_regionImage)
        clearRegion();
    else
        requestRegion();
    emit resultShown(result.requestId);
}

void MainWindow::showPanes(const CamResult& result, bool shareScale)
{
    const PaneScales scales = m_strip->show(result, shareScale && action(ActionId::SharedScale)->isChecked());
    if (shareScale)
        showScales(scales); // the color bar, and the note when a shared scale cannot apply
    m_classPanel->setProbabilities(result.probabilities);
    if (m_strip->focused() < result.panes.size())
        m_classPanel->setCurrentClass(result.panes[m_strip->focused()].classIndex);
}

void MainWindow::showScales(const PaneScales& scales)
{
    m_colorBar->setScale(scales.shared ? scales.sharedMax : 0.0, scales.reason);
    m_colorBar->setVisible(!scales.factors.isEmpty());
    // Say once why the scale is not shared, not on every class switch.
    if (scales.reason != m_scaleNote) {
        m_scaleNote = scales.reason;
        if (!m_scaleNote.isEmpty())
            showMessage(tr("Shared scale not applied: %1.").arg(m_scaleNote));
    }
}

void MainWindow::scoreFaithfulness(int index)
{
    m_strip->score(index, baseRequest());
}

void MainWindow::onFailed(const QString& message, bool hadPartial)
{
    m_busyTimer.stop();
    m_busy->hide();
    if (hadPartial && !shown().image.isNull()) // a slow pane failed: back to the last complete result
        showPanes(shown(), true);
    // Keep showing the previous image: nothing is lost by a bad file.
    if (!shown().imagePath.isEmpty() && m_folder.current() != shown().imagePath) {
        // openImage listed the bad file's folder: Next/Previous step from the image shown.
        m_folder.setCurrent(shown().imagePath, /*relist=*/true);
    }
    showMessage(message);
    updateActions();
}

void MainWindow::showMessage(const QString& text)
{
    m_message->setText(text);
    m_message->show();
    m_messageTimer.start(kMessageTimeoutMs);
}

QString MainWindow::messageText() const { return m_message->isVisible() ? m_message->text() : QString(); }

bool MainWindow::untrainedBadgeVisible() const { return !m_badge->isHidden(); }

// ---- window -------------------------------------------------------------

void MainWindow::closeEvent(QCloseEvent* event)
{
    Settings::setValue(Setting::WindowGeometry, saveGeometry());
    Settings::setValue(Setting::WindowState, saveState(kWindowStateVersion));
    Settings::setValue(Setting::Opacity, m_opacity->value());
    Settings::setValue(Setting::Colormap,
                       QString::fromStdString(colormapName(Colormap(m_colormap->currentData().toInt()))));
    event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    for (const QUrl& url : event->mimeData()->urls()) {
        if (url.isLocalFile()) {
            openImage(url.toLocalFile());
            event->acceptProposedAction();
            return;
        }
    }
}

} // namespace gce::ui
