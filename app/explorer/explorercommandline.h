#pragma once
// gradcam-explorer's command line:
//   gradcam-explorer [IMAGE] [--class N|"label" ...] [--model NAME|FILE.pt] [--weights F|none]
//                    [--labels FILE] [--layer NAME] [--method NAME ...] [--pane-model NAME ...] [--tta]
//                    [--eigen-smooth] [--shared-scale] [--preprocess tutorial|model]
//                    [--layout auto|columns|rows|grid] [--export PATH [--colormap NAME] [--alpha A]]
#include <QString>
#include <QStringList>

#include <algorithm>

namespace gce::explorer {

struct ExplorerOptions {
    QString image;
    QStringList classes;  // as typed; resolved with the model's labels
    QString model;        // empty = remembered
    QString weights;      // empty = remembered/cache; "none" = untrained
    QString labels;       // labels file; empty = remembered or the model's own
    QString layer;
    QString exportPath;   // non-empty: render the export and exit
    // One CAM method for every pane, or one per --class pane in order;
    // canonical names (CamEngine::methodNames). Empty = gradcam.
    QStringList methods;
    // One per --class pane in order: the pane's own model (an architecture),
    // or "main" for the window's. Empty = every pane uses the window's model.
    QStringList paneModels;
    // On for this run. The window keeps its remembered CAM-menu toggles when a
    // flag is absent; a headless export uses only the flags, so that a command
    // line gives the same maps on any machine.
    bool augmentSmooth = false;
    bool eigenSmooth = false;
    bool sharedScale = false;
    // "tutorial" or "model"; empty = the window's remembered choice (a
    // headless export: the model's default, tutorial unless a sidecar says).
    QString preprocess;
    // "auto", "columns", "rows" or "grid"; empty = the window's remembered
    // choice (a headless export: auto).
    QString layout;
    QString colormap;     // --export only; empty = the window's remembered colormap
    double alpha = -1.0;  // --export only, 0..1; < 0 = the window's remembered opacity

    int paneCount() const { return std::max<int>(1, classes.size()); }
    // Pane i's method: the one given for it, the single one given, or gradcam.
    QString methodForPane(int pane) const;
    // Pane i's own model, or empty for the window's.
    QString modelForPane(int pane) const;
};

// Parses QCoreApplication::arguments(). On --help/--version prints and
// returns exitCode >= 0; on a usage error prints one line and returns 2.
struct ParseOutcome {
    ExplorerOptions options;
    int exitCode = -1; // -1: go on
};
ParseOutcome parseExplorerCommandLine(const QStringList& arguments);

} // namespace gce::explorer
