// LibTorch first: Qt's `slots`/`signals` macros (from ui/ headers) would
// otherwise rewrite identifiers inside torch's headers.
#include <torch/torch.h>

#include "ui/control/camengine.h"

#include <algorithm>
#include <chrono>
#include <deque>
#include <list>

#include "core/cam/classmaps.h"
#include "core/cam/explainer.h"
#include "core/cam/regionranking.h"
#include "core/cam/faithfulness.h"
#include "core/errors.h"
#include "core/imaging/cropoverlay.h"
#include "core/imaging/imageloader.h"
#include "core/imaging/modeltransform.h"
#include "core/models/interrupt.h"
#include "core/models/modelspecs.h"
#include "ui/control/heatmapimage.h"
#include "ui/control/layerusability.h"
#include "core/support/defaults.h"
#include "core/support/stopwatch.h"

namespace gce::ui {

namespace {

// Current image + folder neighbours: their decoded photos, and per model their
// preprocessed tensors with the explanation session for the last layer asked for.
constexpr std::size_t kCachedImages = 3;

QString shapeText(const std::vector<int64_t>& shape)
{
    QStringList parts;
    for (int64_t d : shape)
        parts << QString::number(d);
    return parts.join(QStringLiteral("×"));
}

QString firstLine(const char* text)
{
    const QString message = QString::fromUtf8(text);
    return message.left(message.indexOf(QLatin1Char('\n')));
}

// Runs `work`, turning the engine's exceptions into a one-line failure.
template <typename F>
bool guarded(CamFailure* failure, F&& work)
{
    try {
        work();
        return true;
    } catch (const Cancelled& error) {
        *failure = {firstLine(error.what()), false, true};
    } catch (const UsageError& error) {
        *failure = {firstLine(error.what()), true};
    } catch (const Error& error) {
        *failure = {firstLine(error.what()), false};
    } catch (const c10::Error& error) {
        *failure = {QStringLiteral("internal error: ") + firstLine(error.what_without_backtrace()), false};
    } catch (const std::exception& error) {
        *failure = {QStringLiteral("internal error: ") + firstLine(error.what()), false};
    }
    return false;
}

// Guided Backpropagation has no layer activations to project: the engine
// refuses eigen smoothing for it (core/cam/guidedbackprop.cpp), so a window
// toggle that applies to all panes leaves that pane plain instead.
bool eigenSmoothingApplies(CamMethod method) { return method != CamMethod::GuidedBackprop; }

QVector<double> toVector(const std::vector<double>& values) { return QVector<double>(values.begin(), values.end()); }

} // namespace

// A photo decoded once for every model that explains it (RGB888, EXIF-oriented).
struct Photo {
    QString path;
    QImage image;
};

// A loaded model with the explanation sessions of its recent photos: the
// window's model, or a pane's own (CamRequest::paneModels).
struct ModelSlot {
    struct Explained {
        QString path;
        torch::Tensor input; // the photo preprocessed for this model
        QString layer;
        std::unique_ptr<ExplanationSession> session;
    };

    std::unique_ptr<Explainer> explainer;
    QString modelName;
    QString weightsPath;
    QString labelsPath;
    PreprocessMode defaultMode = PreprocessMode::Tutorial; // the model's own (a TorchScript sidecar's)
    std::list<Explained> sessions; // most recently used first
    QVector<LayerEntry> layerList; // layers(): filled on first use
    // What the latest request's maps need (State::prefixPassOf): the folder
    // neighbours are prepared the same way.
    PrefixPass prefixPass = PrefixPass::Fastest;
    // The layer and preprocessing prepareInference last completed for.
    std::optional<QString> preparedFor;

    ModelSlot(const QString& model, const QString& weights, const QString& labels)
        : explainer(std::make_unique<Explainer>(model.toStdString(), weights.toStdString(), labels.toStdString())),
          modelName(model),
          weightsPath(weights),
          labelsPath(labels),
          defaultMode(explainer->preprocessMode())
    {
    }

