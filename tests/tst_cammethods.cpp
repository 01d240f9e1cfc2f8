// The CAM family against formulas written independently in PyTorch
// (tests/oracle/make_method_fixtures.py): every method, two models, two
// layers, plus contrastive ("why A rather than B") and counterfactual maps.
#include <QJsonArray>
#include <QJsonObject>
#include <QtTest>

#include <torch/torch.h>

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
        QCOMPARE(allCamMethods().size(), std::size_t(6));
        for (CamMethod method : allCamMethods()) {
            QCOMPARE(camMethodFromName(camMethodName(method)), std::optional<CamMethod>(method));
            QVERIFY(!camMethodDescription(method).empty());
        }
        QCOMPARE(camMethodFromName("GradCAM++"), std::optional<CamMethod>(CamMethod::GradCamPlusPlus));
        QVERIFY(!camMethodFromName("scorecam-ish"));
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
        const torch::Tensor input = *reference.find("input");
        std::map<std::string, std::unique_ptr<ExplanationSession>> sessions;
        int checked = 0;
        for (const auto& value : model["cases"].toArray()) {
            const QJsonObject c = value.toObject();
            const std::string layer = c["layer"].toString().toStdString();
            auto& session = sessions[layer];
            if (!session)
                session = explainer.explainTensor(input, layer);
            CamQuery query;
            query.method = *camMethodFromName(c["method"].toString().toStdString());
            query.classIndex = c["class"].toInt();
            query.contrastClass = c["contrast"].toInt();
            query.counterfactual = c["counterfactual"].toBool();
            const CamMap cam = session->explain(query);
            const torch::Tensor want = *reference.find(c["key"].toString().toStdString());
            const torch::Tensor got =
                torch::from_blob(const_cast<float*>(cam.map.ptr<float>()), {cam.map.rows, cam.map.cols}).clone();
            const double error = (got - want).abs().max().item<double>();
            QVERIFY2(error < 1e-4, qPrintable(c["key"].toString() + QString(": off by %1").arg(error)));
            ++checked;
        }
        QVERIFY(checked >= 40);
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
        for (const auto& parameter : explainer.model().parameters())
            QVERIFY(!parameter.grad().defined()); // still no parameter gradients
    }
};

QTEST_GUILESS_MAIN(TestCamMethods)
#include "tst_cammethods.moc"
