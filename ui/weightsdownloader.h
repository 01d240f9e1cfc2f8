#pragma once
// Downloads a weights file (torchvision's official URL, or any URL in tests)
// into a folder: progress, cancel, SHA-256 check against the hash prefix in
// torchvision's file name ("resnet18-f37072fd.pth" -> sha256 starts with
// f37072fd), written to a temporary file and renamed only when complete and
// verified.
#include <QCryptographicHash>
#include <QObject>
#include <QString>
#include <QUrl>

class QNetworkAccessManager;
class QNetworkReply;
class QSaveFile;

namespace gce::ui {

class WeightsDownloader : public QObject {
    Q_OBJECT
public:
    explicit WeightsDownloader(QObject* parent = nullptr);
    ~WeightsDownloader() override;

    // Starts downloading `url` to `directory`/<file name of url>. One download at a time:
    // start() while running is ignored with a warning (the running download goes on, and
    // no failed() is emitted, since that would read as the running download ending).
    void start(const QUrl& url, const QString& directory);
    // Aborts the running download, discards the partial file, emits failed("download
    // cancelled"). No-op when idle.
    void cancel();
    bool isRunning() const;

    // "resnet18-f37072fd.pth" -> "f37072fd"; empty when the name has no hash part.
    static QString expectedHashPrefix(const QString& fileName);

signals:
    void progress(qint64 received, qint64 total); // total -1 when unknown
    void finished(const QString& path);
    void failed(const QString& message); // one line; cancel reports "download cancelled"

private:
    void onReadyRead();
    void onFinished();
    void fail(const QString& message);
    void discard();

    QNetworkAccessManager* m_network = nullptr;
    QNetworkReply* m_reply = nullptr;
    QSaveFile* m_file = nullptr;
    QUrl m_url;
    QString m_target;
    QCryptographicHash m_hash{QCryptographicHash::Sha256};
    qint64 m_written = 0;
};

} // namespace gce::ui
