#pragma once
// A small plot of a map's deletion and insertion curves (core/cam/faithfulness.h):
// class probability (y, 0..1) against the fraction of pixels removed or
// inserted (x, 0..1), with both areas under the curves in the legend. Plain
// values in, no LibTorch: the worker sends the curves, this only paints them.
#include <QColor>
#include <QRect>
#include <QString>
#include <QVector>
#include <QWidget>

namespace gce::ui {

struct FaithfulnessCurves {
    QVector<double> deletion;  // probabilities at x = k/(n−1)
    QVector<double> insertion;
    double deletionAuc = 0.0;  // lower is better
    double insertionAuc = 0.0; // higher is better
    bool isNull() const { return deletion.isEmpty() && insertion.isEmpty(); }
};

class FaithfulnessPlot : public QWidget {
    Q_OBJECT
public:
    explicit FaithfulnessPlot(QWidget* parent = nullptr);

    void setCurves(const FaithfulnessCurves& curves);
    void clear(); // back to the "no scores" placeholder
    const FaithfulnessCurves& curves() const { return m_curves; }

    QSize sizeHint() const override { return {220, 140}; }
    QSize minimumSizeHint() const override { return {160, 100}; }

    static QColor deletionColor();
    static QColor insertionColor();
    // Where the axes' unit square is drawn, in widget coordinates (y = 1 at the top).
    QRect plotRect() const;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    FaithfulnessCurves m_curves;
};

} // namespace gce::ui
