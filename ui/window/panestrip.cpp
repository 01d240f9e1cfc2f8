#include "ui/window/panestrip.h"

#include <algorithm>

#include "core/imaging/overlay.h"
#include "ui/canvas/comparepane.h"
#include "ui/canvas/imagecanvas.h"
#include "ui/canvas/panearea.h"
#include "ui/control/explorercontroller.h"
#include "ui/window/windowconstants.h"

namespace gce::ui {

PaneStrip::PaneStrip(PaneArea* area, ExplorerController* controller, QObject* parent)
    : QObject(parent), m_area(area), m_controller(controller), m_opacity(kDefaultOverlayAlpha)
{
    connect(m_controller, &ExplorerController::scoresReady, this, [this](int key, const FaithfulnessResult& result) {
        if (ComparePane* pane = paneForKey(key))
            pane->showScores(result);
        syncScoresPanels();
        emit scoresShown(result.requestId);
    });
    connect(m_controller, &ExplorerController::scoresFailed, this, [this](int key, const QString& message) {
        if (ComparePane* pane = paneForKey(key))
            pane->clearScores();
        syncScoresPanels();
        emit scoresFailed(message);
    });
    connect(m_controller, &ExplorerController::scoresProgress, this, [this](int key, double fraction) {
        if (ComparePane* pane = paneForKey(key))
            pane->showScoringProgress(fraction);
    });
}

bool PaneStrip::isFull() const { return m_panes.size() >= kMaxPanes; }

ComparePane* PaneStrip::add(int target)
{
    if (isFull())
        return nullptr;
    auto* pane = new ComparePane(target, m_area);
    pane->setKey(m_nextKey++);
    m_area->addPane(pane);
    m_panes.push_back(pane);
    ImageCanvas* canvas = pane->canvas();
    canvas->setOpacity(m_opacity);
    canvas->setColormap(m_colormap);
    canvas->setOverlayVisible(m_overlayVisible);
    canvas->setRegion(m_region);
    canvas->setRegionTool(m_regionTool);
    if (const QImage& photo = m_controller->lastResult().image; !photo.isNull()) {
        canvas->setImage(photo);
        canvas->setView(m_panes.front()->canvas()->view());
    }
    // Zoom and pan are shared: every pane shows the same part of the photo.
    connect(canvas, &ImageCanvas::viewChanged, this, [this, canvas](const CanvasView& view) {
        for (ComparePane* other : m_panes)
            if (other->canvas() != canvas)
                other->canvas()->setView(view);
    });
    // A region marked on one pane is the same photo pixels on every pane.
    connect(canvas, &ImageCanvas::regionChosen, this, [this](const QRect& region) {
        setRegion(region);
        emit regionChosen(region);
    });
    connect(pane, &ComparePane::focusRequested, this, [this, pane] { setFocused(m_panes.indexOf(pane)); });
    connect(pane, &ComparePane::closeRequested, this, [this, pane] { remove(m_panes.indexOf(pane)); });
    connect(pane, &ComparePane::methodChanged, this, [this, pane] {
        clearScores(pane);
        emit mapsWanted();
    });
    // The other panes keep their sessions: only this pane's model runs a forward pass.
    connect(pane, &ComparePane::modelChanged, this, [this, pane] {
        clearScores(pane);
        emit mapsWanted();
    });
    connect(pane, &ComparePane::faithfulnessRequested, this,
            [this, pane] { emit scoringRequested(m_panes.indexOf(pane)); });
    connect(pane, &ComparePane::scoresDismissed, this, [this, pane] { clearScores(pane); });
    setFocused(m_panes.size() - 1);
    relayout();
    syncScoresPanels(); // a new pane keeps the pictures aligned
    emit countChanged();
    return pane;
}

void PaneStrip::remove(int index)
{
    if (m_panes.size() <= 1 || index < 0 || index >= m_panes.size())
        return;
    clearScores(m_panes[index]);
    ComparePane* pane = m_panes.takeAt(index);
    m_area->removePane(pane);
    pane->deleteLater();
    syncScoresPanels();
    setFocused(std::min(index, count() - 1));
    relayout();
    emit countChanged();
    // An answer in flight lists the old panes by position: ask again for
    // these (same image and layer, so backward passes only).
    emit mapsWanted();
}

void PaneStrip::setRegion(const QRect& region)
{
    m_region = region;
    for (ComparePane* pane : m_panes)
        pane->canvas()->setRegion(region);
}

void PaneStrip::setRegionTool(bool on)
{
    m_regionTool = on;
    for (ComparePane* pane : m_panes)
        pane->canvas()->setRegionTool(on);
}

void PaneStrip::relayout()
{
    for (ComparePane* pane : m_panes)
        pane->setClosable(m_panes.size() > 1);
    m_area->relayout(); // a pane's close button or scores panel changes what it spends around the photo
}

void PaneStrip::setFocused(int index)
{
    if (index < 0 || index >= m_panes.size())
        return;
    m_focused = index;
    for (int i = 0; i < m_panes.size(); ++i)
        m_panes[i]->setFocused(m_panes.size() > 1 && i == index);
    emit focusChanged(index);
}

ComparePane* PaneStrip::paneForKey(int key) const
{
    for (ComparePane* pane : m_panes)
        if (pane->key() == key)
            return pane;
    return nullptr;
}

int PaneStrip::firstUnusedRank() const
{
    int rank = 1;
    for (bool used = true; used && rank <= kMaxPanes + 1;) {
        used = false;
        for (ComparePane* pane : m_panes)
            used |= pane->target() == -rank || pane->result().rank == rank;
        if (used)
            ++rank;
    }
    return rank;
}

void PaneStrip::setOpacity(double alpha)
{
    m_opacity = alpha;
    for (ComparePane* pane : m_panes)
        pane->canvas()->setOpacity(alpha);
}

void PaneStrip::setColormap(Colormap colormap)
{
    m_colormap = colormap;
    for (ComparePane* pane : m_panes)
        pane->canvas()->setColormap(colormap);
}

void PaneStrip::setOverlayVisible(bool visible)
{
    m_overlayVisible = visible;
    for (ComparePane* pane : m_panes)
        pane->canvas()->setOverlayVisible(visible);
}

PaneScales PaneStrip::show(const CamResult& result, bool shareWanted)
{
    const int shown = std::min<int>(m_panes.size(), result.panes.size());
    const PaneScales scales = paneScales(result.panes.mid(0, shown), shareWanted);
    for (int i = 0; i < shown; ++i) {
        ComparePane* pane = m_panes[i];
        ImageCanvas* canvas = pane->canvas();
        // Per canvas: a partial result or a pane added meanwhile may have put another photo there.
        if (!canvas->showsImage(result.image))
            canvas->setImage(result.image);
        canvas->setInputRect(result.inputRect);
        // Scores of another map (a change no invalidation caught) must not stay up.
        if ((pane->isScoring() || pane->hasScores()) && !pane->scoresMatch(result.panes[i]))
            clearScores(pane);
        pane->showResult(result.panes[i], scales.factors[i]);
    }
    m_area->setImageSize(result.image.size()); // Auto arranges for the photo's aspect ratio
    return scales;
}

PaneScales PaneStrip::rescale(bool shareWanted)
{
    QVector<PaneResult> shown;
    for (ComparePane* pane : m_panes)
        if (!pane->result().map.isNull())
            shown << pane->result();
    const PaneScales scales = paneScales(shown, shareWanted);
    for (int i = 0, k = 0; i < m_panes.size(); ++i)
        if (!m_panes[i]->result().map.isNull())
            m_panes[i]->setDisplayScale(scales.factors[k++]);
    return scales;
}

QVector<PaneResult> PaneStrip::shownResults(bool all) const
{
    QVector<PaneResult> results;
    for (int i = 0; i < m_panes.size(); ++i)
        if (all || i == m_focused)
            results.push_back(m_panes[i]->shownResult()); // as painted: on the shared scale when it is on
    return results;
}

// ---- faithfulness scores ------------------------------------------------

void PaneStrip::score(int index, const CamRequest& source)
{
    ComparePane* pane = m_panes.value(index);
    if (!pane || m_controller->lastResult().image.isNull())
        return;
    // A request in flight will replace this pane's map: score that one.
    if (m_controller->awaitingMaps()) {
        m_controller->scoreWhenShown(pane->key());
        return;
    }
    if (pane->result().classIndex < 0 || pane->result().map.isNull())
        return;
    // Newest wins: the worker drops the scores it was computing for another pane.
    if (ComparePane* scoring = paneForKey(m_controller->scoringPane()); scoring && scoring != pane)
        scoring->clearScores();
    FaithfulnessRequest request;
    request.source = source;
    request.mapRequest = pane->result().requestId; // the engine keeps the map it made
    request.pane = pane->result().index;
    pane->beginScoring();
    m_controller->requestScores(pane->key(), request);
    syncScoresPanels();
}

void PaneStrip::clearScores(ComparePane* only)
{
    for (ComparePane* pane : m_panes)
        if (!only || pane == only)
            pane->clearScores();
    m_controller->cancelScores(only ? only->key() : -1);
    syncScoresPanels();
}

void PaneStrip::syncScoresPanels()
{
    bool any = false;
    for (ComparePane* pane : m_panes)
        any |= pane->isScoring() || pane->hasScores();
    for (ComparePane* pane : m_panes)
        pane->setScoresPanelShown(any);
}

} // namespace gce::ui
