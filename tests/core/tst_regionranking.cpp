// "What is here?": every class ranked by its Grad-CAM evidence in a region
// (core/cam/classmaps.h, core/cam/regionranking.h), against a Python oracle
// that computes each class's raw map one class at a time (tests/oracle/
// make_region_fixtures.py), and with the bundled trained SqueezeNet on the
// demo photo.
#include <QJsonArray>
#include <QJsonObject>
#include <QSet>
#include <QtTest>

#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include "core/cam/classmaps.h"
#include "core/cam/explainer.h"
#include "core/cam/regionranking.h"
#include "core/checkpoint/statedict.h"
#include "core/imaging/cropoverlay.h"
#include "core/imaging/imageloader.h"
#include "core/support/runtime.h"
#include "paritysupport.h"
#include "testsupport.h"

using namespace gce;

namespace {

QJsonArray manifest() { return test::readJson(test::fixturesDir("region") + "/manifest.json").array(); }

// One group of oracle cases: a model, layer, method and photo (its regions).
QString groupOf(const QJsonObject& entry)
{
    return entry["model"].toString() + " " + entry["layer"].toString() + " " + entry["method"].toString() + " " +
           QFileInfo(entry["image"].toString()).fileName();
}

ImageRegion regionOf(const QJsonArray& r) { return {r[0].toInt(), r[1].toInt(), r[2].toInt(), r[3].toInt()}; }

// Where the engine should find the closed form (a channel-wise tail before
// the head): the last convolution; not before a convolution (SqueezeNet's
// features.12, ResNet's layer4.1.conv1).
bool closedFormExpected(const QString& layer)
{
    return layer == "layer4.1.conv2" || layer == "layer4" || layer == "classifier.1";
}

struct Explained {
    std::unique_ptr<Explainer> explainer;
    std::unique_ptr<ExplanationSession> session;
    cv::Size imageSize;
    cv::Size mapSize;
};

Explained explain(const std::string& model, const std::string& weights, const std::string& image,
                  const std::string& layer = {})
{
    Explained e;
    e.explainer = std::make_unique<Explainer>(model, weights);
    const cv::Mat rgb = loadImage(image).rgb;
    e.imageSize = rgb.size();
    e.session = e.explainer->explainImage(rgb, layer);
    const auto shape = e.session->activationShape();
    e.mapSize = cv::Size(int(shape[3]), int(shape[2]));
    return e;
}

std::vector<RegionScore> rankIn(const Explained& e, const ClassMaps& maps, ImageRegion region, int k = 0)
{
    return RegionScorer(e.mapSize, cv::Rect(cv::Point(0, 0), e.imageSize), e.imageSize, region).rank(maps.raw(), k);
}

QString realWeights() { return test::sourceDir() + "/resources/models/squeezenet1_1-imagenet.pth"; }
QString demoImage() { return test::sourceDir() + "/resources/demo/cat_and_coffee.jpg"; }

} // namespace

