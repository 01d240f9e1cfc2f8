// The layer tree: hierarchy from dotted names, the default layer marked,
// rows without a 4-D output shown but not selectable, the filter keeping
// ancestors, and layerChosen firing for clicks and Enter only.
#include <QtTest>

#include <QAbstractItemModelTester>
#include <QFont>
#include <QLineEdit>
#include <QSet>
#include <QTreeView>

#include "ui/panels/layertree.h"
#include "ui/panels/layertreemodel.h"

using gce::ui::LayerEntry;
using gce::ui::LayerTree;
using gce::ui::LayerTreeModel;

namespace {

// A small ResNet-like list in module order, plus TorchScript-style names
// whose intermediate module ("features.block") is not listed. Explainable as
// the engine would say: the 4-D outputs.
QVector<LayerEntry> handMadeLayers()
{
    return {
        {"conv1", "Conv2d", "1×8×16×16", {}, true},
        {"bn1", "BatchNorm2d", "1×8×16×16", {}, true},
        {"layer1", "Sequential", "1×8×16×16", {}, true},
        {"layer1.0", "BasicBlock", "1×8×16×16", {}, true},
        {"layer1.0.conv1", "Conv2d", "1×8×16×16", {}, true},
        {"layer1.0.relu", "ReLU", "1×8×16×16", {}, true},
        {"layer1.0.conv2", "Conv2d", "1×8×16×16", {}, true},
        {"layer1.0.downsample", "Sequential", "", {}, false}, // not reached by forward
        {"layer1.0.downsample.0", "Conv2d", "", {}, false},
        {"features", "Sequential", "1×8×4×4", {}, true},
        {"features.block.0", "Conv2d", "1×8×4×4", {}, true},
        {"avgpool", "AdaptiveAvgPool2d", "1×8×1×1", {}, true}, // 4-D, so usable
        {"fc", "Linear", "1×10", {}, false},
    };
}
const QString kDefault = QStringLiteral("layer1.0.conv2");

QStringList childNames(const QAbstractItemModel& model, const QModelIndex& parent = {})
{
    QStringList names;
    for (int row = 0; row < model.rowCount(parent); ++row)
        names << model.index(row, 0, parent).data(LayerTreeModel::LayerNameRole).toString();
    return names;
}

QSet<QString> allNames(const QAbstractItemModel& model, const QModelIndex& parent = {})
{
    QSet<QString> names;
    for (int row = 0; row < model.rowCount(parent); ++row) {
        const QModelIndex index = model.index(row, 0, parent);
        names << index.data(LayerTreeModel::LayerNameRole).toString();
        names += allNames(model, index);
    }
    return names;
}

QModelIndex viewIndexOf(const QAbstractItemModel& model, const QString& name, const QModelIndex& parent = {})
{
    for (int row = 0; row < model.rowCount(parent); ++row) {
        const QModelIndex index = model.index(row, 0, parent);
        if (index.data(LayerTreeModel::LayerNameRole).toString() == name)
            return index;
        if (const QModelIndex inner = viewIndexOf(model, name, index); inner.isValid())
            return inner;
    }
    return {};
}

QString selectedName(const LayerTree& tree)
{
    const QModelIndexList rows = tree.view()->selectionModel()->selectedRows();
    return rows.size() == 1 ? rows.front().data(LayerTreeModel::LayerNameRole).toString() : QString();
}

} // namespace

class TestLayerTree : public QObject {
    Q_OBJECT
private:
    // A shown, active tree so clicks and key presses behave as for a user.
    std::unique_ptr<LayerTree> makeTree()
    {
        auto tree = std::make_unique<LayerTree>();
        tree->setLayers(handMadeLayers(), kDefault);
        tree->resize(520, 600);
        tree->show();
        tree->activateWindow();
        if (!QTest::qWaitForWindowActive(tree.get()))
            qWarning("window not active; key events may not reach it");
        return tree;
    }

    void click(LayerTree& tree, const QString& name)
    {
        QTreeView* view = tree.view();
        const QModelIndex index = viewIndexOf(*view->model(), name);
        QVERIFY2(index.isValid(), qPrintable(name));
        view->scrollTo(index);
        const QRect rect = view->visualRect(index.siblingAtColumn(LayerTreeModel::TypeColumn));
        QVERIFY(!rect.isEmpty());
        QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::NoModifier, rect.center());
    }

