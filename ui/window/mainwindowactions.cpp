// MainWindow's action table: every QAction is created once, here, keyed by
// ActionId; the menus and the toolbar are built from it, and updateActions()
// keeps their enabled state in one place.
#include <QActionGroup>
#include <QComboBox>
#include <QDockWidget>
#include <QFileDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QPushButton>
#include <QSlider>
#include <QStyle>
#include <QToolBar>

#include "core/models/modelspecs.h"
#include "ui/canvas/colorbar.h"
#include "ui/canvas/comparepane.h"
#include "ui/canvas/imagecanvas.h"
#include "ui/canvas/panearea.h"
#include "ui/panels/layertree.h"
#include "ui/settings/settings.h"
#include "ui/weights/weightsbar.h"
#include "ui/window/mainwindow.h"
#include "ui/window/panestrip.h"
#include "ui/window/windowconstants.h"

namespace gce::ui {

void MainWindow::createActions()
{
    auto make = [this](ActionId id, const QString& text, const QKeySequence& shortcut, auto&& handler) {
        auto* action = new QAction(text, this);
        if (!shortcut.isEmpty())
            action->setShortcut(shortcut);
        connect(action, &QAction::triggered, this, handler);
        m_actions.insert(id, action);
        addAction(action); // shortcuts work even when the menu bar is hidden
        return action;
    };
    make(ActionId::Open, tr("&Open Image…"), QKeySequence::Open, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Open Image"), Settings::value(Setting::LastFolder).toString(),
            tr("Images (*.jpg *.jpeg *.png *.webp *.bmp);;All files (*)"));
        if (!path.isEmpty())
            openImage(path);
    });
    make(ActionId::OpenFolder, tr("Open &Folder…"), QKeySequence(tr("Ctrl+Shift+O")), [this] {
        const QString folder = QFileDialog::getExistingDirectory(this, tr("Open Folder"),
                                                                 Settings::value(Setting::LastFolder).toString());
        if (!folder.isEmpty())
            openFolder(folder);
    });
    make(ActionId::Export, tr("&Export Comparison…"), QKeySequence(tr("Ctrl+E")), [this] { exportImage(true); });
    make(ActionId::ExportPane, tr("Export Current &Pane…"), QKeySequence(tr("Ctrl+Shift+E")),
         [this] { exportImage(false); });
    make(ActionId::ExportTopK, tr("Export &Top-%1…").arg(kTopKExport), {}, [this] { exportTopK(); });
    make(ActionId::Copy, tr("&Copy to Clipboard"), QKeySequence::Copy, [this] { copyToClipboard(); });
    make(ActionId::Quit, tr("&Quit"), QKeySequence::Quit, [this] { close(); });
    make(ActionId::ZoomIn, tr("Zoom &In"), QKeySequence::ZoomIn, [this] {
        m_strip->panes().front()->canvas()->zoomBy(1.25); // the others follow its view
    });
    make(ActionId::ZoomOut, tr("Zoom &Out"), QKeySequence::ZoomOut, [this] {
        m_strip->panes().front()->canvas()->zoomBy(0.8); // the others follow its view
    });
    make(ActionId::Fit, tr("&Fit to Window"), QKeySequence(tr("Ctrl+0")), [this] {
        m_strip->panes().front()->canvas()->fitToWindow(); // the others follow its view
    });
    make(ActionId::ActualSize, tr("&Actual Size (100%)"), QKeySequence(tr("Ctrl+1")), [this] {
        m_strip->panes().front()->canvas()->actualSize(); // the others follow its view
    });
    QAction* overlay = make(ActionId::ToggleOverlay, tr("Show &Heatmap"), QKeySequence(tr("H")), [this] {
        m_strip->setOverlayVisible(action(ActionId::ToggleOverlay)->isChecked());
    });
    overlay->setCheckable(true);
    overlay->setChecked(true);
    QAction* regionTool = make(ActionId::RegionTool, tr("&Region Tool"), QKeySequence(tr("R")), [this] {
        m_strip->setRegionTool(action(ActionId::RegionTool)->isChecked());
    });
    regionTool->setCheckable(true);
    regionTool->setToolTip(tr("Clicks and drags on the photo mark a point or a box and rank every class by its "
                              "evidence there (Shift+click and Shift+drag do it without the tool)"));
    make(ActionId::ClearRegion, tr("C&lear Region"), QKeySequence(Qt::Key_Escape), [this] { clearRegion(); });
    QAction* next = make(ActionId::NextImage, tr("&Next Image"), QKeySequence(Qt::Key_Right), [this] { step(1); });
    next->setShortcuts({QKeySequence(Qt::Key_Right), QKeySequence(Qt::Key_PageDown)});
    QAction* previous =
        make(ActionId::PreviousImage, tr("&Previous Image"), QKeySequence(Qt::Key_Left), [this] { step(-1); });
    previous->setShortcuts({QKeySequence(Qt::Key_Left), QKeySequence(Qt::Key_PageUp)});
    make(ActionId::AddPane, tr("&Add Compare Pane"), QKeySequence(tr("Ctrl+T")), [this] {
        // A new pane starts on the best prediction not already shown.
        m_strip->add(-m_strip->firstUnusedRank());
        requestCompute();
    });
    make(ActionId::RemovePane, tr("&Remove Current Pane"), QKeySequence(tr("Ctrl+W")),
         [this] { m_strip->remove(m_strip->focused()); });
    QAction* pin = make(ActionId::PinClasses, tr("&Pin Classes Across Images"), QKeySequence(tr("Ctrl+P")), [this] {
        Settings::setValue(Setting::PinClasses, action(ActionId::PinClasses)->isChecked());
    });
    pin->setCheckable(true);
    pin->setChecked(Settings::value(Setting::PinClasses).toBool());
    make(ActionId::ChooseLayer, tr("Choose Target &Layer…"), QKeySequence(tr("Ctrl+L")), [this] {
        m_layerDock->show();
        m_layerDock->raise(); // it shares a tab with the class panel
        m_layerTree->filterField()->setFocus(Qt::ShortcutFocusReason);
        m_layerTree->filterField()->selectAll();
    });
    make(ActionId::ChooseWeights, tr("Choose &Weights File…"), {}, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Choose Weights"), QString(),
                                                          tr("Weights (*.pth *.pt *.safetensors);;All files (*)"));
        if (path.isEmpty())
            return;
        m_choice.weightsPath = path;
        m_choice.untrained = false;
        Settings::setWeightsFor(m_choice.model, path);
        requestCompute();
    });
    make(ActionId::UseUntrained, tr("Use &Untrained Weights"), {}, [this] {
        // For the model the bar offers weights for, else the running one.
        const QString model = m_weightsBar->isHidden() ? m_choice.model : m_weightsBar->modelName();
        m_weightsBar->hide();
        switchModel(model, QString(), true);
    })->setStatusTip(tr("Random weights: the window works, but predictions and heatmaps are meaningless"));
    // Not Ctrl+Shift+O: that opens a folder (tst_mainwindow checks that no two actions share a shortcut).
    make(ActionId::OpenModelFile, tr("Open &Model File…"), QKeySequence(tr("Ctrl+Shift+M")), [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Open TorchScript Model"), QString(),
            tr("TorchScript models (*.pt *.pth *.ptl *.ts *.zip);;All files (*)"));
        if (!path.isEmpty())
            chooseModel(path);
    });
    make(ActionId::ChooseLabels, tr("Choose &Labels File…"), {}, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Choose Labels"), QString(),
            tr("Labels (*.txt *.json);;All files (*)"));
        if (path.isEmpty())
            return;
        m_choice.labelsPath = path;
        Settings::setLabelsFor(m_choice.model, path);
        m_strip->clearScores();
        requestCompute();
    });
    make(ActionId::About, tr("&About Grad-CAM Explorer"), {}, [this] { about(); });

    // Model ▸ Preprocessing: remembered per model (core/support/preprocessing.h).
    auto* preprocessing = new QActionGroup(this);
    const auto preprocessChoice = [this, &make, preprocessing](ActionId id, const QString& text, const QString& mode,
                                                             const QString& tip) {
        QAction* choice = make(id, text, {}, [this, mode] { choosePreprocess(mode); });
        choice->setCheckable(true);
        choice->setData(mode);
        choice->setToolTip(tip);
        choice->setStatusTip(tip);
        preprocessing->addAction(choice);
    };
    preprocessChoice(ActionId::TutorialPreprocessing, tr("&Tutorial: Resize to 224 × 224"),
                     QStringLiteral("tutorial"),
                     tr("The Grad-CAM tutorial's Resize((224, 224)): the whole photo, squashed to a square; "
                        "results comparable with the tutorial's"));
    preprocessChoice(ActionId::ModelPreprocessing, tr("&Model's Own: Resize and Centre Crop"), QStringLiteral("model"),
                     tr("The eval transform published with the weights (torchvision's weights.transforms()): the "
                        "shorter side resized, the centre cropped; the map covers the crop, the rest is dimmed"));

    // Smoothing applies to every pane (core/cam/smoothing.h) and recomputes the maps.
    const auto smoothing = [this, &make](ActionId id, const QString& text, Setting setting, const QString& tip) {
        QAction* toggle = make(id, text, {}, [this, id, setting] {
            Settings::setValue(setting, action(id)->isChecked());
            m_strip->clearScores();
            requestCompute();
        });
        toggle->setCheckable(true);
        toggle->setChecked(Settings::value(setting).toBool());
        toggle->setToolTip(tip);
        toggle->setStatusTip(tip);
    };
    smoothing(ActionId::AugmentSmooth, tr("&Test-Time Augmentation"), Setting::AugmentSmooth,
              tr("Average each map over horizontal flips × input scales 0.9, 1.0, 1.1 (6 passes, aligned back): "
                 "pytorch-grad-cam's aug_smooth"));
    smoothing(ActionId::EigenSmooth, tr("&Eigen Smoothing"), Setting::EigenSmooth,
              tr("The first principal component of the weighted activations instead of their sum: "
                 "pytorch-grad-cam's eigen_smooth (not for guidedbackprop, which has no layer activations)"));
    QAction* shared = make(ActionId::SharedScale, tr("&Shared Scale Across Panes"), {}, [this] {
        Settings::setValue(Setting::SharedScale, action(ActionId::SharedScale)->isChecked());
        m_scaleNote.clear(); // say again why it cannot apply, if it cannot
        showScales(m_strip->rescale(action(ActionId::SharedScale)->isChecked()));
    });
    shared->setCheckable(true);
    shared->setChecked(Settings::value(Setting::SharedScale).toBool());
    const QString sharedTip = tr("Show the panes' raw maps on one scale, 0 to the largest raw value among them, "
                                 "instead of each divided by its own maximum: a class with weaker evidence looks "
                                 "weaker. Applies when every pane uses the same CAM method (raw values of different "
                                 "methods are different quantities).");
    shared->setToolTip(sharedTip);
    shared->setStatusTip(sharedTip);
    make(ActionId::ScoreFaithfulness, tr("Score &Faithfulness of Current Pane"), QKeySequence(tr("Ctrl+Shift+F")),
         [this] { scoreFaithfulness(m_strip->focused()); })
        ->setStatusTip(tr("Deletion and insertion curves, their AUCs and the average drop of the current pane's "
                          "map, computed in the background"));
}

