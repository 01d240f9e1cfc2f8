#pragma once
// The info bar above the panes that offers weights for a model the user wants
// but does not have, while the window goes on with another one (the bundled
// SqueezeNet on a first launch): Download (progress and Cancel in the bar; a
// cancelled or broken download is resumed by the next click), Choose File…,
// Dismiss. Non-modal: nothing waits for it.
#include <QFrame>
#include <QUrl>

class QLabel;
class QProgressBar;
class QPushButton;

namespace gce::ui {

class WeightsDownloader;

class WeightsBar : public QFrame {
    Q_OBJECT
public:
    explicit WeightsBar(QWidget* parent = nullptr);

    // Shows the offer for `modelName`, with `message` saying what is missing
    // and what runs meanwhile. A download under way for another model is
    // cancelled (its bytes stay in the .part for a later resume); one for
    // the same model goes on.
    void offer(const QString& modelName, const QString& message, const QUrl& downloadUrl,
               const QString& cacheDirectory);
    QString modelName() const { return m_modelName; }
    bool isDownloading() const;

    // For tests.
    QPushButton* downloadButton() const { return m_download; }
    QPushButton* chooseFileButton() const { return m_chooseFile; }
    QPushButton* dismissButton() const { return m_dismiss; }
    QPushButton* cancelDownloadButton() const { return m_cancelDownload; }
    QProgressBar* progressBar() const { return m_progress; }
    QLabel* textLabel() const { return m_text; }

signals:
    // A complete, verified download or a file the user chose; the bar hides.
    void weightsChosen(const QString& modelName, const QString& path);
    // Dismiss clicked; the bar hides.
    void dismissed(const QString& modelName);

private:
    void startDownload();
    void chooseFile();
    void showProgress(qint64 received, qint64 total);
    void downloadFailed(const QString& message);
    void setDownloading(bool downloading);
    void updateDownloadButton();
    QString partialPath() const;
    void finish(const QString& path);

    QString m_modelName;
    QString m_message;
    QUrl m_url;
    QString m_cacheDirectory;
    WeightsDownloader* m_downloader = nullptr;
    QLabel* m_text = nullptr;
    QProgressBar* m_progress = nullptr;
    QPushButton* m_cancelDownload = nullptr;
    QPushButton* m_download = nullptr;
    QPushButton* m_chooseFile = nullptr;
    QPushButton* m_dismiss = nullptr;
};

} // namespace gce::ui
