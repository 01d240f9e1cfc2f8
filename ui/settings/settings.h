#pragma once
// Every remembered setting with its key and default, in one table
// (settings.cpp). Backed by QSettings; a value of the wrong type or out of
// range falls back to the default, so a corrupt settings file never breaks
// start-up (ui/settings/settingscheck.h tells the user about it).
#include <QList>
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
    Layers,      // model name -> target layer chosen by the user (map); absent = the model's default
    LabelsPaths, // model name -> labels file chosen by the user (map); absent = the model's own
    WindowGeometry,
    WindowState,
    PinClasses,
    AugmentSmooth, // test-time augmentation of every pane's map
    EigenSmooth,   // principal-component smoothing of every pane's map
    SharedScale,   // panes of one method on one raw scale
    PaneLayout,    // "auto", "columns", "rows", "grid" (ui/control/panelayout.h)
    Preprocessing, // model name -> "tutorial" or "model" (map); absent = the model's default
};

class Settings {
public:
    static QVariant value(Setting setting);
    static void setValue(Setting setting, const QVariant& value);
    static QString key(Setting setting);
    static QVariant defaultValue(Setting setting);
    static QList<Setting> all(); // every entry of the table
    // Whether a value read from the file converts to the setting's type and
    // makes sense for it (value() returns the default otherwise).
    static bool isUsable(Setting setting, const QVariant& stored);

    // A per-model map setting (WeightsPaths, Layers, LabelsPaths): the value
    // for `model`, empty when absent; setting an empty value removes it.
    static QString forModel(Setting setting, const QString& model);
    static void setForModel(Setting setting, const QString& model, const QString& value);

    // The weights file the user chose for `model`; empty = the torch hub cache.
    static QString weightsFor(const QString& model) { return forModel(Setting::WeightsPaths, model); }
    static void setWeightsFor(const QString& model, const QString& path)
    {
        setForModel(Setting::WeightsPaths, model, path);
    }

    // The target layer the user chose for `model`; empty = the model's default.
    static QString layerFor(const QString& model) { return forModel(Setting::Layers, model); }
    static void setLayerFor(const QString& model, const QString& layer) { setForModel(Setting::Layers, model, layer); }

    // The labels file the user chose for `model`; empty = the model's own labels.
    static QString labelsFor(const QString& model) { return forModel(Setting::LabelsPaths, model); }
    static void setLabelsFor(const QString& model, const QString& path)
    {
        setForModel(Setting::LabelsPaths, model, path);
    }

    // The preprocessing the user chose for `model`; empty = the model's default.
    static QString preprocessFor(const QString& model) { return forModel(Setting::Preprocessing, model); }
    static void setPreprocessFor(const QString& model, const QString& mode)
    {
        setForModel(Setting::Preprocessing, model, mode);
    }

    static QStringList recentFiles();
    static void addRecentFile(const QString& path); // most recent first, at most 10
};

} // namespace gce::ui
