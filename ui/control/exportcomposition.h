#pragma once
// What an annotated export shows, composed in one place for the window (all
// panes, the current pane, the Top-5) and `gradcam-explorer --export`: the
// photo, the panes' maps as painted, model, layer, preprocessing and the look.
// Painting is ui/export/exportrenderer.h's.
#include <QImage>
#include <QRectF>
#include <QString>
#include <QVector>

#include "core/imaging/overlay.h"
#include "ui/control/camtypes.h"
#include "ui/control/panelayout.h"

namespace gce::ui {

struct ExportRequest {
    QImage image;               // RGB888 photo
    QVector<PaneResult> panes;  // 1..4 panes
    QString modelName;
    QString layerName;
    QString sourceFileName;     // shown in the footer (file name only)
    Colormap colormap = Colormap::Jet;
    double alpha = kDefaultOverlayAlpha;
    bool untrained = false;     // footer says "untrained weights: predictions are meaningless"
    // > 0: the panes' maps are on one raw scale 0..sharedMax (ui/control/sharedscale.h,
    // maps already multiplied); the legend's top reads it instead of "own max".
    double sharedMax = 0.0;
    // The panes' arrangement, filled row by row; invalid = one row.
    PaneGrid grid;
    // Where the network's input lies in the photo (CamResult::inputRect):
    // the map covers it and the rest is dimmed. Empty = the whole photo.
    QRectF inputRect;
    // The footer's "preprocessing: …" ("tutorial", "model (resize 256, crop
    // 224, bilinear)"); empty = not said.
    QString preprocessText;
    // "What is here?": the region drawn on every pane (photo pixels;
    // noRegion(): none) and the footer's legend of its top classes by Here
    // ("Here (box 340×330 at 740, 0): cup 0.161 · …"); empty = no legend.
    QRect region = noRegion();
    QString regionLegend;
};

// How the export looks: the window's controls, or the command line's.
struct ExportLook {
    Colormap colormap = Colormap::Jet;
    double alpha = kDefaultOverlayAlpha;
    double sharedMax = 0.0; // > 0: the panes' maps are on one raw scale (ExportRequest::sharedMax)
    PaneGrid grid;          // invalid: one row
};

// The footer's words for the preprocessing that ran: "tutorial", or "model
// (resize 256, crop 224, bilinear)".
QString preprocessText(const CamResult& result);

// A region's top `count` classes by Here, highest first.
QVector<int> topByHere(const RegionResult& region, int count);
// "cup 0.161 · coffee mug 0.153 · …": those classes named with `labels`, for
// the status line and the export's legend.
QString topHereText(const RegionResult& region, const QStringList& labels, int count);
// The export footer's legend: "Here (box 340×330 at 740, 0): cup 0.161 · …".
QString regionLegend(const RegionResult& region, const QStringList& labels, int count = 5);

// The export of `panes` (the maps as painted: on the shared scale when it is
// on) of `result`'s photo.
ExportRequest composeExport(const CamResult& result, const QVector<PaneResult>& panes, const ExportLook& look);

} // namespace gce::ui
