#include "ui/panels/faithfulnessplot.h"

#include <QFontMetrics>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <utility>

namespace gce::ui {

namespace {

constexpr int kMargin = 4;
constexpr int kFontPixels = 10;
constexpr int kSwatchWidth = 12;

QFont plotFont()
{
    // A named family keeps the plot identical across fontconfig defaults, as
    // the exports do; the style hint covers machines without DejaVu.
    QFont font(QStringLiteral("DejaVu Sans"));
    font.setStyleHint(QFont::SansSerif, QFont::PreferAntialias);
    font.setPixelSize(kFontPixels);
    return font;
}

QString legendEntry(const QString& name, double auc) { return QStringLiteral("%1 %2").arg(name).arg(auc, 0, 'f', 3); }

QPainterPath curvePath(const QVector<double>& curve, const QRectF& area)
{
    QPainterPath path;
    const int n = curve.size();
    for (int k = 0; k < n; ++k) {
        const double x = n == 1 ? 0.0 : static_cast<double>(k) / (n - 1);
        const double y = std::clamp(curve[k], 0.0, 1.0);
        const QPointF point(area.left() + x * area.width(), area.bottom() - y * area.height());
        if (k == 0)
            path.moveTo(point);
        else
            path.lineTo(point);
    }
    return path;
}

} // namespace

FaithfulnessPlot::FaithfulnessPlot(QWidget* parent) : QWidget(parent)
{
    setFont(plotFont());
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    clear();
}

// Colors that stay apart for the common color-vision deficiencies
// (matplotlib's tab:red and tab:blue) and against light and dark themes.
QColor FaithfulnessPlot::deletionColor() { return QColor(0xd6, 0x27, 0x28); }
QColor FaithfulnessPlot::insertionColor() { return QColor(0x1f, 0x77, 0xb4); }

void FaithfulnessPlot::setCurves(const FaithfulnessCurves& curves)
{
    m_curves = curves;
    setToolTip(tr("Class probability as the most salient pixels are removed (deletion, AUC %1: lower is better) "
                  "or put back into a blurred copy (insertion, AUC %2: higher is better)")
                   .arg(curves.deletionAuc, 0, 'f', 3)
                   .arg(curves.insertionAuc, 0, 'f', 3));
    update();
}

void FaithfulnessPlot::clear()
{
    m_curves = {};
    setToolTip(tr("Faithfulness scores: deletion and insertion curves of the map"));
    update();
}

QRect FaithfulnessPlot::plotRect() const
{
    const QFontMetrics metrics(font());
    const int legendHeight = metrics.height() + kMargin;
    const int left = kMargin + metrics.horizontalAdvance(QStringLiteral("0.5")) + kMargin;
    const int bottom = kMargin + metrics.height();
    return QRect(QPoint(left, kMargin + legendHeight), QPoint(width() - 1 - 2 * kMargin, height() - 1 - bottom));
}

void FaithfulnessPlot::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing, true);
    painter.setRenderHint(QPainter::TextAntialiasing, true);
    painter.fillRect(rect(), palette().base());

    const QFontMetrics metrics(font());
    const QRect area = plotRect();
    const QColor axisColor = palette().color(QPalette::Mid);
    const QColor textColor = palette().color(QPalette::Text);

    // Grid at 0.5, frame, tick labels.
    painter.setPen(QPen(axisColor, 1, Qt::DotLine));
    const qreal midY = area.top() + area.height() / 2.0;
    const qreal midX = area.left() + area.width() / 2.0;
    painter.drawLine(QPointF(area.left(), midY), QPointF(area.right(), midY));
    painter.drawLine(QPointF(midX, area.top()), QPointF(midX, area.bottom()));
    painter.setPen(QPen(axisColor, 1));
    painter.drawRect(area);
    painter.setPen(textColor);
    const int labelRight = area.left() - kMargin;
    for (const auto& [text, y] : {std::pair{QStringLiteral("1"), qreal(area.top())},
                                  std::pair{QStringLiteral("0.5"), midY},
                                  std::pair{QStringLiteral("0"), qreal(area.bottom())}}) {
        const QRectF box(0, y - metrics.height() / 2.0, labelRight, metrics.height());
        painter.drawText(box, Qt::AlignRight | Qt::AlignVCenter, text);
    }
    const QRect xLabels(area.left(), area.bottom() + 1, area.width(), metrics.height());
    painter.drawText(xLabels, Qt::AlignLeft | Qt::AlignTop, QStringLiteral("0"));
    painter.drawText(xLabels, Qt::AlignRight | Qt::AlignTop, QStringLiteral("1"));
    painter.drawText(xLabels, Qt::AlignHCenter | Qt::AlignTop, tr("pixels changed"));

    if (m_curves.isNull()) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(area, Qt::AlignCenter, tr("no scores yet"));
        return;
    }

    // Curves, clipped to the unit square so that a stray value cannot draw
    // over the labels.
    painter.save();
    painter.setClipRect(area.adjusted(-1, -1, 1, 1));
    painter.setBrush(Qt::NoBrush);
    const QRectF unit(area);
    painter.setPen(QPen(deletionColor(), 2, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
    painter.drawPath(curvePath(m_curves.deletion, unit));
    painter.setPen(QPen(insertionColor(), 2, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
    painter.drawPath(curvePath(m_curves.insertion, unit));
    painter.restore();

    // Legend above the plot: a line swatch and "name AUC" per curve.
    int x = kMargin;
    const int baseline = kMargin + metrics.ascent();
    const int swatchY = kMargin + metrics.height() / 2;
    const std::pair<QColor, QString> entries[] = {
        {deletionColor(), legendEntry(tr("deletion"), m_curves.deletionAuc)},
        {insertionColor(), legendEntry(tr("insertion"), m_curves.insertionAuc)}};
    for (const auto& [color, text] : entries) {
        painter.setPen(QPen(color, 2));
        painter.drawLine(x, swatchY, x + kSwatchWidth, swatchY);
        x += kSwatchWidth + 3;
        painter.setPen(textColor);
        painter.drawText(x, baseline, text);
        x += metrics.horizontalAdvance(text) + 2 * kMargin;
    }
}

} // namespace gce::ui
