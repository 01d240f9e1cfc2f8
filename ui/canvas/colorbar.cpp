#include "ui/canvas/colorbar.h"

#include <QPainter>

#include <algorithm>

#include "ui/control/heatmapimage.h"

namespace gce::ui {

namespace {
constexpr int kBarWidth = 14;
constexpr int kMargin = 4;
} // namespace

ColorBar::ColorBar(QWidget* parent) : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Expanding);
    setScale(0.0);
}

void ColorBar::setColormap(Colormap colormap)
{
    if (colormap == m_colormap && !m_ramp.isNull())
        return;
    m_colormap = colormap;
    m_ramp = QImage();
    update();
}

void ColorBar::setScale(double sharedMax, const QString& note)
{
    m_sharedMax = sharedMax > 0.0 ? sharedMax : 0.0;
    QString tip = m_sharedMax > 0.0
                      ? tr("Shared scale: every pane's raw map from 0 to %1, the largest raw value among the panes "
                           "(ReLU of the weighted activations, before any division by a maximum). A class with "
                           "weaker evidence looks weaker.")
                            .arg(rawValueText(m_sharedMax))
                      : tr("Each pane's map is divided by its own maximum: equal colors in two panes are not equal "
                           "evidence. View ▸ Shared Scale Across Panes compares them on one raw scale.");
    if (!note.isEmpty())
        tip += QStringLiteral("\n") + tr("Shared scale not applied: %1.").arg(note);
    setToolTip(tip);
    updateGeometry();
    update();
}

QString ColorBar::rawValueText(double value) { return QString::number(value, 'g', 3); }

QString ColorBar::maxText() const { return m_sharedMax > 0.0 ? rawValueText(m_sharedMax) : tr("own max"); }

QSize ColorBar::sizeHint() const
{
    const QFontMetrics metrics(font());
    const int text = std::max(metrics.horizontalAdvance(maxText()), metrics.horizontalAdvance(tr("own max")));
    return {std::max(kBarWidth, text) + 2 * kMargin, 200};
}

QSize ColorBar::minimumSizeHint() const { return {sizeHint().width(), 3 * fontMetrics().height() + 20}; }

QRect ColorBar::barRect() const
{
    const int line = fontMetrics().height();
    const int top = kMargin + line + kMargin;
    const int bottom = height() - kMargin - line - kMargin;
    return QRect((width() - kBarWidth) / 2, top, kBarWidth, std::max(1, bottom - top));
}

void ColorBar::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    const QRect bar = barRect();
    if (m_ramp.height() != bar.height()) {
        // colormapBar runs left (0) to right (1); the bar runs bottom to top.
        const QImage row = toQImage(colormapBar(m_colormap, bar.height(), 1));
        m_ramp = QImage(1, bar.height(), QImage::Format_RGB888);
        for (int y = 0; y < bar.height(); ++y)
            m_ramp.setPixel(0, y, row.pixel(bar.height() - 1 - y, 0));
    }
    painter.drawImage(bar, m_ramp);
    painter.setPen(palette().color(QPalette::Mid));
    painter.drawRect(bar.adjusted(0, 0, -1, -1));
    painter.setPen(palette().color(QPalette::WindowText));
    const int line = fontMetrics().height();
    painter.drawText(QRect(0, kMargin, width(), line), Qt::AlignHCenter | Qt::AlignVCenter, maxText());
    painter.drawText(QRect(0, bar.bottom() + 1 + kMargin, width(), line), Qt::AlignHCenter | Qt::AlignVCenter,
                     QStringLiteral("0"));
}

} // namespace gce::ui
