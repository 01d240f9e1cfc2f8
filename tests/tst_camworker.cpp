// CamWorker: newest request wins, sessions are reused, errors are reported
// and the thread carries on.
#include <QSignalSpy>
#include <QtTest>

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

class TestCamWorker : public QObject {
    Q_OBJECT
private slots:
    void firstResultThenClassSwitchReusesSession()
    {
        CamWorker worker;
        QSignalSpy results(&worker, &CamWorker::resultReady);
        QSignalSpy models(&worker, &CamWorker::modelLoaded);
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
        CamWorker worker;
        QSignalSpy results(&worker, &CamWorker::resultReady);
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

        CamWorker worker;
        QSignalSpy failures(&worker, &CamWorker::requestFailed);
        QSignalSpy results(&worker, &CamWorker::resultReady);
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
        CamWorker worker;
        QSignalSpy results(&worker, &CamWorker::resultReady);
        QSignalSpy failures(&worker, &CamWorker::requestFailed);
        QSignalSpy progress(&worker, &CamWorker::progress);
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

    void neighboursArePreloaded()
    {
        CamWorker worker;
        QSignalSpy results(&worker, &CamWorker::resultReady);
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
