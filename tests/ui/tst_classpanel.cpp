// The class panel: search filter, sorting, the current/top-5 labels, and
// classActivated firing once per user choice and never for programmatic ones.
#include <QtTest>

#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QTableView>
#include <QTextDocument>

#include "testsupport.h"
#include "ui/panels/classlistmodel.h"
#include "ui/panels/classpanel.h"

using gce::ui::ClassFilterProxy;
using gce::ui::ClassListModel;
using gce::ui::ClassPanel;

namespace {

// A confident "Egyptian cat" image; the rest share the remainder equally so
// ties (broken by index) are exercised too.
QVector<float> fakeProbabilities()
{
    QVector<float> p(1000);
    const float rest = (1.0f - 0.662f - 0.140f - 0.050f - 0.030f - 0.020f) / 995.0f;
    p.fill(rest);
    p[285] = 0.662f; // Egyptian cat
    p[281] = 0.140f; // tabby
    p[282] = 0.050f; // tiger cat
    p[283] = 0.030f; // Persian cat
    p[211] = 0.020f; // vizsla
    return p;
}

QList<int> sourceRows(const ClassFilterProxy& proxy)
{
    QList<int> rows;
    for (int r = 0; r < proxy.rowCount(); ++r)
        rows.append(proxy.mapToSource(proxy.index(r, 0)).row());
    return rows;
}

int classAtRow(const ClassPanel& panel, int row)
{
    return panel.view()->model()->index(row, ClassListModel::IndexColumn).data().toInt();
}

int currentRowClass(const ClassPanel& panel)
{
    const QModelIndex current = panel.view()->currentIndex();
    return current.isValid() ? current.siblingAtColumn(ClassListModel::IndexColumn).data().toInt() : -1;
}

QString plainText(const QLabel* label)
{
    QTextDocument document;
    document.setHtml(label->text());
    return document.toPlainText().replace(QChar(0x00A0), QLatin1Char(' '));
}

void clickRow(ClassPanel& panel, int row)
{
    QTableView* view = panel.view();
    const QRect rect = view->visualRect(view->model()->index(row, ClassListModel::NameColumn));
    QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::NoModifier, rect.center());
}

} // namespace

class TestClassPanel : public QObject {
    Q_OBJECT
private:
    QStringList m_labels;

    // A shown, active panel so clicks, key presses and focus behave as for a user.
    std::unique_ptr<ClassPanel> makePanel(bool withProbabilities)
    {
        auto panel = std::make_unique<ClassPanel>();
        panel->setLabels(m_labels);
        if (withProbabilities)
            panel->setProbabilities(fakeProbabilities());
        panel->resize(400, 600);
        panel->show();
        panel->activateWindow();
        if (!QTest::qWaitForWindowActive(panel.get()))
            qWarning("panel window did not become active");
        return panel;
    }

private slots:
    void initTestCase()
    {
        QFile file(gce::test::sourceDir() + QStringLiteral("/resources/labels/imagenet1k.txt"));
        QVERIFY2(file.open(QIODevice::ReadOnly | QIODevice::Text), qPrintable(file.fileName()));
        m_labels = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(m_labels.size(), 1000);
        QCOMPARE(m_labels.at(285), QStringLiteral("Egyptian cat"));
    }

    void filterByName()
    {
        ClassListModel model;
        model.setLabels(m_labels);
        ClassFilterProxy proxy;
        proxy.setSourceModel(&model);
        QCOMPARE(proxy.rowCount(), 1000);

        proxy.setSearchText(QStringLiteral("viz"));
        QCOMPARE(sourceRows(proxy), QList<int>{211});

        proxy.setSearchText(QStringLiteral("CAT"));
        const QList<int> cats = sourceRows(proxy);
        QVERIFY(cats.contains(285));
        QVERIFY(cats.contains(281) == m_labels.at(281).contains(QLatin1String("cat"), Qt::CaseInsensitive));
        QVERIFY(cats.contains(282)); // tiger cat
        for (const int row : cats)
            QVERIFY2(m_labels.at(row).contains(QLatin1String("cat"), Qt::CaseInsensitive), qPrintable(m_labels.at(row)));

        proxy.setSearchText(QStringLiteral("zzz"));
        QCOMPARE(proxy.rowCount(), 0);

        proxy.setSearchText(QStringLiteral("  Vizs \t"));
        QCOMPARE(sourceRows(proxy), QList<int>{211});

        proxy.setSearchText(QStringLiteral("   "));
        QCOMPARE(proxy.rowCount(), 1000);
    }

