#include "ui/settings/settings.h"

#include <QDir>
#include <QSettings>

#include <algorithm>

#include "core/imaging/overlay.h"
#include "ui/control/panelayout.h"
#include "core/support/defaults.h"

namespace gce::ui {

namespace {

// A stored value of the right type can still be unusable (an opacity of 900,
// a colormap nobody knows, a recent "file" that is a number).
using Check = bool (*)(const QVariant& value);

bool isPercent(const QVariant& value) { return value.toInt() >= 0 && value.toInt() <= 100; }

bool isColormapName(const QVariant& value) { return colormapFromName(value.toString().toStdString()).has_value(); }

bool isPaneLayoutName(const QVariant& value) { return paneLayoutFromName(value.toString()).has_value(); }

bool areAbsolutePaths(const QVariant& value)
{
    const QStringList paths = value.toStringList();
    return std::all_of(paths.begin(), paths.end(), [](const QString& path) { return QDir::isAbsolutePath(path); });
}

struct Entry {
    Setting setting;
    const char* key;
    QVariant defaultValue;
    Check usable = nullptr; // beyond the type check; nullptr = any value of the type
};

const std::vector<Entry>& table()
{
    static const std::vector<Entry> entries = {
        {Setting::LastFolder, "files/lastFolder", QString()},
        {Setting::RecentFiles, "files/recent", QStringList(), areAbsolutePaths},
        {Setting::Opacity, "view/opacity", 40, isPercent},
        {Setting::Colormap, "view/colormap", QStringLiteral("jet"), isColormapName},
        {Setting::Model, "model/name", QString::fromLatin1(kDefaultModel)},
        {Setting::WeightsPaths, "model/weights", QVariantMap()},
        {Setting::Layers, "model/layers", QVariantMap()},
        {Setting::LabelsPaths, "model/labels", QVariantMap()},
        {Setting::WindowGeometry, "window/geometry", QByteArray()},
        {Setting::WindowState, "window/state", QByteArray()},
        {Setting::PinClasses, "classes/pinned", false},
        {Setting::AugmentSmooth, "cam/augmentSmooth", false},
        {Setting::EigenSmooth, "cam/eigenSmooth", false},
        {Setting::SharedScale, "view/sharedScale", false},
        {Setting::PaneLayout, "view/paneLayout", QStringLiteral("auto"), isPaneLayoutName},
        {Setting::Preprocessing, "model/preprocessing", QVariantMap()},
    };
    return entries;
}

const Entry& entry(Setting setting)
{
    for (const auto& e : table())
        if (e.setting == setting)
            return e;
    Q_UNREACHABLE();
}

constexpr int kMaxRecentFiles = 10;

} // namespace

QString Settings::key(Setting setting) { return QString::fromLatin1(entry(setting).key); }

QVariant Settings::defaultValue(Setting setting) { return entry(setting).defaultValue; }

QVariant Settings::value(Setting setting)
{
    const Entry& e = entry(setting);
    QVariant stored = QSettings().value(QString::fromLatin1(e.key));
    if (!stored.isValid() || !stored.convert(e.defaultValue.metaType()) || (e.usable && !e.usable(stored)))
        return e.defaultValue;
    return stored;
}

QList<Setting> Settings::all()
{
    QList<Setting> settings;
    for (const auto& e : table())
        settings << e.setting;
    return settings;
}

bool Settings::isUsable(Setting setting, const QVariant& stored)
{
    const Entry& e = entry(setting);
    QVariant converted = stored;
    return converted.convert(e.defaultValue.metaType()) && (!e.usable || e.usable(converted));
}

void Settings::setValue(Setting setting, const QVariant& value)
{
    QSettings().setValue(QString::fromLatin1(entry(setting).key), value);
}

QString Settings::forModel(Setting setting, const QString& model)
{
    return value(setting).toMap().value(model).toString();
}

void Settings::setForModel(Setting setting, const QString& model, const QString& value)
{
    QVariantMap values = Settings::value(setting).toMap();
    if (value.isEmpty())
        values.remove(model);
    else
        values.insert(model, value);
    setValue(setting, values);
}

QStringList Settings::recentFiles() { return value(Setting::RecentFiles).toStringList(); }

void Settings::addRecentFile(const QString& path)
{
    QStringList files = recentFiles();
    files.removeAll(path);
    files.prepend(path);
    while (files.size() > kMaxRecentFiles)
        files.removeLast();
    setValue(Setting::RecentFiles, files);
}

} // namespace gce::ui
