// A model per pane (issue 16, item 4): three panes with ResNet-18, ViT-B/16
// and Swin-T on one photo, each map equal to gradcam-cli's for that model;
// switching one pane's model runs one forward pass (the other panes keep
// their sessions); captions name the models; the shared scale is refused
// across models. ResNet-18 and Swin-T are untrained (torchvision's init, the
// engine's fixed seed, as `--weights none`); ViT-B/16 uses the zoo_vit
// fixture's random weights (its untrained head is all zeros).
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "testsupport.h"
#include "windowtestsupport.h"
#include "ui/canvas/colorbar.h"
#include "ui/canvas/comparepane.h"
#include "ui/control/explorercontroller.h"
#include "ui/control/camworker.h"
#include "ui/settings/settings.h"
#include "ui/window/mainwindow.h"
#include "ui/window/panestrip.h"

using namespace gce::ui;

namespace {
QString vitWeights() { return gce::test::fixturesDir("zoo_vit") + "/vit_b_16.pth"; }

// gradcam-cli's Grad-CAM map for `model` at its default layer.
QVector<float> cliMap(const QString& image, const QString& model, const QString& weights, int classIndex)
{
    const auto run = gce::test::runProcess(QStringLiteral(GCE_CLI),
                                           {"--image", image, "--model", model, "--weights", weights, "--class",
                                            QString::number(classIndex), "--json"},
                                           600000);
    const QJsonObject line = QJsonDocument::fromJson(run.out.split('\n').front()).object();
    QVector<float> values;
    for (const auto& v : line["heatmap"].toObject()["values"].toArray())
        values.push_back(float(v.toDouble()));
    return values;
}

double worstDifference(const QVector<float>& a, const QVector<float>& b)
{
    if (a.size() != b.size() || a.isEmpty())
        return 1e9;
    double worst = 0;
    for (int i = 0; i < a.size(); ++i)
        worst = std::max(worst, double(std::abs(a[i] - b[i])));
    return worst;
}
} // namespace

class TestPaneModels : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY(m_settingsDir.isValid());
        gce::test::useThrowawaySettings(m_settingsDir.path(), "tst_panemodels");
        QVERIFY2(QFile::exists(vitWeights()), "zoo_vit fixture missing");
        // A pane's model takes the weights remembered for it, as a user's choice would.
        Settings::setWeightsFor(QStringLiteral("vit_b_16"), vitWeights());
    }

    void threeModelsOnePhoto()
    {
        QTemporaryDir dir;
        const QString image = gce::test::isolatedDemoImage(dir, "chelsea.jpg");
        StartOptions options;
        options.imagePath = image;
        options.modelName = QStringLiteral("resnet18");
        options.untrained = true;
        options.classes = {-1, -1, -1}; // each pane: its own model's top prediction
        options.paneModels = {QString(), QStringLiteral("vit_b_16"), QStringLiteral("swin_t")};
        MainWindow window(options);
        QVERIFY(gce::test::showAndWait(window, 600000));
        QCOMPARE(window.controller()->worker()->forwardPasses(), 3); // one per model

        const QVector<ComparePane*> panes = window.paneStrip()->panes();
        QCOMPARE(panes.size(), 3);
        const QStringList models{"resnet18", "vit_b_16", "swin_t"};
        const QStringList weights{"none", vitWeights(), "none"};
        const QStringList layers{"layer4.1.conv2", "encoder.layers.encoder_layer_11.ln_1", "features.7.1.norm1"};
        for (int i = 0; i < 3; ++i) {
            const PaneResult& shown = panes[i]->result();
            QCOMPARE(shown.modelName, models[i]);
            QCOMPARE(shown.layerName, layers[i]);
            QVERIFY(shown.otherModels);
            QVERIFY2(panes[i]->captionText().startsWith(models[i]), qPrintable(panes[i]->captionText()));
            const double difference =
                worstDifference(shown.map.values, cliMap(image, models[i], weights[i], shown.classIndex));
            QVERIFY2(difference < 1e-5, qPrintable(QString("%1: map differs from the CLI's by %2")
                                                       .arg(models[i])
                                                       .arg(difference)));
        }
        const QVector<float> vitMap = panes[1]->result().map.values;

        // Another model in the third pane: one forward pass, for that pane only.
        const int forward = window.controller()->worker()->forwardPasses();
        panes[2]->chooseModel(QStringLiteral("mobilenet_v3_small"));
        QVERIFY(gce::test::waitShown(window, 600000));
        QCOMPARE(window.controller()->worker()->forwardPasses(), forward + 1);
        QCOMPARE(panes[2]->result().modelName, QString("mobilenet_v3_small"));
        QCOMPARE(panes[1]->result().map.values, vitMap);
        QVERIFY(worstDifference(panes[2]->result().map.values,
                                cliMap(image, "mobilenet_v3_small", "none", panes[2]->result().classIndex)) < 1e-5);

        // Raw values of different networks are not comparable: no shared scale, and the window says why.
        window.action(MainWindow::ActionId::SharedScale)->trigger();
        QVERIFY2(window.messageText().contains("different models"), qPrintable(window.messageText()));
        QCOMPARE(window.findChild<ColorBar*>()->sharedMax(), 0.0);
        window.action(MainWindow::ActionId::SharedScale)->trigger();

        // Back to the window's model everywhere: captions stop naming models.
        panes[1]->chooseModel(QString());
        QVERIFY(gce::test::waitShown(window, 600000));
        panes[2]->chooseModel(QString());
        QVERIFY(gce::test::waitShown(window, 600000));
        for (ComparePane* pane : panes) {
            QCOMPARE(pane->result().modelName, QString("resnet18"));
            QVERIFY(!pane->result().otherModels);
            QVERIFY(!pane->captionText().startsWith("resnet18"));
        }
    }

private:
    QTemporaryDir m_settingsDir;
};

QTEST_MAIN(TestPaneModels)
#include "tst_panemodels.moc"
