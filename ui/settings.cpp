#include "ui/settings.h"

#include <QSettings>

namespace gce::ui {

namespace {

struct Entry {
    Setting setting;
    const char* key;
    QVariant defaultValue;
};

const std::vector<Entry>& table()
{
    static const std::vector<Entry> entries = {
        {Setting::LastFolder, "files/lastFolder", QString()},
        {Setting::RecentFiles, "files/recent", QStringList()},
        {Setting::Opacity, "view/opacity", 40},
        {Setting::Colormap, "view/colormap", QStringLiteral("jet")},
        {Setting::Model, "model/name", QStringLiteral("resnet18")},
        {Setting::WeightsPaths, "model/weights", QVariantMap()},
        {Setting::Layer, "model/layer", QString()},
        {Setting::WindowGeometry, "window/geometry", QByteArray()},
        {Setting::WindowState, "window/state", QByteArray()},
        {Setting::PinClasses, "classes/pinned", false},
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
    QVariant stored = QSettings().value(QString::fromLatin1(e.key), e.defaultValue);
    if (!stored.convert(e.defaultValue.metaType()))
        return e.defaultValue;
    return stored;
}

void Settings::setValue(Setting setting, const QVariant& value)
{
    QSettings().setValue(QString::fromLatin1(entry(setting).key), value);
}

QString Settings::weightsFor(const QString& model)
{
    return value(Setting::WeightsPaths).toMap().value(model).toString();
}

void Settings::setWeightsFor(const QString& model, const QString& path)
{
    QVariantMap paths = value(Setting::WeightsPaths).toMap();
    if (path.isEmpty())
        paths.remove(model);
    else
        paths.insert(model, path);
    setValue(Setting::WeightsPaths, paths);
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
