#include "ui/comparepane.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>
#include <QVBoxLayout>

#include "ui/camengine.h"
#include "ui/imagecanvas.h"

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
    // Panes can differ by method as well as by class: compare Grad-CAM with
    // Grad-CAM++ or LayerCAM on the same class side by side.
    m_method = new QComboBox(this);
    for (const QString& name : CamEngine::methodNames()) {
        m_method->addItem(name, name);
        m_method->setItemData(m_method->count() - 1, CamEngine::methodDescription(name), Qt::ToolTipRole);
    }
    m_method->setToolTip(tr("CAM method for this pane"));
    m_method->setSizeAdjustPolicy(QComboBox::AdjustToContents);
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

    connect(m_close, &QToolButton::clicked, this, &ComparePane::closeRequested);
    connect(m_canvas, &ImageCanvas::clicked, this, &ComparePane::focusRequested);
}

void ComparePane::setFocused(bool focused)
{
    // A highlight colour frame marks the pane the class panel edits.
    setStyleSheet(focused ? QStringLiteral("gce--ui--ComparePane { border: 2px solid palette(highlight); }")
                          : QStringLiteral("gce--ui--ComparePane { border: 2px solid transparent; }"));
}

QString ComparePane::method() const { return m_method->currentData().toString(); }

void ComparePane::setClosable(bool closable) { m_close->setVisible(closable); }

QString ComparePane::captionText() const
{
    if (m_result.classIndex < 0)
        return tr("No image");
    QString text = tr("<b>%1</b> (%2) — %3%, rank %4")
                       .arg(m_result.className.toHtmlEscaped())
                       .arg(m_result.classIndex)
                       .arg(double(m_result.probability) * 100.0, 0, 'f', m_result.probability < 0.1f ? 2 : 1)
                       .arg(m_result.rank);
    if (m_result.map.empty)
        text += tr(" — <i>empty map: no positive evidence at this layer</i>");
    return text;
}

void ComparePane::showResult(const PaneResult& result)
{
    m_result = result;
    m_canvas->setHeatmap(result.map);
    m_caption->setText(captionText());
    m_caption->setToolTip(m_caption->text());
}

void ComparePane::mousePressEvent(QMouseEvent* event)
{
    emit focusRequested();
    QFrame::mousePressEvent(event);
}

} // namespace gce::ui
