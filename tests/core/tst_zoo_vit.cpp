// Vision Transformers against Debian's torchvision 0.14
// (tests/oracle/make_zoo_vit.py): ViT-B/16's module tree, random weights
// written by torch.save, logits and Grad-CAM maps on tokens read as a 14×14
// grid (the default layer, a middle block, the patch embedding) and its
// untrained initialisation; the other sizes' keys and shapes; a scripted ViT
// (the TorchScript path) with every activation-based method on its tokens.
#include <QJsonArray>
#include <QJsonObject>
#include <QtTest>

#include <map>

#include <torch/torch.h>

#include "core/cam/cammethods.h"
#include "core/cam/explainer.h"
#include "core/checkpoint/statedict.h"
#include "core/errors.h"
#include "core/models/modelzoo.h"
#include "core/support/runtime.h"
#include "zooparity.h"
#include "paritycases.h"
#include "paritysupport.h"
#include "testsupport.h"

using namespace gce;
using gce::test::expected;
using gce::test::mapTensor;

namespace {

QJsonObject manifest()
{
    static const QJsonObject entries = test::readJson(test::fixturesDir("zoo_vit") + "/manifest.json").object();
    return entries;
}

StateDict reference(const QString& name)
{
    return readCheckpoint((test::fixturesDir("zoo_vit") + "/" + name + "_expected.safetensors").toStdString());
}

} // namespace

