#pragma once
// Start-up check of the settings file. Settings::value() already falls back
// to the defaults for anything unusable; this says so once, in one line, and
// repairs the file so that the next start is quiet: unusable entries are
// removed, and a file that could not be parsed at all is first copied aside
// (nothing the user had is lost).
#include <QString>
#include <QStringList>

namespace gce::ui {

struct SettingsCheck {
    QString fileName;     // the settings file (QSettings' choice)
    bool unreadable = false; // not an INI file: a format error, binary garbage, no entries at all
    QString keptCopy;     // where the unreadable file was copied to (empty if the copy failed)
    QStringList badKeys;  // entries whose value had the wrong type or range, in table order

    bool ok() const { return !unreadable && badKeys.isEmpty(); }
    // One line for the window; empty when ok().
    QString notice() const;
};

// Checks QSettings' default file and repairs it (see above).
SettingsCheck checkSettingsFile();

} // namespace gce::ui
