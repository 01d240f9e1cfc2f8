// WeightsDownloader and the WeightsBar that offers it, against a local HTTP server on
// 127.0.0.1: success, redirect, wrong hash, cancel, resume after an
// interruption or a cancel, servers that ignore or refuse Range, connection
// refused, HTTP errors, and the bar's choices. Nothing here contacts any
// other address.
#include <QCryptographicHash>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QLabel>
#include <QNetworkProxy>
#include <QProgressBar>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include "localhttpserver.h"
#include "ui/weights/weightsbar.h"
#include "ui/weights/weightsdownloader.h"

using gce::test::LocalHttpServer;
using gce::ui::WeightsBar;
using gce::ui::WeightsDownloader;

namespace {

constexpr int kWaitMs = 10000;

// Everything in a folder, including what QSaveFile might leave behind.
QStringList filesIn(const QString& dir)
{
    return QDir(dir).entryList(QDir::Files | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot);
}

QByteArray readFile(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

void writeFile(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    QCOMPARE(file.write(bytes), qint64(bytes.size()));
}

QString part(const QString& name) { return name + QStringLiteral(".part"); }

struct Outcome {
    int finished = 0;
    int failed = 0;
    QString value; // the path, or the failure message
};

// Runs one download to its end (bounded by kWaitMs).
Outcome download(WeightsDownloader& downloader, const QUrl& url, const QString& dir)
{
    Outcome outcome;
    QEventLoop loop;
    QObject::connect(&downloader, &WeightsDownloader::finished, &loop, [&](const QString& path) {
        ++outcome.finished;
        outcome.value = path;
        loop.quit();
    });
    QObject::connect(&downloader, &WeightsDownloader::failed, &loop, [&](const QString& message) {
        ++outcome.failed;
        outcome.value = message;
        loop.quit();
    });
    QTimer::singleShot(kWaitMs, &loop, &QEventLoop::quit);
    downloader.start(url, dir);
    if (outcome.finished + outcome.failed == 0) // it may fail before returning
        loop.exec();
    return outcome;
}

} // namespace

class TestWeightsDownloader : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void hashPrefix_data();
    void hashPrefix();
    void downloadsAndVerifies();
    void followsRedirect();
    void rejectsWrongHash();
    void cancelsMidway();
    void resumesInterruptedDownload_data();
    void resumesInterruptedDownload();
    void resumesLargePartHashedInSlices();
    void restartsWhenPartCannotBeResumed_data();
    void restartsWhenPartCannotBeResumed();
    void wrongHashAfterResumeLeavesNothing();
    void reportsConnectionRefused();
    void reportsHttpError();
    void keepsExistingFileWhenDownloadFails();
    void ignoresSecondStart();
    void destructorAbortsCleanly();

    void barDismisses();
    void barDownloads();
    void barStaysOnFailure();
    void barCancelsDownload();
    void barResumesInterruptedDownload();
    void barOfferForAnotherModelCancelsDownload();

private:
    // The Range headers of the requests for `route` since `from` (an index
    // into the server's log). By route, because after a cut connection Qt's
    // HTTP channel may re-send that request on its own, at any later moment.
    QByteArrayList rangesSince(qsizetype from, const QByteArray& route) const
    {
        QByteArrayList ranges;
        for (const auto& request : m_server.requests().mid(from))
            if (request.path.startsWith(route))
                ranges << request.range;
        return ranges;
    }
    QByteArray rangeFrom(qint64 offset) const { return "bytes=" + QByteArray::number(offset) + '-'; }

    LocalHttpServer m_server;
    QByteArray m_body;
    QString m_goodName;  // model-<true sha256 prefix>.pth
    QString m_wrongName; // model-<some other prefix>.pth
};

void TestWeightsDownloader::initTestCase()
{
    // Direct connections only: no proxy from the environment may see a request.
    QNetworkProxy::setApplicationProxy(QNetworkProxy::NoProxy);

    // A few MB of incompressible, reproducible bytes.
    QRandomGenerator generator(20240611);
    QList<quint32> words(3 * 1024 * 1024 / 4);
    generator.fillRange(words.data(), words.size());
    m_body = QByteArray(reinterpret_cast<const char*>(words.constData()), words.size() * 4);
    const QString sha = QString::fromLatin1(QCryptographicHash::hash(m_body, QCryptographicHash::Sha256).toHex());
    m_goodName = QStringLiteral("model-%1.pth").arg(sha.left(8));
    m_wrongName = QStringLiteral("model-%1.pth").arg(sha.startsWith(u'0') ? "11111111" : "00000000");

    m_server.setBody(m_body);
    QVERIFY(m_server.listen());
}

