#include "ui/canvas/panearea.h"

#include <QAction>
#include <QActionGroup>
#include <QLayout>
#include <QMenu>
#include <QResizeEvent>

#include <algorithm>

#include "ui/canvas/comparepane.h"
#include "ui/canvas/imagecanvas.h"
#include "ui/settings/settings.h"

namespace gce::ui {

namespace {
constexpr int kSpacing = 4; // px between panes, as before arrangements existed

// Start of cell `index` of `count` along `length` (cells differ by at most a pixel).
int cellStart(int index, int count, int length)
{
    const int room = std::max(0, length - (count - 1) * kSpacing);
    return int(qint64(room) * index / count) + index * kSpacing;
}
int cellLength(int index, int count, int length)
{
    return cellStart(index + 1, count, length) - kSpacing - cellStart(index, count, length);
}
} // namespace

PaneArea::PaneArea(QWidget* parent) : QWidget(parent)
{
    qRegisterMetaType<gce::ui::PaneGrid>();
    m_layout = paneLayoutFromName(Settings::value(Setting::PaneLayout).toString()).value_or(PaneLayout::Auto);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void PaneArea::addPane(ComparePane* pane)
{
    pane->setParent(this);
    m_panes.push_back(pane);
    pane->show();
    relayout();
}

void PaneArea::removePane(ComparePane* pane)
{
    m_panes.removeAll(pane);
    if (pane)
        pane->hide();
    relayout();
}

void PaneArea::setImageSize(QSize size)
{
    if (size == m_image)
        return;
    m_image = size;
    relayout();
}

void PaneArea::setLayoutChoice(PaneLayout layout, bool remember)
{
    m_layout = layout;
    if (remember)
        Settings::setValue(Setting::PaneLayout, paneLayoutName(layout));
    syncMenu();
    relayout();
}

QSize PaneArea::paneOverhead() const
{
    for (const QPointer<ComparePane>& pane : m_panes) {
        if (!pane || !pane->layout())
            continue;
        // The canvas takes the pane's full width inside the frame and margins,
        // and (the only stretching item) whatever height the rest leaves.
        const QMargins frame = pane->contentsMargins();
        const QMargins inner = pane->layout()->contentsMargins();
        const int width = frame.left() + frame.right() + inner.left() + inner.right();
        int canvasHint = 0;
        for (int i = 0; i < pane->layout()->count(); ++i)
            if (QLayoutItem* item = pane->layout()->itemAt(i); item->widget() == pane->canvas())
                canvasHint = item->sizeHint().height();
        return {width, pane->sizeHint().height() - canvasHint};
    }
    return {};
}

void PaneArea::relayout()
{
    m_panes.removeAll(nullptr);
    const int n = int(m_panes.size());
    if (n == 0)
        return;
    PaneArrangementInput input;
    input.area = size();
    input.panes = n;
    input.image = m_image;
    input.overhead = paneOverhead();
    input.spacing = kSpacing;
    input.minimumPane = m_panes.front()->minimumSizeHint();
    const PaneGrid grid = arrangePanes(m_layout, input);
    for (int i = 0; i < n; ++i) {
        const int row = paneRow(grid, i);
        const int col = paneColumn(grid, i);
        m_panes[i]->setGeometry(cellStart(col, grid.cols, width()), cellStart(row, grid.rows, height()),
                                cellLength(col, grid.cols, width()), cellLength(row, grid.rows, height()));
    }
    if (grid != m_grid) {
        m_grid = grid;
        updateGeometry(); // another minimum size
        emit gridChanged(m_grid);
    }
}

QSize PaneArea::minimumSizeHint() const
{
    QSize pane(160, 120);
    for (const QPointer<ComparePane>& p : m_panes)
        if (p)
            pane = pane.expandedTo(p->minimumSizeHint());
    return {m_grid.cols * pane.width() + (m_grid.cols - 1) * kSpacing,
            m_grid.rows * pane.height() + (m_grid.rows - 1) * kSpacing};
}

QSize PaneArea::sizeHint() const { return minimumSizeHint().expandedTo(QSize(640, 480)); }

void PaneArea::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    relayout();
}

QMenu* PaneArea::createLayoutMenu(QWidget* parent)
{
    auto* menu = new QMenu(tr("&Layout"), parent);
    menu->setToolTipsVisible(true);
    m_menuGroup = new QActionGroup(menu);
    m_menuGroup->setExclusive(true);
    const auto add = [&](PaneLayout layout, const QString& text, const QString& tip) {
        QAction* choice = menu->addAction(text);
        choice->setCheckable(true);
        choice->setData(paneLayoutName(layout));
        choice->setToolTip(tip);
        choice->setStatusTip(tip);
        m_menuGroup->addAction(choice);
        connect(choice, &QAction::triggered, this, [this, layout] { setLayoutChoice(layout, true); });
    };
    add(PaneLayout::Auto, tr("&Auto"),
        tr("The arrangement that shows the photo largest for the number of panes and its aspect ratio"));
    add(PaneLayout::Columns, tr("&Columns"), tr("The panes side by side"));
    add(PaneLayout::Rows, tr("&Rows"), tr("The panes one above the other"));
    add(PaneLayout::Grid, tr("&Grid"), tr("Two columns from 3 panes on (2 × 2)"));
    syncMenu();
    return menu;
}

void PaneArea::syncMenu()
{
    if (!m_menuGroup)
        return;
    for (QAction* choice : m_menuGroup->actions())
        choice->setChecked(choice->data().toString() == paneLayoutName(m_layout));
}

} // namespace gce::ui
