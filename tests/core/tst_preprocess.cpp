// The preprocessing choice (issue 13) against torchvision 0.14's own eval
// transforms (tests/oracle/make_preprocess_fixtures.py): Pillow's BICUBIC
// resize byte for byte, F.resize(int) + F.center_crop pixels, then for
// ResNet-18, SqueezeNet 1.1 and EfficientNet-B3 (random-init weights saved by
// torch.save) the input tensor of <Weights>.transforms() on real photos,
// logits and Grad-CAM maps; the real SqueezeNet weights' top-5 under both
// preprocessings; the sidecar keys and the CLI's --preprocess.
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <set>

#include <torch/torch.h>

#include "core/cam/explainer.h"
#include "core/checkpoint/statedict.h"
#include "core/errors.h"
#include "core/imaging/cropoverlay.h"
#include "core/imaging/imageloader.h"
#include "core/imaging/modeltransform.h"
#include "core/imaging/pilresize.h"
#include "core/models/modelspecs.h"
#include "core/support/modelsidecar.h"
#include "core/support/runtime.h"
#include "imagetestsupport.h"
#include "paritysupport.h"
#include "testsupport.h"

using namespace gce;
using gce::test::expected;
using gce::test::mapTensor;
using gce::test::worstError;

namespace {

QString fixture() { return test::fixturesDir("preprocess"); }
QJsonObject manifest() { return test::readJson(fixture() + "/manifest.json").object(); }

int maxByteDifference(const cv::Mat& a, const cv::Mat& b)
{
    if (a.size() != b.size() || a.type() != b.type())
        return 256;
    cv::Mat diff;
    cv::absdiff(a, b, diff);
    double worst = 0;
    cv::minMaxLoc(diff.reshape(1), nullptr, &worst);
    return static_cast<int>(worst);
}

// 1x3xHxW normalised -> the [0,1] values before Normalize.
torch::Tensor unnormalised(const torch::Tensor& x, const Preprocessing& p)
{
    const auto mean = torch::tensor({p.mean[0], p.mean[1], p.mean[2]}).view({1, 3, 1, 1});
    const auto std = torch::tensor({p.std[0], p.std[1], p.std[2]}).view({1, 3, 1, 1});
    return x * std + mean;
}

QString cli() { return QStringLiteral(GCE_CLI); }

std::vector<int> indices(const QJsonArray& top)
{
    std::vector<int> out;
    for (const auto& v : top)
        out.push_back(v.toObject()["index"].toInt());
    return out;
}

std::vector<int> ourTop5(Explainer& explainer, const cv::Mat& rgb)
{
    auto session = explainer.explainImage(rgb);
    std::vector<int> out;
    for (const auto& s : session->topK(5))
        out.push_back(s.index);
    return out;
}

int overlap(const std::vector<int>& a, const std::vector<int>& b)
{
    const std::set<int> sa(a.begin(), a.end());
    return static_cast<int>(std::count_if(b.begin(), b.end(), [&](int i) { return sa.count(i) > 0; }));
}

QString joined(const std::vector<int>& v)
{
    QStringList parts;
    for (int i : v)
        parts << QString::number(i);
    return parts.join(',');
}

} // namespace

