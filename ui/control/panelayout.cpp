#include "ui/control/panelayout.h"

#include <algorithm>
#include <cmath>

namespace gce::ui {

namespace {
struct NamedLayout {
    PaneLayout layout;
    const char* name;
};
constexpr NamedLayout kNames[] = {
    {PaneLayout::Auto, "auto"},
    {PaneLayout::Columns, "columns"},
    {PaneLayout::Rows, "rows"},
    {PaneLayout::Grid, "grid"},
};
constexpr double kTie = 1e-6; // relative: areas this close are equal

// One cell's size in the area (the last cells may get a pixel more: same rule as the window's).
QSizeF cellSize(const PaneGrid& grid, const PaneArrangementInput& input)
{
    return {double(input.area.width() - (grid.cols - 1) * input.spacing) / grid.cols,
            double(input.area.height() - (grid.rows - 1) * input.spacing) / grid.rows};
}

bool fitsMinimum(const PaneGrid& grid, const PaneArrangementInput& input)
{
    if (input.minimumPane.isEmpty())
        return true;
    const QSizeF cell = cellSize(grid, input);
    return std::floor(cell.width()) >= input.minimumPane.width() &&
           std::floor(cell.height()) >= input.minimumPane.height();
}
} // namespace

QString paneLayoutName(PaneLayout layout)
{
    for (const auto& n : kNames)
        if (n.layout == layout)
            return QString::fromLatin1(n.name);
    return QStringLiteral("auto");
}

std::optional<PaneLayout> paneLayoutFromName(const QString& name)
{
    for (const auto& n : kNames)
        if (name.compare(QLatin1String(n.name), Qt::CaseInsensitive) == 0)
            return n.layout;
    return std::nullopt;
}

QStringList paneLayoutNames()
{
    QStringList names;
    for (const auto& n : kNames)
        names << QString::fromLatin1(n.name);
    return names;
}

QVector<PaneLayout> allPaneLayouts()
{
    QVector<PaneLayout> layouts;
    for (const auto& n : kNames)
        layouts << n.layout;
    return layouts;
}

PaneGrid fixedGrid(PaneLayout layout, int panes)
{
    const int n = std::max(1, panes);
    switch (layout) {
    case PaneLayout::Rows:
        return {n, 1};
    case PaneLayout::Grid: {
        const int cols = int(std::ceil(std::sqrt(double(n)) - 1e-9));
        return {(n + cols - 1) / cols, cols};
    }
    case PaneLayout::Auto:
    case PaneLayout::Columns:
        break;
    }
    return {1, n};
}

QVector<PaneGrid> candidateGrids(int panes)
{
    const int n = std::max(1, panes);
    QVector<PaneGrid> grids;
    for (int rows = 1; rows <= n; ++rows)
        for (int cols = 1; cols <= n; ++cols)
            // Room for all, no empty last row, and (filled row by row) no empty column.
            if (rows * cols >= n && (rows - 1) * cols < n)
                grids.push_back({rows, cols});
    return grids;
}

double fittedPhotoArea(const PaneGrid& grid, const PaneArrangementInput& input)
{
    if (!grid.isValid() || input.image.isEmpty())
        return 0.0;
    const QSizeF cell = cellSize(grid, input);
    const double w = cell.width() - input.overhead.width();
    const double h = cell.height() - input.overhead.height();
    if (w <= 0.0 || h <= 0.0)
        return 0.0;
    const double scale = std::min(w / input.image.width(), h / input.image.height());
    return scale * scale * double(input.image.width()) * input.image.height();
}

PaneGrid arrangePanes(PaneLayout layout, const PaneArrangementInput& input)
{
    const int n = std::max(1, input.panes);
    if (layout != PaneLayout::Auto)
        return fixedGrid(layout, n);
    if (input.image.isEmpty() || input.area.isEmpty())
        return fixedGrid(PaneLayout::Columns, n);
    const QVector<PaneGrid> all = candidateGrids(n);
    QVector<PaneGrid> fitting;
    for (const PaneGrid& grid : all)
        if (fitsMinimum(grid, input))
            fitting.push_back(grid);
    const QVector<PaneGrid>& candidates = fitting.isEmpty() ? all : fitting;

    PaneGrid best = candidates.front();
    double bestArea = fittedPhotoArea(best, input);
    for (const PaneGrid& grid : candidates) {
        const double area = fittedPhotoArea(grid, input);
        const double tolerance = kTie * std::max(area, bestArea);
        const int empty = grid.rows * grid.cols - n;
        const int bestEmpty = best.rows * best.cols - n;
        bool better = area > bestArea + tolerance;
        if (!better && std::abs(area - bestArea) <= tolerance)
            better = empty < bestEmpty || (empty == bestEmpty && grid.rows < best.rows);
        if (better) {
            best = grid;
            bestArea = area;
        }
    }
    return best;
}

PaneGrid arrangeForNominalScreen(PaneLayout layout, int panes, QSize paneContent)
{
    PaneArrangementInput input;
    input.area = QSize(1600, 1000);
    input.panes = panes;
    input.image = paneContent;
    return arrangePanes(layout, input);
}

} // namespace gce::ui
