// A first launch as a new user has it: an empty HOME, no TORCH_HOME, no torch
// hub cache, no network. The window opens at once (no dialog) with the
// bundled SqueezeNet 1.1 and a bar offering ResNet-18's weights; that bar's
// download, against a server on 127.0.0.1 only, switches the model and keeps
// the panes, and its failure leaves the bundled model running.
#include <QApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QNetworkProxy>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "core/imaging/modeltransform.h"
#include "core/models/modelspecs.h"
#include "core/support/weightscache.h"
#include "localhttpserver.h"
#include "testsupport.h"
#include "windowtestsupport.h"
#include "ui/canvas/comparepane.h"
#include "ui/canvas/imagecanvas.h"
#include "ui/window/mainwindow.h"
#include "ui/settings/settings.h"
#include "ui/weights/weightsbar.h"
#include "ui/weights/weightsdownloader.h"

using namespace gce::ui;

namespace {
constexpr int kTimeoutMs = 120000;

QString demo(const char* name) { return gce::test::demoImage(name); }

// Cat classes of ImageNet: tabby, tiger cat, Persian, Siamese, Egyptian cat.
bool isCat(int index) { return index >= 281 && index <= 285; }

// No dialog may open: a modal one would block this test until its timeout.
bool anyDialogShown()
{
    for (QWidget* widget : QApplication::topLevelWidgets())
        if (widget->isVisible() && widget->inherits("QDialog"))
            return true;
    return false;
}
} // namespace

