// The inference form (core/models/inferenceform.h, issue 18): the layers
// before a target, whole no-grad passes and Ablation-style tails give what
// the plain modules give, within 1e-5 of the largest value, on the engine
// fixture's seeded weights (BatchNorm statistics randomised, so folding is not
// trivial); and the form really runs: no BatchNorm operator is dispatched
// before the target, oneDNN's layout is. TorchScript files get LibTorch's
// optimize_for_inference for whole passes, the same way checked.
#include <QJsonArray>
#include <QJsonObject>
#include <QtTest>

#include <ATen/record_function.h>
#include <torch/torch.h>

#include <map>
#include <string>

#include "core/cam/explainer.h"
#include "core/errors.h"
#include "core/models/inferenceform.h"
#include "core/models/interrupt.h"
#include "core/models/scriptnetwork.h"
#include "core/models/zoonetwork.h"
#include "core/support/runtime.h"
#include "testsupport.h"

using namespace gce;

namespace {

QJsonArray manifest() { return test::readJson(test::fixturesDir("engine") + "/manifest.json").array(); }

// Operators dispatched on this thread while an OperatorCount lives.
thread_local std::map<std::string, int>* t_counts = nullptr;

class OperatorCount {
public:
    OperatorCount()
    {
        t_counts = &m_counts;
        m_handle = at::addThreadLocalCallback(at::RecordFunctionCallback(
            [](const at::RecordFunction& fn) -> std::unique_ptr<at::ObserverContext> {
                if (t_counts)
                    ++(*t_counts)[fn.name()];
                return nullptr;
            }));
    }
    ~OperatorCount()
    {
        at::removeCallback(m_handle);
        t_counts = nullptr;
    }
    int operator[](const std::string& name) const
    {
        const auto found = m_counts.find(name);
        return found == m_counts.end() ? 0 : found->second;
    }

private:
    std::map<std::string, int> m_counts;
    at::CallbackHandle m_handle;
};

// |fast - plain| within 1e-5 of plain's largest magnitude (issue 18's bound).
QString disagreement(const torch::Tensor& fast, const torch::Tensor& plain)
{
    if (fast.sizes() != plain.sizes())
        return "shapes differ";
    const double scale = plain.abs().max().item<double>();
    const double error = (fast - plain).abs().max().item<double>();
    if (!(scale > 0))
        return "an all-zero reference: a useless case";
    return error <= 1e-5 * scale ? QString() : QString("off by %1 of the largest value").arg(error / scale);
}

// The tail is autograd's exact record, on an activation that differs by
// rounding: a ReLU after the target may flip where its input is within
// rounding of 0, so gradients are compared the way Grad-CAM reads them, as
// the normalised map (of class 3), within the parity tests' 1e-4.
torch::Tensor gradCamMap(const TappedForward& f)
{
    const torch::Tensor g = torch::autograd::grad({f.logits[0][3]}, {f.activation}, {}, true)[0];
    const torch::Tensor cam = torch::relu((g.mean({2, 3}, true) * f.activation).sum(1)).detach();
    return cam / cam.max().clamp_min(1e-30);
}

// Two tapped passes of one input agree: the activation, the logits, the
// Grad-CAM map, and Ablation-style tails (the prefix again, then
// replacements). Empty when they do; else what differs.
QString tappedDisagreement(const TappedForward& fast, const TappedForward& plain)
{
    if (QString failure = disagreement(fast.activation.detach(), plain.activation.detach()); !failure.isEmpty())
        return "activation " + failure;
    if (QString failure = disagreement(fast.logits.detach(), plain.logits.detach()); !failure.isEmpty())
        return "logits " + failure;
    if (const double error = (gradCamMap(fast) - gradCamMap(plain)).abs().max().item<double>(); error > 1e-4)
        return QString("Grad-CAM map off by %1").arg(error);
    const torch::Tensor replacements =
        plain.activation.detach().repeat({3, 1, 1, 1}) * torch::tensor({1.f, 0.5f, 0.f}).view({3, 1, 1, 1});
    if (QString failure = disagreement(fast.tail(replacements), plain.tail(replacements)); !failure.isEmpty())
        return "tail " + failure;
    return {};
}

ZooNetwork& zoo(Explainer& explainer) { return dynamic_cast<ZooNetwork&>(explainer.network()); }

std::unique_ptr<Explainer> load(const QString& model)
{
    const QJsonObject entry = test::manifestEntry(manifest(), model);
    return std::make_unique<Explainer>(model.toStdString(), entry["weights"].toString().toStdString());
}

} // namespace

