#include "ui/control/camworker.h"

#include <chrono>

namespace gce::ui {

namespace {

constexpr std::chrono::milliseconds kQuietBeforeBuilding{400};

// An interrupted request goes back into its slot to run again after the
// work that interrupted it, unless a newer one of its kind superseded it or
// took the slot meanwhile. Called with the worker's mutex held.
template <typename Request>
bool putBack(bool superseded, std::atomic<bool>& hasPending, Request& pending, quint64& pendingId,
             const Request& request, quint64 id)
{
    if (superseded || hasPending)
        return false;
    pending = request;
    pendingId = id;
    hasPending = true;
    return true;
}

} // namespace

CamWorker::CamWorker(QObject* parent) : QThread(parent), m_engine(std::make_unique<CamEngine>())
{
    qRegisterMetaType<gce::ui::CamResult>();
    qRegisterMetaType<gce::ui::ModelInfo>();
    qRegisterMetaType<gce::ui::FaithfulnessResult>();
    qRegisterMetaType<gce::ui::RegionResult>();
    connect(this, &CamWorker::outboxFilled, this, &CamWorker::deliverOne, Qt::QueuedConnection);
}

CamWorker::~CamWorker()
{
    m_abort = true;
    {
        std::unique_lock locker(m_mutex);
        m_condition.notify_one();
    }
    wait();
    m_finished.load(std::memory_order_acquire);
}

quint64 CamWorker::request(const CamRequest& request)
{
    std::unique_lock locker(m_mutex);
    m_pending = request;
    m_pendingId = ++m_lastResultId;
    m_latestId = m_pendingId;
    m_hasPending = true;
    wake();
    return m_pendingId;
}

quint64 CamWorker::requestFaithfulness(const FaithfulnessRequest& request)
{
    std::unique_lock locker(m_mutex);
    m_pendingFaith = request;
    m_pendingFaithId = ++m_latestFaithId;
    m_hasFaith = true;
    wake();
    return m_pendingFaithId;
}

quint64 CamWorker::requestExport(const CamRequest& request)
{
    std::unique_lock locker(m_mutex);
    m_pendingExport = request;
    m_pendingExportId = ++m_lastResultId;
    m_latestExportId = m_pendingExportId;
    m_hasExport = true;
    wake();
    return m_pendingExportId;
}

quint64 CamWorker::requestRegion(const RegionRequest& request)
{
    std::unique_lock locker(m_mutex);
    m_pendingRegion = request;
    m_pendingRegionId = ++m_latestRegionId;
    m_hasRegion = true;
    wake();
    return m_pendingRegionId;
}

void CamWorker::cancelFaithfulness()
{
    std::unique_lock locker(m_mutex);
    m_hasFaith = false;
    ++m_latestFaithId; // a running computation sees it between batches
}

void CamWorker::wake()
{
    if (!isRunning())
        start(QThread::LowPriority);
    else
        m_condition.notify_one();
}

void CamWorker::post(std::function<void()> emission)
{
    {
        std::unique_lock locker(m_outboxMutex);
        m_outbox.push_back(std::move(emission));
    }
    // One event per entry, like a queued signal each: a slot that runs a
    // nested event loop still sees the later emissions in order.
    emit outboxFilled(QPrivateSignal());
}

void CamWorker::deliverOne()
{
    std::function<void()> emission;
    {
        std::unique_lock locker(m_outboxMutex);
        if (m_outbox.empty())
            return;
        emission = std::move(m_outbox.front());
        m_outbox.pop_front();
    }
    emission();
}

bool CamWorker::superseded(quint64 id) const { return m_abort || m_latestId.load() != id; }

bool CamWorker::faithfulnessSuperseded(quint64 id) const { return m_abort || m_latestFaithId.load() != id; }

bool CamWorker::exportSuperseded(quint64 id) const { return m_abort || m_latestExportId.load() != id; }

bool CamWorker::regionSuperseded(quint64 id) const { return m_abort || m_latestRegionId.load() != id; }

void CamWorker::run()
{
    struct Finished {
        std::atomic<bool>& flag;
        ~Finished() { flag.store(true, std::memory_order_release); }
    } finished{m_finished};
    CamRequest last; // the latest map request, whose neighbours are preloaded
    quint64 lastId = 0;
    for (;;) {
        enum class Kind { Maps, Region, Export, Scores } kind = Kind::Maps;
        CamRequest request;
        FaithfulnessRequest faith;
        RegionRequest region;
        quint64 id = 0;
        {
            std::unique_lock locker(m_mutex);
            while (!m_hasPending && !m_hasRegion && !m_hasExport && !m_hasFaith && !m_abort)
                m_condition.wait(locker);
            if (m_abort)
                return;
            // Maps first: a class switch must not wait for an export or scores.
            if (m_hasPending) {
                request = m_pending;
                id = m_pendingId;
                m_hasPending = false;
            } else if (m_hasRegion) {
                kind = Kind::Region;
                region = m_pendingRegion;
                id = m_pendingRegionId;
                m_hasRegion = false;
            } else if (m_hasExport) {
                kind = Kind::Export;
                request = m_pendingExport;
                id = m_pendingExportId;
                m_hasExport = false;
            } else {
                kind = Kind::Scores;
                faith = m_pendingFaith;
                id = m_pendingFaithId;
                m_hasFaith = false;
            }
        }
        switch (kind) {
        case Kind::Maps:
            process(request, id);
            last = request;
            lastId = id;
            break;
        case Kind::Region:
            processRegion(region, id);
            break;
        case Kind::Export:
            processExport(request, id);
            break;
        case Kind::Scores:
            processFaithfulness(faith, id);
            break;
        }
        preload(last, lastId);
    }
}

void CamWorker::process(const CamRequest& request, quint64 id)
{
    CamFailure failure;
    const int forwardBefore = m_engine->forwardPasses();
    const int backwardBefore = m_engine->backwardPasses();
    if (m_engine->ensureModel(request, &failure))
        post([this, info = m_engine->modelInfo(request.layer)] { emit modelLoaded(info); });
    if (!failure.message.isEmpty()) {
        if (!superseded(id))
            post([this, id, message = failure.message] { emit modelFailed(id, message); });
        return;
    }
    // A newer request is seen between batches of a long method: it stops the
    // running one (Score-CAM keeps its finished batches for a later request).
    const auto result = m_engine->compute(
        request, id, [this, id] { return superseded(id); }, &failure,
        [this, id](double fraction) {
            if (!superseded(id))
                post([this, id, fraction] { emit progress(id, fraction); });
        },
        // The quick panes ahead of Score-CAM's or Ablation-CAM's (complete false).
        [this, id](const CamResult& partial) {
            if (!superseded(id))
                post([this, copy = partial] { emit resultReady(copy); });
        });
    if (failure.cancelled)
        ++m_cancelled;
    m_forwardPasses += m_engine->forwardPasses() - forwardBefore;
    m_backwardPasses += m_engine->backwardPasses() - backwardBefore;
    // A newer request makes this one moot: never show a superseded result.
    if (superseded(id))
        return;
    if (result)
        post([this, copy = *result] { emit resultReady(copy); });
    else
        post([this, id, message = failure.message] { emit requestFailed(id, message); });
}

void CamWorker::processFaithfulness(const FaithfulnessRequest& request, quint64 id)
{
    CamFailure failure;
    const int forwardBefore = m_engine->forwardPasses();
    // Stop between batches for newer scores, a cancel, or any map or export request.
    const auto result = m_engine->scoreFaithfulness(
        request, id, [this, id] { return faithfulnessSuperseded(id) || m_hasPending || m_hasExport; }, &failure,
        [this, id](double fraction) {
            if (!faithfulnessSuperseded(id))
                post([this, id, fraction] { emit faithfulnessProgress(id, fraction); });
        });
    m_forwardPasses += m_engine->forwardPasses() - forwardBefore;
    if (failure.cancelled) {
        std::unique_lock locker(m_mutex);
        // Interrupted by a map or export request only: still wanted.
        if (putBack(faithfulnessSuperseded(id), m_hasFaith, m_pendingFaith, m_pendingFaithId, request, id))
            ++m_restartedFaith;
        else
            ++m_cancelledFaith;
        return;
    }
    if (faithfulnessSuperseded(id))
        return;
    if (result)
        post([this, copy = *result] { emit faithfulnessReady(copy); });
    else
        post([this, id, message = failure.message] { emit faithfulnessFailed(id, message); });
}

void CamWorker::processExport(const CamRequest& request, quint64 id)
{
    CamFailure failure;
    const int forwardBefore = m_engine->forwardPasses();
    const int backwardBefore = m_engine->backwardPasses();
    if (m_engine->ensureModel(request, &failure))
        post([this, info = m_engine->modelInfo(request.layer)] { emit modelLoaded(info); });
    std::optional<CamResult> result;
    if (failure.message.isEmpty()) {
        // Stop between batches for a newer export or any map request.
        result = m_engine->compute(
            request, id, [this, id] { return exportSuperseded(id) || m_hasPending; }, &failure,
            [this, id](double fraction) {
                if (!exportSuperseded(id))
                    post([this, id, fraction] { emit exportProgress(id, fraction); });
            });
    }
    m_forwardPasses += m_engine->forwardPasses() - forwardBefore;
    m_backwardPasses += m_engine->backwardPasses() - backwardBefore;
    if (failure.cancelled) {
        std::unique_lock locker(m_mutex);
        // Interrupted by a map request only: still wanted (Score-CAM keeps its finished batches meanwhile).
        if (!putBack(exportSuperseded(id), m_hasExport, m_pendingExport, m_pendingExportId, request, id))
            ++m_cancelled;
        return;
    }
    if (exportSuperseded(id))
        return;
    if (result)
        post([this, copy = *result] { emit exportReady(copy); });
    else
        post([this, id, message = failure.message] { emit exportFailed(id, message); });
}

void CamWorker::processRegion(const RegionRequest& request, quint64 id)
{
    CamFailure failure;
    const int forwardBefore = m_engine->forwardPasses();
    const int backwardBefore = m_engine->backwardPasses();
    const int mapsBefore = m_engine->classMapComputations();
    // Stop between chunks for a newer region or any map request.
    const auto result = m_engine->rankRegion(
        request, id, [this, id] { return regionSuperseded(id) || m_hasPending; }, &failure,
        [this, id](double fraction) {
            if (!regionSuperseded(id))
                post([this, id, fraction] { emit regionProgress(id, fraction); });
        });
    m_forwardPasses += m_engine->forwardPasses() - forwardBefore;
    m_backwardPasses += m_engine->backwardPasses() - backwardBefore;
    m_classMaps += m_engine->classMapComputations() - mapsBefore;
    if (failure.cancelled) {
        std::unique_lock locker(m_mutex);
        // Interrupted by a map request only: still wanted.
        if (!putBack(regionSuperseded(id), m_hasRegion, m_pendingRegion, m_pendingRegionId, request, id))
            ++m_cancelled;
        return;
    }
    if (regionSuperseded(id))
        return;
    if (result)
        post([this, copy = *result] { emit regionReady(copy); });
    else
        post([this, id, message = failure.message] { emit regionFailed(id, message); });
}

void CamWorker::preload(const CamRequest& request, quint64 id)
{
    // Asked-for work goes before work ahead of time.
    const auto asked = [this, id] { return superseded(id) || m_hasFaith || m_hasExport || m_hasRegion; };
    // The folder neighbours, so that stepping through a folder finds the
    // forward pass already done.
    for (const QString& path : request.preload) {
        if (asked())
            return;
        const int before = m_engine->forwardPasses();
        m_engine->prepare(path, request.layer);
        m_forwardPasses += m_engine->forwardPasses() - before;
    }
    // Then, once the window has been quiet for a moment, the models'
    // inference forms (core/models/inferenceform.h): the first map of a
    // model never waits for one, every later map's layers before the target
    // gain from it. Not during a burst of clicks, where a build would take
    // both cores from the window's repaints (class switches measured 2.4
    // times slower) and be stopped by the next click anyway; a request
    // arriving stops it within one module, and the next quiet moment builds
    // it again. Once built, nothing waits.
    if (m_engine->inferencePrepared(request.layer))
        return;
    {
        std::unique_lock locker(m_mutex);
        if (m_condition.wait_for(locker, kQuietBeforeBuilding,
                                 [this] { return m_hasPending || m_hasRegion || m_hasExport || m_hasFaith || m_abort; }))
            return;
    }
    if (m_engine->prepareInference(request.layer, asked))
        ++m_inferencePrepared;
}

} // namespace gce::ui
