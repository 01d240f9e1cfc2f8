// Parity of MaxViT with Debian's torchvision 0.14 (tests/oracle/make_zoo_maxvit.py):
// a reduced-size MaxVit built from torchvision's own class (module tree,
// parameter count, weights written by torch.save, logits, Grad-CAM maps at the
// last Conv2d, the last MaxVitLayer and modules inside the blocks, untrained
// initialisation), and the state_dict keys and shapes of the full maxvit_t
// (no weights file needed).
#include <QJsonArray>
#include <QJsonObject>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <map>

#include <torch/torch.h>

#include "core/cam/explainer.h"
#include "core/checkpoint/statedict.h"
#include "core/models/architectures/maxvit.h"
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
    static const QJsonObject entry = test::readJson(test::fixturesDir("zoo_maxvit") + "/manifest.json").object();
    return entry;
}

std::vector<int64_t> intList(const QJsonValue& value)
{
    std::vector<int64_t> result;
    for (const auto& item : value.toArray())
        result.push_back(int64_t(item.toDouble()));
    return result;
}

// The fixture's reduced configuration (MaxVit's keyword arguments).
maxvit::MaxVitConfig reducedConfig()
{
    const QJsonObject c = manifest()["config"].toObject();
    maxvit::MaxVitConfig config;
    const std::vector<int64_t> size = intList(c["input_size"]);
    config.inputHeight = size.at(0);
    config.inputWidth = size.at(1);
    config.stemChannels = int64_t(c["stem_channels"].toDouble());
    config.partitionSize = int64_t(c["partition_size"].toDouble());
    config.blockChannels = intList(c["block_channels"]);
    config.blockLayers = intList(c["block_layers"]);
    config.headDim = int64_t(c["head_dim"].toDouble());
    config.stochasticDepthProb = c["stochastic_depth_prob"].toDouble();
    config.numClasses = int64_t(c["num_classes"].toDouble());
    return config;
}

} // namespace

class TestZooMaxVit : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        // One intra-op thread, like the fixture (see tst_zoo_modern.cpp).
        RuntimeSettings settings;
        settings.intraOpThreads = 1;
        configureRuntime(runtimeSettingsFromEnvironment(settings));
        QVERIFY2(!manifest().isEmpty(), "zoo_maxvit fixture missing: run ctest (fixture_zoo_maxvit)");
    }

    // torchvision's named_modules() of the reduced model, names and class
    // names in order (the parameterless WindowPartition, SwapAxes, Identity,
    // Dropout... included); the parameter count; the default Grad-CAM layer.
    void moduleTree()
    {
        maxvit::MaxVit net(reducedConfig());
        const QString mismatch = test::moduleTreeMismatch(net, manifest());
        QVERIFY2(mismatch.isEmpty(), qPrintable(mismatch));
        QCOMPARE(QString::fromStdString(defaultTargetLayer(net)), manifest()["default_layer"].toString());
    }

    // The full maxvit_t as createModel builds it: torchvision's state_dict keys
    // and shapes, parameters and buffers each in torchvision's order.
    void fullSizeKeysAndShapes()
    {
        const QJsonObject full = manifest()["full"].toObject();
        const auto net = createModel(full["model"].toString().toStdString(), 1000, /*torchvisionInit=*/false);
        const auto check = [&](const auto& items, const QString& kind) {
            std::vector<std::pair<std::string, std::vector<int64_t>>> want;
            for (const auto& key : full["keys"].toArray())
                if (key.toArray()[2].toString() == kind)
                    want.emplace_back(key.toArray()[0].toString().toStdString(), intList(key.toArray()[1]));
            QCOMPARE(int(items.size()), int(want.size()));
            int i = 0;
            for (const auto& item : items) {
                QCOMPARE(QString::fromStdString(item.key()), QString::fromStdString(want[i].first));
                QVERIFY2(item.value().sizes().vec() == want[i].second, qPrintable(QString::fromStdString(item.key())));
                ++i;
            }
        };
        check(net->named_parameters(), "parameter");
        check(net->named_buffers(), "buffer");
        int64_t parameters = 0;
        for (const auto& p : net->parameters())
            parameters += p.numel();
        QCOMPARE(parameters, int64_t(full["num_params"].toDouble()));
    }

    void logitsAndMaps()
    {
        auto net = std::make_shared<maxvit::MaxVit>(reducedConfig());
        const StateDict weights = readCheckpoint(manifest()["weights"].toString().toStdString());
        // Our relative_position_index buffers equal torchvision's before they are overwritten by the load.
        for (const auto& b : net->named_buffers()) {
            if (b.key().find("relative_position_index") == std::string::npos)
                continue;
            const torch::Tensor* file = weights.find(b.key());
            QVERIFY2(file && file->equal(b.value()), b.key().c_str());
        }
        loadStateDict(*net, weights);
        const int64_t classes = reducedConfig().numClasses;
        Explainer explainer = Explainer::fromModule(net, classes, "maxvit (reduced)");
        QCOMPARE(QString::fromStdString(explainer.defaultLayer()), manifest()["default_layer"].toString());

        const StateDict reference =
            readCheckpoint((test::fixturesDir("zoo_maxvit") + "/maxvit_reduced_expected.safetensors").toStdString());
        const test::ParityOutcome outcome =
            test::compareGradCamCases(explainer, reference, manifest()["cases"].toArray());
        QVERIFY2(outcome.failure.isEmpty(), qPrintable(outcome.failure));
        qInfo("maxvit (reduced): worst logit error %.3g, worst map error %.3g over %d maps", outcome.worstLogit,
              outcome.worstMap, outcome.maps);
    }

    // initialiseLikeTorchvision() of the reduced model: each tensor's mean and
    // mean absolute deviation agree with torchvision's init (constants exactly,
    // random tensors within six standard errors), as in tst_zoo_modern.cpp.
    void untrainedInitialisation()
    {
        const QJsonObject stats = manifest()["init"].toObject();
        torch::manual_seed(7);
        maxvit::MaxVit net(reducedConfig());
        net.initialiseLikeTorchvision();
        const QString failure = test::compareInitStatistics("maxvit (reduced)", net, stats);
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
        // And it runs: finite logits of the configured size.
        net.eval();
        torch::NoGradGuard noGrad;
        const auto config = reducedConfig();
        const torch::Tensor logits = net.forward(torch::randn({1, 3, config.inputHeight, config.inputWidth}));
        QCOMPARE(logits.size(1), config.numClasses);
        QVERIFY(torch::isfinite(logits).all().item<bool>());
    }
};

QTEST_GUILESS_MAIN(TestZooMaxVit)
#include "tst_zoo_maxvit.moc"
