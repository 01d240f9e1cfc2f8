#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSettings>
#include <QCoreApplication>
#include <QTest>

namespace gce::test {

QString sourceDir() { return QStringLiteral(GCE_SOURCE_DIR); }

QString fixturesDir(const QString& fixture)
{
    return QDir(QStringLiteral(GCE_FIXTURES_DIR)).filePath(fixture);
}

QString sharedModelsDir() { return QDir::cleanPath(QStringLiteral(GCE_SHARED_MODELS_DIR)); }

QJsonDocument readJson(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll());
}

QJsonObject manifestEntry(const QJsonArray& manifest, const QString& model)
{
    for (const auto& entry : manifest)
        if (entry.toObject()["model"].toString() == model)
            return entry.toObject();
    return {};
}

void addModelRows(const QJsonArray& manifest)
{
    QTest::addColumn<QString>("model");
    for (const auto& entry : manifest) {
        const QString model = entry.toObject()["model"].toString();
        if (zooModelSelected(model))
            QTest::newRow(qPrintable(model)) << model;
    }
}

bool zooModelSelected(const QString& model)
{
    if (!qEnvironmentVariableIsSet("GCE_ZOO_MODELS"))
        return true;
    return qEnvironmentVariable("GCE_ZOO_MODELS").split(u',', Qt::SkipEmptyParts).contains(model);
}

QString pythonExecutable() { return QStringLiteral(GCE_PYTHON); }

ProcessResult runProcess(const QString& program, const QStringList& args, int timeoutMs,
                         const QString& workingDir)
{
    QProcess process;
    if (!workingDir.isEmpty())
        process.setWorkingDirectory(workingDir);
    process.start(program, args);
    ProcessResult result;
    if (!process.waitForStarted(30000)) {
        result.err = "could not start " + program.toUtf8();
        return result;
    }
    process.closeWriteChannel();
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        result.err = "timed out: " + program.toUtf8();
        return result;
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = process.readAllStandardOutput();
    result.err = process.readAllStandardError();
    return result;
}

ProcessResult runOracle(const QString& script, const QStringList& args, int timeoutMs)
{
    QStringList all{QDir(sourceDir()).filePath(QStringLiteral("tests/oracle/") + script)};
    all += args;
    return runProcess(pythonExecutable(), all, timeoutMs);
}

void useThrowawaySettings(const QString& dir, const QString& applicationName)
{
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, dir);
    QCoreApplication::setOrganizationName(QStringLiteral("gce-tests"));
    QCoreApplication::setApplicationName(applicationName);
}

} // namespace gce::test