class TestFirstLaunch : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QNetworkProxy::setApplicationProxy(QNetworkProxy::NoProxy);
        QVERIFY(m_home.isValid());
        // Before anything asks where the cache is: a home with nothing in it.
        qputenv("HOME", m_home.path().toLocal8Bit());
        qunsetenv("TORCH_HOME");
        qunsetenv("XDG_CACHE_HOME");
        qunsetenv("GCE_WEIGHTS_MIRROR");
        gce::test::useThrowawaySettings(m_home.filePath("settings"), "tst_firstlaunch");
        QVERIFY(!gce::findCachedWeights(gce::modelSpec("resnet18")));
        QVERIFY2(gce::bundledWeights(gce::modelSpec("squeezenet1_1")), "resources/models/ has no bundled model");
        QVERIFY(m_server.listen());
    }

    void opensWithTheBundledModelAndNoDialog()
    {
        QTimer watch; // a dialog would be a failure, not a hang
        bool dialogSeen = false;
        connect(&watch, &QTimer::timeout, this, [&] { dialogSeen |= anyDialogShown(); });
        watch.start(20);

        StartOptions options;
        options.imagePath = demo("chelsea.jpg");
        MainWindow window(options);
        QVERIFY(gce::test::showAndWait(window));
        QVERIFY(!dialogSeen);

        const CamResult& result = window.controller()->lastResult();
        QCOMPARE(result.modelName, QString("squeezenet1_1"));
        QVERIFY(!result.untrained);
        QVERIFY(!window.untrainedBadgeVisible());
        QVERIFY2(isCat(result.panes[0].classIndex), qPrintable(result.panes[0].className));

        WeightsBar* bar = window.findChild<WeightsBar*>();
        QVERIFY(bar->isVisible());
        QCOMPARE(bar->modelName(), QString("resnet18"));
        QVERIFY2(bar->textLabel()->text().contains("ResNet-18"), qPrintable(bar->textLabel()->text()));
        QVERIFY2(bar->textLabel()->text().contains("torch hub cache"), qPrintable(bar->textLabel()->text()));
        QCOMPARE(bar->downloadButton()->text(), QString("&Download (45 MB)"));
        QVERIFY(bar->chooseFileButton()->isVisible());
        QVERIFY(bar->dismissButton()->isVisible());
    }

    void dismissIsRemembered()
    {
        {
            StartOptions options;
            options.imagePath = demo("chelsea.jpg");
            MainWindow window(options);
            QVERIFY(gce::test::showAndWait(window));
            QVERIFY(window.findChild<WeightsBar*>()->isVisible());
            window.findChild<WeightsBar*>()->dismissButton()->click();
            QVERIFY(!window.findChild<WeightsBar*>()->isVisible());
            QCOMPARE(window.modelName(), QString("squeezenet1_1"));
        }
        // The next start opens the model that ran, without the offer.
        StartOptions options;
        options.imagePath = demo("chelsea.jpg");
        MainWindow window(options);
        QVERIFY(gce::test::showAndWait(window));
        QVERIFY(!window.findChild<WeightsBar*>()->isVisible());
        QCOMPARE(window.controller()->lastResult().modelName, QString("squeezenet1_1"));
        // Choosing ResNet-18 from the menu offers its weights again, and the
        // running model stays.
        const QList<QAction*> actions = window.findChildren<QAction*>();
        const auto resnet = std::find_if(actions.begin(), actions.end(),
                                         [](QAction* a) { return a->text() == QLatin1String("resnet18"); });
        QVERIFY(resnet != actions.end());
        (*resnet)->trigger();
        QVERIFY(window.findChild<WeightsBar*>()->isVisible());
        QCOMPARE(window.modelName(), QString("squeezenet1_1"));
        QVERIFY(!(*resnet)->isChecked());
        Settings::setValue(Setting::Model, QStringLiteral("resnet18")); // as a first launch, for what follows
    }

    void downloadSwitchesModelAndKeepsPanes()
    {
        // A random-init ResNet-18 saved as torchvision does, served under the
        // official naming scheme with its own hash prefix.
        QFile checkpoint(gce::test::fixturesDir("checkpoints") + "/resnet18.pth");
        QVERIFY2(checkpoint.open(QIODevice::ReadOnly), qPrintable(checkpoint.fileName()));
        const QByteArray body = checkpoint.readAll();
        m_server.setBody(body);
        const QString name =
            "resnet18-" + QCryptographicHash::hash(body, QCryptographicHash::Sha256).toHex().left(8) + ".pth";

        StartOptions options;
        options.imagePath = demo("cat_and_coffee.jpg");
        options.classes = {281, 967};
        MainWindow window(options);
        QVERIFY(gce::test::showAndWait(window));
        QCOMPARE(window.controller()->lastResult().modelName, QString("squeezenet1_1"));
        QCOMPARE(window.paneStrip()->panes().size(), 2);

        // The offer the window made, pointed at the local server.
        WeightsBar* bar = window.findChild<WeightsBar*>();
        const QString cache = m_home.filePath(".cache/torch/hub/checkpoints");
        bar->offer(QStringLiteral("resnet18"), bar->textLabel()->text(), m_server.url("/good/" + name), cache);
        QSignalSpy shown(&window, &MainWindow::resultShown);
        bar->downloadButton()->click();
        QVERIFY(bar->isDownloading());
        QTRY_VERIFY_WITH_TIMEOUT(!shown.isEmpty() && window.controller()->lastResult().modelName == QLatin1String("resnet18"),
                                 kTimeoutMs);

        QVERIFY(!bar->isVisible());
        QCOMPARE(window.modelName(), QString("resnet18"));
        QCOMPARE(window.controller()->lastResult().panes.size(), 2);
        QCOMPARE(window.controller()->lastResult().panes[0].classIndex, 281);
        QCOMPARE(window.controller()->lastResult().panes[1].classIndex, 967);
        QCOMPARE(window.controller()->lastResult().image.size(), QSize(1201, 400)); // the same photo
        QVERIFY(QFile::exists(QDir(cache).filePath(name)));
    }

    void failedDownloadKeepsTheBundledModel()
    {
        // The window's own offer, through a mirror on 127.0.0.1 that serves
        // bytes whose hash does not match the official name.
        m_server.setBody(QByteArray(4096, 'x'));
        // Forget the file the test before downloaded (its name is not an
        // official one, so the cache lookup does not find it either).
        Settings::setWeightsFor(QStringLiteral("resnet18"), QString());
        qputenv("GCE_WEIGHTS_MIRROR", m_server.url("/good").toString().toUtf8());
        StartOptions options;
        options.imagePath = demo("chelsea.jpg");
        options.modelName = QStringLiteral("resnet18");
        MainWindow window(options);
        QVERIFY(gce::test::showAndWait(window));
        const quint64 shownId = window.controller()->lastResult().requestId;
        WeightsBar* bar = window.findChild<WeightsBar*>();
        QVERIFY(bar->isVisible());
        QSignalSpy failed(bar->findChild<WeightsDownloader*>(), &WeightsDownloader::failed);
        bar->downloadButton()->click();
        QVERIFY(failed.wait(kTimeoutMs));
        qunsetenv("GCE_WEIGHTS_MIRROR");

        const QString text = bar->textLabel()->text();
        QVERIFY2(text.contains("f37072fd"), qPrintable(text)); // expected versus actual prefix
        QVERIFY2(!text.contains(u'\n'), qPrintable(text));
        QVERIFY(bar->isVisible());
        QVERIFY(bar->downloadButton()->isEnabled());
        QCOMPARE(window.modelName(), QString("squeezenet1_1"));
        QTest::qWait(200);
        QCOMPARE(window.controller()->lastResult().requestId, shownId); // nothing recomputed
        QCOMPARE(window.controller()->lastResult().modelName, QString("squeezenet1_1"));
    }

    // Model ▸ Preprocessing ▸ Model's Own: the weights' transform runs, the
    // map covers the crop's rectangle and the rest of the photo is dimmed, in
    // the window and in the export; the choice is remembered for the model.
    void modelPreprocessingDrawsTheCrop()
    {
        StartOptions options;
        options.imagePath = demo("cat_and_coffee.jpg");
        options.modelName = QStringLiteral("squeezenet1_1");
        MainWindow window(options);
        QVERIFY(gce::test::showAndWait(window));
        QCOMPARE(window.controller()->lastResult().preprocess, QString("tutorial"));
        QCOMPARE(window.controller()->lastResult().inputRect, QRectF(0, 0, 1201, 400));
        QVERIFY(window.action(MainWindow::ActionId::TutorialPreprocessing)->isChecked());

        QSignalSpy shown(&window, &MainWindow::resultShown);
        window.action(MainWindow::ActionId::ModelPreprocessing)->trigger();
        QVERIFY(shown.wait(kTimeoutMs));
        const CamResult& result = window.controller()->lastResult();
        QCOMPARE(result.preprocess, QString("model"));
        QCOMPARE(result.transformText, QString("resize 256, crop 224, bilinear"));
        // The crop as core/imaging computes it for this photo and transform.
        const gce::CropBox box = gce::modelCropBox(1201, 400, gce::modelTransformFor("squeezenet1_1", ""));
        QCOMPARE(result.inputRect, QRectF(box.x, box.y, box.width, box.height));
        QVERIFY(result.inputRect.width() < 500); // a centre square of a 3:1 photo
        QCOMPARE(window.paneStrip()->panes()[0]->canvas()->inputRect(), result.inputRect);
        QCOMPARE(Settings::preprocessFor("squeezenet1_1"), QString("model"));
        QVERIFY(window.action(MainWindow::ActionId::ModelPreprocessing)->isChecked());

        // The export: outside the crop the photo at half brightness, inside the overlay.
        const QImage exported = window.renderExportImage(true);
        const QImage photo = result.image;
        const QColor left = photo.pixelColor(20, 200);
        const QColor dimmed = exported.pixelColor(20, 200);
        QVERIFY2(std::abs(dimmed.red() - left.red() / 2) <= 1 && std::abs(dimmed.blue() - left.blue() / 2) <= 1,
                 qPrintable(QStringLiteral("%1 vs %2").arg(dimmed.name(), left.name())));
        const QPoint centre = result.inputRect.center().toPoint();
        QVERIFY(exported.pixelColor(centre) != photo.pixelColor(centre)); // the heatmap is blended there

        // Remembered for the model: the next window starts with it.
        MainWindow next(options);
        QVERIFY(gce::test::showAndWait(next));
        QCOMPARE(next.controller()->lastResult().preprocess, QString("model"));
        Settings::setPreprocessFor("squeezenet1_1", QString());
    }

private:
    QTemporaryDir m_home;
    gce::test::LocalHttpServer m_server;
};

QTEST_MAIN(TestFirstLaunch)
#include "tst_firstlaunch.moc"
