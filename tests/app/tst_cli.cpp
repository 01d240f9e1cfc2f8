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

#include "core/models/modelspecs.h"
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

    // --region: one JSON line with the issue's fields, the top K by "here"
    // (the engine's ranking is checked against the oracle in tst_regionranking).
    void regionRanksClasses()
    {
        const auto r = run({"--image", demo("chelsea.jpg"), "--weights", weights("resnet18"), "--region",
                            "100,50,120,90", "--rank-classes", "4"});
        QCOMPARE(r.exitCode, 0);
        const auto lines = jsonLines(r.out);
        QCOMPARE(lines.size(), 1);
        const QJsonObject& line = lines[0];
        QCOMPARE(line["image"].toString(), demo("chelsea.jpg"));
        QCOMPARE(line["model"].toString(), QString("resnet18"));
        QCOMPARE(line["layer"].toString(), QString("layer4.1.conv2"));
        const QJsonObject region = line["region"].toObject();
        QCOMPARE(region["x"].toInt(), 100);
        QCOMPARE(region["y"].toInt(), 50);
        QCOMPARE(region["w"].toInt(), 120);
        QCOMPARE(region["h"].toInt(), 90);
        const QJsonArray classes = line["classes"].toArray();
        QCOMPARE(classes.size(), 4);
        for (int i = 0; i < classes.size(); ++i) {
            const QJsonObject c = classes[i].toObject();
            QVERIFY(c.contains("index") && !c["name"].toString().isEmpty());
            QVERIFY(c["share"].toDouble() >= 0.0 && c["share"].toDouble() <= 1.0);
            if (i > 0)
                QVERIFY(classes[i - 1].toObject()["here"].toDouble() >= c["here"].toDouble());
        }
        QVERIFY(classes[0].toObject()["here"].toDouble() > 0.0);
        QVERIFY(line["closed_form"].toBool());
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
        for (const char* name :
             {"gradcam", "gradcam++", "xgradcam", "hirescam", "layercam", "eigencam", "scorecam", "ablationcam"})
            QVERIFY(listing.out.contains(name));
        const auto ablation = run({"--image", demo("chelsea.jpg"), "--weights", weights("resnet18"), "--class", "285",
                                   "--method", "ablationcam", "--layer", "layer4", "--json"});
        QCOMPARE(ablation.exitCode, 0);
        QCOMPARE(jsonLines(ablation.out)[0]["method"].toString(), QString("ablationcam"));
        QCOMPARE(jsonLines(ablation.out)[0]["heatmap"].toObject()["values"].toArray().size(), 49);
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

    void metricsAddFaithfulnessScores()
    {
        const QStringList args{"--image", demo("chelsea.jpg"), "--weights", weights("resnet18"), "--class", "285"};
        const auto r = run(args + QStringList{"--json", "--metrics"});
        QCOMPARE(r.exitCode, 0);
        const auto lines = jsonLines(r.out);
        QCOMPARE(lines.size(), 1);
        const QJsonObject metrics = lines[0]["metrics"].toObject();
        for (const char* key : {"deletion", "insertion"}) {
            const QJsonArray curve = metrics[QString(key) + "_curve"].toArray();
            QCOMPARE(curve.size(), 51); // 50 steps
            double sum = 0;
            for (const auto& v : curve) {
                QVERIFY(v.isDouble() && v.toDouble() >= 0.0 && v.toDouble() <= 1.0);
                sum += v.toDouble();
            }
            // The AUC is the trapezoid rule over x in [0,1] of the printed curve.
            const double trapezoid = (sum - (curve.first().toDouble() + curve.last().toDouble()) / 2) / 50;
            const double auc = metrics[QString(key) + "_auc"].toDouble(-1);
            QVERIFY2(std::abs(auc - trapezoid) < 1e-9, key);
        }
        // Deletion starts from the untouched image: the reported probability.
        QVERIFY(std::abs(metrics["deletion_curve"].toArray().first().toDouble() -
                         lines[0]["probability"].toDouble()) < 1e-4);
        const double drop = metrics["average_drop"].toDouble(-1);
        QVERIFY(drop >= 0.0 && drop <= 100.0);
        QVERIFY(metrics["increase_in_confidence"].isBool());
        if (metrics["increase_in_confidence"].toBool())
            QCOMPARE(drop, 0.0);
        QVERIFY(lines[0]["timings_ms"].toObject()["metrics"].toDouble() > 0.0);

        const auto plain = run(args + QStringList{"--json"});
        QVERIFY(!jsonLines(plain.out)[0].contains("metrics"));
        const auto text = run(args + QStringList{"--metrics"});
        QCOMPARE(text.exitCode, 0);
        QVERIFY2(text.out.contains("faithfulness: deletion AUC "), text.out.constData());
    }

    void missingWeightsSaysHowToGetThem()
    {
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        // All three cache locations are searched: none may be the user's real one.
        env.insert("TORCH_HOME", m_dir.filePath("empty-torch-home"));
        env.insert("XDG_CACHE_HOME", m_dir.filePath("empty-xdg-cache"));
        env.insert("HOME", m_dir.filePath("empty-home"));
        process.setProcessEnvironment(env);
        process.start(cli(), {"--image", demo("chelsea.jpg")});
        QVERIFY(process.waitForFinished(120000));
        QCOMPARE(process.exitCode(), 3);
        const QByteArray err = process.readAllStandardError();
        QVERIFY(err.contains("resnet18-f37072fd.pth"));
        QVERIFY(err.contains("--weights"));
        QCOMPARE(err.count('\n'), 1);
    }

    void listModelsShowsWhereWeightsAre()
    {
        // A throw-away cache: TORCH_HOME with resnet18, ~/.cache with
        // squeezenet1_1, XDG_CACHE_HOME pointing nowhere (skipped). The files
        // are not weights at all: the listing goes by file name only.
        const QString torchHome = m_dir.filePath("list-models/torchhome/hub/checkpoints");
        const QString homeCache = m_dir.filePath("list-models/home/.cache/torch/hub/checkpoints");
        QVERIFY(QDir().mkpath(torchHome) && QDir().mkpath(homeCache));
        writeFile(torchHome + "/resnet18-f37072fd.pth", "not really weights");
        writeFile(homeCache + "/squeezenet1_1-b8a52dc0.pth", "not really weights");
        writeFile(homeCache + "/resnet34-b627a593.pth.part", "an unfinished download is not weights");

        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("TORCH_HOME", m_dir.filePath("list-models/torchhome"));
        env.insert("XDG_CACHE_HOME", m_dir.filePath("list-models/no-such-xdg"));
        env.insert("HOME", m_dir.filePath("list-models/home"));
        process.setProcessEnvironment(env);
        process.start(cli(), {"--list-models"});
        QVERIFY(process.waitForFinished(60000));
        QCOMPARE(process.exitCode(), 0);
        const QStringList lines =
            QString::fromUtf8(process.readAllStandardOutput()).split(u'\n', Qt::SkipEmptyParts);
        QVERIFY(lines.size() >= 2);
        // Both existing folders in search order (the missing XDG one skipped);
        // downloads go to torch.hub's choice.
        QCOMPARE(lines[0],
                 "weights searched in " + torchHome + ", " + homeCache + "; downloads go to " + torchHome);

        // A header, then one line per architecture, every column aligned with it.
        const QString header = lines[1];
        QVERIFY2(header.startsWith("model "), qPrintable(header));
        const qsizetype statusColumn = header.indexOf("weights");
        const qsizetype fileColumn = header.indexOf("file");
        QVERIFY(statusColumn > 0 && fileColumn > statusColumn);
        QMap<QString, QString> status, where;
        for (const QString& line : lines.mid(2)) {
            const QString name = line.left(statusColumn).trimmed();
            QVERIFY2(!status.contains(name), qPrintable(line)); // one line each
            QVERIFY2(line.at(statusColumn - 1) == u' ' && line.at(statusColumn) != u' ', qPrintable(line));
            QVERIFY2(line.at(fileColumn - 1) == u' ' && line.at(fileColumn) != u' ', qPrintable(line));
            status[name] = line.mid(statusColumn, fileColumn - statusColumn).trimmed();
            where[name] = line.mid(fileColumn);
        }
        QCOMPARE(qsizetype(status.size()), qsizetype(modelSpecs().size()));
        for (const auto& spec : modelSpecs()) {
            const QString name = QString::fromStdString(spec.name);
            QVERIFY2(status.contains(name), qPrintable(name));
            if (name == "resnet18" || name == "squeezenet1_1")
                continue;
            QCOMPARE(status[name], QString("missing"));
            QCOMPARE(where[name], QString::fromStdString(spec.weights.front().url));
        }
        QCOMPARE(status["resnet18"], QString("found"));
        QCOMPARE(where["resnet18"], torchHome + "/resnet18-f37072fd.pth");
        QCOMPARE(status["squeezenet1_1"], QString("found"));
        QCOMPARE(where["squeezenet1_1"], homeCache + "/squeezenet1_1-b8a52dc0.pth");
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
        QTest::newRow("score method with contrast") << "scorecontrast" << 2 << "need a gradient method";
        QTest::newRow("unwritable overlay") << "unwritable" << 3 << "cannot write";
        QTest::newRow("region of three numbers") << "region3" << 2 << "--region wants X,Y,W,H";
        QTest::newRow("region outside the image") << "regionoutside" << 2 << "lies outside the image (451×300)";
        QTest::newRow("region with a non-linear method") << "regionmethod" << 2 << "not offered for region ranking";
        QTest::newRow("rank-classes without region") << "rankonly" << 2 << "--rank-classes K ranks";
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
        } else if (kind == "scorecontrast") {
            args << "--method" << "scorecam" << "--contrast" << "tabby";
        } else if (kind == "region3") {
            args << "--region" << "1,2,3";
        } else if (kind == "regionoutside") {
            args << "--region" << "500,10,5,5";
        } else if (kind == "regionmethod") {
            args << "--region" << "10,10,5,5" << "--method" << "gradcam++";
        } else if (kind == "rankonly") {
            args << "--rank-classes" << "3";
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
