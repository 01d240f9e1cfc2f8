// Nothing lost (issue 6, part 6): an export that cannot be written says so
// (a message in the window; one line and a non-zero exit code from
// `gradcam-explorer --export` and `gradcam-cli --overlay`) and leaves every
// file that was there before untouched, with no temporary file behind; a
// damaged settings file starts the window on defaults with a one-line notice,
// once.
//
// Failures simulated: a missing folder, a "folder" that is a regular file
// (ENOTDIR), a read-only folder (does not apply to root: skipped), a full
// disk (a 64 KiB tmpfs: needs CAP_SYS_ADMIN, skipped without it) and a
// file-size limit (RLIMIT_FSIZE with SIGXFSZ ignored: write() fails with
// EFBIG part-way, as on a full disk; needs no privilege, so it runs in any
// container).
#include <QBuffer>
#include <QComboBox>
#include <QProcess>
#include <QRandomGenerator>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QtTest>

#include <csignal>
#include <cstring>
#include <optional>

#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dialoganswerer.h"
#include "testsupport.h"
#include "windowtestsupport.h"
#include "ui/canvas/comparepane.h"
#include "ui/window/mainwindow.h"
#include "ui/settings/settings.h"

using namespace gce::ui;

namespace {
constexpr int kTimeoutMs = 300000;
constexpr rlim_t kSmallDiskBytes = 64 * 1024; // the exports here are 150 KB and more

enum Writer { WindowExport, ExplorerExport, CliOverlay };
enum Failure { MissingFolder, ParentIsFile, ReadOnlyFolder, FullDisk, FileSizeLimit };

const char* writerName(int writer)
{
    static const char* names[] = {"window File>Export", "gradcam-explorer --export", "gradcam-cli --overlay"};
    return names[writer];
}

QString photo() { return gce::test::sourceDir() + "/resources/demo/chelsea.jpg"; }

QByteArray readAll(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool writeAll(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

// Every entry of a folder, hidden ones included (core/support/atomicfile.h's temporaries).
QStringList listing(const QString& dir)
{
    return QDir(dir).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Name);
}

// Limits the size of files this process writes, for as long as it lives.
class FileSizeLimitGuard {
public:
    explicit FileSizeLimitGuard(rlim_t bytes)
    {
        ::getrlimit(RLIMIT_FSIZE, &m_old);
        rlimit limit = m_old;
        limit.rlim_cur = bytes;
        m_active = ::setrlimit(RLIMIT_FSIZE, &limit) == 0;
    }
    ~FileSizeLimitGuard() { ::setrlimit(RLIMIT_FSIZE, &m_old); }
    bool active() const { return m_active; }

private:
    rlimit m_old{};
    bool m_active = false;
};

// Undoes what a row did to the file system before its QTemporaryDir goes.
struct Restore {
    QString mounted;
    QString readOnly;
    ~Restore()
    {
        if (!readOnly.isEmpty())
            ::chmod(QFile::encodeName(readOnly).constData(), 0755);
        if (!mounted.isEmpty())
            ::umount2(QFile::encodeName(mounted).constData(), MNT_DETACH);
    }
};

struct Run {
    int exitCode = -1;
    QStringList errLines;
};

// Like gce::test::runProcess, optionally under a file-size limit set in the child.
Run run(const QString& program, const QStringList& args, bool limitFileSize)
{
    QProcess process;
    if (limitFileSize) {
        process.setChildProcessModifier([] {
            const rlimit limit{kSmallDiskBytes, kSmallDiskBytes};
            ::setrlimit(RLIMIT_FSIZE, &limit); // SIGXFSZ stays ignored across exec
        });
    }
    process.start(program, args);
    Run result;
    if (!process.waitForStarted(30000) || !process.waitForFinished(kTimeoutMs)) {
        process.kill();
        process.waitForFinished();
        result.errLines << "did not run to completion: " + program;
        return result;
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    for (const QByteArray& line : process.readAllStandardError().split('\n'))
        if (!line.isEmpty())
            result.errLines << QString::fromUtf8(line);
    return result;
}

// setpriv's arguments to run `program` as nobody (root only), when nobody can
// run it with the test's photo and weights and enter `dir`; else empty.
QStringList nobodyArguments(const QString& dir, const QString& program)
{
    if (::geteuid() != 0 || QStandardPaths::findExecutable("setpriv").isEmpty())
        return {};
    ::chmod(QFile::encodeName(dir).constData(), 0711); // enter, not list
    const QStringList asNobody{"--reuid=65534", "--regid=65534", "--clear-groups"};
    const QString weights = gce::test::fixturesDir("engine") + "/squeezenet1_1.pth";
    const auto probe = gce::test::runProcess(
        "setpriv", asNobody + QStringList{"test", "-r", weights, "-a", "-r", photo(), "-a", "-x", program, "-a", "-x",
                                          dir});
    return probe.exitCode == 0 ? asNobody : QStringList{};
}

StartOptions untrainedSqueezeNet(const QString& image = {})
{
    StartOptions options;
    options.imagePath = image;
    options.modelName = QStringLiteral("squeezenet1_1");
    options.untrained = true;
    return options;
}
} // namespace

class TestNothingLost : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        m_weights = gce::test::fixturesDir("engine") + "/squeezenet1_1.pth";
        QVERIFY2(QFile::exists(m_weights), "fixture missing: run ctest (fixture_engine)");
        QVERIFY(m_settingsDir.isValid());
        gce::test::useThrowawaySettings(m_settingsDir.path(), "tst_nothinglost");
        QCoreApplication::setAttribute(Qt::AA_DontUseNativeDialogs); // DialogAnswerer drives Qt's own
        // Past RLIMIT_FSIZE, write() fails with EFBIG instead of the process being killed.
        std::signal(SIGXFSZ, SIG_IGN);
    }

