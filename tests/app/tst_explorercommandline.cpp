// gradcam-explorer's command line and its headless --export: the options
// reach the maps (methods per pane, smoothing, the shared scale) and the
// picture (colormap, opacity), checked against CamEngine called directly
// with the same request (untrained ResNet-18, the engine's fixed seed).
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

#include "app/explorer/explorercommandline.h"
#include "app/explorer/explorerexport.h"
#include "testsupport.h"
#include "ui/control/camengine.h"
#include "ui/control/panelayout.h"
#include "ui/settings/settings.h"

using namespace gce::ui;
using gce::explorer::ExplorerOptions;
using gce::explorer::parseExplorerCommandLine;

namespace {
QString chelsea() { return gce::test::sourceDir() + "/resources/demo/chelsea.jpg"; }

ExplorerOptions parsed(QStringList args, int* exitCode = nullptr)
{
    args.prepend(QStringLiteral("gradcam-explorer"));
    const auto outcome = parseExplorerCommandLine(args);
    if (exitCode)
        *exitCode = outcome.exitCode;
    return outcome.options;
}

// What --export computes for `options`, as the engine computes it without the app.
CamResult direct(const ExplorerOptions& options, const QVector<int>& classes)
{
    CamRequest request;
    request.imagePath = options.image;
    request.modelName = options.model;
    request.classes = classes;
    for (int i = 0; i < classes.size(); ++i)
        request.methods << options.methodForPane(i);
    request.augmentSmooth = options.augmentSmooth;
    request.eigenSmooth = options.eigenSmooth;
    CamEngine engine;
    CamFailure failure;
    engine.ensureModel(request, &failure);
    const auto result = engine.compute(request, 1, [] { return false; }, &failure);
    if (!result)
        qFatal("direct engine: %s", qPrintable(failure.message));
    return *result;
}

ExplorerOptions untrainedExport(const QStringList& extra)
{
    return parsed(QStringList{chelsea(), "--model", "resnet18", "--weights", "none", "--export", "/unused.png",
                              "--class", "281", "--class", "285"}
                  + extra);
}

void compareValues(const QVector<float>& shown, const QVector<float>& expected, double factor)
{
    QCOMPARE(shown.size(), expected.size());
    for (qsizetype i = 0; i < shown.size(); ++i)
        QVERIFY2(std::abs(shown[i] - expected[i] * factor) <= 1e-6, qPrintable(QString::number(i)));
}
} // namespace

