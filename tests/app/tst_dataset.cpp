// gradcam-cli on a whole dataset (--input): the manifest's lines, error
// records that do not stop the run, the maps as .npy files that numpy reads,
// resuming after SIGKILL at several points, shards that a scheduler's array
// would run (flags and Slurm / Kubernetes variables) merged back into what
// one process writes, and the usage errors.
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <csignal>
#include <cstring>

#include <sys/stat.h>
#include <unistd.h>

#include "app/datasettestsupport.h"
#include "testsupport.h"

using namespace gce;
using namespace gce::test;

namespace {

// A dataset of 8 images in nested folders (names that sort naturally, not
// by bytes), a broken JPEG, a text file and a symlink loop.
struct Dataset {
    QTemporaryDir dir;
    QString root() const { return dir.filePath("data"); }
    QStringList images; // relative, in natural order

    Dataset()
    {
        QDir().mkpath(root() + "/b");
        QDir().mkpath(root() + "/a/deep");
        const QStringList sources = {"chelsea.jpg", "coffee.jpg", "cat_and_coffee.jpg"};
        const QStringList names = {"a/deep/img2.jpg", "a/deep/img10.jpg", "a/img1.jpg", "b/x.jpg",
                                   "b/y.JPG",        "img3.jpg",         "img20.jpg",  "img100.jpg"};
        for (int i = 0; i < names.size(); ++i)
            QFile::copy(demo(sources[i % sources.size()]), root() + "/" + names[i]);
        QFile broken(root() + "/b/broken.jpg");
        broken.open(QIODevice::WriteOnly);
        broken.write("\xff\xd8\xff\xe0 not really a JPEG");
        broken.close();
        QFile notes(root() + "/notes.txt");
        notes.open(QIODevice::WriteOnly);
        notes.write("not an image");
        notes.close();
        ::symlink("..", QFile::encodeName(root() + "/b/loop").constData());
        images = {"a/deep/img2.jpg", "a/deep/img10.jpg", "a/img1.jpg", "b/broken.jpg", "b/x.jpg",
                  "b/y.JPG",         "img3.jpg",         "img20.jpg",  "img100.jpg"};
    }
};

constexpr int kMapsPerImage = 2; // --top-k-maps 2

QStringList runArgs(const Dataset& data, const QString& out)
{
    return modelArgs() + QStringList{"--input", data.root(), "--out-dir", out, "--top-k-maps",
                                     QString::number(kMapsPerImage), "--save-maps"};
}

// Each image once: kMapsPerImage lines, or one error record.
void checkEachImageOnce(const QList<QJsonObject>& lines, const QStringList& images)
{
    QMap<QString, int> count;
    for (const QJsonObject& line : lines)
        count[line["image"].toString()] += line.contains("error") ? kMapsPerImage : 1;
    QCOMPARE(QStringList(count.keys()).size(), images.size());
    for (const QString& image : images)
        QVERIFY2(count.value(image) == kMapsPerImage, qPrintable(image));
}

} // namespace