    void filterByIndex()
    {
        ClassListModel model;
        model.setLabels(m_labels);
        ClassFilterProxy proxy;
        proxy.setSourceModel(&model);

        proxy.setSearchText(QStringLiteral("515"));
        QVERIFY(sourceRows(proxy).contains(515));
        proxy.setSearchText(QStringLiteral(" 211 "));
        QCOMPARE(sourceRows(proxy), QList<int>{211});
        proxy.setSearchText(QStringLiteral("0"));
        QCOMPARE(sourceRows(proxy), QList<int>{0});
        proxy.setSearchText(QStringLiteral("1000"));
        QCOMPARE(proxy.rowCount(), 0);
        proxy.setSearchText(QStringLiteral("-5"));
        QCOMPARE(proxy.rowCount(), 0);
    }

    void modelColumns()
    {
        ClassListModel model;
        model.setLabels(m_labels);
        QCOMPARE(model.columnCount(), 5); // #, class, prob., and a region's Here and Share
        const QModelIndex probability = model.index(285, ClassListModel::ProbabilityColumn);
        QCOMPARE(probability.data().toString(), QStringLiteral("–"));
        QCOMPARE(model.index(285, ClassListModel::NameColumn).data().toString(), QStringLiteral("Egyptian cat"));
        QCOMPARE(model.index(285, ClassListModel::IndexColumn).data(ClassListModel::SortRole).toInt(), 285);
        QVERIFY(model.index(285, ClassListModel::IndexColumn).data(Qt::TextAlignmentRole).value<Qt::Alignment>()
                & Qt::AlignRight);

        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setProbabilities(fakeProbabilities());
        QCOMPARE(reset.count(), 0);
        QCOMPARE(changed.count(), 1);
        const QModelIndex from = changed.at(0).at(0).value<QModelIndex>();
        const QModelIndex to = changed.at(0).at(1).value<QModelIndex>();
        QCOMPARE(from.column(), int(ClassListModel::ProbabilityColumn));
        QCOMPARE(to.column(), int(ClassListModel::ProbabilityColumn));
        QCOMPARE(to.row() - from.row() + 1, 1000);

        QCOMPARE(probability.data().toString(), QStringLiteral("66.2%"));
        QCOMPARE(model.index(211, ClassListModel::ProbabilityColumn).data().toString(), QStringLiteral("2.00%"));
        QCOMPARE(model.index(0, ClassListModel::ProbabilityColumn).data().toString(), QStringLiteral("0.01%"));
        QCOMPARE(probability.data(ClassListModel::SortRole).toDouble(), double(0.662f));
        // Full float precision, not the display rounding.
        QVERIFY(model.index(0, ClassListModel::ProbabilityColumn).data(Qt::ToolTipRole).toString().contains(
            QString::number(double(fakeProbabilities().at(0)), 'g', 9)));
    }

    void sortByProbabilityAndIndex()
    {
        auto panel = makePanel(false);
        QTableView* view = panel->view();
        // Unknown probabilities: by index.
        QCOMPARE(classAtRow(*panel, 0), 0);
        QCOMPARE(classAtRow(*panel, 1), 1);

        // Known: most likely first, ties by index.
        panel->setProbabilities(fakeProbabilities());
        const QList<int> expected{285, 281, 282, 283, 211, 0, 1};
        for (int row = 0; row < expected.size(); ++row)
            QCOMPARE(classAtRow(*panel, row), expected.at(row));

        // Header clicks, as the user sorts.
        QHeaderView* header = view->horizontalHeader();
        const auto clickHeader = [&](int column) {
            const QPoint at(header->sectionViewportPosition(column) + header->sectionSize(column) / 2,
                            header->height() / 2);
            QTest::mouseClick(header->viewport(), Qt::LeftButton, Qt::NoModifier, at);
        };
        clickHeader(ClassListModel::IndexColumn);
        QCOMPARE(classAtRow(*panel, 0), 0);
        QCOMPARE(classAtRow(*panel, 999), 999);
        clickHeader(ClassListModel::IndexColumn);
        QCOMPARE(classAtRow(*panel, 0), 999);
        clickHeader(ClassListModel::ProbabilityColumn); // first click: descending
        QCOMPARE(classAtRow(*panel, 0), 285);
        QCOMPARE(classAtRow(*panel, 1), 281);
        clickHeader(ClassListModel::ProbabilityColumn);
        QCOMPARE(classAtRow(*panel, 999), 285);

        // Probabilities gone again: back to index order.
        panel->setProbabilities({});
        QCOMPARE(classAtRow(*panel, 0), 0);
    }

