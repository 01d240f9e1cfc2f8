// CamWorker: newest request wins, sessions are reused, errors are reported
// and the thread carries on.
#include <QSignalSpy>
#include <QtTest>

#include <memory>

#include "testsupport.h"
#include "ui/camworker.h"

using namespace gce::ui;

namespace {
QString demo(const char* name) { return gce::test::sourceDir() + "/resources/demo/" + name; }

CamRequest requestFor(const QString& image, QVector<int> classes)
{
    CamRequest request;
    request.imagePath = image;
    request.modelName = "resnet18";
    request.classes = std::move(classes);
    return request;
}
} // namespace

// The worker's signals, re-emitted on the test thread. QSignalSpy (Qt 6.4)
// records a signal in the thread that emits it, without a lock, so a spy on
// the worker itself appends from the worker thread while the test reads the
// list (ThreadSanitizer reports it). Queued connections hand each signal over
// through Qt's event queue, as the window's own connections do.
class WorkerSignals : public QObject {
    Q_OBJECT
public:
    explicit WorkerSignals(CamWorker* worker)
    {
        connect(worker, &CamWorker::resultReady, this, &WorkerSignals::resultReady, Qt::QueuedConnection);
        connect(worker, &CamWorker::requestFailed, this, &WorkerSignals::requestFailed, Qt::QueuedConnection);
        connect(worker, &CamWorker::modelLoaded, this, &WorkerSignals::modelLoaded, Qt::QueuedConnection);
        connect(worker, &CamWorker::progress, this, &WorkerSignals::progress, Qt::QueuedConnection);
        connect(worker, &CamWorker::faithfulnessReady, this, &WorkerSignals::faithfulnessReady, Qt::QueuedConnection);
        connect(worker, &CamWorker::faithfulnessFailed, this, &WorkerSignals::faithfulnessFailed,
                Qt::QueuedConnection);
        connect(worker, &CamWorker::faithfulnessProgress, this, &WorkerSignals::faithfulnessProgress,
                Qt::QueuedConnection);
    }

signals:
    void resultReady(const gce::ui::CamResult& result);
    void requestFailed(quint64 requestId, const QString& message);
    void modelLoaded(const gce::ui::ModelInfo& info);
    void progress(quint64 requestId, double fraction);
    void faithfulnessReady(const gce::ui::FaithfulnessResult& result);
    void faithfulnessFailed(quint64 requestId, const QString& message);
    void faithfulnessProgress(quint64 requestId, double fraction);
};

namespace {
// Shows chelsea.jpg's top class with SqueezeNet 1.1 (its result taken from
// `results`) and returns the request for the scores of that map.
FaithfulnessRequest scoresForShownMap(CamWorker& worker, QSignalSpy& results)
{
    FaithfulnessRequest scores;
    scores.source = requestFor(demo("chelsea.jpg"), {-1});
    scores.source.modelName = "squeezenet1_1";
    worker.request(scores.source);
    if (!results.wait(120000))
        return scores; // classIndex -1: the caller's checks fail
    const auto shown = results.takeFirst().at(0).value<CamResult>();
    scores.classIndex = shown.panes[0].classIndex;
    scores.map = shown.panes[0].map;
    return scores;
}
} // namespace

// Each test's worker lives on the heap. ThreadSanitizer forgets the mutexes
// in a block that is freed, but a stack slot that the next test's worker
// reuses keeps the previous QMutex's "destroyed" state (Qt's inline mutex
// annotations mark the destruction, not the construction), and TSan then
// reports that worker's correctly locked accesses as races.

class TestCamWorker : public QObject {
    Q_OBJECT
private slots:
    void firstResultThenClassSwitchReusesSession()
    {
        const auto owned = std::make_unique<CamWorker>(); // on the heap: see TestCamWorker
        CamWorker& worker = *owned;
        WorkerSignals relay(&worker);
        QSignalSpy results(&relay, &WorkerSignals::resultReady);
        QSignalSpy models(&relay, &WorkerSignals::modelLoaded);
        worker.request(requestFor(demo("chelsea.jpg"), {-1}));
        QVERIFY(results.wait(120000));
        QCOMPARE(models.size(), 1);
        const auto first = results.takeFirst().at(0).value<CamResult>();
        QCOMPARE(first.image.size(), QSize(451, 300));
        QCOMPARE(first.panes.size(), 1);
        QCOMPARE(first.panes[0].rank, 1);
        QCOMPARE(first.panes[0].map.rows, 7);
        QCOMPARE(first.probabilities.size(), 1000);
        QVERIFY(first.forwardMs > 0.0);
        QCOMPARE(worker.forwardPasses(), 1);

        worker.request(requestFor(demo("chelsea.jpg"), {285, 515}));
        QVERIFY(results.wait(60000));
        const auto second = results.takeFirst().at(0).value<CamResult>();
        QCOMPARE(second.panes[0].classIndex, 285);
        QCOMPARE(second.panes[1].className, QString("cowboy hat"));
        QCOMPARE(worker.forwardPasses(), 1); // same image: no new forward pass
        QCOMPARE(worker.backwardPasses(), 3);
        QCOMPARE(second.forwardMs, 0.0);
    }