void TestWeightsDownloader::cleanupTestCase()
{
    QVERIFY(m_server.requestCount() < LocalHttpServer::kMaxRequests);
}

void TestWeightsDownloader::hashPrefix_data()
{
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<QString>("prefix");
    QTest::newRow("resnet18") << "resnet18-f37072fd.pth" << "f37072fd";
    QTest::newRow("squeezenet") << "squeezenet1_1-b8a52dc0.pth" << "b8a52dc0";
    QTest::newRow("with folder") << "/cache/resnet50-0676ba61.pth" << "0676ba61";
    QTest::newRow("upper case") << "net-ABCDEF12.pt" << "abcdef12";
    QTest::newRow("no hash") << "resnet18.pth" << "";
    QTest::newRow("too short") << "model-v2.pth" << "";
    QTest::newRow("not hex") << "model-final.pth" << "";
    QTest::newRow("no extension") << "resnet18-f37072fd" << "";
}

void TestWeightsDownloader::hashPrefix()
{
    QFETCH(QString, fileName);
    QFETCH(QString, prefix);
    QCOMPARE(WeightsDownloader::expectedHashPrefix(fileName), prefix);
}

void TestWeightsDownloader::downloadsAndVerifies()
{
    QTemporaryDir tmp;
    const QString dir = tmp.filePath("hub/checkpoints"); // missing: created
    WeightsDownloader downloader;
    QSignalSpy progress(&downloader, &WeightsDownloader::progress);

    const qsizetype requests = m_server.requests().size();
    const Outcome outcome = download(downloader, m_server.url("/ranged/" + m_goodName), dir);
    QCOMPARE(rangesSince(requests, "/ranged/"), QByteArrayList{QByteArray()}); // nothing to resume: no Range
    QCOMPARE(outcome.failed, 0);
    QCOMPARE(outcome.finished, 1);
    QCOMPARE(outcome.value, QDir(dir).filePath(m_goodName));
    QVERIFY(readFile(outcome.value) == m_body);
    QCOMPARE(filesIn(dir), QStringList{m_goodName}); // no temporary files
    QVERIFY(!downloader.isRunning());

    QVERIFY(!progress.isEmpty());
    const QList<QVariant> last = progress.last();
    QCOMPARE(last.at(0).toLongLong(), qint64(m_body.size()));
    QCOMPARE(last.at(1).toLongLong(), qint64(m_body.size()));
}

void TestWeightsDownloader::followsRedirect()
{
    QTemporaryDir tmp;
    WeightsDownloader downloader;
    const Outcome outcome = download(downloader, m_server.url("/redirect/" + m_goodName), tmp.path());
    QCOMPARE(outcome.failed, 0);
    QCOMPARE(outcome.finished, 1);
    QVERIFY(readFile(outcome.value) == m_body);
    QCOMPARE(filesIn(tmp.path()), QStringList{m_goodName});
}

void TestWeightsDownloader::rejectsWrongHash()
{
    QTemporaryDir tmp;
    WeightsDownloader downloader;
    const Outcome outcome = download(downloader, m_server.url("/good/" + m_wrongName), tmp.path());
    QCOMPARE(outcome.finished, 0);
    QCOMPARE(outcome.failed, 1);
    QVERIFY2(outcome.value.contains("corrupt"), qPrintable(outcome.value));
    QVERIFY2(outcome.value.contains(m_goodName.mid(6, 8)), qPrintable(outcome.value)); // what it got
    QVERIFY2(outcome.value.contains(m_wrongName.mid(6, 8)), qPrintable(outcome.value)); // what it wanted
    QCOMPARE(filesIn(tmp.path()), QStringList());
}

