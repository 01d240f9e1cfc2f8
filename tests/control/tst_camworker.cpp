// CamWorker: newest request wins, sessions are reused, errors are reported
// and the thread carries on.
// LibTorch first: Qt's `slots` macro would break its headers.
#include <ATen/record_function.h>

#include <QSignalSpy>
#include <QtTest>

#include <atomic>
#include <memory>

#include "testsupport.h"
#include "ui/control/camworker.h"

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

// The BatchNorms dispatched on any thread (the worker's) while it lives.
class BatchNormCount {
public:
    BatchNormCount()
        : m_handle(at::addGlobalCallback(at::RecordFunctionCallback(
              [](const at::RecordFunction& fn) -> std::unique_ptr<at::ObserverContext> {
                  if (std::string(fn.name()) == "aten::batch_norm")
                      ++s_count;
                  return nullptr;
              })))
    {
        s_count = 0;
    }
    ~BatchNormCount() { at::removeCallback(m_handle); }
    int value() const { return s_count.load(); }

private:
    static inline std::atomic<int> s_count{0};
    at::CallbackHandle m_handle;
};
} // namespace

// The worker's signals, re-emitted on the test thread through queued
// connections. CamWorker emits on the thread it lives in (the test thread
// here, the GUI thread in the window), so a QSignalSpy on the worker itself
// would do now; the queued hop also keeps the tests from depending on that
// (QSignalSpy in Qt 6.4 records in the emitting thread, without a lock).
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
// One test's worker, its signals relayed to the test thread and a spy on each
// (members are destroyed in reverse: spies, relay, then the worker, which
// joins its thread). The worker lives on the heap: ThreadSanitizer forgets
// the mutexes in a block that is freed, but a stack slot that the next test's
// worker reuses keeps the previous QMutex's "destroyed" state (Qt's inline
// mutex annotations mark the destruction, not the construction), and TSan
// then reports that worker's correctly locked accesses as races.
struct WorkerFixture {
    const std::unique_ptr<CamWorker> owned = std::make_unique<CamWorker>();
    CamWorker& worker = *owned;
    WorkerSignals relay{&worker};
    QSignalSpy results{&relay, &WorkerSignals::resultReady};
    QSignalSpy failures{&relay, &WorkerSignals::requestFailed};
    QSignalSpy models{&relay, &WorkerSignals::modelLoaded};
    QSignalSpy progress{&relay, &WorkerSignals::progress};
    QSignalSpy scoresReady{&relay, &WorkerSignals::faithfulnessReady};
    QSignalSpy scoresFailed{&relay, &WorkerSignals::faithfulnessFailed};
    QSignalSpy scoresProgress{&relay, &WorkerSignals::faithfulnessProgress};

    int shownClass = -1; // the class of the map scoresForShownMap() names

    // Shows chelsea.jpg's top class with SqueezeNet 1.1 (its result taken from
    // `results`) and returns the request for the scores of that map.
    FaithfulnessRequest scoresForShownMap()
    {
        FaithfulnessRequest scores;
        scores.source = requestFor(demo("chelsea.jpg"), {-1});
        scores.source.modelName = "squeezenet1_1";
        worker.request(scores.source);
        if (!results.wait(120000))
            return scores; // shownClass -1: the caller's checks fail
        const auto shown = results.takeFirst().at(0).value<CamResult>();
        shownClass = shown.panes[0].classIndex;
        scores.mapRequest = shown.panes[0].requestId;
        scores.pane = shown.panes[0].index;
        return scores;
    }
};
} // namespace

