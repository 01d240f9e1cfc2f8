// loadImage / decodeImage: decoded pixels against Pillow (or the documented
// formulas for 16-bit and alpha), and the one-line errors for bad files.
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <optional>
#include <string>

#include <unistd.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/errors.h"
#include "core/imaging/imageloader.h"
#include "testsupport.h"

namespace {

QString loaderDir() { return gce::test::fixturesDir(QStringLiteral("images")) + QStringLiteral("/loader"); }

QJsonObject readCases() { return gce::test::readJson(loaderDir() + QStringLiteral("/cases.json")).object(); }

std::vector<std::uint8_t> readBytes(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QByteArray all = file.readAll();
    return {all.begin(), all.end()};
}

// The ImageError message thrown by f, or nothing if f did not throw. Any other
// exception escapes and fails the test.
template <typename F>
std::optional<QString> imageErrorFrom(F&& f)
{
    try {
        f();
    } catch (const gce::ImageError& e) {
        return QString::fromStdString(e.what());
    }
    return std::nullopt;
}

// Checks the common shape of every message: one line, `cannot read image
// "<name>": <reason>`.
void verifyMessage(const std::optional<QString>& message, const QString& name, const QString& reason)
{
    QVERIFY2(message.has_value(), "no gce::ImageError thrown");
    QVERIFY2(!message->contains('\n'), qPrintable("not one line: " + *message));
    QVERIFY2(message->startsWith(QStringLiteral("cannot read image \"%1\": ").arg(name)),
             qPrintable("does not name the file: " + *message));
    QVERIFY2(message->contains(reason), qPrintable("reason \"" + reason + "\" missing in: " + *message));
}

} // namespace

