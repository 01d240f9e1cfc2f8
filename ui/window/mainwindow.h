#pragma once
// The explorer window: compare panes over one photo, the class panel and the
// layer tree (tabbed docks), the opacity/colormap controls, folder browsing,
// export. Requests go through the ExplorerController (ui/control/), which
// owns the worker thread and decides which answers are shown.
#include <QElapsedTimer>
#include <QHash>
#include <QMainWindow>
#include <QPointer>
#include <QTimer>
#include <QVector>

#include <optional>

#include "ui/control/camtypes.h"
#include "ui/control/camworker.h"
#include "ui/control/explorercontroller.h"
#include "ui/control/exportcomposition.h"
#include "ui/control/foldernavigator.h"
#include "ui/window/modelchoice.h"
#include "ui/control/sharedscale.h"

class QAction;
class QComboBox;
class QDockWidget;
class QLabel;
class QMenu;
class QPushButton;
class QSlider;

namespace gce::ui {

class ClassPanel;
class ColorBar;
class ComparePane;
class LayerTree;
class PaneArea;
class PaneStrip;
class WeightsBar;

// How the window starts (from gradcam-explorer's command line).
struct StartOptions {
    QString imagePath;
    QString modelName;            // empty = remembered setting
    QString weightsPath;          // explicit file; wins over everything
    QString labelsPath;           // explicit labels file; else the one remembered for the model
    bool untrained = false;       // --weights none
    QString layer;
    QVector<int> classes;         // initial panes; empty = the top-1 prediction
    QStringList methods;          // pane i's CAM method (canonical name); missing = gradcam
    QStringList paneModels;       // pane i's own model (an architecture); missing or empty = the window's
    // CAM-menu toggles turned on for this run without being remembered
    // (absent = the remembered setting).
    bool augmentSmooth = false;
    bool eigenSmooth = false;
    bool sharedScale = false;
    // For this run, not remembered (empty = the remembered choice):
    QString preprocess;           // "tutorial" or "model" (Model ▸ Preprocessing)
    QString layout;               // "auto", "columns", "rows", "grid" (View ▸ Layout)
};

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    enum class ActionId {
        Open, OpenFolder, Export, ExportPane, ExportTopK, Copy, Quit,
        ZoomIn, ZoomOut, Fit, ActualSize, ToggleOverlay,
        NextImage, PreviousImage, AddPane, RemovePane, PinClasses,
        ChooseLayer, ChooseWeights, OpenModelFile, ChooseLabels, About,
        AugmentSmooth, EigenSmooth, SharedScale, ScoreFaithfulness, UseUntrained,
        TutorialPreprocessing, ModelPreprocessing, RegionTool, ClearRegion,
    };

    explicit MainWindow(const StartOptions& options = {}, QWidget* parent = nullptr);
    ~MainWindow() override;

    void openImage(const QString& path);
    void openFolder(const QString& folder);

    // For tests and scripting; widgets are found by type or object name (findChild).
    QAction* action(ActionId id) const { return m_actions.value(id); }
    ExplorerController* controller() const { return m_controller; }
    PaneStrip* paneStrip() const { return m_strip; }
    QString modelName() const { return m_choice.model; } // the model the panes are computed with
    QString preprocess() const { return m_choice.preprocess; } // "tutorial" or "model"
    // Faithfulness scores of pane `index`'s map, computed on the worker thread
    // (the map shown, or the one on its way if a request is in flight).
    void scoreFaithfulness(int index);
    QString messageText() const;
    bool untrainedBadgeVisible() const;
    QImage renderExportImage(bool allPanes) const;