void TestWeightsDownloader::cancelsMidway()
{
    QTemporaryDir tmp;
    WeightsDownloader downloader;
    QSignalSpy progress(&downloader, &WeightsDownloader::progress);
    QSignalSpy failed(&downloader, &WeightsDownloader::failed);
    QSignalSpy finished(&downloader, &WeightsDownloader::finished);
    downloader.start(m_server.url("/slow/" + m_goodName), tmp.path());
    QTRY_VERIFY_WITH_TIMEOUT(!progress.isEmpty() && progress.last().at(0).toLongLong() > 0, kWaitMs);
    QVERIFY(progress.last().at(0).toLongLong() < m_body.size()); // really midway

    downloader.cancel();
    QCOMPARE(failed.count(), 1);
    QCOMPARE(failed.first().at(0).toString(), QStringLiteral("download cancelled"));
    QVERIFY(!downloader.isRunning());
    QTest::qWait(100); // nothing more arrives after the abort
    QCOMPARE(failed.count(), 1);
    QCOMPARE(finished.count(), 0);

    // The bytes received so far stay, exactly as sent, under the .part name only.
    QCOMPARE(filesIn(tmp.path()), QStringList{part(m_goodName)});
    const QByteArray kept = readFile(tmp.filePath(part(m_goodName)));
    QVERIFY(kept.size() > 0 && kept.size() < m_body.size());
    QCOMPARE(downloader.keptBytes(), qint64(kept.size()));
    QVERIFY(kept == m_body.left(kept.size()));

    downloader.cancel(); // idle: no-op
    QCOMPARE(failed.count(), 1);

    // The next attempt asks for the rest and completes the file.
    const qsizetype requests = m_server.requests().size();
    const Outcome outcome = download(downloader, m_server.url("/ranged/" + m_goodName), tmp.path());
    QCOMPARE(outcome.finished, 1);
    QCOMPARE(rangesSince(requests, "/ranged/"), QByteArrayList{rangeFrom(kept.size())});
    QVERIFY(readFile(tmp.filePath(m_goodName)) == m_body);
    QCOMPARE(filesIn(tmp.path()), QStringList{m_goodName});
}

void TestWeightsDownloader::resumesInterruptedDownload_data()
{
    QTest::addColumn<qint64>("dropAfter");
    QTest::newRow("one byte") << qint64(1);
    QTest::newRow("midway") << qint64(1024 * 1024 + 123);
    QTest::newRow("all but one byte") << qint64(m_body.size() - 1);
}

void TestWeightsDownloader::resumesInterruptedDownload()
{
    QFETCH(qint64, dropAfter);
    QTemporaryDir tmp;
    WeightsDownloader downloader;
    const qsizetype requests = m_server.requests().size();

    // The server closes the connection after `dropAfter` bytes of the body.
    const QString cut = QStringLiteral("/cut/%1/").arg(dropAfter);
    const Outcome broken = download(downloader, m_server.url(cut + m_goodName), tmp.path());
    QCOMPARE(broken.failed, 1);
    QVERIFY2(broken.value.startsWith("cannot download "), qPrintable(broken.value));
    QVERIFY(!broken.value.contains(u'\n'));
    QCOMPARE(filesIn(tmp.path()), QStringList{part(m_goodName)}); // no final file
    QVERIFY(readFile(tmp.filePath(part(m_goodName))) == m_body.left(dropAfter));
    QCOMPARE(downloader.keptBytes(), dropAfter);
    QCOMPARE(rangesSince(requests, "/cut/").value(0), QByteArray()); // a fresh start asks for everything

    QSignalSpy progress(&downloader, &WeightsDownloader::progress);
    const Outcome resumed = download(downloader, m_server.url("/ranged/" + m_goodName), tmp.path());
    QCOMPARE(resumed.failed, 0);
    QCOMPARE(resumed.finished, 1);
    QCOMPARE(rangesSince(requests, "/ranged/"), QByteArrayList{rangeFrom(dropAfter)});
    QVERIFY(readFile(tmp.filePath(m_goodName)) == m_body);
    QCOMPARE(filesIn(tmp.path()), QStringList{m_goodName});

    // Progress counts the whole file, the kept bytes included.
    QVERIFY(!progress.isEmpty());
    QVERIFY(progress.first().at(0).toLongLong() >= dropAfter);
    QCOMPARE(progress.last().at(0).toLongLong(), qint64(m_body.size()));
    QCOMPARE(progress.last().at(1).toLongLong(), qint64(m_body.size()));
}