void MainWindow::createMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(action(ActionId::Open));
    file->addAction(action(ActionId::OpenFolder));
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    file->addSeparator();
    file->addAction(action(ActionId::Export));
    file->addAction(action(ActionId::ExportPane));
    file->addAction(action(ActionId::ExportTopK));
    file->addAction(action(ActionId::Copy));
    file->addSeparator();
    file->addAction(action(ActionId::Quit));

    QMenu* view = menuBar()->addMenu(tr("&View"));
    for (ActionId id : {ActionId::ZoomIn, ActionId::ZoomOut, ActionId::Fit, ActionId::ActualSize})
        view->addAction(action(id));
    view->addSeparator();
    view->addAction(action(ActionId::ToggleOverlay));
    view->addAction(action(ActionId::RegionTool));
    view->addAction(action(ActionId::ClearRegion));
    view->addSeparator();
    for (ActionId id : {ActionId::NextImage, ActionId::PreviousImage, ActionId::AddPane, ActionId::RemovePane,
                        ActionId::PinClasses})
        view->addAction(action(id));
    view->addMenu(m_paneArea->createLayoutMenu(view));

    // Options of the maps themselves: smoothing recomputes, the scale only repaints.
    QMenu* cam = menuBar()->addMenu(tr("&CAM"));
    cam->setToolTipsVisible(true);
    cam->addAction(action(ActionId::AugmentSmooth));
    cam->addAction(action(ActionId::EigenSmooth));
    cam->addSeparator();
    cam->addAction(action(ActionId::SharedScale));
    cam->addSeparator();
    cam->addAction(action(ActionId::ScoreFaithfulness));

    m_modelMenu = menuBar()->addMenu(tr("&Model"));
    auto* group = new QActionGroup(this);
    for (const auto& spec : modelSpecs()) {
        const QString name = QString::fromStdString(spec.name);
        QAction* choice = m_modelMenu->addAction(name, this, [this, name] { chooseModel(name); });
        choice->setCheckable(true);
        choice->setChecked(name == m_choice.model);
        group->addAction(choice);
    }
    m_modelMenu->addSeparator();
    m_modelMenu->addAction(action(ActionId::OpenModelFile));
    m_modelMenu->addSeparator();
    m_modelMenu->addAction(action(ActionId::ChooseLayer));
    m_modelMenu->addAction(action(ActionId::ChooseWeights));
    m_modelMenu->addAction(action(ActionId::UseUntrained));
    m_modelMenu->addAction(action(ActionId::ChooseLabels));
    m_modelMenu->addSeparator();
    QMenu* preprocessing = m_modelMenu->addMenu(tr("&Preprocessing"));
    preprocessing->setToolTipsVisible(true);
    preprocessing->addAction(action(ActionId::TutorialPreprocessing));
    preprocessing->addAction(action(ActionId::ModelPreprocessing));

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(action(ActionId::About));
    updateRecentMenu();
}

