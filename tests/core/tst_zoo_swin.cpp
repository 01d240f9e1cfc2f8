// Parity of the Swin Transformers (V1: swin_t/s/b, V2: swin_v2_t/s/b) with
// Debian's torchvision 0.14 (tests/oracle/make_zoo_swin.py). torchvision's own
// SwinTransformer class at a reduced size (config in the manifest) gives the
// module tree, random weights written by torch.save, logits, Grad-CAM maps at
// channels-first layers and at channels-last token layers, and the untrained
// initialisation's statistics; the full-size models give their state_dict
// keys and shapes, module tree and parameter count (no weights files).
#include <QJsonArray>
#include <QJsonObject>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <map>

#include <torch/torch.h>

#include "core/cam/explainer.h"
#include "core/checkpoint/statedict.h"
#include "core/models/architectures/swin.h"
#include "core/models/modelzoo.h"
#include "core/support/runtime.h"
#include "zooparity.h"
#include "paritycases.h"
#include "paritysupport.h"
#include "testsupport.h"

using namespace gce;

namespace {

QJsonObject manifest()
{
    static const QJsonObject root = test::readJson(test::fixturesDir("zoo_swin") + "/manifest.json").object();
    return root;
}

QJsonArray reducedEntries() { return manifest()["reduced"].toArray(); }
QJsonArray fullEntries() { return manifest()["full"].toArray(); }

std::vector<int64_t> ints(const QJsonValue& value)
{
    std::vector<int64_t> out;
    for (const auto& item : value.toArray())
        out.push_back(int64_t(item.toDouble()));
    return out;
}

// The reduced model of a manifest entry, untrained (LibTorch's default init).
std::shared_ptr<swin::SwinTransformer> buildReduced(const QJsonObject& entry)
{
    const QJsonObject c = entry["config"].toObject();
    swin::SwinConfig config;
    config.version = c["version"].toInt();
    config.patchSize = ints(c["patch_size"]);
    config.embedDim = int64_t(c["embed_dim"].toDouble());
    config.depths = ints(c["depths"]);
    config.numHeads = ints(c["num_heads"]);
    config.windowSize = ints(c["window_size"]);
    config.stochasticDepthProb = c["stochastic_depth_prob"].toDouble();
    auto model = std::make_shared<swin::SwinTransformer>(config);
    model->eval();
    return model;
}

// An Explainer around the reduced model with the fixture's weights.
Explainer reducedExplainer(const QJsonObject& entry)
{
    auto model = buildReduced(entry);
    loadStateDict(*model, readCheckpoint(entry["weights"].toString().toStdString()));
    return Explainer::fromModule(model, 1000, entry["model"].toString().toStdString() + " (reduced)");
}

// The oracle's tensors for a reduced entry: input, logits, maps.
StateDict fixtureTensors(const QJsonObject& entry)
{
    return readCheckpoint(
        (test::fixturesDir("zoo_swin") + "/" + entry["model"].toString() + "_expected.safetensors").toStdString());
}

} // namespace