class TestPreprocess : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        configureRuntime({});
        QVERIFY2(!manifest().isEmpty(), "preprocess fixture missing: run ctest (fixture_preprocess)");
    }

    void pillowResizeExact_data()
    {
        QTest::addColumn<QJsonObject>("entry");
        for (const auto& value : manifest()["resize"].toArray()) {
            const QJsonObject c = value.toObject();
            QTest::newRow(qPrintable(c["expected"].toString())) << c;
        }
    }

    void pillowResizeExact()
    {
        QFETCH(QJsonObject, entry);
        const cv::Mat input = test::readRgb(fixture() + "/resize/" + entry["input"].toString());
        const cv::Mat want = test::readRgb(fixture() + "/resize/" + entry["expected"].toString());
        QVERIFY(!input.empty() && !want.empty());
        const PilFilter filter = entry["filter"].toString() == "bicubic" ? PilFilter::Bicubic : PilFilter::Bilinear;
        const cv::Mat got = resizePil(input, entry["width"].toInt(), entry["height"].toInt(), filter);
        QCOMPARE(maxByteDifference(got, want), 0);
    }

    void centreCropExact_data()
    {
        QTest::addColumn<QJsonObject>("entry");
        for (const auto& value : manifest()["crops"].toArray()) {
            const QJsonObject c = value.toObject();
            QTest::newRow(qPrintable(c["expected"].toString())) << c;
        }
    }

    void centreCropExact()
    {
        QFETCH(QJsonObject, entry);
        const LoadedImage image = loadImage(entry["image"].toString().toStdString());
        const cv::Mat want = test::readRgb(fixture() + "/crops/" + entry["expected"].toString());
        ModelTransform t;
        t.resizeSize = entry["resize_size"].toInt();
        t.cropHeight = entry["crop_size"].toArray()[0].toInt();
        t.cropWidth = entry["crop_size"].toArray()[1].toInt();
        t.interpolation = *interpolationFromName(entry["interpolation"].toString().toStdString());
        const cv::Mat got = applyModelTransform(image.rgb, t);
        QCOMPARE(maxByteDifference(got, want), 0);
    }

    void cropBoxGeometry()
    {
        // 1201x400, 256 -> 768x256 (int(256*1201/400) = 768), crop 224: left 272, top 16.
        const CropBox box = modelCropBox(1201, 400, {256, 224, 224, ResizeInterpolation::Bilinear});
        QVERIFY(qAbs(box.x - 272.0 * 1201 / 768) < 1e-9);
        QVERIFY(qAbs(box.y - 16.0 * 400 / 256) < 1e-9);
        QVERIFY(qAbs(box.width - 224.0 * 1201 / 768) < 1e-9);
        QVERIFY(qAbs(box.height - 224.0 * 400 / 256) < 1e-9);
        // Padded: 150x100 at resize 200 -> 300x200, crop 224 pads 12 rows on top.
        const CropBox padded = modelCropBox(150, 100, {200, 224, 224, ResizeInterpolation::Bilinear});
        QVERIFY(padded.y < 0);
        QVERIFY(qAbs(padded.y - (-12.0 * 100 / 200)) < 1e-9);
        // Tutorial: the whole image.
        const CropBox whole = inputBox(640, 480, Preprocessing{});
        QCOMPARE(whole.width, 640.0);
        QCOMPARE(whole.height, 480.0);
    }

    void cropOverlayDimsOutside()
    {
        cv::Mat photo(100, 200, CV_8UC3, cv::Scalar(200, 100, 50));
        cv::Mat map(7, 7, CV_32FC1, cv::Scalar(1.0f));
        const CropBox box{50, 0, 100, 100};
        const cv::Mat out = renderCropOverlay(photo, map, box);
        const cv::Vec3b outside = out.at<cv::Vec3b>(50, 10);
        QCOMPARE(int(outside[0]), 100);
        QCOMPARE(int(outside[1]), 50);
        QCOMPARE(int(outside[2]), 25);
        const cv::Mat tutorial = renderOverlay(photo(cv::Rect(50, 0, 100, 100)), map);
        QCOMPARE(maxByteDifference(out(cv::Rect(50, 0, 100, 100)), tutorial), 0);
    }

    void transformTable()
    {
        // The transform belongs to the weights file (torchvision 0.14's values).
        QVERIFY((modelTransformFor("efficientnet_b1", "/x/efficientnet_b1-c27df63c.pth") ==
                 ModelTransform{255, 240, 240, ResizeInterpolation::Bilinear}));
        QVERIFY((modelTransformFor("efficientnet_b1", "efficientnet_b1_rwightman-533bc792.pth") ==
                 ModelTransform{256, 240, 240, ResizeInterpolation::Bicubic}));
        QVERIFY((modelTransformFor("efficientnet_b3", "") == ModelTransform{320, 300, 300, ResizeInterpolation::Bicubic}));
        QVERIFY((modelTransformFor("resnet50", "resnet50-0676ba61.pth") ==
                 ModelTransform{256, 224, 224, ResizeInterpolation::Bilinear}));
        QVERIFY((modelTransformFor("resnet50", "mine.pth") == ModelTransform{232, 224, 224, ResizeInterpolation::Bilinear}));
        QVERIFY((modelTransformFor("squeezenet1_1", "resources/models/squeezenet1_1-imagenet.pth") ==
                 ModelTransform{256, 224, 224, ResizeInterpolation::Bilinear}));
    }

    void torchvisionParity_data()
    {
        QTest::addColumn<QJsonObject>("entry");
        QTest::addColumn<QJsonObject>("image");
        for (const auto& value : manifest()["models"].toArray()) {
            const QJsonObject m = value.toObject();
            for (const auto& row : m["images"].toArray())
                QTest::newRow(qPrintable(m["model"].toString() + "/" + row.toObject()["name"].toString()))
                    << m << row.toObject();
        }
    }

    void torchvisionParity()
    {
        QFETCH(QJsonObject, entry);
        QFETCH(QJsonObject, image);
        const QString model = entry["model"].toString();
        const QString name = image["name"].toString();
        Explainer explainer(model.toStdString(), entry["weights"].toString().toStdString());
        QCOMPARE(explainer.preprocessMode(), PreprocessMode::Tutorial); // the default
        explainer.setPreprocessMode(PreprocessMode::Model);
        const ModelTransform& t = explainer.preprocessing().model;
        QCOMPARE(t.resizeSize, entry["resize_size"].toInt());
        QCOMPARE(t.cropHeight, entry["crop_size"].toInt());
        QCOMPARE(QString::fromStdString(interpolationName(t.interpolation)), entry["interpolation"].toString());

        const StateDict reference =
            readCheckpoint((fixture() + "/" + model + "_expected.safetensors").toStdString());
        const torch::Tensor want = expected(reference, ("input|" + name).toStdString());
        const torch::Tensor input = preprocessImage(loadImage(image["path"].toString().toStdString()).rgb,
                                                    explainer.preprocessing());
        QCOMPARE(input.sizes().vec(), want.sizes().vec());
        const double inputError = (unnormalised(input, explainer.preprocessing()) -
                                   unnormalised(want, explainer.preprocessing()))
                                      .abs()
                                      .max()
                                      .item<double>();
        qInfo("%s %s: input (before Normalize) max difference %g", qPrintable(model), qPrintable(name), inputError);
        QVERIFY2(inputError <= 1.0 / 255 + 1e-6, qPrintable(QString("input off by %1").arg(inputError)));

        // Logits and the map on the same tensor.
        auto session = explainer.explainTensor(want);
        const int top1 = image["top1"].toInt();
        const double logitError = worstError(session->logits(), expected(reference, ("logits|" + name).toStdString()));
        QVERIFY2(logitError < 1e-4, qPrintable(QString("logits off by %1").arg(logitError)));
        const double mapError = (mapTensor(session->gradCam(top1).map) -
                                 expected(reference, ("cam|" + name).toStdString()))
                                    .abs()
                                    .max()
                                    .item<double>();
        qInfo("%s %s: logits %g, map %g", qPrintable(model), qPrintable(name), logitError, mapError);
        QVERIFY2(mapError < 1e-4, qPrintable(QString("map off by %1").arg(mapError)));
        // End to end from the file: the same top-1.
        QCOMPARE(explainer.explainTensor(input)->topK(1).front().index, top1);
    }

    void realWeightsTopClasses()
    {
        const QJsonValue real = manifest()["realweights"];
        if (!real.isObject())
            QSKIP("resources/models/squeezenet1_1-imagenet.pth is absent: real-weights checks skipped");
        const std::string weights = real["weights"].toString().toStdString();
        Explainer tutorial("squeezenet1_1", weights);
        Explainer own("squeezenet1_1", weights);
        own.setPreprocessMode(PreprocessMode::Model);
        int top1Agree[2] = {0, 0}, top5Agree[2] = {0, 0}, images = 0, crossTop1 = 0;
        for (const auto& value : real["images"].toArray()) {
            const QJsonObject row = value.toObject();
            const cv::Mat rgb = loadImage(row["path"].toString().toStdString()).rgb;
            const std::vector<int> ours[2] = {ourTop5(tutorial, rgb), ourTop5(own, rgb)};
            const std::vector<int> theirs[2] = {indices(row["tutorial"].toArray()), indices(row["model"].toArray())};
            for (int m = 0; m < 2; ++m) {
                top1Agree[m] += ours[m][0] == theirs[m][0];
                top5Agree[m] += ours[m] == theirs[m];
                qInfo("%-15s %-8s ours %-24s torchvision %-24s top-5 overlap %d/5", qPrintable(row["name"].toString()),
                      m ? "model" : "tutorial", qPrintable(joined(ours[m])), qPrintable(joined(theirs[m])),
                      overlap(ours[m], theirs[m]));
                QCOMPARE(ours[m][0], theirs[m][0]);
                QVERIFY(overlap(ours[m], theirs[m]) >= 4);
            }
            crossTop1 += ours[0][0] == ours[1][0];
            qInfo("%-15s tutorial vs model: top-1 %s, top-5 overlap %d/5", qPrintable(row["name"].toString()),
                  ours[0][0] == ours[1][0] ? "same" : "differs", overlap(ours[0], ours[1]));
            ++images;
        }
        qInfo("agreement with torchvision over %d photos: tutorial top-1 %d, top-5 (same order) %d; "
              "model top-1 %d, top-5 %d; tutorial and model share top-1 on %d",
              images, top1Agree[0], top5Agree[0], top1Agree[1], top5Agree[1], crossTop1);
    }

    void sidecarKeys()
    {
        QTemporaryDir dir;
        const QString model = dir.path() + "/net.pt";
        auto write = [&](const QByteArray& json) {
            QFile file(dir.path() + "/net.json");
            QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
            file.write(json);
        };
        write(R"({"input_size": 240, "preprocess": "model", "resize_size": 255, "crop_size": [240, 240],
                  "interpolation": "bicubic"})");
        ModelSidecar sidecar = readModelSidecar(model.toStdString());
        QCOMPARE(sidecar.preprocessing.mode, PreprocessMode::Model);
        QVERIFY(sidecar.preprocessNamed);
        QVERIFY((sidecar.preprocessing.model == ModelTransform{255, 240, 240, ResizeInterpolation::Bicubic}));
        write(R"({"input_size": [224, 224]})");
        sidecar = readModelSidecar(model.toStdString());
        QCOMPARE(sidecar.preprocessing.mode, PreprocessMode::Tutorial);
        QVERIFY((sidecar.preprocessing.model == ModelTransform{256, 224, 224, ResizeInterpolation::Bilinear}));
        for (const QByteArray& bad : {QByteArray(R"({"preprocess": "crop"})"), QByteArray(R"({"interpolation": "nearest"})"),
                                      QByteArray(R"({"resize_size": 0})"), QByteArray(R"({"crop": 224})")}) {
            write(bad);
            try {
                readModelSidecar(model.toStdString());
                QFAIL(qPrintable("accepted " + bad));
            } catch (const InputError& error) {
                QVERIFY2(!QString(error.what()).contains('\n'), error.what());
            }
        }
    }

    void cliPreprocessOption()
    {
        const QString demo = test::sourceDir() + "/resources/demo/cat_and_coffee.jpg";
        const QJsonObject m = manifest()["models"].toArray()[0].toObject(); // resnet18, random-init
        const QString weights = m["weights"].toString();
        QTemporaryDir dir;
        const QString overlay = dir.path() + "/model.png";
        auto result = test::runProcess(cli(), {"--image", demo, "--weights", weights, "--preprocess", "model",
                                               "--json", "--overlay", overlay});
        QVERIFY2(result.exitCode == 0, result.err.constData());
        const QJsonObject line = QJsonDocument::fromJson(result.out.split('\n').first()).object();
        QCOMPARE(line["preprocess"].toString(), QString("model"));
        QCOMPARE(line["transform"].toObject()["resize_size"].toInt(), 256);
        QCOMPARE(line["transform"].toObject()["interpolation"].toString(), QString("bilinear"));
        const QJsonObject crop = line["transform"].toObject()["crop"].toObject();
        QVERIFY(qAbs(crop["x"].toDouble() - 272.0 * 1201 / 768) < 1e-9);
        QCOMPARE(line["class_index"].toInt(), m["images"].toArray()[0].toObject()["top1"].toInt());
        // Outside the crop the overlay is the photo at half brightness.
        const cv::Mat written = test::readRgb(overlay);
        const cv::Mat photo = loadImage(demo.toStdString()).rgb;
        QCOMPARE(written.size(), photo.size());
        const cv::Vec3b a = written.at<cv::Vec3b>(200, 5), b = photo.at<cv::Vec3b>(200, 5);
        for (int c = 0; c < 3; ++c)
            QVERIFY(qAbs(int(a[c]) - int(cvRound(b[c] * 0.5))) <= 1);

        result = test::runProcess(cli(), {"--image", demo, "--weights", weights, "--json"});
        QVERIFY2(result.exitCode == 0, result.err.constData());
        QCOMPARE(QJsonDocument::fromJson(result.out.split('\n').first()).object()["preprocess"].toString(),
                 QString("tutorial"));

        result = test::runProcess(cli(), {"--image", demo, "--preprocess", "centre"});
        QCOMPARE(result.exitCode, 2);
        QCOMPARE(result.err.trimmed().count('\n'), 0);
        QVERIFY(result.err.contains("tutorial, model"));
    }
};

QTEST_GUILESS_MAIN(TestPreprocess)
#include "tst_preprocess.moc"
