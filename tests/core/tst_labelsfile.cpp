// Labels files for models with their own classes (core/support/labelsfile.h):
// the three formats, and one-line refusals of everything else.
#include <QTemporaryDir>
#include <QtTest>

#include "core/errors.h"
#include "core/support/labelsfile.h"

using namespace gce;

namespace {
using Names = std::vector<std::string>;

QString refusal(const std::string& text)
{
    try {
        parseLabelsText(text, "f.txt");
    } catch (const InputError& error) {
        return QString::fromStdString(error.what());
    }
    return {};
}
} // namespace

class TestLabelsFile : public QObject {
    Q_OBJECT
private slots:
    void formats_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QStringList>("names");
        const QStringList abc{"cat", "dog", "sea lion"};
        QTest::newRow("lines") << QByteArray("cat\ndog\nsea lion\n") << abc;
        QTest::newRow("lines, CRLF, spaces, no final newline") << QByteArray("  cat \r\ndog\r\n\tsea lion") << abc;
        QTest::newRow("lines, trailing blank lines") << QByteArray("cat\ndog\nsea lion\n\n\n") << abc;
        QTest::newRow("lines, BOM") << QByteArray("\xEF\xBB\xBF" "cat\ndog\nsea lion\n") << abc;
        QTest::newRow("lines, UTF-8") << QByteArray("ch\xC3\xA2teau\n") << QStringList{"ch\u00e2teau"};
        QTest::newRow("JSON list") << QByteArray(R"(["cat", "dog", "sea lion"])") << abc;
        QTest::newRow("JSON map in order") << QByteArray(R"({"0": "cat", "1": "dog", "2": "sea lion"})") << abc;
        QTest::newRow("JSON map out of order") << QByteArray(R"( {"2": "sea lion", "0": "cat", "1": "dog"})") << abc;
    }

    void formats()
    {
        QFETCH(QByteArray, text);
        QFETCH(QStringList, names);
        QStringList parsed;
        for (const auto& name : parseLabelsText(text.toStdString()))
            parsed << QString::fromStdString(name);
        QCOMPARE(parsed, names);
    }

    void refusals_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("reason");
        QTest::newRow("empty") << QByteArray("") << "no names";
        QTest::newRow("blank") << QByteArray(" \n\n") << "no names";
        QTest::newRow("gap in lines") << QByteArray("cat\n\ndog\n") << "line 2 is empty";
        QTest::newRow("binary") << QByteArray("cat\0dog", 7) << "binary";
        QTest::newRow("bad JSON") << QByteArray("[\"cat\", ") << "not valid JSON";
        QTest::newRow("JSON number") << QByteArray("[\"cat\", 3]") << "entry 1 is not a string";
        QTest::newRow("JSON empty name") << QByteArray("[\"cat\", \" \"]") << "entry 1 is an empty name";
        QTest::newRow("JSON nested") << QByteArray("[[\"cat\"]]") << "nested";
        QTest::newRow("JSON deep") << QByteArray(100000, '[') << "nested";
        QTest::newRow("JSON empty list") << QByteArray("[]") << "no names";
        QTest::newRow("map gap") << QByteArray(R"({"0": "cat", "2": "dog"})") << "index 2 is out of range";
        QTest::newRow("map key") << QByteArray(R"({"zero": "cat"})") << "key \"zero\" is not a class index";
        QTest::newRow("map negative") << QByteArray(R"({"-1": "cat"})") << "is not a class index";
        QTest::newRow("map huge index") << QByteArray(R"({"99999999999": "cat"})") << "is not a class index";
        QTest::newRow("map key with a line break") << QByteArray("{\"2\\n\": \"x\"}") << "key \"2?\" is not";
        QTest::newRow("JSON name with a line break") << QByteArray("[\"a\\nb\"]") << "has a line break";
        QTest::newRow("map duplicate") << QByteArray(R"({"0": "cat", "00": "dog"})") << "appears twice";
    }

    void refusals()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, reason);
        const QString message = refusal(text.toStdString());
        QVERIFY2(message.startsWith("cannot read labels \"f.txt\": "), qPrintable(message));
        QVERIFY2(message.contains(reason), qPrintable(message));
        QVERIFY2(!message.contains('\n'), qPrintable(message));
    }

    void files()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("labels.txt");
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("a\nb\n");
        file.close();
        QCOMPARE(readLabelsFile(path.toStdString()), (Names{"a", "b"}));
        for (const QString& bad : {dir.filePath("missing.txt"), dir.path()}) {
            try {
                readLabelsFile(bad.toStdString());
                QFAIL("no error");
            } catch (const InputError& error) {
                QVERIFY(QString(error.what()).contains(bad));
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestLabelsFile)
#include "tst_labelsfile.moc"
