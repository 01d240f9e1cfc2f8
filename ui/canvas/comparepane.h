#pragma once
// One compare pane: a caption (class, probability, rank) over an ImageCanvas,
// and, on request, the faithfulness scores of its map below it. The pane
// remembers which class it shows: a fixed index, or "the rank-r prediction"
// (negative target), which follows each new image.
#include <QFrame>

#include "ui/control/camtypes.h"

class QComboBox;
class QLabel;
class QProgressBar;
class QToolButton;

namespace gce::ui {

class FaithfulnessPlot;
class ImageCanvas;

class ComparePane : public QFrame {
    Q_OBJECT
public:
    explicit ComparePane(int target, QWidget* parent = nullptr);

    ImageCanvas* canvas() const { return m_canvas; }
    int target() const { return m_target; }
    // The window's name for this pane in requests that outlive its position
    // (faithfulness scores): unique for the window's lifetime.
    int key() const { return m_key; }
    void setKey(int key) { m_key = key; }
    QString method() const;
    // Chooses the pane's method without announcing it (methodChanged is for
    // the user's choice); an unknown name leaves the method as it is.
    void setMethod(const QString& name);
    void setTarget(int target) { m_target = target; }
    // The pane's own model (an architecture name), or empty for the window's.
    QString model() const { return m_model; }
    // Sets it without announcing it (modelChanged is for the user's choice).
    void setModel(const QString& name) { m_model = name; }
    // The user's choice (the pane's Model menu): sets it and announces a change.
    void chooseModel(const QString& name);
    void setFocused(bool focused);
    void setClosable(bool closable);
    // Shows the result's map and caption for this pane. `displayScale`
    // multiplies the map for the shared scale (ui/control/sharedscale.h); 1 = its own max.
    void showResult(const PaneResult& result, double displayScale = 1.0);
    void setDisplayScale(double displayScale); // recolors only: no model work
    double displayScale() const { return m_displayScale; }
    const PaneResult& result() const { return m_result; }
    // The result with the map as painted (scaled): what exports show.
    PaneResult shownResult() const;
    QString captionText() const;      // the whole caption (also the tooltip)
    QString shownCaption() const;     // what the caption label shows: the longest form that fits

    // Faithfulness scores of the pane's map (the window runs them on the worker).
    void beginScoring();                      // remembers which map is scored
    void showScoringProgress(double fraction); // 0..1
    void showScores(const FaithfulnessResult& scores);
    void clearScores();
    // Whether the scores panel takes its room under the picture: the window
    // shows it in every pane while any pane has scores, so pictures align.
    void setScoresPanelShown(bool shown);
    bool scoresPanelShown() const;
    bool isScoring() const { return m_scoring; }
    bool hasScores() const { return m_hasScores; }
    const FaithfulnessResult& scores() const { return m_scores; }
    // Whether the scores (or the scoring under way) belong to `result`'s map
    // (same class, method and smoothing; the window checks image and layer).
    bool scoresMatch(const PaneResult& result) const;
    FaithfulnessPlot* faithfulnessPlot() const { return m_plot; }
    QString scoresText() const; // the numbers under the plot

signals:
    void focusRequested();
    void closeRequested();
    void methodChanged();
    void modelChanged(); // the user chose the pane's model (its context menu)
    void faithfulnessRequested();
    void scoresDismissed(); // the user closed the scores (or stopped them)

protected:
    void mousePressEvent(QMouseEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    QStringList captionVariants() const; // captionText() and shorter forms, longest first
    QStringList classCaptionVariants() const; // the same without the model's name
    void fitCaption();
    void createScoresPanel();
    void updateScoresPanel();
    void applyMap();

    ImageCanvas* m_canvas = nullptr;
    QLabel* m_caption = nullptr;
    QComboBox* m_method = nullptr;
    QToolButton* m_close = nullptr;
    PaneResult m_result;
    double m_displayScale = 1.0;
    int m_key = -1;
    int m_target;
    QString m_model;

    QWidget* m_scoresPanel = nullptr;
    QProgressBar* m_scoreProgress = nullptr;
    FaithfulnessPlot* m_plot = nullptr;
    QLabel* m_scoreText = nullptr;
    QToolButton* m_dismissScores = nullptr;
    bool m_scoring = false;
    bool m_hasScores = false;
    PaneResult m_scored; // the map the scores are for (class, method, smoothing)
    FaithfulnessResult m_scores;
};

} // namespace gce::ui
