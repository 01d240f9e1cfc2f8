// Annotated exports: the overlay pixels are the core overlay's, unscaled, the
// bands carry text, and saving is atomic and refuses silent overwrites.
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <functional>

#include "core/imaging/overlay.h"
#include "testsupport.h"
#include "ui/export/exportrenderer.h"
#include "ui/control/heatmapimage.h"

using namespace gce;
using namespace gce::ui;

namespace {

// The layout contract of ui/export/exportrenderer.cpp, restated so that a change in
// geometry is a deliberate, visible decision.
struct ExpectedLayout {
    int fontPx, margin, lineStep, gap, paneWidth, photoX, captionHeight, warningLines, footerHeight, width, height;

    ExpectedLayout(QSize photo, int panes, bool anyEmptyMap, bool untrained)
    {
        fontPx = std::max(14, static_cast<int>(std::lround(std::sqrt(double(photo.width()) * photo.height()) / 40.0)));
        margin = std::max(6, fontPx / 2);
        lineStep = fontPx * 3 / 2;
        gap = margin;
        paneWidth = std::max(photo.width(), 20 * fontPx);
        photoX = (paneWidth - photo.width()) / 2;
        captionHeight = 2 * margin + (anyEmptyMap ? 3 : 2) * lineStep;
        width = panes * paneWidth + (panes - 1) * gap;
        warningLines = !untrained ? 0 : width - 2 * margin >= 28 * fontPx ? 1 : 2;
        footerHeight = 2 * margin + (3 + warningLines) * lineStep;
        height = photo.height() + captionHeight + footerHeight;
    }
    QRect photoRect(int pane, QSize photo) const { return {pane * (paneWidth + gap) + photoX, 0, photo.width(), photo.height()}; }
    QRect captionRect(int pane, int photoHeight) const
    {
        return {pane * (paneWidth + gap), photoHeight, paneWidth, captionHeight};
    }
    QRect footerRect(int photoHeight) const { return {0, photoHeight + captionHeight, width, footerHeight}; }
};

const QColor kBand(0x20, 0x21, 0x24);

QImage demoPhoto(const QString& name)
{
    return QImage(gce::test::sourceDir() + QStringLiteral("/resources/demo/") + name)
        .convertToFormat(QImage::Format_RGB888);
}

// A 7x7 (ResNet layer4-sized) Gaussian blob peaking at exactly 1 in the cell nearest (cx, cy), given in [0,1] units.
CamMapData blobMap(double cx, double cy, double sigma = 0.12, int rows = 7, int cols = 7)
{
    CamMapData map;
    map.rows = rows;
    map.cols = cols;
    const int px = static_cast<int>(std::lround(cx * (cols - 1)));
    const int py = static_cast<int>(std::lround(cy * (rows - 1)));
    for (int y = 0; y < rows; ++y)
        for (int x = 0; x < cols; ++x) {
            const double dx = double(x - px) / cols;
            const double dy = double(y - py) / rows;
            map.values.push_back(static_cast<float>(std::exp(-(dx * dx + dy * dy) / (2 * sigma * sigma))));
        }
    return map;
}

CamMapData constantMap(float value, int rows = 7, int cols = 7)
{
    CamMapData map;
    map.rows = rows;
    map.cols = cols;
    map.values = QVector<float>(rows * cols, value);
    map.empty = value <= 0.f;
    return map;
}

PaneResult pane(const QString& name, int index, float p, int rank, const CamMapData& map)
{
    PaneResult r;
    r.className = name;
    r.classIndex = index;
    r.probability = p;
    r.rank = rank;
    r.map = map;
    return r;
}

ExportRequest request(const QImage& photo, QVector<PaneResult> panes)
{
    ExportRequest r;
    r.image = photo;
    r.panes = std::move(panes);
    r.modelName = QStringLiteral("resnet50");
    r.layerName = QStringLiteral("layer4");
    r.sourceFileName = QStringLiteral("/some/where/photo.jpg");
    return r;
}

QImage rgb888(const QImage& image) { return image.convertToFormat(QImage::Format_RGB888); }

int countPixels(const QImage& image, const QRect& rect, const std::function<bool(QRgb)>& predicate)
{
    int count = 0;
    for (int y = rect.top(); y <= rect.bottom(); ++y)
        for (int x = rect.left(); x <= rect.right(); ++x)
            count += predicate(image.pixel(x, y)) ? 1 : 0;
    return count;
}

bool isRed(QRgb c) { return qRed(c) > 180 && qGreen(c) < 100 && qBlue(c) < 100; }
bool isBackground(QRgb c) { return QColor(c) == kBand; }

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestExportRenderer : public QObject {
    Q_OBJECT

private slots:
    void paneOverlayIsCoreOverlay();
    void paneOverlayBlendsJetIndependently();
    void emptyMapRendersZeroColor();
    void exportSizeFollowsLayout_data();
    void exportSizeFollowsLayout();
    void paneRegionsAreUnscaledOverlays();
    void captionShowsText();
    void emptyMapAddsCaptionNote();
    void footerHasColorBar();
    void untrainedAddsRedWarning();
    void tinyPhotosRender_data();
    void tinyPhotosRender();
    void largePhotoRenders();
    void deterministic();
    void savePngAndJpegRoundTrip_data();
    void savePngAndJpegRoundTrip();
    void refusesSilentOverwrite();
    void overwritesWhenAsked();
    void failsCleanlyIntoMissingOrUnwritableDirectory_data();
    void failsCleanlyIntoMissingOrUnwritableDirectory();
    void rejectsUnsupportedFormatAndEmptyImage();
    void screenshot();
};

void TestExportRenderer::paneOverlayIsCoreOverlay()
{
    const QImage photo = demoPhoto(QStringLiteral("chelsea.jpg"));
    QVERIFY(!photo.isNull());
    const CamMapData map = blobMap(0.3, 0.4);
    for (Colormap cm : {Colormap::Jet, Colormap::Viridis, Colormap::Gray}) {
        const QImage ours = renderPaneOverlay(photo, map, cm, 0.4);
        const QImage core = toQImage(renderOverlay(toRgbMat(photo), toMat(map), cm, 0.4));
        QCOMPARE(ours.size(), photo.size());
        QCOMPARE(ours.format(), QImage::Format_RGB888);
        QVERIFY(ours == core);
    }
    // Any input format is accepted and yields the same pixels.
    QVERIFY(renderPaneOverlay(photo.convertToFormat(QImage::Format_RGB32), map, Colormap::Jet, 0.4)
            == renderPaneOverlay(photo, map, Colormap::Jet, 0.4));
}

void TestExportRenderer::paneOverlayBlendsJetIndependently()
{
    // A map of ones resizes to ones everywhere; JET at 255 is RGB (128, 0, 0).
    const QImage photo = demoPhoto(QStringLiteral("chelsea.jpg"));
    const QImage out = renderPaneOverlay(photo, constantMap(1.f), Colormap::Jet, 0.4);
    const int jet[3] = {128, 0, 0};
    for (QPoint p : {QPoint(0, 0), QPoint(200, 150), QPoint(450, 299)}) {
        const QRgb in = photo.pixel(p);
        const QRgb got = out.pixel(p);
        const int src[3] = {qRed(in), qGreen(in), qBlue(in)};
        const int res[3] = {qRed(got), qGreen(got), qBlue(got)};
        for (int c = 0; c < 3; ++c)
            QVERIFY2(std::abs(res[c] - (0.6 * src[c] + 0.4 * jet[c])) <= 1.0,
                     qPrintable(QStringLiteral("pixel %1,%2 channel %3").arg(p.x()).arg(p.y()).arg(c)));
    }
}

void TestExportRenderer::emptyMapRendersZeroColor()
{
    // JET at 0 is RGB (0, 0, 128): an empty map still tints the photo blue.
    const QImage photo = demoPhoto(QStringLiteral("chelsea.jpg"));
    const QImage out = renderPaneOverlay(photo, constantMap(0.f), Colormap::Jet, 0.4);
    const QRgb in = photo.pixel(100, 100);
    const QRgb got = out.pixel(100, 100);
    QVERIFY(std::abs(qRed(got) - 0.6 * qRed(in)) <= 1.0);
    QVERIFY(std::abs(qGreen(got) - 0.6 * qGreen(in)) <= 1.0);
    QVERIFY(std::abs(qBlue(got) - (0.6 * qBlue(in) + 0.4 * 128)) <= 1.0);
}

void TestExportRenderer::exportSizeFollowsLayout_data()
{
    QTest::addColumn<QSize>("photoSize");
    QTest::addColumn<int>("panes");
    QTest::addColumn<bool>("untrained");
    QTest::newRow("300 tall, 1 pane") << QSize(451, 300) << 1 << false;
    QTest::newRow("300 tall, 3 panes, untrained") << QSize(451, 300) << 3 << true;
    QTest::newRow("wide, 4 panes") << QSize(1201, 400) << 4 << false;
    QTest::newRow("narrow, 2 panes") << QSize(100, 500) << 2 << false;
    QTest::newRow("narrow, 1 pane, untrained") << QSize(100, 500) << 1 << true;
}

void TestExportRenderer::exportSizeFollowsLayout()
{
    QFETCH(QSize, photoSize);
    QFETCH(int, panes);
    QFETCH(bool, untrained);
    QImage photo(photoSize, QImage::Format_RGB888);
    photo.fill(QColor(90, 140, 60));
    QVector<PaneResult> list;
    for (int i = 0; i < panes; ++i)
        list << pane(QStringLiteral("class %1").arg(i), i, 0.1f, i + 1, blobMap(0.2 * i, 0.5));
    ExportRequest req = request(photo, list);
    req.untrained = untrained;
    const QImage out = renderExport(req);
    const ExpectedLayout l(photoSize, panes, false, untrained);
    QCOMPARE(out.size(), QSize(l.width, l.height));
    QVERIFY(out.format() == QImage::Format_RGB888 || out.format() == QImage::Format_ARGB32);
}

void TestExportRenderer::paneRegionsAreUnscaledOverlays()
{
    const QImage photo = demoPhoto(QStringLiteral("cat_and_coffee.jpg"));
    const QVector<PaneResult> panes{pane(QStringLiteral("Egyptian cat"), 285, 0.41f, 1, blobMap(0.2, 0.5)),
                                    pane(QStringLiteral("espresso"), 967, 0.33f, 2, blobMap(0.8, 0.5)),
                                    pane(QStringLiteral("tabby"), 281, 0.1f, 3, blobMap(0.5, 0.1))};
    ExportRequest req = request(photo, panes);
    req.colormap = Colormap::Turbo;
    req.alpha = 0.55;
    const QImage out = rgb888(renderExport(req));
    const ExpectedLayout l(photo.size(), 3, false, false);
    for (int i = 0; i < panes.size(); ++i) {
        const QImage expected = renderPaneOverlay(photo, panes[i].map, req.colormap, req.alpha);
        QVERIFY2(out.copy(l.photoRect(i, photo.size())) == expected, qPrintable(QStringLiteral("pane %1").arg(i)));
    }
}

void TestExportRenderer::captionShowsText()
{
    const QImage photo = demoPhoto(QStringLiteral("chelsea.jpg"));
    const ExpectedLayout l(photo.size(), 1, false, false);
    const QRect caption = l.captionRect(0, photo.height());
    const QImage cat = rgb888(renderExport(request(photo, {pane(QStringLiteral("Egyptian cat"), 285, 0.8f, 1, blobMap(0.5, 0.5))})));
    const QImage dog = rgb888(renderExport(request(photo, {pane(QStringLiteral("golden retriever"), 207, 0.8f, 1, blobMap(0.5, 0.5))})));

    const int textPixels = countPixels(cat, caption, [](QRgb c) { return !isBackground(c); });
    QVERIFY2(textPixels > 200, qPrintable(QString::number(textPixels)));
    // Light text on a dark band.
    QVERIFY(countPixels(cat, caption, [](QRgb c) { return qGray(c) > 200; }) > 50);
    QVERIFY(cat.copy(caption) != dog.copy(caption));
    QVERIFY(cat.copy(l.photoRect(0, photo.size())) == dog.copy(l.photoRect(0, photo.size())));
    // The band's margins stay clear: text sits inside, not on the edges.
    QCOMPARE(countPixels(cat, QRect(caption.left(), caption.top(), caption.width(), 2), [](QRgb c) { return !isBackground(c); }), 0);
}

void TestExportRenderer::emptyMapAddsCaptionNote()
{
    const QImage photo = demoPhoto(QStringLiteral("chelsea.jpg"));
    const QVector<PaneResult> panes{pane(QStringLiteral("tabby"), 281, 0.5f, 1, blobMap(0.5, 0.5)),
                                    pane(QStringLiteral("toaster"), 859, 0.0001f, 900, constantMap(0.f))};
    const QImage out = rgb888(renderExport(request(photo, panes)));
    const ExpectedLayout l(photo.size(), 2, true, false);
    QCOMPARE(out.size(), QSize(l.width, l.height));
    // The third caption line is written under the empty pane only.
    const auto noteLine = [&](int i) {
        const QRect c = l.captionRect(i, photo.height());
        return QRect(c.left(), c.top() + l.margin + 2 * l.lineStep, c.width(), l.lineStep);
    };
    QCOMPARE(countPixels(out, noteLine(0), [](QRgb c) { return !isBackground(c); }), 0);
    QVERIFY(countPixels(out, noteLine(1), [](QRgb c) { return !isBackground(c); }) > 100);
    // The empty pane is the colormap's zero color blended, not a blank.
    QVERIFY(out.copy(l.photoRect(1, photo.size())) == renderPaneOverlay(photo, constantMap(0.f), Colormap::Jet, 0.4));
}

void TestExportRenderer::footerHasColorBar()
{
    const QImage photo = demoPhoto(QStringLiteral("chelsea.jpg"));
    const QImage out = rgb888(renderExport(request(photo, {pane(QStringLiteral("tabby"), 281, 0.5f, 1, blobMap(0.5, 0.5))})));
    const ExpectedLayout l(photo.size(), 1, false, false);
    const QRect footer = l.footerRect(photo.height());
    // Both ends of the JET bar, exactly (one column each, at least 4 px tall).
    QVERIFY(countPixels(out, footer, [](QRgb c) { return c == qRgb(0, 0, 128); }) >= 4);
    QVERIFY(countPixels(out, footer, [](QRgb c) { return c == qRgb(128, 0, 0); }) >= 4);
    QVERIFY(countPixels(out, footer, [](QRgb c) { return qGray(c) > 200; }) > 200);
}

void TestExportRenderer::untrainedAddsRedWarning()
{
    const QImage photo = demoPhoto(QStringLiteral("chelsea.jpg"));
    ExportRequest req = request(photo, {pane(QStringLiteral("tabby"), 281, 0.5f, 1, blobMap(0.5, 0.5))});
    req.colormap = Colormap::Gray; // so that the color bar has no red of its own
    const QImage trained = rgb888(renderExport(req));
    req.untrained = true;
    const QImage untrained = rgb888(renderExport(req));

    QCOMPARE(countPixels(trained, ExpectedLayout(photo.size(), 1, false, false).footerRect(photo.height()), isRed), 0);
    const ExpectedLayout l(photo.size(), 1, false, true);
    QCOMPARE(l.warningLines, 1);
    QCOMPARE(untrained.height(), trained.height() + l.lineStep);
    const int red = countPixels(untrained, l.footerRect(photo.height()), isRed);
    QVERIFY2(red > 150, qPrintable(QString::number(red)));

    // On a narrow export the warning wraps onto two lines instead of being elided.
    QImage tiny(1, 1, QImage::Format_RGB888);
    tiny.fill(Qt::white);
    req.image = tiny;
    const QImage narrow = rgb888(renderExport(req));
    const ExpectedLayout n(tiny.size(), 1, false, true);
    QCOMPARE(n.warningLines, 2);
    QCOMPARE(narrow.size(), QSize(n.width, n.height));
    const int footerTop = n.footerRect(1).top() + n.margin;
    for (int line = 0; line < 2; ++line)
        QVERIFY(countPixels(narrow, QRect(0, footerTop + line * n.lineStep, n.width, n.lineStep), isRed) > 100);
}

void TestExportRenderer::tinyPhotosRender_data()
{
    QTest::addColumn<QSize>("photoSize");
    QTest::newRow("1x1") << QSize(1, 1);
    QTest::newRow("20x20") << QSize(20, 20);
    QTest::newRow("1x300") << QSize(1, 300);
    QTest::newRow("2000x1") << QSize(2000, 1);
}

void TestExportRenderer::tinyPhotosRender()
{
    QFETCH(QSize, photoSize);
    QImage photo(photoSize, QImage::Format_RGB888);
    photo.fill(QColor(200, 180, 160));
    const QVector<PaneResult> panes{
        pane(QStringLiteral("a class name far too long for any small pane to show in full"), 1, 0.5f, 1, blobMap(0.5, 0.5)),
        pane(QStringLiteral("b"), 2, 0.2f, 2, blobMap(0.1, 0.1, 0.3, 1, 1))};
    ExportRequest req = request(photo, panes);
    req.untrained = true;
    const QImage out = rgb888(renderExport(req));
    const ExpectedLayout l(photoSize, 2, false, true);
    QCOMPARE(out.size(), QSize(l.width, l.height));
    QVERIFY(l.paneWidth >= 280);
    for (int i = 0; i < panes.size(); ++i)
        QVERIFY(out.copy(l.photoRect(i, photoSize)) == renderPaneOverlay(photo, panes[i].map, Colormap::Jet, 0.4));
    // Captions are drawn (elided), not dropped.
    QVERIFY(countPixels(out, l.captionRect(0, photoSize.height()), [](QRgb c) { return !isBackground(c); }) > 100);
}

void TestExportRenderer::largePhotoRenders()
{
    QImage photo(4000, 3000, QImage::Format_RGB888);
    photo.fill(QColor(120, 120, 120));
    const CamMapData map = blobMap(0.8, 0.2);
    const QImage out = rgb888(renderExport(request(photo, {pane(QStringLiteral("Egyptian cat"), 285, 0.9f, 1, map)})));
    const ExpectedLayout l(photo.size(), 1, false, false);
    QCOMPARE(out.size(), QSize(l.width, l.height));
    QVERIFY(l.fontPx > 60); // text scales with the photo
    // The hot spot is where the map says: top right is red-ish, bottom left blue-ish.
    const QRgb hot = out.pixel(3200, 600);
    const QRgb cold = out.pixel(400, 2600);
    QVERIFY(qRed(hot) > qBlue(hot));
    QVERIFY(qBlue(cold) > qRed(cold));
    QVERIFY(countPixels(out, QRect(0, 3000, 4000, l.captionHeight), [](QRgb c) { return qGray(c) > 200; }) > 2000);
}

void TestExportRenderer::deterministic()
{
    const QImage photo = demoPhoto(QStringLiteral("chelsea.jpg"));
    const ExportRequest req = request(photo, {pane(QStringLiteral("tabby"), 281, 0.5f, 1, blobMap(0.5, 0.5)),
                                              pane(QStringLiteral("tiger cat"), 282, 0.2f, 2, constantMap(0.f))});
    QVERIFY(renderExport(req) == renderExport(req));
    QVERIFY(renderExport(ExportRequest{}).isNull());
}

void TestExportRenderer::savePngAndJpegRoundTrip_data()
{
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<bool>("lossless");
    QTest::newRow("png") << QStringLiteral("out.png") << true;
    QTest::newRow("jpg") << QStringLiteral("out.jpg") << false;
    QTest::newRow("JPEG upper case") << QStringLiteral("out.JPEG") << false;
}

void TestExportRenderer::savePngAndJpegRoundTrip()
{
    QFETCH(QString, fileName);
    QFETCH(bool, lossless);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QImage photo = demoPhoto(QStringLiteral("chelsea.jpg"));
    const QImage image = renderExport(request(photo, {pane(QStringLiteral("tabby"), 281, 0.5f, 1, blobMap(0.5, 0.5))}));
    const QString path = dir.filePath(fileName);
    QString error;
    QVERIFY2(saveImageAtomically(image, path, false, &error), qPrintable(error));
    const QImage back(path);
    QCOMPARE(back.size(), image.size());
    if (lossless) {
        QVERIFY(rgb888(back) == rgb888(image));
    } else {
        QVERIFY(readAll(path).startsWith("\xff\xd8")); // a JPEG, whatever the case of the suffix
        const QRgb a = back.pixel(200, 150);
        const QRgb b = image.pixel(200, 150);
        QVERIFY(std::abs(qRed(a) - qRed(b)) < 20 && std::abs(qGreen(a) - qGreen(b)) < 20);
    }
    // No temporary files left next to it.
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList{fileName});
}