void MainWindow::createToolBar()
{
    QToolBar* bar = addToolBar(tr("Main"));
    bar->setObjectName(QStringLiteral("mainToolBar"));
    bar->setMovable(false);
    action(ActionId::Open)->setIcon(style()->standardIcon(QStyle::SP_DialogOpenButton));
    action(ActionId::PreviousImage)->setIcon(style()->standardIcon(QStyle::SP_ArrowLeft));
    action(ActionId::NextImage)->setIcon(style()->standardIcon(QStyle::SP_ArrowRight));
    action(ActionId::Export)->setIcon(style()->standardIcon(QStyle::SP_DialogSaveButton));
    bar->addAction(action(ActionId::Open));
    bar->addAction(action(ActionId::PreviousImage));
    bar->addAction(action(ActionId::NextImage));
    bar->addAction(action(ActionId::Export));
    bar->addSeparator();
    bar->addAction(action(ActionId::AddPane));
    bar->addSeparator();

    bar->addWidget(new QLabel(tr(" Opacity "), bar));
    m_opacity = new QSlider(Qt::Horizontal, bar);
    m_opacity->setObjectName(QStringLiteral("opacity"));
    m_opacity->setRange(0, 100);
    m_opacity->setValue(Settings::value(Setting::Opacity).toInt());
    m_opacity->setFixedWidth(140);
    m_opacity->setToolTip(tr("Heatmap opacity (the tutorial uses 40%)"));
    bar->addWidget(m_opacity);
    auto* opacityValue = new QLabel(bar);
    opacityValue->setMinimumWidth(36);
    bar->addWidget(opacityValue);
    // Opacity and colormap only repaint the cached heatmaps: no model work.
    auto applyOpacity = [this, opacityValue](int value) {
        opacityValue->setText(QStringLiteral("%1%").arg(value));
        m_strip->setOpacity(value / 100.0);
    };
    connect(m_opacity, &QSlider::valueChanged, this, applyOpacity);
    applyOpacity(m_opacity->value());

    bar->addWidget(new QLabel(tr("  Colormap "), bar));
    m_colormap = new QComboBox(bar);
    m_colormap->setObjectName(QStringLiteral("colormap"));
    for (Colormap c : allColormaps())
        m_colormap->addItem(QString::fromStdString(colormapName(c)).toUpper(), int(c));
    const auto saved = colormapFromName(Settings::value(Setting::Colormap).toString().toStdString());
    m_colormap->setCurrentIndex(m_colormap->findData(int(saved.value_or(Colormap::Jet))));
    bar->addWidget(m_colormap);
    auto applyColormap = [this] {
        const auto colormap = Colormap(m_colormap->currentData().toInt());
        m_strip->setColormap(colormap);
        m_colorBar->setColormap(colormap);
    };
    connect(m_colormap, &QComboBox::currentIndexChanged, this, applyColormap);
    applyColormap();

    // The layer is chosen in the Layers panel (a tree with output shapes);
    // the toolbar only names it and opens that panel.
    bar->addWidget(new QLabel(tr("  Layer "), bar));
    // A framed button, not a flat tool button: in a toolbar those read as a label.
    m_layerButton = new QPushButton(bar);
    m_layerButton->setObjectName(QStringLiteral("layerButton"));
    m_layerButton->setFocusPolicy(Qt::NoFocus); // Ctrl+L is the keyboard way
    bar->addWidget(m_layerButton);
    connect(m_layerButton, &QPushButton::clicked, action(ActionId::ChooseLayer), &QAction::trigger);
    showLayerChoice();
}

