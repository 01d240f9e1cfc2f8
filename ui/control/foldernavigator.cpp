#include "ui/control/foldernavigator.h"

#include <QCollator>
#include <QFileInfo>
#include <QLocale>

#include <algorithm>

namespace gce::ui {

namespace {
const QStringList kImageSuffixes = {"jpg", "jpeg", "png", "webp", "bmp"};
} // namespace

bool FolderNavigator::isImageFile(const QString& path)
{
    const QFileInfo info(path);
    return info.isFile() && kImageSuffixes.contains(info.suffix().toLower());
}

QStringList FolderNavigator::imagesIn(const QDir& dir)
{
    QStringList files;
    for (const QFileInfo& entry : dir.entryInfoList(QDir::Files | QDir::Readable))
        if (isImageFile(entry.absoluteFilePath()))
            files << entry.absoluteFilePath();
    // Numeric collation needs a real locale: under LANG=C Qt falls back to
    // plain string order ("a10" before "a2").
    QCollator collator(QLocale().language() == QLocale::C ? QLocale(QLocale::English) : QLocale());
    collator.setNumericMode(true);
    std::sort(files.begin(), files.end(), [&](const QString& a, const QString& b) { return collator.compare(a, b) < 0; });
    return files;
}

void FolderNavigator::setCurrent(const QString& path, bool relist)
{
    const QFileInfo info(path);
    m_current = info.absoluteFilePath();
    if (relist || info.absolutePath() != m_listedFolder) {
        m_listedFolder = info.absolutePath();
        m_images = imagesIn(info.absoluteDir());
    }
}

QString FolderNavigator::neighbour(int delta) const
{
    const int from = position();
    const int to = from + delta;
    return from >= 0 && to >= 0 && to < count() ? m_images[to] : QString();
}

QStringList FolderNavigator::neighbours() const
{
    QStringList around;
    for (int delta : {1, -1})
        if (const QString path = neighbour(delta); !path.isEmpty())
            around << path;
    return around;
}

} // namespace gce::ui