    bool is(const QString& model, const QString& weights, const QString& labels) const
    {
        return modelName == model && weightsPath == weights && labelsPath == labels;
    }

    // The request's preprocessing; the inputs are made with the old one, so a
    // change drops them (and their sessions).
    void usePreprocess(const QString& name)
    {
        const auto mode = name.isEmpty() ? defaultMode : preprocessModeFromName(name.toStdString());
        if (!mode)
            throw UsageError("unknown preprocessing \"" + name.toStdString() + "\" (known: tutorial, model)");
        if (*mode == explainer->preprocessMode())
            return;
        explainer->setPreprocessMode(*mode);
        sessions.clear();
    }

    // What prepareInference builds the form for: the layer (empty: the
    // default) at the current preprocessing's input size.
    QString inferenceKey(const QString& layer) const
    {
        return layer + QLatin1Char('|') + QString::fromStdString(preprocessModeName(explainer->preprocessMode()));
    }

    // The layers with their output shapes, listed once.
    const QVector<LayerEntry>& layers()
    {
        if (layerList.isEmpty())
            for (const auto& layer : explainer->layerShapes())
                layerList.push_back({QString::fromStdString(layer.name), QString::fromStdString(layer.type),
                                     shapeText(layer.outputShape), QString::fromStdString(layer.mapLayout),
                                     layer.explainable});
        return layerList;
    }

    // The session for (photo, layer); the forward pass runs only when needed.
    // An Exact `pass` makes a kept session exact first (one more forward).
    Explained& explained(const Photo& photo, const QString& layer, int& forwardPasses,
                         PrefixPass pass = PrefixPass::Fastest)
    {
        auto it = std::find_if(sessions.begin(), sessions.end(), [&](const Explained& e) { return e.path == photo.path; });
        if (it == sessions.end()) {
            // A view of the decoded photo: no second copy of its pixels.
            const cv::Mat rgb(photo.image.height(), photo.image.width(), CV_8UC3,
                              const_cast<uchar*>(photo.image.constBits()), std::size_t(photo.image.bytesPerLine()));
            Explained entry;
            entry.path = photo.path;
            entry.input = preprocessImage(rgb, explainer->preprocessing());
            sessions.push_front(std::move(entry));
            while (sessions.size() > kCachedImages)
                sessions.pop_back();
        } else {
            sessions.splice(sessions.begin(), sessions, it);
        }
        Explained& entry = sessions.front();
        const QString wanted = layer.isEmpty() ? QString::fromStdString(explainer->defaultLayer()) : layer;
        if (!entry.session || entry.layer != wanted) {
            entry.session.reset(); // free the old tail graph first
            entry.session = explainer->explainTensor(entry.input, wanted.toStdString(), pass);
            entry.layer = wanted;
            ++forwardPasses;
        } else if (pass == PrefixPass::Exact && !entry.session->exactPrefix()) {
            entry.session->useExactPrefix();
            ++forwardPasses;
        }
        return entry;
    }
};

// The class maps of the last region ranking, and what they were made from.
struct KeptClassMaps {
    const ModelSlot* slot = nullptr;
    QString modelName;
    QString weightsPath;
    PreprocessMode preprocess = PreprocessMode::Tutorial;
    QString path;
    QString layer;
    QString method;
    std::optional<ClassMaps> maps;

    bool matches(const KeptClassMaps& o) const
    {
        return maps && slot == o.slot && modelName == o.modelName && weightsPath == o.weightsPath &&
               preprocess == o.preprocess && path == o.path && layer == o.layer && method == o.method;
    }
};

struct CamEngine::State {
    std::unique_ptr<ModelSlot> model;                 // the window's model
    std::vector<std::unique_ptr<ModelSlot>> paneSlots; // the panes' own models (the latest request's)
    std::list<Photo> photos;                           // most recently used first
    std::deque<CamResult> kept; // recent complete results without their photos, newest first
    KeptClassMaps classMaps;    // region ranking's

