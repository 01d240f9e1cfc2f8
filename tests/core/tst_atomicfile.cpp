// core/support/atomicfile.h: the one writer of the CLI's and the explorer's
// output files. A file is written whole or not at all, a refused replace
// leaves the existing file as it was, and no temporary is ever left behind.
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <string>

#include "core/errors.h"
#include "core/support/atomicfile.h"

using namespace gce;

namespace {

QByteArray readAll(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

void write(const QString& path, const QByteArray& bytes, Replace replace = Replace::Allowed)
{
    writeFileAtomically(QFile::encodeName(path).toStdString(), bytes.constData(), std::size_t(bytes.size()), replace);
}

QStringList entries(const QTemporaryDir& dir)
{
    return QDir(dir.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot);
}

} // namespace

class TestAtomicFile : public QObject {
    Q_OBJECT
private slots:
    void writesNewFile();
    void replacesWhenAllowed();
    void refusedReplaceKeepsTheFile();
    void missingFolderSaysWhy();
};

void TestAtomicFile::writesNewFile()
{
    QTemporaryDir dir;
    const QString path = dir.filePath("out.bin");
    const QByteArray bytes("\x00\x01 whole file \xff", 16);
    for (Replace replace : {Replace::Allowed, Replace::Refused}) {
        QFile::remove(path);
        write(path, bytes, replace);
        QCOMPARE(readAll(path), bytes);
        QCOMPARE(entries(dir), QStringList{"out.bin"}); // the temporary took the name
    }
}

void TestAtomicFile::replacesWhenAllowed()
{
    QTemporaryDir dir;
    const QString path = dir.filePath("out.bin");
    write(path, "old bytes, longer than the new ones");
    write(path, "new");
    QCOMPARE(readAll(path), QByteArray("new"));
    QCOMPARE(entries(dir), QStringList{"out.bin"});
}

void TestAtomicFile::refusedReplaceKeepsTheFile()
{
    QTemporaryDir dir;
    const QString path = dir.filePath("precious.png");
    write(path, "precious bytes");
    try {
        write(path, "other bytes", Replace::Refused);
        QFAIL("an existing file was replaced");
    } catch (const InputError& e) {
        QVERIFY2(std::string(e.what()).find("already exists") != std::string::npos, e.what());
    }
    QCOMPARE(readAll(path), QByteArray("precious bytes"));
    QCOMPARE(entries(dir), QStringList{"precious.png"});
}

void TestAtomicFile::missingFolderSaysWhy()
{
    QTemporaryDir dir;
    const QString path = dir.filePath("no/such/folder/out.png");
    try {
        write(path, "bytes");
        QFAIL("wrote into a missing folder");
    } catch (const InputError& e) {
        const std::string message = e.what();
        QVERIFY2(message.find("cannot write \"" + QFile::encodeName(path).toStdString() + "\": ") == 0, e.what());
        QVERIFY2(message.find("No such file or directory") != std::string::npos, e.what());
    }
    QVERIFY(entries(dir).isEmpty());
}

QTEST_GUILESS_MAIN(TestAtomicFile)
#include "tst_atomicfile.moc"
