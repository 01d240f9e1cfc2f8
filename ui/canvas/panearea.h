#pragma once
// The room the compare panes share: places them in rows × columns as View ▸
// Layout says (ui/control/panelayout.h), Auto recomputed on every resize, pane added
// or removed, photo of another aspect ratio and scores panel shown or hidden.
// Each pane gets an equal cell; zoom and pan stay shared (the window syncs
// the canvases), the fitted photo follows its cell.
#include <QPointer>
#include <QVector>
#include <QWidget>

#include "ui/control/panelayout.h"

class QActionGroup;
class QMenu;

namespace gce::ui {

class ComparePane;

class PaneArea : public QWidget {
    Q_OBJECT
public:
    explicit PaneArea(QWidget* parent = nullptr);

    void addPane(ComparePane* pane);    // becomes a child, placed last
    void removePane(ComparePane* pane); // no longer placed (the caller deletes it)
    void setImageSize(QSize size);      // Auto rearranges for another aspect ratio
    // The remembered choice (Settings: view/paneLayout), or this run's (--layout: not remembered).
    void setLayoutChoice(PaneLayout layout, bool remember);
    PaneLayout layoutChoice() const { return m_layout; }
    PaneGrid grid() const { return m_grid; } // what is shown now (exports follow it)
    // What one pane spends around its picture: frame, margins, caption row, scores panel.
    QSize paneOverhead() const;
    // View ▸ Layout: Auto, Columns, Rows, Grid (radio items; the choice is remembered).
    QMenu* createLayoutMenu(QWidget* parent);
    // Places the panes now (also done on every change; public for after a pane's contents changed).
    void relayout();

    QSize minimumSizeHint() const override;
    QSize sizeHint() const override;

signals:
    void gridChanged(gce::ui::PaneGrid grid);

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void syncMenu();

    QVector<QPointer<ComparePane>> m_panes;
    PaneLayout m_layout = PaneLayout::Auto;
    PaneGrid m_grid{1, 1};
    QSize m_image;
    QActionGroup* m_menuGroup = nullptr;
};

} // namespace gce::ui

Q_DECLARE_METATYPE(gce::ui::PaneGrid)
