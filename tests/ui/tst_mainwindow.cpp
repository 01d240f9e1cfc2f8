// The explorer window, driven as a user would (offscreen platform).
#include <QComboBox>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QTableView>
#include <QTreeView>
#include <QtTest>

#include "core/support/weightscache.h"
#include "testsupport.h"
#include "windowtestsupport.h"
#include "ui/panels/classpanel.h"
#include "ui/canvas/comparepane.h"
#include "ui/export/exportrenderer.h"
#include "ui/canvas/imagecanvas.h"
#include "ui/panels/layertree.h"
#include "ui/panels/layertreemodel.h"
#include "ui/window/mainwindow.h"
#include "ui/canvas/panearea.h"
#include "ui/settings/settings.h"

using namespace gce::ui;

namespace {
QString demo(const char* name) { return gce::test::demoImage(name); }
using gce::test::waitShown;

StartOptions untrained(const QString& image = {})
{
    StartOptions options;
    options.imagePath = image;
    options.untrained = true;
    return options;
}

// A copy of a demo photo alone in its folder: no neighbours get preloaded,
// so the forward-pass counter only moves for the image under test.
StartOptions untrainedModel(const QString& model, const QString& image)
{
    StartOptions options = untrained(image);
    options.modelName = model;
    return options;
}

QModelIndex findLayerRow(const QAbstractItemModel& model, const QString& name, const QModelIndex& parent = {})
{
    for (int row = 0; row < model.rowCount(parent); ++row) {
        const QModelIndex index = model.index(row, 0, parent);
        if (index.data(LayerTreeModel::LayerNameRole).toString() == name)
            return index;
        if (const QModelIndex inner = findLayerRow(model, name, index); inner.isValid())
            return inner;
    }
    return {};
}

// Chooses `layer` as a user would: Ctrl+L opens the Layers panel, type the
// name into its filter, click the row.
void chooseInTree(MainWindow& window, const QString& layer)
{
    window.action(MainWindow::ActionId::ChooseLayer)->trigger();
    LayerTree* tree = window.findChild<LayerTree*>();
    QTRY_VERIFY(tree->isVisible());
    QTest::keyClicks(tree->filterField(), layer);
    QTreeView* view = tree->view();
    const QModelIndex row = findLayerRow(*view->model(), layer);
    QVERIFY2(row.isValid(), qPrintable(layer));
    view->scrollTo(row);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::NoModifier, view->visualRect(row).center());
}

