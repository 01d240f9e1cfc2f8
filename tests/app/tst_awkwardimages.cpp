// Awkward and broken image files, end to end (issue 6, part 4): each one
// through gradcam-cli (exit 0, or exit 3 with one "gradcam-cli: " line on
// stderr) and through the window (a message; the previous image stays and the
// window keeps working). The byte-level corpus comes from
// tests/oracle/make_awkward_images.py; what is a property of the file system
// (a folder named .jpg, no read permission, a FIFO, a missing file) is made
// here. Each row prints what was observed (qInfo), for the closing note.
#include <QJsonArray>
#include <QJsonObject>
#include <QSettings>
#include <QSignalSpy>
#include <QtTest>

#include <memory>

#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "testsupport.h"
#include "windowtestsupport.h"
#include "ui/canvas/comparepane.h"
#include "ui/canvas/imagecanvas.h"
#include "ui/window/mainwindow.h"

using namespace gce::ui;

namespace {
constexpr int kTimeoutMs = 300000;

QString corpus() { return gce::test::fixturesDir("awkward"); }

QStringList lines(const QByteArray& text)
{
    QStringList out;
    for (const QByteArray& line : text.split('\n'))
        if (!line.isEmpty())
            out << QString::fromUtf8(line);
    return out;
}
} // namespace

