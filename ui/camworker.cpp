#include "ui/camworker.h"

#include <QMutexLocker>

namespace gce::ui {

CamWorker::CamWorker(QObject* parent) : QThread(parent), m_engine(std::make_unique<CamEngine>())
{
    qRegisterMetaType<gce::ui::CamResult>();
    qRegisterMetaType<gce::ui::ModelInfo>();
}

CamWorker::~CamWorker()
{
    m_abort = true;
    {
        QMutexLocker locker(&m_mutex);
        m_condition.wakeOne();
    }
    wait();
}

quint64 CamWorker::request(const CamRequest& request)
{
    QMutexLocker locker(&m_mutex);
    m_pending = request;
    m_pendingId = ++m_latestId;
    m_hasPending = true;
    if (!isRunning())
        start(QThread::LowPriority);
    else
        m_condition.wakeOne();
    return m_pendingId;
}

bool CamWorker::superseded(quint64 id) const { return m_abort || m_latestId.load() != id; }

void CamWorker::run()
{
    for (;;) {
        CamRequest request;
        quint64 id = 0;
        {
            QMutexLocker locker(&m_mutex);
            while (!m_hasPending && !m_abort)
                m_condition.wait(&m_mutex);
            if (m_abort)
                return;
            request = m_pending;
            id = m_pendingId;
            m_hasPending = false;
        }
        process(request, id);
        preload(request, id);
    }
}

void CamWorker::process(const CamRequest& request, quint64 id)
{
    CamFailure failure;
    const int forwardBefore = m_engine->forwardPasses();
    const int backwardBefore = m_engine->backwardPasses();
    if (m_engine->ensureModel(request, &failure))
        emit modelLoaded(m_engine->modelInfo());
    if (!failure.message.isEmpty()) {
        if (!superseded(id))
            emit modelFailed(id, failure.message);
        return;
    }
    // A newer request is seen between batches of a long method: it stops the
    // running one (Score-CAM keeps its finished batches for a later request).
    const auto result = m_engine->compute(
        request, id, [this, id] { return superseded(id); }, &failure,
        [this, id](double fraction) {
            if (!superseded(id))
                emit progress(id, fraction);
        });
    if (failure.cancelled)
        ++m_cancelled;
    m_forwardPasses += m_engine->forwardPasses() - forwardBefore;
    m_backwardPasses += m_engine->backwardPasses() - backwardBefore;
    // A newer request makes this one moot: never show a superseded result.
    if (superseded(id))
        return;
    if (result)
        emit resultReady(*result);
    else
        emit requestFailed(id, failure.message);
}

void CamWorker::preload(const CamRequest& request, quint64 id)
{
    // Prepare the folder neighbours while nothing newer is asked for, so that
    // stepping through a folder finds the forward pass already done.
    for (const QString& path : request.preload) {
        if (superseded(id))
            return;
        const int before = m_engine->forwardPasses();
        m_engine->prepare(path, request.layer);
        m_forwardPasses += m_engine->forwardPasses() - before;
    }
}

} // namespace gce::ui
