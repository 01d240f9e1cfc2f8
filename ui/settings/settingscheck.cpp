#include "ui/settings/settingscheck.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSettings>
#include <QTemporaryDir>

#include <algorithm>

#include "ui/settings/settings.h"

namespace gce::ui {

namespace {

// QSettings' INI reader is lenient: random bytes usually parse without a
// FormatError, into keys made of control characters and U+FFFD (the bytes
// that are not UTF-8) or into no keys at all.
bool isGarbageKey(const QString& key)
{
    return key.isEmpty() || std::any_of(key.begin(), key.end(), [](QChar c) {
               return !c.isPrint() || c == QChar::ReplacementCharacter;
           });
}

// QSettings escapes whatever is not printable when it writes: raw control
// bytes or bytes that are not UTF-8 mean the file is something else.
bool looksBinary(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return false;
    const QString text = QString::fromUtf8(file.read(1 << 20));
    return std::any_of(text.begin(), text.end(), [](QChar c) {
        return c == QChar::ReplacementCharacter || (!c.isPrint() && c != '\n' && c != '\r' && c != '\t');
    });
}

// QSettings reports a format error only to the QSettings object that parsed
// the file, and a process parses each file once (later objects share the
// parsed copy): whoever read a setting first would have seen it. A private
// copy is parsed afresh.
bool hasFormatError(const QString& path)
{
    const QTemporaryDir dir;
    const QString copy = dir.filePath(QStringLiteral("probe.conf"));
    if (!dir.isValid() || !QFile::copy(path, copy))
        return false;
    return QSettings(copy, QSettings::IniFormat).status() == QSettings::FormatError;
}

// A free name next to `file` for the copy of an unreadable settings file.
QString copyName(const QString& file)
{
    QString name = file + QStringLiteral(".unreadable");
    for (int i = 2; QFileInfo::exists(name); ++i)
        name = file + QStringLiteral(".unreadable.%1").arg(i);
    return name;
}

} // namespace

QString SettingsCheck::notice() const
{
    const QString file = QDir::toNativeSeparators(fileName);
    if (unreadable) {
        return keptCopy.isEmpty()
                   ? QCoreApplication::translate("SettingsCheck", "Settings file %1 was unreadable; defaults used.")
                         .arg(file)
                   : QCoreApplication::translate("SettingsCheck",
                                                 "Settings file %1 was unreadable; defaults used (the old file "
                                                 "is kept as %2).")
                         .arg(file, QDir::toNativeSeparators(keptCopy));
    }
    if (!badKeys.isEmpty())
        return QCoreApplication::translate("SettingsCheck", "Settings file %1 had unusable values for %2; defaults used.")
            .arg(file, badKeys.join(QStringLiteral(", ")));
    return {};
}

SettingsCheck checkSettingsFile()
{
    QSettings settings;
    SettingsCheck check;
    check.fileName = settings.fileName();
    const QStringList keys = settings.allKeys();
    const QStringList garbage = [&] {
        QStringList found;
        std::copy_if(keys.begin(), keys.end(), std::back_inserter(found), isGarbageKey);
        return found;
    }();
    check.unreadable = !garbage.isEmpty() || looksBinary(check.fileName) || hasFormatError(check.fileName);
    for (Setting setting : Settings::all()) {
        const QString key = Settings::key(setting);
        if (settings.contains(key) && !Settings::isUsable(setting, settings.value(key)))
            check.badKeys << key;
    }
    if (check.ok())
        return check;

    if (check.unreadable) {
        const QString copy = copyName(check.fileName);
        if (QFile::copy(check.fileName, copy))
            check.keptCopy = copy;
        // Start the file afresh with what could be parsed: emptied here, the
        // next sync() reads it again (its size changed) and writes out the
        // values set again below in QSettings' own format.
        QVariantMap parsed;
        for (const QString& key : keys)
            if (!isGarbageKey(key))
                parsed.insert(key, settings.value(key));
        QFile(check.fileName).resize(0);
        for (auto it = parsed.cbegin(); it != parsed.cend(); ++it)
            settings.setValue(it.key(), it.value());
    }
    for (const QString& key : check.badKeys)
        settings.remove(key);
    settings.sync();
    return check;
}

} // namespace gce::ui