void MainWindow::updateActions()
{
    // Not while a partial result is up: its panes and the last complete result's image may differ.
    const bool hasResult = !shown().image.isNull() && !m_controller->showsPartial();
    for (ActionId id :
         {ActionId::Export, ActionId::ExportPane, ActionId::ExportTopK, ActionId::Copy, ActionId::ScoreFaithfulness})
        action(id)->setEnabled(hasResult);
    action(ActionId::NextImage)->setEnabled(!m_folder.neighbour(1).isEmpty());
    action(ActionId::PreviousImage)->setEnabled(!m_folder.neighbour(-1).isEmpty());
    action(ActionId::AddPane)->setEnabled(!m_strip->isFull());
    action(ActionId::RemovePane)->setEnabled(m_strip->count() > 1);
    action(ActionId::ChooseWeights)->setEnabled(!namesModelFile(m_choice.model.toStdString()));
    action(ActionId::UseUntrained)->setEnabled(!namesModelFile(m_choice.model.toStdString()) ||
                                               !m_weightsBar->isHidden());
}

void MainWindow::updateRecentMenu()
{
    m_recentMenu->clear();
    for (const QString& path : Settings::recentFiles())
        m_recentMenu->addAction(QFileInfo(path).fileName(), this, [this, path] { openImage(path); })
            ->setToolTip(path);
    m_recentMenu->setEnabled(!m_recentMenu->isEmpty());
}

} // namespace gce::ui
