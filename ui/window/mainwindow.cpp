#include "ui/window/mainwindow.h"

#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QSlider>
#include <QStatusBar>
#include <QStyle>
#include <QToolBar>
#include <QVBoxLayout>

#include <algorithm>
#include <utility>

#include "core/errors.h"
#include "core/models/modelspecs.h"
#include "core/support/labels.h"
#include "core/support/weightscache.h"
#include "ui/window/aboutdialog.h"
#include "ui/panels/classpanel.h"
#include "ui/canvas/colorbar.h"
#include "ui/canvas/comparepane.h"
#include "ui/export/exportrenderer.h"
#include "ui/panels/layertree.h"
#include "ui/panels/layertreemodel.h"
#include "ui/canvas/panearea.h"
#include "ui/settings/settings.h"
#include "ui/settings/settingscheck.h"
#include "ui/control/explorercontroller.h"
#include "ui/control/sharedscale.h"
#include "ui/weights/weightsbar.h"
#include "ui/window/windowconstants.h"

namespace gce::ui {

namespace {
constexpr int kBusyDelayMs = 150;       // no spinner flicker for quick class switches
constexpr int kMessageTimeoutMs = 12000;
constexpr int kLayerButtonTextWidth = 220; // px; longer (TorchScript) names are elided in the middle
// Bumped when the docks change: a layout saved without the Layers dock would
// leave it wherever Qt puts unknown docks, so such a layout is not restored.
constexpr int kWindowStateVersion = 1;
constexpr int kDockWidth = 380; // px: the layer tree's name, type and shape columns side by side

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
    connect(m_controller, &ExplorerController::scoresReady, this, &MainWindow::onFaithfulnessReady);
    connect(m_controller, &ExplorerController::scoresFailed, this, &MainWindow::onFaithfulnessFailed);
    connect(m_controller, &ExplorerController::scoresProgress, this, [this](int key, double fraction) {
        if (ComparePane* pane = paneForKey(key))
            pane->showScoringProgress(fraction);
    });
    connect(m_controller, &ExplorerController::scoresDue, this,
            [this](int key) { scoreFaithfulness(m_panes.indexOf(paneForKey(key))); });

    m_choice.model = options.modelName.isEmpty() ? Settings::value(Setting::Model).toString() : options.modelName;
    m_choice.loadRemembered();
    // --layer and --labels are for this run; a layer chosen in the tree is remembered per model.
    if (!options.layer.isEmpty())
        m_choice.layer = options.layer;
    if (!options.labelsPath.isEmpty())
        m_choice.labelsPath = options.labelsPath;

    createActions();
    createCentralArea();
    createMenus();
    createToolBar();

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

