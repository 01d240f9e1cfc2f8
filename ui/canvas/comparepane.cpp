#include "ui/canvas/comparepane.h"

#include <QComboBox>
#include <QContextMenuEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QProgressBar>
#include <QSignalBlocker>
#include <QToolButton>
#include <QVBoxLayout>

#include "ui/control/camengine.h"
#include "ui/canvas/captionfit.h"
#include "ui/panels/faithfulnessplot.h"
#include "ui/canvas/imagecanvas.h"
#include "ui/control/sharedscale.h"

namespace gce::ui {

ComparePane::ComparePane(int target, QWidget* parent) : QFrame(parent), m_target(target)
{
    setFrameShape(QFrame::StyledPanel);
    setLineWidth(2);
    m_canvas = new ImageCanvas(this);
    m_caption = new QLabel(tr("No image"), this);
    m_caption->setTextFormat(Qt::RichText);
    m_caption->setMinimumWidth(80);
    m_caption->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_caption->installEventFilter(this); // refits the caption when the pane's width changes
    // Panes can differ by method as well as by class: compare Grad-CAM with
    // Grad-CAM++ or LayerCAM on the same class side by side.
    m_method = new QComboBox(this);
    for (const QString& name : CamEngine::methodNames()) {
        m_method->addItem(name, name);
        m_method->setItemData(m_method->count() - 1, CamEngine::methodDescription(name), Qt::ToolTipRole);
    }
    m_method->setToolTip(tr("CAM method for this pane"));
    // As wide as "gradcam++" (longer names elide; the list shows them whole),
    // so that with 4 panes the caption keeps room for the class.
    m_method->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_method->setMinimumContentsLength(9);
    connect(m_method, &QComboBox::currentIndexChanged, this, &ComparePane::methodChanged);
    m_close = new QToolButton(this);
    m_close->setText(QStringLiteral("✕"));
    m_close->setToolTip(tr("Close this pane"));
    m_close->setAutoRaise(true);

    auto* header = new QHBoxLayout;
    header->setContentsMargins(6, 2, 2, 2);
    header->addWidget(m_caption, 1);
    header->addWidget(m_method);
    header->addWidget(m_close);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->setSpacing(2);
    layout->addLayout(header);
    layout->addWidget(m_canvas, 1);
    createScoresPanel();
    layout->addWidget(m_scoresPanel);

    connect(m_close, &QToolButton::clicked, this, &ComparePane::closeRequested);
    connect(m_canvas, &ImageCanvas::clicked, this, &ComparePane::focusRequested);
}

// Under the picture, hidden until the user asks for scores: a title with the
// progress while the worker computes, then the curves and the numbers.
void ComparePane::createScoresPanel()
{
    m_scoresPanel = new QWidget(this);
    auto* title = new QLabel(tr("<b>Faithfulness</b>"), m_scoresPanel);
    title->setToolTip(tr("How well the map points at what the network uses: the class probability as the most "
                         "salient pixels are removed (deletion) or put back into a blurred copy (insertion)"));
    m_scoreProgress = new QProgressBar(m_scoresPanel);
    m_scoreProgress->setObjectName(QStringLiteral("faithfulnessProgress"));
    m_scoreProgress->setRange(0, 100);
    m_scoreProgress->setMaximumHeight(title->sizeHint().height());
    m_dismissScores = new QToolButton(m_scoresPanel);
    m_dismissScores->setText(QStringLiteral("✕"));
    m_dismissScores->setToolTip(tr("Stop or hide the faithfulness scores"));
    m_dismissScores->setAutoRaise(true);
    // Hidden in panes without scores, but its room kept: the rows stay level.
    QSizePolicy keep = m_dismissScores->sizePolicy();
    keep.setRetainSizeWhenHidden(true);
    m_dismissScores->setSizePolicy(keep);
    connect(m_dismissScores, &QToolButton::clicked, this, [this] {
        clearScores();
        emit scoresDismissed();
    });
    m_plot = new FaithfulnessPlot(m_scoresPanel);
    m_scoreText = new QLabel(m_scoresPanel);
    m_scoreText->setWordWrap(true);
    m_scoreText->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_scoreText->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    // A fixed height keeps the panel, and so the picture above it, the same
    // size in every pane whatever the text says.
    m_scoreText->setFixedHeight(2 * m_scoreText->fontMetrics().lineSpacing() + 2);

    auto* top = new QHBoxLayout;
    top->setContentsMargins(0, 0, 0, 0);
    top->addWidget(title);
    top->addWidget(m_scoreProgress, 1);
    top->addStretch();
    top->addWidget(m_dismissScores);
    auto* layout = new QVBoxLayout(m_scoresPanel);
    layout->setContentsMargins(6, 2, 2, 2);
    layout->setSpacing(2);
    layout->addLayout(top);
    layout->addWidget(m_plot);
    layout->addWidget(m_scoreText);
    m_scoresPanel->hide();
    updateScoresPanel();
}

// The panel's contents for the state: scoring, scored, or none (a hint, shown
// while another pane has scores so that the pictures stay aligned).
void ComparePane::updateScoresPanel()
{
    m_scoreProgress->setVisible(m_scoring);
    m_dismissScores->setVisible(m_scoring || m_hasScores);
    if (m_scoring)
        m_scoreText->setText(tr("Scoring on the worker thread…"));
    else if (m_hasScores)
        m_scoreText->setText(scoresText());
    else
        m_scoreText->setText(tr("Right-click ▸ Score Faithfulness"));
}

void ComparePane::setScoresPanelShown(bool shown) { m_scoresPanel->setVisible(shown); }

bool ComparePane::scoresPanelShown() const { return !m_scoresPanel->isHidden(); }

void ComparePane::setFocused(bool focused)
{
    // A highlight color frame marks the pane the class panel edits.
    setStyleSheet(focused ? QStringLiteral("gce--ui--ComparePane { border: 2px solid palette(highlight); }")
                          : QStringLiteral("gce--ui--ComparePane { border: 2px solid transparent; }"));
}

QString ComparePane::method() const { return m_method->currentData().toString(); }

void ComparePane::setMethod(const QString& name)
{
    const int index = m_method->findData(name);
    if (index < 0)
        return;
    const QSignalBlocker quiet(m_method);
    m_method->setCurrentIndex(index);
}

void ComparePane::chooseModel(const QString& name)
{
    if (name == m_model)
        return;
    m_model = name;
    emit modelChanged();
}

void ComparePane::setClosable(bool closable) { m_close->setVisible(closable); }

QString ComparePane::captionText() const { return captionVariants().front(); }

QStringList ComparePane::captionVariants() const
{
    if (m_result.classIndex < 0)
        return {tr("No image")};
    QStringList variants = classCaptionVariants();
    // Panes of different models: every form names the pane's model.
    if (m_result.otherModels) {
        const QString model = tr("%1%2: ").arg(m_result.modelName.toHtmlEscaped(),
                                               m_result.untrained ? tr(" (untrained)") : QString());
        for (QString& variant : variants)
            variant.prepend(model);
    }
    return variants;
}

QStringList ComparePane::classCaptionVariants() const
{
    const QString name = tr("<b>%1</b>").arg(m_result.className.toHtmlEscaped());
    const QString percent =
        QStringLiteral("%1%").arg(double(m_result.probability) * 100.0, 0, 'f', m_result.probability < 0.1f ? 2 : 1);
    const QString ranked = tr("%1 (%2) — %3, rank %4").arg(name).arg(m_result.classIndex).arg(percent).arg(m_result.rank);
    QString full = ranked;
    if (const QString smoothing = m_result.smoothingText(); !smoothing.isEmpty())
        full += tr(" · <i>smoothed: %1</i>").arg(smoothing);
    if (m_result.modelPreprocess)
        full += tr(" · <i>model preprocessing: centre crop</i>");
    if (m_result.pending) // its map is still being computed (a partial result)
        return {tr("%1 — <i>computing %2…</i>").arg(ranked, m_result.method), tr("%1 — <i>computing…</i>").arg(name),
                name + QStringLiteral(" …")};
    // An empty map is news, so the short forms keep saying so.
    const QString empty = m_result.map.empty ? tr(" — <i>empty map</i>") : QString();
    if (m_result.map.empty)
        full += tr(" — <i>empty map: no positive evidence at this layer</i>");
    // Shorter forms drop the smoothing and preprocessing (the status bar and
    // tooltip say them), then index and rank.
    return {full, ranked + empty, tr("%1 — %2").arg(name, percent) + empty, name + empty};
}

QString ComparePane::shownCaption() const { return m_caption->text(); }

void ComparePane::fitCaption()
{
    const QStringList variants = captionVariants();
    const QString fitted = gce::ui::fitCaption(variants, m_result.classIndex < 0 ? variants.front() : m_result.className,
                                               m_caption->font(), m_caption->contentsRect().width());
    if (fitted != m_caption->text())
        m_caption->setText(fitted);
}

bool ComparePane::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_caption && event->type() == QEvent::Resize)
        fitCaption();
    return QFrame::eventFilter(watched, event);
}

