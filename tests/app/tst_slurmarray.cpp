// A dataset run spread by a real scheduler. A throwaway single-node Slurm
// cluster on 127.0.0.1 (tests/app/localslurm.sh, Debian's slurm-wlm and
// munge, started and stopped here) runs a 4-task job array of gradcam-cli
// over 196 photos and 4 broken files, each task taking its shard from
// SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT, as the README's job script
// does. The merged manifest must be what one process writes: the same lines,
// maps within 1e-6, no image twice, each broken file once as an error record.
// Where Slurm cannot start, the reason is printed on one line and the same
// shards run through GNU parallel (--shard {}/4).
#include <QDir>
#include <QFile>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

#include "app/datasettestsupport.h"
#include "testsupport.h"

using namespace gce::test;

namespace {

constexpr int kPhotos = 196;
constexpr int kTasks = 4;
const QStringList kBroken = {"00/broken-truncated.jpg", "01/not-a-photo.jpg", "empty.png", "01/zeros.webp"};

QString localSlurm() { return sourceDir() + "/tests/app/localslurm.sh"; }

void writeFile(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(bytes);
}

// The cluster of one test, stopped whatever happens to the test.
struct Cluster {
    QString dir;
    QString reason;       // why it could not start; empty when it runs
    QString slurmConf;
    explicit Cluster(const QString& stateDir) : dir(stateDir)
    {
        const auto started = runProcess("/bin/bash", {localSlurm(), "start", dir}, 120000);
        const QString said = QString::fromUtf8(started.out).trimmed();
        if (started.exitCode == 0 && said.startsWith("export SLURM_CONF="))
            slurmConf = said.mid(int(qstrlen("export SLURM_CONF=")));
        else
            reason = QString::fromUtf8(started.err).trimmed().section('\n', -1);
    }
    ~Cluster() { runProcess("/bin/bash", {localSlurm(), "stop", dir}, 60000); }
};

} // namespace

class TestSlurmArray : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const auto made = runProcess(pythonExecutable(), {sourceDir() + "/bench/make_photos.py", data(),
                                                          QString::number(kPhotos)});
        QVERIFY2(made.exitCode == 0, made.err.constData());
        writeFile(data() + "/" + kBroken[0], readFile(demo("chelsea.jpg")).left(2000));
        writeFile(data() + "/" + kBroken[1], "a note, not a photo");
        writeFile(data() + "/" + kBroken[2], "");
        writeFile(data() + "/" + kBroken[3], QByteArray(1024, '\0'));
        m_reference = m_dir.filePath("one-process");
        const auto r = run(args(m_reference));
        QCOMPARE(r.exitCode, 4); // the broken files failed, the run went on
        QCOMPARE(manifest(m_reference + "/results.jsonl").size(), kPhotos + kBroken.size());
    }

    void arrayOfFourEqualsOneProcess()
    {
        const QString out = m_dir.filePath("sharded");
        QVERIFY(QDir().mkpath(out));
        Cluster cluster(m_dir.filePath("slurm"));
        if (cluster.reason.isEmpty()) {
            runArray(cluster, out);
        } else {
            qInfo("Slurm cannot start here, so GNU parallel runs the shards: %s", qPrintable(cluster.reason));
            runParallel(out);
        }
        if (QTest::currentTestFailed())
            return;
        for (int task = 0; task < kTasks; ++task)
            QVERIFY(QFile::exists(QString("%1/results-%2-of-%3.jsonl").arg(out).arg(task).arg(kTasks)));
        const auto merged = run({"--merge", out});
        QVERIFY2(merged.exitCode == 0, merged.err.constData());

        const QList<QJsonObject> lines = manifest(out + "/results.jsonl");
        const QList<QJsonObject> expected = manifest(m_reference + "/results.jsonl");
        QCOMPARE(withoutTimings(lines), withoutTimings(expected));
        QSet<QString> seen;
        QMap<QString, int> errors;
        for (const QJsonObject& line : lines) {
            const QString image = line["image"].toString();
            QVERIFY2(!seen.contains(image), qPrintable(image + " twice"));
            seen.insert(image);
            if (line.contains("error")) {
                ++errors[image];
                continue;
            }
            const QString map = line["heatmap"].toObject()["file"].toString();
            int rows = 0, cols = 0, expectedRows = 0, expectedCols = 0;
            const QVector<float> got = readNpy(out + "/" + map, &rows, &cols);
            const QVector<float> want = readNpy(m_reference + "/" + map, &expectedRows, &expectedCols);
            QVERIFY(!want.isEmpty());
            QCOMPARE(got.size(), want.size());
            for (int i = 0; i < got.size(); ++i)
                QVERIFY2(std::abs(got[i] - want[i]) <= 1e-6, qPrintable(map));
        }
        QCOMPARE(seen.size(), kPhotos + kBroken.size());
        QCOMPARE(errors.size(), kBroken.size());
        for (const QString& broken : kBroken)
            QCOMPARE(errors.value(broken), 1);
    }

private:
    QString data() const { return m_dir.filePath("data"); }

    QStringList args(const QString& out) const
    {
        return modelArgs() + QStringList{"--input", data(), "--out-dir", out, "--save-maps", "--quiet"};
    }

    // sbatch --array=0-3 --wait: a task's exit 4 (some of its images failed)
    // counts as done, as in the README's job script.
    void runArray(const Cluster& cluster, const QString& out)
    {
        const QString script = m_dir.filePath("explain-array.sh");
        QString command = "\"" + cli() + "\"";
        for (const QString& arg : args(out))
            command += " '" + arg + "'";
        writeFile(script, ("#!/bin/sh\n" + command + "\ncode=$?\n[ $code -eq 0 ] || [ $code -eq 4 ]\n").toUtf8());
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("SLURM_CONF", cluster.slurmConf);
        QProcess sbatch;
        sbatch.setProcessEnvironment(env);
        sbatch.start("sbatch", {QString("--array=0-%1").arg(kTasks - 1), "--wait", "--chdir", m_dir.path(),
                                "--output", m_dir.filePath("task-%a.log"), script});
        QVERIFY(sbatch.waitForFinished(900000));
        QString logs;
        for (int task = 0; task < kTasks; ++task)
            logs += QString::fromUtf8(readFile(m_dir.filePath(QString("task-%1.log").arg(task))));
        QVERIFY2(sbatch.exitStatus() == QProcess::NormalExit && sbatch.exitCode() == 0,
                 qPrintable(QString::fromUtf8(sbatch.readAllStandardError()) + logs));
        qInfo("Slurm ran the array: %s", sbatch.readAllStandardOutput().trimmed().constData());
    }

    void runParallel(const QString& out)
    {
        const QString parallel = QStandardPaths::findExecutable("parallel");
        QVERIFY2(!parallel.isEmpty(), "GNU parallel is not installed either (Debian's parallel)");
        QStringList command = {"--will-cite", "--jobs", "2", "--halt", "never", cli()};
        command += args(out) + QStringList{"--shard", QString("{}/%1").arg(kTasks), ":::"};
        for (int task = 0; task < kTasks; ++task)
            command << QString::number(task);
        const auto r = runProcess(parallel, command, 900000);
        // parallel's exit status is the number of failed jobs: the shards
        // holding broken files exit 4 and count as such.
        QVERIFY2(r.exitCode >= 0 && r.exitCode <= kTasks, r.err.constData());
    }

    QTemporaryDir m_dir;
    QString m_reference;
};

QTEST_GUILESS_MAIN(TestSlurmArray)
#include "tst_slurmarray.moc"