class TestZooSwin : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        // One intra-op thread, like the fixture (see tst_zoo_modern.cpp).
        RuntimeSettings settings;
        settings.intraOpThreads = 1;
        configureRuntime(runtimeSettingsFromEnvironment(settings));
        QVERIFY2(!reducedEntries().isEmpty(), "zoo_swin fixture missing: run ctest (fixture_zoo_swin)");
    }

    void moduleTree_data() { test::addModelRows(reducedEntries()); }
    void moduleTree()
    {
        QFETCH(QString, model);
        const QJsonObject entry = test::manifestEntry(reducedEntries(), model);
        const auto net = buildReduced(entry);
        const QString mismatch = test::moduleTreeMismatch(*net, entry);
        QVERIFY2(mismatch.isEmpty(), qPrintable(model + ": " + mismatch));
        // The first norm of the last transformer block (features.7.<last>.norm1).
        QCOMPARE(QString::fromStdString(defaultTargetLayer(*net)), entry["default_layer"].toString());
    }

    // The constructors createModel() knows: torchvision's full-size module
    // tree, parameter count, and state_dict keys with shapes (parameters and
    // buffers, relative_position_index included), without weights files.
    void fullModels_data() { test::addModelRows(fullEntries()); }
    void fullModels()
    {
        QFETCH(QString, model);
        const QJsonObject entry = test::manifestEntry(fullEntries(), model);
        const auto net = createModel(model.toStdString(), 1000, /*torchvisionInit=*/false);
        const QString mismatch = test::moduleTreeMismatch(*net, entry);
        QVERIFY2(mismatch.isEmpty(), qPrintable(model + ": " + mismatch));
        const QString keys = test::stateDictMismatch(*net, entry["keys"].toArray());
        QVERIFY2(keys.isEmpty(), qPrintable(model + ": " + keys));
        QVERIFY(!modelSpec(model.toStdString()).weights.empty()); // its official weights files
    }

    // Logits, and Grad-CAM maps at channels-first (N×C×H×W) layers.
    void logitsAndMaps_data() { test::addModelRows(reducedEntries()); }
    void logitsAndMaps()
    {
        QFETCH(QString, model);
        const QJsonObject entry = test::manifestEntry(reducedEntries(), model);
        Explainer explainer = reducedExplainer(entry);
        const test::ParityOutcome outcome =
            test::compareGradCamCases(explainer, fixtureTensors(entry), entry["cases"].toArray());
        QVERIFY2(outcome.failure.isEmpty(), qPrintable(model + ": " + outcome.failure));
        qInfo("%s (reduced): worst logit error %.3g, worst map error %.3g over %d maps", qPrintable(model),
              outcome.worstLogit, outcome.worstMap, outcome.maps);
    }

    // Grad-CAM at channels-last (B,H,W,C) layers: the oracle permutes the
    // activation and gradient to (B,C,H,W) first; the engine reads such
    // layers as maps by itself (core/models/activationlayout.h).
    void tokenLayerMaps_data() { test::addModelRows(reducedEntries()); }
    void tokenLayerMaps()
    {
        QFETCH(QString, model);
        const QJsonObject entry = test::manifestEntry(reducedEntries(), model);
        Explainer explainer = reducedExplainer(entry);
        const test::ParityOutcome outcome =
            test::compareGradCamCases(explainer, fixtureTensors(entry), entry["token_cases"].toArray());
        QVERIFY2(outcome.failure.isEmpty(), qPrintable(model + ": " + outcome.failure));
        qInfo("%s (reduced), token layers: worst logit error %.3g, worst map error %.3g over %d maps",
              qPrintable(model), outcome.worstLogit, outcome.worstMap, outcome.maps);
    }

    // The full-size swin_t by name, with a weights file written by
    // torch.save: its default layer (the last block's norm1), logits and maps
    // there and at a middle block, at 224×224.
    void fullSizeMaps()
    {
        for (const auto& item : manifest()["full_maps"].toArray()) {
            const QJsonObject entry = item.toObject();
            const QString model = entry["model"].toString();
            Explainer explainer(model.toStdString(), entry["weights"].toString().toStdString());
            QCOMPARE(QString::fromStdString(explainer.defaultLayer()), entry["default_layer"].toString());
            const StateDict reference = readCheckpoint(
                (test::fixturesDir("zoo_swin") + "/" + model + "_full_expected.safetensors").toStdString());
            const test::ParityOutcome outcome =
                test::compareGradCamCases(explainer, reference, entry["cases"].toArray());
            QVERIFY2(outcome.failure.isEmpty(), qPrintable(model + ": " + outcome.failure));
            QCOMPARE(outcome.maps, entry["cases"].toArray().size());
            qInfo("%s (full size): worst logit error %.3g, worst map error %.3g over %d maps", qPrintable(model),
                  outcome.worstLogit, outcome.worstMap, outcome.maps);
        }
    }

    // initialiseLikeTorchvision(): each tensor's mean and mean absolute
    // deviation agree with torchvision's init (constants exactly, random
    // tensors within six standard errors), as in tst_zoo_modern.cpp.
    void untrainedInitialisation_data() { test::addModelRows(reducedEntries()); }
    void untrainedInitialisation()
    {
        QFETCH(QString, model);
        const QJsonObject entry = test::manifestEntry(reducedEntries(), model);
        const QJsonObject stats = entry["init"].toObject();
        torch::manual_seed(7);
        const auto net = buildReduced(entry);
        net->initialiseLikeTorchvision();
        const QString failure = test::compareInitStatistics(model, *net, stats);
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
        // And it runs: finite logits for a small input.
        torch::NoGradGuard noGrad;
        const torch::Tensor logits = net->forward(torch::randn({1, 3, 64, 64}));
        QCOMPARE(logits.size(1), int64_t(1000));
        QVERIFY(torch::isfinite(logits).all().item<bool>());
    }
};

QTEST_GUILESS_MAIN(TestZooSwin)
#include "tst_zoo_swin.moc"
