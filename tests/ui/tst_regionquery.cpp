// "What is here?" in the window (issue 17): a Shift+drag on a pane ranks every
// class by its evidence in the box from the kept forward pass; a second box
// on the same photo needs no pass through the network; the Here column sorts;
// 50 rapid boxes end with the last box's ranking; Esc clears the region. The
// bundled trained SqueezeNet on the demo photo, so that the ranking means
// something: the cat's box is evidence for a cat, the cup's for a cup.
#include <QComboBox>
#include <QHeaderView>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

#include "testsupport.h"
#include "windowtestsupport.h"
#include "ui/canvas/comparepane.h"
#include "ui/canvas/imagecanvas.h"
#include "ui/control/camworker.h"
#include "ui/control/explorercontroller.h"
#include "ui/panels/classlistmodel.h"
#include "ui/panels/classpanel.h"
#include "ui/window/mainwindow.h"
#include "ui/window/panestrip.h"

using namespace gce::ui;

namespace {

QString bundledWeights() { return gce::test::sourceDir() + "/resources/models/squeezenet1_1-imagenet.pth"; }

// Where photo point `p` is on a canvas fitted to its window (the view the
// window starts with: the photo centred at the fitting scale).
QPoint onCanvas(const ImageCanvas& canvas, QPointF p)
{
    const QSize photo = canvas.imageSize();
    const QPointF centre(canvas.width() / 2.0, canvas.height() / 2.0);
    return (centre + (p - QPointF(photo.width() / 2.0, photo.height() / 2.0)) * canvas.effectiveScale()).toPoint();
}

// The class on row `row` of the class list as it is sorted now.
int classOnRow(const ClassPanel& panel, int row)
{
    return panel.view()->model()->index(row, ClassListModel::IndexColumn).data(ClassListModel::SortRole).toInt();
}

double cell(const ClassPanel& panel, int row, int column)
{
    return panel.view()->model()->index(row, column).data(ClassListModel::SortRole).toDouble();
}

} // namespace

