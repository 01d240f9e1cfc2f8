#pragma once
// What the tests of gradcam-cli's dataset runs share (tst_dataset,
// tst_slurmarray): running the CLI, reading a manifest and its .npy maps.
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QProcess>
#include <QRegularExpression>
#include <QString>
#include <QVector>

#include <cstring>

#include "testsupport.h"

namespace gce::test {

inline QString cli() { return QStringLiteral(GCE_CLI); }
inline QString demo(const QString& name) { return sourceDir() + "/resources/demo/" + name; }
inline QString bundledWeights() { return sourceDir() + "/resources/models/squeezenet1_1-imagenet.pth"; }

// The real SqueezeNet 1.1: small and quick, and its maps are not all alike.
inline QStringList modelArgs() { return {"--model", "squeezenet1_1", "--weights", bundledWeights()}; }

inline ProcessResult run(const QStringList& args,
                         const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment())
{
    QProcess process;
    process.setProcessEnvironment(env);
    process.start(cli(), args);
    process.waitForFinished(600000);
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1, process.readAllStandardOutput(),
            process.readAllStandardError()};
}

inline QByteArray readFile(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// The manifest's complete lines, as JSON objects.
inline QList<QJsonObject> manifest(const QString& path)
{
    QList<QJsonObject> lines;
    for (const QByteArray& line : readFile(path).split('\n'))
        if (!line.isEmpty())
            lines.append(QJsonDocument::fromJson(line).object());
    return lines;
}

// What two runs must agree on: everything but the timings.
inline QList<QJsonObject> withoutTimings(QList<QJsonObject> lines)
{
    for (QJsonObject& line : lines)
        line.remove("timings_ms");
    return lines;
}

// A .npy file's float32 values (format 1.0, as the CLI writes it).
inline QVector<float> readNpy(const QString& path, int* rows, int* cols)
{
    const QByteArray bytes = readFile(path);
    if (!bytes.startsWith("\x93NUMPY"))
        return {};
    const int headerLength = quint8(bytes[8]) | (quint8(bytes[9]) << 8);
    const QString header = QString::fromLatin1(bytes.mid(10, headerLength));
    const QRegularExpression shape(R"('shape': \((\d+), (\d+)\))");
    const auto match = shape.match(header);
    if (!header.contains("'<f4'") || !match.hasMatch())
        return {};
    *rows = match.captured(1).toInt();
    *cols = match.captured(2).toInt();
    QVector<float> values(*rows * *cols);
    std::memcpy(values.data(), bytes.constData() + 10 + headerLength, values.size() * sizeof(float));
    return values;
}

} // namespace gce::test
