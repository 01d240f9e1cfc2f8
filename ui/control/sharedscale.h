#pragma once
// The shared scale across panes. The engine divides every
// map by its own maximum, so each pane's hottest spot is full red whatever
// the evidence. On the shared scale a pane shows its raw map (values ×
// rawMax) divided by the largest rawMax among the panes instead: a class
// with weaker evidence looks weaker.
//
// Raw values are only comparable within one method (Grad-CAM's Σα·A and
// LayerCAM's Σ relu(G)⊙A, or a guided map's |gradient|, are different
// quantities), nor across models (each network's activations have their own
// magnitudes), so the scale is shared only when every pane uses the same
// method and model. The panes of one result always share image and smoothing.
#include <QString>
#include <QVector>

#include "ui/control/camtypes.h"

namespace gce::ui {

struct PaneScales {
    bool shared = false;     // the panes are on one raw scale
    double sharedMax = 0.0;  // raw units: the largest rawMax, when shared
    QVector<double> factors; // per pane: multiplies its map in [0,1] (1 = its own max)
    QString reason;          // why a wanted shared scale does not apply (empty otherwise)
};

// `wanted`: the user's choice; without it every factor is 1.
PaneScales paneScales(const QVector<PaneResult>& panes, bool wanted);

// Why the panes cannot share one raw scale, or empty when they can: they use
// different models (raw values of different networks are not comparable) or
// different methods.
QString sharedScaleObstacle(const QStringList& methods, const QStringList& models = {});

// The map with its values multiplied by `factor` (1 returns it unchanged).
CamMapData scaledMap(const CamMapData& map, double factor);

} // namespace gce::ui
