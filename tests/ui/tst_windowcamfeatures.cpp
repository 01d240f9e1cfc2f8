// The window's CAM options (issue 5, parts 3-5): smoothing toggles, the
// shared scale with its color bar, and faithfulness scores per pane. The
// window (offscreen, untrained weights: torchvision's init with the engine's
// fixed seed) is compared with the engine called directly on the same image,
// never with numbers copied from a run.
// LibTorch first: Qt's `slots` macro would rewrite identifiers in its headers.
#include <torch/torch.h>

#include <QComboBox>
#include <QProgressBar>
#include <QSettings>
#include <QSignalSpy>
#include <QtTest>

#include <algorithm>
#include <memory>

#include "core/cam/explainer.h"
#include "core/cam/faithfulness.h"
#include "core/imaging/imageloader.h"
#include "testsupport.h"
#include "windowtestsupport.h"
#include "ui/control/camengine.h"
#include "ui/canvas/captionfit.h"
#include "ui/panels/classpanel.h"
#include "ui/canvas/colorbar.h"
#include "ui/canvas/comparepane.h"
#include "ui/export/exportrenderer.h"
#include "ui/panels/faithfulnessplot.h"
#include "ui/control/heatmapimage.h"
#include "ui/canvas/imagecanvas.h"
#include "ui/window/mainwindow.h"
#include "ui/canvas/panearea.h"
#include "ui/settings/settings.h"

using namespace gce::ui;

namespace {
QString demo(const char* name) { return gce::test::demoImage(name); }
// Score-CAM and Ablation-CAM panes take their passes first: a longer wait.
bool waitShown(MainWindow& window) { return gce::test::waitShown(window, 300000); }

// A copy of a demo photo alone in its folder: no neighbours are preloaded.
StartOptions untrainedModel(const QString& model, const QString& image)
{
    StartOptions options;
    options.imagePath = image;
    options.modelName = model;
    options.untrained = true;
    return options;
}

// The engine on its own, with the same untrained weights (fixed seed) and the
// same decoding and preprocessing as the worker's.
struct DirectEngine {
    gce::Explainer explainer;
    std::unique_ptr<gce::ExplanationSession> session;
    DirectEngine(const QString& model, const QString& image, const QString& layer)
        : explainer(model.toStdString(), "")
    {
        session = explainer.explainImage(gce::loadImage(image.toStdString()).rgb, layer.toStdString());
    }
};

float maxOf(const QVector<float>& values) { return *std::max_element(values.begin(), values.end()); }

// Same grid, values within `tolerance`.
bool sameMap(const CamMapData& shown, const cv::Mat& expected, double tolerance, QString* why)
{
    if (shown.rows != expected.rows || shown.cols != expected.cols) {
        *why = QStringLiteral("size %1x%2 vs %3x%4").arg(shown.cols).arg(shown.rows).arg(expected.cols).arg(expected.rows);
        return false;
    }
    for (int y = 0; y < expected.rows; ++y)
        for (int x = 0; x < expected.cols; ++x) {
            const double a = shown.values[y * shown.cols + x];
            const double b = expected.at<float>(y, x);
            if (std::abs(a - b) > tolerance) {
                *why = QStringLiteral("(%1,%2): %3 vs %4").arg(x).arg(y).arg(a).arg(b);
                return false;
            }
        }
    return true;
}

bool sameCurve(const QVector<double>& shown, const std::vector<double>& expected, double tolerance)
{
    if (shown.size() != qsizetype(expected.size()))
        return false;
    for (qsizetype k = 0; k < shown.size(); ++k)
        if (std::abs(shown[k] - expected[size_t(k)]) > tolerance)
            return false;
    return true;
}

QComboBox* methodBox(ComparePane* pane) { return pane->findChild<QComboBox*>(); }
} // namespace

