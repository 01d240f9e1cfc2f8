// Parity of the classic CNNs of the zoo (ResNet-101/152, Wide ResNet,
// ResNeXt, VGG, DenseNet, SqueezeNet 1.0, GoogLeNet) with Debian's
// torchvision 0.14 + the tutorial's Grad-CAM (tests/oracle/make_zoo_classic.py):
// module names and types, logits and maps from torch.save'd random weights,
// and the key conventions of torchvision's official files (DenseNet's old
// "norm.1" keys, GoogLeNet's auxiliary heads).
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <torch/torch.h>

#include "core/cam/explainer.h"
#include "core/checkpoint/statedict.h"
#include "core/models/modelzoo.h"
#include "core/support/runtime.h"
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
    static const QJsonArray entries = test::readJson(test::fixturesDir("zoo_classic") + "/manifest.json").array();
    return entries;
}

QJsonObject entryFor(const QString& model) { return test::manifestEntry(manifest(), model); }

void addModelRows() { test::addModelRows(manifest()); }

std::string weightsOf(const QJsonObject& entry, const char* field = "weights")
{
    return entry[field].toString().toStdString();
}

} // namespace

class TestZooClassic : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        configureRuntime({});
        QVERIFY2(!manifest().isEmpty(), "zoo_classic fixture missing: run ctest (fixture_zoo_classic)");
    }

    // Module names and torchvision class names in module order, and the default layer.
    void structure_data() { addModelRows(); }
    void structure()
    {
        QFETCH(QString, model);
        const QJsonObject entry = entryFor(model);
        const auto net = createModel(model.toStdString(), 1000, /*torchvisionInit=*/false);
        const std::vector<LayerInfo> ours = listLayers(*net);
        const QJsonArray theirs = entry["layers"].toArray();
        for (int i = 0; i < std::min<int>(int(ours.size()), int(theirs.size())); ++i) {
            const QJsonArray layer = theirs[i].toArray();
            const QString want = layer[0].toString() + " (" + layer[1].toString() + ")";
            const QString got = QString::fromStdString(ours[i].name + " (" + ours[i].type + ")");
            QCOMPARE(got, want);
        }
        QCOMPARE(int(ours.size()), int(theirs.size()));
        QCOMPARE(QString::fromStdString(defaultTargetLayer(*net)), entry["default_layer"].toString());
    }

    // Untrained use: initialiseLikeTorchvision() draws parameters with
    // torchvision's spreads (first/last convolution, last Linear).
    void untrainedInitialisation_data() { addModelRows(); }
    void untrainedInitialisation()
    {
        QFETCH(QString, model);
        torch::manual_seed(7);
        const auto net = createModel(model.toStdString(), 1000, /*torchvisionInit=*/true);
        const auto params = net->named_parameters();
        const QJsonObject stds = entryFor(model)["init_std"].toObject();
        QVERIFY(stds.size() >= 2); // SqueezeNet has no Linear
        for (auto it = stds.begin(); it != stds.end(); ++it) {
            const torch::Tensor* param = params.find(it.key().toStdString());
            QVERIFY2(param, qPrintable(it.key()));
            const double ours = param->std().item<double>();
            const double theirs = it.value().toDouble();
            QVERIFY2(std::abs(ours - theirs) <= 0.1 * theirs + 1e-7,
                     qPrintable(QString("%1: std %2, torchvision %3").arg(it.key()).arg(ours).arg(theirs)));
        }
    }

    // The spec lists torchvision's DEFAULT file first, and only files torchvision knows.
    void officialWeightFiles_data() { addModelRows(); }
    void officialWeightFiles()
    {
        QFETCH(QString, model);
        const QJsonArray urls = entryFor(model)["official_urls"].toArray();
        const ModelSpec& spec = modelSpec(model.toStdString());
        QVERIFY(!spec.weights.empty());
        QCOMPARE(QString::fromStdString(spec.weights.front().url), urls.first().toString());
        for (const WeightsFile& file : spec.weights) {
            QVERIFY2(urls.contains(QString::fromStdString(file.url)), file.url.c_str());
            QVERIFY(file.url.size() > file.fileName.size() &&
                    file.url.compare(file.url.size() - file.fileName.size(), file.fileName.size(), file.fileName) == 0);
        }
    }

    void logitsAndMaps_data() { addModelRows(); }
    void logitsAndMaps()
    {
        QFETCH(QString, model);
        const QJsonObject entry = entryFor(model);
        Explainer explainer(model.toStdString(), weightsOf(entry));
        QCOMPARE(QString::fromStdString(explainer.defaultLayer()), entry["default_layer"].toString());

        const StateDict reference = readCheckpoint(
            (test::fixturesDir("zoo_classic") + "/" + model + "_expected.safetensors").toStdString());
        const test::ParityOutcome outcome = test::compareGradCamCases(explainer, reference, entry["cases"].toArray());
        QVERIFY2(outcome.failure.isEmpty(), qPrintable(model + ": " + outcome.failure));
        const QString formFailure = test::throughFormFailure(model, explainer, reference, entry["cases"].toArray());
        QVERIFY2(formFailure.isEmpty(), qPrintable(formFailure));
        qInfo("%s: logits within %.1e (relative), maps within %.1e", qPrintable(model), outcome.worstLogit,
              outcome.worstMap);
    }

    // densenet121/169's fixtures are keyed like torchvision's official DenseNet
    // files ("denselayer1.norm.1.weight", no num_batches_tracked); logitsAndMaps
    // loaded them through DenseNet::checkpointKey.
    void denseNetOldStyleKeys()
    {
        int oldStyleFiles = 0;
        for (const auto& e : manifest()) {
            const QJsonObject entry = e.toObject();
            if (entry["key_style"].toString() != "old")
                continue;
            ++oldStyleFiles;
            const StateDict dict = readCheckpoint(weightsOf(entry));
            QVERIFY(dict.find("features.denseblock1.denselayer1.norm.1.weight"));
            QVERIFY(dict.find("features.denseblock4.denselayer16.conv.2.weight"));
            QVERIFY(!dict.find("features.denseblock1.denselayer1.norm1.weight"));
        }
        QCOMPARE(oldStyleFiles, 2);

        const auto densenet = createModel("densenet121", 1000, false);
        QCOMPARE(densenet->checkpointKey("features.denseblock2.denselayer12.norm.2.running_var"),
                 std::string("features.denseblock2.denselayer12.norm2.running_var"));
        QCOMPARE(densenet->checkpointKey("module.features.denseblock1.denselayer1.conv.1.weight"),
                 std::string("module.features.denseblock1.denselayer1.conv1.weight"));
        // Left alone, as torchvision's pattern leaves them.
        for (const char* key : {"features.denseblock1.denselayer1.norm1.weight", "features.transition1.norm.weight",
                                "features.norm5.bias", "classifier.weight",
                                "features.denseblock1.denselayer1.norm.1.num_batches_tracked"})
            QCOMPARE(densenet->checkpointKey(key), std::string(key));
        // Only DenseNet renames.
        QCOMPARE(createModel("resnet101", 1000, false)->checkpointKey("layer1.0.norm.1.weight"),
                 std::string("layer1.0.norm.1.weight"));
    }

    // googlenet.pth holds aux1.* / aux2.* like the official file (loaded by
    // logitsAndMaps); a file without them (torchvision's aux_logits=False
    // state_dict) loads too and computes the same logits.
    void googlenetAuxKeys()
    {
        const QJsonObject entry = entryFor("googlenet");
        QVERIFY(!entry.isEmpty());
        const StateDict withAux = readCheckpoint(weightsOf(entry));
        QVERIFY(withAux.find("aux1.fc2.weight"));
        QVERIFY(withAux.find("aux2.conv.bn.running_var"));
        const StateDict withoutAux = readCheckpoint(weightsOf(entry, "weights_without_aux"));
        QVERIFY(!withoutAux.find("aux1.fc2.weight"));
        QCOMPARE(withoutAux.entries.size() + 20, withAux.entries.size());

        const StateDict reference =
            readCheckpoint((test::fixturesDir("zoo_classic") + "/googlenet_expected.safetensors").toStdString());
        Explainer explainer("googlenet", weightsOf(entry, "weights_without_aux"));
        auto session = explainer.explainTensor(expected(reference, "input"));
        QVERIFY(worstError(session->logits(), expected(reference, "logits")) < 1e-4);

        const auto googlenet = createModel("googlenet", 1000, false);
        QCOMPARE(googlenet->checkpointKey("aux1.conv.conv.weight"), std::string());
        QCOMPARE(googlenet->checkpointKey("module.aux2.fc1.bias"), std::string());
        QCOMPARE(googlenet->checkpointKey("inception4a.branch1.conv.weight"),
                 std::string("inception4a.branch1.conv.weight"));
        // Other models keep strict loading: an aux key stays unexpected.
        QCOMPARE(createModel("resnet152", 1000, false)->checkpointKey("aux1.fc2.weight"),
                 std::string("aux1.fc2.weight"));
    }
};

QTEST_GUILESS_MAIN(TestZooClassic)
#include "tst_zoo_classic.moc"
