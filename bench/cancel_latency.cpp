// How fast a newer request stops a running Score-CAM in the explorer's
// worker (the target: within 100 ms). Each run starts a Score-CAM
// request (ResNet-18, untrained: timing does not depend on trained values),
// waits until it has streamed 1-3 progress signals, then asks for Grad-CAM
// on the same image and times request -> that result's arrival. The figure
// bounds the cancel latency from above: it also holds the Grad-CAM backward
// pass (~1 ms) and the queued signal. Runs alternate between two layers so
// that every Score-CAM starts from an empty cache.
// Prints one JSON object: latency_ms {median, max, each}, cancelled.
// usage: gce-cancel-latency IMAGE [RUNS]
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "core/support/runtime.h"
#include "ui/control/camworker.h"

using namespace gce::ui;

int main(int argc, char** argv)
{
    gce::configureRuntime(gce::runtimeSettingsFromEnvironment());
    QCoreApplication app(argc, argv);
    if (argc < 2) {
        std::fprintf(stderr, "usage: gce-cancel-latency IMAGE [RUNS]\n");
        return 2;
    }
    const int runs = argc > 2 ? std::max(1, std::atoi(argv[2])) : 9;
    CamWorker worker;
    QSignalSpy progress(&worker, &CamWorker::progress);
    QSignalSpy results(&worker, &CamWorker::resultReady);
    QSignalSpy failures(&worker, &CamWorker::requestFailed);
    std::vector<double> latencies;
    QJsonArray each;
    for (int run = 0; run < runs; ++run) {
        CamRequest scoreCam;
        scoreCam.imagePath = QString::fromLocal8Bit(argv[1]);
        scoreCam.modelName = QStringLiteral("resnet18");
        scoreCam.layer = run % 2 ? QStringLiteral("layer4") : QStringLiteral("layer4.1.conv2");
        scoreCam.classes = {-1};
        scoreCam.methods = {QStringLiteral("scorecam")};
        progress.clear();
        worker.request(scoreCam);
        while (progress.size() < 1 + run % 3)
            if (!progress.wait(120000) || !failures.isEmpty()) {
                std::fprintf(stderr, "Score-CAM did not start: %s\n",
                             failures.isEmpty() ? "no progress" : qPrintable(failures.first().at(1).toString()));
                return 1;
            }
        CamRequest gradCam = scoreCam;
        gradCam.methods = {QStringLiteral("gradcam")};
        results.clear();
        QElapsedTimer timer;
        timer.start();
        const quint64 id = worker.request(gradCam);
        while (results.isEmpty() || results.last().at(0).value<CamResult>().requestId != id)
            if (!results.wait(120000)) {
                std::fprintf(stderr, "no result for the Grad-CAM request\n");
                return 1;
            }
        latencies.push_back(timer.nsecsElapsed() / 1e6);
        each.append(latencies.back());
    }
    std::vector<double> sorted = latencies;
    std::sort(sorted.begin(), sorted.end());
    const QJsonObject report{{"latency_ms", QJsonObject{{"median", sorted[sorted.size() / 2]},
                                                          {"max", sorted.back()},
                                                          {"each", each}}},
                             {"runs", runs},
                             {"cancelled", worker.cancelledComputations()}};
    std::printf("%s\n", QJsonDocument(report).toJson(QJsonDocument::Compact).constData());
    return 0;
}
