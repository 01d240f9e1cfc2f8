#pragma once
// Shared helpers for the Qt Test executables: where things are, and running
// the Python oracle.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace gce::test {

QString sourceDir();               // the project root
QString fixturesDir(const QString& fixture); // build/fixtures/<fixture>
QString sharedModelsDir();         // ../shared/models (may not exist)
QString pythonExecutable();        // Debian's /usr/bin/python3

// The program's QSettings go below `dir` (a QTemporaryDir's path) under
// this application name, never into the user's own settings.
void useThrowawaySettings(const QString& dir, const QString& applicationName);

struct ProcessResult {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

// The JSON document at `path` (an oracle's manifest); empty when unreadable.
QJsonDocument readJson(const QString& path);

// An oracle manifest is a JSON array of objects with a "model" field.
QJsonObject manifestEntry(const QJsonArray& manifest, const QString& model); // {} when absent
// Adds a "model" column with one data row per manifest entry that
// zooModelSelected() keeps.
void addModelRows(const QJsonArray& manifest);
// False when the environment's GCE_ZOO_MODELS is set and does not list
// `model` (comma-separated): the ASan build runs the zoo's full-size parity
// for fewer models (tests/zoo_classic.cmake, tests/zoo_vit.cmake say which
// and why). Unset, as in scripts/test: every model.
bool zooModelSelected(const QString& model);

// Runs `program args...` to completion (timeout in ms), capturing output.
ProcessResult runProcess(const QString& program, const QStringList& args, int timeoutMs = 300000,
                         const QString& workingDir = {});

// Runs an oracle script from tests/oracle with the system Python.
ProcessResult runOracle(const QString& script, const QStringList& args, int timeoutMs = 300000);

} // namespace gce::test
