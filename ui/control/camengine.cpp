// LibTorch first: Qt's `slots`/`signals` macros (from ui/ headers) would
// otherwise rewrite identifiers inside torch's headers.
#include <torch/torch.h>

#include "ui/control/camengine.h"

#include <deque>
#include <list>

#include "core/cam/explainer.h"
#include "core/cam/faithfulness.h"
#include "core/errors.h"
#include "core/imaging/imageloader.h"
#include "core/imaging/modeltransform.h"
#include "ui/control/heatmapimage.h"
#include "ui/control/layerusability.h"
#include "core/support/defaults.h"

namespace gce::ui {

namespace {

// Current image + folder neighbours; each holds its photo, its preprocessed
// tensor and the explanation session for the last layer asked for.
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

struct CamEngine::State {
    struct CachedImage {
        QString path;
        QImage image;
        torch::Tensor input;
        QString layer;
        std::unique_ptr<ExplanationSession> session;
    };

    std::unique_ptr<Explainer> explainer;
    QString modelName;
    QString weightsPath;
    QString labelsPath;
    PreprocessMode defaultMode = PreprocessMode::Tutorial; // the model's own (a TorchScript sidecar's)
    std::list<CachedImage> images; // most recently used first
    QVector<LayerEntry> layerList; // layers(): filled on first use per model
    std::deque<CamResult> kept;    // recent complete results without their photos, newest first

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

    // The request's preprocessing; the cached inputs are made with the old
    // one, so a change drops them (and their sessions).
    void usePreprocess(const QString& name)
    {
        const auto mode = name.isEmpty() ? defaultMode : preprocessModeFromName(name.toStdString());
        if (!mode)
            throw UsageError("unknown preprocessing \"" + name.toStdString() + "\" (known: tutorial, model)");
        if (*mode == explainer->preprocessMode())
            return;
        explainer->setPreprocessMode(*mode);
        images.clear();
    }

    CachedImage& decoded(const QString& path)
    {
        for (auto it = images.begin(); it != images.end(); ++it) {
            if (it->path == path) {
                images.splice(images.begin(), images, it);
                return images.front();
            }
        }
        const LoadedImage loaded = loadImage(path.toStdString());
        CachedImage entry;
        entry.path = path;
        entry.image = toQImage(loaded.rgb);
        entry.input = preprocessImage(loaded.rgb, explainer->preprocessing());
        images.push_front(std::move(entry));
        while (images.size() > kCachedImages)
            images.pop_back();
        return images.front();
    }

    // The model's layers with their output shapes, listed once per model.
    const QVector<LayerEntry>& layers()
    {
        if (layerList.isEmpty())
            for (const auto& layer : explainer->layerShapes())
                layerList.push_back({QString::fromStdString(layer.name), QString::fromStdString(layer.type),
                                     shapeText(layer.outputShape), QString::fromStdString(layer.mapLayout)});
        return layerList;
    }