void TestExportRenderer::refusesSilentOverwrite()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("existing.png"));
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("precious bytes");
    }
    QImage image(10, 10, QImage::Format_RGB888);
    image.fill(Qt::red);
    QString error;
    QVERIFY(!saveImageAtomically(image, path, false, &error));
    QVERIFY2(error.contains(QStringLiteral("already exists")), qPrintable(error));
    QCOMPARE(readAll(path), QByteArray("precious bytes"));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 1);
}

void TestExportRenderer::overwritesWhenAsked()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("existing.jpeg"));
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("old");
    }
    QImage image(64, 32, QImage::Format_RGB888);
    image.fill(Qt::blue);
    QString error;
    QVERIFY2(saveImageAtomically(image, path, true, &error), qPrintable(error));
    QCOMPARE(QImage(path).size(), QSize(64, 32));
}

void TestExportRenderer::failsCleanlyIntoMissingOrUnwritableDirectory_data()
{
    QTest::addColumn<QString>("path");
    QTest::newRow("missing directory") << QDir::tempPath() + QStringLiteral("/gce-no-such-dir-4711/sub/out.png");
    // Root ignores chmod, but nobody creates files in /proc.
    QTest::newRow("/proc") << QStringLiteral("/proc/gce-export.png");
}

void TestExportRenderer::failsCleanlyIntoMissingOrUnwritableDirectory()
{
    QFETCH(QString, path);
    QImage image(8, 8, QImage::Format_RGB888);
    image.fill(Qt::green);
    QString error;
    QVERIFY(!saveImageAtomically(image, path, false, &error));
    QVERIFY2(error.contains(QStringLiteral("cannot write")) && error.contains(path), qPrintable(error));
    // The OS reason follows the path.
    QVERIFY2(error.size() > QStringLiteral("cannot write %1: ").arg(path).size() + 3, qPrintable(error));
    QVERIFY(!QFileInfo::exists(path));
}