void TestWeightsDownloader::resumesLargePartHashedInSlices()
{
    // Kept bytes are hashed in 8 MB slices between events: a .part of several
    // slices, with new bytes arriving meanwhile, still hashes in file order
    // (a wrong order would fail the hash check) and completes the file.
    QByteArray big(21 * 1024 * 1024 + 7, Qt::Uninitialized);
    QRandomGenerator(7).fillRange(reinterpret_cast<quint32*>(big.data()), big.size() / 4);
    const QString sha = QString::fromLatin1(QCryptographicHash::hash(big, QCryptographicHash::Sha256).toHex());
    const QString name = QStringLiteral("big-%1.pth").arg(sha.left(8));
    LocalHttpServer server;
    server.setBody(big);
    QVERIFY(server.listen());

    QTemporaryDir tmp;
    const qint64 keptSize = 17 * 1024 * 1024 + 3;
    writeFile(tmp.filePath(part(name)), big.left(keptSize));
    WeightsDownloader downloader;
    const Outcome outcome = download(downloader, server.url("/ranged/" + name), tmp.path());
    QCOMPARE(outcome.failed, 0);
    QCOMPARE(outcome.finished, 1);
    QCOMPARE(server.requests().size(), 1);
    QCOMPARE(server.requests().first().range, rangeFrom(keptSize));
    QVERIFY(readFile(tmp.filePath(name)) == big);
    QCOMPARE(filesIn(tmp.path()), QStringList{name});
}

// A .part that the server will not extend: the download asks for the rest,
// gets the whole file instead or asks again from zero, and ends with exactly
// the true file (one data row per way of refusing).
void TestWeightsDownloader::restartsWhenPartCannotBeResumed_data()
{
    QTest::addColumn<QString>("route");
    QTest::addColumn<QByteArray>("kept");       // the .part's bytes before the download
    QTest::addColumn<QByteArrayList>("ranges"); // the Range headers sent to `route`
    // The .part holds bytes that are not the file's start: appending the
    // server's 200 body to them would be wrong twice over (asked, got 200).
    const QByteArray stale(777, 'x');
    QTest::newRow("server ignores Range")
        << QStringLiteral("/good/") << stale << QByteArrayList{rangeFrom(stale.size())};
    // A .part as long as the file or longer (the file shrank, or the last
    // attempt stopped just before the rename) gets a 416: start from zero.
    for (const qint64 extra : {qint64(0), qint64(5)}) {
        const QByteArray kept = m_body + QByteArray(extra, 'y');
        QTest::addRow("range not satisfiable, %lld extra bytes", extra)
            << QStringLiteral("/ranged/") << kept << QByteArrayList{rangeFrom(kept.size()), QByteArray()};
    }
    const QByteArray start = m_body.left(4096);
    QTest::newRow("mismatched Content-Range")
        << QStringLiteral("/badrange/") << start << QByteArrayList{rangeFrom(start.size()), QByteArray()};
}

void TestWeightsDownloader::restartsWhenPartCannotBeResumed()
{
    QFETCH(QString, route);
    QFETCH(QByteArray, kept);
    QFETCH(QByteArrayList, ranges);
    QTemporaryDir tmp;
    writeFile(tmp.filePath(part(m_goodName)), kept);
    WeightsDownloader downloader;
    const qsizetype requests = m_server.requests().size();
    const Outcome outcome = download(downloader, m_server.url(route + m_goodName), tmp.path());
    QCOMPARE(outcome.failed, 0);
    QCOMPARE(outcome.finished, 1);
    QCOMPARE(rangesSince(requests, route.toLatin1()), ranges);
    QVERIFY(readFile(tmp.filePath(m_goodName)) == m_body);
    QCOMPARE(filesIn(tmp.path()), QStringList{m_goodName});
}

void TestWeightsDownloader::wrongHashAfterResumeLeavesNothing()
{
    // The hash covers the whole file, the resumed bytes included: a mismatch
    // deletes the .part, so the next attempt cannot build on bad bytes.
    QTemporaryDir tmp;
    const qint64 keptSize = 100000;
    writeFile(tmp.filePath(part(m_wrongName)), m_body.left(keptSize));
    WeightsDownloader downloader;
    const qsizetype requests = m_server.requests().size();
    const Outcome outcome = download(downloader, m_server.url("/ranged/" + m_wrongName), tmp.path());
    QCOMPARE(outcome.finished, 0);
    QCOMPARE(outcome.failed, 1);
    QCOMPARE(rangesSince(requests, "/ranged/"), QByteArrayList{rangeFrom(keptSize)});
    QCOMPARE(outcome.value, QStringLiteral("downloaded file is corrupt: SHA-256 starts with %1, expected %2")
                                .arg(m_goodName.mid(6, 8), m_wrongName.mid(6, 8)));
    QCOMPARE(filesIn(tmp.path()), QStringList());
    QCOMPARE(downloader.keptBytes(), qint64(0));
}

