#pragma once
// Downloads a weights file (torchvision's official URL, or any URL in tests)
// into a folder: progress, cancel, resume, SHA-256 check against the hash
// prefix in torchvision's file name ("resnet18-f37072fd.pth" -> sha256 starts
// with f37072fd).
//
// Bytes go to <final>.part in the destination folder. An interrupted or
// cancelled download keeps the .part; the next start() asks for the rest
// (Range: bytes=<size>-) and appends when the server answers 206 with the
// matching Content-Range, truncates and takes the whole body on 200, and
// starts over without Range on 416 or a Content-Range for other bytes. Only a
// complete file whose whole-file hash matches is renamed onto the final name
// (same folder, atomic): an existing file there is never touched before that.
// A hash mismatch deletes the .part. The hash is fed as bytes arrive; on a
// resume the kept bytes go first, read back in slices between events so the
// GUI thread never stalls on a large .part.
#include <QCryptographicHash>
#include <QObject>
#include <QString>
#include <QUrl>

class QFile;
class QNetworkAccessManager;
class QNetworkReply;
class QTimer;

namespace gce::ui {

class WeightsDownloader : public QObject {
    Q_OBJECT
public:
    explicit WeightsDownloader(QObject* parent = nullptr);
    ~WeightsDownloader() override;

    // Starts downloading `url` to `directory`/<file name of url>, resuming a
    // <file>.part left there. One download at a time: start() while running is
    // ignored with a warning (the running download goes on, and no failed() is
    // emitted, since that would read as the running download ending).
    void start(const QUrl& url, const QString& directory);
    // Aborts the running download and emits failed("download cancelled"); the
    // bytes received so far stay in the .part for the next start(). No-op when idle.
    void cancel();
    bool isRunning() const;

    // After failed(): how many bytes the .part keeps for a resume (0 when none).
    qint64 keptBytes() const { return m_keptBytes; }

    // "<folder>/<name>.part": where the download of `fileName` collects its bytes.
    static QString partialPath(const QString& finalPath);
    // "resnet18-f37072fd.pth" -> "f37072fd"; empty when the name has no hash part.
    static QString expectedHashPrefix(const QString& fileName);

signals:
    void progress(qint64 received, qint64 total); // of the whole file; total -1 when unknown
    void finished(const QString& path);
    void failed(const QString& message); // one line; cancel reports "download cancelled"

private:
    void request(bool resume);
    bool beginBody();
    bool resumeFromPart();
    void restartWithoutRange();
    void onProgress(qint64 received, qint64 total);
    void onReadyRead();
    void catchUpHash();
    void onFinished();
    void complete();
    void fail(const QString& message);
    void stop();

    QNetworkAccessManager* m_network = nullptr;
    QNetworkReply* m_reply = nullptr;
    QFile* m_part = nullptr;
    QTimer* m_hashTimer = nullptr; // drives catchUpHash
    QUrl m_url;
    QString m_target;
    QCryptographicHash m_hash{QCryptographicHash::Sha256};
    qint64 m_requestedFrom = 0; // the Range asked for (0: none)
    qint64 m_base = 0;          // bytes of the .part kept from earlier attempts
    qint64 m_written = 0;       // bytes in the .part now
    qint64 m_hashed = 0;        // of those, fed to m_hash (in file order)
    qint64 m_expectedSize = -1; // of the whole file, from the reply's headers
    bool m_bodyStarted = false; // headers judged, .part positioned
    bool m_restarted = false;   // one restart without Range per start()
    bool m_completePending = false; // all received, hash still catching up
    qint64 m_keptBytes = 0;
};

} // namespace gce::ui
