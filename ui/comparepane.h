#pragma once
// One compare pane: a caption (class, probability, rank) over an ImageCanvas.
// The pane remembers which class it shows: a fixed index, or "the rank-r
// prediction" (negative target), which follows each new image.
#include <QFrame>

#include "ui/camtypes.h"

class QComboBox;
class QLabel;
class QToolButton;

namespace gce::ui {

class ImageCanvas;

class ComparePane : public QFrame {
    Q_OBJECT
public:
    explicit ComparePane(int target, QWidget* parent = nullptr);

    ImageCanvas* canvas() const { return m_canvas; }
    int target() const { return m_target; }
    QString method() const;
    void setTarget(int target) { m_target = target; }
    void setFocused(bool focused);
    void setClosable(bool closable);
    // Shows the result's map and caption for this pane.
    void showResult(const PaneResult& result);
    const PaneResult& result() const { return m_result; }
    QString captionText() const;

signals:
    void focusRequested();
    void closeRequested();
    void methodChanged();

protected:
    void mousePressEvent(QMouseEvent* event) override;

private:
    ImageCanvas* m_canvas = nullptr;
    QLabel* m_caption = nullptr;
    QComboBox* m_method = nullptr;
    QToolButton* m_close = nullptr;
    PaneResult m_result;
    int m_target;
};

} // namespace gce::ui
