// Faithfulness scores (core/cam/faithfulness.h). A hand-built network whose
// answer is known by construction checks the curves, the AUC and the average
// drop exactly; with the real SqueezeNet weights (../shared/models), Grad-CAM
// must beat seeded random maps on the demo photos.
#include <QFileInfo>
#include <QtTest>

#include <cmath>
#include <numeric>

#include <torch/torch.h>

#include "core/cam/explainer.h"
#include "core/cam/faithfulness.h"
#include "core/errors.h"
#include "core/imaging/imageloader.h"
#include "core/support/runtime.h"
#include "testsupport.h"

using namespace gce;

namespace {

constexpr int64_t kSide = 32;  // input side: 1024 pixels, 256 in each quadrant
constexpr double kGain = 8.0;  // logit scale of the quadrant network

// Class 0's logit is kGain·(s − 1/2), where s is the mean of x² over the
// top-left quadrant (all channels); class 1's logit is 0. Its layer "square"
// outputs x². Squares rather than plain values because blurring preserves a
// mean: the insertion curve would start where it ends. On a ±1 checkerboard
// every pixel contributes 1 to s, a removed (zero) pixel 0, and a blurred one
// less than 1, so each curve point is known in closed form.
struct QuadrantModelImpl : torch::nn::Module {
    torch::Tensor square(const torch::Tensor& x) const { return x * x; }
    torch::Tensor head(const torch::Tensor& a) const
    {
        const auto s = a.slice(2, 0, a.size(2) / 2).slice(3, 0, a.size(3) / 2).mean({1, 2, 3});
        const auto logit = kGain * (s - 0.5);
        return torch::stack({logit, torch::zeros_like(logit)}, 1);
    }
    torch::Tensor forward(const torch::Tensor& x) { return head(square(x)); }
};
TORCH_MODULE(QuadrantModel);

class QuadrantNetwork : public Network {
public:
    std::vector<LayerInfo> layers() const override { return {{"square", "Square"}}; }
    std::string defaultLayer() const override { return "square"; }
    std::vector<LayerShape> layerShapes(int64_t height, int64_t width) override
    {
        return {{"square", "Square", {1, 3, height, width}}};
    }
    void checkLayer(const std::string& name) const override
    {
        if (name != "square")
            throw UsageError("unknown layer \"" + name + "\"");
    }
    TappedForward forwardTapped(const torch::Tensor& input, const std::string& layer,
                                PrefixPass = PrefixPass::Fastest) override
    {
        checkLayer(layer);
        TappedForward result;
        {
            torch::NoGradGuard noGrad;
            result.activation = m_model->square(input);
        }
        result.activation.requires_grad_(true);
        result.logits = m_model->head(result.activation);
        result.tail = [model = m_model](const torch::Tensor& activations) {
            torch::NoGradGuard noGrad;
            return model->head(activations);
        };
        return result;
    }
    torch::Tensor logits(const torch::Tensor& inputs) override
    {
        ++m_calls;
        torch::NoGradGuard noGrad;
        return m_model->forward(inputs);
    }
    int64_t classCount() const override { return 2; }
    std::vector<torch::Tensor> parameters() const override { return m_model->parameters(); }

    int calls() const { return m_calls; }

private:
    QuadrantModel m_model;
    int m_calls = 0;
};

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double probabilityOfClass0(double s) { return sigmoid(kGain * (s - 0.5)); }

// ±1 in a checkerboard, the same in every channel.
torch::Tensor checkerboard()
{
    const auto y = torch::arange(kSide).view({kSide, 1});
    const auto x = torch::arange(kSide).view({1, kSide});
    const auto sign = ((x + y) % 2) * 2 - 1;
    return sign.to(torch::kFloat32).expand({1, 3, kSide, kSide}).contiguous();
}

struct QuadrantSetup {
    std::shared_ptr<QuadrantNetwork> network = std::make_shared<QuadrantNetwork>();
    ExplanationSession session{network, checkerboard(), "square"};
};

// 1 on one quadrant of a rows×cols map, 0 elsewhere.
cv::Mat quadrantMap(int rows, int cols, bool topLeft)
{
    cv::Mat map = cv::Mat::zeros(rows, cols, CV_32FC1);
    const cv::Rect quadrant =
        topLeft ? cv::Rect(0, 0, cols / 2, rows / 2) : cv::Rect(cols / 2, rows / 2, cols / 2, rows / 2);
    map(quadrant).setTo(1.0f);
    return map;
}

bool nonIncreasing(const std::vector<double>& curve)
{
    return std::is_sorted(curve.rbegin(), curve.rend());
}
bool nonDecreasing(const std::vector<double>& curve) { return std::is_sorted(curve.begin(), curve.end()); }

QString realWeights() { return test::sharedModelsDir() + "/squeezenet1_1-imagenet.pth"; }
std::string demo(const char* name) { return (test::sourceDir() + "/resources/demo/" + name).toStdString(); }

} // namespace

