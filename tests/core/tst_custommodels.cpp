// Models users bring (issue "Any CNN"): TorchScript files (scripted, traced,
// a custom 10-class CNN with sidecar and labels) and a fine-tuned torchvision
// architecture with 37 classes. Logits and maps against hook-based Grad-CAM on
// the eager PyTorch models the files were made from (tests/oracle).
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

#include "core/cam/explainer.h"
#include "core/checkpoint/statedict.h"
#include "core/errors.h"
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

QString fixture(const QString& name) { return test::fixturesDir("custommodels") + "/" + name; }
QJsonArray manifest() { return test::readJson(fixture("manifest.json")).array(); }
QJsonObject entryFor(const QString& model) { return test::manifestEntry(manifest(), model); }

std::unique_ptr<Explainer> explainerFor(const QJsonObject& entry)
{
    const std::string path = entry["path"].toString().toStdString();
    if (entry["model"].toString() == "resnet18_37")
        return std::make_unique<Explainer>("resnet18", path, entry["labels_file"].toString().toStdString());
    return std::make_unique<Explainer>(path, "");
}

QString messageOf(const std::function<void()>& action)
{
    try {
        action();
    } catch (const Error& error) {
        return QString::fromStdString(error.what());
    }
    return {};
}

void writeFile(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(bytes);
}

} // namespace