void ComparePane::showResult(const PaneResult& result, double displayScale)
{
    m_result = result;
    m_displayScale = displayScale;
    applyMap();
    fitCaption();
}

void ComparePane::setDisplayScale(double displayScale)
{
    if (displayScale == m_displayScale)
        return;
    m_displayScale = displayScale;
    applyMap();
}

void ComparePane::applyMap()
{
    m_canvas->setHeatmap(scaledMap(m_result.map, m_displayScale));
    QString tip = captionText();
    if (m_displayScale != 1.0 && !m_result.map.isNull())
        tip += tr("<br>Shared scale: this map peaks at %1% of the largest raw value among the panes (raw peak %2).")
                   .arg(m_displayScale * 100.0, 0, 'f', 0)
                   .arg(QString::number(m_result.map.rawMax, 'g', 3));
    m_caption->setToolTip(tip);
}

PaneResult ComparePane::shownResult() const
{
    PaneResult shown = m_result;
    shown.map = scaledMap(m_result.map, m_displayScale);
    return shown;
}

void ComparePane::beginScoring()
{
    m_scored = m_result;
    m_scoring = true;
    m_hasScores = false;
    m_scores = {};
    m_plot->clear();
    m_scoreProgress->setValue(0);
    updateScoresPanel();
    m_scoresPanel->show();
}

