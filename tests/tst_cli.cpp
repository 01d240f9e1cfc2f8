// gradcam-cli as a script would use it: exit codes, one-line errors, JSON
// lines, overlay files (compared with the tutorial's own Python overlay).
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "testsupport.h"

using namespace gce;

namespace {
QString cli() { return QStringLiteral(GCE_CLI); }
QString demo(const QString& name) { return test::sourceDir() + "/resources/demo/" + name; }
QString weights(const QString& model) { return test::fixturesDir("engine") + "/" + model + ".pth"; }

test::ProcessResult run(const QStringList& args) { return test::runProcess(cli(), args, 300000); }

QList<QJsonObject> jsonLines(const QByteArray& out)
{
    QList<QJsonObject> lines;
    for (const QByteArray& line : out.split('\n'))
        if (!line.trimmed().isEmpty())
            lines.append(QJsonDocument::fromJson(line).object());
    return lines;
}

void writeFile(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(bytes);
}

QByteArray readFile(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}
} // namespace

class TestCli : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(weights("resnet18")), "engine fixture missing");
        QVERIFY(m_dir.isValid());
    }

    void jsonLinesShareOneSession()
    {
        const auto r = run({"--image", demo("cat_and_coffee.jpg"), "--weights", weights("resnet18"), "--class",
                            "285", "--class", "espresso", "--json", "--top-k", "3"});
        QCOMPARE(r.exitCode, 0);
        const auto lines = jsonLines(r.out);
        QCOMPARE(lines.size(), 2);
        QCOMPARE(lines[0]["class_index"].toInt(), 285);
        QCOMPARE(lines[0]["class_name"].toString(), QString("Egyptian cat"));
        QCOMPARE(lines[1]["class_index"].toInt(), 967);
        QCOMPARE(lines[0]["layer"].toString(), QString("layer4.1.conv2"));
        QCOMPARE(lines[0]["model"].toString(), QString("resnet18"));
        QVERIFY(!lines[0]["reused_session"].toBool());
        QVERIFY(lines[1]["reused_session"].toBool());
        QCOMPARE(lines[1]["timings_ms"].toObject()["forward"].toDouble(), 0.0);
        QVERIFY(lines[0]["timings_ms"].toObject()["forward"].toDouble() > 0.0);
        const auto top = lines[0]["top_k"].toArray();
        QCOMPARE(top.size(), 3);
        QVERIFY(top[0].toObject()["probability"].toDouble() >= top[1].toObject()["probability"].toDouble());
        const QJsonObject heatmap = lines[0]["heatmap"].toObject();
        QCOMPARE(heatmap["height"].toInt(), 7);
        QCOMPARE(heatmap["width"].toInt(), 7);
        const QJsonArray values = heatmap["values"].toArray();
        QCOMPARE(values.size(), 49);
        double maximum = 0;
        for (const auto& v : values) {
            QVERIFY(v.toDouble() >= 0.0 && v.toDouble() <= 1.0);
            maximum = std::max(maximum, v.toDouble());
        }
        QVERIFY(lines[0]["empty"].toBool() ? maximum == 0.0 : std::abs(maximum - 1.0) < 1e-6);
    }

    void overlayMatchesTheTutorial()
    {
        const QString ours = m_dir.filePath("ours.png");
        const QString theirs = m_dir.filePath("tutorial.png");
        const auto r = run({"--image", demo("cat_and_coffee.jpg"), "--weights", weights("resnet18"), "--class",
                            "285", "--overlay", ours});
        QCOMPARE(r.exitCode, 0);
        const auto oracle =
            test::runOracle("tutorial_overlay.py", {"resnet18", weights("resnet18"), demo("cat_and_coffee.jpg"),
                                                    "285", theirs});
        QVERIFY2(oracle.exitCode == 0, oracle.err.constData());
        const cv::Mat a = cv::imread(ours.toStdString());
        const cv::Mat b = cv::imread(theirs.toStdString());
        QCOMPARE(a.size(), b.size());
        QCOMPARE(a.cols, 1201);
        cv::Mat diff;
        cv::absdiff(a, b, diff);
        const double meanDiff = cv::mean(diff.reshape(1))[0];
        double maxDiff = 0;
        cv::minMaxLoc(diff.reshape(1), nullptr, &maxDiff);
        qInfo("overlay vs tutorial: mean %.4f, max %.0f grey levels", meanDiff, maxDiff);
        QVERIFY(meanDiff <= 1.0);
    }

    void outDirAndListings()
    {
        const auto r = run({demo("chelsea.jpg"), demo("coffee.jpg"), "--weights", weights("squeezenet1_1"),
                            "--model", "squeezenet1_1", "--out-dir", m_dir.path(), "--colormap", "viridis"});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(QDir(m_dir.path()).entryList({"chelsea_*.png"}).size(), 1);
        QCOMPARE(QDir(m_dir.path()).entryList({"coffee_*.png"}).size(), 1);
        QVERIFY(r.out.contains("top-5"));

        const auto layers = run({"--list-layers", "--weights", "none"});
        QCOMPARE(layers.exitCode, 0);
        QVERIFY(layers.out.contains("layer4.1.conv2"));
        QVERIFY(layers.out.contains("(default)"));
        QVERIFY(layers.out.contains("1x512x7x7"));
        QVERIFY(layers.err.contains("untrained"));
    }

    void methodsContrastAndCounterfactual()
    {
        const auto listing = run({"--list-methods"});
        QCOMPARE(listing.exitCode, 0);
        for (const char* name : {"gradcam", "gradcam++", "xgradcam", "hirescam", "layercam", "eigencam"})
            QVERIFY(listing.out.contains(name));
        const auto r = run({"--image", demo("chelsea.jpg"), "--weights", weights("resnet18"), "--class", "285",
                            "--method", "layercam", "--contrast", "tabby", "--json"});
        QCOMPARE(r.exitCode, 0);
        const auto lines = jsonLines(r.out);
        QCOMPARE(lines.size(), 1);
        QCOMPARE(lines[0]["method"].toString(), QString("layercam"));
        QCOMPARE(lines[0]["contrast_class_index"].toInt(), 281);
        QVERIFY(!lines[0]["counterfactual"].toBool());
        const auto against = run({"--image", demo("chelsea.jpg"), "--weights", weights("resnet18"), "--class",
                                  "285", "--counterfactual", "--json"});
        QCOMPARE(against.exitCode, 0);
        QVERIFY(jsonLines(against.out)[0]["counterfactual"].toBool());
        QVERIFY(jsonLines(against.out)[0]["heatmap"].toObject()["values"] !=
                jsonLines(run({"--image", demo("chelsea.jpg"), "--weights", weights("resnet18"), "--class", "285",
                               "--json"}).out)[0]["heatmap"].toObject()["values"]);
    }

    void missingWeightsSaysHowToGetThem()
    {
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("TORCH_HOME", m_dir.filePath("empty-torch-home"));
        process.setProcessEnvironment(env);
        process.start(cli(), {"--image", demo("chelsea.jpg")});
        QVERIFY(process.waitForFinished(120000));
        QCOMPARE(process.exitCode(), 3);
        const QByteArray err = process.readAllStandardError();
        QVERIFY(err.contains("resnet18-f37072fd.pth"));
        QVERIFY(err.contains("--weights"));
        QCOMPARE(err.count('\n'), 1);
    }

    void badInputs_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");
        QTest::newRow("missing file") << "missing" << 3 << "no-such-file.jpg";
        QTest::newRow("empty file") << "empty" << 3 << "empty.jpg";
        QTest::newRow("truncated jpeg") << "truncated" << 3 << "truncated.jpg";
        QTest::newRow("text named png") << "text" << 3 << "text.png";
        QTest::newRow("truncated checkpoint") << "badweights" << 3 << "truncated.pth";
        QTest::newRow("wrong architecture weights") << "wrongweights" << 3 << "unexpected key";
        QTest::newRow("unknown layer") << "layer" << 2 << "unknown layer \"layer9\"";
        QTest::newRow("class 1000") << "class1000" << 2 << "out of range";
        QTest::newRow("unknown label") << "label" << 2 << "unknown class \"no such label\"";
        QTest::newRow("unknown model") << "model" << 2 << "unknown model";
        QTest::newRow("unknown option") << "option" << 2 << "unknown option --frobnicate";
        QTest::newRow("bad alpha") << "alpha" << 2 << "--alpha";
        QTest::newRow("unknown colormap") << "colormap" << 2 << "unknown colormap";
        QTest::newRow("unknown method") << "method" << 2 << "unknown method \"scorecam9\"";
        QTest::newRow("unknown contrast class") << "contrast" << 2 << "unknown class \"no such\"";
        QTest::newRow("unwritable overlay") << "unwritable" << 3 << "cannot write";
    }

    void badInputs()
    {
        QFETCH(QString, kind);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        const QString image = demo("chelsea.jpg");
        const QString w = weights("resnet18");
        QStringList args{"--image", image, "--weights", w};
        if (kind == "missing") {
            args = QStringList{"--image", m_dir.filePath("no-such-file.jpg"), "--weights", w};
        } else if (kind == "empty") {
            writeFile(m_dir.filePath("empty.jpg"), {});
            args[1] = m_dir.filePath("empty.jpg");
        } else if (kind == "truncated") {
            const QByteArray jpeg = readFile(image);
            writeFile(m_dir.filePath("truncated.jpg"), jpeg.left(jpeg.size() / 2));
            args[1] = m_dir.filePath("truncated.jpg");
        } else if (kind == "text") {
            writeFile(m_dir.filePath("text.png"), "this is not an image\n");
            args[1] = m_dir.filePath("text.png");
        } else if (kind == "badweights") {
            const QByteArray pth = readFile(w);
            writeFile(m_dir.filePath("truncated.pth"), pth.left(pth.size() / 3));
            args[3] = m_dir.filePath("truncated.pth");
        } else if (kind == "wrongweights") {
            args[3] = weights("resnet34");
        } else if (kind == "layer") {
            args << "--layer" << "layer9";
        } else if (kind == "class1000") {
            args << "--class" << "1000";
        } else if (kind == "label") {
            args << "--class" << "no such label";
        } else if (kind == "model") {
            args << "--model" << "resnet9";
        } else if (kind == "option") {
            args << "--frobnicate";
        } else if (kind == "alpha") {
            args << "--alpha" << "1.5";
        } else if (kind == "colormap") {
            args << "--colormap" << "rainbow";
        } else if (kind == "method") {
            args << "--method" << "scorecam9";
        } else if (kind == "contrast") {
            args << "--contrast" << "no such";
        } else if (kind == "unwritable") {
            args << "--overlay" << m_dir.filePath("no-such-dir/out.png");
        }
        const auto r = run(args);
        QCOMPARE(r.exitCode, exitCode);
        QVERIFY2(r.err.contains(message.toUtf8()), r.err.constData());
        QCOMPARE(r.err.count('\n'), 1); // exactly one readable line
        QVERIFY(r.err.startsWith("gradcam-cli: "));
    }

private:
    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
