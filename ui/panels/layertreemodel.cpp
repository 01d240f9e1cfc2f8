#include "ui/panels/layertreemodel.h"

#include <QFont>
#include <QGuiApplication>
#include <QPalette>

#include "ui/control/layerusability.h"

namespace gce::ui {

LayerTreeModel::LayerTreeModel(QObject* parent) : QAbstractItemModel(parent) {}

void LayerTreeModel::setLayers(const QVector<LayerEntry>& layers, const QString& defaultLayer)
{
    beginResetModel();
    m_nodes.clear();
    m_topLevel.clear();
    m_byName.clear();
    m_defaultLayer = defaultLayer;

    // All names first, so a child finds its parent even if a model lists
    // them out of order; the root module (empty name) is the tree itself.
    for (const LayerEntry& layer : layers) {
        if (layer.name.isEmpty() || m_byName.contains(layer.name))
            continue;
        Node node;
        node.entry = layer;
        node.usable = isExplainable(layer);
        m_byName.insert(layer.name, int(m_nodes.size()));
        m_nodes.push_back(node);
    }
    // The parent is the longest listed dotted prefix: "layer4.1.conv2" goes
    // under "layer4.1", or under "layer4" if a model does not list "layer4.1".
    for (int i = 0; i < m_nodes.size(); ++i) {
        Node& node = m_nodes[i];
        const QString& name = node.entry.name;
        node.label = name;
        for (qsizetype dot = name.lastIndexOf(QLatin1Char('.')); dot > 0;
             dot = name.lastIndexOf(QLatin1Char('.'), dot - 1)) {
            const auto found = m_byName.constFind(name.left(dot));
            if (found != m_byName.constEnd()) {
                node.parent = *found;
                node.label = name.mid(dot + 1);
                break;
            }
        }
        QVector<int>& siblings = node.parent < 0 ? m_topLevel : m_nodes[node.parent].children;
        node.row = int(siblings.size());
        siblings.push_back(i);
    }
    endResetModel();
}

bool LayerTreeModel::isUsable(const QString& name) const
{
    const auto found = m_byName.constFind(name);
    return found != m_byName.constEnd() && m_nodes[*found].usable;
}

QString LayerTreeModel::unusableReason(const QString& name) const
{
    QVector<LayerEntry> entries;
    if (const auto found = m_byName.constFind(name); found != m_byName.constEnd())
        entries.push_back(m_nodes[*found].entry);
    return layerProblem(entries, name);
}

QModelIndex LayerTreeModel::indexOfLayer(const QString& name, int column) const
{
    const auto found = m_byName.constFind(name);
    if (found == m_byName.constEnd())
        return {};
    return createIndex(m_nodes[*found].row, column, quintptr(*found));
}

const LayerTreeModel::Node* LayerTreeModel::node(const QModelIndex& index) const
{
    if (!index.isValid() || index.model() != this || index.internalId() >= quintptr(m_nodes.size()))
        return nullptr;
    return &m_nodes[int(index.internalId())];
}

QModelIndex LayerTreeModel::index(int row, int column, const QModelIndex& parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    const Node* parentNode = node(parent);
    const QVector<int>& children = parentNode ? parentNode->children : m_topLevel;
    return createIndex(row, column, quintptr(children[row]));
}

QModelIndex LayerTreeModel::parent(const QModelIndex& child) const
{
    const Node* childNode = node(child);
    if (!childNode || childNode->parent < 0)
        return {};
    return createIndex(m_nodes[childNode->parent].row, 0, quintptr(childNode->parent));
}

int LayerTreeModel::rowCount(const QModelIndex& parent) const
{
    if (!parent.isValid())
        return int(m_topLevel.size());
    if (parent.column() != NameColumn)
        return 0; // only the first column has children, as in every Qt tree
    const Node* parentNode = node(parent);
    return parentNode ? int(parentNode->children.size()) : 0;
}

int LayerTreeModel::columnCount(const QModelIndex&) const { return ColumnCount; }

QString LayerTreeModel::toolTip(const Node& node) const
{
    QStringList lines;
    lines << QStringLiteral("%1 (%2)").arg(node.entry.name, node.entry.type);
    lines << (node.entry.shape.isEmpty() ? tr("Not reached by the forward pass") : tr("Output %1").arg(node.entry.shape));
    if (!node.entry.mapLayout.isEmpty())
        lines << tr("Explained as %1").arg(node.entry.mapLayout);
    if (node.entry.name == m_defaultLayer)
        lines << tr("The model's default target layer");
    if (!node.usable)
        lines << tr("Not selectable: %1.").arg(unusableReason(node.entry.name));
    return lines.join(QLatin1Char('\n'));
}

QVariant LayerTreeModel::data(const QModelIndex& index, int role) const
{
    const Node* n = node(index);
    if (!n)
        return {};
    const bool isDefault = n->entry.name == m_defaultLayer;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn: return isDefault ? tr("%1 (default)").arg(n->label) : n->label;
        case TypeColumn: return n->entry.type;
        case ShapeColumn:
            if (!n->entry.mapLayout.isEmpty())
                return n->entry.mapLayout;
            return n->entry.shape.isEmpty() ? QStringLiteral("–") : n->entry.shape;
        }
        break;
    case Qt::FontRole:
        if (isDefault) {
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        break;
    case Qt::ForegroundRole:
        // Greyed, not disabled: a disabled row could not be expanded or
        // show its tooltip, and its children may well be usable.
        if (!n->usable)
            return QGuiApplication::palette().color(QPalette::Disabled, QPalette::Text);
        break;
    case Qt::ToolTipRole: return toolTip(*n);
    case LayerNameRole: return n->entry.name;
    case SearchRole: return QStringLiteral("%1 %2").arg(n->entry.name, n->entry.type);
    }
    return {};
}

QVariant LayerTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn: return tr("Layer");
    case TypeColumn: return tr("Type");
    case ShapeColumn: return tr("Output shape");
    }
    return {};
}

Qt::ItemFlags LayerTreeModel::flags(const QModelIndex& index) const
{
    const Node* n = node(index);
    if (!n)
        return Qt::NoItemFlags;
    return n->usable ? Qt::ItemIsEnabled | Qt::ItemIsSelectable : Qt::ItemIsEnabled;
}

} // namespace gce::ui
