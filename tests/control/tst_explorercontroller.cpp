// ExplorerController, the request protocol without a window: the newest map
// request wins, the Top-K export and map requests do not lose each other on
// the one worker (each has its slot; maps go first), scores wait for maps on their way, stop when cancelled and
// name the pane they belong to, and a failure leaves the last result.
#include <QSignalSpy>
#include <QtTest>

#include "testsupport.h"
#include "ui/control/camworker.h"
#include "ui/control/explorercontroller.h"

using namespace gce::ui;

namespace {
constexpr int kWaitMs = 120000;

QString demo(const char* name) { return gce::test::sourceDir() + "/resources/demo/" + name; }

// Untrained SqueezeNet 1.1: the protocol does not depend on trained values, and it is quick.
CamRequest mapsFor(const QString& image, QVector<int> classes)
{
    CamRequest request;
    request.imagePath = image;
    request.modelName = QStringLiteral("squeezenet1_1");
    request.classes = std::move(classes);
    return request;
}

// Waits until `spy` has at least `count` signals.
bool waitFor(QSignalSpy& spy, int count)
{
    QElapsedTimer clock;
    clock.start();
    while (spy.count() < count && clock.elapsed() < kWaitMs)
        spy.wait(1000);
    return spy.count() >= count;
}

CamResult resultAt(const QSignalSpy& spy, int index) { return spy.at(index).at(0).value<CamResult>(); }
} // namespace

class TestExplorerController : public QObject {
    Q_OBJECT
private slots:
    void newestMapRequestWins()
    {
        ExplorerController controller;
        QSignalSpy results(&controller, &ExplorerController::result);
        QSignalSpy requested(&controller, &ExplorerController::mapsRequested);
        controller.requestMaps(mapsFor(demo("chelsea.jpg"), {1}));
        const quint64 second = controller.requestMaps(mapsFor(demo("coffee.jpg"), {2}));
        QCOMPARE(requested.count(), 2);
        QVERIFY(controller.awaitingMaps());
        QVERIFY(waitFor(results, 1));
        QTest::qWait(100); // nothing else arrives
        QCOMPARE(results.count(), 1);
        QCOMPARE(resultAt(results, 0).requestId, second);
        QVERIFY(resultAt(results, 0).imagePath.endsWith("coffee.jpg"));
        QCOMPARE(controller.lastResult().requestId, second);
        QVERIFY(!controller.awaitingMaps());
    }

    // The export has a slot of its own on the worker: a map request after it
    // goes first (stopping a Score-CAM export between batches), and the
    // export is resumed and delivered afterwards. One request each goes out.
    void mapAfterTopKDoesNotLoseTheExport()
    {
        ExplorerController controller;
        QSignalSpy results(&controller, &ExplorerController::result);
        QSignalSpy exports(&controller, &ExplorerController::topKReady);
        QSignalSpy requested(&controller, &ExplorerController::mapsRequested);
        controller.requestMaps(mapsFor(demo("chelsea.jpg"), {-1}));
        QVERIFY(waitFor(results, 1));
        QSignalSpy progress(&controller, &ExplorerController::progress);
        CamRequest topK = mapsFor(demo("chelsea.jpg"), {-1, -2, -3, -4, -5});
        topK.layer = QStringLiteral("features.3.expand3x3"); // 64 channels: a few batches of Score-CAM
        topK.methods = {QStringLiteral("scorecam")}; // the other four panes: Grad-CAM
        controller.requestTopK(topK, QStringLiteral("/folder"));
        QVERIFY(waitFor(progress, 1)); // the export runs: the map request below interrupts it
        const quint64 map = controller.requestMaps(mapsFor(demo("chelsea.jpg"), {7}));
        QVERIFY(waitFor(results, 2));
        QCOMPARE(exports.count(), 0); // the map went first
        QCOMPARE(resultAt(results, 1).requestId, map);
        QVERIFY(waitFor(exports, 1));
        const CamResult exported = resultAt(exports, 0);
        QCOMPARE(exported.panes.size(), 5);
        QVERIFY(exported.complete);
        QCOMPARE(exports.at(0).at(1).toString(), QString("/folder"));
        QCOMPARE(controller.lastResult().requestId, map); // the export is not a shown result
        QCOMPARE(requested.count(), 2); // nothing was sent again
        QCOMPARE(results.count(), 2);
    }

    // An export sent while maps are on their way does not replace them: both
    // arrive, the maps as the shown result, and no map request is sent again.
    void topKAfterMapKeepsTheMap()
    {
        ExplorerController controller;
        QSignalSpy results(&controller, &ExplorerController::result);
        QSignalSpy exports(&controller, &ExplorerController::topKReady);
        QSignalSpy requested(&controller, &ExplorerController::mapsRequested);
        const quint64 map = controller.requestMaps(mapsFor(demo("coffee.jpg"), {3}));
        controller.requestTopK(mapsFor(demo("coffee.jpg"), {-1, -2, -3, -4, -5}), QStringLiteral("/folder"));
        QVERIFY(waitFor(exports, 1));
        QVERIFY(waitFor(results, 1));
        QCOMPARE(resultAt(results, 0).requestId, map);
        QCOMPARE(resultAt(results, 0).panes.front().classIndex, 3);
        QCOMPARE(requested.count(), 1);
        QVERIFY(!controller.awaitingMaps());
        QCOMPARE(controller.staleResultsDropped(), 0);
    }