class TestCustomModels : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        configureRuntime({});
        QVERIFY2(!manifest().isEmpty(), "fixture missing: run ctest (fixture_custommodels)");
    }

    void logitsAndMaps_data() { test::addModelRows(manifest()); }

    void logitsAndMaps()
    {
        QFETCH(QString, model);
        const QJsonObject entry = entryFor(model);
        const auto explainer = explainerFor(entry);
        QCOMPARE(explainer->classCount(), entry["classes"].toInt());
        QCOMPARE(QString::fromStdString(explainer->defaultLayer()), entry["default_layer"].toString());
        QVERIFY(!explainer->untrained());

        const StateDict reference = readCheckpoint(fixture(model + "_expected.safetensors").toStdString());
        const test::ParityOutcome outcome = test::compareGradCamCases(*explainer, reference, entry["cases"].toArray());
        QVERIFY2(outcome.failure.isEmpty(), qPrintable(model + ": " + outcome.failure));
        // Only d(score)/d(activation) was computed: no parameter gradients.
        for (const auto& parameter : explainer->network().parameters())
            QVERIFY(!parameter.grad().defined());
    }

    void layersAndShapes_data() { logitsAndMaps_data(); }

    void layersAndShapes()
    {
        QFETCH(QString, model);
        const QJsonObject entry = entryFor(model);
        const auto explainer = explainerFor(entry);
        QStringList names;
        for (const auto& layer : explainer->layers())
            names << QString::fromStdString(layer.name);
        QStringList want;
        for (const auto& name : entry["layers"].toArray())
            want << name.toString();
        QCOMPARE(names, want);

        const QJsonObject shapes = entry["shapes"].toObject();
        int compared = 0;
        for (const auto& layer : explainer->layerShapes()) {
            const QString name = QString::fromStdString(layer.name);
            if (!shapes.contains(name) || layer.outputShape.empty())
                continue; // e.g. a module inside an `if` has no shape at the graph's end
            QList<qint64> ours(layer.outputShape.begin(), layer.outputShape.end());
            QList<qint64> theirs;
            for (const auto& size : shapes[name].toArray())
                theirs << size.toInteger();
            QVERIFY2(ours == theirs, qPrintable(name));
            ++compared;
        }
        QVERIFY2(compared >= shapes.size() - 2, qPrintable(QString("only %1 shapes compared").arg(compared)));
    }

    // The tail (layers after the target) rerun on replacement activations
    // gives the forward's logits, one row per activation of the batch.
    void tailReplaysTheForward_data() { logitsAndMaps_data(); }

    void tailReplaysTheForward()
    {
        QFETCH(QString, model);
        const QJsonObject entry = entryFor(model);
        const auto explainer = explainerFor(entry);
        const StateDict reference = readCheckpoint(fixture(model + "_expected.safetensors").toStdString());
        for (const auto& layer : {explainer->defaultLayer(), entry["cases"].toArray().last()["layer"].toString().toStdString()}) {
            auto session = explainer->explainTensor(expected(reference, "input"), layer);
            const torch::Tensor activation = session->activation();
            const torch::Tensor batch = torch::cat({activation, torch::zeros_like(activation), activation * 0.5});
            const torch::Tensor logits = session->tailLogits(batch);
            QCOMPARE(logits.size(0), 3);
            QVERIFY(worstError(logits[0], session->logits()[0]) < 1e-4);
            const torch::Tensor halfOnly = session->tailLogits(activation * 0.5);
            QVERIFY(worstError(logits[2], halfOnly[0]) < 1e-4);
            QVERIFY(!torch::equal(logits[1], logits[0]));
        }
    }

    void tinyNetSidecarAndLabels()
    {
        const QJsonObject entry = entryFor("tinynet");
        const auto explainer = explainerFor(entry);
        QCOMPARE(explainer->preprocessing().height, entry["input_size"].toArray()[0].toInt());
        QCOMPARE(explainer->preprocessing().width, entry["input_size"].toArray()[1].toInt());
        const QJsonArray labels = entry["labels"].toArray();
        QCOMPARE(explainer->labels().size(), labels.size());
        for (int i = 0; i < labels.size(); ++i)
            QCOMPARE(QString::fromStdString(explainer->labels().name(i)), labels[i].toString());
        QCOMPARE(explainer->labels().resolve("fig"), 5);

        // The demo photo through the sidecar's size and normalisation.
        const StateDict reference = readCheckpoint(fixture("tinynet_image.safetensors").toStdString());
        const LoadedImage image = loadImage(entry["image"].toString().toStdString());
        const torch::Tensor input = preprocessImage(image.rgb, explainer->preprocessing());
        QVERIFY((input - expected(reference, "input")).abs().max().item<double>() < 1.0 / 255 / 0.2 + 1e-6);
        auto session = explainer->explainTensor(input);
        QVERIFY(worstError(session->logits(), expected(reference, "logits")) < 1e-3);
    }

    void layerInsideControlFlowIsRefused()
    {
        const QJsonObject entry = entryFor("tinynet");
        const auto explainer = explainerFor(entry);
        const StateDict reference = readCheckpoint(fixture("tinynet_expected.safetensors").toStdString());
        const QString layer = entry["control_flow_layer"].toString();
        const QString message = messageOf([&] { explainer->explainTensor(expected(reference, "input"), layer.toStdString()); });
        QVERIFY2(message.contains("inside an if or a loop"), qPrintable(message));
        // The explainer carries on.
        QVERIFY(explainer->explainTensor(expected(reference, "input"))->classCount() == 10);
    }

    void fineTunedClassCountUsesNumberedLabelsWithoutFile()
    {
        const QJsonObject entry = entryFor("resnet18_37");
        Explainer explainer("resnet18", entry["path"].toString().toStdString());
        QCOMPARE(explainer.classCount(), 37);
        QCOMPARE(QString::fromStdString(explainer.labels().name(36)), QString("class 36"));
        Explainer named("resnet18", entry["path"].toString().toStdString(), entry["labels_file"].toString().toStdString());
        QCOMPARE(QString::fromStdString(named.labels().name(36)), QString("breed 36"));
    }

    void badFilesGiveOneLineMessages()
    {
        QTemporaryDir dir;
        const QString garbage = dir.filePath("garbage.pt");
        writeFile(garbage, QByteArray(1000, 'x'));
        const QString empty = dir.filePath("empty.pt");
        writeFile(empty, {});
        const QJsonObject resnet37 = entryFor("resnet18_37");
        const QString wrongLabels = dir.filePath("wrong.txt");
        writeFile(wrongLabels, "a\nb\nc\n");

        struct Case {
            QString what;
            std::function<void()> action;
            QString expectedText;
        };
        const std::vector<Case> cases{
            {"garbage", [&] { Explainer(garbage.toStdString(), ""); }, "cannot read TorchScript model"},
            {"empty", [&] { Explainer(empty.toStdString(), ""); }, "cannot read TorchScript model"},
            {"missing", [&] { Explainer(dir.filePath("none.pt").toStdString(), ""); }, "cannot read TorchScript model"},
            {"state_dict as TorchScript", [&] { Explainer(resnet37["path"].toString().toStdString(), ""); },
             "cannot read TorchScript model"},
            {"weights with TorchScript",
             [&] { Explainer(entryFor("tinynet")["path"].toString().toStdString(), "x.pth"); }, "carries its own weights"},
            {"label count", [&] { Explainer("resnet18", resnet37["path"].toString().toStdString(), wrongLabels.toStdString()); },
             "name 3 classes but the model has 37"},
            {"unknown layer", [&] { Explainer(entryFor("tinynet")["path"].toString().toStdString(), "").checkLayer("haed"); },
             "did you mean head"},
        };
        for (const auto& c : cases) {
            const QString message = messageOf(c.action);
            QVERIFY2(message.contains(c.expectedText), qPrintable(c.what + ": " + message));
            QVERIFY2(!message.contains('\n'), qPrintable(c.what + ": " + message));
        }
    }

    void badSidecarIsNamed()
    {
        QTemporaryDir dir;
        const QString model = dir.filePath("tiny.pt");
        QVERIFY(QFile::copy(entryFor("tinynet")["path"].toString(), model));
        writeFile(dir.filePath("tiny.json"), R"({"input_size": [64, 80], "meen": [0, 0, 0]})");
        QString message = messageOf([&] { Explainer(model.toStdString(), ""); });
        QVERIFY2(message.contains("unknown key \"meen\""), qPrintable(message));
        writeFile(dir.filePath("tiny.json"), R"({"std": [0.2, 0, 0.2]})");
        message = messageOf([&] { Explainer(model.toStdString(), ""); });
        QVERIFY2(message.contains("greater than 0"), qPrintable(message));
        // Without a sidecar: ImageNet defaults, numbered classes.
        QVERIFY(QFile::remove(dir.filePath("tiny.json")));
        Explainer plain(model.toStdString(), "");
        QCOMPARE(plain.preprocessing().width, 224);
        QCOMPARE(QString::fromStdString(plain.labels().name(3)), QString("class 3"));
    }
};

QTEST_GUILESS_MAIN(TestCustomModels)
#include "tst_custommodels.moc"