class TestWindowCamFeatures : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        // Settings go to a throwaway folder, never the user's.
        QVERIFY(m_settingsDir.isValid());
        gce::test::useThrowawaySettings(m_settingsDir.path(), "tst_windowcamfeatures");
    }

    // Each test starts from the defaults: no smoothing, own scale.
    void init()
    {
        for (Setting setting : {Setting::AugmentSmooth, Setting::EigenSmooth, Setting::SharedScale})
            Settings::setValue(setting, false);
    }

    void smoothingTogglesReachTheEngine()
    {
        QTemporaryDir dir;
        const QString image = gce::test::isolatedDemoImage(dir, "chelsea.jpg");
        MainWindow window(untrainedModel("resnet18", image));
        window.show();
        QVERIFY(waitShown(window));
        ComparePane* pane = window.paneStrip()->panes()[0];
        const PaneResult plain = pane->result();
        QVERIFY(!plain.augmentSmooth && !plain.eigenSmooth);
        QVERIFY(!pane->captionText().contains("smoothed"));

        DirectEngine direct("resnet18", image, window.controller()->lastResult().layerName);
        const auto engineMap = [&](bool augment, bool eigen) {
            gce::CamQuery query{gce::CamMethod::GradCam, plain.classIndex};
            query.augmentSmooth = augment;
            query.eigenSmooth = eigen;
            return direct.session->explain(query);
        };
        QString why;
        QVERIFY2(sameMap(plain.map, engineMap(false, false).map, 1e-5, &why), qPrintable(why)); // the baseline agrees

        // Test-time augmentation: a new map, the engine's, remembered.
        window.action(MainWindow::ActionId::AugmentSmooth)->trigger();
        QVERIFY(waitShown(window));
        PaneResult shown = pane->result();
        QVERIFY(shown.augmentSmooth);
        QVERIFY(!shown.eigenSmooth);
        const gce::CamMap augmented = engineMap(true, false);
        QVERIFY2(sameMap(shown.map, augmented.map, 1e-5, &why), qPrintable(why));
        QVERIFY(std::abs(shown.map.rawMax - augmented.rawMax) <= 1e-5f * augmented.rawMax);
        QVERIFY(shown.map.values != plain.map.values);
        QVERIFY(pane->captionText().contains("smoothed: TTA"));
        QCOMPARE(Settings::value(Setting::AugmentSmooth).toBool(), true);

        // Both smoothings.
        window.action(MainWindow::ActionId::EigenSmooth)->trigger();
        QVERIFY(waitShown(window));
        shown = pane->result();
        QVERIFY(shown.augmentSmooth && shown.eigenSmooth);
        QVERIFY2(sameMap(shown.map, engineMap(true, true).map, 1e-5, &why), qPrintable(why));
        QVERIFY(pane->captionText().contains("smoothed: TTA + eigen"));
        QCOMPARE(Settings::value(Setting::EigenSmooth).toBool(), true);

        // Eigen alone.
        window.action(MainWindow::ActionId::AugmentSmooth)->trigger();
        QVERIFY(waitShown(window));
        shown = pane->result();
        QVERIFY(!shown.augmentSmooth && shown.eigenSmooth);
        QVERIFY2(sameMap(shown.map, engineMap(false, true).map, 1e-5, &why), qPrintable(why));
        QVERIFY(shown.map.values != plain.map.values);

        // Guided Backpropagation has no layer activations: the engine refuses
        // eigen smoothing for it, so the window shows that pane plain, not an error.
        methodBox(pane)->setCurrentIndex(methodBox(pane)->findData(QString("guidedbackprop")));
        QVERIFY(waitShown(window));
        shown = pane->result();
        QCOMPARE(shown.method, QString("guidedbackprop"));
        QVERIFY(!shown.eigenSmooth);
        QVERIFY(window.messageText().isEmpty());
        QVERIFY(!pane->captionText().contains("smoothed"));

        // Off again: the plain map.
        methodBox(pane)->setCurrentIndex(methodBox(pane)->findData(QString("gradcam")));
        QVERIFY(waitShown(window));
        window.action(MainWindow::ActionId::EigenSmooth)->trigger();
        QVERIFY(waitShown(window));
        QVERIFY(!pane->result().eigenSmooth);
        QVERIFY2(sameMap(pane->result().map, engineMap(false, false).map, 1e-5, &why), qPrintable(why));

        // A new window starts with the remembered toggles.
        Settings::setValue(Setting::AugmentSmooth, true);
        MainWindow again(untrainedModel("resnet18", QString()));
        QVERIFY(again.action(MainWindow::ActionId::AugmentSmooth)->isChecked());
        QVERIFY(!again.action(MainWindow::ActionId::EigenSmooth)->isChecked());
    }

    // gradcam-explorer --class … --method … --tta --shared-scale: the panes
    // start with their methods, the toggles are on for this run only.
    void startOptionsChooseMethodsAndToggles()
    {
        QTemporaryDir dir;
        StartOptions options = untrainedModel("resnet18", gce::test::isolatedDemoImage(dir, "chelsea.jpg"));
        options.classes = {281, 285};
        options.methods = {"layercam", "gradcam++"};
        options.augmentSmooth = true;
        options.sharedScale = true;
        MainWindow window(options);
        window.show();
        QVERIFY(waitShown(window));
        QCOMPARE(window.paneStrip()->panes().size(), 2);
        QCOMPARE(window.paneStrip()->panes()[0]->result().method, QString("layercam"));
        QCOMPARE(window.paneStrip()->panes()[1]->result().method, QString("gradcam++"));
        QCOMPARE(window.paneStrip()->panes()[1]->method(), QString("gradcam++")); // the selector shows it
        QVERIFY(window.paneStrip()->panes()[0]->result().augmentSmooth);
        QVERIFY(!window.paneStrip()->panes()[0]->result().eigenSmooth);
        QVERIFY(window.action(MainWindow::ActionId::SharedScale)->isChecked());
        QVERIFY(!window.messageText().isEmpty()); // two methods: the scale is not shared, and it says why
        // Not remembered: the next plain start has the settings' defaults.
        QCOMPARE(Settings::value(Setting::AugmentSmooth).toBool(), false);
        QCOMPARE(Settings::value(Setting::SharedScale).toBool(), false);
        MainWindow next(untrainedModel("resnet18", QString()));
        QVERIFY(!next.action(MainWindow::ActionId::AugmentSmooth)->isChecked());
    }

    // A Score-CAM pane beside a Grad-CAM one: the Grad-CAM map is painted
    // while Score-CAM's perturbed passes run (a partial result), then both.
    void slowPanesFollowTheQuickOnes()
    {
        QTemporaryDir dir;
        const QString image = gce::test::isolatedDemoImage(dir, "chelsea.jpg");
        StartOptions options = untrainedModel("squeezenet1_1", image);
        options.layer = QStringLiteral("features.3.squeeze"); // 16 channels: 16 masked passes
        options.classes = {281, 285};
        options.methods = {"gradcam", "scorecam"};
        MainWindow window(options);
        // What the window shows at the moment the partial result is up.
        int partials = 0;
        QString why;
        QVector<float> partialQuickMap;
        connect(&window, &MainWindow::partialResultShown, this, [&] {
            ++partials;
            const PaneResult quick = window.paneStrip()->panes()[0]->result();
            const PaneResult slow = window.paneStrip()->panes()[1]->result();
            partialQuickMap = quick.map.values;
            if (quick.pending || quick.map.isNull())
                why = "the Grad-CAM pane has no map";
            else if (!slow.pending || !slow.map.isNull() || slow.classIndex != 285)
                why = "the Score-CAM pane is not pending for its class";
            else if (!window.paneStrip()->panes()[1]->captionText().contains("computing scorecam"))
                why = "caption: " + window.paneStrip()->panes()[1]->captionText();
            else if (!window.paneStrip()->panes()[1]->canvas()->hasImage())
                why = "the pending pane shows no photo";
            else if (window.action(MainWindow::ActionId::Export)->isEnabled())
                why = "export enabled while a pane is pending";
        });
        window.show();
        QVERIFY(waitShown(window));
        QCOMPARE(partials, 1);
        QVERIFY2(why.isEmpty(), qPrintable(why));

        // Complete: both maps as the engine makes them, the quick one unchanged.
        DirectEngine direct("squeezenet1_1", image, "features.3.squeeze");
        QString mismatch;
        const PaneResult quick = window.paneStrip()->panes()[0]->result();
        const PaneResult slow = window.paneStrip()->panes()[1]->result();
        QVERIFY(!quick.pending && !slow.pending);
        QCOMPARE(quick.map.values, partialQuickMap);
        QVERIFY2(sameMap(quick.map, direct.session->explain({gce::CamMethod::GradCam, 281}).map, 1e-5, &mismatch),
                 qPrintable(mismatch));
        QVERIFY2(sameMap(slow.map, direct.session->explain({gce::CamMethod::ScoreCam, 285}).map, 1e-5, &mismatch),
                 qPrintable(mismatch));
        QVERIFY(!window.paneStrip()->panes()[1]->captionText().contains("computing"));
        QVERIFY(window.action(MainWindow::ActionId::Export)->isEnabled());

        // Score-CAM's scores are kept for the image: another pane is all quick, no partial result.
        window.action(MainWindow::ActionId::AddPane)->trigger();
        QVERIFY(waitShown(window));
        QCOMPARE(partials, 1);
    }

    // With 3 or 4 panes the caption shows the longest form that fits beside
    // the method selector, never a clipped one; the whole text is the tooltip.
    void captionFitsNarrowPanes()
    {
        ComparePane pane(285);
        PaneResult result;
        result.classIndex = 285;
        result.className = QStringLiteral("Egyptian cat");
        result.probability = 0.123f;
        result.rank = 2;
        result.augmentSmooth = true;
        result.map.rows = result.map.cols = 2;
        result.map.values = {0.f, 0.5f, 1.f, 0.25f};
        result.map.rawMax = 1.f;
        pane.resize(900, 300);
        pane.show();
        pane.showResult(result);
        QVERIFY(QTest::qWaitForWindowExposed(&pane));
        QCOMPARE(pane.shownCaption(), pane.captionText()); // wide: everything
        QVERIFY(pane.captionText().contains("smoothed: TTA"));

        QStringList shown;
        for (int width : {520, 330, 260, 200, 150}) {
            pane.resize(width, 300);
            QCoreApplication::processEvents();
            const QString caption = pane.shownCaption();
            shown << caption;
            QVERIFY2(gce::ui::richTextWidth(caption, pane.font()) <= width, qPrintable(caption));
            QVERIFY2(caption.startsWith("<b>Egyptian") || caption.startsWith("<b>Egypt"), qPrintable(caption));
        }
        QVERIFY2(shown.front() != shown.back(), qPrintable(shown.join(" | "))); // it did shorten
        QVERIFY(shown.back().contains(QChar(0x2026))); // the narrowest: the name elided
        pane.resize(900, 300);
        QCoreApplication::processEvents();
        QCOMPARE(pane.shownCaption(), pane.captionText()); // and grows back
    }

    void sharedScaleRelatesPanesByRawMax()
    {
        QTemporaryDir dir;
        const QString image = gce::test::isolatedDemoImage(dir, "chelsea.jpg");
        MainWindow window(untrainedModel("resnet18", image));
        window.show();
        QVERIFY(waitShown(window));
        window.action(MainWindow::ActionId::AddPane)->trigger();
        QVERIFY(waitShown(window));
        QCOMPARE(window.paneStrip()->panes().size(), 2);
        const PaneResult a = window.paneStrip()->panes()[0]->result();
        const PaneResult b = window.paneStrip()->panes()[1]->result();
        QVERIFY(a.map.rawMax > 0.f && b.map.rawMax > 0.f);
        QVERIFY(a.map.rawMax != b.map.rawMax); // else the ratio below proves nothing

        // rawMax is the engine's, before its division by the maximum.
        DirectEngine direct("resnet18", image, window.controller()->lastResult().layerName);
        for (const PaneResult& pane : {a, b}) {
            const float expected = direct.session->explain({gce::CamMethod::GradCam, pane.classIndex}).rawMax;
            QVERIFY2(std::abs(pane.map.rawMax - expected) <= 1e-5f * expected,
                     qPrintable(QString("%1 vs %2").arg(pane.map.rawMax).arg(expected)));
        }

        // Own scale: each pane painted as the engine made it, the bar says "own max".
        ColorBar* bar = window.findChild<ColorBar*>("colorBar");
        QVERIFY(bar->isVisible());
        QCOMPARE(bar->sharedMax(), 0.0);
        QCOMPARE(bar->maxText(), QString("own max"));
        QCOMPARE(window.paneStrip()->panes()[0]->canvas()->heatmap().values, a.map.values);

        const int forward = window.controller()->worker()->forwardPasses();
        const int backward = window.controller()->worker()->backwardPasses();
        const quint64 requests = window.controller()->worker()->latestRequestId();
        window.action(MainWindow::ActionId::SharedScale)->trigger();
        // Repaint only: no request, no model work.
        QCOMPARE(window.controller()->worker()->latestRequestId(), requests);
        QCOMPARE(window.controller()->worker()->forwardPasses(), forward);
        QCOMPARE(window.controller()->worker()->backwardPasses(), backward);

        const double largest = std::max(a.map.rawMax, b.map.rawMax);
        QCOMPARE(bar->sharedMax(), largest);
        QCOMPARE(bar->maxText(), ColorBar::rawValueText(largest));
        const CamMapData paintedA = window.paneStrip()->panes()[0]->canvas()->heatmap();
        const CamMapData paintedB = window.paneStrip()->panes()[1]->canvas()->heatmap();
        // Each pane's raw map over the shared maximum: peaks relate as the rawMax ratio.
        const double ratio = double(a.map.rawMax) / b.map.rawMax;
        QVERIFY(std::abs(double(maxOf(paintedA.values)) / maxOf(paintedB.values) - ratio) < 1e-5 * ratio);
        QVERIFY(std::abs(std::max(maxOf(paintedA.values), maxOf(paintedB.values)) - 1.f) < 1e-6f);
        for (int i = 0; i < a.map.values.size(); ++i)
            QVERIFY(std::abs(paintedA.values[i] - a.map.values[i] * a.map.rawMax / largest) < 1e-6);

        // The export paints the same maps and the same scale (side by side,
        // so that the panes are easy to find in it).
        window.findChild<PaneArea*>()->setLayoutChoice(PaneLayout::Columns, false);
        const QImage exported = window.renderExportImage(true);
        const auto colormap = gce::Colormap(window.findChild<QComboBox*>("colormap")->currentData().toInt());
        const double alpha = window.findChild<QSlider*>("opacity")->value() / 100.0;
        const QSize photo = window.controller()->lastResult().image.size();
        const PaneResult weaker = a.map.rawMax < b.map.rawMax ? window.paneStrip()->panes()[0]->shownResult()
                                                              : window.paneStrip()->panes()[1]->shownResult();
        const int weakerIndex = a.map.rawMax < b.map.rawMax ? 0 : 1;
        // Two panes as wide as the photo (wider than the export's 20 em minimum), a gap between.
        const int x = weakerIndex * (exported.width() - photo.width());
        QCOMPARE(exported.copy(x, 0, photo.width(), photo.height())
                     .convertToFormat(QImage::Format_RGB888),
                 renderPaneOverlay(window.controller()->lastResult().image, weaker.map, colormap, alpha));
        QVERIFY(renderPaneOverlay(window.controller()->lastResult().image, weaker.map, colormap, alpha) !=
                renderPaneOverlay(window.controller()->lastResult().image,
                                  window.paneStrip()->panes()[weakerIndex]->result().map, colormap, alpha));

        // Opacity and colormap still only repaint.
        window.findChild<QSlider*>("opacity")->setValue(70);
        window.findChild<QComboBox*>("colormap")->setCurrentIndex((window.findChild<QComboBox*>("colormap")->currentIndex() + 1) % window.findChild<QComboBox*>("colormap")->count());
        QCOMPARE(window.controller()->worker()->latestRequestId(), requests);
        QCOMPARE(window.paneStrip()->panes()[0]->canvas()->heatmap().values, paintedA.values);

        // Different methods are different quantities: no shared scale, and the window says why.
        methodBox(window.paneStrip()->panes()[1])->setCurrentIndex(methodBox(window.paneStrip()->panes()[1])->findData(QString("layercam")));
        QVERIFY(waitShown(window));
        QCOMPARE(bar->sharedMax(), 0.0);
        QCOMPARE(window.paneStrip()->panes()[0]->canvas()->heatmap().values, window.paneStrip()->panes()[0]->result().map.values);
        QCOMPARE(window.paneStrip()->panes()[1]->canvas()->heatmap().values, window.paneStrip()->panes()[1]->result().map.values);
        QVERIFY2(window.messageText().contains("different CAM methods"), qPrintable(window.messageText()));
        QVERIFY(bar->toolTip().contains("different CAM methods"));

        // Off: back to each pane's own maximum.
        methodBox(window.paneStrip()->panes()[1])->setCurrentIndex(methodBox(window.paneStrip()->panes()[1])->findData(QString("gradcam")));
        QVERIFY(waitShown(window));
        QCOMPARE(bar->sharedMax(), largest);
        window.action(MainWindow::ActionId::SharedScale)->trigger();
        QCOMPARE(bar->sharedMax(), 0.0);
        QCOMPARE(window.paneStrip()->panes()[1]->canvas()->heatmap().values, window.paneStrip()->panes()[1]->result().map.values);
        QCOMPARE(Settings::value(Setting::SharedScale).toBool(), false);
    }

    void faithfulnessScoresArriveInTheBackground()
    {
        QTemporaryDir dir;
        const QString image = gce::test::isolatedDemoImage(dir, "chelsea.jpg");
        MainWindow window(untrainedModel("squeezenet1_1", image));
        window.show();
        QVERIFY(waitShown(window));
        ComparePane* pane = window.paneStrip()->panes()[0];
        QSignalSpy scoresShown(&window, &MainWindow::scoresShown);

        window.action(MainWindow::ActionId::ScoreFaithfulness)->trigger();
        // The action returned at once: the scores are under way, not done.
        QVERIFY(pane->isScoring());
        QVERIFY(!pane->hasScores());
        QVERIFY(pane->faithfulnessPlot()->curves().isNull());
        // Progress reaches the pane through the event loop while the worker
        // computes: the loop runs during the computation.
        auto* progress = pane->findChild<QProgressBar*>("faithfulnessProgress");
        QVERIFY(progress);
        QTRY_VERIFY_WITH_TIMEOUT(progress->value() > 0 && progress->value() < 100 && pane->isScoring() &&
                                     scoresShown.isEmpty(),
                                 300000);
        QTRY_VERIFY_WITH_TIMEOUT(!scoresShown.isEmpty(), 600000);
        QCOMPARE(scoresShown.first().at(0).toULongLong(), window.controller()->faithfulnessRequestId());
        QVERIFY(pane->hasScores());
        QVERIFY(!pane->isScoring());

        // The same scores as the engine's on the same session and map.
        DirectEngine direct("squeezenet1_1", image, window.controller()->lastResult().layerName);
        gce::FaithfulnessOptions options;
        const gce::FaithfulnessScores expected = gce::computeFaithfulness(
            *direct.session, pane->result().classIndex, toMat(pane->result().map), options);
        const FaithfulnessCurves& curves = pane->faithfulnessPlot()->curves();
        QVERIFY(sameCurve(curves.deletion, expected.deletionCurve, 1e-6));
        QVERIFY(sameCurve(curves.insertion, expected.insertionCurve, 1e-6));
        QVERIFY(std::abs(curves.deletionAuc - expected.deletionAuc) < 1e-6);
        QVERIFY(std::abs(curves.insertionAuc - expected.insertionAuc) < 1e-6);
        QVERIFY(std::abs(pane->scores().averageDrop - expected.averageDrop) < 1e-4);
        QCOMPARE(pane->scores().increaseInConfidence, expected.increaseInConfidence);
        QCOMPARE(pane->scores().forwardImages, expected.forwardImages);
        QVERIFY(pane->scoresText().contains(QString("%1%").arg(expected.averageDrop, 0, 'f', 1)));
        QVERIFY(pane->faithfulnessPlot()->toolTip().contains(QString::number(expected.deletionAuc, 'f', 3)));

        // Smoothing changes the map: its scores go.
        window.action(MainWindow::ActionId::EigenSmooth)->trigger();
        QVERIFY(!pane->hasScores());
        QVERIFY(pane->faithfulnessPlot()->curves().isNull());
        QVERIFY(waitShown(window));
        QVERIFY(!pane->hasScores());
    }

    void newClassCancelsFaithfulness()
    {
        QTemporaryDir dir;
        MainWindow window(untrainedModel("squeezenet1_1", gce::test::isolatedDemoImage(dir, "chelsea.jpg")));
        window.show();
        QVERIFY(waitShown(window));
        ComparePane* pane = window.paneStrip()->panes()[0];
        // Counted on this thread (queued): a spy on the worker would record from its thread.
        int ready = 0;
        int failed = 0;
        QObject counter; // destroyed first: no late delivery to the counts
        connect(window.controller()->worker(), &CamWorker::faithfulnessReady, &counter, [&] { ++ready; }, Qt::QueuedConnection);
        connect(window.controller()->worker(), &CamWorker::faithfulnessFailed, &counter, [&] { ++failed; }, Qt::QueuedConnection);
        window.scoreFaithfulness(0);
        auto* progress = pane->findChild<QProgressBar*>("faithfulnessProgress");
        QTRY_VERIFY_WITH_TIMEOUT(progress->value() > 0, 300000); // under way
        const int otherClass = pane->result().classIndex == 515 ? 516 : 515;
        emit window.findChild<ClassPanel*>()->classActivated(otherClass);
        QVERIFY(!pane->isScoring()); // cleared at once, on the UI thread
        QVERIFY(waitShown(window));
        QCOMPARE(pane->result().classIndex, otherClass);
        QTRY_COMPARE_WITH_TIMEOUT(window.controller()->worker()->cancelledFaithfulness(), 1, 60000);
        QCoreApplication::processEvents(); // anything the worker sent is delivered
        QCOMPARE(ready, 0);  // stopped, never finished
        QCOMPARE(failed, 0); // a cancel is not a failure
        QVERIFY(!pane->hasScores());
        QVERIFY(pane->faithfulnessPlot()->curves().isNull());
    }

private:
    QTemporaryDir m_settingsDir;
};

QTEST_MAIN(TestWindowCamFeatures)
#include "tst_windowcamfeatures.moc"
