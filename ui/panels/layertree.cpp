#include "ui/panels/layertree.h"

#include <QEvent>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QStyle>
#include <QStyledItemDelegate>
#include <QTreeView>
#include <QVBoxLayout>

#include <algorithm>

#include "ui/panels/layertreemodel.h"

namespace gce::ui {

namespace {

// A tree whose selection only changes when a layer is chosen: the arrow
// keys move the cursor without selecting, and a click on a row that cannot
// be chosen leaves the chosen layer selected instead of clearing it.
class ChooserTreeView : public QTreeView {
public:
    using QTreeView::QTreeView;

protected:
    QItemSelectionModel::SelectionFlags selectionCommand(const QModelIndex& index,
                                                         const QEvent* event) const override
    {
        if ((event && event->type() == QEvent::KeyPress) || !(index.flags() & Qt::ItemIsSelectable))
            return QItemSelectionModel::NoUpdate;
        return QTreeView::selectionCommand(index, event);
    }
};

// Rows as tall as the class list's beside it (font height + 6 px), not
// the tree's default of bare text height.
class RoomyRowDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override
    {
        QSize size = QStyledItemDelegate::sizeHint(option, index);
        size.setHeight(std::max(size.height(), option.fontMetrics.height() + 6));
        return size;
    }
};

// Depth-first, in module order: the first row of `model` that matches
// `text` itself (not an ancestor kept for context) and can be chosen.
QModelIndex firstMatch(const QAbstractItemModel& model, const QString& text, const QModelIndex& parent = {})
{
    for (int row = 0; row < model.rowCount(parent); ++row) {
        const QModelIndex index = model.index(row, LayerTreeModel::NameColumn, parent);
        if ((index.flags() & Qt::ItemIsSelectable) &&
            index.data(LayerTreeModel::SearchRole).toString().contains(text, Qt::CaseInsensitive))
            return index;
        if (const QModelIndex inner = firstMatch(model, text, index); inner.isValid())
            return inner;
    }
    return {};
}

} // namespace

LayerTree::LayerTree(QWidget* parent) : QWidget(parent)
{
    m_model = new LayerTreeModel(this);
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    // Matching rows keep their ancestors, so "conv" still shows where each
    // convolution sits in the network.
    m_proxy->setRecursiveFilteringEnabled(true);
    m_proxy->setFilterRole(LayerTreeModel::SearchRole);
    m_proxy->setFilterKeyColumn(LayerTreeModel::NameColumn);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);

    m_filter = new QLineEdit(this);
    m_filter->setPlaceholderText(tr("Filter layers… (name or type, e.g. conv)"));
    m_filter->setClearButtonEnabled(true);
    m_filter->installEventFilter(this);

    m_view = new ChooserTreeView(this);
    m_view->setModel(m_proxy);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setAllColumnsShowFocus(true);
    m_view->setUniformRowHeights(true); // the tree may hold hundreds of modules
    m_view->setItemDelegate(new RoomyRowDelegate(m_view));
    m_view->setAlternatingRowColors(true);
    m_view->installEventFilter(this);
    // Names and shapes are what a user compares, so they keep their full
    // width; the type (also in the tooltip) gives way when the dock is narrow.
    QHeaderView* header = m_view->header();
    header->setStretchLastSection(false);
    header->setSectionResizeMode(LayerTreeModel::NameColumn, QHeaderView::ResizeToContents);
    header->setSectionResizeMode(LayerTreeModel::TypeColumn, QHeaderView::Stretch);
    header->setSectionResizeMode(LayerTreeModel::ShapeColumn, QHeaderView::ResizeToContents);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(style()->pixelMetric(QStyle::PM_LayoutVerticalSpacing, nullptr, this) / 2);
    layout->addWidget(m_filter);
    layout->addWidget(m_view, 1);

    connect(m_view, &QTreeView::clicked, this, &LayerTree::choose);
    connect(m_filter, &QLineEdit::textChanged, this, &LayerTree::onFilterTextChanged);
    connect(m_filter, &QLineEdit::returnPressed, this, &LayerTree::chooseFirstMatch);
}

void LayerTree::setLayers(const QVector<LayerEntry>& layers, const QString& defaultLayer)
{
    m_model->setLayers(layers, defaultLayer);
    if (!m_filter->text().isEmpty())
        m_view->expandAll();
    showCurrentInView();
}

void LayerTree::setCurrentLayer(const QString& name)
{
    m_current = name;
    showCurrentInView();
}

void LayerTree::showCurrentInView()
{
    const QModelIndex index = m_proxy->mapFromSource(m_model->indexOfLayer(m_current));
    if (!index.isValid()) {
        m_view->selectionModel()->clearSelection(); // filtered out, or not in this model
        return;
    }
    for (QModelIndex parent = index.parent(); parent.isValid(); parent = parent.parent())
        m_view->expand(parent);
    m_view->selectionModel()->setCurrentIndex(
        index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_view->scrollTo(index);
}

void LayerTree::choose(const QModelIndex& proxyIndex)
{
    const QString name = proxyIndex.data(LayerTreeModel::LayerNameRole).toString();
    if (!m_model->isUsable(name))
        return; // its tooltip says why
    m_current = name;
    m_view->selectionModel()->select(proxyIndex, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    emit layerChosen(name);
}

void LayerTree::chooseFirstMatch()
{
    const QModelIndex first = firstMatch(*m_proxy, m_filter->text().trimmed());
    if (!first.isValid())
        return;
    m_view->setFocus(Qt::OtherFocusReason);
    m_view->setCurrentIndex(first);
    choose(first);
}

void LayerTree::onFilterTextChanged(const QString& text)
{
    m_proxy->setFilterFixedString(text.trimmed());
    if (text.trimmed().isEmpty())
        m_view->collapseAll(); // back to the overview, opened at the chosen layer
    else
        m_view->expandAll(); // every match visible at once
    showCurrentInView();
}

bool LayerTree::eventFilter(QObject* watched, QEvent* event)
{
    if (event->type() == QEvent::KeyPress) {
        const auto* key = static_cast<QKeyEvent*>(event);
        if (watched == m_filter && key->key() == Qt::Key_Down && key->modifiers() == Qt::NoModifier) {
            m_view->setFocus(Qt::TabFocusReason);
            if (!m_view->currentIndex().isValid())
                m_view->selectionModel()->setCurrentIndex(m_proxy->index(0, LayerTreeModel::NameColumn),
                                                          QItemSelectionModel::NoUpdate);
            return true;
        }
        if (watched == m_view && (key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter)) {
            choose(m_view->currentIndex());
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace gce::ui
