#pragma once
// One pane's picture: the photo with its heatmap blended on top. Fit to the
// window by default; wheel zooms around the cursor, dragging pans. The
// colored heatmap is cached, so opacity changes only repaint and colormap
// changes only recolor a small image; nothing here runs the model.
#include <QImage>
#include <QPixmap>
#include <QPointF>
#include <QWidget>

#include "core/imaging/overlay.h"
#include "ui/control/camtypes.h"

namespace gce::ui {

// Zoom and pan shared by all panes: scale = screen pixels per image pixel
// (0 = fit to window), center = the image point shown at the pane's centre.
struct CanvasView {
    double scale = 0.0;
    QPointF center;
    bool operator==(const CanvasView& o) const { return scale == o.scale && center == o.center; }
};

class ImageCanvas : public QWidget {
    Q_OBJECT
public:
    explicit ImageCanvas(QWidget* parent = nullptr);

    void setImage(const QImage& image); // keeps the view if the size is unchanged
    void setHeatmap(const CamMapData& map);
    // Where the network's input lies in the photo (CamResult::inputRect): the
    // map covers that rectangle and the rest, which the network never saw, is
    // dimmed. Empty = the whole photo.
    void setInputRect(const QRectF& rect);
    QRectF inputRect() const { return m_inputRect; }
    void clearHeatmap();
    void setColormap(Colormap colormap);
    void setOpacity(double alpha);       // 0..1, repaint only
    void setOverlayVisible(bool visible);

    void setView(const CanvasView& view); // from another pane: no viewChanged
    CanvasView view() const { return m_view; }
    void zoomBy(double factor);          // around the centre
    void fitToWindow();
    void actualSize();

    // "What is here?": the region drawn over the photo (photo pixels; width =
    // height = 0 is a point, noRegion() none). Shift+click marks a
    // point and Shift+drag a box (plain clicks and drags with the region
    // tool on); the pane announces it with regionChosen.
    void setRegion(const QRect& region);
    QRect region() const { return m_region; }
    void setRegionTool(bool on);
    bool regionTool() const { return m_regionTool; }

    bool hasImage() const { return !m_photo.isNull(); }
    // Whether the photo shown is `image` (the same decoded QImage: results of
    // one image share it), so that a pane is given a photo only when it changed.
    bool showsImage(const QImage& image) const { return hasImage() && m_imageKey == image.cacheKey(); }
    const CamMapData& heatmap() const { return m_map; } // the map as painted (shared scale applied)
    QSize imageSize() const { return m_imageSize; }
    double effectiveScale() const;      // screen pixels per image pixel now
    int heatRecolorCount() const { return m_recolorCount; } // for tests: opacity must not recolor

signals:
    void viewChanged(const gce::ui::CanvasView& view);
    void clicked();
    void regionChosen(const QRect& region); // photo pixels, clipped to the photo

protected:
    void paintEvent(QPaintEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void recolor();
    QRectF heatRect() const; // the map's rectangle in photo pixels
    QPointF imageToWidget(QPointF p) const;
    QPointF widgetToImage(QPointF p) const;
    void changeView(const CanvasView& view);
    QRect markedRegion(QPointF end) const; // the drag from m_markStart in whole photo pixels, or noRegion()
    void paintRegion(QPainter& painter) const;

    QPixmap m_photo;
    QSize m_imageSize;
    qint64 m_imageKey = 0; // QImage::cacheKey of the photo shown
    CamMapData m_map;
    QRectF m_inputRect; // empty: the whole photo
    QPixmap m_heat; // colored map at a capped resolution, stretched over the photo
    Colormap m_colormap = Colormap::Jet;
    double m_opacity = kDefaultOverlayAlpha;
    bool m_overlayVisible = true;
    CanvasView m_view;
    QPointF m_dragStart;
    CanvasView m_dragView;
    bool m_dragging = false;
    QRect m_region = noRegion();
    bool m_regionTool = false;
    bool m_marking = false;        // a region drag under way
    QPointF m_markStart;           // photo pixels
    int m_recolorCount = 0;
};

} // namespace gce::ui

Q_DECLARE_METATYPE(gce::ui::CanvasView)