class TestRegionQuery : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY(m_settingsDir.isValid());
        gce::test::useThrowawaySettings(m_settingsDir.path(), "tst_regionquery");
        QVERIFY(m_photoDir.isValid());
        m_photo = gce::test::isolatedDemoImage(m_photoDir, "cat_and_coffee.jpg");
    }

    void dragRanksAndFurtherBoxesReuse()
    {
        MainWindow window(options());
        QVERIFY(gce::test::showAndWait(window));
        CamWorker* worker = window.controller()->worker();
        ClassPanel* panel = window.findChild<ClassPanel*>();
        QVERIFY(panel);
        const int forward = worker->forwardPasses();
        const int backward = worker->backwardPasses();
        QCOMPARE(worker->classMapComputations(), 0);
        QVERIFY(panel->view()->isColumnHidden(ClassListModel::HereColumn));

        // Shift+drag around the cat (the photo's left half) on the first pane.
        ImageCanvas* canvas = window.paneStrip()->panes().front()->canvas();
        QSignalSpy shown(&window, &MainWindow::regionShown);
        QTest::mousePress(canvas, Qt::LeftButton, Qt::ShiftModifier, onCanvas(*canvas, {10, 10}));
        QTest::mouseRelease(canvas, Qt::LeftButton, Qt::ShiftModifier, onCanvas(*canvas, {590, 390}));
        QVERIFY(shown.wait(60000));
        const QRect catBox = window.region();
        QVERIFY2(catBox.width() > 500 && catBox.height() > 300 && catBox.left() < 40,
                 qPrintable(QString("the drag marked %1,%2 %3×%4").arg(catBox.x()).arg(catBox.y())
                                .arg(catBox.width()).arg(catBox.height())));
        for (ComparePane* pane : window.paneStrip()->panes())
            QCOMPARE(pane->canvas()->region(), catBox); // drawn on every pane
        QCOMPARE(worker->forwardPasses(), forward);      // the kept forward pass
        QCOMPARE(worker->classMapComputations(), 1);     // one ranking of every class
        QVERIFY(!panel->view()->isColumnHidden(ClassListModel::HereColumn));
        // Sorted by Here: highest first, and a cat on top.
        QVERIFY(cell(*panel, 0, ClassListModel::HereColumn) >= cell(*panel, 1, ClassListModel::HereColumn));
        QVERIFY2(QSet<int>({281, 282, 283, 284, 285}).contains(classOnRow(*panel, 0)),
                 qPrintable(QString("class %1 is first in the cat's box").arg(classOnRow(*panel, 0))));

        // A second box on the same photo: scores only, no backward pass.
        const int backwardAfterFirst = worker->backwardPasses();
        window.markRegion(QRect(740, 0, 340, 330));
        QVERIFY(shown.wait(60000));
        QCOMPARE(worker->forwardPasses(), forward);
        QCOMPARE(worker->backwardPasses(), backwardAfterFirst);
        QCOMPARE(worker->classMapComputations(), 1);
        QVERIFY(backwardAfterFirst >= backward);
        const QSet<int> cups{504, 967, 968}; // coffee mug, espresso, cup
        QVERIFY2(cups.contains(classOnRow(*panel, 0)) || cups.contains(classOnRow(*panel, 1)) ||
                     cups.contains(classOnRow(*panel, 2)),
                 "no cup, mug or espresso in the top 3 of the cup's box");

        // The Share column sorts too (its header, highest first).
        panel->view()->sortByColumn(ClassListModel::ShareColumn, Qt::DescendingOrder);
        QVERIFY(cell(*panel, 0, ClassListModel::ShareColumn) >= cell(*panel, 1, ClassListModel::ShareColumn));
        QVERIFY(cell(*panel, 0, ClassListModel::ShareColumn) <= 1.0);

        // The comparison export draws the box on the panes and a "Here" legend line.
        const QImage withRegion = window.renderExportImage(true);

        // Esc clears the region everywhere.
        window.action(MainWindow::ActionId::ClearRegion)->trigger();
        for (ComparePane* pane : window.paneStrip()->panes())
            QVERIFY(!isRegion(pane->canvas()->region()));
        QVERIFY(panel->view()->isColumnHidden(ClassListModel::HereColumn));
        const QImage without = window.renderExportImage(true);
        QVERIFY(withRegion.height() > without.height()); // the legend's line
        QCOMPARE(withRegion.width(), without.width());
        // The box's top edge (y = 0 is clipped: its left edge, x = 740) differs; a corner far from it does not.
        QVERIFY(withRegion.pixel(740, 150) != without.pixel(740, 150));
        QCOMPARE(withRegion.pixel(300, 380), without.pixel(300, 380));
    }

    // Boxes marked faster than they are ranked: newest wins, and the panel
    // ends with the last box's scores, none older painted after it.
    void rapidBoxesEndWithTheLast()
    {
        MainWindow window(options());
        QVERIFY(gce::test::showAndWait(window));
        QSignalSpy ready(window.controller(), &ExplorerController::regionReady);
        QRect last;
        for (int i = 0; i < 50; ++i) {
            last = QRect(10 + 20 * i, 20 + (i % 7) * 10, 60 + i, 50 + (i % 5) * 20);
            window.markRegion(last);
            if (i % 10 == 0)
                QCoreApplication::processEvents(); // some answers may arrive between boxes
        }
        const quint64 lastId = window.controller()->regionRequestId();
        QTRY_VERIFY_WITH_TIMEOUT(!ready.isEmpty() &&
                                     ready.last().at(0).value<RegionResult>().requestId == lastId,
                                 60000);
        QTest::qWait(300); // nothing older may follow
        const RegionResult final = ready.last().at(0).value<RegionResult>();
        QCOMPARE(final.requestId, lastId);
        QCOMPARE(final.region, last);
        quint64 previous = 0;
        for (const auto& arguments : ready) { // passed on in order, never an older one after a newer
            const quint64 id = arguments.at(0).value<RegionResult>().requestId;
            QVERIFY(id > previous);
            previous = id;
        }
        QVERIFY(ready.size() < 50); // superseded boxes were dropped, not all computed and shown
        ClassPanel* panel = window.findChild<ClassPanel*>();
        const int top = classOnRow(*panel, 0);
        QCOMPARE(cell(*panel, 0, ClassListModel::HereColumn), double(final.here[top]));
        QCOMPARE(window.controller()->worker()->classMapComputations(), 1);
    }

    // Methods that are not linear in the gradient say so and nothing is lost.
    void unsupportedMethodSaysSo()
    {
        MainWindow window(options());
        QVERIFY(gce::test::showAndWait(window));
        // The focused pane's method menu (its Here column's), as a user picks it.
        auto* method = window.paneStrip()->focusedPane()->findChild<QComboBox*>();
        QVERIFY(method);
        QSignalSpy shown(&window, &MainWindow::resultShown);
        method->setCurrentIndex(method->findData(QStringLiteral("gradcam++")));
        QVERIFY(shown.wait(60000));
        QSignalSpy failed(window.controller(), &ExplorerController::regionFailed);
        window.markRegion(QRect(100, 100, 50, 50));
        QVERIFY(failed.wait(60000));
        QVERIFY2(failed.first().at(0).toString().contains("not offered for region ranking"),
                 qPrintable(failed.first().at(0).toString()));
        QVERIFY(window.messageText().contains("not offered for region ranking"));
        QCOMPARE(window.paneStrip()->panes().front()->canvas()->region(), QRect(100, 100, 50, 50));
    }

private:
    StartOptions options() const
    {
        StartOptions options;
        options.imagePath = m_photo;
        options.modelName = QStringLiteral("squeezenet1_1");
        options.weightsPath = bundledWeights();
        options.classes = {-1, -2};
        return options;
    }

    QTemporaryDir m_settingsDir;
    QTemporaryDir m_photoDir;
    QString m_photo;
};

QTEST_MAIN(TestRegionQuery)
#include "tst_regionquery.moc"
