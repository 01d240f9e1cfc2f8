// A user clicking faster than the model runs (issue 6, part 5): a seeded
// stream of class, layer, image, pane, method, pin and export actions with
// only processEvents() between them, then the window must settle on exactly
// what the last actions asked for. Meant to run under ASan/TSan as well
// (scripts/sanitize), so it counts actions, not seconds.
//
// GCE_RAPIDUSE_SEED and GCE_RAPIDUSE_ACTIONS override the defaults (a failing
// seed can be replayed); both are printed.
#include <QComboBox>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QtTest>

#include <random>

#include "dialoganswerer.h"
#include "testsupport.h"
#include "windowtestsupport.h"
#include "ui/panels/classpanel.h"
#include "ui/canvas/comparepane.h"
#include "ui/canvas/imagecanvas.h"
#include "ui/panels/layertree.h"
#include "ui/panels/layertreemodel.h"
#include "ui/window/mainwindow.h"
#include "ui/settings/settings.h"

using namespace gce::ui;

namespace {
constexpr quint32 kDefaultSeed = 20240606;
constexpr int kDefaultActions = 300;
constexpr int kMaxPanes = 4;               // MainWindow's limit
constexpr int kSettleTimeoutMs = 600000;   // generous: sanitizer builds are 5-20x slower
// One pass per channel: fine mid-stream (a newer request cancels them), but
// the final state is checked with the gradient methods so that the wait for
// it does not depend on a 1000-channel Score-CAM under a sanitizer.
const QStringList kSlowMethods = {QStringLiteral("scorecam"), QStringLiteral("ablationcam")};

int envOr(const char* name, int fallback)
{
    bool ok = false;
    const int value = qEnvironmentVariableIntValue(name, &ok);
    return ok ? value : fallback;
}

void collectUsableLayers(const LayerTreeModel& model, const QModelIndex& parent, QStringList* out)
{
    for (int row = 0; row < model.rowCount(parent); ++row) {
        const QModelIndex index = model.index(row, 0, parent);
        const QString name = index.data(LayerTreeModel::LayerNameRole).toString();
        if (model.isUsable(name))
            *out << name;
        collectUsableLayers(model, index, out);
    }
}

// What the user asked a pane for: a class index, or -rank for "the rank-th prediction".
struct PaneAsk {
    int target = -1;
    QString method;
};

QComboBox* methodBox(ComparePane* pane) { return pane->findChild<QComboBox*>(); }
} // namespace

