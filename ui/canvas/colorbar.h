#pragma once
// The heatmaps' scale beside the panes: the colormap as a vertical bar from 0
// (bottom) to the maximum (top). On the shared scale (ui/control/sharedscale.h) the
// top is the largest raw map value among the panes, the same for all; else
// each pane is divided by its own maximum and the top reads "own max".
// Drawn from core's colormapBar, as the export's legend is.
#include <QImage>
#include <QWidget>

#include "core/imaging/overlay.h"

namespace gce::ui {

class ColorBar : public QWidget {
    Q_OBJECT
public:
    explicit ColorBar(QWidget* parent = nullptr);

    void setColormap(Colormap colormap);
    // sharedMax > 0: one raw scale 0..sharedMax; 0: each pane its own max.
    // `note` says why a wanted shared scale does not apply (tooltip).
    void setScale(double sharedMax, const QString& note = {});
    double sharedMax() const { return m_sharedMax; }
    QString maxText() const; // the label at the top of the bar

    // A raw maximum as labels show it (3 significant digits).
    static QString rawValueText(double value);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QRect barRect() const;

    Colormap m_colormap = Colormap::Jet;
    double m_sharedMax = 0.0;
    QImage m_ramp; // the colormap, low to high, cached per colormap and length
};

} // namespace gce::ui
