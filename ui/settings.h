#pragma once
// Every remembered setting with its key and default, in one table
// (settings.cpp). Backed by QSettings; a value of the wrong type falls back
// to the default, so a corrupt settings file never breaks start-up.
#include <QStringList>
#include <QVariant>

namespace gce::ui {

enum class Setting {
    LastFolder,
    RecentFiles,
    Opacity,     // 0..100
    Colormap,    // lower-case name
    Model,
    WeightsPaths, // model name -> weights file chosen by the user (map)
    Layer,       // empty = the model's default
    WindowGeometry,
    WindowState,
    PinClasses,
};

class Settings {
public:
    static QVariant value(Setting setting);
    static void setValue(Setting setting, const QVariant& value);
    static QString key(Setting setting);
    static QVariant defaultValue(Setting setting);

    // The weights file the user chose for `model`; empty = the torch hub cache.
    static QString weightsFor(const QString& model);
    static void setWeightsFor(const QString& model, const QString& path);

    static QStringList recentFiles();
    static void addRecentFile(const QString& path); // most recent first, at most 10
};

} // namespace gce::ui
