#pragma once
// The target-layer chooser: a filter field over the module tree. Clicking a
// usable row or pressing Enter on it emits layerChosen; the arrow keys only
// browse (every new layer costs a forward pass). The selection always shows
// the chosen layer, never merely the row under the keyboard cursor.
#include <QString>
#include <QVector>
#include <QWidget>

#include "ui/control/camtypes.h"

class QLineEdit;
class QModelIndex;
class QSortFilterProxyModel;
class QTreeView;

namespace gce::ui {

class LayerTreeModel;

class LayerTree : public QWidget {
    Q_OBJECT
public:
    explicit LayerTree(QWidget* parent = nullptr);

    void setLayers(const QVector<LayerEntry>& layers, const QString& defaultLayer);
    // Shows `name` as the chosen layer (selected, ancestors expanded) without emitting.
    void setCurrentLayer(const QString& name);
    QString currentLayer() const { return m_current; }

    LayerTreeModel* model() const { return m_model; }
    QLineEdit* filterField() const { return m_filter; }
    QTreeView* view() const { return m_view; }

signals:
    void layerChosen(const QString& name);

private:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void choose(const QModelIndex& proxyIndex);
    void chooseFirstMatch();
    void onFilterTextChanged(const QString& text);
    void showCurrentInView();

    LayerTreeModel* m_model = nullptr;
    QSortFilterProxyModel* m_proxy = nullptr;
    QLineEdit* m_filter = nullptr;
    QTreeView* m_view = nullptr;
    QString m_current;
};

} // namespace gce::ui
