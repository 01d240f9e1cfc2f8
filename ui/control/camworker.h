#pragma once
// The one background thread that runs the model (Qt's Mandelbrot pattern):
// request() overwrites the pending request and wakes the thread; the newest
// request wins and nothing queues. Results travel by value with the request
// id, and a result whose request was superseded before it finished is never
// emitted. Switching class on the same image reuses the engine's explanation
// session (no new forward pass). Neighbouring images named in a request are
// prepared while the thread is otherwise idle.
//
// Faithfulness scores (requestFaithfulness) are a second kind of request with
// a slot of its own, also newest-wins. Map and export requests go first: one
// arriving while scores are computed stops them within one module of the
// network (core/models/interrupt.h; TorchScript: at the next batch), and the
// scores start again afterwards unless cancelFaithfulness() said they are no
// longer wanted (the window does when the pane's class, method, layer,
// smoothing or image changes).
//
// A region ranking ("what is here?", requestRegion) has a slot of its own
// too, run right after the maps (it is as interactive as they are).
//
// An export (the Top-K: one result with every class at once) is a third
// kind, with its own newest-wins slot and signals. It runs after the map
// requests and before the scores; a map request arriving stops it within one
// module and it runs again afterwards, so neither supersedes the other.
//
// Signals are emitted on the thread that owns the CamWorker (the GUI
// thread), in the order the worker produced them: the worker queues each
// emission with its arguments in an outbox under a std::mutex and wakes that
// thread with an argument-less queued signal. Handing values over through our
// own mutex, not as queued-signal arguments copied under Qt's internal lock,
// is what lets ThreadSanitizer see the hand-over (it reported the slots'
// reads of a CamResult as races otherwise).
#include <QString>
#include <QStringList>
#include <QThread>
#include <QVector>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>

#include "ui/control/camengine.h"

namespace gce::ui {

class CamWorker : public QThread {
    Q_OBJECT
public:
    explicit CamWorker(QObject* parent = nullptr);
    ~CamWorker() override;

    // Returns the request's id (increasing; map and export requests draw from
    // one sequence, so a result's id names it: PaneResult::requestId). Never
    // blocks on the computation.
    quint64 request(const CamRequest& request);
    quint64 latestRequestId() const { return m_latestId.load(); }

    // Counters for tests and the status bar (thread-safe).
    int forwardPasses() const { return m_forwardPasses.load(); }
    int backwardPasses() const { return m_backwardPasses.load(); }
    // Computations stopped part-way by a newer request (Score-CAM, Ablation-CAM).
    int cancelledComputations() const { return m_cancelled.load(); }
    // Idle moments in which the loaded models' inference forms were built
    // (CamEngine::prepareInference, not stopped by a request); none while
    // they stay built.
    int inferencePrepared() const { return m_inferencePrepared.load(); }

    // Scores for one map; returns the id (increasing, its own sequence). A
    // newer call replaces a pending one and stops a running one.
    quint64 requestFaithfulness(const FaithfulnessRequest& request);
    // Drops the pending scores and stops running ones at their next batch.
    void cancelFaithfulness();
    quint64 latestFaithfulnessId() const { return m_latestFaithId.load(); }
    // Score computations stopped for good (newer scores, cancelFaithfulness).
    int cancelledFaithfulness() const { return m_cancelledFaith.load(); }
    // Score computations interrupted by a map request and restarted after it.
    int restartedFaithfulness() const { return m_restartedFaith.load(); }

    // "What is here?" for a region (CamEngine::rankRegion); returns the id
    // (its own sequence). A newer call replaces a pending one and stops a
    // running one between chunks. Runs after the map requests, before
    // exports and scores; a map request arriving stops it, and it runs
    // again after the maps.
    quint64 requestRegion(const RegionRequest& request);
    quint64 latestRegionId() const { return m_latestRegionId.load(); }
    // Class-map computations for region ranking (a further region on the
    // same photo, layer and method needs none).
    int classMapComputations() const { return m_classMaps.load(); }