class TestExplorerCommandLine : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY(m_settingsDir.isValid());
        gce::test::useThrowawaySettings(m_settingsDir.path(), "tst_explorercommandline");
    }

    void methodsAndToggles()
    {
        int code = 0;
        ExplorerOptions one = parsed({"photo.jpg", "--method", "LayerCAM", "--class", "1", "--class", "2"}, &code);
        QCOMPARE(code, -1);
        QCOMPARE(one.methods, QStringList{"layercam"}); // canonical spelling
        QCOMPARE(one.methodForPane(0), QString("layercam"));
        QCOMPARE(one.methodForPane(1), QString("layercam")); // one method: every pane
        QVERIFY(!one.augmentSmooth && !one.eigenSmooth && !one.sharedScale);

        ExplorerOptions each = parsed({"photo.jpg", "--class", "1", "--class", "2", "--method", "gradcam++", "--method",
                                       "scorecam", "--tta", "--eigen-smooth", "--shared-scale"},
                                      &code);
        QCOMPARE(code, -1);
        QCOMPARE(each.methodForPane(0), QString("gradcam++"));
        QCOMPARE(each.methodForPane(1), QString("scorecam"));
        QVERIFY(each.augmentSmooth && each.eigenSmooth && each.sharedScale);
        QCOMPARE(parsed({"photo.jpg", "--aug-smooth"}).augmentSmooth, true); // pytorch-grad-cam's name

        const ExplorerOptions none = parsed({"photo.jpg"}, &code);
        QCOMPARE(code, -1);
        QCOMPARE(none.methodForPane(0), QString("gradcam"));
        QVERIFY(none.alpha < 0 && none.colormap.isEmpty()); // the remembered ones
    }

    void rejects_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("unknown method") << QStringList{"p.jpg", "--method", "gradcam+++"};
        QTest::newRow("two methods, three panes")
            << QStringList{"p.jpg", "--class", "1", "--class", "2", "--class", "3", "--method", "gradcam",
                           "--method", "layercam"};
        QTest::newRow("two methods, one pane") << QStringList{"p.jpg", "--method", "gradcam", "--method", "layercam"};
        QTest::newRow("alpha above 1") << QStringList{"p.jpg", "--export", "o.png", "--alpha", "1.5"};
        QTest::newRow("alpha not a number") << QStringList{"p.jpg", "--export", "o.png", "--alpha", "half"};
        QTest::newRow("unknown colormap") << QStringList{"p.jpg", "--export", "o.png", "--colormap", "rainbow"};
        QTest::newRow("colormap without export") << QStringList{"p.jpg", "--colormap", "magma"};
        QTest::newRow("export without image") << QStringList{"--export", "o.png"};
        QTest::newRow("five panes") << QStringList{"p.jpg", "--class", "1", "--class", "2", "--class", "3",
                                                   "--class", "4", "--class", "5"};
        QTest::newRow("unknown preprocessing") << QStringList{"p.jpg", "--preprocess", "imagenet"};
        QTest::newRow("unknown layout") << QStringList{"p.jpg", "--layout", "diagonal"};
    }
    void rejects()
    {
        QFETCH(QStringList, args);
        int code = 0;
        parsed(args, &code);
        QCOMPARE(code, 2);
    }

    // Methods per pane and smoothing reach the maps; mixed methods keep each
    // map on its own max even with --shared-scale (raw values would not compare).
    void exportComputesWhatTheOptionsSay()
    {
        const ExplorerOptions options =
            untrainedExport({"--method", "gradcam", "--method", "layercam", "--tta", "--shared-scale"});
        const auto composed = gce::explorer::composeHeadlessExport(options);
        QCOMPARE(composed.exitCode, 0);
        const ExportRequest& request = composed.request;
        QCOMPARE(request.panes.size(), 2);
        QCOMPARE(request.panes[0].method, QString("gradcam"));
        QCOMPARE(request.panes[1].method, QString("layercam"));
        QCOMPARE(request.panes[0].classIndex, 281);
        QCOMPARE(request.panes[1].classIndex, 285);
        QVERIFY(request.panes[0].augmentSmooth && request.panes[1].augmentSmooth);
        QCOMPARE(request.sharedMax, 0.0);

        const CamResult expected = direct(options, {281, 285});
        for (int i = 0; i < 2; ++i)
            compareValues(request.panes[i].map.values, expected.panes[i].map.values, 1.0);
        // Without --tta the maps differ: the flag did something.
        const CamResult plain = direct(parsed({chelsea(), "--model", "resnet18", "--method", "gradcam"}), {281});
        QVERIFY(plain.panes[0].map.values != request.panes[0].map.values);
    }

    // One method: the panes share the raw scale 0..largest rawMax.
    void exportOnSharedScale()
    {
        const ExplorerOptions options = untrainedExport({"--shared-scale", "--method", "gradcam++"});
        const auto composed = gce::explorer::composeHeadlessExport(options);
        QCOMPARE(composed.exitCode, 0);
        const CamResult expected = direct(options, {281, 285});
        const double largest = std::max(expected.panes[0].map.rawMax, expected.panes[1].map.rawMax);
        QVERIFY(largest > 0.0);
        QCOMPARE(composed.request.sharedMax, largest);
        for (int i = 0; i < 2; ++i)
            compareValues(composed.request.panes[i].map.values, expected.panes[i].map.values,
                          expected.panes[i].map.rawMax / largest);
        // The weaker pane really is drawn weaker.
        QVERIFY(expected.panes[0].map.rawMax != expected.panes[1].map.rawMax);
    }

    void exportLooks()
    {
        Settings::setValue(Setting::Opacity, 55);
        Settings::setValue(Setting::Colormap, QStringLiteral("viridis"));
        const auto remembered = gce::explorer::composeHeadlessExport(untrainedExport({}));
        QCOMPARE(remembered.exitCode, 0);
        QCOMPARE(remembered.request.alpha, 0.55);
        QCOMPARE(remembered.request.colormap, gce::Colormap::Viridis);

        const auto given = gce::explorer::composeHeadlessExport(untrainedExport({"--colormap", "Magma", "--alpha", "0.7"}));
        QCOMPARE(given.exitCode, 0);
        QCOMPARE(given.request.alpha, 0.7);
        QCOMPARE(given.request.colormap, gce::Colormap::Magma);
    }

    void exportFailuresAreOneLine()
    {
        const auto unknownClass = gce::explorer::composeHeadlessExport(
            parsed({chelsea(), "--weights", "none", "--export", "o.png", "--class", "no such class"}));
        QCOMPARE(unknownClass.exitCode, 2);
        QVERIFY(!unknownClass.error.isEmpty() && !unknownClass.error.contains('\n'));
        const auto badLayer = gce::explorer::composeHeadlessExport(
            parsed({chelsea(), "--weights", "none", "--export", "o.png", "--layer", "layer9"}));
        QCOMPARE(badLayer.exitCode, 2);
        QVERIFY(badLayer.error.contains("layer9"));
    }

    // Without resnet18's weights anywhere, --export does as the window does:
    // the bundled SqueezeNet 1.1 (trained), the footer names it; --preprocess
    // and --layout reach the export.
    void exportFallsBackToTheBundledModel()
    {
        QTemporaryDir home;
        const QByteArray savedHome = qgetenv("HOME"), savedTorch = qgetenv("TORCH_HOME"),
                         savedXdg = qgetenv("XDG_CACHE_HOME");
        qputenv("HOME", home.path().toLocal8Bit());
        qunsetenv("TORCH_HOME");
        qunsetenv("XDG_CACHE_HOME");
        const auto composed = gce::explorer::composeHeadlessExport(
            parsed({chelsea(), "--model", "resnet18", "--export", "/unused.png", "--class", "285", "--class", "281",
                    "--preprocess", "model", "--layout", "ROWS"}));
        qputenv("HOME", savedHome);
        if (!savedTorch.isEmpty())
            qputenv("TORCH_HOME", savedTorch);
        if (!savedXdg.isEmpty())
            qputenv("XDG_CACHE_HOME", savedXdg);
        QCOMPARE(composed.exitCode, 0);
        QCOMPARE(composed.request.modelName, QString("squeezenet1_1"));
        QVERIFY(!composed.request.untrained);
        QCOMPARE(composed.request.grid, (PaneGrid{2, 1}));
        QVERIFY2(composed.request.preprocessText.startsWith("model (resize 256, crop 224"),
                 qPrintable(composed.request.preprocessText));
        const QSize photo = composed.request.image.size();
        // The centre crop: 224/256 of the shorter side, square, in the middle.
        const double side = 224.0 / 256.0 * std::min(photo.width(), photo.height());
        QVERIFY(std::abs(composed.request.inputRect.height() - side) < 1.0);
        QVERIFY(std::abs(composed.request.inputRect.width() - side) < 1.0);
        QVERIFY(std::abs(composed.request.inputRect.center().x() - photo.width() / 2.0) < 1.0);
        // Trained weights: the cat in chelsea.jpg is the Egyptian cat's pane's rank 1.
        QCOMPARE(composed.request.panes[0].rank, 1);
    }

private:
    QTemporaryDir m_settingsDir;
};

QTEST_MAIN(TestExplorerCommandLine)
#include "tst_explorercommandline.moc"