class TestAwkwardImages : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(corpus() + "/cases.json"), "fixture missing: run ctest (fixture_awkward)");
        m_weights = gce::test::fixturesDir("engine") + "/squeezenet1_1.pth";
        QVERIFY2(QFile::exists(m_weights), "fixture missing: run ctest (fixture_engine)");
        QVERIFY(m_settingsDir.isValid() && m_fsDir.isValid() && m_goodDir.isValid());
        gce::test::useThrowawaySettings(m_settingsDir.path(), "tst_awkwardimages");

        // File-system oddities, in a folder of their own.
        QVERIFY(QDir(m_fsDir.path()).mkdir("folder.jpg"));
        const QString locked = m_fsDir.filePath("unreadable.jpg");
        QVERIFY(QFile::copy(corpus() + "/good.jpg", locked));
        QVERIFY(::chmod(QFile::encodeName(locked).constData(), 0) == 0);
        QFile probe(locked);
        m_permissionsApply = !probe.open(QIODevice::ReadOnly);
        if (!m_permissionsApply)
            m_asNobody = nobodyCanRunTheCli();
        QVERIFY(::mkfifo(QFile::encodeName(m_fsDir.filePath("pipe.png")).constData(), 0644) == 0);

        // Two good photos in a third folder: the window's last good image
        // and its neighbour, to show that folder browsing still works.
        for (const char* name : {"a.jpg", "b.jpg"})
            QVERIFY(QFile::copy(corpus() + "/good.jpg", m_goodDir.filePath(name)));
    }

    void cleanupTestCase() { ::chmod(QFile::encodeName(m_fsDir.filePath("unreadable.jpg")).constData(), 0644); }

    void cliExitsWithOneLine_data() { addRows(); }
    void cliExitsWithOneLine()
    {
        QFETCH(QString, path);
        QFETCH(QString, what);
        QFETCH(bool, opens);
        QFETCH(QString, cliReason);
        QString program = QStringLiteral(GCE_CLI);
        QStringList args{"--image", path, "--model", "squeezenet1_1", "--weights", m_weights, "--json"};
        if (notApplicable(path)) {
            // As root (CI) a chmod 000 file is still readable: the CLI runs as
            // nobody instead, for whom it is not.
            if (m_asNobody.isEmpty())
                QSKIP("file permissions do not apply to this user (root or CAP_DAC_OVERRIDE) and the CLI cannot "
                      "be run as nobody here (setpriv, or the build tree is not readable by others)");
            args = m_asNobody + QStringList{program} + args;
            program = QStringLiteral("setpriv");
        }
        const auto r = gce::test::runProcess(program, args, kTimeoutMs);
        const QStringList err = lines(r.err);
        qInfo("CLI  %-26s exit %d  %s", qPrintable(what), r.exitCode,
              opens ? "(ok)" : qPrintable(err.value(0)));
        if (opens) {
            QVERIFY2(r.exitCode == 0, r.err.constData());
            QVERIFY2(err.isEmpty(), r.err.constData());
            const QStringList out = lines(r.out);
            QCOMPARE(out.size(), 1);
            const QJsonObject line = QJsonDocument::fromJson(out[0].toUtf8()).object();
            QCOMPARE(line["image"].toString(), path);
            QVERIFY(line["heatmap"].toObject()["values"].toArray().size() > 0);
        } else {
            QCOMPARE(r.exitCode, 3);
            QVERIFY(r.out.isEmpty());
            QVERIFY2(err.size() == 1, r.err.constData()); // one line, never a crash report or a trace
            QVERIFY2(err[0].startsWith("gradcam-cli: "), qPrintable(err[0]));
            QVERIFY2(err[0].contains(QFileInfo(path).fileName()) && err[0].contains(cliReason), qPrintable(err[0]));
        }
    }

    void windowShowsAMessageAndCarriesOn_data() { addRows(); }
    void windowShowsAMessageAndCarriesOn()
    {
        QFETCH(QString, path);
        QFETCH(QString, what);
        QFETCH(bool, opens);
        QFETCH(QString, windowReason);
        QFETCH(QSize, size);
        if (notApplicable(path))
            QSKIP("file permissions do not apply to this user (root or CAP_DAC_OVERRIDE): a chmod 000 file is "
                  "still readable");
        MainWindow& window = sharedWindow();
        // Start from a good image in another folder, with its neighbour next.
        const QString good = m_goodDir.filePath("a.jpg");
        window.openImage(good);
        QVERIFY(waitShown(window));
        QCOMPARE(window.controller()->lastResult().imagePath, good);

        const quint64 before = window.controller()->lastResult().requestId;
        window.openImage(path);
        if (opens) {
            QVERIFY(waitShown(window));
            QCOMPARE(window.controller()->lastResult().imagePath, path);
            QCOMPARE(window.controller()->lastResult().image.size(), size);
            QCOMPARE(window.paneStrip()->panes()[0]->canvas()->imageSize(), size);
            QVERIFY(!window.messageText().contains(QFileInfo(path).fileName()));
            qInfo("GUI  %-26s opens, %d x %d", qPrintable(what), size.width(), size.height());
            return;
        }
        const QString name = QFileInfo(path).fileName();
        QTRY_VERIFY_WITH_TIMEOUT(window.messageText().contains(name), kTimeoutMs);
        const QString message = window.messageText();
        qInfo("GUI  %-26s %s", qPrintable(what), qPrintable(message));
        QVERIFY2(message.contains(windowReason), qPrintable(message));
        QVERIFY(!message.contains('\n'));
        // Nothing lost: the previous image and its map are still shown...
        QCOMPARE(window.controller()->lastResult().requestId, before);
        QCOMPARE(window.controller()->lastResult().imagePath, good);
        QVERIFY(window.paneStrip()->panes()[0]->canvas()->hasImage());
        QVERIFY(!window.paneStrip()->panes()[0]->result().map.isNull());
        // ...and the window carries on from it: its folder's next image opens.
        QVERIFY(window.action(MainWindow::ActionId::NextImage)->isEnabled());
        window.action(MainWindow::ActionId::NextImage)->trigger();
        QVERIFY(waitShown(window));
        QCOMPARE(window.controller()->lastResult().imagePath, m_goodDir.filePath("b.jpg"));
    }

    void windowStartedOnABadImageStillWorks()
    {
        StartOptions options;
        options.imagePath = corpus() + "/truncated.jpg";
        options.modelName = QStringLiteral("squeezenet1_1");
        options.untrained = true;
        MainWindow window(options);
        window.show();
        QTRY_VERIFY_WITH_TIMEOUT(window.messageText().contains("truncated.jpg"), kTimeoutMs);
        QVERIFY(!window.action(MainWindow::ActionId::Export)->isEnabled()); // nothing to export yet
        window.openImage(m_goodDir.filePath("b.jpg"));
        QVERIFY(waitShown(window));
        QCOMPARE(window.controller()->lastResult().imagePath, m_goodDir.filePath("b.jpg"));
    }