class TestCamWorker : public QObject {
    Q_OBJECT
private slots:
    // Results reach their receivers on the thread the worker object lives in
    // (the GUI thread in the window), handed over under a mutex TSan sees.
    void signalsArriveOnTheOwnersThread()
    {
        WorkerFixture f;
        QThread* const owner = QThread::currentThread();
        std::atomic<int> elsewhere{0};
        std::atomic<int> seen{0};
        const auto record = [&] {
            ++seen;
            if (QThread::currentThread() != owner)
                ++elsewhere;
        };
        connect(&f.worker, &CamWorker::resultReady, this, record, Qt::DirectConnection);
        connect(&f.worker, &CamWorker::modelLoaded, this, record, Qt::DirectConnection);
        connect(&f.worker, &CamWorker::requestFailed, this, record, Qt::DirectConnection);
        f.worker.request(requestFor(demo("chelsea.jpg"), {-1}));
        QVERIFY(f.results.wait(120000));
        f.worker.request(requestFor(demo("no-such-photo.jpg"), {-1}));
        QVERIFY(f.failures.wait(60000));
        QCOMPARE(seen.load(), 3); // model, result, failure
        QCOMPARE(elsewhere.load(), 0);
    }

    void firstResultThenClassSwitchReusesSession()
    {
        WorkerFixture f;
        f.worker.request(requestFor(demo("chelsea.jpg"), {-1}));
        QVERIFY(f.results.wait(120000));
        QCOMPARE(f.models.size(), 1);
        const auto first = f.results.takeFirst().at(0).value<CamResult>();
        QCOMPARE(first.image.size(), QSize(451, 300));
        QCOMPARE(first.panes.size(), 1);
        QCOMPARE(first.panes[0].rank, 1);
        QCOMPARE(first.panes[0].map.rows, 7);
        QCOMPARE(first.probabilities.size(), 1000);
        QVERIFY(first.forwardMs > 0.0);
        QCOMPARE(f.worker.forwardPasses(), 1);

        f.worker.request(requestFor(demo("chelsea.jpg"), {285, 515}));
        QVERIFY(f.results.wait(60000));
        const auto second = f.results.takeFirst().at(0).value<CamResult>();
        QCOMPARE(second.panes[0].classIndex, 285);
        QCOMPARE(second.panes[1].className, QString("cowboy hat"));
        QCOMPARE(f.worker.forwardPasses(), 1); // same image: no new forward pass
        QCOMPARE(f.worker.backwardPasses(), 3);
        QCOMPARE(second.forwardMs, 0.0);
    }