    // Scores belong to a pane key; scoring another pane stops the first;
    // cancelled scores never arrive; asked for while maps are on their way,
    // they wait (scoresDue) for those maps.
    void scoresNameTheirPane()
    {
        ExplorerController controller;
        QSignalSpy results(&controller, &ExplorerController::result);
        QSignalSpy ready(&controller, &ExplorerController::scoresReady);
        QSignalSpy due(&controller, &ExplorerController::scoresDue);
        const CamRequest maps = mapsFor(demo("chelsea.jpg"), {-1});
        controller.requestMaps(maps);
        QVERIFY(waitFor(results, 1));
        const PaneResult pane = resultAt(results, 0).panes.front();

        FaithfulnessRequest scores;
        scores.source = maps;
        scores.mapRequest = pane.requestId;
        scores.pane = pane.index;
        controller.requestScores(4, scores);
        QCOMPARE(controller.scoringPane(), 4);
        controller.requestScores(9, scores); // newest wins
        QCOMPARE(controller.scoringPane(), 9);
        QVERIFY(waitFor(ready, 1));
        QTest::qWait(100);
        QCOMPARE(ready.count(), 1);
        QCOMPARE(ready.at(0).at(0).toInt(), 9);
        QCOMPARE(ready.at(0).at(1).value<FaithfulnessResult>().classIndex, pane.classIndex);
        QCOMPARE(controller.scoringPane(), -1);

        controller.requestScores(2, scores);
        controller.cancelScores(2);
        QCOMPARE(controller.scoringPane(), -1);
        QTest::qWait(300);
        QCOMPARE(ready.count(), 1); // cancelled: nothing more

        controller.requestMaps(mapsFor(demo("chelsea.jpg"), {5}));
        QVERIFY(controller.awaitingMaps());
        controller.scoreWhenShown(6);
        QVERIFY(waitFor(due, 1));
        QCOMPARE(due.at(0).at(0).toInt(), 6);
        QCOMPARE(results.count(), 2); // due after the maps were passed on
    }

    // A layer the model cannot explain: with layerFallback (the window's
    // remembered choice) the default layer's maps and ModelInfo says why;
    // without it, the request fails with that reason.
    void unusableLayerFallsBackOnlyWhenAsked()
    {
        ExplorerController controller;
        QSignalSpy results(&controller, &ExplorerController::result);
        QSignalSpy loaded(&controller, &ExplorerController::modelLoaded);
        QSignalSpy failed(&controller, &ExplorerController::failed);
        CamRequest maps = mapsFor(demo("chelsea.jpg"), {-1});
        maps.layer = QStringLiteral("features.99");
        maps.layerFallback = true;
        controller.requestMaps(maps);
        QVERIFY(waitFor(results, 1));
        QCOMPARE(loaded.count(), 1);
        const ModelInfo info = loaded.at(0).at(0).value<ModelInfo>();
        QCOMPARE(info.requestedLayer, QString("features.99"));
        QVERIFY2(info.layerProblem.contains("not a layer"), qPrintable(info.layerProblem));
        QCOMPARE(resultAt(results, 0).layerName, info.defaultLayer);

        maps.layerFallback = false;
        controller.requestMaps(maps);
        QVERIFY(waitFor(failed, 1));
        QVERIFY2(failed.at(0).at(0).toString().contains("features.99"), qPrintable(failed.at(0).at(0).toString()));
        QCOMPARE(results.count(), 1);
    }

    // A bad image fails in one line; the last result stays what it was.
    void failureKeepsTheLastResult()
    {
        ExplorerController controller;
        QSignalSpy results(&controller, &ExplorerController::result);
        QSignalSpy failed(&controller, &ExplorerController::failed);
        controller.requestMaps(mapsFor(demo("chelsea.jpg"), {-1}));
        QVERIFY(waitFor(results, 1));
        const quint64 shown = controller.lastResult().requestId;
        controller.requestMaps(mapsFor(gce::test::sourceDir() + "/no/such/photo.jpg", {-1}));
        QVERIFY(waitFor(failed, 1));
        const QString message = failed.at(0).at(0).toString();
        QVERIFY2(message.contains("photo.jpg") && !message.contains(u'\n'), qPrintable(message));
        QCOMPARE(failed.at(0).at(1).toBool(), false); // no partial result was up
        QCOMPARE(controller.lastResult().requestId, shown);
        QVERIFY(!controller.awaitingMaps());
    }
};

QTEST_MAIN(TestExplorerController)
#include "tst_explorercontroller.moc"
