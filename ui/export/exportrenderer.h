#pragma once
// Annotated exports at the image's full resolution (not a screen grab):
// panes in the window's arrangement (rows x columns, ui/control/panelayout.h), each the tutorial's overlay with a caption (class name,
// index, probability, rank, method and smoothing when not plain Grad-CAM), and
// a footer with model, layer, color bar with its scale and source file name.
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
};

// The footer's words for the preprocessing that ran: "tutorial", or "model
// (resize 256, crop 224, bilinear)".
QString preprocessText(const CamResult& result);

// The composed image. Each pane's overlay region has exactly the photo's size.
QImage renderExport(const ExportRequest& request);

// The pane's overlay alone at full resolution (renderOverlay of core/imaging,
// renderCropOverlay when `inputRect` is a crop of the photo).
QImage renderPaneOverlay(const QImage& image, const CamMapData& map, Colormap colormap, double alpha,
                         const QRectF& inputRect = {});

// Writes atomically (QSaveFile). Refuses to replace an existing file unless
// `overwrite` (returns false with a message in *error). Format from the
// extension (.png, .jpg/.jpeg).
bool saveImageAtomically(const QImage& image, const QString& path, bool overwrite, QString* error);

} // namespace gce::ui