void TestWeightsDownloader::reportsConnectionRefused()
{
    // A port that was free a moment ago and has nobody listening now.
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    const quint16 port = probe.serverPort();
    probe.close();

    QTemporaryDir tmp;
    WeightsDownloader downloader;
    const QUrl url(QStringLiteral("http://127.0.0.1:%1/%2").arg(port).arg(m_goodName));
    const Outcome outcome = download(downloader, url, tmp.path());
    QCOMPARE(outcome.failed, 1);
    QVERIFY2(outcome.value.startsWith("cannot download "), qPrintable(outcome.value));
    QVERIFY2(outcome.value.contains("refused", Qt::CaseInsensitive), qPrintable(outcome.value));
    QVERIFY(!outcome.value.contains(u'\n'));
    QCOMPARE(filesIn(tmp.path()), QStringList());
}

void TestWeightsDownloader::reportsHttpError()
{
    QTemporaryDir tmp;
    WeightsDownloader downloader;
    const Outcome outcome = download(downloader, m_server.url("/missing/" + m_goodName), tmp.path());
    QCOMPARE(outcome.failed, 1);
    QCOMPARE(outcome.value, QStringLiteral("HTTP 404 Not Found from 127.0.0.1"));
    QCOMPARE(filesIn(tmp.path()), QStringList());
}

void TestWeightsDownloader::keepsExistingFileWhenDownloadFails()
{
    QTemporaryDir tmp;
    const QByteArray old = "weights the user already had";
    for (const QString& name : {m_goodName, m_wrongName}) {
        QFile file(tmp.filePath(name));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(old);
    }
    WeightsDownloader downloader;
    QCOMPARE(download(downloader, m_server.url("/good/" + m_wrongName), tmp.path()).failed, 1);
    QCOMPARE(download(downloader, m_server.url("/missing/" + m_goodName), tmp.path()).failed, 1);
    QCOMPARE(readFile(tmp.filePath(m_wrongName)), old);
    QCOMPARE(readFile(tmp.filePath(m_goodName)), old);
    QCOMPARE(filesIn(tmp.path()).size(), 2);

    // Interrupted, interrupted again while resuming, cancelled while resuming:
    // the final name keeps the old file, only the .part grows.
    QCOMPARE(download(downloader, m_server.url("/cut/1000/" + m_goodName), tmp.path()).failed, 1);
    QCOMPARE(download(downloader, m_server.url("/cut/2000/" + m_goodName), tmp.path()).failed, 1);
    QCOMPARE(readFile(tmp.filePath(m_goodName)), old);
    QVERIFY(readFile(tmp.filePath(part(m_goodName))) == m_body.left(3000));
    QSignalSpy progress(&downloader, &WeightsDownloader::progress);
    downloader.start(m_server.url("/slow/" + m_goodName), tmp.path());
    QTRY_VERIFY_WITH_TIMEOUT(!progress.isEmpty() && progress.last().at(0).toLongLong() > 0, kWaitMs);
    downloader.cancel();
    QCOMPARE(readFile(tmp.filePath(m_goodName)), old);
    QStringList expected{m_goodName, part(m_goodName), m_wrongName};
    expected.sort();
    QCOMPARE(filesIn(tmp.path()), expected);

    // A good download does replace it.
    QCOMPARE(download(downloader, m_server.url("/good/" + m_goodName), tmp.path()).finished, 1);
    QVERIFY(readFile(tmp.filePath(m_goodName)) == m_body);
}

void TestWeightsDownloader::ignoresSecondStart()
{
    QTemporaryDir tmp;
    WeightsDownloader downloader;
    QSignalSpy finished(&downloader, &WeightsDownloader::finished);
    QSignalSpy failed(&downloader, &WeightsDownloader::failed);
    downloader.start(m_server.url("/good/" + m_goodName), tmp.path());
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression("already running"));
    downloader.start(m_server.url("/good/" + m_wrongName), tmp.path());
    QVERIFY(downloader.isRunning());
    QVERIFY(finished.wait(kWaitMs));
    QCOMPARE(failed.count(), 0);
    QCOMPARE(filesIn(tmp.path()), QStringList{m_goodName});
}

