// Overlays against the Grad-CAM tutorial's cv2 code, run by the fixture.
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QtTest>

#include <cmath>
#include <cstring>
#include <limits>
#include <set>
#include <stdexcept>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/imaging/overlay.h"
#include "imagetestsupport.h"
#include "testsupport.h"

namespace {

QString overlayDir() { return gce::test::fixturesDir(QStringLiteral("images")) + QStringLiteral("/overlay"); }

QJsonObject readCases() { return gce::test::readJson(overlayDir() + QStringLiteral("/cases.json")).object(); }

using gce::test::readRgb;

// A 2-D little-endian float32 .npy in C order, as numpy.save writes it.
cv::Mat readNpyFloat32(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QByteArray all = file.readAll();
    if (!all.startsWith("\x93NUMPY") || all.size() < 10)
        return {};
    const auto byte = [&](int i) { return static_cast<int>(static_cast<unsigned char>(all[i])); };
    const bool version1 = byte(6) == 1;
    const int headerLength =
        byte(8) | byte(9) << 8 | (version1 ? 0 : byte(10) << 16 | byte(11) << 24);
    const int dataOffset = (version1 ? 10 : 12) + headerLength;
    const QString header = QString::fromLatin1(all.mid(version1 ? 10 : 12, headerLength));
    const QRegularExpressionMatch shape =
        QRegularExpression(QStringLiteral("'shape': \\((\\d+), (\\d+)\\)")).match(header);
    if (!header.contains(QStringLiteral("'descr': '<f4'")) || header.contains(QStringLiteral("'fortran_order': True"))
        || !shape.hasMatch())
        return {};
    cv::Mat map(shape.captured(1).toInt(), shape.captured(2).toInt(), CV_32FC1);
    if (all.size() < dataOffset + static_cast<qsizetype>(map.total() * sizeof(float)))
        return {};
    std::memcpy(map.data, all.constData() + dataOffset, map.total() * sizeof(float));
    return map;
}

double maxAbsDiff(const cv::Mat& a, const cv::Mat& b) { return cv::norm(a, b, cv::NORM_INF); }

gce::Colormap colormapNamed(const QString& name)
{
    const auto map = gce::colormapFromName(name.toStdString());
    return map ? *map : throw std::invalid_argument("unknown colormap " + name.toStdString());
}

} // namespace

