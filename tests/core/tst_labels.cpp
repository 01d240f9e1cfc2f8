#include <QtTest>

#include "core/errors.h"
#include "core/support/labels.h"

using namespace gce;

namespace {
QString errorOf(const std::string& query)
{
    try {
        LabelSet::imageNet().resolve(query);
    } catch (const UsageError& error) {
        return QString::fromUtf8(error.what());
    }
    return {};
}
} // namespace

class TestLabels : public QObject {
    Q_OBJECT
private slots:
    void torchvisionOrder()
    {
        const LabelSet& labels = LabelSet::imageNet();
        QCOMPARE(labels.size(), 1000);
        QCOMPARE(QString::fromStdString(labels.name(0)), QString("tench"));
        QCOMPARE(QString::fromStdString(labels.name(211)), QString("vizsla"));
        QCOMPARE(QString::fromStdString(labels.name(285)), QString("Egyptian cat"));
        QCOMPARE(QString::fromStdString(labels.name(515)), QString("cowboy hat"));
        QCOMPARE(QString::fromStdString(labels.name(999)), QString("toilet tissue"));
    }

    void resolve()
    {
        const LabelSet& labels = LabelSet::imageNet();
        QCOMPARE(labels.resolve("515"), 515);
        QCOMPARE(labels.resolve("Cowboy Hat"), 515);
        QCOMPARE(labels.resolve("egyptian cat"), 285);
        QCOMPARE(labels.resolve("0"), 0);
        QCOMPARE(labels.resolve("Cardigan"), 264); // exact case wins over the
        QCOMPARE(labels.resolve("cardigan"), 474); // case-insensitive match
    }

    void resolveErrors()
    {
        QVERIFY(errorOf("1000").contains("out of range"));
        QVERIFY(errorOf("no such label").contains("unknown class \"no such label\""));
        QVERIFY(errorOf("vizla").contains("vizsla")); // suggestion for a typo
        const QString ambiguous = errorOf("CARDIGAN");
        QVERIFY(ambiguous.contains("ambiguous"));
        QVERIFY(ambiguous.contains("264") && ambiguous.contains("474"));
    }

    void search()
    {
        const LabelSet& labels = LabelSet::imageNet();
        QVERIFY(labels.search("viz") == std::vector<int>{211});
        const auto cats = labels.search("CAT");
        QVERIFY(std::find(cats.begin(), cats.end(), 285) != cats.end());
        const auto byIndex = labels.search("515");
        QVERIFY(std::find(byIndex.begin(), byIndex.end(), 515) != byIndex.end());
        QVERIFY(labels.search("zzzz").empty());
        const LabelSet numbered = LabelSet::numbered(3);
        QCOMPARE(QString::fromStdString(numbered.name(2)), QString("class 2"));
    }
};

QTEST_GUILESS_MAIN(TestLabels)
#include "tst_labels.moc"