    void newestRequestWins()
    {
        const auto owned = std::make_unique<CamWorker>(); // on the heap: see TestCamWorker
        CamWorker& worker = *owned;
        WorkerSignals relay(&worker);
        QSignalSpy results(&relay, &WorkerSignals::resultReady);
        worker.request(requestFor(demo("chelsea.jpg"), {0}));
        QVERIFY(results.wait(120000));
        results.clear();

        quint64 last = 0;
        for (int i = 1; i <= 50; ++i)
            last = worker.request(requestFor(demo("chelsea.jpg"), {i}));
        // Wait until the last request's answer arrives.
        QTRY_VERIFY_WITH_TIMEOUT(!results.isEmpty() &&
                                     results.last().at(0).value<CamResult>().requestId == last,
                                 60000);
        QTest::qWait(200); // nothing older may arrive after the newest
        const auto shown = results.last().at(0).value<CamResult>();
        QCOMPARE(shown.requestId, last);
        QCOMPARE(shown.panes[0].classIndex, 50);
        QVERIFY2(results.size() < 50, "requests were replayed as a queue");
        quint64 previous = 0;
        for (const auto& args : results) {
            const quint64 id = args.at(0).value<CamResult>().requestId;
            QVERIFY(id > previous);
            previous = id;
        }
    }

    void badImageIsReportedAndWorkerCarriesOn()
    {
        QTemporaryDir dir;
        const QString bad = dir.filePath("broken.jpg");
        QFile file(bad);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("not a jpeg at all");
        file.close();

        const auto owned = std::make_unique<CamWorker>(); // on the heap: see TestCamWorker
        CamWorker& worker = *owned;
        WorkerSignals relay(&worker);
        QSignalSpy failures(&relay, &WorkerSignals::requestFailed);
        QSignalSpy results(&relay, &WorkerSignals::resultReady);
        const quint64 id = worker.request(requestFor(bad, {-1}));
        QVERIFY(failures.wait(120000));
        QCOMPARE(failures.first().at(0).toULongLong(), id);
        const QString message = failures.first().at(1).toString();
        QVERIFY(message.contains("broken.jpg"));
        QVERIFY(!message.contains('\n'));

        worker.request(requestFor(demo("coffee.jpg"), {-1}));
        QVERIFY(results.wait(60000));

        auto unknownLayer = requestFor(demo("coffee.jpg"), {-1});
        unknownLayer.layer = "layer9";
        worker.request(unknownLayer);
        QVERIFY(failures.wait(60000));
        QVERIFY(failures.last().at(1).toString().contains("unknown layer"));
    }

    // A running Score-CAM (one forward pass per channel) streams progress and
    // stops at its next batch when a newer request arrives: it never emits
    // its result, and the newer request's result arrives.
    void newerRequestCancelsScoreCam()
    {
        const auto owned = std::make_unique<CamWorker>(); // on the heap: see TestCamWorker
        CamWorker& worker = *owned;
        WorkerSignals relay(&worker);
        QSignalSpy results(&relay, &WorkerSignals::resultReady);
        QSignalSpy failures(&relay, &WorkerSignals::requestFailed);
        QSignalSpy progress(&relay, &WorkerSignals::progress);
        auto scoreCam = requestFor(demo("chelsea.jpg"), {-1});
        scoreCam.methods = {"scorecam"};
        const quint64 slow = worker.request(scoreCam);
        QVERIFY(progress.wait(120000)); // it is under way
        QCOMPARE(progress.first().at(0).toULongLong(), slow);
        const double fraction = progress.first().at(1).toDouble();
        QVERIFY(fraction > 0.0 && fraction < 1.0);

        const quint64 quick = worker.request(requestFor(demo("chelsea.jpg"), {-1}));
        QTRY_VERIFY_WITH_TIMEOUT(!results.isEmpty(), 60000);
        QCOMPARE(results.first().at(0).value<CamResult>().requestId, quick);
        QCOMPARE(results.first().at(0).value<CamResult>().panes[0].method, QString("gradcam"));
        QCOMPARE(worker.cancelledComputations(), 1);
        QVERIFY(failures.isEmpty()); // a cancel is not a failure
        for (const auto& args : results)
            QVERIFY(args.at(0).value<CamResult>().requestId != slow);
        QCOMPARE(worker.forwardPasses(), 1); // the gradcam request reused the session
    }

