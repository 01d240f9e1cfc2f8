#pragma once
// Painting of annotated exports at the image's full resolution (not a screen
// grab), from an ExportRequest (ui/control/exportcomposition.h): panes in the
// window's arrangement, each the tutorial's overlay with a caption (class
// name, index, probability, rank, method and smoothing when not plain
// Grad-CAM), and a footer with model, layer, preprocessing, color bar with
// its scale and source file name.
#include <QImage>
#include <QRectF>
#include <QString>
#include <QVector>

#include "core/imaging/overlay.h"
#include "ui/control/camtypes.h"
#include "ui/control/exportcomposition.h"

namespace gce::ui {

// The composed image. Each pane's overlay region has exactly the photo's size.
QImage renderExport(const ExportRequest& request);

// The pane's overlay alone at full resolution (renderOverlay of core/imaging,
// renderCropOverlay when `inputRect` is a crop of the photo).
QImage renderPaneOverlay(const QImage& image, const CamMapData& map, Colormap colormap, double alpha,
                         const QRectF& inputRect = {});

// Writes atomically (core/support/atomicfile.h). Refuses to replace an existing file unless
// `overwrite` (returns false with a message in *error). Format from the
// extension (.png, .jpg/.jpeg).
bool saveImageAtomically(const QImage& image, const QString& path, bool overwrite, QString* error);

} // namespace gce::ui