void ComparePane::showScoringProgress(double fraction)
{
    if (m_scoring)
        m_scoreProgress->setValue(qRound(fraction * 100));
}

void ComparePane::showScores(const FaithfulnessResult& scores)
{
    m_scoring = false;
    m_hasScores = true;
    m_scores = scores;
    FaithfulnessCurves curves;
    curves.deletion = scores.deletionCurve;
    curves.insertion = scores.insertionCurve;
    curves.deletionAuc = scores.deletionAuc;
    curves.insertionAuc = scores.insertionAuc;
    m_plot->setCurves(curves);
    updateScoresPanel();
    m_scoresPanel->show();
}

QString ComparePane::scoresText() const
{
    if (!m_hasScores)
        return {};
    // The AUCs are in the plot's legend (its tooltip says which way is better).
    return tr("Average drop %1% · confidence %2 · %3 images in %4 s")
        .arg(m_scores.averageDrop, 0, 'f', 1)
        .arg(m_scores.increaseInConfidence ? tr("increased") : tr("not increased"))
        .arg(m_scores.forwardImages)
        .arg(m_scores.elapsedMs / 1000.0, 0, 'f', 1);
}

void ComparePane::clearScores()
{
    m_scoring = false;
    m_hasScores = false;
    m_scores = {};
    m_plot->clear();
    updateScoresPanel(); // the window decides whether the panel stays (ComparePane::setScoresPanelShown)
}

bool ComparePane::scoresMatch(const PaneResult& result) const
{
    return result.classIndex == m_scored.classIndex && result.method == m_scored.method &&
           result.augmentSmooth == m_scored.augmentSmooth && result.eigenSmooth == m_scored.eigenSmooth &&
           result.modelPreprocess == m_scored.modelPreprocess;
}

void ComparePane::mousePressEvent(QMouseEvent* event)
{
    emit focusRequested();
    QFrame::mousePressEvent(event);
}

void ComparePane::contextMenuEvent(QContextMenuEvent* event)
{
    emit focusRequested();
    QMenu menu(this);
    QAction* score = menu.addAction(tr("Score &Faithfulness"), this, &ComparePane::faithfulnessRequested);
    score->setEnabled(m_result.classIndex >= 0 && !m_result.map.isNull());
    QAction* hide = menu.addAction(m_scoring ? tr("&Stop Scoring") : tr("&Hide Faithfulness Scores"), this, [this] {
        clearScores();
        emit scoresDismissed();
    });
    hide->setEnabled(m_scoring || m_hasScores);
    // The pane's own model: "how does a ViT see this photo?" next to the
    // window's model. Each model explains at its own default layer.
    QMenu* models = menu.addMenu(tr("&Model"));
    QAction* window = models->addAction(tr("The Window's Model"), this, [this] { chooseModel(QString()); });
    window->setCheckable(true);
    window->setChecked(m_model.isEmpty());
    models->addSeparator();
    for (const QString& name : CamEngine::architectureNames()) {
        QAction* item = models->addAction(name, this, [this, name] { chooseModel(name); });
        item->setCheckable(true);
        item->setChecked(name == m_model);
    }
    menu.exec(event->globalPos());
}

} // namespace gce::ui