class TestZooViT : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        RuntimeSettings settings;
        settings.intraOpThreads = 1; // as the fixture (see tst_zoo_modern.cpp)
        configureRuntime(runtimeSettingsFromEnvironment(settings));
        QVERIFY2(!manifest().isEmpty(), "zoo_vit fixture missing: run ctest (fixture_zoo_vit)");
    }

    // torchvision's named_modules() (names and class names, in order), the
    // parameter count and the default layer: the last block's ln_1.
    void moduleTree()
    {
        const QJsonObject entry = manifest()["vit_b_16"].toObject();
        const auto net = createModel("vit_b_16", 1000, /*torchvisionInit=*/false);
        const QString mismatch = test::moduleTreeMismatch(*net, entry);
        QVERIFY2(mismatch.isEmpty(), qPrintable(mismatch));
        QCOMPARE(QString::fromStdString(defaultTargetLayer(*net)), entry["default_layer"].toString());
    }

    // ViT-B/32, ViT-L/16 and ViT-L/32 are the same code with other sizes:
    // every state_dict key with its shape, and the default layer.
    void otherSizes_data()
    {
        QTest::addColumn<QString>("model");
        const QJsonObject shapes = manifest()["shapes"].toObject();
        for (auto it = shapes.begin(); it != shapes.end(); ++it)
            QTest::newRow(qPrintable(it.key())) << it.key();
    }
    void otherSizes()
    {
        QFETCH(QString, model);
        const QJsonObject entry = manifest()["shapes"].toObject()[model].toObject();
        const auto net = createModel(model.toStdString(), 1000, /*torchvisionInit=*/false);
        const QString keys = test::stateDictMismatch(*net, entry["keys"].toArray());
        QVERIFY2(keys.isEmpty(), qPrintable(model + ": " + keys));
        QCOMPARE(QString::fromStdString(defaultTargetLayer(*net)), entry["default_layer"].toString());
    }

    // Weights written by torch.save, logits within 1e-4 and maps within 1e-4
    // of hook-based Grad-CAM on the tokens read as a grid.
    void logitsAndMaps()
    {
        if (!test::zooModelSelected("vit_b_16"))
            QSKIP("GCE_ZOO_MODELS leaves out ViT-B/16's full-size parity (tests/zoo_vit.cmake)");
        const QJsonObject entry = manifest()["vit_b_16"].toObject();
        Explainer explainer("vit_b_16", entry["weights"].toString().toStdString());
        QCOMPARE(QString::fromStdString(explainer.defaultLayer()), entry["default_layer"].toString());
        const test::ParityOutcome outcome =
            test::compareGradCamCases(explainer, reference("vit_b_16"), entry["cases"].toArray());
        QVERIFY2(outcome.failure.isEmpty(), qPrintable(outcome.failure));
        QCOMPARE(outcome.maps, entry["cases"].toArray().size());
        qInfo("vit_b_16: worst logit error %.3g, worst map error %.3g over %d maps", outcome.worstLogit,
              outcome.worstMap, outcome.maps);
    }

    // The layer list reads token layers as grids, and names the layout.
    void tokenLayersListed()
    {
        Explainer explainer("vit_b_16", "");
        std::map<std::string, LayerShape> shapes;
        for (const auto& shape : explainer.layerShapes())
            shapes[shape.name] = shape;
        const LayerShape& ln = shapes.at("encoder.layers.encoder_layer_11.ln_1");
        QCOMPARE(ln.outputShape, (std::vector<int64_t>{1, 197, 768}));
        QVERIFY(ln.explainable);
        QCOMPARE(QString::fromStdString(ln.mapLayout), QString("tokens 14×14×768"));
        QVERIFY(shapes.at("conv_proj").explainable);
        QVERIFY(shapes.at("conv_proj").mapLayout.empty()); // an ordinary map
        QVERIFY(!shapes.at("heads.head").explainable);      // 1×1000
    }

    void untrainedInitialisation()
    {
        torch::manual_seed(7);
        const auto net = createModel("vit_b_16"); // torchvision init
        const QString failure =
            test::compareInitStatistics("vit_b_16", *net, manifest()["vit_b_16"].toObject()["init"].toObject());
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
    }

    // Guided backpropagation needs ReLUs: a ViT says so instead of guiding nothing.
    void guidedBackpropRefusesGelu()
    {
        Explainer explainer("vit_b_16", "");
        auto session = explainer.explainTensor(torch::randn({1, 3, 224, 224}));
        try {
            session->explain({CamMethod::GuidedBackprop, 0});
            QFAIL("guided backpropagation ran on GELUs");
        } catch (const UsageError& error) {
            QVERIFY2(QString(error.what()).contains("ReLU network"), error.what());
        }
    }

    // A ViT scripted by its user: the same layouts through the TorchScript
    // path (its default layer chosen from its module types), then every
    // activation-based method on its tokens against make_method_fixtures.py's
    // formulas.
    void scriptedViT()
    {
        const QJsonObject entry = manifest()["vit_scripted"].toObject();
        Explainer explainer(entry["model"].toString().toStdString(), "");
        QVERIFY(explainer.isTorchScript());
        QCOMPARE(QString::fromStdString(explainer.defaultLayer()), entry["default_layer"].toString());
        const StateDict want = reference("vit_scripted");
        const test::ParityOutcome outcome = test::compareGradCamCases(explainer, want, entry["cases"].toArray());
        QVERIFY2(outcome.failure.isEmpty(), qPrintable(outcome.failure));
        qInfo("scripted ViT: worst logit error %.3g, worst map error %.3g over %d maps", outcome.worstLogit,
              outcome.worstMap, outcome.maps);

        auto session = explainer.explainTensor(expected(want, "input"));
        double worst = 0;
        for (const auto& c : entry["methods"].toArray()) {
            const QJsonObject item = c.toObject();
            const auto method = camMethodFromName(item["method"].toString().toStdString());
            QVERIFY(method.has_value());
            const CamMap cam = session->explain({*method, item["class"].toInt()});
            const double error = (mapTensor(cam.map) - expected(want, item["key"].toString().toStdString()))
                                     .abs()
                                     .max()
                                     .item<double>();
            worst = std::max(worst, error);
            QVERIFY2(error < 1e-4, qPrintable(QString("%1 class %2: map off by %3")
                                                  .arg(item["method"].toString())
                                                  .arg(item["class"].toInt())
                                                  .arg(error)));
        }
        qInfo("scripted ViT: worst method map error %.3g", worst);
    }
};

QTEST_GUILESS_MAIN(TestZooViT)
#include "tst_zoo_vit.moc"
