// Guided Backpropagation and Guided Grad-CAM against formulas written
// independently in PyTorch (tests/oracle/make_guided_fixtures.py: ReLUs
// replaced by a custom autograd Function, as pytorch-grad-cam does): the
// signed input gradient, the one-channel maps at the input's resolution, on
// ResNet-18 and SqueezeNet 1.1 (two layers for Guided Grad-CAM), and
// DenseNet-121, whose last ReLU is functional.
#include <QJsonArray>
#include <QJsonObject>
#include <QtTest>

#include <algorithm>

#include <torch/torch.h>

#include "core/cam/explainer.h"
#include "core/cam/guidedbackprop.h"
#include "core/checkpoint/statedict.h"
#include "core/errors.h"
#include "core/models/zoonetwork.h"
#include "core/support/runtime.h"
#include "paritysupport.h"
#include "testsupport.h"

using namespace gce;

namespace {
QJsonObject fixture() { return test::readJson(test::fixturesDir("guided") + "/manifest.json").object(); }
QJsonArray models() { return fixture()["models"].toArray(); }

StateDict reference(const QString& model)
{
    return readCheckpoint((test::fixturesDir("guided") + "/" + model + "_guided.safetensors").toStdString());
}

CamQuery queryOf(const QJsonObject& c)
{
    CamQuery query;
    query.method = *camMethodFromName(c["method"].toString().toStdString());
    query.classIndex = c["class"].toInt();
    query.contrastClass = c["contrast"].toInt();
    query.augmentSmooth = c["aug_smooth"].toBool();
    query.eigenSmooth = c["eigen_smooth"].toBool();
    return query;
}

bool allFinite(const cv::Mat& map) { return cv::checkRange(map); }
} // namespace