    void failedExportLosesNothing_data()
    {
        QTest::addColumn<int>("writer");
        QTest::addColumn<int>("failure");
        const char* failures[] = {"missing folder", "parent is a file", "read-only folder", "full disk (tmpfs)",
                                  "file size limit"};
        for (int writer : {WindowExport, ExplorerExport, CliOverlay})
            for (int failure : {MissingFolder, ParentIsFile, ReadOnlyFolder, FullDisk, FileSizeLimit})
                QTest::addRow("%s, %s", writerName(writer), failures[failure]) << writer << failure;
    }

    void failedExportLosesNothing()
    {
        QFETCH(int, writer);
        QFETCH(int, failure);
        QTemporaryDir base;
        QVERIFY(base.isValid());
        Restore restore;
        // An earlier export in the target folder, which a failed write must not touch.
        const QByteArray earlierBytes = [] {
            QImage image(48, 32, QImage::Format_RGB888);
            image.fill(Qt::darkCyan);
            QByteArray bytes;
            QBuffer buffer(&bytes);
            buffer.open(QIODevice::WriteOnly);
            image.save(&buffer, "PNG");
            return bytes;
        }();
        QString folder = base.filePath("out");
        QString earlier; // the file that must survive
        QStringList asNobody; // setpriv's arguments when the writer runs as nobody
        switch (failure) {
        case MissingFolder:
            folder = base.filePath("missing");
            break;
        case ParentIsFile:
            folder = base.filePath("notes.txt"); // exporting to notes.txt/out.png: ENOTDIR
            earlier = folder;
            QVERIFY(writeAll(earlier, "my notes, not a folder\n"));
            break;
        default:
            QVERIFY(QDir().mkpath(folder));
            if (failure == FullDisk) {
                const QByteArray options = "size=" + QByteArray::number(quint64(kSmallDiskBytes));
                if (::mount("tmpfs", QFile::encodeName(folder).constData(), "tmpfs", 0, options.constData()) != 0)
                    QSKIP(qPrintable(QStringLiteral("cannot mount a small tmpfs (%1): needs root with "
                                                    "CAP_SYS_ADMIN, which containers usually drop")
                                         .arg(QString::fromLocal8Bit(std::strerror(errno)))));
                restore.mounted = folder;
            }
            earlier = QDir(folder).filePath("out.png");
            QVERIFY(writeAll(earlier, earlierBytes));
            if (failure == ReadOnlyFolder) {
                QVERIFY(::chmod(QFile::encodeName(folder).constData(), 0555) == 0);
                restore.readOnly = folder;
                if (writeAll(QDir(folder).filePath("probe"), "x")) {
                    // As root (CI) the folder is still writable: the CLI and
                    // --export run as nobody instead; the window cannot.
                    QFile::remove(QDir(folder).filePath("probe"));
                    if (writer != WindowExport)
                        asNobody = nobodyArguments(base.path(), writer == CliOverlay ? GCE_CLI : GCE_EXPLORER);
                    if (asNobody.isEmpty())
                        QSKIP("file permissions do not apply to this user (root or CAP_DAC_OVERRIDE): a read-only "
                              "folder is still writable, and this writer cannot run as nobody here");
                }
            }
        }
        // The window and the CLI replace an existing file when asked to (the
        // window after its "replace?" question); --export never does, so it
        // writes a new name next to the earlier file.
        const bool replaces = writer != ExplorerExport && !earlier.isEmpty() && failure != ParentIsFile;
        const QString target = replaces ? earlier : QDir(folder).filePath("new.png");
        const QByteArray earlierBefore = earlier.isEmpty() ? QByteArray() : readAll(earlier);
        const QStringList before = listing(QFileInfo(target).path());
        const bool limit = failure == FileSizeLimit;

        QString observed;
        if (writer == WindowExport) {
            MainWindow window(untrainedSqueezeNet(photo()));
            window.show();
            QSignalSpy shown(&window, &MainWindow::resultShown);
            QVERIFY(shown.wait(kTimeoutMs));
            gce::test::DialogAnswerer answer(target);
            {
                std::optional<FileSizeLimitGuard> guard;
                if (limit)
                    QVERIFY(guard.emplace(kSmallDiskBytes).active());
                window.action(MainWindow::ActionId::Export)->trigger();
            }
            QCOMPARE(answer.fileDialogsAnswered(), 1);
            QCOMPARE(answer.questionsAnswered(), replaces ? 1 : 0); // "replace it?" - yes
            observed = window.messageText();
            QVERIFY2(observed.startsWith("Export failed: ") && observed.contains(QFileInfo(target).fileName()),
                     qPrintable(observed));
        } else {
            const bool cli = writer == CliOverlay;
            const QString program = cli ? QStringLiteral(GCE_CLI) : QStringLiteral(GCE_EXPLORER);
            const QStringList args =
                cli ? QStringList{"--image", photo(), "--model", "squeezenet1_1", "--weights", m_weights, "--overlay",
                                  target}
                    : QStringList{photo(), "--model", "squeezenet1_1", "--weights", m_weights, "--export", target};
            const Run r = asNobody.isEmpty() ? run(program, args, limit)
                                             : run("setpriv", asNobody + QStringList{program} + args, limit);
            observed = QStringLiteral("exit %1: %2").arg(r.exitCode).arg(r.errLines.join(" | "));
            QVERIFY2(r.exitCode == 3, qPrintable(observed));
            QVERIFY2(r.errLines.size() == 1, qPrintable(observed));
            QVERIFY2(r.errLines[0].startsWith(cli ? "gradcam-cli: " : "gradcam-explorer: "), qPrintable(observed));
            QVERIFY2(r.errLines[0].contains(QFileInfo(target).fileName()), qPrintable(observed));
        }
        qInfo("%-26s -> %s", writerName(writer), qPrintable(observed));

        if (!earlier.isEmpty())
            QVERIFY2(readAll(earlier) == earlierBefore, "the earlier file was changed");
        QCOMPARE(listing(QFileInfo(target).path()), before); // no temporary file left, nothing new
        if (target != earlier)
            QVERIFY(!QFileInfo::exists(target));
        if (failure == MissingFolder)
            QVERIFY(!QFileInfo::exists(folder)); // not created either
    }

