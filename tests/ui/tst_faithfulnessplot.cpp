// ui/faithfulnessplot: the curves are drawn where their values say, each in
// its own color, with the AUCs in the legend's tooltip. Rendered offscreen
// with QWidget::grab; GCE_PLOT_PNG=path saves the rendering for a human look.
#include <QImage>
#include <QtTest>

#include "ui/panels/faithfulnessplot.h"

using namespace gce::ui;

namespace {

// Pixels close to `color` (antialiased edges blend with the background, so
// only the strokes' cores match).
int countColor(const QImage& image, const QRect& region, const QColor& color)
{
    int count = 0;
    for (int y = region.top(); y <= region.bottom(); ++y)
        for (int x = region.left(); x <= region.right(); ++x) {
            const QColor c = image.pixelColor(x, y);
            if (std::abs(c.red() - color.red()) + std::abs(c.green() - color.green()) +
                    std::abs(c.blue() - color.blue()) <= 24)
                ++count;
        }
    return count;
}

QVector<double> line(double from, double to, int points = 51)
{
    QVector<double> curve;
    for (int k = 0; k < points; ++k)
        curve.append(from + (to - from) * k / (points - 1));
    return curve;
}

struct Halves {
    QRect top, bottom, left, right;
};

// The plot's unit square split in two, leaving a band around the middle
// line so that a stroke on the boundary does not count for both.
Halves halvesOf(const QRect& area)
{
    const int band = 4;
    const int midY = area.top() + area.height() / 2;
    const int midX = area.left() + area.width() / 2;
    return {QRect(QPoint(area.left(), area.top()), QPoint(area.right(), midY - band)),
            QRect(QPoint(area.left(), midY + band), QPoint(area.right(), area.bottom())),
            QRect(QPoint(area.left(), area.top()), QPoint(midX - band, area.bottom())),
            QRect(QPoint(midX + band, area.top()), QPoint(area.right(), area.bottom()))};
}

QImage render(FaithfulnessPlot& plot)
{
    plot.resize(plot.sizeHint());
    return plot.grab().toImage().convertToFormat(QImage::Format_RGB32);
}

} // namespace

class TestFaithfulnessPlot : public QObject {
    Q_OBJECT
private slots:
    void fitsTheSizeItAsksFor()
    {
        FaithfulnessPlot plot;
        QVERIFY(plot.sizeHint().width() <= 220 && plot.sizeHint().height() <= 140);
        plot.resize(plot.sizeHint());
        const QRect area = plot.plotRect();
        QVERIFY(plot.rect().contains(area));
        QVERIFY(area.width() >= 150 && area.height() >= 80);
    }

    void flatCurvesLandInTheirHalves_data()
    {
        QTest::addColumn<double>("deletion");
        QTest::addColumn<double>("insertion");
        QTest::newRow("deletion high") << 0.8 << 0.2;
        QTest::newRow("insertion high") << 0.15 << 0.9;
    }
    void flatCurvesLandInTheirHalves()
    {
        QFETCH(double, deletion);
        QFETCH(double, insertion);
        FaithfulnessPlot plot;
        plot.setCurves({line(deletion, deletion), line(insertion, insertion), deletion, insertion});
        const QImage image = render(plot);
        const Halves halves = halvesOf(plot.plotRect());
        const QRect& deletionHalf = deletion > 0.5 ? halves.top : halves.bottom;
        const QRect& deletionOther = deletion > 0.5 ? halves.bottom : halves.top;
        const QRect& insertionHalf = insertion > 0.5 ? halves.top : halves.bottom;
        const QRect& insertionOther = insertion > 0.5 ? halves.bottom : halves.top;
        QVERIFY(countColor(image, deletionHalf, FaithfulnessPlot::deletionColor()) > 100);
        QCOMPARE(countColor(image, deletionOther, FaithfulnessPlot::deletionColor()), 0);
        QVERIFY(countColor(image, insertionHalf, FaithfulnessPlot::insertionColor()) > 100);
        QCOMPARE(countColor(image, insertionOther, FaithfulnessPlot::insertionColor()), 0);
    }

    void typicalCurvesCrossAndTheLegendNamesTheAucs()
    {
        // Deletion falls (high on the left, low on the right), insertion rises.
        FaithfulnessPlot plot;
        plot.setCurves({line(0.95, 0.02), line(0.05, 0.97), 0.123, 0.789});
        const QImage image = render(plot);
        if (const QByteArray path = qgetenv("GCE_PLOT_PNG"); !path.isEmpty())
            QVERIFY(image.save(QString::fromLocal8Bit(path)));
        const QRect area = plot.plotRect();
        const Halves h = halvesOf(area);
        const QRect topLeft = h.top.intersected(h.left), bottomRight = h.bottom.intersected(h.right);
        const QRect bottomLeft = h.bottom.intersected(h.left), topRight = h.top.intersected(h.right);
        QVERIFY(countColor(image, topLeft, FaithfulnessPlot::deletionColor()) > 20);
        QVERIFY(countColor(image, bottomRight, FaithfulnessPlot::deletionColor()) > 20);
        QCOMPARE(countColor(image, bottomLeft, FaithfulnessPlot::deletionColor()), 0);
        QVERIFY(countColor(image, bottomLeft, FaithfulnessPlot::insertionColor()) > 20);
        QVERIFY(countColor(image, topRight, FaithfulnessPlot::insertionColor()) > 20);
        QCOMPARE(countColor(image, topLeft, FaithfulnessPlot::insertionColor()), 0);
        // The legend (above the plot) carries a swatch of each color.
        const QRect legend(0, 0, image.width(), area.top());
        QVERIFY(countColor(image, legend, FaithfulnessPlot::deletionColor()) > 0);
        QVERIFY(countColor(image, legend, FaithfulnessPlot::insertionColor()) > 0);
        QVERIFY(plot.toolTip().contains("0.123") && plot.toolTip().contains("0.789"));
    }

    void clearedPlotDrawsNoCurves()
    {
        FaithfulnessPlot plot;
        plot.setCurves({line(0.9, 0.1), line(0.1, 0.9), 0.5, 0.5});
        plot.clear();
        QVERIFY(plot.curves().isNull());
        const QImage image = render(plot);
        QCOMPARE(countColor(image, image.rect(), FaithfulnessPlot::deletionColor()), 0);
        QCOMPARE(countColor(image, image.rect(), FaithfulnessPlot::insertionColor()), 0);
    }

    void outOfRangeValuesStayInsideThePlot()
    {
        FaithfulnessPlot plot;
        plot.setCurves({line(1.5, 1.5), line(-0.5, -0.5), 0, 0});
        const QImage image = render(plot);
        const QRect area = plot.plotRect();
        const QRect below(0, area.bottom() + 2, image.width(), image.height() - area.bottom() - 2);
        QCOMPARE(countColor(image, below, FaithfulnessPlot::insertionColor()), 0);
        const QRect legendGap(area.left(), area.top() - 3, area.width(), 2); // between legend and plot
        QCOMPARE(countColor(image, legendGap, FaithfulnessPlot::deletionColor()), 0);
    }
};

QTEST_MAIN(TestFaithfulnessPlot)
#include "tst_faithfulnessplot.moc"