class TestDataset : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(bundledWeights()), "the bundled SqueezeNet weights are missing");
        QVERIFY(m_data.dir.isValid());
        const QString out = m_data.dir.filePath("reference");
        const auto r = run(runArgs(m_data, out));
        QCOMPARE(r.exitCode, 4); // the broken file failed; the run went on
        m_reference = manifest(out + "/results.jsonl");
        m_referenceDir = out;
    }

    // One line per image and class in natural order, relative names, the
    // broken file as an error record (and one line on stderr), no text file,
    // nothing twice through the symlink loop, maps that numpy reads.
    void manifestListsEveryImage()
    {
        QStringList order;
        for (const QJsonObject& line : m_reference)
            if (order.isEmpty() || order.last() != line["image"].toString())
                order << line["image"].toString();
        QCOMPARE(order, m_data.images);
        checkEachImageOnce(m_reference, m_data.images);
        for (const QJsonObject& line : m_reference) {
            if (line["image"].toString() == "b/broken.jpg") {
                QVERIFY(line.contains("error"));
                QVERIFY(!line["error"].toString().isEmpty());
                continue;
            }
            const QJsonObject heatmap = line["heatmap"].toObject();
            QVERIFY(!heatmap.contains("values"));
            QCOMPARE(heatmap["file"].toString(), QString("maps/%1.%2.npy").arg(line["image"].toString()).arg(line["class_index"].toInt()));
            QVERIFY(QFile::exists(m_referenceDir + "/" + heatmap["file"].toString()));
        }
        const QString oneMap = m_referenceDir + "/" + m_reference.first()["heatmap"].toObject()["file"].toString();
        const auto numpy = test::runProcess("/usr/bin/python3", {"-c", "import numpy, sys; a = numpy.load(sys.argv[1]); "
                                                                       "print(a.dtype, a.shape[0], a.shape[1], float(a.max()))",
                                                                 oneMap});
        QCOMPARE(numpy.exitCode, 0);
        const QStringList fields = QString::fromLatin1(numpy.out).split(' ');
        QCOMPARE(fields.value(0), QString("float32"));
        QCOMPARE(fields.value(1).toInt(), m_reference.first()["heatmap"].toObject()["height"].toInt());
    }

    // Every result is what gradcam-cli --image says for that file and class,
    // within float rounding: a run's layers before the target go through the
    // inference form (core/models/inferenceform.h), which a single --image
    // does not build, and in batches LibTorch runs some convolutions through
    // other kernels than at batch 1 (measured: maps up to 1.4e-6 apart on
    // SqueezeNet, 1.0e-6 at batch 1).
    void resultsEqualSingleImageRuns_data()
    {
        QTest::addColumn<bool>("batched");
        QTest::addColumn<double>("mapTolerance");
        QTest::newRow("batch 1") << false << 1e-5;
        QTest::newRow("default batch") << true << 1e-5;
    }

    void resultsEqualSingleImageRuns()
    {
        QFETCH(bool, batched);
        QFETCH(double, mapTolerance);
        QString dir = m_referenceDir;
        QList<QJsonObject> lines = m_reference;
        if (!batched) {
            dir = m_data.dir.filePath("batch1");
            QCOMPARE(run(runArgs(m_data, dir) + QStringList{"--batch-size", "1"}).exitCode, 4);
            lines = manifest(dir + "/results.jsonl");
        }
        int compared = 0;
        for (const QJsonObject& line : lines) {
            if (line.contains("error") || !line["image"].toString().startsWith("a/"))
                continue; // the images under a/ (one of each demo photo) are enough
            const auto r = run(modelArgs() + QStringList{"--image", m_data.root() + "/" + line["image"].toString(),
                                                         "--class", QString::number(line["class_index"].toInt()),
                                                         "--json"});
            QCOMPARE(r.exitCode, 0);
            const QJsonObject single = QJsonDocument::fromJson(r.out.trimmed()).object();
            QCOMPARE(single["class_index"].toInt(), line["class_index"].toInt());
            QVERIFY(std::abs(single["probability"].toDouble() - line["probability"].toDouble()) <= 1e-6);
            QCOMPARE(single["rank"].toInt(), line["rank"].toInt());
            int rows = 0, cols = 0;
            const QVector<float> map = readNpy(dir + "/" + line["heatmap"].toObject()["file"].toString(), &rows, &cols);
            const QJsonArray values = single["heatmap"].toObject()["values"].toArray();
            QCOMPARE(map.size(), values.size());
            QCOMPARE(rows, single["heatmap"].toObject()["height"].toInt());
            for (int i = 0; i < map.size(); ++i)
                QVERIFY2(std::abs(map[i] - values[i].toDouble()) <= mapTolerance,
                         qPrintable(QString("%1 at %2: %3").arg(line["image"].toString()).arg(i).arg(map[i] - values[i].toDouble())));
            ++compared;
        }
        QCOMPARE(compared, 3 * kMapsPerImage);
    }

    void existingManifestNeedsResume()
    {
        const QByteArray before = readFile(m_referenceDir + "/results.jsonl");
        const auto r = run(runArgs(m_data, m_referenceDir));
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("--resume") && r.err.trimmed().count('\n') == 0, r.err.constData());
        QCOMPARE(readFile(m_referenceDir + "/results.jsonl"), before);
    }

    // SIGKILL part-way (at random points), then --resume in batches of
    // another size: each image once, and the same results as the run that
    // was never stopped, bit for bit.
    void resumeAfterKill_data()
    {
        QTest::addColumn<int>("killAfterLines");
        QRandomGenerator random(15); // fixed: a failure can be replayed
        for (int draw = 1; draw <= 4; ++draw) {
            const int lines = int(random.bounded(1, kMapsPerImage * 8));
            QTest::addRow("draw %d: after %d lines", draw, lines) << lines;
        }
    }

    void resumeAfterKill()
    {
        QFETCH(int, killAfterLines);
        const QString out = m_data.dir.filePath(QString("killed%1").arg(killAfterLines));
        QProcess process;
        process.start(cli(), runArgs(m_data, out) + QStringList{"--batch-size", "2"});
        QVERIFY(process.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(readFile(out + "/results.jsonl").count('\n') >= killAfterLines ||
                                     process.state() == QProcess::NotRunning,
                                 300000);
        ::kill(pid_t(process.processId()), SIGKILL);
        process.waitForFinished();
        // A torn last line, as a kill in the middle of a write would leave.
        QFile torn(out + "/results.jsonl");
        QVERIFY(torn.open(QIODevice::Append));
        torn.write("{\"image\": \"img3.jpg\", \"class_ind");
        torn.close();

        const auto r = run(runArgs(m_data, out) + QStringList{"--resume", "--batch-size", "3"});
        QCOMPARE(r.exitCode, 4); // broken.jpg failed, in this run or before the kill
        const QList<QJsonObject> lines = manifest(out + "/results.jsonl");
        checkEachImageOnce(lines, m_data.images);
        QCOMPARE(withoutTimings(lines).size(), m_reference.size());
        // The same records, whatever order the two runs wrote them in.
        QStringList got, expected;
        for (const QJsonObject& line : withoutTimings(lines))
            got << QJsonDocument(line).toJson(QJsonDocument::Compact);
        for (const QJsonObject& line : withoutTimings(m_reference))
            expected << QJsonDocument(line).toJson(QJsonDocument::Compact);
        got.sort();
        expected.sort();
        QCOMPARE(got, expected);
    }

    // A second process on the same folder and shard stops at once (exit 2)
    // and writes nothing; --merge refuses a shard still being written; the
    // lock goes with a SIGKILL, so the killed run resumes. 400 photos one at a
    // time keep the first run busy for seconds after its first line (60 were
    // done in under a second once no-grad passes ran through the inference
    // form, and the merge then found the lock gone).
    void secondRunOnTheSameShardStops()
    {
        constexpr int kPhotos = 400;
        const QString data = m_data.dir.filePath("many");
        QVERIFY(QDir().mkpath(data));
        for (int i = 0; i < kPhotos; ++i)
            QVERIFY(QFile::copy(demo("chelsea.jpg"), QString("%1/cat%2.jpg").arg(data).arg(i)));
        const QString out = m_data.dir.filePath("twice");
        const QString shard = out + "/results-1-of-2.jsonl";
        const QStringList args = modelArgs() + QStringList{"--input", data, "--out-dir", out, "--batch-size", "1",
                                                           "--shard", "1/2"};
        QProcess first;
        first.start(cli(), args);
        QVERIFY(first.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(readFile(shard).count('\n') >= 1, 300000);
        const auto second = run(args + QStringList{"--resume"});
        const auto merge = run({"--merge", out});
        // Still running, and not just exiting: its shard is not complete yet.
        const bool firstStillRunning =
            first.state() == QProcess::Running && readFile(shard).count('\n') < kPhotos / 2;
        ::kill(pid_t(first.processId()), SIGKILL);
        first.waitForFinished();
        QVERIFY2(firstStillRunning, "the first run ended before the second started: the check proves nothing");
        QCOMPARE(second.exitCode, 2);
        QVERIFY2(second.err.contains("another gradcam-cli is writing") && second.err.trimmed().count('\n') == 0,
                 second.err.constData());
        QCOMPARE(merge.exitCode, 3);
        QVERIFY2(merge.err.contains("still being written"), merge.err.constData());
        QVERIFY(!QFile::exists(out + "/results.jsonl"));

        QCOMPARE(run(args + QStringList{"--resume"}).exitCode, 0);
        QStringList images;
        for (const QJsonObject& line : manifest(shard))
            images << line["image"].toString();
        QCOMPARE(images.size(), kPhotos / 2); // each of the shard's half once
        images.removeDuplicates();
        QCOMPARE(images.size(), kPhotos / 2);
    }

    // Three shards (a flag, Slurm's array variables, a Kubernetes indexed
    // Job) into one folder, merged: what one process wrote.
    void shardsMergeIntoTheSingleRun()
    {
        const QString out = m_data.dir.filePath("sharded");
        QVERIFY(QDir().mkpath(out));
        QCOMPARE(run(runArgs(m_data, out) + QStringList{"--shard", "0/3"}).exitCode, 4); // has broken.jpg (4th)
        QProcessEnvironment slurm = QProcessEnvironment::systemEnvironment();
        slurm.insert("SLURM_ARRAY_TASK_ID", "1");
        slurm.insert("SLURM_ARRAY_TASK_COUNT", "3");
        QCOMPARE(run(runArgs(m_data, out), slurm).exitCode, 0);
        QVERIFY(QFile::exists(out + "/results-1-of-3.jsonl"));

        // Merging with a shard missing names it and writes nothing.
        auto merge = run({"--merge", out});
        QCOMPARE(merge.exitCode, 3);
        QVERIFY2(merge.err == "gradcam-cli: shard(s) 2 of 3 missing in \"" + out.toUtf8() + "\"\n", merge.err.constData());
        QVERIFY(!QFile::exists(out + "/results.jsonl"));

        QProcessEnvironment job = QProcessEnvironment::systemEnvironment();
        job.insert("JOB_COMPLETION_INDEX", "2");
        QCOMPARE(run(runArgs(m_data, out) + QStringList{"--shard-count", "3"}, job).exitCode, 0);
        merge = run({"--merge", out});
        QCOMPARE(merge.exitCode, 0);
        QVERIFY2(merge.err.contains("merged 3 shards"), merge.err.constData());
        QCOMPARE(withoutTimings(manifest(out + "/results.jsonl")), withoutTimings(m_reference));
    }

    // A list file: paths relative to its folder, a missing one an error record.
    void listFileInput()
    {
        const QString list = m_data.dir.filePath("data/list.txt");
        QFile file(list);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("# photos, one outside the list's folder, and a missing one\nimg3.jpg\n\na/img1.jpg\n"
                   "../outside.jpg\nmissing.jpg\n");
        file.close();
        QVERIFY(QFile::copy(demo("coffee.jpg"), m_data.dir.filePath("outside.jpg")));
        const QString out = m_data.dir.filePath("listed");
        const auto r = run(modelArgs() + QStringList{"--input", list, "--out-dir", out, "--class", "285", "--quiet",
                                                     "--save-maps"});
        QCOMPARE(r.exitCode, 4);
        const QList<QJsonObject> lines = manifest(out + "/results.jsonl");
        QCOMPARE(lines.size(), 4);
        QCOMPARE(lines[0]["image"].toString(), QString("../outside.jpg"));
        // Its map stays inside OUT/maps.
        QCOMPARE(lines[0]["heatmap"].toObject()["file"].toString(), QString("maps/_up_/outside.jpg.285.npy"));
        QVERIFY(QFile::exists(out + "/maps/_up_/outside.jpg.285.npy"));
        QCOMPARE(lines[1]["image"].toString(), QString("a/img1.jpg"));
        QCOMPARE(lines[1]["class_index"].toInt(), 285);
        QCOMPARE(lines[2]["image"].toString(), QString("img3.jpg"));
        QCOMPARE(lines[3]["image"].toString(), QString("missing.jpg"));
        QVERIFY(lines[3].contains("error"));
        QCOMPARE(r.err.trimmed().split('\n').size(), 1); // one line, for missing.jpg
        QVERIFY2(r.err.startsWith("gradcam-cli: missing.jpg: "), r.err.constData());
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("no --out-dir") << QStringList{"--input", "x"};
        QTest::newRow("shard out of range") << QStringList{"--input", "x", "--out-dir", "y", "--shard", "3/3"};
        QTest::newRow("shard not I/N") << QStringList{"--input", "x", "--out-dir", "y", "--shard", "two"};
        QTest::newRow("--resume without --input") << QStringList{"--image", "x.jpg", "--resume"};
        QTest::newRow("--top-k-maps and --class") << QStringList{"--input", "x", "--out-dir", "y", "--top-k-maps", "2", "--class", "1"};
    }

    void usageErrors()
    {
        QFETCH(QStringList, args);
        const auto r = run(args);
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(r.err.trimmed().count('\n'), 0);
    }

private:
    Dataset m_data;
    QList<QJsonObject> m_reference;
    QString m_referenceDir;
};

QTEST_GUILESS_MAIN(TestDataset)
#include "tst_dataset.moc"