    // ---- settings ---------------------------------------------------------

    void garbageSettingsFileStartsOnDefaults()
    {
        QByteArray garbage(4096, Qt::Uninitialized);
        QRandomGenerator rng(6);
        for (char& byte : garbage)
            byte = char(rng.bounded(256));
        const QString file = writeSettingsFile(garbage);
        QVERIFY(!file.isEmpty());
        {
            MainWindow window(untrainedSqueezeNet());
            window.show(); // messageText() is what is visible
            const QString notice = window.messageText();
            qInfo("random bytes: %s", qPrintable(notice));
            QVERIFY2(notice.startsWith("Settings file " + QDir::toNativeSeparators(file) +
                                       " was unreadable; defaults used"),
                     qPrintable(notice));
            QVERIFY(!notice.contains('\n'));
            QCOMPARE(window.findChild<QSlider*>("opacity")->value(), Settings::defaultValue(Setting::Opacity).toInt());
            QCOMPARE(window.findChild<QComboBox*>("colormap")->currentText(), QString("JET"));
            // Nothing lost: the damaged file is kept for whoever wants to look at it.
            QCOMPARE(readAll(file + ".unreadable"), garbage);
            QVERIFY(notice.contains(file + ".unreadable"));
        }
        QSettings settings;
        QCOMPARE(settings.status(), QSettings::NoError);
        QVERIFY(settings.allKeys().isEmpty());
        MainWindow again(untrainedSqueezeNet());
        again.show(); // messageText() is what is visible
        QVERIFY2(again.messageText().isEmpty(), qPrintable(again.messageText())); // once
    }

