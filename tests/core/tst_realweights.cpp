// Real ImageNet weights (../shared/models, test data only): real photos get
// sensible classes, and the map for a class sits on that object.
#include <QFileInfo>
#include <QtTest>

#include "core/cam/explainer.h"
#include "core/imaging/imageloader.h"
#include "core/support/runtime.h"
#include "testsupport.h"

using namespace gce;

namespace {
QString weights() { return test::sharedModelsDir() + "/squeezenet1_1-imagenet.pth"; }
std::string demo(const char* name) { return (test::sourceDir() + "/resources/demo/" + name).toStdString(); }

// Share of the map's mass in the left half of the image.
double leftShare(const cv::Mat& map)
{
    const int half = map.cols / 2;
    const double left = cv::sum(map.colRange(0, half))[0];
    const double right = cv::sum(map.colRange(map.cols - half, map.cols))[0];
    return left / (left + right);
}
} // namespace

class TestRealWeights : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        configureRuntime({});
        if (!QFileInfo::exists(weights()))
            QSKIP("../shared/models/squeezenet1_1-imagenet.pth is absent: real-weights checks skipped");
    }

    void sensibleTopClasses()
    {
        Explainer explainer("squeezenet1_1", weights().toStdString());
        auto cat = explainer.explainImage(loadImage(demo("chelsea.jpg")).rgb);
        const int catTop = cat->topK(1).front().index;
        QVERIFY2(catTop >= 281 && catTop <= 285, qPrintable(QString("cat photo top-1 is %1").arg(catTop)));

        auto coffee = explainer.explainImage(loadImage(demo("coffee.jpg")).rgb);
        QVERIFY(coffee->rankOf(967) <= 3); // espresso
    }

    void mapSitsOnTheObject()
    {
        Explainer explainer("squeezenet1_1", weights().toStdString());
        auto session = explainer.explainImage(loadImage(demo("cat_and_coffee.jpg")).rgb);
        const double cat = leftShare(session->gradCam(285).map);     // Egyptian cat: left half
        const double espresso = leftShare(session->gradCam(967).map); // espresso: right half
        qInfo("left-half share of the map: Egyptian cat %.2f, espresso %.2f", cat, espresso);
        QVERIFY(cat > 0.6);
        QVERIFY(espresso < 0.4);
    }
};

QTEST_GUILESS_MAIN(TestRealWeights)
#include "tst_realweights.moc"
