#pragma once
// The model's module hierarchy as a tree (Layer / Type / Output shape),
// built from the flat, dotted layer list in ModelInfo. Rows whose output is
// not a 4-D feature map (or that forward never reached) are shown for
// orientation but are not selectable: Grad-CAM needs N×C×H×W.
#include <QAbstractItemModel>
#include <QHash>
#include <QVector>

#include "ui/control/camtypes.h"

namespace gce::ui {

class LayerTreeModel : public QAbstractItemModel {
    Q_OBJECT
public:
    enum Column { NameColumn, TypeColumn, ShapeColumn, ColumnCount };
    static constexpr int LayerNameRole = Qt::UserRole + 1; // the full dotted name
    static constexpr int SearchRole = Qt::UserRole + 2;    // what the filter field matches

    explicit LayerTreeModel(QObject* parent = nullptr);

    void setLayers(const QVector<LayerEntry>& layers, const QString& defaultLayer);
    QString defaultLayer() const { return m_defaultLayer; }

    bool contains(const QString& name) const { return m_byName.contains(name); }
    // Grad-CAM can explain this layer (listed, reached, 4-D output).
    bool isUsable(const QString& name) const;
    // Why `name` cannot be the target layer, one sentence; empty when it can.
    QString unusableReason(const QString& name) const;
    QModelIndex indexOfLayer(const QString& name, int column = NameColumn) const;

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;

private:
    struct Node {
        LayerEntry entry;
        QString label;         // the name relative to the parent row ("conv2" under "layer4.1")
        int parent = -1;       // node index, -1 = top level
        int row = 0;           // position among the parent's children
        QVector<int> children; // node indices, in module order
        bool usable = false;
    };

    const Node* node(const QModelIndex& index) const;
    QString toolTip(const Node& node) const;

    QVector<Node> m_nodes;   // in module order
    QVector<int> m_topLevel; // node indices
    QHash<QString, int> m_byName;
    QString m_defaultLayer;
};

} // namespace gce::ui
