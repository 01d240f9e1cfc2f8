// The explorer window, driven as a user would (offscreen platform).
#include <QComboBox>
#include <QElapsedTimer>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QTableView>
#include <QtTest>

#include "testsupport.h"
#include "ui/classpanel.h"
#include "ui/comparepane.h"
#include "ui/exportrenderer.h"
#include "ui/imagecanvas.h"
#include "ui/mainwindow.h"

using namespace gce::ui;

namespace {
QString demo(const char* name) { return gce::test::sourceDir() + "/resources/demo/" + name; }

StartOptions untrained(const QString& image = {})
{
    StartOptions options;
    options.imagePath = image;
    options.untrained = true;
    options.askForWeights = false;
    return options;
}

// A copy of a demo photo alone in its folder: no neighbours get preloaded,
// so the forward-pass counter only moves for the image under test.
QString isolated(const QTemporaryDir& dir, const char* name)
{
    const QString path = dir.filePath(name);
    QFile::copy(demo(name), path);
    return path;
}

bool waitShown(MainWindow& window, int timeoutMs = 120000)
{
    QSignalSpy shown(&window, &MainWindow::resultShown);
    return shown.wait(timeoutMs);
}
} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        // Settings go to a throwaway folder, never the user's.
        QVERIFY(m_settingsDir.isValid());
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDir.path());
        QCoreApplication::setOrganizationName("gce-tests");
        QCoreApplication::setApplicationName("tst_mainwindow");
    }

    void opensImageAndShowsTopClass()
    {
        MainWindow window(untrained());
        window.show();
        window.openImage(demo("cat_and_coffee.jpg"));
        QVERIFY(waitShown(window));
        const CamResult& result = window.lastResult();
        QCOMPARE(result.image.size(), QSize(1201, 400));
        QCOMPARE(window.panes().size(), 1);
        QCOMPARE(window.panes()[0]->result().rank, 1);
        QVERIFY(window.panes()[0]->canvas()->hasImage());
        QCOMPARE(window.classPanel()->currentClass(), result.panes[0].classIndex);
        QVERIFY(window.untrainedBadgeVisible());
        QVERIFY(window.layerBox()->count() > 5);
        QVERIFY(window.layerBox()->currentText().contains("layer4.1.conv2"));
    }

    void selectingAClassComputesOnceWithoutForward()
    {
        QTemporaryDir dir;
        MainWindow window(untrained(isolated(dir, "chelsea.jpg")));
        window.show();
        QVERIFY(waitShown(window));
        const int forward = window.worker()->forwardPasses();
        const int backward = window.worker()->backwardPasses();
        emit window.classPanel()->classActivated(515);
        QVERIFY(waitShown(window));
        QCOMPARE(window.panes()[0]->result().classIndex, 515);
        QCOMPARE(window.worker()->backwardPasses(), backward + 1);
        QCOMPARE(window.worker()->forwardPasses(), forward);
        QCOMPARE(window.classPanel()->currentClass(), 515);
    }

    void rapidSelectionsEndOnTheLast()
    {
        MainWindow window(untrained(demo("chelsea.jpg")));
        window.show();
        QVERIFY(waitShown(window));
        QList<quint64> shownIds;
        QList<quint64> latestAtShow;
        connect(&window, &MainWindow::resultShown, this, [&](quint64 id) {
            shownIds << id;
            latestAtShow << window.worker()->latestRequestId();
        });
        for (int i = 0; i < 50; ++i) {
            emit window.classPanel()->classActivated(100 + i);
            if (i % 10 == 0)
                QCoreApplication::processEvents(); // let some results race in
        }
        QTRY_COMPARE_WITH_TIMEOUT(window.shownRequestId(), window.worker()->latestRequestId(), 60000);
        QTest::qWait(200);
        QCOMPARE(window.panes()[0]->result().classIndex, 149);
        QCOMPARE(window.classPanel()->currentClass(), 149);
        // Never painted a result that was already superseded.
        QCOMPARE(shownIds, latestAtShow);
        QVERIFY(shownIds.size() < 50);
    }

    void paneMethodRecomputesThatPane()
    {
        QTemporaryDir dir;
        MainWindow window(untrained(isolated(dir, "chelsea.jpg")));
        window.show();
        QVERIFY(waitShown(window));
        const QVector<float> before = window.panes()[0]->result().map.values;
        const int forward = window.worker()->forwardPasses();
        auto* methodBox = window.panes()[0]->findChild<QComboBox*>();
        QVERIFY(methodBox);
        methodBox->setCurrentIndex(methodBox->findData(QString("layercam")));
        QVERIFY(waitShown(window));
        QCOMPARE(window.panes()[0]->result().method, QString("layercam"));
        QVERIFY(window.panes()[0]->result().map.values != before);
        QCOMPARE(window.worker()->forwardPasses(), forward); // same session, another method
    }

    void opacityAndColormapDoNotCompute()
    {
        QTemporaryDir dir;
        MainWindow window(untrained(isolated(dir, "chelsea.jpg")));
        window.show();
        QVERIFY(waitShown(window));
        const int forward = window.worker()->forwardPasses();
        const int backward = window.worker()->backwardPasses();
        ImageCanvas* canvas = window.panes()[0]->canvas();
        const int recolours = canvas->heatRecolourCount();
        for (int value = 0; value <= 100; value += 5)
            window.opacitySlider()->setValue(value);
        QCOMPARE(canvas->heatRecolourCount(), recolours); // opacity only repaints
        window.colormapBox()->setCurrentIndex((window.colormapBox()->currentIndex() + 1) % window.colormapBox()->count());
        QCOMPARE(canvas->heatRecolourCount(), recolours + 1); // recolour, no model work
        QTest::qWait(300);
        QCOMPARE(window.worker()->forwardPasses(), forward);
        QCOMPARE(window.worker()->backwardPasses(), backward);
    }

    void comparePanesAndExport()
    {
        MainWindow window(untrained(demo("cat_and_coffee.jpg")));
        window.show();
        QVERIFY(waitShown(window));
        window.action(MainWindow::ActionId::AddPane)->trigger();
        QVERIFY(waitShown(window));
        window.action(MainWindow::ActionId::AddPane)->trigger();
        QVERIFY(waitShown(window));
        QCOMPARE(window.panes().size(), 3);
        QCOMPARE(window.panes()[1]->result().rank, 2);
        QCOMPARE(window.panes()[2]->result().rank, 3);

        // The focused pane is the one the class panel edits.
        window.setFocusedPane(1);
        emit window.classPanel()->classActivated(211);
        QVERIFY(waitShown(window));
        QCOMPARE(window.panes()[1]->result().className, QString("vizsla"));
        QCOMPARE(window.panes()[0]->result().rank, 1);

        // Shared zoom and pan.
        window.panes()[0]->canvas()->zoomBy(2.0);
        QCOMPARE(window.panes()[2]->canvas()->view(), window.panes()[0]->canvas()->view());

        const QImage exported = window.renderExportImage(true);
        QVERIFY(exported.width() >= 3 * 1201);
        QVERIFY(exported.height() > 400);
        const QImage paneOverlay = renderPaneOverlay(window.lastResult().image, window.panes()[0]->result().map,
                                                     gce::Colormap(window.colormapBox()->currentData().toInt()),
                                                     window.opacitySlider()->value() / 100.0);
        QCOMPARE(exported.copy(0, 0, 1201, 400).convertToFormat(QImage::Format_RGB888),
                 paneOverlay.convertToFormat(QImage::Format_RGB888));

        window.action(MainWindow::ActionId::RemovePane)->trigger();
        QCOMPARE(window.panes().size(), 2);
    }

    void folderBrowsingAndBadFiles()
    {
        QTemporaryDir dir;
        QVERIFY(QFile::copy(demo("chelsea.jpg"), dir.filePath("a1.jpg")));
        QVERIFY(QFile::copy(demo("coffee.jpg"), dir.filePath("a2.jpg")));
        QFile broken(dir.filePath("a10.jpg"));
        QVERIFY(broken.open(QIODevice::WriteOnly));
        broken.write("definitely not a jpeg");
        broken.close();

        MainWindow window(untrained());
        window.show();
        window.openFolder(dir.path());
        QVERIFY(waitShown(window));
        QVERIFY(window.lastResult().imagePath.endsWith("a1.jpg"));
        QVERIFY(!window.action(MainWindow::ActionId::PreviousImage)->isEnabled());
        window.action(MainWindow::ActionId::NextImage)->trigger();
        QVERIFY(waitShown(window));
        QVERIFY(window.lastResult().imagePath.endsWith("a2.jpg")); // natural order: a2 before a10
        window.action(MainWindow::ActionId::NextImage)->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(!window.messageText().isEmpty(), 60000);
        QVERIFY(window.messageText().contains("a10.jpg"));
        // The window keeps showing the last good image and keeps working.
        QVERIFY(window.lastResult().imagePath.endsWith("a2.jpg"));
        window.action(MainWindow::ActionId::PreviousImage)->trigger();
        QVERIFY(waitShown(window));
        QVERIFY(window.lastResult().imagePath.endsWith("a1.jpg"));
    }

    void badWeightsFallBackAndKeepWorking()
    {
        QTemporaryDir dir;
        const QString broken = dir.filePath("resnet18-broken.pth");
        QFile file(broken);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("PK\x03\x04 truncated zip");
        file.close();
        StartOptions options;
        options.weightsPath = broken;
        options.askForWeights = false;
        options.imagePath = isolated(dir, "chelsea.jpg");
        MainWindow window(options);
        window.show();
        QVERIFY(waitShown(window)); // shown with untrained weights after the failure
        QVERIFY(window.messageText().contains("resnet18-broken.pth"));
        QVERIFY(window.untrainedBadgeVisible());
        QVERIFY(window.lastResult().untrained);
    }

    void eventLoopStaysResponsive()
    {
        StartOptions options = untrained();
        options.modelName = "resnet50";
        MainWindow window(options);
        window.show();
        // A large photo with ResNet-50: decode + forward take hundreds of ms,
        // all of it on the worker thread.
        QTemporaryDir dir;
        const QString big = dir.filePath("big.png");
        QImage image(3000, 2000, QImage::Format_RGB888);
        image.fill(Qt::darkGreen);
        QVERIFY(image.save(big));

        QElapsedTimer clock;
        qint64 last = 0;
        qint64 worstGap = 0;
        QTimer probe;
        probe.setInterval(5);
        connect(&probe, &QTimer::timeout, this, [&] {
            const qint64 now = clock.elapsed();
            worstGap = std::max(worstGap, now - last);
            last = now;
        });
        QSignalSpy shown(&window, &MainWindow::resultShown);
        clock.start();
        probe.start();
        window.openImage(big);
        QVERIFY(shown.wait(120000));
        const qint64 total = clock.elapsed();
        probe.stop();
        qInfo("open-to-overlay %lld ms; longest event-loop gap %lld ms", total, worstGap);
        // Generous bound: a computation on the UI thread would block for the whole decode + forward.
        QVERIFY2(worstGap < std::max<qint64>(150, total / 2), qPrintable(QString::number(worstGap)));
    }

private:
    QTemporaryDir m_settingsDir;
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