    // File ▸ Export Top-5 and the panes' maps share the one worker (each in
    // a slot of its own). Neither may be lost: a click right after the export
    // asked, nor a map on its way when it asked.
    void topKExportAndMapsSurviveEachOther()
    {
        MainWindow window(untrainedSqueezeNet(photo()));
        window.show();
        QSignalSpy shown(&window, &MainWindow::resultShown);
        QVERIFY(shown.wait(kTimeoutMs));
        const auto pngs = [](const QTemporaryDir& dir) { return QDir(dir.path()).entryList({"*.png"}, QDir::Files); };

        QTemporaryDir first;
        {
            gce::test::DialogAnswerer answer(first.path());
            window.action(MainWindow::ActionId::ExportTopK)->trigger();
            QCOMPARE(answer.fileDialogsAnswered(), 1);
        }
        window.action(MainWindow::ActionId::AddPane)->trigger(); // a map request at once: goes first
        QTRY_COMPARE_WITH_TIMEOUT(pngs(first).size(), 5, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(window.paneStrip()->panes().size() == 2 && window.paneStrip()->panes()[1]->result().classIndex >= 0, kTimeoutMs);

        QTemporaryDir second;
        window.action(MainWindow::ActionId::AddPane)->trigger(); // a map on its way...
        {
            gce::test::DialogAnswerer answer(second.path());
            window.action(MainWindow::ActionId::ExportTopK)->trigger(); // ...when the export asks
            QCOMPARE(answer.fileDialogsAnswered(), 1);
        }
        QTRY_COMPARE_WITH_TIMEOUT(pngs(second).size(), 5, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(window.paneStrip()->panes().size() == 3 && window.paneStrip()->panes()[2]->result().classIndex >= 0, kTimeoutMs);
        QVERIFY2(window.messageText().isEmpty(), qPrintable(window.messageText()));
    }

    void malformedSettingsFileKeepsWhatParses()
    {
        // An unterminated section header: QSettings reports a FormatError.
        const QString file = writeSettingsFile("[view\nopacity=30\n[model]\nname=squeezenet1_1\n");
        QVERIFY(!file.isEmpty());
        {
            MainWindow window(untrainedSqueezeNet());
            window.show(); // messageText() is what is visible
            const QString notice = window.messageText();
            qInfo("format error: %s", qPrintable(notice));
            QVERIFY2(notice.contains("was unreadable; defaults used"), qPrintable(notice));
            QCOMPARE(readAll(file + ".unreadable"), QByteArray("[view\nopacity=30\n[model]\nname=squeezenet1_1\n"));
        }
        QSettings settings;
        QCOMPARE(settings.status(), QSettings::NoError); // rewritten in QSettings' own format
        QCOMPARE(Settings::value(Setting::Model).toString(), QString("squeezenet1_1")); // kept
        MainWindow again(untrainedSqueezeNet());
        again.show(); // messageText() is what is visible
        QVERIFY2(again.messageText().isEmpty(), qPrintable(again.messageText()));
    }

    void wrongTypedSettingsFallBackToDefaults()
    {
        QVERIFY(!writeSettingsFile("[files]\nrecent=42\n"
                                   "[view]\nopacity=abc\ncolormap=plaid\n"
                                   "[model]\nname=squeezenet1_1\nlayers=5\n")
                     .isEmpty());
        {
            MainWindow window(untrainedSqueezeNet());
            window.show(); // messageText() is what is visible
            const QString notice = window.messageText();
            qInfo("wrong types: %s", qPrintable(notice));
            QVERIFY2(notice.contains("had unusable values for files/recent, view/opacity, view/colormap, "
                                     "model/layers; defaults used"),
                     qPrintable(notice));
            QCOMPARE(window.findChild<QSlider*>("opacity")->value(), Settings::defaultValue(Setting::Opacity).toInt());
            QCOMPARE(window.findChild<QComboBox*>("colormap")->currentText(), QString("JET"));
            QVERIFY(Settings::recentFiles().isEmpty());
            QVERIFY(Settings::layerFor("squeezenet1_1").isEmpty());
        }
        QSettings settings;
        QCOMPARE(settings.allKeys(), QStringList{"model/name"}); // the usable value stays
        QCOMPARE(Settings::value(Setting::Model).toString(), QString("squeezenet1_1"));
        MainWindow again(untrainedSqueezeNet());
        again.show(); // messageText() is what is visible
        QVERIFY2(again.messageText().isEmpty(), qPrintable(again.messageText()));
        QCOMPARE(again.findChild<QSlider*>("opacity")->value(), Settings::defaultValue(Setting::Opacity).toInt());
    }

    void outOfRangeSettingFallsBack()
    {
        QVERIFY(!writeSettingsFile("[view]\nopacity=900\n").isEmpty());
        MainWindow window(untrainedSqueezeNet());
        window.show(); // messageText() is what is visible
        QVERIFY2(window.messageText().contains("unusable values for view/opacity;"), qPrintable(window.messageText()));
        QCOMPARE(window.findChild<QSlider*>("opacity")->value(), Settings::defaultValue(Setting::Opacity).toInt());
    }

    void goodSettingsFileShowsNoNotice()
    {
        QVERIFY(!writeSettingsFile("[view]\nopacity=65\ncolormap=viridis\n").isEmpty());
        MainWindow window(untrainedSqueezeNet());
        window.show(); // messageText() is what is visible
        QVERIFY2(window.messageText().isEmpty(), qPrintable(window.messageText()));
        QCOMPARE(window.findChild<QSlider*>("opacity")->value(), 65);
        QCOMPARE(window.findChild<QComboBox*>("colormap")->currentText(), QString("VIRIDIS"));
    }

private:
    // Replaces the settings file (and any kept copy) with `bytes`; returns its path, empty on failure.
    static QString writeSettingsFile(const QByteArray& bytes)
    {
        const QString file = QSettings().fileName();
        const QDir dir = QFileInfo(file).dir();
        dir.mkpath(QStringLiteral("."));
        for (const QString& name : dir.entryList({QFileInfo(file).fileName() + "*"}))
            QFile::remove(dir.filePath(name));
        return writeAll(file, bytes) ? file : QString();
    }

    QTemporaryDir m_settingsDir;
    QString m_weights;
};

QTEST_MAIN(TestNothingLost)
#include "tst_nothinglost.moc"
