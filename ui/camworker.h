#pragma once
// The one background thread that runs the model (Qt's Mandelbrot pattern):
// request() overwrites the pending request and wakes the thread; the newest
// request wins and nothing queues. Results travel by value with the request
// id, and a result whose request was superseded before it finished is never
// emitted. Switching class on the same image reuses the engine's explanation
// session (no new forward pass). Neighbouring images named in a request are
// prepared while the thread is otherwise idle.
#include <QMutex>
#include <QString>
#include <QStringList>
#include <QThread>
#include <QVector>
#include <QWaitCondition>

#include <atomic>
#include <memory>

#include "ui/camengine.h"

namespace gce::ui {

class CamWorker : public QThread {
    Q_OBJECT
public:
    explicit CamWorker(QObject* parent = nullptr);
    ~CamWorker() override;

    // Returns the request's id (increasing). Never blocks on the computation.
    quint64 request(const CamRequest& request);
    quint64 latestRequestId() const { return m_latestId.load(); }

    // Counters for tests and the status bar (thread-safe).
    int forwardPasses() const { return m_forwardPasses.load(); }
    int backwardPasses() const { return m_backwardPasses.load(); }
    // Computations stopped part-way by a newer request (Score-CAM, Ablation-CAM).
    int cancelledComputations() const { return m_cancelled.load(); }

signals:
    void resultReady(const gce::ui::CamResult& result);
    void requestFailed(quint64 requestId, const QString& message);
    // The requested model or weights could not be loaded; the previous model
    // (if any) is still loaded and used by requests that name it.
    void modelFailed(quint64 requestId, const QString& message);
    void modelLoaded(const gce::ui::ModelInfo& info);
    // Fraction done (0..1) of a long method's perturbed passes (Score-CAM),
    // between batches; never sent for a superseded request.
    void progress(quint64 requestId, double fraction);

protected:
    void run() override;

private:
    bool superseded(quint64 id) const;
    void process(const CamRequest& request, quint64 id);
    void preload(const CamRequest& request, quint64 id);

    QMutex m_mutex;
    QWaitCondition m_condition;
    CamRequest m_pending;
    quint64 m_pendingId = 0;
    bool m_hasPending = false;
    std::atomic<bool> m_abort{false};
    std::atomic<quint64> m_latestId{0};
    std::atomic<int> m_forwardPasses{0};
    std::atomic<int> m_backwardPasses{0};
    std::atomic<int> m_cancelled{0};
    std::unique_ptr<CamEngine> m_engine; // used on the worker thread only
};

} // namespace gce::ui