class TestOverlay : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { QVERIFY2(!readCases().isEmpty(), "fixture missing: run ctest (fixture_images) first"); }

    void matchesTutorial_data()
    {
        QTest::addColumn<QString>("image");
        QTest::addColumn<QString>("map");
        QTest::addColumn<QString>("colormap");
        QTest::addColumn<double>("alpha");
        QTest::addColumn<QString>("expected");
        for (const QJsonValue& value : readCases().value(QStringLiteral("overlays")).toArray()) {
            const QJsonObject c = value.toObject();
            const QString expected = c.value(QStringLiteral("expected")).toString();
            QTest::newRow(expected.toUtf8().constData())
                << c.value(QStringLiteral("image")).toString() << c.value(QStringLiteral("map")).toString()
                << c.value(QStringLiteral("colormap")).toString() << c.value(QStringLiteral("alpha")).toDouble()
                << expected;
        }
    }

    void matchesTutorial()
    {
        QFETCH(QString, image);
        QFETCH(QString, map);
        QFETCH(QString, colormap);
        QFETCH(double, alpha);
        QFETCH(QString, expected);
        const cv::Mat rgb = readRgb(overlayDir() + '/' + image);
        const cv::Mat cam = readNpyFloat32(overlayDir() + '/' + map);
        const cv::Mat reference = readRgb(overlayDir() + '/' + expected);
        QVERIFY(!rgb.empty() && !cam.empty() && !reference.empty());

        const cv::Mat ours = gce::renderOverlay(rgb, cam, colormapNamed(colormap), alpha);
        QCOMPARE(ours.type(), CV_8UC3);
        QCOMPARE(ours.size(), rgb.size());
        const double diff = maxAbsDiff(ours, reference);
        QVERIFY2(diff == 0, qPrintable(QStringLiteral("max abs diff %1 from the tutorial's cv2 overlay").arg(diff)));
    }

    void colormapBarMatches_data()
    {
        QTest::addColumn<QString>("colormap");
        QTest::addColumn<QSize>("size");
        QTest::addColumn<QString>("expected");
        for (const QJsonValue& value : readCases().value(QStringLiteral("bars")).toArray()) {
            const QJsonObject c = value.toObject();
            const QString colormap = c.value(QStringLiteral("colormap")).toString();
            const QSize size(c.value(QStringLiteral("width")).toInt(), c.value(QStringLiteral("height")).toInt());
            QTest::newRow(colormap.toUtf8().constData())
                << colormap << size << c.value(QStringLiteral("expected")).toString();
        }
    }

    void colormapBarMatches()
    {
        QFETCH(QString, colormap);
        QFETCH(QSize, size);
        QFETCH(QString, expected);
        const cv::Mat bar = gce::colormapBar(colormapNamed(colormap), size.width(), size.height());
        const cv::Mat reference = readRgb(overlayDir() + '/' + expected);
        QVERIFY(!reference.empty());
        QCOMPARE(bar.cols, size.width());
        QCOMPARE(bar.rows, size.height());
        QCOMPARE(maxAbsDiff(bar, reference), 0.0);
    }

    void colormapNames()
    {
        const std::vector<gce::Colormap> maps = gce::allColormaps();
        QCOMPARE(maps.size(), std::size_t(6));
        QCOMPARE(maps.front(), gce::Colormap::Jet); // the tutorial's, listed first
        std::set<std::string> names;
        for (gce::Colormap map : maps) {
            const std::string name = gce::colormapName(map);
            names.insert(name);
            QCOMPARE(gce::colormapFromName(name), std::optional<gce::Colormap>(map));
        }
        QCOMPARE(names, (std::set<std::string>{"jet", "turbo", "viridis", "inferno", "magma", "gray"}));
        QCOMPARE(gce::colormapFromName("JET"), std::optional<gce::Colormap>(gce::Colormap::Jet));
        QCOMPARE(gce::colormapFromName("Viridis"), std::optional<gce::Colormap>(gce::Colormap::Viridis));
        QVERIFY(!gce::colormapFromName("rainbow"));
        QVERIFY(!gce::colormapFromName(""));
        QVERIFY(!gce::colormapFromName("jet "));
    }

    // np.uint8(255 * v) truncates: 0.999 -> 254, 0.004 -> 1, 0.0039 -> 0.
    void quantisesByTruncation()
    {
        const float values[] = {0.0f, 0.0039f, 0.004f, 0.5f, 0.999f, 1.0f};
        const int expected[] = {0, 0, 1, 127, 254, 255};
        const cv::Mat map(1, 6, CV_32FC1, const_cast<float*>(values));
        const cv::Mat grey = gce::colorizeHeatmap(map, gce::Colormap::Gray);
        for (int i = 0; i < 6; ++i) {
            const cv::Vec3b pixel = grey.at<cv::Vec3b>(0, i);
            QCOMPARE(int(pixel[0]), expected[i]);
            QCOMPARE(int(pixel[1]), expected[i]);
            QCOMPARE(int(pixel[2]), expected[i]);
        }
    }

    // Out-of-range values clamp; NaN counts as 0.
    void clampsOutOfRange()
    {
        const float values[] = {-0.5f, std::numeric_limits<float>::quiet_NaN(), 0.0f, 1.0f, 1.5f,
                                std::numeric_limits<float>::infinity()};
        const cv::Mat map(1, 6, CV_32FC1, const_cast<float*>(values));
        for (gce::Colormap colormap : gce::allColormaps()) {
            const cv::Mat rgb = gce::colorizeHeatmap(map, colormap);
            const cv::Vec3b low = rgb.at<cv::Vec3b>(0, 2);
            const cv::Vec3b high = rgb.at<cv::Vec3b>(0, 3);
            QVERIFY(low != high);
            QCOMPARE(rgb.at<cv::Vec3b>(0, 0), low);
            QCOMPARE(rgb.at<cv::Vec3b>(0, 1), low);
            QCOMPARE(rgb.at<cv::Vec3b>(0, 4), high);
            QCOMPARE(rgb.at<cv::Vec3b>(0, 5), high);
        }
    }

    // Jet runs from dark blue to dark red; in RGB order, not OpenCV's BGR.
    void colorsAreRgb()
    {
        const cv::Mat bar = gce::colormapBar(gce::Colormap::Jet, 2, 1);
        const cv::Vec3b low = bar.at<cv::Vec3b>(0, 0);
        const cv::Vec3b high = bar.at<cv::Vec3b>(0, 1);
        QVERIFY2(low[2] > 100 && low[0] == 0, "the low end of jet should be blue");
        QVERIFY2(high[0] > 100 && high[2] == 0, "the high end of jet should be red");
    }

    void blendEndpoints()
    {
        cv::Mat image(5, 7, CV_8UC3, cv::Scalar(10, 200, 30));
        cv::Mat heat(5, 7, CV_8UC3, cv::Scalar(250, 0, 120));
        QCOMPARE(maxAbsDiff(gce::blendOverlay(image, heat, 0.0), image), 0.0);
        QCOMPARE(maxAbsDiff(gce::blendOverlay(image, heat, 1.0), heat), 0.0);
        // 0.6 * 10 + 0.4 * 250 = 106, 0.6 * 200 = 120, 0.6 * 30 + 0.4 * 120 = 66
        QCOMPARE(gce::blendOverlay(image, heat, 0.4).at<cv::Vec3b>(2, 3), cv::Vec3b(106, 120, 66));
    }

    void rejectsBadArguments()
    {
        const cv::Mat image(4, 4, CV_8UC3, cv::Scalar::all(0));
        const cv::Mat map(2, 2, CV_32FC1, cv::Scalar(0.5));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, gce::blendOverlay(image, image, -0.1));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, gce::blendOverlay(image, image, 1.1));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 gce::blendOverlay(image, image, std::numeric_limits<double>::quiet_NaN()));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, gce::blendOverlay(image, cv::Mat(4, 5, CV_8UC3), 0.4));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, gce::blendOverlay(image, cv::Mat(4, 4, CV_8UC4), 0.4));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 gce::renderOverlay(image, cv::Mat(2, 2, CV_64FC1), gce::Colormap::Jet));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, gce::renderOverlay(image, cv::Mat(), gce::Colormap::Jet));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, gce::renderOverlay(cv::Mat(), map, gce::Colormap::Jet));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, gce::resizeHeatmap(map, cv::Size(0, 3)));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, gce::colormapBar(gce::Colormap::Jet, 0, 10));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, gce::colormapBar(gce::Colormap::Jet, 10, 0));
    }
};

QTEST_GUILESS_MAIN(TestOverlay)
#include "tst_overlay.moc"