class TestRegionRanking : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        configureRuntime({});
        QVERIFY2(!manifest().isEmpty(), "region fixture missing: run ctest (fixture_region)");
    }

    void matchesOneClassAtATime_data()
    {
        QTest::addColumn<QString>("group");
        QSet<QString> seen;
        for (const auto& value : manifest()) {
            const QString group = groupOf(value.toObject());
            if (!seen.contains(group)) {
                seen.insert(group);
                QTest::newRow(qPrintable(group)) << group;
            }
        }
    }

    // The top-20 by "here" is the oracle's, and every class's here and share
    // agree with it, at every region of the photo.
    void matchesOneClassAtATime()
    {
        QFETCH(QString, group);
        const StateDict reference =
            readCheckpoint((test::fixturesDir("region") + "/expected.safetensors").toStdString());
        std::optional<Explained> e;
        std::optional<ClassMaps> maps;
        for (const auto& value : manifest()) {
            const QJsonObject entry = value.toObject();
            if (groupOf(entry) != group)
                continue;
            if (!e) {
                e = explain(entry["model"].toString().toStdString(), entry["weights"].toString().toStdString(),
                            entry["image"].toString().toStdString(), entry["layer"].toString().toStdString());
                maps = ClassMaps::compute(*e->session, *camMethodFromName(entry["method"].toString().toStdString()));
                QCOMPARE(maps->closedForm(), closedFormExpected(entry["layer"].toString()));
            }
            const std::string key = entry["key"].toString().toStdString();
            const torch::Tensor here = test::expected(reference, key + "|here").to(torch::kDouble);
            const torch::Tensor share = test::expected(reference, key + "|share").to(torch::kDouble);
            const std::vector<RegionScore> ranked = rankIn(*e, *maps, regionOf(entry["region"].toArray()));
            QCOMPARE(int(ranked.size()), int(here.size(0)));
            const double scale = here.max().item<double>();
            QVERIFY2(scale > 0, "the oracle's maps are all empty in this region: a useless case");
            const torch::Tensor order = std::get<1>(here.sort(/*stable=*/true, 0, /*descending=*/true));
            for (int rank = 0; rank < 20; ++rank) {
                const int expectedClass = order[rank].item<int>();
                const RegionScore& got = ranked[std::size_t(rank)];
                // Equal ranks, unless the two classes' oracle scores tie to
                // within 1e-5 of the top: the layers before the target run
                // through the inference form (core/models/inferenceform.h),
                // whose activations agree with PyTorch's to 1e-5, not to the bit.
                const double tie = std::abs(here[got.classIndex].item<double>() - here[expectedClass].item<double>());
                QVERIFY2(got.classIndex == expectedClass || tie <= 1e-5 * scale,
                         qPrintable(QString("%1: rank %2 is class %3, the oracle's %4 (apart by %5 of the top)")
                                        .arg(QString::fromStdString(key)).arg(rank + 1).arg(got.classIndex)
                                        .arg(expectedClass).arg(tie / scale)));
            }
            // Every score within 1e-4 of the region's top score (share: of 1,
            // its whole range), the top 20 within 1e-4 of their own value.
            // Far below the top, a raw map is a sum that nearly cancels, and
            // float rounding of the weights (the oracle's too) dominates.
            for (std::size_t rank = 0; rank < ranked.size(); ++rank) {
                const RegionScore& got = ranked[rank];
                const double wantHere = here[got.classIndex].item<double>();
                const double wantShare = share[got.classIndex].item<double>();
                const double hereTolerance = 1e-4 * (rank < 20 ? std::abs(wantHere) : scale);
                const double shareTolerance = 1e-4 * (rank < 20 ? std::abs(wantShare) : 1.0);
                QVERIFY2(std::abs(got.here - wantHere) <= hereTolerance,
                         qPrintable(QString("%1 class %2: here %3, oracle %4").arg(QString::fromStdString(key))
                                        .arg(got.classIndex).arg(got.here).arg(wantHere)));
                QVERIFY2(std::abs(got.share - wantShare) <= shareTolerance,
                         qPrintable(QString("%1 class %2: share %3, oracle %4").arg(QString::fromStdString(key))
                                        .arg(got.classIndex).arg(got.share).arg(wantShare)));
            }
        }
        QVERIFY(e.has_value());
    }

    // With the bundled trained SqueezeNet: the cat half of the demo photo is
    // evidence for a cat first, the cup for a cup or espresso in the top 3.
    void trainedModelOnTheDemo()
    {
        const Explained e = explain("squeezenet1_1", realWeights().toStdString(), demoImage().toStdString());
        const ClassMaps maps = ClassMaps::compute(*e.session, CamMethod::GradCam);
        const QSet<int> cats{281, 282, 283, 284, 285}; // tabby, tiger, Persian, Siamese, Egyptian
        const int first = rankIn(e, maps, {0, 0, 600, 400}, 1).front().classIndex;
        QVERIFY2(cats.contains(first), qPrintable(QString("the cat box ranks class %1 first").arg(first)));
        const QSet<int> cups{504, 967, 968}; // coffee mug, espresso, cup
        bool cupFound = false;
        for (const RegionScore& score : rankIn(e, maps, {740, 0, 340, 330}, 3))
            cupFound = cupFound || cups.contains(score.classIndex);
        QVERIFY2(cupFound, "no cup, mug or espresso in the cup box's top 3");
    }

    // The scorer's geometry against cv::resize itself: a point is the
    // resized map's pixel, a box its mean, share its part of the sum; a crop
    // placement leaves the rest of the photo without evidence.
    void scorerGeometry()
    {
        torch::manual_seed(7);
        const torch::Tensor raw = torch::rand({2, 7, 5});
        const cv::Size image(83, 61);
        cv::Mat resized;
        cv::resize(cv::Mat(7, 5, CV_32F, raw[0].data_ptr<float>()).clone(), resized, image, 0, 0, cv::INTER_LINEAR);
        const double total = cv::sum(resized)[0];
        const cv::Rect whole(cv::Point(0, 0), image);

        const auto point = RegionScorer({5, 7}, whole, image, {40, 17, 0, 0}).rank(raw);
        const RegionScore& p = point[0].classIndex == 0 ? point[0] : point[1];
        QVERIFY(std::abs(p.here - resized.at<float>(17, 40)) < 1e-6);
        QVERIFY(std::abs(p.share - resized.at<float>(17, 40) / total) < 1e-6);

        const cv::Rect box(10, 20, 30, 15);
        const auto boxed = RegionScorer({5, 7}, whole, image, {box.x, box.y, box.width, box.height}).rank(raw);
        const RegionScore& b = boxed[0].classIndex == 0 ? boxed[0] : boxed[1];
        QVERIFY(std::abs(b.here - cv::mean(resized(box))[0]) < 1e-6);
        QVERIFY(std::abs(b.share - cv::sum(resized(box))[0] / total) < 1e-6);

        // Clipped to the photo; wholly outside or negative: refused.
        const RegionScorer clipped({5, 7}, whole, image, {70, 50, 40, 40});
        QCOMPARE(clipped.region().width, 13);
        QCOMPARE(clipped.region().height, 11);
        QVERIFY_THROWS_EXCEPTION(UsageError, RegionScorer({5, 7}, whole, image, {90, 10, 5, 5}));
        QVERIFY_THROWS_EXCEPTION(UsageError, RegionScorer({5, 7}, whole, image, {1, 1, -2, 3}));

        // The model transform's crop: outside it there is no evidence.
        const cv::Rect crop(20, 0, 50, 61);
        const auto outside = RegionScorer({5, 7}, crop, image, {0, 0, 15, 61}).rank(raw);
        QCOMPARE(outside[0].here, 0.0);
        QCOMPARE(outside[1].share, 0.0);
        const auto inside = RegionScorer({5, 7}, crop, image, {0, 0, 83, 61}).rank(raw);
        QVERIFY(std::abs(inside[0].share - 1.0) < 1e-9 && std::abs(inside[1].share - 1.0) < 1e-9);
    }

    // Methods whose map is not linear in the gradient are refused by name.
    void unsupportedMethodsSaySo()
    {
        Explained e = explain("squeezenet1_1", realWeights().toStdString(), demoImage().toStdString());
        for (CamMethod method : {CamMethod::GradCamPlusPlus, CamMethod::LayerCam, CamMethod::ScoreCam}) {
            QVERIFY(!ClassMaps::supports(method));
            try {
                ClassMaps::compute(*e.session, method);
                QFAIL("an unsupported method was computed");
            } catch (const UsageError& error) {
                QVERIFY2(QString(error.what()).contains("not offered for region ranking") &&
                             QString(error.what()).contains("gradcam, xgradcam, hirescam"),
                         error.what());
            }
        }
    }

    // The batched way reports progress per chunk and stops when cancelled.
    void batchedWayCancels()
    {
        Explained e = explain("squeezenet1_1", realWeights().toStdString(), demoImage().toStdString(), "features.12");
        int chunks = 0;
        ExplainControl control;
        control.progress = [&](double) { ++chunks; };
        control.cancelled = [&] { return chunks >= 2; };
        QVERIFY_THROWS_EXCEPTION(Cancelled, ClassMaps::compute(*e.session, CamMethod::GradCam, control));
        QCOMPARE(chunks, 2);
    }
};

QTEST_GUILESS_MAIN(TestRegionRanking)
#include "tst_regionranking.moc"