    if (!options.classes.isEmpty()) {
        m_panes.front()->setTarget(options.classes.front());
        for (int i = 1; i < options.classes.size() && i < kMaxPanes; ++i)
            addPane(options.classes[i]);
    }
    for (int i = 0; i < options.methods.size() && i < m_panes.size(); ++i)
        m_panes[i]->setMethod(options.methods[i]);
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
    updateActions();
}

MainWindow::~MainWindow() = default;

void MainWindow::createCentralArea()
{
    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(4);

    m_badge = new QLabel(tr("Untrained weights — predictions and heatmaps are meaningless. "
                            "Model ▸ Choose Weights File… to load real weights."),
                         central);
    m_badge->setStyleSheet(QStringLiteral(
        "QLabel { background: #c62828; color: white; font-weight: bold; padding: 6px; border-radius: 3px; }"));
    m_badge->setWordWrap(true);
    m_badge->hide();
    layout->addWidget(m_badge);

    m_weightsBar = new WeightsBar(central);
    layout->addWidget(m_weightsBar);
    connect(m_weightsBar, &WeightsBar::weightsChosen, this, [this](const QString& model, const QString& path) {
        Settings::setWeightsFor(model, path);
        switchModel(model, path, false); // the panes keep their classes
    });
    connect(m_weightsBar, &WeightsBar::dismissed, this, [this] {
        // Content with what runs: the next start opens it without the offer.
        Settings::setValue(Setting::Model, m_choice.model);
    });

    m_message = new QLabel(central);
    m_message->setStyleSheet(QStringLiteral(
        "QLabel { background: #fff3cd; color: #5c4400; padding: 6px; border: 1px solid #e0c36a; border-radius: 3px; }"));
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->hide();
    layout->addWidget(m_message);

    // The panes, and beside them the color bar with the maps' scale.
    auto* row = new QHBoxLayout;
    row->setContentsMargins(0, 0, 0, 0);
    row->setSpacing(4);
    m_paneArea = new PaneArea(central);
    row->addWidget(m_paneArea, 1);
    m_colorBar = new ColorBar(central);
    m_colorBar->setObjectName(QStringLiteral("colorBar"));
    m_colorBar->hide(); // until there is a map
    row->addWidget(m_colorBar);
    layout->addLayout(row, 1);
    setCentralWidget(central);
    addPane(-1);

    m_classPanel = new ClassPanel(this);
    auto* dock = new QDockWidget(tr("Classes"), this);
    dock->setObjectName(QStringLiteral("classDock"));
    dock->setFeatures(QDockWidget::DockWidgetMovable);
    dock->setWidget(m_classPanel);
    addDockWidget(Qt::RightDockWidgetArea, dock);
    connect(m_classPanel, &ClassPanel::classActivated, this, &MainWindow::onClassActivated);

    // Both panels are long lists that want the full height, and the layer
    // changes far less often than the class: a tab behind the classes.
    m_layerTree = new LayerTree(this);
    m_layerDock = new QDockWidget(tr("Layers"), this);
    m_layerDock->setObjectName(QStringLiteral("layerDock"));
    m_layerDock->setFeatures(QDockWidget::DockWidgetMovable);
    m_layerDock->setWidget(m_layerTree);
    addDockWidget(Qt::RightDockWidgetArea, m_layerDock);
    setTabPosition(Qt::RightDockWidgetArea, QTabWidget::North);
    tabifyDockWidget(dock, m_layerDock);
    // The tabs name the panels: a title bar above them would say "Classes"
    // again right under the tab of that name.
    for (QDockWidget* tabbed : {dock, m_layerDock})
        tabbed->setTitleBarWidget(new QWidget(tabbed));
    dock->raise();
    resizeDocks({dock}, {kDockWidth}, Qt::Horizontal);
    connect(m_layerTree, &LayerTree::layerChosen, this, &MainWindow::chooseLayer);

    m_busy = new QLabel(tr("Computing…"), this);
    m_busy->hide();
    m_status = new QLabel(this);
    statusBar()->addWidget(m_status, 1);
    statusBar()->addPermanentWidget(m_busy);

    // Score-CAM and Ablation-CAM stream their progress; any answer ends it.
    auto* progress = new QProgressBar(this);
    progress->setObjectName(QStringLiteral("methodProgress"));
    progress->setRange(0, 100);
    progress->setMaximumWidth(120);
    progress->hide();
    statusBar()->addPermanentWidget(progress);
    connect(m_controller, &ExplorerController::progress, progress, [progress](double fraction) {
        progress->setValue(qRound(fraction * 100));
        progress->setVisible(fraction < 1.0);
    });
    connect(m_controller, &ExplorerController::result, progress, &QWidget::hide);
    connect(m_controller, &ExplorerController::failed, progress, &QWidget::hide);
    connect(m_controller, &ExplorerController::topKReady, progress, &QWidget::hide); // its passes were shown too
    connect(m_controller, &ExplorerController::topKFailed, progress, &QWidget::hide);
}

// ---- panes --------------------------------------------------------------

void MainWindow::addPane(int target)
{
    if (m_panes.size() >= kMaxPanes)
        return;
    auto* pane = new ComparePane(target, m_paneArea);
    pane->setKey(m_nextPaneKey++);
    m_paneArea->addPane(pane);
    m_panes.push_back(pane);
    ImageCanvas* canvas = pane->canvas();
    canvas->setOpacity(m_opacity ? m_opacity->value() / 100.0 : kDefaultOverlayAlpha);
    if (m_colormap)
        canvas->setColormap(Colormap(m_colormap->currentData().toInt()));
    if (!shown().image.isNull()) {
        canvas->setImage(shown().image);
        canvas->setView(m_panes.front()->canvas()->view());
    }
    connect(canvas, &ImageCanvas::viewChanged, this, &MainWindow::syncView);
    connect(pane, &ComparePane::focusRequested, this, [this, pane] { setFocusedPane(m_panes.indexOf(pane)); });
    connect(pane, &ComparePane::closeRequested, this, [this, pane] { removePane(m_panes.indexOf(pane)); });
    connect(pane, &ComparePane::methodChanged, this, [this, pane] {
        invalidateScores(pane);
        requestCompute();
    });
    connect(pane, &ComparePane::faithfulnessRequested, this, [this, pane] { scoreFaithfulness(m_panes.indexOf(pane)); });
    connect(pane, &ComparePane::scoresDismissed, this, [this, pane] { invalidateScores(pane); });
    setFocusedPane(m_panes.size() - 1);
    relayoutPanes();
    syncScoresPanels(); // a new pane keeps the pictures aligned
}

void MainWindow::removePane(int index)
{
    if (m_panes.size() <= 1 || index < 0 || index >= m_panes.size())
        return;
    invalidateScores(m_panes[index]);
    ComparePane* pane = m_panes.takeAt(index);
    m_paneArea->removePane(pane);
    pane->deleteLater();
    syncScoresPanels();
    setFocusedPane(std::min(index, int(m_panes.size()) - 1));
    relayoutPanes();
    // An answer in flight lists the old panes by position: ask again for
    // these (same image and layer, so backward passes only).
    requestCompute();
}

void MainWindow::relayoutPanes()
{
    for (ComparePane* pane : m_panes)
        pane->setClosable(m_panes.size() > 1);
    m_paneArea->relayout(); // a pane's close button or scores panel changes what it spends around the photo
    if (m_actions.contains(ActionId::AddPane))
        updateActions();
}

void MainWindow::setFocusedPane(int index)
{
    if (index < 0 || index >= m_panes.size())
        return;
    m_focused = index;
    for (int i = 0; i < m_panes.size(); ++i)
        m_panes[i]->setFocused(m_panes.size() > 1 && i == index);
    if (m_classPanel && m_panes[index]->result().classIndex >= 0)
        m_classPanel->setCurrentClass(m_panes[index]->result().classIndex);
}

void MainWindow::syncView(const CanvasView& view)
{
    // Zoom and pan are shared: every pane shows the same part of the photo.
    for (ComparePane* pane : m_panes)
        if (pane->canvas() != sender())
            pane->canvas()->setView(view);
}

void MainWindow::onClassActivated(int classIndex)
{
    if (m_focused < 0 || m_focused >= m_panes.size())
        return;
    // The same class again keeps its map, and so its scores.
    if (m_panes[m_focused]->result().classIndex != classIndex)
        invalidateScores(m_panes[m_focused]);
    m_panes[m_focused]->setTarget(classIndex);
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
        for (int i = 0; i < m_panes.size(); ++i)
            m_panes[i]->setTarget(-(i + 1));
    invalidateScores(); // scores belong to the image they were computed on
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

// ---- model and weights --------------------------------------------------

void MainWindow::offerWeights(const QString& modelName)
{
    const std::string name = modelName.toStdString();
    const auto known = std::find_if(modelSpecs().begin(), modelSpecs().end(),
                                    [&](const ModelSpec& spec) { return spec.name == name; });
    if (known == modelSpecs().end())
        return; // nothing to download for a name the engine does not know
    const QString title = modelName == QLatin1String("resnet18") ? tr("ResNet-18 (the tutorial's model)") : modelName;
    const QString running = m_choice.untrained ? tr("untrained weights run meanwhile")
                                        : tr("showing %1 meanwhile").arg(m_choice.model == QString::fromStdString(bundledModelName())
                                                                              ? tr("the bundled SqueezeNet 1.1")
                                                                              : m_choice.model);
    m_weightsBar->offer(modelName, tr("%1 is not in the torch hub cache — %2.").arg(title, running),
                        QUrl(QString::fromStdString(downloadUrl(*known))),
                        QString::fromStdString(torchHubCheckpointsDir()));
}

void MainWindow::chooseModel(const QString& modelName)
{
    if (modelName == m_choice.model)
        return;
    if (const auto found = ModelChoice::weightsFor(modelName)) {
        m_weightsBar->hide();
        switchModel(modelName, *found, false);
        return;
    }
    offerWeights(modelName); // the running model stays until weights arrive
    syncModelMenu();
    updateActions();
}

void MainWindow::switchModel(const QString& modelName, const QString& weightsPath, bool untrained)
{
    m_choice.select(modelName, weightsPath, untrained);
    syncPreprocessMenu();
    Settings::setValue(Setting::Model, modelName);
    invalidateScores();
    syncModelMenu();
    showLayerChoice();
    updateActions();
    requestCompute();
}

void MainWindow::syncModelMenu()
{
    // A TorchScript file is not one of the menu's architectures: no choice stays checked.
    for (QAction* choice : m_modelMenu->actions())
        if (choice->isCheckable())
            choice->setChecked(choice->text() == m_choice.model);
}

void MainWindow::choosePreprocess(const QString& mode)
{
    Settings::setPreprocessFor(m_choice.model, mode);
    if (mode == m_choice.preprocess)
        return;
    m_choice.preprocess = mode;
    invalidateScores(); // scores of maps made from another input
    requestCompute();
}

void MainWindow::syncPreprocessMenu()
{
    if (!m_actions.contains(ActionId::ModelPreprocessing))
        return;
    // Not chosen: what ran last for this model (a TorchScript sidecar may name "model"), else the tutorial's.
    const QString mode = !m_choice.preprocess.isEmpty()             ? m_choice.preprocess
                         : shown().modelName == m_choice.model ? shown().preprocess
                                                            : QStringLiteral("tutorial");
    action(ActionId::ModelPreprocessing)->setChecked(mode == QLatin1String("model"));
    action(ActionId::TutorialPreprocessing)->setChecked(mode != QLatin1String("model"));
}

void MainWindow::chooseLayer(const QString& layer)
{
    // The tree lists the loaded model's layers: while another model loads,
    // a choice from it would be remembered for the wrong model.
    if (m_modelInfo.modelName != m_choice.model)
        return;
    const QString wanted = layer == m_modelInfo.defaultLayer ? QString() : layer;
    if (wanted == m_choice.layer)
        return;
    m_choice.layer = wanted;
    Settings::setLayerFor(m_choice.model, m_choice.layer);
    invalidateScores();
    showLayerChoice();
    requestCompute();
}

void MainWindow::showLayerChoice()
{
    const bool loaded = m_modelInfo.modelName == m_choice.model;
    const QString shown = !m_choice.layer.isEmpty() ? m_choice.layer : loaded ? m_modelInfo.defaultLayer : QString();
    if (m_layerTree && loaded)
        m_layerTree->setCurrentLayer(shown);
    if (!m_layerButton)
        return;
    const QString text = shown.isEmpty() ? tr("default") : shown;
    const QFontMetrics metrics = m_layerButton->fontMetrics();
    m_layerButton->setText(metrics.elidedText(text, Qt::ElideMiddle, kLayerButtonTextWidth));
    // Room around the name, or the framed text reads as an input field.
    m_layerButton->setMinimumWidth(metrics.horizontalAdvance(m_layerButton->text()) + 4 * metrics.averageCharWidth());
    m_layerButton->setToolTip(tr("Target layer %1: Grad-CAM explains this layer's output.\n"
                                 "Click or press %2 to choose another in the Layers panel.")
                                  .arg(text, action(ActionId::ChooseLayer)->shortcut().toString(
                                                 QKeySequence::NativeText)));
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
    for (ComparePane* pane : m_panes) {
        request.classes.push_back(pane->target());
        request.methods.push_back(pane->method());
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
    emit resultShown(result.requestId);
}

void MainWindow::showPanes(const CamResult& result, bool shareScale)
{
    const int shown = std::min<int>(m_panes.size(), result.panes.size());
    const PaneScales scales =
        paneScales(result.panes.mid(0, shown), shareScale && action(ActionId::SharedScale)->isChecked());
    for (int i = 0; i < shown; ++i) {
        ImageCanvas* canvas = m_panes[i]->canvas();
        // Per canvas: a partial result or a pane added meanwhile may have put another photo there.
        if (!canvas->showsImage(result.image))
            canvas->setImage(result.image);
        canvas->setInputRect(result.inputRect);
        // Scores of another map (a change no invalidation caught) must not stay up.
        if ((m_panes[i]->isScoring() || m_panes[i]->hasScores()) && !m_panes[i]->scoresMatch(result.panes[i]))
            invalidateScores(m_panes[i]);
        m_panes[i]->showResult(result.panes[i], scales.factors[i]);
    }
    m_paneArea->setImageSize(result.image.size()); // Auto arranges for the photo's aspect ratio
    if (shareScale)
        applyScales(); // the color bar, and the note when a shared scale cannot apply
    m_classPanel->setProbabilities(result.probabilities);
    if (m_focused < result.panes.size())
        m_classPanel->setCurrentClass(result.panes[m_focused].classIndex);
}

void MainWindow::applyScales()
{
    QVector<PaneResult> shown;
    for (ComparePane* pane : m_panes)
        if (!pane->result().map.isNull())
            shown << pane->result();
    const bool wanted = action(ActionId::SharedScale)->isChecked();
    const PaneScales scales = paneScales(shown, wanted);
    for (int i = 0, k = 0; i < m_panes.size(); ++i)
        if (!m_panes[i]->result().map.isNull())
            m_panes[i]->setDisplayScale(scales.factors[k++]);
    m_colorBar->setScale(scales.shared ? scales.sharedMax : 0.0, scales.reason);
    m_colorBar->setVisible(!shown.isEmpty());
    // Say once why the scale is not shared, not on every class switch.
    if (scales.reason != m_scaleNote) {
        m_scaleNote = scales.reason;
        if (!m_scaleNote.isEmpty())
            showMessage(tr("Shared scale not applied: %1.").arg(m_scaleNote));
    }
}

// ---- faithfulness scores ------------------------------------------------

void MainWindow::scoreFaithfulness(int index)
{
    if (index < 0 || index >= m_panes.size() || shown().image.isNull())
        return;
    ComparePane* pane = m_panes[index];
    // A request in flight will replace this pane's map: score that one.
    if (m_controller->awaitingMaps()) {
        m_controller->scoreWhenShown(pane->key());
        return;
    }
    if (pane->result().classIndex < 0 || pane->result().map.isNull())
        return;
    // Newest wins: the worker drops the scores it was computing for another pane.
    if (ComparePane* scoring = paneForKey(m_controller->scoringPane()); scoring && scoring != pane)
        scoring->clearScores();
    FaithfulnessRequest request;
    request.source = baseRequest();
    request.classIndex = pane->result().classIndex;
    request.map = pane->result().map; // each divided by its own max, as the CLI's --metrics scores it
    pane->beginScoring();
    m_controller->requestScores(pane->key(), request);
    syncScoresPanels();
}

ComparePane* MainWindow::paneForKey(int key) const
{
    for (ComparePane* pane : m_panes)
        if (pane->key() == key)
            return pane;
    return nullptr;
}

void MainWindow::syncScoresPanels()
{
    bool any = false;
    for (ComparePane* pane : m_panes)
        any |= pane->isScoring() || pane->hasScores();
    for (ComparePane* pane : m_panes)
        pane->setScoresPanelShown(any);
}

void MainWindow::invalidateScores(ComparePane* only)
{
    for (ComparePane* pane : m_panes)
        if (!only || pane == only)
            pane->clearScores();
    m_controller->cancelScores(only ? only->key() : -1);
    syncScoresPanels();
}

void MainWindow::onFaithfulnessReady(int key, const FaithfulnessResult& result)
{
    if (ComparePane* pane = paneForKey(key))
        pane->showScores(result);
    syncScoresPanels();
    emit scoresShown(result.requestId);
}

void MainWindow::onFaithfulnessFailed(int key, const QString& message)
{
    if (ComparePane* pane = paneForKey(key))
        pane->clearScores();
    syncScoresPanels();
    showMessage(tr("Faithfulness scores: %1").arg(message));
}

void MainWindow::onFailed(const QString& message, bool hadPartial)
{
    m_busyTimer.stop();
    m_busy->hide();
    if (hadPartial && !shown().image.isNull())
        showPanes(shown(), true); // a slow pane failed: back to the last complete result
    // Keep showing the previous image: nothing is lost by a bad file.
    if (!shown().imagePath.isEmpty() && m_folder.current() != shown().imagePath) {
        // openImage listed the bad file's folder: Next/Previous step from the image shown.
        m_folder.setCurrent(shown().imagePath, /*relist=*/true);
    }
    showMessage(message);
    updateActions();
}

void MainWindow::onModelLoaded(const ModelInfo& info)
{
    m_modelInfo = info;
    m_classPanel->setLabels(info.labels);
    m_layerTree->setLayers(info.layers, info.defaultLayer);
    // A remembered layer this model does not have (a re-exported TorchScript
    // file, an edited settings file) falls back to the default. The request
    // in flight names it and is bound to fail: replace it.
    if (info.modelName == m_choice.model && !m_choice.layer.isEmpty() && !m_layerTree->model()->isUsable(m_choice.layer)) {
        showMessage(tr("Target layer: %1. Showing the default layer %2 instead.")
                        .arg(m_layerTree->model()->unusableReason(m_choice.layer), info.defaultLayer));
        if (Settings::layerFor(m_choice.model) == m_choice.layer)
            Settings::setLayerFor(m_choice.model, QString()); // do not offer it again
        m_choice.layer.clear();
        invalidateScores();
        requestCompute();
    }
    showLayerChoice();
}

void MainWindow::onModelFailed(const QString& message, bool newest)
{
    m_busyTimer.stop();
    m_busy->hide();
    showMessage(message);
    // Fall back to the model that last loaded (the worker still holds it), so
    // a bad weights file costs nothing but the message.
    const QString failedModel = m_choice.model;
    invalidateScores();
    // The model that last loaded, else the bundled one, else untrained weights.
    if (!m_choice.fallBackAfterFailure(m_modelInfo.modelName, m_modelInfo.weightsPath))
        return;
    syncModelMenu();
    if (m_choice.model != failedModel) {
        m_choice.loadRemembered();
        syncPreprocessMenu();
        showLayerChoice();
    }
    if (newest)
        requestCompute();
}

void MainWindow::showMessage(const QString& text)
{
    m_message->setText(text);
    m_message->show();
    m_messageTimer.start(kMessageTimeoutMs);
}

QString MainWindow::messageText() const { return m_message->isVisible() ? m_message->text() : QString(); }

bool MainWindow::untrainedBadgeVisible() const { return !m_badge->isHidden(); }

// ---- export ---------------------------------------------------------------

QImage MainWindow::renderExportImage(bool allPanes) const
{
    QVector<PaneResult> panes;
    for (int i = 0; i < m_panes.size(); ++i)
        if (allPanes || i == m_focused)
            panes.push_back(m_panes[i]->shownResult()); // as painted: on the shared scale when it is on
    ExportLook look = exportLook();
    look.sharedMax = m_colorBar->sharedMax();
    if (allPanes)
        look.grid = m_paneArea->grid(); // as the window arranges them
    return renderExport(composeExport(shown(), panes, look));
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
    for (int rank = 1; rank <= kTopKExport; ++rank) {
        request.classes.push_back(-rank);
        request.methods.push_back(m_panes[m_focused]->method());
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