// "1×256×14×14" -> {14, 14}: the map of a layer has its output's H×W.
QSize spatialSize(const QString& shape)
{
    const QStringList parts = shape.split(QStringLiteral("×"));
    return parts.size() == 4 ? QSize(parts[3].toInt(), parts[2].toInt()) : QSize();
}
} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        // Settings go to a throwaway folder, never the user's.
        QVERIFY(m_settingsDir.isValid());
        gce::test::useThrowawaySettings(m_settingsDir.path(), "tst_mainwindow");
    }

    // A layer remembered by one test must not change what the next one computes.
    void cleanup() { Settings::setValue(Setting::Layers, QVariantMap()); }

    void opensImageAndShowsTopClass()
    {
        MainWindow window(untrained());
        window.show();
        window.openImage(demo("cat_and_coffee.jpg"));
        QVERIFY(waitShown(window));
        const CamResult& result = window.controller()->lastResult();
        QCOMPARE(result.image.size(), QSize(1201, 400));
        QCOMPARE(window.paneStrip()->panes().size(), 1);
        QCOMPARE(window.paneStrip()->panes()[0]->result().rank, 1);
        QVERIFY(window.paneStrip()->panes()[0]->canvas()->hasImage());
        QCOMPARE(window.findChild<ClassPanel*>()->currentClass(), result.panes[0].classIndex);
        QVERIFY(window.untrainedBadgeVisible());
        QVERIFY(window.findChild<LayerTree*>()->model()->rowCount() > 5);
        QCOMPARE(window.findChild<LayerTree*>()->currentLayer(), QString("layer4.1.conv2"));
        QVERIFY(window.findChild<QPushButton*>("layerButton")->text().contains("layer4.1.conv2"));
        QCOMPARE(result.layerName, QString("layer4.1.conv2"));
    }

    void selectingAClassComputesOnceWithoutForward()
    {
        QTemporaryDir dir;
        MainWindow window(untrained(gce::test::isolatedDemoImage(dir, "chelsea.jpg")));
        window.show();
        QVERIFY(waitShown(window));
        const int forward = window.controller()->worker()->forwardPasses();
        const int backward = window.controller()->worker()->backwardPasses();
        emit window.findChild<ClassPanel*>()->classActivated(515);
        QVERIFY(waitShown(window));
        QCOMPARE(window.paneStrip()->panes()[0]->result().classIndex, 515);
        QCOMPARE(window.controller()->worker()->backwardPasses(), backward + 1);
        QCOMPARE(window.controller()->worker()->forwardPasses(), forward);
        QCOMPARE(window.findChild<ClassPanel*>()->currentClass(), 515);
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
            latestAtShow << window.controller()->worker()->latestRequestId();
        });
        for (int i = 0; i < 50; ++i) {
            emit window.findChild<ClassPanel*>()->classActivated(100 + i);
            if (i % 10 == 0)
                QCoreApplication::processEvents(); // let some results race in
        }
        QTRY_COMPARE_WITH_TIMEOUT(window.controller()->lastResult().requestId, window.controller()->worker()->latestRequestId(), 60000);
        QTest::qWait(200);
        QCOMPARE(window.paneStrip()->panes()[0]->result().classIndex, 149);
        QCOMPARE(window.findChild<ClassPanel*>()->currentClass(), 149);
        // Never painted a result that was already superseded.
        QCOMPARE(shownIds, latestAtShow);
        QVERIFY(shownIds.size() < 50);
    }

    void paneMethodRecomputesThatPane()
    {
        QTemporaryDir dir;
        MainWindow window(untrained(gce::test::isolatedDemoImage(dir, "chelsea.jpg")));
        window.show();
        QVERIFY(waitShown(window));
        const QVector<float> before = window.paneStrip()->panes()[0]->result().map.values;
        const int forward = window.controller()->worker()->forwardPasses();
        auto* methodBox = window.paneStrip()->panes()[0]->findChild<QComboBox*>();
        QVERIFY(methodBox);
        methodBox->setCurrentIndex(methodBox->findData(QString("layercam")));
        QVERIFY(waitShown(window));
        QCOMPARE(window.paneStrip()->panes()[0]->result().method, QString("layercam"));
        QVERIFY(window.paneStrip()->panes()[0]->result().map.values != before);
        QCOMPARE(window.controller()->worker()->forwardPasses(), forward); // same session, another method
    }

    void opacityAndColormapDoNotCompute()
    {
        QTemporaryDir dir;
        MainWindow window(untrained(gce::test::isolatedDemoImage(dir, "chelsea.jpg")));
        window.show();
        QVERIFY(waitShown(window));
        const int forward = window.controller()->worker()->forwardPasses();
        const int backward = window.controller()->worker()->backwardPasses();
        ImageCanvas* canvas = window.paneStrip()->panes()[0]->canvas();
        const int recolors = canvas->heatRecolorCount();
        for (int value = 0; value <= 100; value += 5)
            window.findChild<QSlider*>("opacity")->setValue(value);
        QCOMPARE(canvas->heatRecolorCount(), recolors); // opacity only repaints
        window.findChild<QComboBox*>("colormap")->setCurrentIndex((window.findChild<QComboBox*>("colormap")->currentIndex() + 1) % window.findChild<QComboBox*>("colormap")->count());
        QCOMPARE(canvas->heatRecolorCount(), recolors + 1); // recolor, no model work
        QTest::qWait(300);
        QCOMPARE(window.controller()->worker()->forwardPasses(), forward);
        QCOMPARE(window.controller()->worker()->backwardPasses(), backward);
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
        QCOMPARE(window.paneStrip()->panes().size(), 3);
        QCOMPARE(window.paneStrip()->panes()[1]->result().rank, 2);
        QCOMPARE(window.paneStrip()->panes()[2]->result().rank, 3);

        // The focused pane is the one the class panel edits.
        window.paneStrip()->setFocused(1);
        emit window.findChild<ClassPanel*>()->classActivated(211);
        QVERIFY(waitShown(window));
        QCOMPARE(window.paneStrip()->panes()[1]->result().className, QString("vizsla"));
        QCOMPARE(window.paneStrip()->panes()[0]->result().rank, 1);

        // Shared zoom and pan.
        window.paneStrip()->panes()[0]->canvas()->zoomBy(2.0);
        QCOMPARE(window.paneStrip()->panes()[2]->canvas()->view(), window.paneStrip()->panes()[0]->canvas()->view());

        // The export follows the panes' arrangement: Auto stacks three panes
        // of the 3:1 photo in rows, Columns puts them side by side.
        QCOMPARE(window.findChild<PaneArea*>()->grid(), (PaneGrid{3, 1}));
        const QImage exported = window.renderExportImage(true);
        QVERIFY(exported.width() < 2 * 1201);
        QVERIFY(exported.height() >= 3 * 400);
        window.findChild<PaneArea*>()->setLayoutChoice(PaneLayout::Columns, false);
        QCOMPARE(window.findChild<PaneArea*>()->grid(), (PaneGrid{1, 3}));
        const QImage columns = window.renderExportImage(true);
        QVERIFY(columns.width() >= 3 * 1201);
        QVERIFY(columns.height() < 2 * 400 + 400);
        const QImage paneOverlay = renderPaneOverlay(window.controller()->lastResult().image, window.paneStrip()->panes()[0]->result().map,
                                                     gce::Colormap(window.findChild<QComboBox*>("colormap")->currentData().toInt()),
                                                     window.findChild<QSlider*>("opacity")->value() / 100.0);
        QCOMPARE(exported.copy(0, 0, 1201, 400).convertToFormat(QImage::Format_RGB888),
                 paneOverlay.convertToFormat(QImage::Format_RGB888));

        window.action(MainWindow::ActionId::RemovePane)->trigger();
        QCOMPARE(window.paneStrip()->panes().size(), 2);
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
        QVERIFY(window.controller()->lastResult().imagePath.endsWith("a1.jpg"));
        QVERIFY(!window.action(MainWindow::ActionId::PreviousImage)->isEnabled());
        window.action(MainWindow::ActionId::NextImage)->trigger();
        QVERIFY(waitShown(window));
        QVERIFY(window.controller()->lastResult().imagePath.endsWith("a2.jpg")); // natural order: a2 before a10
        window.action(MainWindow::ActionId::NextImage)->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(!window.messageText().isEmpty(), 60000);
        QVERIFY(window.messageText().contains("a10.jpg"));
        // The window keeps showing the last good image and keeps working.
        QVERIFY(window.controller()->lastResult().imagePath.endsWith("a2.jpg"));
        window.action(MainWindow::ActionId::PreviousImage)->trigger();
        QVERIFY(waitShown(window));
        QVERIFY(window.controller()->lastResult().imagePath.endsWith("a1.jpg"));
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
        options.imagePath = gce::test::isolatedDemoImage(dir, "chelsea.jpg");
        MainWindow window(options);
        window.show();
        QVERIFY(waitShown(window)); // shown with the bundled model after the failure
        QVERIFY(window.messageText().contains("resnet18-broken.pth"));
        QCOMPARE(window.controller()->lastResult().modelName, QString::fromStdString(gce::bundledModelName()));
        QVERIFY(!window.controller()->lastResult().untrained);
        QVERIFY(!window.untrainedBadgeVisible());
    }

    // Ctrl+Shift+O once opened both a folder and a model file, so neither
    // fired: every shortcut of the window belongs to one action.
    void noTwoActionsShareAShortcut()
    {
        MainWindow window(untrained());
        QHash<QString, QString> owner;
        for (QAction* action : window.findChildren<QAction*>()) {
            for (const QKeySequence& key : action->shortcuts()) {
                const QString text = key.toString(QKeySequence::PortableText);
                QVERIFY2(!owner.contains(text), qPrintable(QStringLiteral("%1 is bound to \"%2\" and \"%3\"")
                                                              .arg(text, owner.value(text), action->text())));
                owner.insert(text, action->text());
            }
        }
        QVERIFY(owner.size() > 10);
        QVERIFY(owner.contains("Ctrl+Shift+O"));
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

    void choosingALayerInTheTreeComputesIt()
    {
        QTemporaryDir dir;
        MainWindow window(untrainedModel("resnet18", gce::test::isolatedDemoImage(dir, "chelsea.jpg")));
        window.show();
        QVERIFY(waitShown(window));
        const QString defaultLayer = window.findChild<LayerTree*>()->model()->defaultLayer();
        QCOMPARE(window.controller()->lastResult().layerName, defaultLayer);
        const int forward = window.controller()->worker()->forwardPasses();

        const QString layer = "layer3.1.conv2";
        QVERIFY(layer != defaultLayer);
        chooseInTree(window, layer);
        QVERIFY(waitShown(window));
        QCOMPARE(window.controller()->lastResult().layerName, layer);
        QCOMPARE(window.findChild<LayerTree*>()->currentLayer(), layer);
        QVERIFY(window.findChild<QPushButton*>("layerButton")->text().contains(layer));
        QCOMPARE(window.controller()->worker()->forwardPasses(), forward + 1); // a new layer needs a new forward pass
        // The map is that layer's: its grid is the layer's output H×W.
        const QString shape =
            window.findChild<LayerTree*>()->model()->indexOfLayer(layer, LayerTreeModel::ShapeColumn).data().toString();
        const CamMapData& map = window.paneStrip()->panes()[0]->result().map;
        QCOMPARE(QSize(map.cols, map.rows), spatialSize(shape));
        const QString defaultShape =
            window.findChild<LayerTree*>()->model()->indexOfLayer(defaultLayer, LayerTreeModel::ShapeColumn).data().toString();
        QVERIFY(spatialSize(shape) != spatialSize(defaultShape)); // so the check above means something
        QCOMPARE(Settings::layerFor("resnet18"), layer);

        // Back to the default: the choice is forgotten rather than pinned.
        window.findChild<LayerTree*>()->filterField()->clear();
        chooseInTree(window, defaultLayer);
        QVERIFY(waitShown(window));
        QCOMPARE(window.controller()->lastResult().layerName, defaultLayer);
        QVERIFY(Settings::layerFor("resnet18").isEmpty());
    }

    void layerIsRememberedPerModel()
    {
        QTemporaryDir dir;
        const QString image = gce::test::isolatedDemoImage(dir, "chelsea.jpg");
        const QString resnetLayer = "layer2.1.conv1";
        const QString squeezeLayer = "features.12";
        {
            MainWindow window(untrainedModel("resnet18", image));
            window.show();
            QVERIFY(waitShown(window));
            chooseInTree(window, resnetLayer);
            QVERIFY(waitShown(window));
            QCOMPARE(window.controller()->lastResult().layerName, resnetLayer);
        }
        {
            MainWindow window(untrainedModel("squeezenet1_1", image));
            window.show();
            QVERIFY(waitShown(window));
            // Another model starts on its own default, not on ResNet's choice.
            QCOMPARE(window.controller()->lastResult().layerName, window.findChild<LayerTree*>()->model()->defaultLayer());
            QVERIFY(window.controller()->lastResult().layerName != squeezeLayer);
            chooseInTree(window, squeezeLayer);
            QVERIFY(waitShown(window));
            QCOMPARE(window.controller()->lastResult().layerName, squeezeLayer);
        }
        // New windows, same settings file: each model gets its own layer back.
        for (const auto& [model, layer] : {std::pair{QString("resnet18"), resnetLayer},
                                           std::pair{QString("squeezenet1_1"), squeezeLayer}}) {
            MainWindow window(untrainedModel(model, image));
            window.show();
            QVERIFY(waitShown(window));
            QCOMPARE(window.controller()->lastResult().modelName, model);
            QCOMPARE(window.controller()->lastResult().layerName, layer);
            QCOMPARE(window.findChild<LayerTree*>()->currentLayer(), layer);
            QVERIFY(window.findChild<QPushButton*>("layerButton")->text().contains(layer));
        }
    }

    // A TorchScript file with a sidecar and labels (tests/oracle/make_custom_model_fixtures.py)
    // opens like an architecture: its labels in the class panel, its module tree in the
    // Layers panel, no untrained banner and no weights to choose; an inner layer recomputes.
    void torchScriptModelOpensWithItsLabelsAndLayers()
    {
        const QString model = gce::test::fixturesDir("custommodels") + "/tinynet.pt";
        QVERIFY2(QFile::exists(model), "fixture missing: run ctest (fixture_custommodels)");
        QTemporaryDir dir;
        StartOptions options;
        options.imagePath = gce::test::isolatedDemoImage(dir, "chelsea.jpg");
        options.modelName = model;
        MainWindow window(options);
        window.show();
        QVERIFY(waitShown(window));
        const CamResult& result = window.controller()->lastResult();
        QCOMPARE(result.modelName, model);
        QCOMPARE(result.layerName, QString("head"));
        QVERIFY(!result.untrained);
        QVERIFY(!window.untrainedBadgeVisible());
        QVERIFY(!window.action(MainWindow::ActionId::ChooseWeights)->isEnabled());
        QCOMPARE(result.probabilities.size(), 10);
        QCOMPARE(result.panes.front().className, QString("apple banana cherry date elderberry fig grape honeydew kiwi lemon")
                                                     .split(' ')
                                                     .at(result.panes.front().classIndex));
        QCOMPARE(result.panes.front().map.rows, 32); // head: 1×24×32×40 for a 64×80 input
        QCOMPARE(result.panes.front().map.cols, 40);

        chooseInTree(window, "block.0");
        QVERIFY(waitShown(window));
        QCOMPARE(window.controller()->lastResult().layerName, QString("block.0"));
        QCOMPARE(window.controller()->lastResult().panes.front().map.rows, 32);
        Settings::setValue(Setting::Model, QStringLiteral("resnet18")); // later tests start on the usual model
    }

    void missingRememberedLayerFallsBackToDefault_data()
    {
        QTest::addColumn<QString>("remembered");
        QTest::addColumn<QString>("why");
        QTest::newRow("not in the model") << "layer9.0.conv1"
                                          << "not a layer";
        QTest::newRow("no 4-D output") << "fc"
                                       << "4-D";
    }

    void missingRememberedLayerFallsBackToDefault()
    {
        QFETCH(QString, remembered);
        QFETCH(QString, why);
        Settings::setLayerFor("resnet18", remembered);
        QTemporaryDir dir;
        MainWindow window(untrainedModel("resnet18", gce::test::isolatedDemoImage(dir, "chelsea.jpg")));
        window.show();
        QVERIFY(waitShown(window));
        const QString defaultLayer = window.findChild<LayerTree*>()->model()->defaultLayer();
        QVERIFY(!defaultLayer.isEmpty());
        QCOMPARE(window.controller()->lastResult().layerName, defaultLayer);
        QCOMPARE(window.findChild<LayerTree*>()->currentLayer(), defaultLayer);
        QVERIFY(window.findChild<QPushButton*>("layerButton")->text().contains(defaultLayer));
        QVERIFY2(window.messageText().contains(remembered) && window.messageText().contains(why),
                 qPrintable(window.messageText()));
        QVERIFY(Settings::layerFor("resnet18").isEmpty()); // not offered again
        // The worker fell back for the request that loaded the model: no second request.
        QCOMPARE(window.controller()->lastResult().requestId, quint64(1));
        QCOMPARE(window.controller()->worker()->latestRequestId(), quint64(1));
    }

private:
    QTemporaryDir m_settingsDir;
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