    void clickEmitsOnce()
    {
        auto panel = makePanel(true);
        panel->setCurrentClass(285);
        QSignalSpy spy(panel.get(), &ClassPanel::classActivated);
        clickRow(*panel, 1); // tabby
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).toInt(), 281);
        QCOMPARE(panel->currentClass(), 281);
        clickRow(*panel, 1); // same row: no change
        QCOMPARE(spy.count(), 1);
        clickRow(*panel, 0);
        QCOMPARE(spy.count(), 2);
        QCOMPARE(spy.at(1).at(0).toInt(), 285);
    }

    void upDownKeysEmitOnce()
    {
        auto panel = makePanel(true);
        panel->setCurrentClass(285);
        QSignalSpy spy(panel.get(), &ClassPanel::classActivated);
        panel->view()->setFocus();
        QTest::keyClick(panel->view(), Qt::Key_Down);
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).toInt(), 281);
        QTest::keyClick(panel->view(), Qt::Key_Down);
        QCOMPARE(spy.count(), 2);
        QCOMPARE(spy.at(1).at(0).toInt(), 282);
        QTest::keyClick(panel->view(), Qt::Key_Up);
        QCOMPARE(spy.count(), 3);
        QCOMPARE(spy.at(2).at(0).toInt(), 281);
        QTest::keyClick(panel->view(), Qt::Key_Up);
        QTest::keyClick(panel->view(), Qt::Key_Up); // already at the top
        QCOMPARE(spy.count(), 4);
        QCOMPARE(panel->currentClass(), 285);
    }

    void enterInSearchEmitsOnce()
    {
        auto panel = makePanel(true);
        panel->setCurrentClass(0);
        QSignalSpy spy(panel.get(), &ClassPanel::classActivated);
        panel->searchField()->setFocus();
        QTest::keyClicks(panel->searchField(), QStringLiteral("cat"));
        QCOMPARE(spy.count(), 0);
        QTest::keyClick(panel->searchField(), Qt::Key_Return);
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).toInt(), 285); // the most likely cat
        QCOMPARE(currentRowClass(*panel), 285);
        QCOMPARE(QApplication::focusWidget(), panel->view());
        QTest::keyClick(panel->view(), Qt::Key_Down); // next cat in the filtered list
        QCOMPARE(spy.count(), 2);
        QCOMPARE(spy.at(1).at(0).toInt(), 282);
    }

    void downInSearchFocusesList()
    {
        auto panel = makePanel(true);
        QSignalSpy spy(panel.get(), &ClassPanel::classActivated);
        panel->searchField()->setFocus();
        QCOMPARE(QApplication::focusWidget(), panel->searchField());
        QTest::keyClick(panel->searchField(), Qt::Key_Down);
        QCOMPARE(QApplication::focusWidget(), panel->view());
        QCOMPARE(spy.count(), 0); // focus alone picks nothing
        QTest::keyClick(panel->view(), Qt::Key_Down); // no current yet: the first row
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).toInt(), 285);
    }

    void typingInListGoesToSearch()
    {
        auto panel = makePanel(true);
        panel->setCurrentClass(285);
        QSignalSpy spy(panel.get(), &ClassPanel::classActivated);
        panel->view()->setFocus();
        QTest::keyClicks(panel->view(), QStringLiteral("viz"));
        QCOMPARE(panel->searchField()->text(), QStringLiteral("viz"));
        QCOMPARE(panel->view()->model()->rowCount(), 1);
        QCOMPARE(spy.count(), 0);
    }

    void programmaticChangesDoNotEmit()
    {
        auto panel = makePanel(false);
        QSignalSpy spy(panel.get(), &ClassPanel::classActivated);
        panel->setCurrentClass(285);
        QCOMPARE(panel->currentClass(), 285);
        QCOMPARE(currentRowClass(*panel), 285);
        panel->setProbabilities(fakeProbabilities()); // re-sorts
        QCOMPARE(currentRowClass(*panel), 285);
        panel->setProbabilities(fakeProbabilities());
        panel->view()->sortByColumn(ClassListModel::IndexColumn, Qt::AscendingOrder);
        QCOMPARE(currentRowClass(*panel), 285);

        // Filtering keeps the current class selected while it is visible.
        panel->searchField()->setFocus();
        QTest::keyClicks(panel->searchField(), QStringLiteral("cat"));
        QCOMPARE(currentRowClass(*panel), 285);
        panel->searchField()->clear();
        QTest::keyClicks(panel->searchField(), QStringLiteral("viz"));
        QCOMPARE(currentRowClass(*panel), -1);
        QCOMPARE(panel->view()->selectionModel()->selectedRows().size(), 0);
        panel->searchField()->clear();
        QCOMPARE(currentRowClass(*panel), 285);
        QCOMPARE(panel->view()->selectionModel()->selectedRows().size(), 1);

        panel->setCurrentClass(211);
        panel->setLabels(m_labels);
        QCOMPARE(spy.count(), 0);
        QCOMPARE(panel->currentClass(), 211);
    }

    void currentAndRankLabel()
    {
        auto panel = makePanel(false);
        const auto* current = panel->findChild<QLabel*>(QStringLiteral("currentClassLabel"));
        QVERIFY(current);
        panel->setCurrentClass(285);
        QCOMPARE(current->text(), QStringLiteral("Egyptian cat (285)"));
        panel->setProbabilities(fakeProbabilities());
        QCOMPARE(current->text(), QStringLiteral("Egyptian cat (285) — 66.2%, rank 1 of 1000"));
        panel->setCurrentClass(281);
        QCOMPARE(current->text(), QStringLiteral("tabby (281) — 14.0%, rank 2 of 1000"));
        panel->setCurrentClass(211);
        QCOMPARE(current->text(), QStringLiteral("vizsla (211) — 2.00%, rank 5 of 1000"));
        // Ties: lower index ranks first.
        panel->setCurrentClass(0);
        QCOMPARE(current->text(), QStringLiteral("tench (0) — 0.01%, rank 6 of 1000"));
        panel->setCurrentClass(999);
        QVERIFY(current->text().endsWith(QLatin1String("rank 1000 of 1000")));
        // The label follows user choices too.
        clickRow(*panel, 0);
        QCOMPARE(current->text(), QStringLiteral("Egyptian cat (285) — 66.2%, rank 1 of 1000"));
    }

    void topFiveLabel()
    {
        auto panel = makePanel(false);
        const auto* top = panel->findChild<QLabel*>(QStringLiteral("topClassesLabel"));
        QVERIFY(top);
        QVERIFY(!plainText(top).contains(QLatin1String("Egyptian")));
        panel->setProbabilities(fakeProbabilities());
        const QString text = plainText(top);
        QVERIFY2(text.startsWith(QStringLiteral("Top 5: 285 Egyptian cat 66.2% · 281 tabby 14.0% · ")), qPrintable(text));
        QVERIFY2(text.endsWith(QStringLiteral("282 tiger cat 5.00% · 283 Persian cat 3.00% · 211 vizsla 2.00%")),
                 qPrintable(text));
    }

    // GCE_SCREENSHOT_DIR=/tmp ./tst_classpanel screenshot: what a user sees,
    // before and after an image has been analysed.
    void screenshot()
    {
        const QString dir = qEnvironmentVariable("GCE_SCREENSHOT_DIR");
        if (dir.isEmpty())
            QSKIP("set GCE_SCREENSHOT_DIR to save classpanel.png");
        auto panel = makePanel(false);
        QVERIFY(panel->grab().save(QDir(dir).filePath(QStringLiteral("classpanel-noimage.png"))));
        panel->setProbabilities(fakeProbabilities());
        panel->setCurrentClass(285);
        QCoreApplication::processEvents(); // the wrapped top-5 label relayouts on LayoutRequest
        QVERIFY(panel->grab().save(QDir(dir).filePath(QStringLiteral("classpanel.png"))));
    }
};

QTEST_MAIN(TestClassPanel)
#include "tst_classpanel.moc"
