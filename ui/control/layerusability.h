#pragma once
// Which layers Grad-CAM can explain: those the forward pass reaches with a
// 4-D feature map or tokens on a grid (the weights are per channel over a grid).
// One rule for the layer tree, which greys out the others, and the engine,
// which explains the default layer instead when a remembered choice is not
// (or no longer) one of them. Header-only: the layer panel's library links
// no engine.
#include <QCoreApplication>
#include <QString>
#include <QVector>

#include <algorithm>

#include "ui/control/camtypes.h"

namespace gce::ui {

// A 4-D map (channels first or last), or tokens the engine reads as a grid:
// the engine's answer (core/models/activationlayout.h), not re-derived here.
inline bool isExplainable(const LayerEntry& layer) { return layer.explainable; }

// Why `name` cannot be explained among `layers`, or empty when it can.
inline QString layerProblem(const QVector<LayerEntry>& layers, const QString& name)
{
    const auto tr = [](const char* text) { return QCoreApplication::translate("gce::ui::LayerTreeModel", text); };
    const auto found =
        std::find_if(layers.begin(), layers.end(), [&](const LayerEntry& layer) { return layer.name == name; });
    if (name.isEmpty() || found == layers.end())
        return tr("“%1” is not a layer of this model").arg(name);
    if (found->shape.isEmpty())
        return tr("“%1” is not reached by the forward pass, so it has no output to explain").arg(name);
    if (!isExplainable(*found))
        return tr("“%1” outputs %2, neither a 4-D feature map (N×C×H×W) nor a grid of tokens, which Grad-CAM needs")
            .arg(name, found->shape);
    return {};
}

} // namespace gce::ui