    // Scores are a request of their own kind. A map request goes first: it
    // interrupts the scores (within one module), its result arrives, and the
    // scores start again and arrive too, still for the map they were asked for.
    void mapRequestInterruptsFaithfulnessWhichRestarts()
    {
        const auto owned = std::make_unique<CamWorker>(); // on the heap: see TestCamWorker
        CamWorker& worker = *owned;
        WorkerSignals relay(&worker);
        QSignalSpy results(&relay, &WorkerSignals::resultReady);
        QSignalSpy ready(&relay, &WorkerSignals::faithfulnessReady);
        QSignalSpy progress(&relay, &WorkerSignals::faithfulnessProgress);
        const FaithfulnessRequest scores = scoresForShownMap(worker, results);
        QVERIFY(scores.classIndex >= 0);
        const CamRequest map = scores.source;
        const quint64 id = worker.requestFaithfulness(scores);
        QVERIFY(progress.wait(120000));
        QCOMPARE(progress.first().at(0).toULongLong(), id);

        auto other = map;
        other.classes = {285};
        const quint64 mapId = worker.request(other);
        QTRY_VERIFY_WITH_TIMEOUT(!results.isEmpty(), 60000);
        QCOMPARE(results.first().at(0).value<CamResult>().requestId, mapId);
        QTRY_VERIFY_WITH_TIMEOUT(!ready.isEmpty(), 600000);
        const auto scored = ready.first().at(0).value<FaithfulnessResult>();
        QCOMPARE(scored.requestId, id);
        QCOMPARE(scored.classIndex, scores.classIndex); // the map asked for, not the newer class
        QCOMPARE(scored.deletionCurve.size(), scored.insertionCurve.size());
        QVERIFY(scored.deletionCurve.size() > 2);
        QCOMPARE(worker.restartedFaithfulness(), 1); // interrupted once, by the map request
        QCOMPARE(worker.cancelledFaithfulness(), 0);
    }

    void cancelledOrBadFaithfulnessNeverArrives()
    {
        const auto owned = std::make_unique<CamWorker>(); // on the heap: see TestCamWorker
        CamWorker& worker = *owned;
        WorkerSignals relay(&worker);
        QSignalSpy results(&relay, &WorkerSignals::resultReady);
        QSignalSpy ready(&relay, &WorkerSignals::faithfulnessReady);
        QSignalSpy failed(&relay, &WorkerSignals::faithfulnessFailed);
        QSignalSpy progress(&relay, &WorkerSignals::faithfulnessProgress);
        const FaithfulnessRequest scores = scoresForShownMap(worker, results);
        QVERIFY(scores.classIndex >= 0);
        const CamRequest map = scores.source;

        // Cancelled while running: stops at its next batch, no answer at all.
        worker.requestFaithfulness(scores);
        QVERIFY(progress.wait(120000));
        worker.cancelFaithfulness();
        QTRY_COMPARE_WITH_TIMEOUT(worker.cancelledFaithfulness(), 1, 60000);
        QVERIFY(ready.isEmpty());
        QVERIFY(failed.isEmpty());

        // A map that does not fit: one line, and the worker carries on.
        FaithfulnessRequest broken = scores;
        broken.map.values.removeLast();
        const quint64 brokenId = worker.requestFaithfulness(broken);
        QVERIFY(failed.wait(60000));
        QCOMPARE(failed.first().at(0).toULongLong(), brokenId);
        QVERIFY(!failed.first().at(1).toString().isEmpty());
        QVERIFY(!failed.first().at(1).toString().contains('\n'));

        // Another model than the map's: refused, not scored on the wrong network.
        FaithfulnessRequest otherModel = scores;
        otherModel.source.modelName = "resnet18";
        worker.requestFaithfulness(otherModel);
        QVERIFY(failed.wait(60000));
        QVERIFY(failed.last().at(1).toString().contains("no longer loaded"));
        worker.request(map);
        QVERIFY(results.wait(60000)); // still serving maps
        QVERIFY(ready.isEmpty());
    }

    void neighboursArePreloaded()
    {
        const auto owned = std::make_unique<CamWorker>(); // on the heap: see TestCamWorker
        CamWorker& worker = *owned;
        WorkerSignals relay(&worker);
        QSignalSpy results(&relay, &WorkerSignals::resultReady);
        auto request = requestFor(demo("chelsea.jpg"), {-1});
        request.preload = {demo("coffee.jpg")};
        worker.request(request);
        QVERIFY(results.wait(120000));
        QTRY_COMPARE_WITH_TIMEOUT(worker.forwardPasses(), 2, 60000); // coffee prepared in the background
        worker.request(requestFor(demo("coffee.jpg"), {-1}));
        QVERIFY(results.wait(60000));
        QCOMPARE(worker.forwardPasses(), 2); // stepping to it needed no forward pass
    }
};

QTEST_GUILESS_MAIN(TestCamWorker)
#include "tst_camworker.moc"