void TestExportRenderer::rejectsUnsupportedFormatAndEmptyImage()
{
    QTemporaryDir dir;
    QImage image(8, 8, QImage::Format_RGB888);
    image.fill(Qt::green);
    QString error;
    for (const QString& name : {QStringLiteral("out.bmp"), QStringLiteral("out.tiff"), QStringLiteral("out")}) {
        error.clear();
        QVERIFY(!saveImageAtomically(image, dir.filePath(name), false, &error));
        QVERIFY2(error.startsWith(QStringLiteral("unsupported export format")), qPrintable(error));
        QVERIFY(!QFileInfo::exists(dir.filePath(name)));
    }
    QVERIFY(!saveImageAtomically(QImage(), dir.filePath(QStringLiteral("x.png")), false, &error));
    QVERIFY(!error.isEmpty());
    QVERIFY(!saveImageAtomically(image, dir.path(), true, nullptr)); // a directory is not a file
}

// Writes the demo export for eyeballing when GCE_SCREENSHOT_DIR is set.
void TestExportRenderer::screenshot()
{
    const QString outDir = qEnvironmentVariable("GCE_SCREENSHOT_DIR");
    if (outDir.isEmpty())
        QSKIP("set GCE_SCREENSHOT_DIR to write example exports");
    QVERIFY(QDir().mkpath(outDir));
    const QImage photo = demoPhoto(QStringLiteral("cat_and_coffee.jpg"));
    ExportRequest req = request(photo, {pane(QStringLiteral("Egyptian cat"), 285, 0.412f, 1, blobMap(0.2, 0.5)),
                                        pane(QStringLiteral("espresso"), 967, 0.327f, 2, blobMap(0.8, 0.55)),
                                        pane(QStringLiteral("toaster"), 859, 0.00042f, 517, constantMap(0.f))});
    req.sourceFileName = gce::test::sourceDir() + QStringLiteral("/resources/demo/cat_and_coffee.jpg");
    QString error;
    QVERIFY2(saveImageAtomically(renderExport(req), outDir + QStringLiteral("/export3.png"), true, &error), qPrintable(error));

    req.untrained = true;
    req.colormap = Colormap::Viridis;
    req.panes.resize(1);
    QVERIFY2(saveImageAtomically(renderExport(req), outDir + QStringLiteral("/export1_untrained.png"), true, &error), qPrintable(error));

    req.image = demoPhoto(QStringLiteral("chelsea.jpg")).scaled(4000, 3000, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
    QVERIFY2(saveImageAtomically(renderExport(req), outDir + QStringLiteral("/export_4000x3000.jpg"), true, &error), qPrintable(error));

    QImage tiny(20, 20, QImage::Format_RGB888);
    tiny.fill(QColor(200, 180, 160));
    req.image = tiny;
    QVERIFY2(saveImageAtomically(renderExport(req), outDir + QStringLiteral("/export_tiny.png"), true, &error), qPrintable(error));
}

QTEST_MAIN(TestExportRenderer)
#include "tst_exportrenderer.moc"
