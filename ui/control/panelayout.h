#pragma once
// How the compare panes are arranged: View ▸ Layout (Auto, Columns, Rows,
// Grid), in the window and in its exports. Auto picks, among every rows×cols
// arrangement that holds the panes without an empty row or column, the one
// that shows the photo largest, given the room, the photo's aspect ratio and
// what each pane spends around its picture (caption and method selector,
// margins, the scores panel). Pure arithmetic: no widgets here.
#include <QSize>
#include <QString>
#include <QStringList>
#include <QVector>

#include <optional>

namespace gce::ui {

enum class PaneLayout { Auto, Columns, Rows, Grid };

// "auto", "columns", "rows", "grid": settings, --layout and menus use these.
QString paneLayoutName(PaneLayout layout);
std::optional<PaneLayout> paneLayoutFromName(const QString& name); // case-insensitive
QStringList paneLayoutNames();
QVector<PaneLayout> allPaneLayouts();

struct PaneGrid {
    int rows = 0; // 0×0: one row of all the panes (exports made before arrangements existed)
    int cols = 0;
    bool isValid() const { return rows > 0 && cols > 0; }
    bool operator==(const PaneGrid& o) const { return rows == o.rows && cols == o.cols; }
    bool operator!=(const PaneGrid& o) const { return !(*this == o); }
};

struct PaneArrangementInput {
    QSize area;         // the room for all the panes
    int panes = 1;
    QSize image;        // the photo's size in pixels (its aspect ratio is what counts)
    QSize overhead;     // what one pane spends around its picture (width: frame and margins; height: also captions)
    int spacing = 0;    // between neighbouring panes
    QSize minimumPane;  // a pane is never smaller (empty: no minimum)
};

// Panes fill the grid row by row; pane `index`'s cell.
inline int paneRow(const PaneGrid& grid, int index) { return grid.cols > 0 ? index / grid.cols : 0; }
inline int paneColumn(const PaneGrid& grid, int index) { return grid.cols > 0 ? index % grid.cols : index; }

// The fixed arrangements: Columns 1×n, Rows n×1, Grid ceil(√n) columns (2 panes: 1×2, 3 or 4: 2×2).
PaneGrid fixedGrid(PaneLayout layout, int panes);

// Every rows×cols holding `panes` with no empty row or column (filled row by row).
QVector<PaneGrid> candidateGrids(int panes);

// The photo's area in pixels² when fitted into one pane of `grid` (0 when it has no room).
double fittedPhotoArea(const PaneGrid& grid, const PaneArrangementInput& input);

// The arrangement for `layout`. Auto: the candidate with the largest fitted
// photo, ties (within a part in a million) to fewer empty cells, then fewer
// rows (toward Columns); candidates whose panes would be smaller than
// `minimumPane` only when none fits. An image without size: Columns.
PaneGrid arrangePanes(PaneLayout layout, const PaneArrangementInput& input);

// Auto for an image without a window (gradcam-explorer --export): as if each
// pane, `paneContent` (photo and its caption band), were shown on a nominal
// 16:10 screen.
PaneGrid arrangeForNominalScreen(PaneLayout layout, int panes, QSize paneContent);

} // namespace gce::ui