class TestGuidedBackprop : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        configureRuntime({});
        QVERIFY2(models().size() == 3, "guided fixture missing: run ctest (fixture_guided)");
    }

    void names()
    {
        QCOMPARE(camMethodFromName("guidedbackprop"), std::optional<CamMethod>(CamMethod::GuidedBackprop));
        QCOMPARE(camMethodFromName("GuidedGradCAM"), std::optional<CamMethod>(CamMethod::GuidedGradCam));
        QVERIFY(isGuidedMethod(CamMethod::GuidedGradCam));
        QVERIFY(!isGuidedMethod(CamMethod::GradCam));
        const auto all = allCamMethods();
        QVERIFY(std::count(all.begin(), all.end(), CamMethod::GuidedBackprop) == 1);
        QVERIFY(!camMethodDescription(CamMethod::GuidedGradCam).empty());
    }

    void matchesPublishedFormulas_data() { test::addModelRows(models()); }

    void matchesPublishedFormulas()
    {
        QFETCH(QString, model);
        const QJsonObject entry = test::manifestEntry(models(), model);
        Explainer explainer(model.toStdString(), entry["weights"].toString().toStdString());
        const StateDict want = reference(model);
        const torch::Tensor input = test::expected(want, "input");
        std::map<std::string, std::unique_ptr<ExplanationSession>> sessions;
        GuidedBackprop pass(explainer.network(), input);
        int checked = 0;
        for (const auto& value : entry["cases"].toArray()) {
            const QJsonObject c = value.toObject();
            const std::string key = c["key"].toString().toStdString();
            const CamQuery query = queryOf(c);
            if (!isGuidedMethod(query.method))
                continue; // the smoothing cases (tst_smoothing)
            const torch::Tensor expected = test::expected(want, key);
            if (c["kind"].toString() == "gradient") {
                // The signed gradient, relative to its largest magnitude.
                const torch::Tensor got = pass.gradient(query);
                QCOMPARE(got.sizes().vec(), expected.sizes().vec());
                const double error = ((got - expected).abs().max() / expected.abs().max()).item<double>();
                QVERIFY2(error < 1e-4, qPrintable(QString::fromStdString(key) + QString(": off by %1").arg(error)));
            } else {
                const std::string layer = c["layer"].toString().toStdString();
                auto& session = sessions[layer];
                if (!session)
                    session = explainer.explainTensor(input, layer);
                const CamMap cam = session->explain(query);
                QCOMPARE(cam.map.rows, int(input.size(2))); // the input's resolution, not the layer's
                QCOMPARE(cam.map.cols, int(input.size(3)));
                const double error = (test::mapTensor(cam.map) - expected).abs().max().item<double>();
                QVERIFY2(error < 1e-4, qPrintable(QString::fromStdString(key) + QString(": off by %1").arg(error)));
            }
            ++checked;
        }
        QCOMPARE(checked, model == "densenet121" ? 1 : 12); // 3 gradients, 3 maps, 3 Guided Grad-CAMs × 2 layers
        for (const auto& parameter : explainer.network().parameters())
            QVERIFY2(!parameter.grad().defined(), "guided backpropagation left a parameter gradient");
    }

    // The guide changes the result: the plain input gradient (same network,
    // ReLUs not guided) is far from the oracle's guided one.
    void guidingMatters()
    {
        const QJsonObject entry = test::manifestEntry(models(), "resnet18");
        Explainer explainer("resnet18", entry["weights"].toString().toStdString());
        const StateDict want = reference("resnet18");
        QJsonObject gradientCase;
        for (const auto& value : entry["cases"].toArray())
            if (value.toObject()["kind"].toString() == "gradient") {
                gradientCase = value.toObject();
                break;
            }
        const torch::Tensor expected = test::expected(want, gradientCase["key"].toString().toStdString());
        torch::Tensor x = test::expected(want, "input").clone().requires_grad_(true);
        torch::Tensor plain;
        {
            torch::AutoGradMode grad(true);
            auto& zoo = dynamic_cast<ZooNetwork&>(explainer.network());
            const torch::Tensor logits = zoo.module().forward(x);
            plain = torch::autograd::grad({logits[0][gradientCase["class"].toInt()]}, {x})[0];
        }
        const double difference = ((plain - expected).abs().max() / expected.abs().max()).item<double>();
        QVERIFY2(difference > 1e-2, qPrintable(QString("plain gradient within %1 of guided").arg(difference)));
    }

    // "Why A rather than A" has a zero score: every gradient is 0, and the
    // maps are zeros flagged empty, never NaN.
    void zeroScoreGivesEmptyMapsNotNaN()
    {
        Explainer explainer("resnet18", "");
        torch::manual_seed(11);
        auto session = explainer.explainTensor(torch::randn({1, 3, 224, 224}));
        const int top = session->topK(1).front().index;
        for (CamMethod method : {CamMethod::GuidedBackprop, CamMethod::GuidedGradCam}) {
            const CamMap cam = session->explain({method, top, top, false});
            QVERIFY(cam.empty);
            QVERIFY(allFinite(cam.map));
            QCOMPARE(cv::countNonZero(cam.map), 0);
            QCOMPARE(cam.map.rows, 224);
            const CamMap real = session->explain({method, top});
            QVERIFY(!real.empty);
            QVERIFY(allFinite(real.map));
        }
        for (const auto& parameter : explainer.network().parameters())
            QVERIFY(!parameter.grad().defined());
    }

    void refusedWhereItCannotWork()
    {
        const QString script = fixture()["torchscript"].toString();
        Explainer scripted(script.toStdString(), "");
        auto session = scripted.explainTensor(torch::zeros({1, 3, 224, 224}));
        QVERIFY(!session->explain({CamMethod::GradCam, 0}).map.empty()); // the model itself works
        try {
            session->explain({CamMethod::GuidedBackprop, 0});
            QFAIL("guided backprop on a TorchScript model did not throw");
        } catch (const UsageError& error) {
            QVERIFY2(QString(error.what()).contains("TorchScript"), error.what());
        }
        QVERIFY_THROWS_EXCEPTION(UsageError, session->explain({CamMethod::GuidedGradCam, 0}));

        Explainer zoo("squeezenet1_1", "");
        auto zooSession = zoo.explainTensor(torch::zeros({1, 3, 224, 224}));
        CamQuery eigen{CamMethod::GuidedBackprop, 0};
        eigen.eigenSmooth = true; // no layer activations to smooth
        QVERIFY_THROWS_EXCEPTION(UsageError, zooSession->explain(eigen));
        eigen.method = CamMethod::GuidedGradCam; // its Grad-CAM factor is smoothed
        QVERIFY(allFinite(zooSession->explain(eigen).map));
    }
};

QTEST_GUILESS_MAIN(TestGuidedBackprop)
#include "tst_guidedbackprop.moc"
