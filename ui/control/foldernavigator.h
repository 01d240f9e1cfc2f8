#pragma once
// The photo the window asked for and the images of its folder, in natural
// order ("img2" before "img10"): what Next and Previous step through and
// which neighbours are prepared in the background. No widgets.
#include <QDir>
#include <QString>
#include <QStringList>

namespace gce::ui {

class FolderNavigator {
public:
    // JPEG, PNG, WebP and BMP files of `dir`, readable, in natural order.
    static QStringList imagesIn(const QDir& dir);
    static bool isImageFile(const QString& path);

    // `path` becomes the current photo; its folder is listed when it is not
    // the one listed already, or when `relist` (after a failed open, the
    // folder of the photo still shown).
    void setCurrent(const QString& path, bool relist = false);
    QString current() const { return m_current; }
    bool isEmpty() const { return m_current.isEmpty(); }

    int position() const { return m_images.indexOf(m_current); } // -1: not among them
    int count() const { return int(m_images.size()); }
    // The image `delta` steps away; empty when there is none.
    QString neighbour(int delta) const;
    // The next and the previous image (those that exist): to prepare ahead.
    QStringList neighbours() const;

private:
    QString m_current;
    QString m_listedFolder;
    QStringList m_images;
};

} // namespace gce::ui
