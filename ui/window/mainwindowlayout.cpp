// MainWindow's widgets and where they sit: the notices above the panes, the
// pane strip with the color bar beside it, the Classes and Layers docks (tabs
// on the right) and the status bar. The action table, menus and toolbar are
// in mainwindowactions.cpp.
#include <QDockWidget>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QStatusBar>
#include <QTabWidget>
#include <QVBoxLayout>

#include "ui/canvas/colorbar.h"
#include "ui/canvas/comparepane.h"
#include "ui/canvas/panearea.h"
#include "ui/panels/classpanel.h"
#include "ui/panels/layertree.h"
#include "ui/settings/settings.h"
#include "ui/weights/weightsbar.h"
#include "ui/window/mainwindow.h"
#include "ui/window/panestrip.h"

namespace gce::ui {

namespace {
constexpr int kDockWidth = 380; // px: the layer tree's name, type and shape columns side by side
} // namespace

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
    m_strip = new PaneStrip(m_paneArea, m_controller, this);
    connect(m_strip, &PaneStrip::focusChanged, this, [this](int index) {
        if (m_classPanel && m_strip->panes()[index]->result().classIndex >= 0)
            m_classPanel->setCurrentClass(m_strip->panes()[index]->result().classIndex);
        requestRegion(); // the Here column follows the focused pane's model and method
    });
    connect(m_strip, &PaneStrip::regionChosen, this, &MainWindow::markRegion);
    connect(m_strip, &PaneStrip::countChanged, this, [this] {
        if (!m_actions.isEmpty())
            updateActions();
    });
    connect(m_strip, &PaneStrip::mapsWanted, this, &MainWindow::requestCompute);
    connect(m_strip, &PaneStrip::scoringRequested, this, &MainWindow::scoreFaithfulness);
    connect(m_strip, &PaneStrip::scoresShown, this, &MainWindow::scoresShown);
    connect(m_strip, &PaneStrip::scoresFailed, this,
            [this](const QString& message) { showMessage(tr("Faithfulness scores: %1").arg(message)); });
    m_strip->add(-1);

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

void MainWindow::createDocks()
{
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
}

} // namespace gce::ui