private slots:
    void hierarchyFromDottedNames()
    {
        LayerTreeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setLayers(handMadeLayers(), kDefault);

        QCOMPARE(childNames(model), QStringList({"conv1", "bn1", "layer1", "features", "avgpool", "fc"}));
        const QModelIndex layer1 = model.indexOfLayer("layer1");
        QCOMPARE(childNames(model, layer1), QStringList({"layer1.0"}));
        const QModelIndex block = model.indexOfLayer("layer1.0");
        QCOMPARE(block.parent(), layer1);
        QCOMPARE(childNames(model, block),
                 QStringList({"layer1.0.conv1", "layer1.0.relu", "layer1.0.conv2", "layer1.0.downsample"}));
        QCOMPARE(model.indexOfLayer("layer1.0.downsample.0").parent(), model.indexOfLayer("layer1.0.downsample"));

        // Each row shows its name relative to the parent row.
        QCOMPARE(model.indexOfLayer("layer1.0").data().toString(), QString("0"));
        QCOMPARE(model.indexOfLayer("layer1.0.conv1").data().toString(), QString("conv1"));
        // An unlisted intermediate module: the nearest listed ancestor adopts the row.
        const QModelIndex scripted = model.indexOfLayer("features.block.0");
        QCOMPARE(scripted.parent(), model.indexOfLayer("features"));
        QCOMPARE(scripted.data().toString(), QString("block.0"));

        // Type and output shape columns.
        QCOMPARE(model.indexOfLayer("fc", LayerTreeModel::TypeColumn).data().toString(), QString("Linear"));
        QCOMPARE(model.indexOfLayer("fc", LayerTreeModel::ShapeColumn).data().toString(), QString("1×10"));
        QCOMPARE(model.headerData(LayerTreeModel::ShapeColumn, Qt::Horizontal, Qt::DisplayRole).toString(),
                 QString("Output shape"));

        // A new model replaces the tree; an empty list is an empty tree.
        model.setLayers({{"a", "Conv2d", "1×3×8×8"}, {"a.b", "ReLU", "1×3×8×8"}}, "a");
        QCOMPARE(childNames(model), QStringList({"a"}));
        QVERIFY(!model.contains("layer1"));
        model.setLayers({}, {});
        QCOMPARE(model.rowCount(), 0);
    }

    void defaultLayerIsMarked()
    {
        LayerTreeModel model;
        model.setLayers(handMadeLayers(), kDefault);
        const QModelIndex marked = model.indexOfLayer(kDefault);
        QVERIFY(marked.data().toString().contains("(default)"));
        QVERIFY(marked.data(Qt::FontRole).value<QFont>().bold());
        QVERIFY(marked.data(Qt::ToolTipRole).toString().contains("default"));
        const QModelIndex other = model.indexOfLayer("layer1.0.conv1");
        QVERIFY(!other.data().toString().contains("(default)"));
        QVERIFY(!other.data(Qt::FontRole).value<QFont>().bold());
        QVERIFY(!other.data(Qt::ToolTipRole).toString().contains("default"));
    }

    void rowsWithoutFeatureMapsAreNotSelectable()
    {
        LayerTreeModel model;
        model.setLayers(handMadeLayers(), kDefault);
        for (const QString& name : {"conv1", "layer1", "layer1.0", "layer1.0.relu", "avgpool", "features.block.0"}) {
            QVERIFY2(model.indexOfLayer(name).flags() & Qt::ItemIsSelectable, qPrintable(name));
            QVERIFY(model.isUsable(name));
            QVERIFY(model.unusableReason(name).isEmpty());
        }
        for (const QString& name : {"fc", "layer1.0.downsample", "layer1.0.downsample.0"}) {
            const QModelIndex index = model.indexOfLayer(name);
            QVERIFY2(index.isValid(), qPrintable(name)); // shown...
            QVERIFY2(!(index.flags() & Qt::ItemIsSelectable), qPrintable(name)); // ...but not selectable
            QVERIFY(index.flags() & Qt::ItemIsEnabled); // still expandable, with a tooltip
            QVERIFY(!model.isUsable(name));
            QVERIFY(index.data(Qt::ToolTipRole).toString().contains("Not selectable"));
        }
        QVERIFY(model.unusableReason("fc").contains("4-D"));
        QVERIFY(model.unusableReason("fc").contains("1×10"));
        QVERIFY(model.unusableReason("layer1.0.downsample").contains("not reached"));
        QVERIFY(model.unusableReason("layer9").contains("not a layer"));
        QVERIFY(!model.isUsable("layer9"));
        // Unreached rows say so in the shape column instead of staying blank.
        QVERIFY(!model.indexOfLayer("layer1.0.downsample", LayerTreeModel::ShapeColumn).data().toString().isEmpty());
    }

    void filterKeepsAncestors()
    {
        auto tree = makeTree();
        const QAbstractItemModel& shown = *tree->view()->model();
        QCOMPARE(allNames(shown).size(), handMadeLayers().size());

        QTest::keyClicks(tree->filterField(), "conv");
        // Names or types containing "conv", and every ancestor of one.
        const QSet<QString> expected = {"conv1", "layer1", "layer1.0", "layer1.0.conv1", "layer1.0.conv2",
                                        "layer1.0.downsample", "layer1.0.downsample.0", "features",
                                        "features.block.0"};
        QCOMPARE(allNames(shown), expected);
        // Matches are expanded into view, not hidden in collapsed parents.
        QVERIFY(tree->view()->isExpanded(viewIndexOf(shown, "layer1.0")));
        QVERIFY(tree->view()->isExpanded(viewIndexOf(shown, "layer1.0.downsample")));

        tree->filterField()->setText("DOWNSAMPLE");
        QCOMPARE(allNames(shown),
                 QSet<QString>({"layer1", "layer1.0", "layer1.0.downsample", "layer1.0.downsample.0"}));

        tree->filterField()->setText("no such layer");
        QCOMPARE(shown.rowCount(), 0);
        tree->filterField()->clear();
        QCOMPARE(allNames(shown).size(), handMadeLayers().size());
    }

    void clickAndEnterEmitTheName()
    {
        auto tree = makeTree();
        QSignalSpy chosen(tree.get(), &LayerTree::layerChosen);
        tree->setCurrentLayer(kDefault); // programmatic: shown, not emitted
        QCOMPARE(selectedName(*tree), kDefault);
        QVERIFY(tree->view()->isExpanded(viewIndexOf(*tree->view()->model(), "layer1.0")));
        QCOMPARE(chosen.count(), 0);

        click(*tree, "layer1.0.conv1");
        QCOMPARE(chosen.count(), 1);
        QCOMPARE(chosen.takeFirst().at(0).toString(), QString("layer1.0.conv1"));
        QCOMPARE(tree->currentLayer(), QString("layer1.0.conv1"));
        QCOMPARE(selectedName(*tree), QString("layer1.0.conv1"));

        // A row without a feature map: nothing chosen, the choice stays selected.
        click(*tree, "fc");
        QCOMPARE(chosen.count(), 0);
        QCOMPARE(selectedName(*tree), QString("layer1.0.conv1"));

        // Arrow keys browse without choosing; Enter chooses.
        tree->view()->setFocus();
        tree->view()->setCurrentIndex(viewIndexOf(*tree->view()->model(), "layer1.0.conv1"));
        QTest::keyClick(tree->view(), Qt::Key_Down); // layer1.0.relu
        QCOMPARE(chosen.count(), 0);
        QCOMPARE(selectedName(*tree), QString("layer1.0.conv1"));
        QTest::keyClick(tree->view(), Qt::Key_Return);
        QCOMPARE(chosen.count(), 1);
        QCOMPARE(chosen.takeFirst().at(0).toString(), QString("layer1.0.relu"));
        QCOMPARE(selectedName(*tree), QString("layer1.0.relu"));

        // Enter in the filter field chooses the first usable match, not an
        // ancestor kept for context ("features" is 4-D but does not match;
        // plain "block" would match the BasicBlock type of "layer1.0").
        QTest::keyClicks(tree->filterField(), "block.0");
        QTest::keyClick(tree->filterField(), Qt::Key_Return);
        QCOMPARE(chosen.count(), 1);
        QCOMPARE(chosen.takeFirst().at(0).toString(), QString("features.block.0"));
    }
};

QTEST_MAIN(TestLayerTree)
#include "tst_layertree.moc"