    void keep(CamResult result)
    {
        result.image = QImage(); // the maps are what scores need; the photo is cached above
        result.probabilities.clear();
        kept.push_front(std::move(result));
        while (kept.size() > kKeptResults)
            kept.pop_back();
    }

    const CamResult* keptResult(quint64 requestId) const
    {
        for (const CamResult& result : kept)
            if (result.requestId == requestId)
                return &result;
        return nullptr;
    }

    const Photo& photo(const QString& path)
    {
        for (auto it = photos.begin(); it != photos.end(); ++it) {
            if (it->path == path) {
                photos.splice(photos.begin(), photos, it);
                return photos.front();
            }
        }
        photos.push_front({path, toQImage(loadImage(path.toStdString()).rgb)});
        while (photos.size() > kCachedImages)
            photos.pop_back();
        return photos.front();
    }

    // The slot of a pane's model: the window's when the pane has none (or the
    // same), else one of paneSlots; null when that is not loaded yet.
    ModelSlot* findSlot(const PaneModel& pane) const
    {
        if (!pane.isSet() || model->is(pane.modelName, pane.weightsPath, {}))
            return model.get();
        for (const auto& slot : paneSlots)
            if (slot->is(pane.modelName, pane.weightsPath, {}))
                return slot.get();
        return nullptr;
    }

    // As findSlot, loading the pane's model if needed.
    ModelSlot& slotFor(const PaneModel& pane)
    {
        if (ModelSlot* slot = findSlot(pane))
            return *slot;
        if (namesModelFile(pane.modelName.toStdString()))
            throw UsageError("a pane's own model must be one of the built-in architectures, not \"" +
                             pane.modelName.toStdString() + "\"");
        paneSlots.push_back(std::make_unique<ModelSlot>(pane.modelName, pane.weightsPath, QString()));
        return *paneSlots.back();
    }

    // Unloads the pane models that no pane of `request` uses.
    void keepPaneModels(const CamRequest& request)
    {
        const auto used = [&](const ModelSlot& slot) {
            for (const PaneModel& pane : request.paneModels)
                if (pane.isSet() && slot.is(pane.modelName, pane.weightsPath, {}))
                    return true;
            return false;
        };
        paneSlots.erase(std::remove_if(paneSlots.begin(), paneSlots.end(), [&](const auto& slot) { return !used(*slot); }),
                        paneSlots.end());
    }

    std::vector<std::pair<ModelSlot*, QString>> modelsToPrepare(const QString& layer) const;

    // Exact for `slot` when a pane it explains uses a method that magnifies
    // rounding (prefixPassFor): its session is then made exact up front,
    // rather than by a second forward pass when that pane's map is asked
    // for; the other models' panes keep the inference form. Unknown method
    // names are reported by compute().
    PrefixPass prefixPassOf(const ModelSlot& slot, const CamRequest& request) const
    {
        for (int pane = 0; pane < request.methods.size(); ++pane) {
            const auto method = camMethodFromName(request.methods[pane].toStdString());
            if (method && prefixPassFor(*method) == PrefixPass::Exact && findSlot(request.paneModels.value(pane)) == &slot)
                return PrefixPass::Exact;
        }
        return PrefixPass::Fastest;
    }

