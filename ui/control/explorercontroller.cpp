#include "ui/control/explorercontroller.h"

#include <utility>

#include "ui/control/camworker.h"

namespace gce::ui {

ExplorerController::ExplorerController(QObject* parent) : QObject(parent), m_worker(new CamWorker(this))
{
    connect(m_worker, &CamWorker::resultReady, this, &ExplorerController::onResult);
    connect(m_worker, &CamWorker::requestFailed, this, &ExplorerController::onFailed);
    connect(m_worker, &CamWorker::modelLoaded, this, &ExplorerController::modelLoaded);
    connect(m_worker, &CamWorker::modelFailed, this, &ExplorerController::onModelFailed);
    connect(m_worker, &CamWorker::progress, this, [this](quint64 id, double fraction) {
        if (id == m_worker->latestRequestId())
            emit progress(fraction);
    });
    connect(m_worker, &CamWorker::exportReady, this, [this](const CamResult& result) {
        if (result.requestId != m_topKId)
            return; // a newer export replaced it
        m_topKId = 0;
        emit topKReady(result, m_topKFolder);
    });
    connect(m_worker, &CamWorker::exportFailed, this, [this](quint64 id, const QString& message) {
        if (id != m_topKId)
            return;
        m_topKId = 0;
        emit topKFailed(message);
    });
    connect(m_worker, &CamWorker::exportProgress, this, [this](quint64 id, double fraction) {
        if (id == m_topKId)
            emit progress(fraction);
    });
    connect(m_worker, &CamWorker::regionReady, this, [this](const RegionResult& result) {
        if (result.requestId == m_regionId)
            emit regionReady(result);
    });
    connect(m_worker, &CamWorker::regionFailed, this, [this](quint64 id, const QString& message) {
        if (id == m_regionId)
            emit regionFailed(message);
    });
    connect(m_worker, &CamWorker::regionProgress, this, [this](quint64 id, double fraction) {
        if (id == m_regionId)
            emit regionProgress(fraction);
    });
    connect(m_worker, &CamWorker::faithfulnessReady, this, [this](const FaithfulnessResult& scores) {
        if (scores.requestId != m_faithId || m_scoringPane < 0)
            return;
        emit scoresReady(std::exchange(m_scoringPane, -1), scores);
    });
    connect(m_worker, &CamWorker::faithfulnessFailed, this, [this](quint64 id, const QString& message) {
        if (id != m_faithId || m_scoringPane < 0)
            return;
        emit scoresFailed(std::exchange(m_scoringPane, -1), message);
    });
    connect(m_worker, &CamWorker::faithfulnessProgress, this, [this](quint64 id, double fraction) {
        if (id == m_faithId && m_scoringPane >= 0)
            emit scoresProgress(m_scoringPane, fraction);
    });
}

ExplorerController::~ExplorerController() = default;

quint64 ExplorerController::requestMaps(const CamRequest& request)
{
    m_awaitedId = m_worker->request(request);
    emit mapsRequested();
    return m_awaitedId;
}

void ExplorerController::requestTopK(const CamRequest& request, const QString& folder)
{
    m_topKFolder = folder;
    m_topKId = m_worker->requestExport(request);
}

void ExplorerController::requestRegion(const RegionRequest& request) { m_regionId = m_worker->requestRegion(request); }

void ExplorerController::requestScores(int pane, const FaithfulnessRequest& request)
{
    m_scoringPane = pane;
    m_scoreWhenShown = -1;
    m_faithId = m_worker->requestFaithfulness(request);
}

void ExplorerController::cancelScores(int pane)
{
    if (m_scoringPane >= 0 && (pane < 0 || m_scoringPane == pane)) {
        m_worker->cancelFaithfulness();
        m_scoringPane = -1;
    }
    if (m_scoreWhenShown >= 0 && (pane < 0 || m_scoreWhenShown == pane))
        m_scoreWhenShown = -1;
}

void ExplorerController::onResult(const CamResult& result)
{
    if (result.requestId != m_worker->latestRequestId()) {
        ++m_staleDropped; // a newer request is on its way: never pass on an old answer
        return;
    }
    if (!result.complete) {
        m_partial = true;
        emit partialResult(result);
        return;
    }
    m_partial = false;
    m_result = result;
    emit this->result(result);
    if (m_scoreWhenShown >= 0)
        emit scoresDue(std::exchange(m_scoreWhenShown, -1));
}

void ExplorerController::onFailed(quint64 id, const QString& message)
{
    if (id != m_worker->latestRequestId())
        return;
    m_awaitedId = 0; // nothing is coming: scores asked for meanwhile are for the maps shown
    m_scoreWhenShown = -1;
    emit failed(message, std::exchange(m_partial, false));
}

void ExplorerController::onModelFailed(quint64 id, const QString& message)
{
    const bool newest = id == m_worker->latestRequestId();
    m_awaitedId = 0;
    emit modelFailed(message, newest);
}

} // namespace gce::ui
