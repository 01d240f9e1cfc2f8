// Parity of the modern architectures (MobileNet V2/V3, EfficientNet B0-B3,
// ConvNeXt-Tiny, RegNet-Y-400MF) with Debian's torchvision 0.14
// (tests/oracle/make_zoo_modern.py): the module tree and names, random
// weights written by torch.save, logits and the tutorial's Grad-CAM maps at
// several layers, and the untrained initialisation's statistics.
#include <QJsonArray>
#include <QJsonObject>
#include <QtTest>

#include <algorithm>
#include <cmath>

#include <torch/torch.h>

#include "core/cam/explainer.h"
#include "core/models/modelzoo.h"
#include "core/checkpoint/statedict.h"
#include "core/support/runtime.h"
#include "zooparity.h"
#include "paritycases.h"
#include "paritysupport.h"
#include "testsupport.h"

using namespace gce;
using gce::test::expected;
using gce::test::mapTensor;
using gce::test::worstError;

namespace {

QJsonArray manifest()
{
    static const QJsonArray entries =
        test::readJson(test::fixturesDir("zoo_modern") + "/manifest.json").array();
    return entries;
}

QJsonObject entryFor(const QString& model) { return test::manifestEntry(manifest(), model); }

void addModelRows() { test::addModelRows(manifest()); }

} // namespace

class TestZooModern : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        // One intra-op thread, like the fixture (GCE_THREADS overrides): on a
        // shared 2-core machine, two OpenMP threads competing with other jobs
        // spin at every barrier (measured 9 s vs 30-70 s for this suite).
        RuntimeSettings settings;
        settings.intraOpThreads = 1;
        configureRuntime(runtimeSettingsFromEnvironment(settings));
        QVERIFY2(!manifest().isEmpty(), "zoo_modern fixture missing: run ctest (fixture_zoo_modern)");
    }

    // named_modules() of torchvision, names and class names, in order; the
    // parameter count; the default Grad-CAM layer.
    void moduleTree_data() { addModelRows(); }
    void moduleTree()
    {
        QFETCH(QString, model);
        const QJsonObject entry = entryFor(model);
        const auto net = createModel(model.toStdString(), 1000, /*torchvisionInit=*/false);
        const QString mismatch = test::moduleTreeMismatch(*net, entry);
        QVERIFY2(mismatch.isEmpty(), qPrintable(model + ": " + mismatch));
        QCOMPARE(QString::fromStdString(defaultTargetLayer(*net)), entry["default_layer"].toString());
        qInfo("%s: default layer %s", qPrintable(model), defaultTargetLayer(*net).c_str());
    }

    void logitsAndMaps_data() { addModelRows(); }
    void logitsAndMaps()
    {
        QFETCH(QString, model);
        const QJsonObject entry = entryFor(model);
        Explainer explainer(model.toStdString(), entry["weights"].toString().toStdString());
        QCOMPARE(QString::fromStdString(explainer.defaultLayer()), entry["default_layer"].toString());

        const StateDict reference =
            readCheckpoint((test::fixturesDir("zoo_modern") + "/" + model + "_expected.safetensors").toStdString());
        const test::ParityOutcome outcome = test::compareGradCamCases(explainer, reference, entry["cases"].toArray());
        QVERIFY2(outcome.failure.isEmpty(), qPrintable(model + ": " + outcome.failure));
        const QString formFailure = test::throughFormFailure(model, explainer, reference, entry["cases"].toArray());
        QVERIFY2(formFailure.isEmpty(), qPrintable(formFailure));
        qInfo("%s: worst logit error %.3g, worst map error %.3g over %d maps", qPrintable(model), outcome.worstLogit,
              outcome.worstMap, outcome.maps);
    }

    // initialiseLikeTorchvision(): each tensor's mean and mean absolute
    // deviation agree with torchvision's init (constants exactly, random
    // tensors within six standard errors).
    void untrainedInitialisation_data() { addModelRows(); }
    void untrainedInitialisation()
    {
        QFETCH(QString, model);
        const QJsonObject stats = entryFor(model)["init"].toObject();
        torch::manual_seed(7);
        const auto net = createModel(model.toStdString()); // torchvision init
        const QString failure = test::compareInitStatistics(model, *net, stats);
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
        // And it runs: finite logits for a small input.
        torch::NoGradGuard noGrad;
        const torch::Tensor logits = net->forward(torch::randn({1, 3, 64, 64}));
        QCOMPARE(logits.size(1), int64_t(1000));
        QVERIFY(torch::isfinite(logits).all().item<bool>());
    }
};

QTEST_GUILESS_MAIN(TestZooModern)
#include "tst_zoo_modern.moc"