    // An export's result; returns the id (from the map requests' sequence). A newer call
    // replaces a pending one and stops a running one.
    quint64 requestExport(const CamRequest& request);
    quint64 latestExportId() const { return m_latestExportId.load(); }

signals:
    // The answer to a map request. When a pane still needs perturbed passes
    // (Score-CAM, Ablation-CAM on a new image) and others do not, a partial
    // result (complete false, those panes pending) comes first, then the
    // complete one with the same requestId.
    void resultReady(const gce::ui::CamResult& result);
    void requestFailed(quint64 requestId, const QString& message);
    // The requested model or weights could not be loaded; the previous model
    // (if any) is still loaded and used by requests that name it.
    void modelFailed(quint64 requestId, const QString& message);
    void modelLoaded(const gce::ui::ModelInfo& info);
    // Fraction done (0..1) of a long method's perturbed passes (Score-CAM),
    // between batches; never sent for a superseded request.
    void progress(quint64 requestId, double fraction);
    void faithfulnessReady(const gce::ui::FaithfulnessResult& result);
    void faithfulnessFailed(quint64 requestId, const QString& message);
    // Fraction done (0..1) of the scores' forward passes; restarts from 0
    // after a map request interrupted them.
    void faithfulnessProgress(quint64 requestId, double fraction);

    void regionReady(const gce::ui::RegionResult& result);
    void regionFailed(quint64 requestId, const QString& message);
    void regionProgress(quint64 requestId, double fraction); // the batched way, between chunks of classes

    void exportReady(const gce::ui::CamResult& result); // always complete
    void exportFailed(quint64 requestId, const QString& message);
    void exportProgress(quint64 requestId, double fraction); // restarts from 0 after a map request

    // Internal: the worker thread put something in the outbox (one per entry).
    void outboxFilled(QPrivateSignal);

protected:
    void run() override;

private:
    bool superseded(quint64 id) const;
    bool faithfulnessSuperseded(quint64 id) const;
    bool exportSuperseded(quint64 id) const;
    bool regionSuperseded(quint64 id) const;
    void wake(); // with m_mutex held
    void process(const CamRequest& request, quint64 id);
    void processFaithfulness(const FaithfulnessRequest& request, quint64 id);
    void processExport(const CamRequest& request, quint64 id);
    void processRegion(const RegionRequest& request, quint64 id);
    void preload(const CamRequest& request, quint64 id);
    // Worker thread: queues one emission (a lambda holding copies of the
    // arguments) for the GUI thread. GUI thread: emits the oldest one.
    void post(std::function<void()> emission);
    void deliverOne();

    // Standard rather than Qt primitives: QWaitCondition unlocks and relocks a
    // QMutex inside libQt6Core, where ThreadSanitizer loses their ordering and
    // reports races under the lock; pthread's are intercepted and seen.
    std::mutex m_mutex;
    std::condition_variable m_condition;
    CamRequest m_pending;
    quint64 m_pendingId = 0;
    std::atomic<bool> m_hasPending{false}; // also read between batches, without the lock
    FaithfulnessRequest m_pendingFaith;
    quint64 m_pendingFaithId = 0;
    std::atomic<bool> m_hasFaith{false};
    std::atomic<quint64> m_latestFaithId{0};
    std::atomic<int> m_cancelledFaith{0};
    std::atomic<int> m_restartedFaith{0};
    CamRequest m_pendingExport;
    quint64 m_pendingExportId = 0;
    std::atomic<bool> m_hasExport{false};
    std::atomic<quint64> m_latestExportId{0};
    RegionRequest m_pendingRegion;
    quint64 m_pendingRegionId = 0;
    std::atomic<bool> m_hasRegion{false};
    std::atomic<quint64> m_latestRegionId{0};
    std::atomic<int> m_classMaps{0};
    std::atomic<bool> m_abort{false};
    // Released when run() returns, acquired by the destructor after wait():
    // QThread::wait() orders the thread's end before it returns, but inside
    // libQt6Core, where ThreadSanitizer cannot see it; this makes the order
    // explicit, so that everything run() touched is visibly done before the
    // members (and the memory a later object reuses) go away.
    std::atomic<bool> m_finished{false};
    quint64 m_lastResultId = 0; // the last id given to a map or export request (under m_mutex)
    std::atomic<quint64> m_latestId{0};
    std::atomic<int> m_forwardPasses{0};
    std::atomic<int> m_backwardPasses{0};
    std::atomic<int> m_cancelled{0};
    std::atomic<int> m_inferencePrepared{0};
    std::unique_ptr<CamEngine> m_engine; // used on the worker thread only
    std::mutex m_outboxMutex;
    std::deque<std::function<void()>> m_outbox;
};

} // namespace gce::ui