class TestRapidUse : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY(m_settingsDir.isValid());
        gce::test::useThrowawaySettings(m_settingsDir.path(), "tst_rapiduse");
        QCoreApplication::setAttribute(Qt::AA_DontUseNativeDialogs); // DialogAnswerer drives Qt's own
    }

    void hammeredWindowShowsWhatTheLastActionsAskedFor()
    {
        const quint32 seed = quint32(envOr("GCE_RAPIDUSE_SEED", int(kDefaultSeed)));
        const int actions = envOr("GCE_RAPIDUSE_ACTIONS", kDefaultActions);
        qInfo("seed %u, %d actions", seed, actions);

        // Five images of different sizes in one folder, stepped through with Next/Previous.
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QStringList images;
        for (const char* demo : {"chelsea.jpg", "coffee.jpg", "cat_and_coffee.jpg"}) {
            images << dir.filePath(QStringLiteral("img%1.jpg").arg(images.size() + 1));
            QVERIFY(QFile::copy(gce::test::sourceDir() + "/resources/demo/" + demo, images.last()));
        }
        for (const QSize size : {QSize(97, 211), QSize(640, 64)}) {
            QImage image(size, QImage::Format_RGB888);
            image.fill(QColor::fromHsv(images.size() * 60, 200, 200));
            images << dir.filePath(QStringLiteral("img%1.png").arg(images.size() + 1));
            QVERIFY(image.save(images.last()));
        }
        QTemporaryDir exportDir;
        QVERIFY(exportDir.isValid());

        StartOptions options;
        options.imagePath = images.front();
        options.modelName = QStringLiteral("squeezenet1_1"); // small: many requests finish mid-stream
        options.untrained = true;
        MainWindow window(options);
        window.show();
        QSignalSpy shown(&window, &MainWindow::resultShown);
        QVERIFY(shown.wait(kSettleTimeoutMs));

        QStringList layers;
        collectUsableLayers(*window.findChild<LayerTree*>()->model(), {}, &layers);
        const QString defaultLayer = window.findChild<LayerTree*>()->model()->defaultLayer();
        QVERIFY2(layers.size() > 3 && layers.contains(defaultLayer), qPrintable(layers.join(' ')));
        QStringList methods;
        for (int i = 0; i < methodBox(window.paneStrip()->panes()[0])->count(); ++i)
            methods << methodBox(window.paneStrip()->panes()[0])->itemData(i).toString();
        QVERIFY(methods.contains("gradcam") && methods.size() > 2);
        QStringList quickMethods = methods;
        for (const QString& slow : kSlowMethods)
            QVERIFY(quickMethods.removeOne(slow));

        // The model of what the user asked for, updated with every action.
        QVector<PaneAsk> asked = {{window.paneStrip()->panes()[0]->target(), window.paneStrip()->panes()[0]->method()}};
        int focused = 0;
        int imageIndex = 0;
        QString layer; // empty = the model's default
        bool pinned = window.action(MainWindow::ActionId::PinClasses)->isChecked();
        QStringList exports;

        enum Kind { Class, Focus, Layer, Image, AddPane, RemovePane, Method, Pin, Export, Pause, KindCount };
        const int weights[KindCount] = {25, 8, 12, 15, 10, 10, 12, 3, 5, 8};
        std::mt19937 rng(seed);
        std::discrete_distribution<int> pickKind(std::begin(weights), std::end(weights));
        auto uniform = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
        int done[KindCount] = {};

        for (int step = 0; step < actions; ++step) {
            const Kind kind = Kind(pickKind(rng));
            switch (kind) {
            case Class: {
                const int classIndex = uniform(1000);
                emit window.findChild<ClassPanel*>()->classActivated(classIndex); // a click in the class list
                asked[focused].target = classIndex;
                break;
            }
            case Focus:
                focused = uniform(asked.size());
                window.paneStrip()->setFocused(focused);
                break;
            case Layer: {
                const QString name = layers[uniform(layers.size())];
                emit window.findChild<LayerTree*>()->layerChosen(name); // a click in the Layers panel
                layer = name == defaultLayer ? QString() : name;
                break;
            }
            case Image: {
                const int delta = uniform(2) ? 1 : -1;
                const bool possible = imageIndex + delta >= 0 && imageIndex + delta < images.size();
                QAction* stepAction = window.action(delta > 0 ? MainWindow::ActionId::NextImage
                                                              : MainWindow::ActionId::PreviousImage);
                QCOMPARE(stepAction->isEnabled(), possible);
                stepAction->trigger();
                if (possible) {
                    imageIndex += delta;
                    if (!pinned) // unpinned panes follow the new image's predictions
                        for (int i = 0; i < asked.size(); ++i)
                            asked[i].target = -(i + 1);
                }
                break;
            }
            case AddPane:
                QCOMPARE(window.action(MainWindow::ActionId::AddPane)->isEnabled(), asked.size() < kMaxPanes);
                window.action(MainWindow::ActionId::AddPane)->trigger();
                if (asked.size() < kMaxPanes) {
                    QCOMPARE(window.paneStrip()->panes().size(), asked.size() + 1);
                    // "The best prediction not already shown" depends on the results
                    // that happened to arrive: taken from the pane, then checked at the end.
                    asked.push_back({window.paneStrip()->panes().last()->target(), window.paneStrip()->panes().last()->method()});
                    QVERIFY(asked.last().target < 0);
                    focused = asked.size() - 1;
                }
                break;
            case RemovePane:
                QCOMPARE(window.action(MainWindow::ActionId::RemovePane)->isEnabled(), asked.size() > 1);
                window.action(MainWindow::ActionId::RemovePane)->trigger();
                if (asked.size() > 1) {
                    asked.removeAt(focused);
                    focused = std::min(focused, int(asked.size()) - 1);
                }
                break;
            case Method: {
                // Mostly the quick methods: while any pane runs a per-channel
                // method, no answer lands within a pause.
                const QStringList& pool = uniform(8) == 0 ? kSlowMethods : quickMethods;
                const QString method = pool[uniform(pool.size())];
                const int pane = uniform(asked.size());
                methodBox(window.paneStrip()->panes()[pane])->setCurrentIndex(methods.indexOf(method));
                asked[pane].method = method;
                break;
            }
            case Pin:
                window.action(MainWindow::ActionId::PinClasses)->trigger();
                pinned = !pinned;
                break;
            case Export:
                if (window.action(MainWindow::ActionId::Export)->isEnabled()) {
                    exports << exportDir.filePath(QStringLiteral("export%1.png").arg(step, 3, 10, QChar('0')));
                    gce::test::DialogAnswerer answer(exports.last());
                    window.action(MainWindow::ActionId::Export)->trigger(); // File > Export, dialog answered
                    QCOMPARE(answer.fileDialogsAnswered(), 1);
                }
                break;
            case Pause:
                // The user hesitates for a moment: some answers land between
                // actions (without it nearly every request is superseded).
                QTest::qWait(1 + uniform(250));
                break;
            case KindCount:
                break;
            }
            ++done[kind];
            QCOMPARE(window.paneStrip()->panes().size(), asked.size());
            QCOMPARE(window.paneStrip()->focused(), focused);
            QCoreApplication::processEvents(); // results race in; nothing waits for them
        }
        // The last actions: any pane left on a one-pass-per-channel method goes back to Grad-CAM.
        for (int i = 0; i < asked.size(); ++i) {
            if (kSlowMethods.contains(asked[i].method)) {
                methodBox(window.paneStrip()->panes()[i])->setCurrentIndex(methods.indexOf("gradcam"));
                asked[i].method = QStringLiteral("gradcam");
            }
        }
        qInfo("actions: class %d, focus %d, layer %d, image %d, add pane %d, remove pane %d, method %d, pin %d, "
              "export %d (%lld files), pause %d",
              done[Class], done[Focus], done[Layer], done[Image], done[AddPane], done[RemovePane], done[Method],
              done[Pin], done[Export], qlonglong(exports.size()), done[Pause]);

        // Settle: the newest request's answer is on screen.
        QTRY_COMPARE_WITH_TIMEOUT(window.controller()->lastResult().requestId, window.controller()->worker()->latestRequestId(), kSettleTimeoutMs);
        QTest::qWait(100); // nothing further arrives and repaints something older
        QCOMPARE(window.controller()->lastResult().requestId, window.controller()->worker()->latestRequestId());
        qInfo("requests %llu, results shown %lld, superseded results dropped %d",
              window.controller()->worker()->latestRequestId(), qlonglong(shown.size()), window.controller()->staleResultsDropped());

        const CamResult& result = window.controller()->lastResult();
        QCOMPARE(result.imagePath, images[imageIndex]);
        QCOMPARE(result.layerName, layer.isEmpty() ? defaultLayer : layer);
        QCOMPARE(window.findChild<LayerTree*>()->currentLayer(), result.layerName);
        QCOMPARE(window.paneStrip()->panes().size(), asked.size());
        QCOMPARE(result.panes.size(), asked.size());
        for (int i = 0; i < asked.size(); ++i) {
            ComparePane* pane = window.paneStrip()->panes()[i];
            const QByteArray where = QByteArray("pane ") + QByteArray::number(i);
            QVERIFY2(pane->target() == asked[i].target, where);
            QVERIFY2(pane->method() == asked[i].method, where);
            QVERIFY2(pane->result().method == asked[i].method, where);
            if (asked[i].target >= 0)
                QVERIFY2(pane->result().classIndex == asked[i].target, where);
            else
                QVERIFY2(pane->result().rank == -asked[i].target, where);
            QVERIFY2(pane->result().classIndex == result.panes[i].classIndex, where);
            QVERIFY2(pane->canvas()->imageSize() == result.image.size(), where);
        }
        QCOMPARE(window.paneStrip()->focused(), focused);
        QCOMPARE(window.findChild<ClassPanel*>()->currentClass(), window.paneStrip()->panes()[focused]->result().classIndex);
        QVERIFY2(window.messageText().isEmpty(), qPrintable(window.messageText())); // nothing failed

        // Every export finished, atomically: a readable PNG and no temporary file left.
        for (const QString& path : exports) {
            const QImage written(path);
            QVERIFY2(!written.isNull() && written.width() >= 64, qPrintable(path));
        }
        QCOMPARE(QDir(exportDir.path()).entryList(QDir::Files | QDir::Hidden).size(), exports.size());
    }

    // The race the stream above can only hit by chance, made certain: a pane
    // is closed while the answer for the old pane list is being computed.
    void closingAPaneWhileComputingKeepsEachPaneOnItsClass()
    {
        QTemporaryDir dir;
        const QString image = dir.filePath("photo.jpg");
        QVERIFY(QFile::copy(gce::test::sourceDir() + "/resources/demo/chelsea.jpg", image));
        StartOptions options;
        options.imagePath = image;
        options.modelName = QStringLiteral("squeezenet1_1");
        options.untrained = true;
        options.classes = {10, 20, 30};
        MainWindow window(options);
        window.show();
        QSignalSpy shown(&window, &MainWindow::resultShown);
        QVERIFY(shown.wait(kSettleTimeoutMs));
        QCOMPARE(window.paneStrip()->panes().size(), 3);

        window.paneStrip()->setFocused(2);
        emit window.findChild<ClassPanel*>()->classActivated(40); // asks for 10, 20, 40...
        window.paneStrip()->setFocused(1);
        window.action(MainWindow::ActionId::RemovePane)->trigger(); // ...and closes the 20 pane at once
        QTRY_COMPARE_WITH_TIMEOUT(window.controller()->lastResult().requestId, window.controller()->worker()->latestRequestId(), kSettleTimeoutMs);
        QTest::qWait(100);
        QCOMPARE(window.controller()->lastResult().requestId, window.controller()->worker()->latestRequestId());
        QCOMPARE(window.paneStrip()->panes().size(), 2);
        QCOMPARE(window.paneStrip()->panes()[0]->result().classIndex, 10);
        QCOMPARE(window.paneStrip()->panes()[1]->result().classIndex, 40);
        QCOMPARE(window.controller()->lastResult().panes.size(), 2);
    }

private:
    QTemporaryDir m_settingsDir;
};

QTEST_MAIN(TestRapidUse)
#include "tst_rapiduse.moc"
