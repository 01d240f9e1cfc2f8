#include "ui/canvas/imagecanvas.h"

#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

#include "core/imaging/cropoverlay.h"
#include "ui/control/heatmapimage.h"

namespace gce::ui {

namespace {
// The map is a smooth upsampling of a ~7×7 grid: coloring it at more than
// this many pixels on its long side adds nothing visible and costs time on
// the UI thread (a 4000×3000 photo would take ~60 ms to recolor).
constexpr int kHeatLongSide = 1024;
constexpr double kMinScale = 0.01;
constexpr double kMaxScale = 64.0;
// Outside the model transform's crop: the photo darkened as much as
// core/imaging/cropoverlay.h darkens it in exports.
constexpr double kOutsideDim = kOutsideCropDim;
} // namespace

ImageCanvas::ImageCanvas(QWidget* parent) : QWidget(parent)
{
    setMinimumSize(160, 120);
    setFocusPolicy(Qt::ClickFocus);
    setAttribute(Qt::WA_OpaquePaintEvent);
}

void ImageCanvas::setImage(const QImage& image)
{
    const QSize previous = m_imageSize;
    m_photo = QPixmap::fromImage(image);
    m_imageSize = image.size();
    m_imageKey = image.cacheKey();
    if (previous != m_imageSize) {
        m_view = CanvasView{};
        m_inputRect = QRectF(); // the crop of another photo
    }
    update();
}

void ImageCanvas::setHeatmap(const CamMapData& map)
{
    m_map = map;
    recolor();
}

void ImageCanvas::setInputRect(const QRectF& rect)
{
    const QRectF whole(QPointF(0, 0), QSizeF(m_imageSize));
    const QRectF wanted = rect == whole ? QRectF() : rect;
    if (wanted == m_inputRect)
        return;
    m_inputRect = wanted;
    recolor();
}

QRectF ImageCanvas::heatRect() const
{
    return m_inputRect.isEmpty() ? QRectF(QPointF(0, 0), QSizeF(m_imageSize)) : m_inputRect;
}

void ImageCanvas::clearHeatmap()
{
    m_map = CamMapData{};
    m_heat = QPixmap();
    update();
}

void ImageCanvas::setColormap(Colormap colormap)
{
    if (colormap == m_colormap)
        return;
    m_colormap = colormap;
    recolor();
}

void ImageCanvas::setOpacity(double alpha)
{
    m_opacity = std::clamp(alpha, 0.0, 1.0);
    update();
}

void ImageCanvas::setOverlayVisible(bool visible)
{
    m_overlayVisible = visible;
    update();
}

void ImageCanvas::recolor()
{
    m_heat = QPixmap();
    if (!m_map.isNull() && !m_imageSize.isEmpty()) {
        QSize size = heatRect().size().toSize();
        if (std::max(size.width(), size.height()) > kHeatLongSide)
            size.scale(kHeatLongSide, kHeatLongSide, Qt::KeepAspectRatio);
        m_heat = QPixmap::fromImage(colorizedHeatmap(m_map, size.expandedTo(QSize(1, 1)), m_colormap));
        ++m_recolorCount;
    }
    update();
}

double ImageCanvas::effectiveScale() const
{
    if (m_view.scale > 0.0 || m_imageSize.isEmpty())
        return m_view.scale > 0.0 ? m_view.scale : 1.0;
    return std::min(double(width()) / m_imageSize.width(), double(height()) / m_imageSize.height());
}

QPointF ImageCanvas::imageToWidget(QPointF p) const
{
    const QPointF center = m_view.scale > 0.0 ? m_view.center
                                              : QPointF(m_imageSize.width() / 2.0, m_imageSize.height() / 2.0);
    return (p - center) * effectiveScale() + QPointF(width() / 2.0, height() / 2.0);
}

QPointF ImageCanvas::widgetToImage(QPointF p) const
{
    const QPointF center = m_view.scale > 0.0 ? m_view.center
                                              : QPointF(m_imageSize.width() / 2.0, m_imageSize.height() / 2.0);
    return (p - QPointF(width() / 2.0, height() / 2.0)) / effectiveScale() + center;
}

void ImageCanvas::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.fillRect(rect(), QColor(0x2b, 0x2b, 0x2b)); // neutral dark: does not tint the heatmap
    if (m_photo.isNull())
        return;
    const QRectF target(imageToWidget(QPointF(0, 0)), imageToWidget(QPointF(m_imageSize.width(), m_imageSize.height())));
    painter.setRenderHint(QPainter::SmoothPixmapTransform, effectiveScale() < 4.0);
    painter.drawPixmap(target, m_photo, QRectF(m_photo.rect()));
    const QRectF heatTarget(imageToWidget(heatRect().topLeft()), imageToWidget(heatRect().bottomRight()));
    if (m_overlayVisible && !m_inputRect.isEmpty()) {
        // What lies outside the crop, dimmed as in exports; with the overlay
        // hidden the photo shows as it is.
        QPainterPath outside;
        outside.addRect(target);
        QPainterPath inside;
        inside.addRect(heatTarget);
        painter.fillPath(outside.subtracted(inside), QColor(0, 0, 0, int(std::lround(255 * kOutsideDim))));
    }
    if (m_overlayVisible && !m_heat.isNull() && !m_map.empty) {
        // QPainter's opacity blend is (1-a)*photo + a*heat: the tutorial's addWeighted.
        painter.setRenderHint(QPainter::SmoothPixmapTransform, true);
        painter.setOpacity(m_opacity);
        painter.drawPixmap(heatTarget, m_heat, QRectF(m_heat.rect()));
    }
}

