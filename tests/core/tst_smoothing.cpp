// Smoothing options (pytorch-grad-cam's aug_smooth and eigen_smooth) against
// formulas written independently in PyTorch (tests/oracle/make_guided_fixtures.py):
// principal-component smoothing of Grad-CAM, HiRes-CAM and LayerCAM, and
// test-time augmentation (flips × scales 0.9/1.0/1.1) of Grad-CAM, on
// ResNet-18 and SqueezeNet 1.1 at two layers each.
#include <QJsonArray>
#include <QJsonObject>
#include <QtTest>

#include <algorithm>
#include <cmath>

#include <torch/torch.h>

#include "core/cam/explainer.h"
#include "core/cam/smoothing.h"
#include "core/checkpoint/statedict.h"
#include "core/errors.h"
#include "core/support/runtime.h"
#include "paritysupport.h"
#include "testsupport.h"

using namespace gce;

namespace {
QJsonArray models()
{
    return test::readJson(test::fixturesDir("guided") + "/manifest.json").object()["models"].toArray();
}

// Test-time augmentation resizes the input and the maps; both sides use
// the same ATen bilinear kernel, so the only differences are the forward
// passes' float32 rounding (as for the other methods) and the final division
// by the maximum: 1e-4 holds (measured headroom in the report).
constexpr double kTolerance = 1e-4;
} // namespace

class TestSmoothing : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        configureRuntime({});
        QVERIFY2(!models().isEmpty(), "guided fixture missing: run ctest (fixture_guided)");
    }

    void augmentations()
    {
        const auto passes = testTimeAugmentations();
        QCOMPARE(passes.size(), std::size_t(6));
        QVERIFY(!passes.front().flipped && passes.front().scale == 1.0);
        const torch::Tensor input = torch::rand({1, 3, 10, 20});
        for (const auto& pass : passes) {
            const torch::Tensor x = augmentInput(input, pass);
            QCOMPARE(x.size(2), int64_t(std::lround(10 * pass.scale)));
            QCOMPARE(x.size(3), int64_t(std::lround(20 * pass.scale)));
        }
        // A flipped map comes back unflipped.
        const torch::Tensor map = torch::rand({7, 9});
        QVERIFY(torch::equal(alignMap(map.flip({1}), {true, 1.0}, 7, 9), map));
        QCOMPARE(alignMap(torch::rand({8, 10}), {false, 1.1}, 7, 9).sizes().vec(), (std::vector<int64_t>{7, 9}));
    }

    void matchesPublishedFormulas_data()
    {
        QTest::addColumn<QString>("model"); // the fixture's DenseNet entry is for guided backprop only
        for (const char* model : {"resnet18", "squeezenet1_1"})
            QTest::newRow(model) << QString(model);
    }

    void matchesPublishedFormulas()
    {
        QFETCH(QString, model);
        const QJsonObject entry = test::manifestEntry(models(), model);
        Explainer explainer(model.toStdString(), entry["weights"].toString().toStdString());
        const StateDict want =
            readCheckpoint((test::fixturesDir("guided") + "/" + model + "_guided.safetensors").toStdString());
        const torch::Tensor input = test::expected(want, "input");
        std::map<std::string, std::unique_ptr<ExplanationSession>> sessions;
        int augmented = 0, smoothed = 0;
        double worst = 0.0;
        for (const auto& value : entry["cases"].toArray()) {
            const QJsonObject c = value.toObject();
            if (!c["aug_smooth"].toBool() && !c["eigen_smooth"].toBool())
                continue;
            const std::string layer = c["layer"].toString().toStdString();
            auto& session = sessions[layer];
            if (!session)
                session = explainer.explainTensor(input, layer);
            CamQuery query{*camMethodFromName(c["method"].toString().toStdString()), c["class"].toInt()};
            query.augmentSmooth = c["aug_smooth"].toBool();
            query.eigenSmooth = c["eigen_smooth"].toBool();
            const CamMap cam = session->explain(query);
            const torch::Tensor expected = test::expected(want, c["key"].toString().toStdString());
            QCOMPARE(cam.map.rows, int(expected.size(0)));
            QCOMPARE(cam.map.cols, int(expected.size(1)));
            const double error = (test::mapTensor(cam.map) - expected).abs().max().item<double>();
            worst = std::max(worst, error);
            QVERIFY2(error < kTolerance, qPrintable(c["key"].toString() + QString(": off by %1").arg(error)));
            // Smoothing changes the map (else the test could not tell it ran).
            CamQuery plainQuery = query;
            plainQuery.augmentSmooth = plainQuery.eigenSmooth = false;
            QVERIFY(cv::norm(session->explain(plainQuery).map, cam.map, cv::NORM_INF) > 1e-3);
            (query.augmentSmooth ? augmented : smoothed) += 1;
        }
        qInfo("%s: worst smoothing error %.3g", qPrintable(model), worst);
        QCOMPARE(augmented, 2); // Grad-CAM at two layers
        QCOMPARE(smoothed, 6);  // Grad-CAM, HiRes-CAM, LayerCAM at two layers
        for (const auto& parameter : explainer.network().parameters())
            QVERIFY2(!parameter.grad().defined(), "smoothing left a parameter gradient");
    }

    // A zero score ("why A rather than A") gives all-zero maps flagged empty,
    // never NaN, through the SVD and through the average.
    void zeroScoreGivesEmptyMapsNotNaN()
    {
        Explainer explainer("squeezenet1_1", "");
        torch::manual_seed(12);
        auto session = explainer.explainTensor(torch::randn({1, 3, 224, 224}), "features.9");
        const int top = session->topK(1).front().index;
        for (bool augment : {false, true}) {
            for (CamMethod method : {CamMethod::GradCam, CamMethod::LayerCam, CamMethod::GuidedGradCam}) {
                CamQuery query{method, top, top, false};
                query.augmentSmooth = augment;
                query.eigenSmooth = !augment;
                const CamMap cam = session->explain(query);
                QVERIFY(cam.empty);
                QVERIFY(cv::checkRange(cam.map));
                QCOMPARE(cv::countNonZero(cam.map), 0);
            }
        }
    }

    // Augmented passes are made once: progress reports the passes, a cancel
    // between passes throws Cancelled, and the resumed map equals a fresh one.
    void augmentationProgressAndCancel()
    {
        Explainer explainer("resnet18", "");
        torch::manual_seed(13);
        const torch::Tensor input = torch::randn({1, 3, 96, 96});
        auto session = explainer.explainTensor(input, "layer4");
        const int top = session->topK(1).front().index;
        CamQuery query{CamMethod::GradCam, top};
        query.augmentSmooth = true;
        std::vector<double> seen;
        ExplainControl control;
        control.progress = [&](double fraction) { seen.push_back(fraction); };
        control.cancelled = [&] { return seen.size() >= 2; };
        QVERIFY_THROWS_EXCEPTION(Cancelled, session->explain(query, control));
        QCOMPARE(seen.size(), std::size_t(2));
        seen.clear();
        control.cancelled = {};
        const CamMap resumed = session->explain(query, control);
        QCOMPARE(seen.size(), std::size_t(6));
        QCOMPARE(seen.back(), 1.0);
        QVERIFY(std::is_sorted(seen.begin(), seen.end()));
        auto fresh = explainer.explainTensor(input, "layer4");
        QVERIFY(cv::norm(fresh->explain(query).map, resumed.map, cv::NORM_INF) < 1e-6);
        QVERIFY(!resumed.empty && cv::checkRange(resumed.map));
    }
};

QTEST_GUILESS_MAIN(TestSmoothing)
#include "tst_smoothing.moc"