class TestImageLoader : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { QVERIFY2(!readCases().isEmpty(), "fixture missing: run ctest (fixture_images) first"); }

    void decodesLikeTheOracle_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<int>("channels");
        QTest::addColumn<int>("depth");
        QTest::addColumn<bool>("alpha");
        QTest::addColumn<int>("tolerance");
        for (const QJsonValue& value : readCases().value(QStringLiteral("good")).toArray()) {
            const QJsonObject c = value.toObject();
            const QString file = c.value(QStringLiteral("file")).toString();
            QTest::newRow(file.toUtf8().constData())
                << file << c.value(QStringLiteral("expected")).toString() << c.value(QStringLiteral("channels")).toInt()
                << c.value(QStringLiteral("depth")).toInt() << c.value(QStringLiteral("alpha")).toBool()
                << c.value(QStringLiteral("tolerance")).toInt();
        }
    }

    void decodesLikeTheOracle()
    {
        QFETCH(QString, file);
        QFETCH(QString, expected);
        QFETCH(int, channels);
        QFETCH(int, depth);
        QFETCH(bool, alpha);
        QFETCH(int, tolerance);

        const std::string path = (loaderDir() + '/' + file).toStdString();
        const gce::LoadedImage image = gce::loadImage(path);
        cv::Mat reference = cv::imread((loaderDir() + '/' + expected).toStdString(), cv::IMREAD_COLOR);
        QVERIFY(!reference.empty());
        cv::cvtColor(reference, reference, cv::COLOR_BGR2RGB);

        QCOMPARE(image.rgb.type(), CV_8UC3);
        QVERIFY(image.rgb.isContinuous());
        QCOMPARE(image.rgb.cols, reference.cols);
        QCOMPARE(image.rgb.rows, reference.rows);
        cv::Mat diff;
        cv::absdiff(image.rgb, reference, diff);
        double maxDiff = 0;
        cv::minMaxLoc(diff.reshape(1), nullptr, &maxDiff);
        if (maxDiff > 0)
            qInfo("%s: max abs diff %.0f (tolerance %d)", qPrintable(file), maxDiff, tolerance);
        QVERIFY2(maxDiff <= tolerance, qPrintable(QStringLiteral("max abs diff %1").arg(maxDiff)));
        QCOMPARE(image.source, path);
        QCOMPARE(image.sourceChannels, channels);
        QCOMPARE(image.sourceBitDepth, depth);
        QCOMPARE(image.hadAlpha, alpha);
    }

    void refusesBadFiles_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("reason");
        for (const QJsonValue& value : readCases().value(QStringLiteral("bad")).toArray()) {
            const QJsonObject c = value.toObject();
            const QString file = c.value(QStringLiteral("file")).toString();
            QTest::newRow(file.toUtf8().constData()) << file << c.value(QStringLiteral("reason")).toString();
        }
    }

    void refusesBadFiles()
    {
        QFETCH(QString, file);
        QFETCH(QString, reason);
        const QString path = loaderDir() + '/' + file;
        verifyMessage(imageErrorFrom([&] { gce::loadImage(path.toStdString()); }), path, reason);
        // The same bytes from memory give the same reason under the given name.
        verifyMessage(imageErrorFrom([&] { gce::decodeImage(readBytes(path), "upload"); }), QStringLiteral("upload"),
                      reason);
    }

    void decodeImageMatchesLoadImage()
    {
        const QString path = loaderDir() + QStringLiteral("/orientation6.jpg");
        const gce::LoadedImage fromFile = gce::loadImage(path.toStdString());
        const gce::LoadedImage fromMemory = gce::decodeImage(readBytes(path), "camera.jpg");
        QCOMPARE(fromMemory.source, std::string("camera.jpg"));
        QCOMPARE(cv::norm(fromFile.rgb, fromMemory.rgb, cv::NORM_INF), 0.0);
    }

    // Data after the end-of-image marker (phones append some) is ignored.
    void ignoresDataAfterJpegEnd()
    {
        const QString path = loaderDir() + QStringLiteral("/photo_q90.jpg");
        std::vector<std::uint8_t> bytes = readBytes(path);
        const gce::LoadedImage plain = gce::decodeImage(bytes, "plain.jpg");
        const std::string trailer = "\xFF\xD8 trailing bytes, not part of the image";
        bytes.insert(bytes.end(), trailer.begin(), trailer.end());
        const gce::LoadedImage withTrailer = gce::decodeImage(bytes, "trailer.jpg");
        QCOMPARE(cv::norm(plain.rgb, withTrailer.rgb, cv::NORM_INF), 0.0);
    }

    void missingFile()
    {
        const QString path = QDir::tempPath() + QStringLiteral("/gce-no-such-image-4b1d.png");
        verifyMessage(imageErrorFrom([&] { gce::loadImage(path.toStdString()); }), path,
                      QStringLiteral("file not found"));
    }

    void directory()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        verifyMessage(imageErrorFrom([&] { gce::loadImage(dir.path().toStdString()); }), dir.path(),
                      QStringLiteral("it is a directory"));
    }

    void unreadableFile()
    {
        if (::geteuid() == 0)
            QSKIP("running as root: file permissions are not enforced");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("secret.png"));
        QVERIFY(QFile::copy(loaderDir() + QStringLiteral("/photo.png"), path));
        QVERIFY(QFile::setPermissions(path, QFileDevice::Permissions()));
        verifyMessage(imageErrorFrom([&] { gce::loadImage(path.toStdString()); }), path,
                      QStringLiteral("permission denied"));
    }

    void emptyBuffer()
    {
        verifyMessage(imageErrorFrom([] { gce::decodeImage({}, "clipboard"); }), QStringLiteral("clipboard"),
                      QStringLiteral("file is empty"));
    }

    // A control character in the name must not split the message.
    void messageStaysOnOneLine()
    {
        const std::vector<std::uint8_t> text{'h', 'e', 'l', 'l', 'o'};
        verifyMessage(imageErrorFrom([&] { gce::decodeImage(text, "two\nlines.png"); }),
                      QStringLiteral("two?lines.png"), QStringLiteral("not an image"));
    }

    void isAnInputError()
    {
        bool caught = false;
        try {
            gce::decodeImage({}, "x");
        } catch (const gce::InputError&) {
            caught = true;
        }
        QVERIFY(caught);
    }
};

QTEST_GUILESS_MAIN(TestImageLoader)
#include "tst_imageloader.moc"