void ImageCanvas::changeView(const CanvasView& view)
{
    if (view == m_view)
        return;
    m_view = view;
    update();
    emit viewChanged(m_view);
}

void ImageCanvas::setView(const CanvasView& view)
{
    m_view = view;
    update();
}

void ImageCanvas::zoomBy(double factor)
{
    if (m_imageSize.isEmpty())
        return;
    const QPointF center = widgetToImage(QPointF(width() / 2.0, height() / 2.0));
    changeView({std::clamp(effectiveScale() * factor, kMinScale, kMaxScale), center});
}

void ImageCanvas::fitToWindow() { changeView(CanvasView{}); }

void ImageCanvas::actualSize()
{
    if (!m_imageSize.isEmpty())
        changeView({1.0, widgetToImage(QPointF(width() / 2.0, height() / 2.0))});
}

void ImageCanvas::wheelEvent(QWheelEvent* event)
{
    if (m_imageSize.isEmpty())
        return;
    // Zoom around the cursor: the image point under it stays under it.
    const QPointF cursor = event->position();
    const QPointF anchor = widgetToImage(cursor);
    const double factor = std::pow(1.0015, event->angleDelta().y());
    const double scale = std::clamp(effectiveScale() * factor, kMinScale, kMaxScale);
    const QPointF center = anchor - (cursor - QPointF(width() / 2.0, height() / 2.0)) / scale;
    changeView({scale, center});
    event->accept();
}

void ImageCanvas::mousePressEvent(QMouseEvent* event)
{
    emit clicked();
    if (event->button() == Qt::LeftButton && !m_imageSize.isEmpty()) {
        m_dragging = true;
        m_dragStart = event->position();
        m_dragView = {effectiveScale(), widgetToImage(QPointF(width() / 2.0, height() / 2.0))};
        setCursor(Qt::ClosedHandCursor);
    }
}

void ImageCanvas::mouseMoveEvent(QMouseEvent* event)
{
    if (!m_dragging)
        return;
    const QPointF delta = (event->position() - m_dragStart) / m_dragView.scale;
    changeView({m_dragView.scale, m_dragView.center - delta});
}

void ImageCanvas::mouseReleaseEvent(QMouseEvent*)
{
    m_dragging = false;
    unsetCursor();
}

void ImageCanvas::resizeEvent(QResizeEvent*) { update(); }

} // namespace gce::ui