void TestWeightsDownloader::destructorAbortsCleanly()
{
    QTemporaryDir tmp;
    {
        WeightsDownloader downloader;
        QSignalSpy progress(&downloader, &WeightsDownloader::progress);
        downloader.start(m_server.url("/slow/" + m_goodName), tmp.path());
        QTRY_VERIFY_WITH_TIMEOUT(!progress.isEmpty(), kWaitMs);
    }
    QTest::qWait(50); // let deferred deletions run
    // As after a cancel: the received bytes stay for a resume, and nothing
    // appears under the final name.
    QCOMPARE(filesIn(tmp.path()), QStringList{part(m_goodName)});
    const QByteArray kept = readFile(tmp.filePath(part(m_goodName)));
    QVERIFY(kept.size() > 0 && kept.size() < m_body.size());
    QVERIFY(kept == m_body.left(kept.size()));
}

namespace {
// A bar offering `url` into `dir`, shown like the window's.
void offer(WeightsBar& bar, const QUrl& url, const QString& dir)
{
    bar.offer(QStringLiteral("resnet18"), QStringLiteral("ResNet-18 is not in the torch hub cache."), url, dir);
}
} // namespace

void TestWeightsDownloader::barDismisses()
{
    QTemporaryDir tmp;
    WeightsBar bar;
    QVERIFY(bar.isHidden()); // nothing offered yet
    const int requests = m_server.requestCount();
    offer(bar, m_server.url("/good/" + m_goodName), tmp.path());
    QVERIFY(!bar.isHidden());
    QSignalSpy dismissed(&bar, &WeightsBar::dismissed);
    QSignalSpy chosen(&bar, &WeightsBar::weightsChosen);
    bar.dismissButton()->click();
    QCOMPARE(dismissed.count(), 1);
    QCOMPARE(dismissed.first().at(0).toString(), QString("resnet18"));
    QCOMPARE(chosen.count(), 0);
    QVERIFY(bar.isHidden());
    QCOMPARE(m_server.requestCount(), requests); // an offer fetches nothing
    QVERIFY(filesIn(tmp.path()).isEmpty());
}

void TestWeightsDownloader::barDownloads()
{
    QTemporaryDir tmp;
    const QString dir = tmp.filePath("torch/hub/checkpoints");
    WeightsBar bar;
    offer(bar, m_server.url("/good/" + m_goodName), dir);
    QVERIFY(!bar.progressBar()->isVisibleTo(&bar));
    QVERIFY(!bar.cancelDownloadButton()->isVisibleTo(&bar));

    QSignalSpy chosen(&bar, &WeightsBar::weightsChosen);
    bar.downloadButton()->click();
    QVERIFY(bar.progressBar()->isVisibleTo(&bar));
    QVERIFY(bar.cancelDownloadButton()->isVisibleTo(&bar));
    QVERIFY(!bar.downloadButton()->isVisibleTo(&bar));
    QVERIFY(!bar.chooseFileButton()->isEnabled());

    QVERIFY(chosen.wait(kWaitMs));
    QCOMPARE(chosen.first().at(0).toString(), QString("resnet18"));
    const QString path = chosen.first().at(1).toString();
    QCOMPARE(path, QDir(dir).filePath(m_goodName));
    QVERIFY(readFile(path) == m_body);
    QVERIFY(bar.isHidden());
}

void TestWeightsDownloader::barStaysOnFailure()
{
    QTemporaryDir tmp;
    WeightsBar bar;
    offer(bar, m_server.url("/missing/" + m_goodName), tmp.path());
    auto* downloader = bar.findChild<WeightsDownloader*>();
    QVERIFY(downloader);
    QSignalSpy failed(downloader, &WeightsDownloader::failed);
    QSignalSpy chosen(&bar, &WeightsBar::weightsChosen);
    bar.downloadButton()->click();
    QVERIFY(failed.wait(kWaitMs));

    QCOMPARE(chosen.count(), 0);
    QVERIFY(!bar.isHidden());
    QVERIFY2(bar.textLabel()->text().contains("404"), qPrintable(bar.textLabel()->text()));
    QVERIFY(!bar.progressBar()->isVisibleTo(&bar));
    QVERIFY(bar.downloadButton()->isVisibleTo(&bar)); // retry, or pick another option
    QVERIFY(bar.downloadButton()->isEnabled());
    QVERIFY(bar.chooseFileButton()->isEnabled());
}

