// The torch hub cache search: which folders, in which order, which file wins,
// with TORCH_HOME / XDG_CACHE_HOME / HOME pointed at temporary folders (the
// user's real cache is never looked at).
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <cstdlib>
#include <optional>

#include "core/errors.h"
#include "core/models/modelspecs.h"
#include "core/support/weightscache.h"

using namespace gce;

namespace {

const char* const kVariables[] = {"TORCH_HOME", "XDG_CACHE_HOME", "HOME"};

void setVariable(const char* name, const QString& value)
{
    QVERIFY(::setenv(name, QFile::encodeName(value).constData(), 1) == 0);
}

void touch(const QString& path)
{
    QVERIFY(QDir().mkpath(QFileInfo(path).path()));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("name only: the cache search does not read the file");
}

QStringList toQt(const std::vector<std::string>& list)
{
    QStringList out;
    for (const auto& item : list)
        out << QString::fromStdString(item);
    return out;
}

// The InputError that resolving `model`'s weights without an argument
// throws; "resolved" when something was found instead.
QString missingWeightsMessage(const std::string& model)
{
    try {
        resolveWeightsArgument(model, std::nullopt);
        return QStringLiteral("resolved");
    } catch (const InputError& error) {
        return QString::fromUtf8(error.what());
    }
}

QString found(const std::string& model)
{
    const auto path = findCachedWeights(modelSpec(model));
    return path ? QString::fromStdString(*path) : QString();
}

} // namespace

