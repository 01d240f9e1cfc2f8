#pragma once
// The explorer's request protocol, without widgets: one CamWorker (the newest
// request of each kind wins), which answers are stale, partial results ahead
// of slow panes, the faithfulness job and the Top-K export job. The window
// builds the requests from what the user chose and paints what this object
// passes on; it never talks to the worker itself.
//
// Maps, the export and the scores have a slot each on the worker, which runs
// maps first and resumes an interrupted export or score computation after
// them, so no job loses another. Scores asked for while maps are on their way
// wait for them (scoresDue): they are for the map about to be shown.
#include <QObject>
#include <QString>

#include "ui/control/camengine.h"
#include "ui/control/camtypes.h"

namespace gce::ui {

class CamWorker;

class ExplorerController : public QObject {
    Q_OBJECT
public:
    explicit ExplorerController(QObject* parent = nullptr);
    ~ExplorerController() override;

    CamWorker* worker() const { return m_worker; }

    // ---- maps
    // Sends a request for the panes' maps; any earlier one is stale from now on.
    quint64 requestMaps(const CamRequest& request);
    // The last complete result passed on (partial ones are not kept).
    const CamResult& lastResult() const { return m_result; }
    // A map request whose result is still to come.
    bool awaitingMaps() const { return m_awaitedId != 0 && m_result.requestId != m_awaitedId; }
    bool showsPartial() const { return m_partial; } // a partial result is the newest one shown
    int staleResultsDropped() const { return m_staleDropped; }

    // ---- the Top-K export: one result with one pane per class, for `folder`
    void requestTopK(const CamRequest& request, const QString& folder);

    // ---- "what is here?": every class ranked in a region of the photo shown.
    // Newest wins; answers to older regions are never passed on.
    void requestRegion(const RegionRequest& request);
    // Forgets the region: an answer still on its way is dropped.
    void clearRegion() { m_regionId = 0; }
    quint64 regionRequestId() const { return m_regionId; }

    // ---- faithfulness scores of one pane's map; `pane` is the window's key
    // for it. Newest wins: scoring another pane stops the first.
    void requestScores(int pane, const FaithfulnessRequest& request);
    // Remembers `pane` and emits scoresDue(pane) once the maps on their way are shown.
    void scoreWhenShown(int pane) { m_scoreWhenShown = pane; }
    // Stops and forgets the scores of `pane` (-1: of any pane).
    void cancelScores(int pane = -1);
    int scoringPane() const { return m_scoringPane; } // -1: none
    quint64 faithfulnessRequestId() const { return m_faithId; }

signals:
    void mapsRequested();                                  // a map request went out (also a resent one)
    void partialResult(const gce::ui::CamResult& result);  // the quick panes; slow ones pending
    void result(const gce::ui::CamResult& result);         // complete and newest
    // The newest map request failed; `hadPartial`: a partial result was up,
    // the window goes back to lastResult().
    void failed(const QString& message, bool hadPartial);
    void progress(double fraction); // of the newest map request's perturbed passes
    void topKReady(const gce::ui::CamResult& result, const QString& folder);
    void topKFailed(const QString& message);
    void modelLoaded(const gce::ui::ModelInfo& info);
    // `newest`: the failure answers the newest map request, which is not coming.
    void modelFailed(const QString& message, bool newest);
    void scoresReady(int pane, const gce::ui::FaithfulnessResult& result);
    void scoresFailed(int pane, const QString& message);
    void scoresProgress(int pane, double fraction);
    void scoresDue(int pane);
    void regionReady(const gce::ui::RegionResult& result);
    void regionFailed(const QString& message);
    void regionProgress(double fraction);

private:
    void onResult(const CamResult& result);
    void onFailed(quint64 id, const QString& message);
    void onModelFailed(quint64 id, const QString& message);

    CamWorker* m_worker = nullptr;
    CamResult m_result;
    quint64 m_awaitedId = 0; // the map request whose result is still to come (0: none)
    bool m_partial = false;
    int m_staleDropped = 0;

    quint64 m_topKId = 0; // the export under way (0: none)
    QString m_topKFolder;

    quint64 m_regionId = 0; // the region ranking wanted (0: none)

    quint64 m_faithId = 0;
    int m_scoringPane = -1;
    int m_scoreWhenShown = -1;
};

} // namespace gce::ui
