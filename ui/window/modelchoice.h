#pragma once
// What the panes are computed with: the model (an architecture or a
// TorchScript file), its weights or untrained ones, the target layer, the
// labels file and the preprocessing, as the user chose them per model
// (ui/settings/settings.h); and the way on when weights are missing or fail
// to load: the bundled trained model before untrained weights. No widgets.
#include <QString>

#include <optional>

#include "ui/control/camengine.h"

namespace gce::ui {

class ModelChoice {
public:
    QString model;
    QString weightsPath;    // ignored when untrained and for a TorchScript file
    bool untrained = false;
    QString layer;          // empty: the model's default
    QString labelsPath;     // empty: the model's own labels
    QString preprocess;     // "tutorial" or "model"; empty: the model's default

    // Weights found without asking: remembered, torch hub cache, bundled;
    // "" for a TorchScript file (it carries its own); nullopt when there are
    // none, or the name is unknown (e.g. from an older version's settings).
    static std::optional<QString> weightsFor(const QString& model);
    // A pane's own model `name` (empty: none) with the weights weightsFor
    // finds (untrained without) and the preprocessing remembered for it.
    static PaneModel paneModel(const QString& name);

    // `name` with `weights`; its layer, labels and preprocessing as remembered
    // when it is another model than before.
    void select(const QString& name, const QString& weights, bool untrainedWeights);
    // The layer, labels file and preprocessing remembered for the model.
    void loadRemembered();
    // The bundled model instead of `wanted`, whose weights are missing; the
    // untrained `wanted` when nothing is bundled. True when the weights of
    // `wanted` are worth offering (it is not what runs now, or runs untrained).
    bool useBundledInsteadOf(const QString& wanted);
    // After the model failed to load: the one that last loaded
    // (`loadedModel`, empty when none), else the bundled one (the broken
    // file is forgotten), else untrained weights. False when nothing is left.
    bool fallBackAfterFailure(const QString& loadedModel, const QString& loadedWeights);

    // The request's model, weights, labels, layer and preprocessing.
    void fill(CamRequest& request) const;
};

} // namespace gce::ui