class TestWeightsCache : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        for (const char* name : kVariables)
            if (const char* value = std::getenv(name))
                m_saved[name] = QString::fromLocal8Bit(value);
    }

    void cleanupTestCase()
    {
        for (const char* name : kVariables) {
            if (m_saved.contains(name))
                setVariable(name, m_saved.value(name));
            else
                ::unsetenv(name);
        }
    }

    // Every test starts with the three candidate folders set and created.
    void init()
    {
        m_tmp.reset(new QTemporaryDir);
        QVERIFY(m_tmp->isValid());
        setVariable("TORCH_HOME", m_tmp->filePath("torchhome"));
        setVariable("XDG_CACHE_HOME", m_tmp->filePath("xdg"));
        setVariable("HOME", m_tmp->filePath("home"));
        for (const QString& dir : {torchHomeDir(), xdgDir(), homeDir()})
            QVERIFY(QDir().mkpath(dir));
    }

    void searchesAllThreeInOrder()
    {
        QCOMPARE(toQt(torchHubSearchDirs()), (QStringList{torchHomeDir(), xdgDir(), homeDir()}));
        QCOMPARE(QString::fromStdString(torchHubCheckpointsDir()), torchHomeDir());
    }

    void firstFolderWithTheFileWins()
    {
        QVERIFY(found("resnet18").isEmpty());
        touch(homeDir() + "/resnet18-f37072fd.pth");
        QCOMPARE(found("resnet18"), homeDir() + "/resnet18-f37072fd.pth");
        touch(xdgDir() + "/resnet18-f37072fd.pth");
        QCOMPARE(found("resnet18"), xdgDir() + "/resnet18-f37072fd.pth");
        touch(torchHomeDir() + "/resnet18-f37072fd.pth");
        QCOMPARE(found("resnet18"), torchHomeDir() + "/resnet18-f37072fd.pth");
        QVERIFY(found("resnet34").isEmpty()); // another model's file is not a hit
    }

    void folderOrderBeforeFilePreference()
    {
        // resnet50: IMAGENET1K_V2 (11ad3fa6) is preferred over V1 (0676ba61).
        touch(xdgDir() + "/resnet50-11ad3fa6.pth");
        touch(xdgDir() + "/resnet50-0676ba61.pth");
        QCOMPARE(found("resnet50"), xdgDir() + "/resnet50-11ad3fa6.pth");
        touch(torchHomeDir() + "/resnet50-0676ba61.pth");
        QCOMPARE(found("resnet50"), torchHomeDir() + "/resnet50-0676ba61.pth");
    }

    void ignoresPartialDownloadsAndFolders()
    {
        touch(torchHomeDir() + "/resnet18-f37072fd.pth.part");
        QVERIFY(QDir().mkpath(xdgDir() + "/resnet18-f37072fd.pth"));
        QVERIFY(found("resnet18").isEmpty());
    }

    void skipsUnsetAndEmptyVariables()
    {
        setVariable("TORCH_HOME", QString());
        QCOMPARE(toQt(torchHubSearchDirs()), (QStringList{xdgDir(), homeDir()}));
        QCOMPARE(QString::fromStdString(torchHubCheckpointsDir()), xdgDir());

        ::unsetenv("TORCH_HOME");
        ::unsetenv("XDG_CACHE_HOME");
        QCOMPARE(toQt(torchHubSearchDirs()), QStringList{homeDir()});
        QCOMPARE(QString::fromStdString(torchHubCheckpointsDir()), homeDir());
        touch(homeDir() + "/squeezenet1_1-b8a52dc0.pth");
        QCOMPARE(found("squeezenet1_1"), homeDir() + "/squeezenet1_1-b8a52dc0.pth");
    }

    void skipsMissingFoldersButDownloadsToTorchHome()
    {
        QVERIFY(QDir(m_tmp->filePath("torchhome")).removeRecursively());
        touch(homeDir() + "/resnet18-f37072fd.pth");
        QCOMPARE(toQt(torchHubSearchDirs()), (QStringList{xdgDir(), homeDir()}));
        QCOMPARE(found("resnet18"), homeDir() + "/resnet18-f37072fd.pth");
        // torch.hub's rule for downloads does not care whether the folder exists.
        QCOMPARE(QString::fromStdString(torchHubCheckpointsDir()), torchHomeDir());
    }

    void listsOneFolderOnce()
    {
        setVariable("TORCH_HOME", m_tmp->filePath("xdg/torch"));
        QCOMPARE(toQt(torchHubSearchDirs()), (QStringList{xdgDir(), homeDir()}));
    }

    void resolvesTheWeightsArgument()
    {
        QCOMPARE(resolveWeightsArgument("resnet18", std::string("none")), std::string());
        QCOMPARE(resolveWeightsArgument("resnet18", std::string("/my/own.pth")), std::string("/my/own.pth"));
        QVERIFY_THROWS_EXCEPTION(UsageError, resolveWeightsArgument("resnet9", std::nullopt));
        const QString message = missingWeightsMessage("resnet18");
        QVERIFY2(message.contains("resnet18-f37072fd.pth"), qPrintable(message));
        QVERIFY2(message.contains(xdgDir()), qPrintable(message)); // where it looked
        QVERIFY2(message.contains("into " + torchHomeDir()), qPrintable(message)); // where to put it
        QVERIFY(!message.contains(u'\n'));
        touch(homeDir() + "/resnet18-f37072fd.pth");
        QCOMPARE(QString::fromStdString(resolveWeightsArgument("resnet18", std::nullopt)),
                 homeDir() + "/resnet18-f37072fd.pth");
    }

    // The bundled SqueezeNet 1.1 (resources/models): found for squeezenet1_1
    // after the cache, for no other model; the missing-weights message of
    // another model names it as the way to go on offline.
    void bundledModelComesAfterTheCache()
    {
        const auto bundled = bundledWeights(modelSpec("squeezenet1_1"));
        QVERIFY2(bundled, "resources/models/squeezenet1_1-imagenet.pth is not found from the build tree");
        QVERIFY(QString::fromStdString(*bundled).endsWith("/models/squeezenet1_1-imagenet.pth"));
        QCOMPARE(bundledModelName(), std::string("squeezenet1_1"));
        QVERIFY(!bundledWeights(modelSpec("resnet18")));
        QVERIFY(!bundledWeights(modelSpec("squeezenet1_0")));
        QCOMPARE(findWeights(modelSpec("squeezenet1_1")), bundled);
        QCOMPARE(resolveWeightsArgument("squeezenet1_1", std::nullopt), *bundled);
        touch(xdgDir() + "/squeezenet1_1-b8a52dc0.pth"); // torchvision's own file wins
        QCOMPARE(QString::fromStdString(*findWeights(modelSpec("squeezenet1_1"))),
                 xdgDir() + "/squeezenet1_1-b8a52dc0.pth");
        const QString message = missingWeightsMessage("resnet18");
        QVERIFY2(message.contains("--model squeezenet1_1"), qPrintable(message));
        QVERIFY(!message.contains(u'\n'));
    }

private:
    QString torchHomeDir() const { return m_tmp->filePath("torchhome/hub/checkpoints"); }
    QString xdgDir() const { return m_tmp->filePath("xdg/torch/hub/checkpoints"); }
    QString homeDir() const { return m_tmp->filePath("home/.cache/torch/hub/checkpoints"); }

    QMap<QString, QString> m_saved;
    std::unique_ptr<QTemporaryDir> m_tmp;
};

QTEST_GUILESS_MAIN(TestWeightsCache)
#include "tst_weightscache.moc"
