#pragma once
// First-run weights dialog, shown when no weights for the model are found:
// download from the official URL (progress bar, cancel; a cancelled or broken
// download is resumed by the next click), choose a file, or continue with
// untrained weights.
#include <QDialog>
#include <QUrl>

class QLabel;
class QProgressBar;
class QPushButton;

namespace gce::ui {

class WeightsDownloader;

class WeightsDialog : public QDialog {
    Q_OBJECT
public:
    enum class Choice { None, Downloaded, ChosenFile, Untrained };

    WeightsDialog(const QString& modelName, const QUrl& downloadUrl, const QString& cacheDirectory,
                  QWidget* parent = nullptr);

    Choice choice() const { return m_choice; }
    QString weightsPath() const { return m_weightsPath; } // for Downloaded / ChosenFile

    // Escape / the close button while downloading cancel the download and keep
    // the dialog open; otherwise they close it with Choice::None.
    void reject() override;

    // Exposed for tests.
    QPushButton* downloadButton() const { return m_download; }
    QPushButton* untrainedButton() const { return m_untrained; }
    QPushButton* cancelDownloadButton() const { return m_cancelDownload; }
    QProgressBar* progressBar() const { return m_progress; }
    QLabel* statusLabel() const { return m_status; }

private:
    void startDownload();
    void chooseFile();
    void showProgress(qint64 received, qint64 total);
    void downloadFailed(const QString& message);
    void setDownloading(bool downloading);
    void growToFit();
    QString partialPath() const;
    void updateDownloadButton();

    QUrl m_url;
    QString m_cacheDirectory;
    WeightsDownloader* m_downloader = nullptr;
    QPushButton* m_download = nullptr;
    QPushButton* m_chooseFile = nullptr;
    QPushButton* m_untrained = nullptr;
    QPushButton* m_cancelDownload = nullptr;
    QWidget* m_progressRow = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_status = nullptr;
    Choice m_choice = Choice::None;
    QString m_weightsPath;
};

} // namespace gce::ui
