#pragma once
// The engine as the UI uses it, behind a LibTorch-free header: a model with
// its weights, a small cache of decoded images with their explanation
// sessions, and the computation of one CamRequest. Used by CamWorker on its
// thread and by `gradcam-explorer --export` directly. Not thread-safe.
#include <QString>
#include <QStringList>
#include <QVector>

#include <functional>
#include <memory>
#include <optional>

#include "ui/control/camtypes.h"
#include "core/support/defaults.h"

namespace gce::ui {

// A pane's own model (CamRequest::paneModels): an architecture with its
// weights (empty: untrained) and preprocessing ("tutorial", "model", empty =
// tutorial). Its layer is its default layer. An empty name: the request's model.
struct PaneModel {
    QString modelName;
    QString weightsPath;
    QString preprocess;
    bool isSet() const { return !modelName.isEmpty(); }
    bool operator==(const PaneModel& o) const
    {
        return modelName == o.modelName && weightsPath == o.weightsPath && preprocess == o.preprocess;
    }
};

struct CamRequest {
    QString imagePath;
    QString modelName = QString::fromLatin1(kDefaultModel); // an architecture, or a TorchScript file's path
    QString weightsPath;   // empty = untrained weights (ignored for a TorchScript file)
    QString labelsPath;    // labels file; empty = ImageNet's, numbered, or the TorchScript sidecar's
    QString layer;         // empty = the model's default layer
    // A `layer` the model cannot explain gives the default layer's maps
    // (ModelInfo::layerProblem says why) instead of a failure: the window's
    // remembered choice. Without it such a layer fails the request.
    bool layerFallback = false;
    QVector<int> classes;  // one per pane: a class index, or -r for "the rank-r prediction"
    QStringList methods;   // pane i's CAM method ("gradcam++", ...); missing or empty = gradcam
    // Pane i's own model; missing or unset = the request's model. The engine
    // keeps the models of the latest request loaded and decodes the photo once.
    QVector<PaneModel> paneModels;
    QStringList preload;   // images to prepare afterwards (folder neighbours)
    // Smoothing for every pane (CamQuery::augmentSmooth / eigenSmooth); eigen
    // smoothing is skipped for methods that have no layer activations.
    bool augmentSmooth = false;
    bool eigenSmooth = false;
    // "tutorial" or "model" (core/support/preprocessing.h); empty = the
    // model's own default: tutorial, or what a TorchScript sidecar names.
    QString preprocess;
};

// Faithfulness scores for one pane's map (core/cam/faithfulness.h).
// The map is named, not sent: the engine keeps the maps of its recent
// results (each divided by its own max, as the CLI's --metrics scores them).
struct FaithfulnessRequest {
    CamRequest source;      // model, weights, labels and preprocessing the map was made with (classes unused)
    quint64 mapRequest = 0; // PaneResult::requestId of the map to score
    int pane = -1;          // PaneResult::index
    int batchSize = 0;      // images per forward batch; 0 = adaptive (core/cam/adaptivebatch.h)
};

// Every class ranked by its evidence in a region of a kept result's photo,
// with pane `pane`'s model, layer and method (core/cam/classmaps.h): the
// classes' maps are computed once per photo, layer and method, and a further
// region only scores them.
struct RegionRequest {
    CamRequest source;      // model, weights, labels and preprocessing of the result (classes unused)
    quint64 mapRequest = 0; // CamResult::requestId of a kept result: its photo
    int pane = 0;           // PaneResult::index: whose model, layer and method rank the classes
    QRect region;           // photo pixels; width = height = 0: a point
};

struct CamFailure {
    QString message;        // one line
    bool usage = false;     // unknown layer/class (vs. a bad file)
    bool cancelled = false; // `cancelled` stopped a long method (Score-CAM): not an error
};

class CamEngine {
public:
    static constexpr int kKeptResults = 8; // whose maps can be scored
    CamEngine();
    ~CamEngine();

    // (Re)builds the model when the request names another model or weights.
    // Returns true when it did; throws nothing: failures land in *failure.
    bool ensureModel(const CamRequest& request, CamFailure* failure);
    // The loaded model; `requestedLayer` is checked (ModelInfo::layerProblem).
    ModelInfo modelInfo(const QString& requestedLayer = {});

    // Computes the request. `cancelled` is polled between stages and between
    // the batches of score-based methods (Score-CAM, Ablation-CAM): when it
    // returns true the computation stops, nothing is returned and
    // failure->cancelled is set. `progress` gets the fraction done of such a
    // method's perturbed passes (not called when they are cached).
    // With `partial`, panes whose perturbed passes are still to run come
    // last: when there are such panes and others, `partial` first gets a
    // result (complete false) with the others' maps and those pending.
    std::optional<CamResult> compute(const CamRequest& request, quint64 id, const std::function<bool()>& cancelled,
                                     CamFailure* failure, const std::function<void(double)>& progress = {},
                                     const std::function<void(const CamResult&)>& partial = {});

    // Deletion/insertion curves, AUCs and average drop of the named map for
    // its class, on the explanation session of its image and layer (made if
    // needed). The engine keeps the maps of its last kKeptResults results. `cancelled` is polled and `progress` told between batches, as
    // in compute(). The model loaded must be the one the map was made with.
    std::optional<FaithfulnessResult> scoreFaithfulness(const FaithfulnessRequest& request, quint64 id,
                                                        const std::function<bool()>& cancelled, CamFailure* failure,
                                                        const std::function<void(double)>& progress = {});

    // Here and share of every class in the request's region. The class maps
    // of the last photo, layer and method are kept, so a further region
    // costs no pass through the network. `cancelled` is polled and `progress`
    // told between the chunks of classes of the batched way (where the layers
    // after the target mix channels), as in compute().
    std::optional<RegionResult> rankRegion(const RegionRequest& request, quint64 id,
                                           const std::function<bool()>& cancelled, CamFailure* failure,
                                           const std::function<void(double)>& progress = {});
    int classMapComputations() const { return m_classMapComputations; }

    // Decodes and runs the forward pass for `path` ahead of time (errors ignored).
    void prepare(const QString& path, const QString& layer);
    // Builds the loaded models' faster form of no-grad passes now
    // (Network::prepareInference; `layer` for the window's model, the default
    // for the panes' own), so that later maps' layers before the target use
    // it. `cancelled` is polled between modules: a cancelled build stops, and
    // the next call starts it again. Errors are ignored (the passes then run
    // plainly, as before). Returns false when cancelled. A model already
    // prepared for its layer and preprocessing is not built again.
    bool prepareInference(const QString& layer, const std::function<bool()>& cancelled);
    // Whether prepareInference(layer) has nothing left to do.
    bool inferencePrepared(const QString& layer) const;

    // The CAM methods by name, in the engine's order, with one-line descriptions.
    static QStringList methodNames();
    static QString methodDescription(const QString& name);
    // The built-in architectures ("resnet18", "vit_b_16", ...), for a pane's own model.
    static QStringList architectureNames();

    // Resolves what a user typed ("515", "cowboy hat") with the model's labels.
    std::optional<int> resolveClass(const QString& query, CamFailure* failure);

    int forwardPasses() const { return m_forwardPasses; }
    int backwardPasses() const { return m_backwardPasses; }

private:
    struct State;
    std::unique_ptr<State> m_state;
    int m_forwardPasses = 0;
    int m_backwardPasses = 0;
    int m_classMapComputations = 0;
};

} // namespace gce::ui
