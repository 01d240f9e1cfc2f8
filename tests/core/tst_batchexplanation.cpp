// BatchExplanation (core/cam/batchexplanation.h): a batch's rankings and maps
// against an ExplanationSession per image, for every method it serves, with
// contrast and counterfactual scores, on untrained ResNet-18 (where LibTorch's
// kernels agree across batch sizes) and on the real SqueezeNet 1.1 (where
// they differ in the last bits: within 1e-5). What it refuses, it says.
#include <QtTest>

#include <torch/torch.h>

#include "core/cam/explainer.h"
#include "core/errors.h"
#include "core/support/runtime.h"
#include "testsupport.h"

using namespace gce;

namespace {

torch::Tensor someInputs(int64_t count)
{
    torch::manual_seed(11);
    return torch::randn({count, 3, 224, 224});
}

double worstDifference(const cv::Mat& a, const cv::Mat& b)
{
    return a.size() == b.size() ? cv::norm(a, b, cv::NORM_INF) : 1e9;
}

Explainer& explainerFor(const QString& model)
{
    static Explainer resnet("resnet18", "");
    static Explainer squeezenet("squeezenet1_1",
                                (test::sourceDir() + "/resources/models/squeezenet1_1-imagenet.pth").toStdString());
    return model == "resnet18" ? resnet : squeezenet;
}

} // namespace

class TestBatchExplanation : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { configureRuntime({}); }

    void mapsEqualOneSessionPerImage_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<int>("method");
        QTest::addColumn<int>("contrast");
        QTest::addColumn<bool>("counterfactual");
        QTest::addColumn<double>("tolerance");
        for (const QString model : {"resnet18", "squeezenet1_1"}) {
            const double tolerance = model == "resnet18" ? 0.0 : 1e-5;
            for (CamMethod method : allCamMethods()) {
                if (!BatchExplanation::supports({method}))
                    continue;
                QTest::addRow("%s %s", qPrintable(model), camMethodName(method).c_str())
                    << model << int(method) << -1 << false << tolerance;
            }
            QTest::addRow("%s gradcam, contrast 3", qPrintable(model))
                << model << int(CamMethod::GradCam) << 3 << false << tolerance;
            QTest::addRow("%s layercam, counterfactual", qPrintable(model))
                << model << int(CamMethod::LayerCam) << -1 << true << tolerance;
        }
    }

    void mapsEqualOneSessionPerImage()
    {
        QFETCH(QString, model);
        QFETCH(int, method);
        QFETCH(int, contrast);
        QFETCH(bool, counterfactual);
        QFETCH(double, tolerance);
        Explainer& explainer = explainerFor(model);
        const torch::Tensor inputs = someInputs(3);
        auto batch = explainer.explainBatch(inputs);
        QCOMPARE(batch->size(), 3);
        QCOMPARE(batch->layerName(), explainer.defaultLayer());
        const CamQuery query{CamMethod(method), -1, contrast, counterfactual};
        // Two class slots: each image's top class, then each image's 10th.
        std::vector<std::vector<int>> classSlots(2);
        for (int i = 0; i < 3; ++i) {
            classSlots[0].push_back(batch->ranking(i).topK(1)[0].index);
            classSlots[1].push_back(batch->ranking(i).topK(10)[9].index);
        }
        for (const auto& classes : classSlots) {
            const std::vector<CamMap> maps = batch->explain(query, classes);
            QCOMPARE(int(maps.size()), 3);
            for (int i = 0; i < 3; ++i) {
                auto session = explainer.explainTensor(inputs.slice(0, i, i + 1));
                QCOMPARE(batch->ranking(i).topK(5)[4].index, session->topK(5)[4].index);
                QCOMPARE(batch->ranking(i).rankOf(classes[std::size_t(i)]), session->rankOf(classes[std::size_t(i)]));
                QVERIFY(std::abs(batch->ranking(i).score(classes[std::size_t(i)]).probability -
                                 session->score(classes[std::size_t(i)]).probability) <= 1e-6);
                CamQuery one = query;
                one.classIndex = classes[std::size_t(i)];
                const CamMap expected = session->explain(one);
                QCOMPARE(maps[std::size_t(i)].classIndex, classes[std::size_t(i)]);
                QCOMPARE(maps[std::size_t(i)].empty, expected.empty);
                const double difference = worstDifference(maps[std::size_t(i)].map, expected.map);
                QVERIFY2(difference <= tolerance, qPrintable(QString("image %1: %2").arg(i).arg(difference)));
            }
        }
    }

    // Once the inference form is built, a batch's layers before the target
    // run through it, except for a method that magnifies rounding
    // (Grad-CAM++): its query runs the batch's forward pass again plainly,
    // and its maps are a plain session's, bit for bit at this batch size's
    // agreement (0 on untrained ResNet-18, as above).
    void roundingSensitiveMethodsRunThePlainLayers()
    {
        Explainer explainer("resnet18", "");
        explainer.network().setFormPolicy(FormPolicy::WhenExact);
        explainer.prepareInference();
        const torch::Tensor inputs = someInputs(2);
        auto batch = explainer.explainBatch(inputs);
        QVERIFY(!batch->exactPrefix());
        batch->explain({CamMethod::GradCam}, {1, 2});
        QVERIFY(!batch->exactPrefix());
        const std::vector<CamMap> maps = batch->explain({CamMethod::GradCamPlusPlus}, {1, 2});
        QVERIFY(batch->exactPrefix());
        for (int i = 0; i < 2; ++i) {
            auto session = explainer.explainTensor(inputs.slice(0, i, i + 1), {}, PrefixPass::Exact);
            const CamMap expected = session->explain({CamMethod::GradCamPlusPlus, i + 1});
            QCOMPARE(worstDifference(maps[std::size_t(i)].map, expected.map), 0.0);
        }
        QVERIFY(explainer.explainBatch(inputs, {}, prefixPassFor(CamMethod::GradCamPlusPlus))->exactPrefix());
    }

    // Score-based and guided methods and test-time augmentation run passes
    // of their own per image: refused with a reason, as are wrong class lists.
    void refusesWhatItDoesNotServe()
    {
        Explainer& explainer = explainerFor("resnet18");
        auto batch = explainer.explainBatch(someInputs(2));
        for (CamMethod method : {CamMethod::ScoreCam, CamMethod::AblationCam, CamMethod::GuidedBackprop,
                                 CamMethod::GuidedGradCam}) {
            QVERIFY(!BatchExplanation::supports({method}));
            QVERIFY_THROWS_EXCEPTION(UsageError, batch->explain({method}, {1, 2}));
        }
        CamQuery smoothed{CamMethod::GradCam};
        smoothed.augmentSmooth = true;
        QVERIFY(!BatchExplanation::supports(smoothed));
        QVERIFY_THROWS_EXCEPTION(UsageError, batch->explain({CamMethod::GradCam}, {1}));        // 2 images, 1 class
        QVERIFY_THROWS_EXCEPTION(UsageError, batch->explain({CamMethod::GradCam}, {1, 1000})); // out of range
        QVERIFY_THROWS_EXCEPTION(UsageError, explainer.explainBatch(someInputs(2), "fc"));     // not N×C×H×W
    }
};

QTEST_GUILESS_MAIN(TestBatchExplanation)
#include "tst_batchexplanation.moc"
