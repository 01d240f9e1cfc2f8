// The CAM family against formulas written independently in PyTorch
// (tests/oracle/make_method_fixtures.py): every method, two models, two
// layers, plus contrastive ("why A rather than B") and counterfactual maps.
// Grad-CAM++ also against its formula without eps in float64 on the real
// SqueezeNet 1.1 weights (make_gradcampp_fixtures.py), within 1e-5.
#include <QJsonArray>
#include <QJsonObject>
#include <QtTest>

#include <set>

#include <torch/torch.h>

#include "core/cam/adaptivebatch.h"
#include "core/cam/explainer.h"
#include "core/checkpoint/statedict.h"
#include "core/errors.h"
#include "core/support/runtime.h"
#include "testsupport.h"

using namespace gce;

namespace {
QJsonArray manifest() { return test::readJson(test::fixturesDir("methods") + "/manifest.json").array(); }
} // namespace

class TestCamMethods : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        configureRuntime({});
        QVERIFY2(!manifest().isEmpty(), "methods fixture missing: run ctest (fixture_methods)");
    }

    void names()
    {
        QCOMPARE(allCamMethods().size(), std::size_t(10)); // with guidedbackprop, guidedgradcam
        for (CamMethod method : allCamMethods()) {
            QCOMPARE(camMethodFromName(camMethodName(method)), std::optional<CamMethod>(method));
            QVERIFY(!camMethodDescription(method).empty());
        }
        QCOMPARE(camMethodFromName("GradCAM++"), std::optional<CamMethod>(CamMethod::GradCamPlusPlus));
        QVERIFY(!camMethodFromName("scorecam-ish"));
        QCOMPARE(camMethodFromName("ScoreCAM"), std::optional<CamMethod>(CamMethod::ScoreCam));
        QCOMPARE(camMethodFromName("ablationcam"), std::optional<CamMethod>(CamMethod::AblationCam));
    }

    void matchesPublishedFormulas_data()
    {
        QTest::addColumn<int>("entry");
        for (int i = 0; i < manifest().size(); ++i)
            QTest::newRow(qPrintable(manifest()[i].toObject()["model"].toString())) << i;
    }

    void matchesPublishedFormulas()
    {
        QFETCH(int, entry);
        const QJsonObject model = manifest()[entry].toObject();
        Explainer explainer(model["model"].toString().toStdString(), model["weights"].toString().toStdString());
        const StateDict reference = readCheckpoint(
            (test::fixturesDir("methods") + "/" + model["model"].toString() + "_methods.safetensors").toStdString());
        std::map<std::string, std::unique_ptr<ExplanationSession>> sessions;
        int checked = 0;
        std::set<std::string> scoreBased;
        for (const auto& value : model["cases"].toArray()) {
            const QJsonObject c = value.toObject();
            const std::string layer = c["layer"].toString().toStdString();
            // Score-based cases use a smaller input (the oracle's passes are slow).
            const std::string inputName = c["input"].toString("input").toStdString();
            auto& session = sessions[layer + "|" + inputName];
            if (!session)
                session = explainer.explainTensor(*reference.find(inputName), layer);
            CamQuery query;
            query.method = *camMethodFromName(c["method"].toString().toStdString());
            query.classIndex = c["class"].toInt();
            query.contrastClass = c["contrast"].toInt();
            query.counterfactual = c["counterfactual"].toBool();
            ExplainControl control;
            control.batchSize = 64; // fewer, larger passes: a quicker test (the batch does not change the formula)
            const CamMap cam = session->explain(query, control);
            const torch::Tensor want = *reference.find(c["key"].toString().toStdString());
            const torch::Tensor got =
                torch::from_blob(const_cast<float*>(cam.map.ptr<float>()), {cam.map.rows, cam.map.cols}).clone();
            const double error = (got - want).abs().max().item<double>();
            // Grad-CAM++'s reference is the formula in float64, without eps.
            const double tolerance = query.method == CamMethod::GradCamPlusPlus ? 1e-5 : 1e-4;
            QVERIFY2(error < tolerance, qPrintable(c["key"].toString() + QString(": off by %1").arg(error)));
            ++checked;
            if (inputName != "input")
                scoreBased.insert(c["method"].toString().toStdString() + "|" + layer);
        }
        QVERIFY(checked >= 48);
        QCOMPARE(scoreBased.size(), std::size_t(4)); // Score-CAM and Ablation-CAM at both layers
    }

    // With trained weights the gradients are small (g² ~ 1e-8), so an eps in
    // α's denominator would move the map (by up to 0.2 here, the fixture's
    // stats); the engine's α = 1/(2 + ΣA·g) needs none.
    void gradCamPlusPlusWithoutEpsOnTrainedWeights()
    {
        const QJsonObject fixture = test::readJson(test::fixturesDir("gradcampp") + "/manifest.json").object();
        QVERIFY2(!fixture.isEmpty(), "gradcampp fixture missing: run ctest (fixture_gradcampp)");
        Explainer explainer("squeezenet1_1", fixture["weights"].toString().toStdString());
        const StateDict reference =
            readCheckpoint((test::fixturesDir("gradcampp") + "/gradcampp_real.safetensors").toStdString());
        // Twice: before and after the inference form is built
        // (core/models/inferenceform.h). Its activation differs from
        // PyTorch's by rounding (7e-7 of its largest value at features.9 on
        // the demo photo), and α = 1/(2 + ΣA·g) magnifies that where ΣA·g
        // nears -2: through the form these maps moved by up to 5.7e-4. So a
        // Grad-CAM++ query makes its session run the layers before the
        // target plainly again (magnifiesRounding), and both passes hold 1e-4.
        int checked = 0;
        for (const bool form : {false, true}) {
            if (form) {
                explainer.network().setFormPolicy(FormPolicy::WhenExact);
                explainer.prepareInference();
            }
            for (const auto& value : fixture["cases"].toArray()) {
                const QJsonObject c = value.toObject();
                auto session = explainer.explainTensor(
                    *reference.find("input|" + c["photo"].toString().toStdString()), c["layer"].toString().toStdString());
                QCOMPARE(session->exactPrefix(), !form); // the form is built and used: the test means something
                const CamMap cam = session->explain({CamMethod::GradCamPlusPlus, c["class"].toInt()});
                QVERIFY(session->exactPrefix());
                const torch::Tensor want = *reference.find(c["key"].toString().toStdString());
                const torch::Tensor got =
                    torch::from_blob(const_cast<float*>(cam.map.ptr<float>()), {cam.map.rows, cam.map.cols}).clone();
                const double error = (got - want).abs().max().item<double>();
                QVERIFY2(error < 1e-4, qPrintable(c["key"].toString() + QString(form ? " (inference form built)" : "") +
                                                       QString(": off by %1").arg(error)));
                ++checked;
            }
        }
        QCOMPARE(checked, 24);
        // The eps really mattered on these maps: the test would catch it back.
        QVERIFY(fixture["eps_moves_map_by"].toObject()["eps 1e-7"].toDouble() > 1e-3);
    }

    void contrastiveAndCounterfactualDiffer()
    {
        Explainer explainer("resnet18", "");
        torch::manual_seed(3);
        auto session = explainer.explainTensor(torch::randn({1, 3, 224, 224}));
        const CamMap plain = session->explain({CamMethod::GradCam, 5});
        const CamMap against = session->explain({CamMethod::GradCam, 5, -1, true});
        const CamMap rather = session->explain({CamMethod::GradCam, 5, 9, false});
        QVERIFY(cv::norm(plain.map, against.map, cv::NORM_INF) > 0.0);
        QVERIFY(cv::norm(plain.map, rather.map, cv::NORM_INF) > 0.0);
        QVERIFY_THROWS_EXCEPTION(UsageError, session->explain({CamMethod::GradCam, 5, 1000, false}));
        for (const auto& parameter : explainer.network().parameters())
            QVERIFY(!parameter.grad().defined()); // still no parameter gradients
    }

    // Score-based methods run their perturbed passes once per session, in
    // batches: progress climbs to 1, a cancel between batches throws
    // Cancelled, the next query resumes where it stopped and its map equals
    // an uninterrupted run's; a further class runs no pass at all.
    void scoreMethodsCancelResumeAndCache_data()
    {
        QTest::addColumn<int>("method");
        QTest::newRow("scorecam") << int(CamMethod::ScoreCam);
        QTest::newRow("ablationcam") << int(CamMethod::AblationCam);
    }

    void scoreMethodsCancelResumeAndCache()
    {
        QFETCH(int, method);
        const auto which = CamMethod(method);
        Explainer explainer("resnet18", "");
        torch::manual_seed(5);
        const torch::Tensor input = torch::randn({1, 3, 64, 64}); // small: 512 cheap passes
        auto session = explainer.explainTensor(input, "layer4");
        const int classIndex = session->topK(1).front().index;

        std::vector<double> seen;
        ExplainControl control;
        control.batchSize = 16;
        control.progress = [&](double fraction) { seen.push_back(fraction); };
        control.cancelled = [&] { return seen.size() >= 3; };
        QVERIFY_THROWS_EXCEPTION(Cancelled, session->explain({which, classIndex}, control));
        QCOMPARE(seen.size(), std::size_t(3));
        const double stoppedAt = seen.back();
        QVERIFY(stoppedAt > 0.0 && stoppedAt < 1.0);

        seen.clear();
        control.cancelled = {};
        const CamMap resumed = session->explain({which, classIndex}, control);
        QVERIFY(!seen.empty());
        QVERIFY2(seen.front() > stoppedAt, "the cancelled batches were recomputed");
        QCOMPARE(seen.back(), 1.0);
        QVERIFY(std::is_sorted(seen.begin(), seen.end()));

        auto fresh = explainer.explainTensor(input, "layer4");
        ExplainControl uninterruptedControl;
        uninterruptedControl.batchSize = 64; // another batching: the result must not depend on it
        const CamMap uninterrupted = fresh->explain({which, classIndex}, uninterruptedControl);
        QVERIFY(!uninterrupted.empty);
        QVERIFY(cv::norm(resumed.map, uninterrupted.map, cv::NORM_INF) < 1e-5);

        seen.clear();
        const int other = session->topK(4).back().index;
        const CamMap second = session->explain({which, other}, control);
        QVERIFY2(seen.empty(), "a further class ran the perturbed passes again");
        QCOMPARE(second.classIndex, other);
        QVERIFY(cv::norm(second.map, fresh->explain({which, other}).map, cv::NORM_INF) < 1e-5);

        // They explain a class score: no contrast, no counterfactual.
        QVERIFY_THROWS_EXCEPTION(UsageError, session->explain({which, classIndex, other, false}));
        QVERIFY_THROWS_EXCEPTION(UsageError, session->explain({which, classIndex, -1, true}));
        for (const auto& parameter : explainer.network().parameters())
            QVERIFY(!parameter.grad().defined());
    }

    // The batch policy (core/cam/adaptivebatch.h): the next batch keeps the
    // longest gap between two polls within the budget, from the smallest gap
    // per pass of the last three batches (one slow batch is a spike, three
    // are a slowdown), growing at most 4 times a step, within [1, largest];
    // without a budget, always `largest`.
    void adaptiveBatchSizes()
    {
        AdaptiveBatch batch(2, 32, 50.0);
        QCOMPARE(batch.size(), int64_t(2));
        batch.update(10.0); // 5 ms a pass: 10 would fit, 4 times 2 at most
        QCOMPARE(batch.size(), int64_t(8));
        batch.update(8.0); // 1 ms a pass: 50 fit, 32 at most
        QCOMPARE(batch.size(), int64_t(32));
        batch.update(320.0); // 10 ms a pass once: a spike, kept at 32
        QCOMPARE(batch.size(), int64_t(32));
        batch.update(320.0);
        QCOMPARE(batch.size(), int64_t(32));
        batch.update(320.0); // three slow batches in a row: 5 fit
        QCOMPARE(batch.size(), int64_t(5));
        for (int i = 0; i < 3; ++i)
            batch.update(500.0); // 100 ms a pass: slower than the budget even alone
        QCOMPARE(batch.size(), int64_t(1));
        batch.update(0.0); // nothing measured: unchanged
        QCOMPARE(batch.size(), int64_t(1));
        AdaptiveBatch unbounded(2, 32, 0.0);
        QCOMPARE(unbounded.size(), int64_t(32));
        unbounded.update(1000.0);
        QCOMPARE(unbounded.size(), int64_t(32));
        QCOMPARE(AdaptiveBatch(64, 16).size(), int64_t(16));
    }

    // With a cancel function, Score-CAM's first batch is small (a new
    // request may come at once); the batch size then follows the policy above.
    void scoreCamStartsSmallWhenCancellable()
    {
        Explainer explainer("resnet18", "");
        torch::manual_seed(7);
        auto session = explainer.explainTensor(torch::randn({1, 3, 64, 64}), "layer4");
        std::vector<double> seen;
        ExplainControl control;
        control.progress = [&](double fraction) { seen.push_back(fraction); };
        control.cancelled = [&] { return seen.size() >= 2; }; // two batches tell
        QVERIFY_THROWS_EXCEPTION(Cancelled, session->explain({CamMethod::ScoreCam, 0}, control));
        QCOMPARE(seen.size(), std::size_t(2));
        QCOMPARE(seen.front(), 2.0 / 512.0);
        QVERIFY(seen.back() > seen.front());
    }

    // A cancel is also seen inside a batch (core/models/interrupt.h: our
    // ports poll after every module), so one batch of all 512 channels still
    // stops part-way; the interrupted batch is not counted as done and the
    // poll is gone once explain has returned.
    void scoreMethodsStopInsideABatch_data() { scoreMethodsCancelResumeAndCache_data(); }

    void scoreMethodsStopInsideABatch()
    {
        QFETCH(int, method);
        const auto which = CamMethod(method);
        Explainer explainer("resnet18", "");
        torch::manual_seed(6);
        const torch::Tensor input = torch::randn({1, 3, 64, 64});
        auto session = explainer.explainTensor(input, "layer4");
        const int classIndex = session->topK(1).front().index;

        int polls = 0;
        int progressReports = 0;
        ExplainControl control;
        control.batchSize = 512; // every channel in one batch
        control.progress = [&](double) { ++progressReports; };
        control.cancelled = [&] { return ++polls >= 5; }; // poll 1 is before the batch
        QVERIFY_THROWS_EXCEPTION(Cancelled, session->explain({which, classIndex}, control));
        QCOMPARE(polls, 5);
        QCOMPARE(progressReports, 0);

        // Nothing polls any more: a forward outside explain runs to the end.
        // (That a resumed run equals an uninterrupted one is
        // scoreMethodsCancelResumeAndCache's.)
        const int pollsAfter = polls;
        explainer.network().logits(input);
        QCOMPARE(polls, pollsAfter);
    }
};

QTEST_GUILESS_MAIN(TestCamMethods)
#include "tst_cammethods.moc"
