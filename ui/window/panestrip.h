#pragma once
// The compare panes over one photo: which panes there are, which one has the
// focus, what every new pane inherits (photo, zoom, opacity, colormap), how a
// result is painted on them (own or shared scale) and their faithfulness
// scores, which follow the pane (by key) rather than its position. The
// window decides what to ask the controller for; the strip keeps the panes
// consistent with each other and with the answers.
#include <QObject>
#include <QVector>

#include "core/imaging/overlay.h"
#include "ui/control/camengine.h"
#include "ui/control/sharedscale.h"

namespace gce::ui {

class ComparePane;
class ExplorerController;
class PaneArea;

class PaneStrip : public QObject {
    Q_OBJECT
public:
    // The panes live in `area`; scores go through `controller`.
    PaneStrip(PaneArea* area, ExplorerController* controller, QObject* parent = nullptr);

    const QVector<ComparePane*>& panes() const { return m_panes; }
    int count() const { return int(m_panes.size()); }
    bool isFull() const;
    int focused() const { return m_focused; }
    ComparePane* focusedPane() const { return m_panes.value(m_focused); }
    void setFocused(int index);
    ComparePane* paneForKey(int key) const; // nullptr: no such pane (any more)
    // The best prediction rank (1, 2, ...) that no pane shows or asks for.
    int firstUnusedRank() const;

    // A pane for `target` (a class index, or -rank), focused; nullptr when full.
    ComparePane* add(int target);
    void remove(int index); // the last pane stays

    // What every pane paints with; new panes take it too.
    void setOpacity(double alpha);
    void setColormap(Colormap colormap);
    void setOverlayVisible(bool visible);

    // "What is here?": the region drawn on every pane (noRegion(): none), and
    // whether plain clicks and drags mark it (View ▸ Region Tool).
    void setRegion(const QRect& region);
    QRect region() const { return m_region; }
    void setRegionTool(bool on);

    // Paints the result's panes (those it has: a pane added meanwhile keeps
    // waiting), on one raw scale when `shareWanted` and the methods allow it.
    // Returns the scales used, once per result.
    PaneScales show(const CamResult& result, bool shareWanted);
    // Recolors the maps shown for another scale choice: no model work.
    PaneScales rescale(bool shareWanted);
    // The results as painted (scaled): `all`, or the focused pane's.
    QVector<PaneResult> shownResults(bool all) const;

    // ---- faithfulness scores
    // Scores pane `index`'s map with `source` (image, model, layer, smoothing).
    void score(int index, const CamRequest& source);
    // Clears scores that no longer describe the map and stops them on the
    // worker; nullptr: every pane.
    void clearScores(ComparePane* only = nullptr);

signals:
    void focusChanged(int index);
    void countChanged();
    // A pane's method changed or a pane went: the maps must be asked for again.
    void mapsWanted();
    void scoringRequested(int index); // the pane's own button
    void regionChosen(const QRect& region); // marked on a pane (already drawn on all)
    void scoresShown(quint64 faithfulnessRequestId);
    void scoresFailed(const QString& message);

private:
    void syncScoresPanels(); // every pane reserves the panel while any has scores
    void relayout();

    PaneArea* m_area;
    ExplorerController* m_controller;
    QVector<ComparePane*> m_panes;
    int m_focused = 0;
    int m_nextKey = 0; // ComparePane::key of the next pane
    double m_opacity;
    Colormap m_colormap = Colormap::Jet;
    bool m_overlayVisible = true;
    QRect m_region = noRegion();
    bool m_regionTool = false;
};

} // namespace gce::ui
