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
    paintRegion(painter);
}

void ImageCanvas::paintRegion(QPainter& painter) const
{
    if (!isRegion(m_region))
        return;
    painter.setOpacity(1.0);
    painter.setRenderHint(QPainter::Antialiasing, true);
    // Dark under light dashes: visible on any photo and any colormap.
    QPen under(QColor(0, 0, 0, 200), 3.0);
    QPen over(QColor(255, 255, 255), 1.5, Qt::DashLine);
    if (m_region.width() == 0 && m_region.height() == 0) {
        // A point: a crosshair on the pixel's centre.
        const QPointF c = imageToWidget(QPointF(m_region.x() + 0.5, m_region.y() + 0.5));
        for (const QPen& pen : {under, QPen(QColor(255, 255, 255), 1.5)}) {
            painter.setPen(pen);
            painter.drawLine(c - QPointF(9, 0), c + QPointF(9, 0));
            painter.drawLine(c - QPointF(0, 9), c + QPointF(0, 9));
        }
        return;
    }
    const QRectF box(imageToWidget(QPointF(m_region.left(), m_region.top())),
                     imageToWidget(QPointF(m_region.left() + m_region.width(), m_region.top() + m_region.height())));
    painter.setBrush(Qt::NoBrush);
    painter.setPen(under);
    painter.drawRect(box);
    painter.setPen(over);
    painter.drawRect(box);
}

void ImageCanvas::setRegion(const QRect& region)
{
    if (region == m_region)
        return;
    m_region = region;
    update();
}

void ImageCanvas::setRegionTool(bool on)
{
    m_regionTool = on;
    if (on)
        setCursor(Qt::CrossCursor);
    else
        unsetCursor();
}

QRect ImageCanvas::markedRegion(QPointF end) const
{
    // Whole pixels covered by the drag, clipped to the photo; a drag of a
    // few screen pixels is a click: the point under it.
    const QPointF a = m_markStart;
    const QPointF b = widgetToImage(end);
    const QRect photo(QPoint(0, 0), m_imageSize);
    if (QLineF(imageToWidget(a), end).length() < 4.0) {
        const QPoint p(int(std::floor(a.x())), int(std::floor(a.y())));
        return photo.contains(p) ? QRect(p.x(), p.y(), 0, 0) : noRegion();
    }
    const int left = int(std::floor(std::min(a.x(), b.x())));
    const int top = int(std::floor(std::min(a.y(), b.y())));
    const int right = int(std::ceil(std::max(a.x(), b.x())));
    const int bottom = int(std::ceil(std::max(a.y(), b.y())));
    const QRect box = QRect(QPoint(left, top), QPoint(right - 1, bottom - 1)).intersected(photo);
    return box.isEmpty() ? noRegion() : box;
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
    const bool marking = m_regionTool || event->modifiers().testFlag(Qt::ShiftModifier);
    if (event->button() == Qt::LeftButton && !m_imageSize.isEmpty() && marking) {
        m_marking = true;
        m_markStart = widgetToImage(event->position());
        return;
    }
    if (event->button() == Qt::LeftButton && !m_imageSize.isEmpty()) {
        m_dragging = true;
        m_dragStart = event->position();
        m_dragView = {effectiveScale(), widgetToImage(QPointF(width() / 2.0, height() / 2.0))};
        setCursor(Qt::ClosedHandCursor);
    }
}

void ImageCanvas::mouseMoveEvent(QMouseEvent* event)
{
    if (m_marking) {
        // The box follows the drag here; every pane gets it on release.
        const QRect box = markedRegion(event->position());
        if (isRegion(box))
            setRegion(box);
        return;
    }
    if (!m_dragging)
        return;
    const QPointF delta = (event->position() - m_dragStart) / m_dragView.scale;
    changeView({m_dragView.scale, m_dragView.center - delta});
}

void ImageCanvas::mouseReleaseEvent(QMouseEvent* event)
{
    if (m_marking) {
        m_marking = false;
        const QRect region = markedRegion(event->position());
        if (isRegion(region)) {
            setRegion(region);
            emit regionChosen(region);
        }
        return;
    }
    m_dragging = false;
    if (m_regionTool)
        setCursor(Qt::CrossCursor);
    else
        unsetCursor();
}

void ImageCanvas::resizeEvent(QResizeEvent*) { update(); }

} // namespace gce::ui