private:
    // Columns: path, what, opens, cliReason, windowReason (substrings of the
    // messages), size (what the window shows, for files that open).
    void addRows()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("what");
        QTest::addColumn<bool>("opens");
        QTest::addColumn<QString>("cliReason");
        QTest::addColumn<QString>("windowReason");
        QTest::addColumn<QSize>("size");
        const QJsonArray cases = gce::test::readJson(corpus() + "/cases.json").array();
        QVERIFY(cases.size() >= 14);
        for (const auto& value : cases) {
            const QJsonObject c = value.toObject();
            const QJsonArray size = c["size"].toArray();
            const QString reason = c["reason"].toString();
            QTest::newRow(qPrintable(c["file"].toString()))
                << corpus() + "/" + c["file"].toString() << c["what"].toString() << c["opens"].toBool() << reason
                << reason << QSize(size.at(0).toInt(), size.at(1).toInt());
        }
        // The window opens a folder as a folder (its first image); gradcam-cli wants an image.
        QTest::newRow("folder.jpg") << m_fsDir.filePath("folder.jpg") << "directory named folder.jpg" << false
                                    << "it is a directory"
                                    << "No images (JPEG, PNG, WebP, BMP) in" << QSize();
        QTest::newRow("unreadable.jpg") << m_fsDir.filePath("unreadable.jpg") << "chmod 000 JPEG" << false
                                        << "permission denied"
                                        << "permission denied" << QSize();
        QTest::newRow("pipe.png") << m_fsDir.filePath("pipe.png") << "FIFO named .png" << false
                                  << "not a regular file"
                                  << "not a regular file" << QSize();
        QTest::newRow("missing.jpg") << m_fsDir.filePath("missing.jpg") << "file that does not exist" << false
                                     << "file not found"
                                     << "file not found" << QSize();
    }

    // setpriv's arguments to run a program as nobody (root only), when nobody
    // can run the CLI with the test's weights and reach m_fsDir; else empty.
    QStringList nobodyCanRunTheCli()
    {
        if (::geteuid() != 0 || QStandardPaths::findExecutable("setpriv").isEmpty())
            return {};
        ::chmod(QFile::encodeName(m_fsDir.path()).constData(), 0711); // enter, not list
        const QStringList asNobody{"--reuid=65534", "--regid=65534", "--clear-groups"};
        const auto probe = gce::test::runProcess(
            "setpriv", asNobody + QStringList{"test", "-r", m_weights, "-a", "-x", QStringLiteral(GCE_CLI), "-a", "-x",
                                              m_fsDir.path()});
        return probe.exitCode == 0 ? asNobody : QStringList{};
    }

    // QSKIP returns from the function it is in: used in the test functions themselves.
    bool notApplicable(const QString& path) const { return path.endsWith("unreadable.jpg") && !m_permissionsApply; }

    // One window for every row: each bad file must leave it usable for the next.
    MainWindow& sharedWindow()
    {
        if (!m_window) {
            StartOptions options;
            options.modelName = QStringLiteral("squeezenet1_1");
            options.untrained = true;
            m_window = std::make_unique<MainWindow>(options);
            m_window->show();
        }
        return *m_window;
    }

    static bool waitShown(MainWindow& window)
    {
        QSignalSpy shown(&window, &MainWindow::resultShown);
        return shown.wait(kTimeoutMs);
    }

    QTemporaryDir m_settingsDir;
    QTemporaryDir m_fsDir;
    QTemporaryDir m_goodDir;
    QString m_weights;
    bool m_permissionsApply = false;
    QStringList m_asNobody; // setpriv arguments when the CLI row runs as nobody (root only)
    std::unique_ptr<MainWindow> m_window;
};

QTEST_MAIN(TestAwkwardImages)
#include "tst_awkwardimages.moc"