class TestInferenceForm : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        configureRuntime({});
        QVERIFY2(!manifest().isEmpty(), "engine fixture missing: run ctest (fixture_engine)");
    }

    // The target's activation and the logits, with and without the form, at
    // a target of each kind: the last convolution (its BatchNorm after it,
    // after the target), a convolution whose BatchNorm must stay unfolded, a
    // BatchNorm (its convolution must not fold it in), a block, a stage.
    void prefixAgrees_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("layer");
        for (const char* layer : {"layer4.1.conv2", "layer1.0.conv1", "layer2.0.bn1", "layer3.1", "layer3"})
            QTest::newRow(qPrintable(QString("resnet18 ") + layer)) << "resnet18" << layer;
        for (const char* layer : {"layer4.2.conv3", "layer3.5.bn2", "layer2.0.downsample.1"})
            QTest::newRow(qPrintable(QString("resnet50 ") + layer)) << "resnet50" << layer;
        for (const char* layer : {"features.12", "features.12.expand3x3", "features.3.squeeze"})
            QTest::newRow(qPrintable(QString("squeezenet1_1 ") + layer)) << "squeezenet1_1" << layer;
    }

    void prefixAgrees()
    {
        QFETCH(QString, model);
        QFETCH(QString, layer);
        auto explainer = load(model);
        ZooNetwork& network = zoo(*explainer);
        const torch::Tensor input = torch::randn({1, 3, 224, 224}, torch::Generator(at::detail::createCPUGenerator(7)));

        network.setFormPolicy(FormPolicy::Off);
        const TappedForward plain = network.forwardTapped(input, layer.toStdString());
        network.setFormPolicy(FormPolicy::WhenExact);
        QVERIFY2(network.inferenceForm(input), "no exact inference form");
        const TappedForward fast = network.forwardTapped(input, layer.toStdString());

        const QString failure = tappedDisagreement(fast, plain);
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
    }

    // Whole no-grad passes (Score-CAM, faithfulness, dataset runs): a batch,
    // at a size other than the calibration's, channels-last as Score-CAM
    // hands it over.
    void logitsAgree_data()
    {
        QTest::addColumn<QString>("model");
        for (const char* model : {"resnet18", "resnet34", "resnet50", "squeezenet1_1"})
            QTest::newRow(model) << model;
    }

    void logitsAgree()
    {
        QFETCH(QString, model);
        auto explainer = load(model);
        ZooNetwork& network = zoo(*explainer);
        network.setFormPolicy(FormPolicy::WhenExact);
        QVERIFY(network.inferenceForm(torch::zeros({1, 3, 224, 224})));
        const torch::Tensor inputs =
            torch::randn({3, 3, 160, 200}, torch::Generator(at::detail::createCPUGenerator(8)))
                .contiguous(torch::MemoryFormat::ChannelsLast);
        const torch::Tensor fast = network.logits(inputs);
        network.setFormPolicy(FormPolicy::Off);
        const QString failure = disagreement(fast, network.logits(inputs));
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
    }

    // What the form is for ResNet-18: every BatchNorm folded, the whole
    // network one unit; and that it is used: the operators dispatched.
    void formIsUsed()
    {
        auto explainer = load("resnet18");
        ZooNetwork& network = zoo(*explainer);
        const torch::Tensor input = torch::randn({1, 3, 224, 224});
        network.setFormPolicy(FormPolicy::WhenExact);
        const auto form = network.inferenceForm(input);
        QVERIFY(form);
        const InferenceFormStats& stats = form->stats();
        QCOMPARE(stats.foldedPairs, 20);
        QCOMPARE(stats.packedConvolutions, 20);
        QCOMPARE(stats.transposedLinears, 1); // fc
        QVERIFY(stats.wholeNetwork);
        QVERIFY(stats.extraBytes > 40'000'000); // ResNet-18's convolutions' weights, once more

        {
            OperatorCount count;
            network.forwardTapped(input, "layer4.1.conv2");
            // Only layer4.1.bn2, after the target, in the recorded tail.
            QCOMPARE(count["aten::batch_norm"], 1);
            QVERIFY(count["aten::to_mkldnn"] > 0); // into oneDNN's layout
        }
        // Through the form: no BatchNorm; into oneDNN's layout once (the
        // whole network is one unit); in place, as torchvision's blocks:
        // every ReLU writes into the convolution output (or sum) before it,
        // each sum into a convolution output; fc multiplies by its stored
        // transpose. The plain pass is the count's own check.
        const std::vector<std::string> operators = {"aten::batch_norm", "aten::to_mkldnn", "aten::relu_",
                                                    "aten::relu",       "aten::add_",       "aten::add",
                                                    "aten::t"};
        const auto dispatched = [&] {
            OperatorCount count;
            network.logits(input);
            QList<int> counts;
            for (const std::string& name : operators)
                counts.append(count[name]);
            return counts;
        };
        QCOMPARE(dispatched(), (QList<int>{0, 1, 17, 0, 8, 0, 0}));
        network.setFormPolicy(FormPolicy::Off);
        QCOMPARE(dispatched(), (QList<int>{20, 0, 0, 17, 0, 8, 1}));
    }

    // When the form is built: a map's layers before the target never wait
    // for it (an interactive first map), prepareInference builds it (the
    // window's worker when idle, a dataset run before its first batch), and
    // a whole no-grad pass builds it on first use.
    void mapsUseTheFormOnceBuilt()
    {
        const torch::Tensor input = torch::randn({1, 3, 224, 224});
        {
            auto explainer = load("resnet18");
            explainer->network().setFormPolicy(FormPolicy::WhenExact);
            {
                OperatorCount count;
                explainer->network().forwardTapped(input, "layer4.1.conv2");
                QCOMPARE(count["aten::batch_norm"], 20); // plainly: no form yet
                QCOMPARE(count["aten::to_mkldnn"], 0);
            }
            {
                // A build that a newer request stops leaves no form behind...
                InterruptScope interrupt([] { return true; }, "a newer request");
                QVERIFY_THROWS_EXCEPTION(Cancelled, explainer->prepareInference());
            }
            {
                OperatorCount count;
                explainer->network().forwardTapped(input, "layer4.1.conv2");
                QCOMPARE(count["aten::batch_norm"], 20);
            }
            explainer->prepareInference(); // ... and the next call builds it
            {
                OperatorCount count;
                QVERIFY(!explainer->network().forwardTapped(input, "layer4.1.conv2").exactPrefix);
                QCOMPARE(count["aten::batch_norm"], 1); // layer4.1.bn2, after the target
            }
            // An exact pass, for a method that magnifies rounding, still runs
            // the plain modules, and says so; the session of such a method
            // makes itself exact.
            {
                OperatorCount count;
                QVERIFY(explainer->network().forwardTapped(input, "layer4.1.conv2", PrefixPass::Exact).exactPrefix);
                QCOMPARE(count["aten::batch_norm"], 20);
                QCOMPARE(count["aten::to_mkldnn"], 0);
            }
            auto session = explainer->explainTensor(input, "layer4.1.conv2");
            QVERIFY(!session->exactPrefix());
            const CamMap fastMap = session->explain({CamMethod::GradCam, 1});
            QVERIFY(!session->exactPrefix());
            OperatorCount count;
            const CamMap exactMap = session->explain({CamMethod::GradCamPlusPlus, 1});
            QVERIFY(session->exactPrefix());
            QCOMPARE(count["aten::batch_norm"], 20); // the forward pass again, plainly
            QCOMPARE(session->explain({CamMethod::GradCam, 1}).map.size(), fastMap.map.size());
            QVERIFY(explainer->explainTensor(input, "layer4.1.conv2", prefixPassFor(CamMethod::XGradCam))->exactPrefix());
        }
        auto explainer = load("resnet18");
        explainer->network().setFormPolicy(FormPolicy::WhenExact);
        explainer->network().logits(input);
        OperatorCount count;
        explainer->network().forwardTapped(input, "layer4.1.conv2");
        QCOMPARE(count["aten::batch_norm"], 1); // built by the whole pass before
    }

    // TorchScript files: LibTorch's own freezing and optimize_for_inference
    // for whole no-grad passes, scripted and traced alike, and a small custom
    // network; the batch norms are folded away (none dispatched).
    void scriptedModelsUseLibTorchsForm_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("batchNorms");
        QTest::newRow("scripted resnet18") << "resnet18_scripted.pt" << 20;
        QTest::newRow("traced resnet18") << "resnet18_traced.pt" << 20;
        QTest::newRow("tinynet") << "tinynet.pt" << -1;
    }

    void scriptedModelsUseLibTorchsForm()
    {
        QFETCH(QString, file);
        QFETCH(int, batchNorms);
        Explainer explainer((test::fixturesDir("custommodels") + "/" + file).toStdString(), "");
        auto& network = dynamic_cast<ScriptNetwork&>(explainer.network());
        const torch::Tensor inputs = torch::randn({2, 3, 224, 224}, torch::Generator(at::detail::createCPUGenerator(9)));
        network.setFormPolicy(FormPolicy::WhenExact);
        QVERIFY2(network.optimisedFor(inputs), "optimize_for_inference's module was not kept");
        torch::Tensor fast;
        {
            OperatorCount count;
            fast = network.logits(inputs);
            QCOMPARE(count["aten::batch_norm"], 0);
        }
        network.setFormPolicy(FormPolicy::Off);
        OperatorCount count;
        const QString failure = disagreement(fast, network.logits(inputs));
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
        if (batchNorms >= 0)
            QCOMPARE(count["aten::batch_norm"], batchNorms);
    }

    // The layers before a TorchScript model's target, through LibTorch's
    // form of the split prefix graph once prepareInference built it
    // (core/models/scriptform.h): the activation, logits and map as plainly,
    // and no BatchNorm dispatched before the target.
    void scriptedPrefixUsesLibTorchsForm_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("scripted resnet18") << "resnet18_scripted.pt";
        QTest::newRow("traced resnet18") << "resnet18_traced.pt";
    }

    void scriptedPrefixUsesLibTorchsForm()
    {
        QFETCH(QString, file);
        const std::string path = (test::fixturesDir("custommodels") + "/" + file).toStdString();
        const std::string layer = "layer4.1.conv2";
        // A build polls the thread's InterruptScope between its steps (graph
        // calls cannot be stopped part-way): the whole module's and the
        // prefix's. Stopped at any of those polls, it leaves no prefix
        // behind, and the next call builds it.
        const auto stoppedAt = [&](int stop) {
            Explainer explainer(path, "");
            explainer.network().setFormPolicy(FormPolicy::WhenExact);
            int polls = 0;
            bool stopped = false;
            {
                InterruptScope interrupt([&] { return ++polls == stop; }, "a newer request");
                try {
                    explainer.network().prepareInference(224, 224, layer);
                } catch (const Cancelled&) {
                    stopped = true;
                }
            }
            auto& network = dynamic_cast<ScriptNetwork&>(explainer.network());
            if (stopped && network.prefixOptimisedFor(layer))
                return QString("stopped at poll %1, the prefix was kept").arg(stop);
            if (stopped) {
                network.prepareInference(224, 224, layer);
                if (!network.prefixOptimisedFor(layer))
                    return QString("after a stop at poll %1, the next build kept no prefix").arg(stop);
            }
            return stopped ? QString() : QString("done");
        };
        int stops = 0;
        for (QString outcome; (outcome = stoppedAt(stops + 1)) != "done"; ++stops)
            QVERIFY2(outcome.isEmpty(), qPrintable(outcome));
        QVERIFY2(stops >= 4, qPrintable(QString("%1 polls").arg(stops))); // between the steps of both builds

        Explainer explainer(path, "");
        auto& network = dynamic_cast<ScriptNetwork&>(explainer.network());
        const torch::Tensor input = torch::randn({1, 3, 224, 224}, torch::Generator(at::detail::createCPUGenerator(10)));
        network.setFormPolicy(FormPolicy::Off);
        const TappedForward plain = network.forwardTapped(input, layer);
        network.setFormPolicy(FormPolicy::WhenExact);
        QVERIFY(!network.prefixOptimisedFor(layer));
        network.prepareInference(224, 224, layer);
        QVERIFY(network.prefixOptimisedFor(layer));
        TappedForward fast;
        {
            OperatorCount count;
            fast = network.forwardTapped(input, layer);
            QCOMPARE(count["aten::batch_norm"], 1); // layer4.1.bn2, in the tail
        }
        const QString failure = tappedDisagreement(fast, plain);
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
        QVERIFY(!fast.exactPrefix);
        {
            // An exact pass (core/models/network.h): the plain prefix graph.
            OperatorCount count;
            QVERIFY(network.forwardTapped(input, layer, PrefixPass::Exact).exactPrefix);
            QCOMPARE(count["aten::batch_norm"], 20);
        }
        // Without the form again: the plain prefix, 19 BatchNorms before the target.
        network.setFormPolicy(FormPolicy::Off);
        OperatorCount count;
        QVERIFY(network.forwardTapped(input, layer).exactPrefix);
        QCOMPARE(count["aten::batch_norm"], 20);
    }

    // A model whose operations oneDNN's layout does not have gets no form,
    // and passes run plainly: ViT-B/16 is built of LayerNorm and attention.
    void transformersRunPlainly()
    {
        Explainer explainer("vit_b_16", "");
        ZooNetwork& network = zoo(explainer);
        network.setFormPolicy(FormPolicy::WhenExact);
        QVERIFY(!network.inferenceForm(torch::zeros({1, 3, 224, 224})));
    }
};

QTEST_GUILESS_MAIN(TestInferenceForm)
#include "tst_inferenceform.moc"