    // "What is here?" for a region of the photo (photo pixels; width = height
    // = 0: a point), as a Shift+drag on a pane does: drawn on every pane and
    // ranked for the focused pane's model, layer and method.
    void markRegion(const QRect& region);
    QRect region() const;

signals:
    void resultShown(quint64 requestId);
    void regionShown(quint64 regionRequestId); // the class panel shows the region's scores
    // A partial result is up: the quick panes, the others pending (CamResult::complete).
    void partialResultShown(quint64 requestId);
    void scoresShown(quint64 faithfulnessRequestId);

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    // Construction (mainwindowactions.cpp: the action table, menus, toolbar).
    void createActions();
    void createMenus();
    void createToolBar();
    void createCentralArea();
    void createDocks();
    void connectController();
    void applyStartOptions(const StartOptions& options);
    void updateActions();
    void updateRecentMenu();

    // Requests and answers.
    CamRequest baseRequest() const; // image, model, weights, labels, layer, smoothing; no panes
    void requestCompute();
    void showPartialResult(const CamResult& result);
    void onResult(const CamResult& result);
    void onFailed(const QString& message, bool hadPartial);
    // Paints the result's panes, on the shared scale when `shareScale` and the
    // user wants it; the class panel follows.
    void showPanes(const CamResult& result, bool shareScale);
    // The color bar for `scales`, and once a note when a wanted shared scale cannot apply.
    void showScales(const PaneScales& scales);
    const CamResult& shown() const { return m_controller->lastResult(); } // the last complete result
    void showMessage(const QString& text);
    void onClassActivated(int classIndex);
    void step(int delta);

    // "What is here?" (mainwindowregion.cpp).
    void requestRegion(); // for the region drawn, with the last result's focused pane
    void clearRegion();
    void onRegionReady(const RegionResult& result);

    // Model, weights, preprocessing and layer (mainwindowmodel.cpp).
    // Switches to `modelName` if its weights are found (remembered, torch hub
    // cache, bundled); otherwise keeps the running model and offers them.
    void chooseModel(const QString& modelName);
    void switchModel(const QString& modelName, const QString& weightsPath, bool untrained);
    void offerWeights(const QString& modelName);
    void syncModelMenu();
    void choosePreprocess(const QString& mode);
    void syncPreprocessMenu(); // the menu's check follows m_choice.preprocess, else what ran
    void chooseLayer(const QString& layer);
    void showLayerChoice(); // m_choice.layer in the tree and on the toolbar button
    void onModelLoaded(const ModelInfo& info);
    void onModelFailed(const QString& message, bool newest);

    // Exports (mainwindowexport.cpp).
    void exportImage(bool allPanes);
    void exportTopK();
    void writeTopKExport(const CamResult& result, const QString& folder);
    ExportLook exportLook() const; // the colormap and opacity controls
    void copyToClipboard();
    void about();

    ExplorerController* m_controller = nullptr;
    PaneStrip* m_strip = nullptr;
    QHash<ActionId, QAction*> m_actions;
    QMenu* m_recentMenu = nullptr;
    QMenu* m_modelMenu = nullptr;
    ClassPanel* m_classPanel = nullptr;
    PaneArea* m_paneArea = nullptr;
    QSlider* m_opacity = nullptr;
    QComboBox* m_colormap = nullptr;
    LayerTree* m_layerTree = nullptr;
    QDockWidget* m_layerDock = nullptr;
    QPushButton* m_layerButton = nullptr;
    ColorBar* m_colorBar = nullptr;
    QLabel* m_badge = nullptr;
    WeightsBar* m_weightsBar = nullptr;
    QLabel* m_message = nullptr;
    QLabel* m_busy = nullptr;
    QLabel* m_status = nullptr;
    QTimer m_busyTimer;
    QTimer m_messageTimer;

    FolderNavigator m_folder; // the photo asked for and its folder's images
    ModelChoice m_choice; // what the panes are computed with
    ModelInfo m_modelInfo;
    QString m_scaleNote; // why a wanted shared scale does not apply, as last told
    QElapsedTimer m_requestClock;
    QString m_regionImage; // the photo the region was marked on
    RegionResult m_regionResult; // the ranking shown (exports' legend)
};

} // namespace gce::ui