void TestWeightsDownloader::barCancelsDownload()
{
    QTemporaryDir tmp;
    WeightsBar bar;
    offer(bar, m_server.url("/slow/" + m_goodName), tmp.path());
    auto* downloader = bar.findChild<WeightsDownloader*>();
    QVERIFY(downloader);
    QSignalSpy progress(downloader, &WeightsDownloader::progress);
    bar.downloadButton()->click();
    QTRY_VERIFY_WITH_TIMEOUT(!progress.isEmpty() && progress.last().at(0).toLongLong() > 0, kWaitMs);
    QTRY_VERIFY_WITH_TIMEOUT(bar.progressBar()->value() > 0, kWaitMs);

    bar.cancelDownloadButton()->click();
    QVERIFY(!downloader->isRunning());
    const QString status = bar.textLabel()->text();
    QVERIFY2(status.contains("cancelled"), qPrintable(status));
    QVERIFY2(status.contains(part(m_goodName)) && status.contains("resumes"), qPrintable(status));
    QVERIFY(!bar.cancelDownloadButton()->isVisibleTo(&bar));
    QVERIFY(bar.downloadButton()->isEnabled());
    QVERIFY2(bar.downloadButton()->text().startsWith("&Resume"), qPrintable(bar.downloadButton()->text()));
    QCOMPARE(filesIn(tmp.path()), QStringList{part(m_goodName)});
}

void TestWeightsDownloader::barResumesInterruptedDownload()
{
    // A .part left by an earlier run: the button offers to resume, and a
    // click completes the file from where it stopped.
    QTemporaryDir tmp;
    const qint64 keptSize = 1024 * 1024;
    writeFile(tmp.filePath(part(m_goodName)), m_body.left(keptSize));
    WeightsBar bar;
    offer(bar, m_server.url("/ranged/" + m_goodName), tmp.path());
    QVERIFY2(bar.downloadButton()->text().startsWith("&Resume"), qPrintable(bar.downloadButton()->text()));

    QSignalSpy chosen(&bar, &WeightsBar::weightsChosen);
    const qsizetype requests = m_server.requests().size();
    bar.downloadButton()->click();
    QVERIFY(chosen.wait(kWaitMs));
    QCOMPARE(rangesSince(requests, "/ranged/"), QByteArrayList{rangeFrom(keptSize)});
    QVERIFY(readFile(chosen.first().at(1).toString()) == m_body);
    QCOMPARE(filesIn(tmp.path()), QStringList{m_goodName});
}

void TestWeightsDownloader::barOfferForAnotherModelCancelsDownload()
{
    // The user picks another model while a download runs: the bar now offers
    // that one, and the first download's bytes wait in its .part.
    QTemporaryDir tmp;
    WeightsBar bar;
    offer(bar, m_server.url("/slow/" + m_goodName), tmp.path());
    auto* downloader = bar.findChild<WeightsDownloader*>();
    QSignalSpy progress(downloader, &WeightsDownloader::progress);
    bar.downloadButton()->click();
    QTRY_VERIFY_WITH_TIMEOUT(!progress.isEmpty() && progress.last().at(0).toLongLong() > 0, kWaitMs);
    bar.offer(QStringLiteral("resnet34"), QStringLiteral("resnet34 is not in the torch hub cache."),
              m_server.url("/good/resnet34-b627a593.pth"), tmp.path());
    QVERIFY(!downloader->isRunning());
    QCOMPARE(bar.modelName(), QString("resnet34"));
    QCOMPARE(bar.textLabel()->text(), QString("resnet34 is not in the torch hub cache."));
    QVERIFY2(bar.downloadButton()->text().contains("83 MB"), qPrintable(bar.downloadButton()->text()));
    QCOMPARE(filesIn(tmp.path()), QStringList{part(m_goodName)});
}

QTEST_MAIN(TestWeightsDownloader)
#include "tst_weightsdownloader.moc"