    // The session for (path, layer); the forward pass runs only when needed.
    CachedImage& explained(const QString& path, const QString& layer, int& forwardPasses)
    {
        CachedImage& entry = decoded(path);
        const QString wanted = layer.isEmpty() ? QString::fromStdString(explainer->defaultLayer()) : layer;
        if (!entry.session || entry.layer != wanted) {
            entry.session.reset(); // free the old tail graph first
            entry.session = explainer->explainTensor(entry.input, wanted.toStdString());
            entry.layer = wanted;
            ++forwardPasses;
        }
        return entry;
    }
};

CamEngine::CamEngine() : m_state(std::make_unique<State>()) {}
CamEngine::~CamEngine() = default;

bool CamEngine::ensureModel(const CamRequest& request, CamFailure* failure)
{
    State& s = *m_state;
    if (s.explainer && s.modelName == request.modelName && s.weightsPath == request.weightsPath &&
        s.labelsPath == request.labelsPath)
        return false;
    return guarded(failure, [&] {
        s.explainer = std::make_unique<Explainer>(request.modelName.toStdString(), request.weightsPath.toStdString(),
                                                  request.labelsPath.toStdString());
        s.modelName = request.modelName;
        s.weightsPath = request.weightsPath;
        s.labelsPath = request.labelsPath;
        s.defaultMode = s.explainer->preprocessMode();
        s.images.clear(); // sessions belong to the old model
        s.layerList.clear();
        s.kept.clear();
    });
}

ModelInfo CamEngine::modelInfo(const QString& requestedLayer)
{
    State& s = *m_state;
    ModelInfo info;
    if (!s.explainer)
        return info;
    info.modelName = s.modelName;
    info.weightsPath = s.weightsPath;
    info.defaultLayer = QString::fromStdString(s.explainer->defaultLayer());
    info.layers = s.layers();
    info.requestedLayer = requestedLayer;
    if (!requestedLayer.isEmpty())
        info.layerProblem = layerProblem(info.layers, requestedLayer);
    for (const auto& name : s.explainer->labels().names())
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
        if (!s.explainer)
            throw InputError("no model loaded");
        s.usePreprocess(request.preprocess);
        const int forwardBefore = m_forwardPasses;
        // A remembered layer this model cannot explain: its default layer's maps.
        const bool fallBack = request.layerFallback && !request.layer.isEmpty() &&
                              !layerProblem(s.layers(), request.layer).isEmpty();
        auto& entry = s.explained(request.imagePath, fallBack ? QString() : request.layer, m_forwardPasses);
        if (cancelled())
            return;
        ExplanationSession& session = *entry.session;
        CamResult result;
        result.requestId = id;
        result.imagePath = request.imagePath;
        result.image = entry.image;
        result.modelName = s.modelName;
        result.layerName = entry.layer;
        result.untrained = s.explainer->untrained();
        const Preprocessing& preprocessing = s.explainer->preprocessing();
        result.preprocess = QString::fromStdString(preprocessModeName(preprocessing.mode));
        if (preprocessing.mode == PreprocessMode::Model)
            result.transformText = QString::fromStdString(describeModelTransform(preprocessing.model));
        const CropBox box = inputBox(entry.image.width(), entry.image.height(), preprocessing);
        result.inputRect = QRectF(box.x, box.y, box.width, box.height);
        result.forwardMs = m_forwardPasses != forwardBefore ? session.forwardMs() : 0.0;
        const torch::Tensor probabilities = session.probabilities()[0].contiguous();
        result.probabilities =
            QVector<float>(probabilities.data_ptr<float>(), probabilities.data_ptr<float>() + probabilities.numel());

        // Every pane's query and caption first (all pending), then the maps:
        // the quick ones, then those with perturbed passes still to run.
        QVector<CamQuery> queries;
        for (int pane = 0; pane < request.classes.size(); ++pane) {
            const int wanted = request.classes[pane];
            const int classIndex = wanted >= 0 ? wanted : session.topK(-wanted).back().index;
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
            shown.className = QString::fromStdString(s.explainer->labels().name(classIndex));
            shown.probability = result.probabilities[classIndex];
            shown.rank = session.rankOf(classIndex);
            shown.augmentSmooth = query.augmentSmooth;
            shown.eigenSmooth = query.eigenSmooth;
            shown.modelPreprocess = preprocessing.mode == PreprocessMode::Model;
            shown.pending = true;
            shown.requestId = id;
            shown.index = pane;
            result.panes.push_back(std::move(shown));
        }
        QVector<int> quick, slow;
        for (int pane = 0; pane < queries.size(); ++pane)
            (session.hasPendingPasses(queries[pane]) ? slow : quick).push_back(pane);

        ExplainControl control;
        control.cancelled = cancelled;
        control.progress = progress;
        const auto explainPanes = [&](const QVector<int>& panes) {
            for (int pane : panes) {
                const CamMap cam = session.explain(queries[pane], control);
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
        if (!s.explainer || s.modelName != source.modelName || s.weightsPath != source.weightsPath ||
            s.labelsPath != source.labelsPath)
            throw InputError("the model this map was made with is no longer loaded");
        const CamResult* made = s.keptResult(request.mapRequest);
        if (!made || request.pane < 0 || request.pane >= made->panes.size())
            throw UsageError("the map to score is no longer kept: show it again");
        const PaneResult& pane = made->panes[request.pane];
        if (pane.map.isNull() || pane.map.values.size() != qsizetype(pane.map.rows) * pane.map.cols)
            throw UsageError("no map to score");
        s.usePreprocess(source.preprocess);
        // The image and layer the map was made for (a remembered layer may have fallen back).
        auto& entry = s.explained(made->imagePath, made->layerName, m_forwardPasses);
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

void CamEngine::prepare(const QString& path, const QString& layer)
{
    // With the preprocessing of the request before it (the window's current one).
    if (!m_state->explainer)
        return;
    CamFailure ignored; // a broken neighbour is reported when the user opens it
    guarded(&ignored, [&] { m_state->explained(path, layer, m_forwardPasses); });
}

QStringList CamEngine::methodNames()
{
    QStringList names;
    for (CamMethod method : allCamMethods())
        names << QString::fromStdString(camMethodName(method));
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
        const LabelSet& labels = m_state->explainer ? m_state->explainer->labels() : LabelSet::imageNet();
        index = labels.resolve(query.toStdString());
    });
    return index;
}

} // namespace gce::ui
