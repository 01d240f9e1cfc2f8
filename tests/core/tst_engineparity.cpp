// Parity with torchvision + the tutorial's Grad-CAM (tests/oracle): for each
// architecture, weights written by torch.save are read by our checkpoint
// reader; logits and maps must agree with PyTorch's.
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <torch/torch.h>

#include "core/cam/explainer.h"
#include "core/checkpoint/statedict.h"
#include "core/imaging/imageloader.h"
#include "core/support/runtime.h"
#include "paritycases.h"
#include "paritysupport.h"
#include "testsupport.h"

using namespace gce;
using gce::test::expected;
using gce::test::mapTensor;
using gce::test::worstError;

namespace {

QJsonArray manifest() { return test::readJson(test::fixturesDir("engine") + "/manifest.json").array(); }

QJsonObject manifestEntry(const QString& model) { return test::manifestEntry(manifest(), model); }

} // namespace

class TestEngineParity : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        configureRuntime({});
        QVERIFY2(!manifest().isEmpty(), "engine fixture missing: run ctest (fixture_engine)");
    }

    void logitsAndMaps_data()
    {
        test::addModelRows(manifest());
    }

    void logitsAndMaps()
    {
        QFETCH(QString, model);
        const QJsonObject entry = manifestEntry(model);
        Explainer explainer(model.toStdString(), entry["weights"].toString().toStdString());
        QCOMPARE(QString::fromStdString(explainer.defaultLayer()), entry["default_layer"].toString());

        const StateDict reference =
            readCheckpoint((test::fixturesDir("engine") + "/" + model + "_expected.safetensors").toStdString());
        const test::ParityOutcome outcome = test::compareGradCamCases(explainer, reference, entry["cases"].toArray());
        QVERIFY2(outcome.failure.isEmpty(), qPrintable(model + ": " + outcome.failure));
    }

    void endToEndFromImageFile_data() { logitsAndMaps_data(); }

    void endToEndFromImageFile()
    {
        QFETCH(QString, model);
        const QJsonObject entry = manifestEntry(model);
        Explainer explainer(model.toStdString(), entry["weights"].toString().toStdString());
        const StateDict reference =
            readCheckpoint((test::fixturesDir("engine") + "/" + model + "_image.safetensors").toStdString());

        const LoadedImage image = loadImage(entry["image"].toString().toStdString());
        const torch::Tensor input = preprocessImage(image.rgb, explainer.preprocessing());
        const double inputError = (input - expected(reference, "input")).abs().max().item<double>();
        qInfo("%s: preprocessed tensor max difference vs torchvision: %g", qPrintable(model), inputError);
        QVERIFY(inputError < 1.0 / 255 / 0.225 + 1e-6); // one grey level after Normalize

        auto session = explainer.explainTensor(input);
        const int top1 = session->topK(1).front().index;
        QCOMPARE(top1, entry["image_top1"].toInt());
        const double mapError =
            (mapTensor(session->gradCam(top1).map) - expected(reference, "cam")).abs().max().item<double>();
        QVERIFY2(mapError < 0.01, qPrintable(QString("map off by %1").arg(mapError)));
    }
};

QTEST_GUILESS_MAIN(TestEngineParity)
#include "tst_engineparity.moc"