class TestFaithfulness : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { configureRuntime({}); }

    void trapezoidRule()
    {
        QCOMPARE(trapezoidAuc({}), 0.0);
        QCOMPARE(trapezoidAuc({0.3}), 0.3);
        QCOMPARE(trapezoidAuc(std::vector<double>(51, 0.7)), 0.7); // a constant curve: its value
        std::vector<double> falling(11);
        for (int k = 0; k <= 10; ++k)
            falling[k] = 1.0 - k / 10.0;
        QVERIFY(std::abs(trapezoidAuc(falling) - 0.5) < 1e-12);
        QVERIFY(std::abs(trapezoidAuc({0.0, 1.0, 0.0}) - 0.5) < 1e-12); // a tent
    }

    void orderIsBySaliencyThenIndex()
    {
        cv::Mat map = (cv::Mat_<float>(2, 3) << 0.5f, 1.0f, 0.5f, 0.0f, 1.0f, 0.5f);
        QCOMPARE(saliencyOrder(map), (std::vector<int>{1, 4, 0, 2, 5, 3}));
        const std::vector<int> flat = saliencyOrder(cv::Mat::zeros(4, 4, CV_32FC1));
        std::vector<int> identity(16);
        std::iota(identity.begin(), identity.end(), 0);
        QCOMPARE(flat, identity);
    }

    void randomMapsAreSeeded()
    {
        const cv::Mat a = randomSaliencyMap(7, 9, 1);
        QCOMPARE(a.rows, 7);
        QCOMPARE(a.cols, 9);
        QCOMPARE(a.type(), CV_32FC1);
        QCOMPARE(cv::norm(a, randomSaliencyMap(7, 9, 1), cv::NORM_INF), 0.0);
        QVERIFY(cv::norm(a, randomSaliencyMap(7, 9, 2), cv::NORM_INF) > 0.0);
        double low = 0, high = 0;
        cv::minMaxLoc(a, &low, &high);
        QVERIFY(low >= 0.0 && high < 1.0 && high > low);
    }

    void blurKeepsMassAndSymmetry()
    {
        // An impulse in the middle of a zero image spreads into the kernel:
        // it sums to 1 (a constant interior stays constant), is symmetric,
        // 11×11, and peaks at the centre.
        auto impulse = torch::zeros({1, 3, 31, 31});
        impulse.index_put_({0, torch::indexing::Slice(), 15, 15}, 1.0);
        const auto kernel = riseBlur(impulse)[0][1];
        QVERIFY(std::abs(kernel.sum().item<double>() - 1.0) < 1e-5);
        QVERIFY(torch::allclose(kernel, kernel.flip({0}), 0, 1e-7));
        QVERIFY(torch::allclose(kernel, kernel.t(), 0, 1e-7));
        QCOMPARE(kernel.gt(0).sum().item<int64_t>(), int64_t(121));
        QCOMPARE(kernel.argmax().item<int64_t>(), int64_t(15 * 31 + 15));
    }

    void deletionCurveIsKnownInClosedForm()
    {
        // A map that is exactly the top-left quadrant at the input's
        // resolution: step k removes n_k = round(k·1024/50) pixels, all in
        // that quadrant until it is empty, so s = max(0, 1 − n_k/256).
        QuadrantSetup setup;
        const auto scores = computeFaithfulness(setup.session, 0, quadrantMap(kSide, kSide, true));
        QCOMPARE(int(scores.deletionCurve.size()), kDefaultFaithfulnessSteps + 1);
        for (int k = 0; k <= kDefaultFaithfulnessSteps; ++k) {
            const double removed = std::round(k * 1024.0 / kDefaultFaithfulnessSteps);
            const double expected = probabilityOfClass0(std::max(0.0, 1.0 - removed / 256.0));
            QVERIFY2(std::abs(scores.deletionCurve[k] - expected) < 1e-6,
                     qPrintable(QString("step %1: %2 vs %3").arg(k).arg(scores.deletionCurve[k]).arg(expected)));
        }
        QVERIFY(std::abs(scores.deletionAuc - trapezoidAuc(scores.deletionCurve)) < 1e-15);
        // Insertion: once the quadrant's 256 pixels are back (k ≥ 13), s = 1.
        QVERIFY(nonDecreasing(scores.insertionCurve));
        for (int k = 13; k <= kDefaultFaithfulnessSteps; ++k)
            QVERIFY(std::abs(scores.insertionCurve[k] - probabilityOfClass0(1.0)) < 1e-6);
        QVERIFY(scores.insertionCurve.front() < probabilityOfClass0(0.5)); // the blur wipes the checkerboard
        QCOMPARE(scores.forwardImages, 2 * kDefaultFaithfulnessSteps + 3);
    }

    void theRightQuadrantScoresBetter()
    {
        // At the layer's coarse resolution (4×4, upsampled bilinearly) the
        // order is no longer exact, but the map on the quadrant the class
        // reads must still beat the one on the opposite quadrant.
        QuadrantSetup setup;
        const auto right = computeFaithfulness(setup.session, 0, quadrantMap(4, 4, true));
        const auto wrong = computeFaithfulness(setup.session, 0, quadrantMap(4, 4, false));
        qInfo("deletion AUC %.4f vs %.4f, insertion AUC %.4f vs %.4f", right.deletionAuc, wrong.deletionAuc,
              right.insertionAuc, wrong.insertionAuc);
        QVERIFY(right.deletionAuc < wrong.deletionAuc);
        QVERIFY(right.insertionAuc > wrong.insertionAuc);
        for (const FaithfulnessScores* scores : {&right, &wrong}) {
            QVERIFY(nonIncreasing(scores->deletionCurve));
            QVERIFY(nonDecreasing(scores->insertionCurve));
            QVERIFY(std::abs(scores->deletionCurve.front() - probabilityOfClass0(1.0)) < 1e-6);
            QVERIFY(std::abs(scores->deletionCurve.back() - probabilityOfClass0(0.0)) < 1e-6);
            QVERIFY(std::abs(scores->insertionCurve.back() - probabilityOfClass0(1.0)) < 1e-6);
        }
    }

    void averageDropAndIncrease()
    {
        QuadrantSetup setup;
        const double y0 = probabilityOfClass0(1.0);
        // Map of ones: the explanation map is the image itself.
        const auto same = computeFaithfulness(setup.session, 0, cv::Mat::ones(4, 4, CV_32FC1));
        QVERIFY(std::abs(same.originalProbability - y0) < 1e-6);
        QVERIFY(same.averageDrop < 1e-3);
        // Map of zeros: every pixel becomes 0, s = 0.
        const auto none = computeFaithfulness(setup.session, 0, cv::Mat::zeros(4, 4, CV_32FC1));
        const double o0 = probabilityOfClass0(0.0);
        QVERIFY(std::abs(none.explanationProbability - o0) < 1e-6);
        QVERIFY(std::abs(none.averageDrop - (y0 - o0) / y0 * 100.0) < 1e-3);
        QVERIFY(!none.increaseInConfidence);
        // Class 1 gains what class 0 loses: no drop, an increase.
        const auto other = computeFaithfulness(setup.session, 1, cv::Mat::zeros(4, 4, CV_32FC1));
        QCOMPARE(other.averageDrop, 0.0);
        QVERIFY(other.increaseInConfidence);
        QVERIFY(std::abs(other.explanationProbability - (1.0 - o0)) < 1e-6);
    }

    void batchingChangesNothing()
    {
        QuadrantSetup setup;
        const cv::Mat map = randomSaliencyMap(4, 4, 11);
        FaithfulnessOptions one;
        one.control.batchSize = 1;
        FaithfulnessOptions many;
        many.control.batchSize = 64;
        const auto a = computeFaithfulness(setup.session, 0, map, one);
        const int callsAfterOne = setup.network->calls();
        const auto b = computeFaithfulness(setup.session, 0, map, many);
        QCOMPARE(callsAfterOne, 2 * kDefaultFaithfulnessSteps + 3);
        QCOMPARE(setup.network->calls() - callsAfterOne, 2); // 103 images in batches of 64
        for (int k = 0; k <= kDefaultFaithfulnessSteps; ++k) {
            QVERIFY(std::abs(a.deletionCurve[k] - b.deletionCurve[k]) < 1e-9);
            QVERIFY(std::abs(a.insertionCurve[k] - b.insertionCurve[k]) < 1e-9);
        }
    }

    void progressAndCancel()
    {
        QuadrantSetup setup;
        FaithfulnessOptions options;
        options.steps = 10; // 23 images
        options.control.batchSize = 4;
        QVector<double> done;
        options.control.progress = [&](double fraction) { done.append(fraction); };
        computeFaithfulness(setup.session, 0, cv::Mat::ones(4, 4, CV_32FC1), options);
        QCOMPARE(done, (QVector<double>{4 / 23.0, 8 / 23.0, 12 / 23.0, 16 / 23.0, 20 / 23.0, 1.0}));

        // Cancelled after the first batch: Cancelled, and no further forwards.
        const int before = setup.network->calls();
        done.clear();
        options.control.cancelled = [&] { return !done.isEmpty(); };
        QVERIFY_THROWS_EXCEPTION(Cancelled,
                                 computeFaithfulness(setup.session, 0, cv::Mat::ones(4, 4, CV_32FC1), options));
        QCOMPARE(setup.network->calls() - before, 1);
        QCOMPARE(done.size(), 1);
    }

    // With one of our torchvision ports a cancel is also seen inside a
    // batch (after every module), so one batch of all 23 images stops part-way.
    void cancelInsideABatch()
    {
        Explainer explainer("resnet18", "");
        torch::manual_seed(3);
        auto session = explainer.explainTensor(torch::randn({1, 3, 64, 64}), "layer4");
        FaithfulnessOptions options;
        options.steps = 10;
        options.control.batchSize = 64;
        int polls = 0;
        int reports = 0;
        options.control.progress = [&](double) { ++reports; };
        options.control.cancelled = [&] { return ++polls >= 4; }; // poll 1 is before the batch
        QVERIFY_THROWS_EXCEPTION(Cancelled, computeFaithfulness(*session, 0, cv::Mat::ones(2, 2, CV_32FC1), options));
        QCOMPARE(polls, 4);
        QCOMPARE(reports, 0);
    }

    void badArguments()
    {
        QuadrantSetup setup;
        const cv::Mat map = cv::Mat::ones(4, 4, CV_32FC1);
        QVERIFY_THROWS_EXCEPTION(UsageError, computeFaithfulness(setup.session, 2, map));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, computeFaithfulness(setup.session, 0, cv::Mat()));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 computeFaithfulness(setup.session, 0, cv::Mat::ones(4, 4, CV_8UC1)));
        FaithfulnessOptions noSteps;
        noSteps.steps = 0;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, computeFaithfulness(setup.session, 0, map, noSteps));
        QCOMPARE(setup.network->calls(), 0);
    }

    void gradCamBeatsRandomMapsOnRealPhotos_data()
    {
        QTest::addColumn<QString>("photo");
        QTest::newRow("chelsea") << "chelsea.jpg";
        QTest::newRow("coffee") << "coffee.jpg";
        QTest::newRow("cat_and_coffee") << "cat_and_coffee.jpg";
    }
    void gradCamBeatsRandomMapsOnRealPhotos()
    {
        if (!QFileInfo::exists(realWeights()))
            QSKIP("../shared/models/squeezenet1_1-imagenet.pth is absent: real-weights checks skipped");
        QFETCH(QString, photo);
        if (!m_squeezenet)
            m_squeezenet = std::make_unique<Explainer>("squeezenet1_1", realWeights().toStdString());
        auto session = m_squeezenet->explainImage(loadImage(demo(qPrintable(photo))).rgb);
        const int top = session->topK(1).front().index;
        const CamMap cam = session->gradCam(top);
        // 25 steps instead of 50 halve the 6 × 103 forward passes per photo
        // (this machine's 2 cores are shared); on these photos every AUC was
        // within 0.004 of its 50-step value, far below the margins seen here.
        FaithfulnessOptions options;
        options.steps = 25;
        const auto gradCam = computeFaithfulness(*session, top, cam.map, options);

        constexpr int kRandomMaps = 5;
        double deletion = 0, insertion = 0;
        for (int seed = 1; seed <= kRandomMaps; ++seed) {
            const auto random =
                computeFaithfulness(*session, top, randomSaliencyMap(cam.map.rows, cam.map.cols, seed), options);
            deletion += random.deletionAuc / kRandomMaps;
            insertion += random.insertionAuc / kRandomMaps;
        }
        qInfo("%s, class %d: Grad-CAM deletion %.3f insertion %.3f drop %.1f%%; random maps deletion %.3f "
              "insertion %.3f",
              qPrintable(photo), top, gradCam.deletionAuc, gradCam.insertionAuc, gradCam.averageDrop, deletion,
              insertion);
        QVERIFY(gradCam.insertionAuc > insertion);
        // Known counter-example, kept visible rather than dropped: the cat
        // fills chelsea.jpg, so deleting the most salient 20% still leaves a
        // cat (probability 0.67 -> 0.45), while random 13×13 blobs punch
        // mean-colored holes everywhere and take it to 0.15 (RISE's zero
        // baseline is out of distribution). Insertion, which starts from a
        // blur instead, does not suffer from it. An XPASS here fails the test.
        if (photo == "chelsea.jpg")
            QEXPECT_FAIL("chelsea", "deletion with mean-color holes favours scattered random maps here", Continue);
        QVERIFY(gradCam.deletionAuc < deletion);
    }

private:
    std::unique_ptr<Explainer> m_squeezenet;
};

QTEST_GUILESS_MAIN(TestFaithfulness)
#include "tst_faithfulness.moc"
