// ExplanationSession and model-structure behaviour that needs no oracle:
// untrained models, fixed seed.
#include <QtTest>

#include <torch/torch.h>

#include "core/cam/explainer.h"
#include "core/models/zoonetwork.h"
#include "core/errors.h"
#include "core/support/runtime.h"

using namespace gce;

namespace {
torch::Tensor someInput()
{
    torch::manual_seed(7);
    return torch::randn({1, 3, 224, 224});
}

bool sameMap(const cv::Mat& a, const cv::Mat& b)
{
    return a.size() == b.size() && cv::norm(a, b, cv::NORM_INF) == 0.0;
}

template <typename F>
QString usageErrorOf(F&& f)
{
    try {
        f();
    } catch (const UsageError& error) {
        return QString::fromUtf8(error.what());
    }
    return {};
}
} // namespace

class TestExplanationSession : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { configureRuntime({}); }

    void defaultLayerIsLastConv_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("layer");
        QTest::newRow("resnet18") << "resnet18" << "layer4.1.conv2";
        QTest::newRow("resnet34") << "resnet34" << "layer4.2.conv2";
        QTest::newRow("resnet50") << "resnet50" << "layer4.2.conv3";
        QTest::newRow("squeezenet1_1") << "squeezenet1_1" << "classifier.1";
    }
    void defaultLayerIsLastConv()
    {
        QFETCH(QString, model);
        QFETCH(QString, layer);
        Explainer explainer(model.toStdString(), "");
        QCOMPARE(QString::fromStdString(explainer.defaultLayer()), layer);
    }

    void layersInTorchvisionOrder()
    {
        Explainer explainer("resnet18", "");
        const auto layers = explainer.layers();
        QVERIFY(layers.size() > 10);
        QCOMPARE(QString::fromStdString(layers[0].name), QString("conv1"));
        QCOMPARE(QString::fromStdString(layers[0].type), QString("Conv2d"));
        QCOMPARE(QString::fromStdString(layers[4].name), QString("layer1"));
        QCOMPARE(QString::fromStdString(layers[4].type), QString("Sequential"));
        QCOMPARE(QString::fromStdString(layers[5].name), QString("layer1.0"));
        QCOMPARE(QString::fromStdString(layers[5].type), QString("BasicBlock"));
        QCOMPARE(QString::fromStdString(layers.back().name), QString("fc"));
        bool sawDownsample = false;
        for (const auto& l : layers)
            sawDownsample |= l.name == "layer2.0.downsample.0";
        QVERIFY(sawDownsample);
    }

    void layerShapes()
    {
        Explainer explainer("resnet18", "");
        bool found = false;
        for (const auto& shape : explainer.layerShapes()) {
            if (shape.name == "layer4.1.conv2") {
                found = true;
                QCOMPARE(shape.outputShape, (std::vector<int64_t>{1, 512, 7, 7}));
            }
            if (shape.name == "fc")
                QCOMPARE(shape.outputShape, (std::vector<int64_t>{1, 1000}));
        }
        QVERIFY(found);
    }

    // The efficiency contract: no parameter gradient is ever computed, and
    // the graph is kept so further classes need no new forward pass.
    void onlyActivationGradients()
    {
        Explainer explainer("resnet18", "");
        auto session = explainer.explainTensor(someInput());
        const CamMap first = session->gradCam(3);
        const CamMap other = session->gradCam(400);
        const CamMap again = session->gradCam(3);
        QVERIFY(sameMap(first.map, again.map));
        QVERIFY(!sameMap(first.map, other.map));
        for (const auto& parameter : explainer.network().parameters())
            QVERIFY(!parameter.grad().defined());
    }

    void gradModeRestoredAfterForward()
    {
        Explainer explainer("squeezenet1_1", "");
        QVERIFY(torch::GradMode::is_enabled());
        auto session = explainer.explainTensor(someInput(), "features.12");
        QVERIFY(torch::GradMode::is_enabled());
        {
            torch::NoGradGuard guard;
            auto inner = explainer.explainTensor(someInput());
            QVERIFY(!torch::GradMode::is_enabled());
        }
    }

    void scores()
    {
        Explainer explainer("resnet18", "");
        auto session = explainer.explainTensor(someInput());
        const auto top = session->topK(5);
        QCOMPARE(int(top.size()), 5);
        for (std::size_t i = 1; i < top.size(); ++i)
            QVERIFY(top[i - 1].probability >= top[i].probability);
        QCOMPARE(session->rankOf(top[0].index), 1);
        QCOMPARE(session->rankOf(top[3].index), 4);
        QVERIFY(std::abs(session->probabilities().sum().item<float>() - 1.f) < 1e-5f);
    }

    void zeroMapIsEmptyNotNaN()
    {
        Explainer explainer("resnet18", "");
        {
            torch::NoGradGuard guard;
            for (auto& item : dynamic_cast<ZooNetwork&>(explainer.network()).module().named_parameters())
                if (item.key() == "fc.weight")
                    item.value().zero_(); // logits no longer depend on the activation
        }
        auto session = explainer.explainTensor(someInput());
        const CamMap cam = session->gradCam(10);
        QVERIFY(cam.empty);
        QCOMPARE(cv::countNonZero(cam.map), 0);
        QCOMPARE(cam.map.rows, 7);
    }

    void badRequests()
    {
        Explainer explainer("resnet18", "");
        QVERIFY(usageErrorOf([&] { explainer.explainTensor(someInput(), "layer4.1.conv3"); })
                    .contains("unknown layer \"layer4.1.conv3\""));
        QVERIFY(usageErrorOf([&] { explainer.explainTensor(someInput(), "layer4.1.conv3"); })
                    .contains("layer4.1.conv2"));
        QVERIFY(usageErrorOf([&] { explainer.explainTensor(someInput(), "fc"); }).contains("N×C×H×W"));
        auto session = explainer.explainTensor(someInput());
        QVERIFY(usageErrorOf([&] { session->gradCam(1000); }).contains("out of range"));
        QVERIFY(usageErrorOf([&] { session->gradCam(-1); }).contains("out of range"));
        QVERIFY(usageErrorOf([&] { Explainer("resnet1000", ""); }).contains("unknown model"));
    }
};

QTEST_GUILESS_MAIN(TestExplanationSession)
#include "tst_explanationsession.moc"