    // The loaded slot that made a pane's map (scores are computed with it).
    ModelSlot* slotNamed(const QString& modelName)
    {
        if (model && model->modelName == modelName)
            return model.get();
        for (auto& slot : paneSlots)
            if (slot->modelName == modelName)
                return slot.get();
        return nullptr;
    }
};

CamEngine::CamEngine() : m_state(std::make_unique<State>()) {}
CamEngine::~CamEngine() = default;

bool CamEngine::ensureModel(const CamRequest& request, CamFailure* failure)
{
    State& s = *m_state;
    if (s.model && s.model->is(request.modelName, request.weightsPath, request.labelsPath))
        return false;
    return guarded(failure, [&] {
        s.model = std::make_unique<ModelSlot>(request.modelName, request.weightsPath, request.labelsPath);
        s.kept.clear();
        s.classMaps = {};
    });
}

ModelInfo CamEngine::modelInfo(const QString& requestedLayer)
{
    State& s = *m_state;
    ModelInfo info;
    if (!s.model)
        return info;
    info.modelName = s.model->modelName;
    info.weightsPath = s.model->weightsPath;
    info.defaultLayer = QString::fromStdString(s.model->explainer->defaultLayer());
    info.layers = s.model->layers();
    info.requestedLayer = requestedLayer;
    if (!requestedLayer.isEmpty())
        info.layerProblem = layerProblem(info.layers, requestedLayer);
    for (const auto& name : s.model->explainer->labels().names())
        info.labels << QString::fromStdString(name);
    return info;
}

std::optional<CamResult> CamEngine::compute(const CamRequest& request, quint64 id,
                                            const std::function<bool()>& cancelled, CamFailure* failure,
                                            const std::function<void(double)>& progress,
                                            const std::function<void(const CamResult&)>& partial)
{
    State& s = *m_state;
    std::optional<CamResult> outcome;
    guarded(failure, [&] {
        if (!s.model)
            throw InputError("no model loaded");
        ModelSlot& main = *s.model;
        main.usePreprocess(request.preprocess);
        const int forwardBefore = m_forwardPasses;
        const Photo& photo = s.photo(request.imagePath);
        // A remembered layer this model cannot explain: its default layer's maps.
        const bool fallBack = request.layerFallback && !request.layer.isEmpty() &&
                              !layerProblem(main.layers(), request.layer).isEmpty();
        main.prefixPass = s.prefixPassOf(main, request);
        auto& entry = main.explained(photo, fallBack ? QString() : request.layer, m_forwardPasses, main.prefixPass);
        if (cancelled())
            return;
        ExplanationSession& session = *entry.session;
        CamResult result;
        result.requestId = id;
        result.imagePath = request.imagePath;
        result.image = photo.image;
        result.modelName = main.modelName;
        result.layerName = entry.layer;
        result.untrained = main.explainer->untrained();
        const Preprocessing& preprocessing = main.explainer->preprocessing();
        result.preprocess = QString::fromStdString(preprocessModeName(preprocessing.mode));
        if (preprocessing.mode == PreprocessMode::Model)
            result.transformText = QString::fromStdString(describeModelTransform(preprocessing.model));
        const CropBox box = inputBox(photo.image.width(), photo.image.height(), preprocessing);
        result.inputRect = QRectF(box.x, box.y, box.width, box.height);
        result.forwardMs = m_forwardPasses != forwardBefore ? session.forwardMs() : 0.0;
        const torch::Tensor probabilities = session.probabilities()[0].contiguous();
        result.probabilities =
            QVector<float>(probabilities.data_ptr<float>(), probabilities.data_ptr<float>() + probabilities.numel());

        // Each pane's model and session: the window's, or the pane's own
        // model at its default layer on the same decoded photo.
        s.keepPaneModels(request);
        QVector<ModelSlot*> paneSlots;
        QVector<ExplanationSession*> sessions;
        for (int pane = 0; pane < request.classes.size(); ++pane) {
            ModelSlot& slot = s.slotFor(request.paneModels.value(pane));
            if (&slot == &main) {
                sessions.push_back(&session);
            } else {
                slot.usePreprocess(request.paneModels[pane].preprocess);
                if (slot.explainer->classCount() != main.explainer->classCount())
                    throw UsageError("pane " + std::to_string(pane + 1) + "'s model " + slot.modelName.toStdString() +
                                     " has " + std::to_string(slot.explainer->classCount()) + " classes, the window's " +
                                     std::to_string(main.explainer->classCount()));
                slot.prefixPass = s.prefixPassOf(slot, request);
                sessions.push_back(slot.explained(photo, {}, m_forwardPasses, slot.prefixPass).session.get());
                if (cancelled())
                    return;
            }
            paneSlots.push_back(&slot);
        }
        const bool otherModels = std::any_of(paneSlots.begin(), paneSlots.end(), [&](const ModelSlot* slot) {
            return slot != paneSlots.front();
        });

        // Every pane's query and caption first (all pending), then the maps:
        // the quick ones, then those with perturbed passes still to run.
        QVector<CamQuery> queries;
        for (int pane = 0; pane < request.classes.size(); ++pane) {
            ExplanationSession& paneSession = *sessions[pane];
            const ModelSlot& slot = *paneSlots[pane];
            const int wanted = request.classes[pane];
            const int classIndex = wanted >= 0 ? wanted : paneSession.topK(-wanted).back().index;
            const QString methodName = request.methods.value(pane).isEmpty() ? QString::fromLatin1(kDefaultMethod)
                                                                            : request.methods.value(pane);
            const auto method = camMethodFromName(methodName.toStdString());
            if (!method)
                throw UsageError("unknown CAM method \"" + methodName.toStdString() + "\"");
            CamQuery query{*method, classIndex};
            query.augmentSmooth = request.augmentSmooth;
            query.eigenSmooth = request.eigenSmooth && eigenSmoothingApplies(*method);
            queries.push_back(query);
            PaneResult shown;
            shown.method = methodName;
            shown.classIndex = classIndex;
            shown.className = QString::fromStdString(slot.explainer->labels().name(classIndex));
            shown.probability = paneSession.probabilities()[0][classIndex].item<float>();
            shown.rank = paneSession.rankOf(classIndex);
            shown.augmentSmooth = query.augmentSmooth;
            shown.eigenSmooth = query.eigenSmooth;
            shown.modelPreprocess = slot.explainer->preprocessing().mode == PreprocessMode::Model;
            shown.modelName = slot.modelName;
            shown.layerName = QString::fromStdString(paneSession.layerName());
            shown.untrained = slot.explainer->untrained();
            shown.otherModels = otherModels;
            shown.pending = true;
            shown.requestId = id;
            shown.index = pane;
            result.panes.push_back(std::move(shown));
        }
        QVector<int> quick, slow;
        for (int pane = 0; pane < queries.size(); ++pane)
            (sessions[pane]->hasPendingPasses(queries[pane]) ? slow : quick).push_back(pane);

        ExplainControl control;
        control.cancelled = cancelled;
        control.progress = progress;
        const auto explainPanes = [&](const QVector<int>& panes) {
            for (int pane : panes) {
                const CamMap cam = sessions[pane]->explain(queries[pane], control);
                ++m_backwardPasses;
                result.backwardMs += cam.backwardMs;
                PaneResult& shown = result.panes[pane];
                shown.map = toMapData(cam.map, cam.empty);
                shown.map.rawMax = cam.rawMax;
                shown.pending = false;
                if (cancelled())
                    return false;
            }
            return true;
        };
        if (!explainPanes(quick))
            return;
        if (partial && !quick.isEmpty() && !slow.isEmpty()) {
            result.complete = false;
            partial(result);
            result.complete = true;
        }
        if (!explainPanes(slow))
            return;
        s.keep(result);
        outcome = std::move(result);
    });
    // Stopped between stages rather than inside a batch: cancelled too, not an error.
    if (!outcome && failure->message.isEmpty())
        failure->cancelled = true;
    return outcome;
}

std::optional<FaithfulnessResult> CamEngine::scoreFaithfulness(const FaithfulnessRequest& request, quint64 id,
                                                               const std::function<bool()>& cancelled,
                                                               CamFailure* failure,
                                                               const std::function<void(double)>& progress)
{
    State& s = *m_state;
    std::optional<FaithfulnessResult> outcome;
    guarded(failure, [&] {
        const CamRequest& source = request.source;
        // Scores of a map under another model would describe nothing shown.
        if (!s.model || !s.model->is(source.modelName, source.weightsPath, source.labelsPath))
            throw InputError("the model this map was made with is no longer loaded");
        const CamResult* made = s.keptResult(request.mapRequest);
        if (!made || request.pane < 0 || request.pane >= made->panes.size())
            throw UsageError("the map to score is no longer kept: show it again");
        const PaneResult& pane = made->panes[request.pane];
        if (pane.map.isNull() || pane.map.values.size() != qsizetype(pane.map.rows) * pane.map.cols)
            throw UsageError("no map to score");
        // The pane's model (its own, when it has one), image and layer (a
        // remembered layer may have fallen back).
        ModelSlot* slot = pane.modelName.isEmpty() ? s.model.get() : s.slotNamed(pane.modelName);
        if (!slot)
            throw InputError("the model this map was made with is no longer loaded");
        if (slot == s.model.get())
            slot->usePreprocess(source.preprocess);
        auto& entry = slot->explained(s.photo(made->imagePath), pane.layerName.isEmpty() ? made->layerName
                                                                                          : pane.layerName,
                                      m_forwardPasses);
        FaithfulnessOptions options;
        options.control.cancelled = cancelled;
        options.control.progress = progress;
        options.control.batchSize = request.batchSize; // 0: adaptive, a cancel lands within one module
        const FaithfulnessScores scores =
            computeFaithfulness(*entry.session, pane.classIndex, toMat(pane.map), options);
        FaithfulnessResult result;
        result.requestId = id;
        result.classIndex = scores.classIndex;
        result.deletionCurve = toVector(scores.deletionCurve);
        result.insertionCurve = toVector(scores.insertionCurve);
        result.deletionAuc = scores.deletionAuc;
        result.insertionAuc = scores.insertionAuc;
        result.originalProbability = scores.originalProbability;
        result.explanationProbability = scores.explanationProbability;
        result.averageDrop = scores.averageDrop;
        result.increaseInConfidence = scores.increaseInConfidence;
        result.forwardImages = scores.forwardImages;
        result.elapsedMs = scores.elapsedMs;
        outcome = std::move(result);
    });
    return outcome;
}

std::optional<RegionResult> CamEngine::rankRegion(const RegionRequest& request, quint64 id,
                                                   const std::function<bool()>& cancelled, CamFailure* failure,
                                                   const std::function<void(double)>& progress)
{
    State& s = *m_state;
    std::optional<RegionResult> outcome;
    guarded(failure, [&] {
        const CamRequest& source = request.source;
        if (!s.model || !s.model->is(source.modelName, source.weightsPath, source.labelsPath))
            throw InputError("the model these maps were made with is no longer loaded");
        const CamResult* made = s.keptResult(request.mapRequest);
        if (!made || request.pane < 0 || request.pane >= made->panes.size())
            throw UsageError("the maps of this photo are no longer kept: show them again");
        const PaneResult& pane = made->panes[request.pane];
        // The pane's model (its own, when it has one), photo and layer.
        ModelSlot* slot = pane.modelName.isEmpty() ? s.model.get() : s.slotNamed(pane.modelName);
        if (!slot)
            throw InputError("the model these maps were made with is no longer loaded");
        if (slot == s.model.get())
            slot->usePreprocess(source.preprocess);
        const Photo& photo = s.photo(made->imagePath);
        auto& entry = slot->explained(photo, pane.layerName.isEmpty() ? made->layerName : pane.layerName,
                                      m_forwardPasses);
        const auto method = camMethodFromName(pane.method.toStdString());
        if (!method)
            throw UsageError("unknown CAM method \"" + pane.method.toStdString() + "\"");

        const auto start = std::chrono::steady_clock::now();
        KeptClassMaps wanted{slot, slot->modelName, slot->weightsPath, slot->explainer->preprocessMode(),
                             photo.path, entry.layer, pane.method, std::nullopt};
        RegionResult result;
        result.mapsReused = s.classMaps.matches(wanted);
        if (!result.mapsReused) {
            s.classMaps = {};
            ExplainControl control;
            control.cancelled = cancelled;
            control.progress = progress;
            wanted.maps = ClassMaps::compute(*entry.session, *method, control);
            s.classMaps = std::move(wanted);
            ++m_classMapComputations;
            ++m_backwardPasses;
        }
        const ClassMaps& maps = *s.classMaps.maps;
        const auto shape = entry.session->activationShape();
        const Preprocessing& preprocessing = slot->explainer->preprocessing();
        const cv::Size size(photo.image.width(), photo.image.height());
        const CropBox box = inputBox(size.width, size.height, preprocessing);
        const RegionScorer scorer{cv::Size(int(shape[3]), int(shape[2])), mapPlacement(preprocessing.mode, box, size),
                                  size, ImageRegion{request.region.x(), request.region.y(), request.region.width(),
                                                    request.region.height()}};
        const int classes = int(maps.raw().size(0));
        result.here = QVector<float>(classes);
        result.share = QVector<float>(classes);
        for (const RegionScore& score : scorer.rank(maps.raw())) {
            result.here[score.classIndex] = float(score.here);
            result.share[score.classIndex] = float(score.share);
        }
        const ImageRegion& clipped = scorer.region();
        result.requestId = id;
        result.mapRequest = request.mapRequest;
        result.imagePath = photo.path;
        result.region = QRect(clipped.x, clipped.y, clipped.width, clipped.height);
        result.method = pane.method;
        result.modelName = slot->modelName;
        result.layerName = entry.layer;
        result.closedForm = maps.closedForm();
        result.rankingMs = millisecondsSince(start);
        outcome = std::move(result);
    });
    if (!outcome && failure->message.isEmpty())
        failure->cancelled = true;
    return outcome;
}

void CamEngine::prepare(const QString& path, const QString& layer)
{
    // With the preprocessing of the request before it (the window's current one).
    if (!m_state->model)
        return;
    CamFailure ignored; // a broken neighbour is reported when the user opens it
    ModelSlot& model = *m_state->model;
    guarded(&ignored, [&] { model.explained(m_state->photo(path), layer, m_forwardPasses, model.prefixPass); });
}

// The loaded models, each with the layer prepareInference builds its form for.
std::vector<std::pair<ModelSlot*, QString>> CamEngine::State::modelsToPrepare(const QString& layer) const
{
    std::vector<std::pair<ModelSlot*, QString>> models;
    if (model)
        models.emplace_back(model.get(), layer);
    for (const auto& slot : paneSlots)
        models.emplace_back(slot.get(), QString());
    return models;
}

bool CamEngine::prepareInference(const QString& layer, const std::function<bool()>& cancelled)
{
    for (auto& [slot, slotLayer] : m_state->modelsToPrepare(layer)) {
        const QString key = slot->inferenceKey(slotLayer);
        if (slot->preparedFor == key)
            continue;
        CamFailure failure;
        guarded(&failure, [&, slot = slot, slotLayer = slotLayer] {
            InterruptScope interrupt(cancelled, "preparing the inference form cancelled");
            slot->explainer->prepareInference(slotLayer.toStdString());
        });
        if (failure.cancelled)
            return false;
        slot->preparedFor = key; // built, or failed for good: the passes then run plainly
    }
    return true;
}

bool CamEngine::inferencePrepared(const QString& layer) const
{
    for (const auto& [slot, slotLayer] : m_state->modelsToPrepare(layer))
        if (slot->preparedFor != slot->inferenceKey(slotLayer))
            return false;
    return true;
}

QStringList CamEngine::methodNames()
{
    QStringList names;
    for (CamMethod method : allCamMethods())
        names << QString::fromStdString(camMethodName(method));
    return names;
}

QStringList CamEngine::architectureNames()
{
    QStringList names;
    for (const ModelSpec& spec : modelSpecs())
        names << QString::fromStdString(spec.name);
    return names;
}

QString CamEngine::methodDescription(const QString& name)
{
    const auto method = camMethodFromName(name.toStdString());
    return method ? QString::fromStdString(camMethodDescription(*method)) : QString();
}

std::optional<int> CamEngine::resolveClass(const QString& query, CamFailure* failure)
{
    std::optional<int> index;
    guarded(failure, [&] {
        const LabelSet& labels = m_state->model ? m_state->model->explainer->labels() : LabelSet::imageNet();
        index = labels.resolve(query.toStdString());
    });
    return index;
}

} // namespace gce::ui