    void newestRequestWins()
    {
        WorkerFixture f;
        f.worker.request(requestFor(demo("chelsea.jpg"), {0}));
        QVERIFY(f.results.wait(120000));
        f.results.clear();

        quint64 last = 0;
        for (int i = 1; i <= 50; ++i)
            last = f.worker.request(requestFor(demo("chelsea.jpg"), {i}));
        // Wait until the last request's answer arrives.
        QTRY_VERIFY_WITH_TIMEOUT(!f.results.isEmpty() &&
                                     f.results.last().at(0).value<CamResult>().requestId == last,
                                 60000);
        QTest::qWait(200); // nothing older may arrive after the newest
        const auto shown = f.results.last().at(0).value<CamResult>();
        QCOMPARE(shown.requestId, last);
        QCOMPARE(shown.panes[0].classIndex, 50);
        QVERIFY2(f.results.size() < 50, "requests were replayed as a queue");
        quint64 previous = 0;
        for (const auto& args : f.results) {
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

        WorkerFixture f;
        const quint64 id = f.worker.request(requestFor(bad, {-1}));
        QVERIFY(f.failures.wait(120000));
        QCOMPARE(f.failures.first().at(0).toULongLong(), id);
        const QString message = f.failures.first().at(1).toString();
        QVERIFY(message.contains("broken.jpg"));
        QVERIFY(!message.contains('\n'));

        f.worker.request(requestFor(demo("coffee.jpg"), {-1}));
        QVERIFY(f.results.wait(60000));

        auto unknownLayer = requestFor(demo("coffee.jpg"), {-1});
        unknownLayer.layer = "layer9";
        f.worker.request(unknownLayer);
        QVERIFY(f.failures.wait(60000));
        QVERIFY(f.failures.last().at(1).toString().contains("unknown layer"));
    }

    // A running Score-CAM (one forward pass per channel) streams progress and
    // stops at its next batch when a newer request arrives: it never emits
    // its result, and the newer request's result arrives.
    void newerRequestCancelsScoreCam()
    {
        WorkerFixture f;
        auto scoreCam = requestFor(demo("chelsea.jpg"), {-1});
        scoreCam.methods = {"scorecam"};
        const quint64 slow = f.worker.request(scoreCam);
        QVERIFY(f.progress.wait(120000)); // it is under way
        QCOMPARE(f.progress.first().at(0).toULongLong(), slow);
        const double fraction = f.progress.first().at(1).toDouble();
        QVERIFY(fraction > 0.0 && fraction < 1.0);

        const quint64 quick = f.worker.request(requestFor(demo("chelsea.jpg"), {-1}));
        QTRY_VERIFY_WITH_TIMEOUT(!f.results.isEmpty(), 60000);
        QCOMPARE(f.results.first().at(0).value<CamResult>().requestId, quick);
        QCOMPARE(f.results.first().at(0).value<CamResult>().panes[0].method, QString("gradcam"));
        QCOMPARE(f.worker.cancelledComputations(), 1);
        QVERIFY(f.failures.isEmpty()); // a cancel is not a failure
        for (const auto& args : f.results)
            QVERIFY(args.at(0).value<CamResult>().requestId != slow);
        QCOMPARE(f.worker.forwardPasses(), 1); // the gradcam request reused the session
    }

    // Scores are a request of their own kind. A map request goes first: it
    // interrupts the scores (within one module), its result arrives, and the
    // scores start again and arrive too, still for the map they were asked for.
    void mapRequestInterruptsFaithfulnessWhichRestarts()
    {
        WorkerFixture f;
        const FaithfulnessRequest scores = f.scoresForShownMap();
        QVERIFY(f.shownClass >= 0);
        const quint64 id = f.worker.requestFaithfulness(scores);
        QVERIFY(f.scoresProgress.wait(120000));
        QCOMPARE(f.scoresProgress.first().at(0).toULongLong(), id);

        auto other = scores.source;
        other.classes = {285};
        const quint64 mapId = f.worker.request(other);
        QTRY_VERIFY_WITH_TIMEOUT(!f.results.isEmpty(), 60000);
        QCOMPARE(f.results.first().at(0).value<CamResult>().requestId, mapId);
        QTRY_VERIFY_WITH_TIMEOUT(!f.scoresReady.isEmpty(), 600000);
        const auto scored = f.scoresReady.first().at(0).value<FaithfulnessResult>();
        QCOMPARE(scored.requestId, id);
        QCOMPARE(scored.classIndex, f.shownClass); // the map asked for, not the newer class
        QCOMPARE(scored.deletionCurve.size(), scored.insertionCurve.size());
        QVERIFY(scored.deletionCurve.size() > 2);
        QCOMPARE(f.worker.restartedFaithfulness(), 1); // interrupted once, by the map request
        QCOMPARE(f.worker.cancelledFaithfulness(), 0);
    }

    void cancelledOrBadFaithfulnessNeverArrives()
    {
        WorkerFixture f;
        const FaithfulnessRequest scores = f.scoresForShownMap();
        QVERIFY(f.shownClass >= 0);

        // Cancelled while running: stops at its next batch, no answer at all.
        f.worker.requestFaithfulness(scores);
        QVERIFY(f.scoresProgress.wait(120000));
        f.worker.cancelFaithfulness();
        QTRY_COMPARE_WITH_TIMEOUT(f.worker.cancelledFaithfulness(), 1, 60000);
        QVERIFY(f.scoresReady.isEmpty());
        QVERIFY(f.scoresFailed.isEmpty());

        // A map the engine does not have (no such pane): one line, and the worker carries on.
        FaithfulnessRequest broken = scores;
        broken.pane = 7;
        const quint64 brokenId = f.worker.requestFaithfulness(broken);
        QVERIFY(f.scoresFailed.wait(60000));
        QCOMPARE(f.scoresFailed.first().at(0).toULongLong(), brokenId);
        QVERIFY(f.scoresFailed.first().at(1).toString().contains("no longer kept"));
        QVERIFY(!f.scoresFailed.first().at(1).toString().contains('\n'));

        // Another model than the map's: refused, not scored on the wrong network.
        FaithfulnessRequest otherModel = scores;
        otherModel.source.modelName = "resnet18";
        f.worker.requestFaithfulness(otherModel);
        QVERIFY(f.scoresFailed.wait(60000));
        QVERIFY(f.scoresFailed.last().at(1).toString().contains("no longer loaded"));
        f.worker.request(scores.source);
        QVERIFY(f.results.wait(60000)); // still serving maps
        QVERIFY(f.scoresReady.isEmpty());
    }

    // Once the window is quiet, the worker builds the model's inference form
    // (core/models/inferenceform.h), and the next map's layers before the
    // target run through it: the only BatchNorm dispatched is the tail's.
    void quietWorkerBuildsTheInferenceForm()
    {
        // Whenever the form agrees: no timing on a loaded machine decides here.
        qputenv("GCE_INFERENCE_FORM", "exact");
        struct Unset {
            ~Unset() { qunsetenv("GCE_INFERENCE_FORM"); }
        } unset;
        WorkerFixture f;
        f.worker.request(requestFor(demo("chelsea.jpg"), {-1}));
        QVERIFY(f.results.wait(120000));
        QTRY_VERIFY_WITH_TIMEOUT(f.worker.inferencePrepared() > 0, 120000);
        {
            BatchNormCount batchNorms;
            f.worker.request(requestFor(demo("coffee.jpg"), {-1}));
            QVERIFY(f.results.wait(60000));
            QCOMPARE(batchNorms.value(), 1); // layer4.1.bn2, after the target (20 without the form)
        }
        // A pane whose method magnifies rounding (Grad-CAM++) needs the plain
        // layers: the kept session runs its forward pass again, once, and the
        // other pane's map comes from that pass too.
        int forward = f.worker.forwardPasses();
        auto plusPlus = requestFor(demo("coffee.jpg"), {-1, -2});
        plusPlus.methods = {"gradcam", "gradcam++"};
        {
            BatchNormCount batchNorms;
            f.worker.request(plusPlus);
            QVERIFY(f.results.wait(60000));
            QCOMPARE(batchNorms.value(), 20);
            QCOMPARE(f.worker.forwardPasses(), forward + 1);
        }
        // A new photo for such panes: exact at once, one forward pass.
        forward = f.worker.forwardPasses();
        plusPlus.imagePath = demo("cat_and_coffee.jpg");
        {
            BatchNormCount batchNorms;
            f.worker.request(plusPlus);
            QVERIFY(f.results.wait(60000));
            QCOMPARE(batchNorms.value(), 20);
            QCOMPARE(f.worker.forwardPasses(), forward + 1);
        }
        // Grad-CAM++ in a pane with a model of its own makes only that
        // model's session exact: the window's model keeps the form (a new
        // layer, so a new session: layer4.1.bn1 and bn2 after the target).
        auto mixed = requestFor(demo("chelsea.jpg"), {-1, -1});
        mixed.layer = "layer4.1.conv1";
        mixed.methods = {"gradcam", "gradcam++"};
        mixed.paneModels = {PaneModel{}, PaneModel{"squeezenet1_1", {}, {}}};
        {
            BatchNormCount batchNorms;
            f.worker.request(mixed);
            QVERIFY(f.results.wait(120000));
            QCOMPARE(batchNorms.value(), 2); // 20 when every session of the request was made exact
        }
        // The form stays built: later quiet moments build nothing again.
        const int prepared = f.worker.inferencePrepared();
        QTest::qWait(1000);
        QCOMPARE(f.worker.inferencePrepared(), prepared);
    }

    void neighboursArePreloaded()
    {
        WorkerFixture f;
        auto request = requestFor(demo("chelsea.jpg"), {-1});
        request.preload = {demo("coffee.jpg")};
        f.worker.request(request);
        QVERIFY(f.results.wait(120000));
        QTRY_COMPARE_WITH_TIMEOUT(f.worker.forwardPasses(), 2, 60000); // coffee prepared in the background
        f.worker.request(requestFor(demo("coffee.jpg"), {-1}));
        QVERIFY(f.results.wait(60000));
        QCOMPARE(f.worker.forwardPasses(), 2); // stepping to it needed no forward pass
    }
};

QTEST_GUILESS_MAIN(TestCamWorker)
#include "tst_camworker.moc"
