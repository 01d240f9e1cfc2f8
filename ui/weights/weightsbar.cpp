#include "ui/weights/weightsbar.h"

#include <algorithm>

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHash>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QStandardPaths>

#include "ui/weights/weightsdownloader.h"

namespace gce::ui {

namespace {

// torchvision's documented sizes of the official files, so the button says
// what a click costs before anything is fetched (asking the server would mean
// contacting it before the user agreed to).
QString knownDownloadSize(const QString& fileName)
{
    static const QHash<QString, QString> sizes = {
        {QStringLiteral("resnet18-f37072fd.pth"), QStringLiteral("45 MB")},
        {QStringLiteral("resnet34-b627a593.pth"), QStringLiteral("83 MB")},
        {QStringLiteral("resnet50-11ad3fa6.pth"), QStringLiteral("98 MB")},
        {QStringLiteral("resnet50-0676ba61.pth"), QStringLiteral("98 MB")},
        {QStringLiteral("squeezenet1_1-b8a52dc0.pth"), QStringLiteral("5 MB")},
    };
    return sizes.value(fileName);
}

QString dataSize(qint64 bytes)
{
    // Traditional = powers of 1024 labelled "MB", as torchvision's docs do.
    return QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeTraditionalFormat);
}

// Downloader messages are one lower-case line ("download cancelled",
// "HTTP 404 Not Found from …"); in the bar they read as a sentence.
QString asSentence(QString message)
{
    if (!message.isEmpty())
        message[0] = message[0].toUpper();
    if (!message.endsWith(u'.'))
        message += u'.';
    return message;
}

} // namespace

WeightsBar::WeightsBar(QWidget* parent)
    : QFrame(parent)
    , m_downloader(new WeightsDownloader(this))
{
    setObjectName(QStringLiteral("weightsBar"));
    // An information color, not the warning yellow of messages or the red of
    // the untrained banner: the window works, this is an offer.
    setStyleSheet(QStringLiteral("#weightsBar { background: #e3f0fb; border: 1px solid #9cc3e6; border-radius: 3px; }"
                                 "#weightsBar QLabel { color: #123a5c; }"));
    m_text = new QLabel(this);
    m_text->setWordWrap(true);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_progress = new QProgressBar(this);
    m_progress->setAccessibleName(tr("Download progress"));
    m_progress->setMinimumWidth(fontMetrics().averageCharWidth() * 24);
    m_progress->hide();
    m_cancelDownload = new QPushButton(tr("Cancel"), this);
    m_cancelDownload->hide();
    m_download = new QPushButton(this);
    m_chooseFile = new QPushButton(tr("Choose &File…"), this);
    m_dismiss = new QPushButton(tr("Dismiss"), this);

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 4, 4, 4);
    layout->addWidget(m_text, 1);
    layout->addWidget(m_progress);
    layout->addWidget(m_cancelDownload);
    layout->addWidget(m_download);
    layout->addWidget(m_chooseFile);
    layout->addWidget(m_dismiss);
    hide();

    connect(m_download, &QPushButton::clicked, this, &WeightsBar::startDownload);
    connect(m_chooseFile, &QPushButton::clicked, this, &WeightsBar::chooseFile);
    connect(m_dismiss, &QPushButton::clicked, this, [this] {
        if (m_downloader->isRunning())
            m_downloader->cancel();
        hide();
        emit dismissed(m_modelName);
    });
    connect(m_cancelDownload, &QPushButton::clicked, m_downloader, &WeightsDownloader::cancel);
    connect(m_downloader, &WeightsDownloader::progress, this, &WeightsBar::showProgress);
    connect(m_downloader, &WeightsDownloader::failed, this, &WeightsBar::downloadFailed);
    connect(m_downloader, &WeightsDownloader::finished, this, &WeightsBar::finish);
}

void WeightsBar::offer(const QString& modelName, const QString& message, const QUrl& downloadUrl,
                       const QString& cacheDirectory)
{
    if (m_downloader->isRunning()) {
        if (modelName == m_modelName) {
            show();
            return;
        }
        m_downloader->cancel(); // reports "download cancelled" for the old model: shown below, then replaced
    }
    m_modelName = modelName;
    m_message = message;
    m_url = downloadUrl;
    m_cacheDirectory = cacheDirectory;
    m_text->setText(message);
    m_download->setToolTip(tr("From %1 into %2").arg(m_url.toDisplayString(), QDir::toNativeSeparators(cacheDirectory)));
    setDownloading(false);
    show();
}

bool WeightsBar::isDownloading() const { return m_downloader->isRunning(); }

QString WeightsBar::partialPath() const
{
    return WeightsDownloader::partialPath(QDir(m_cacheDirectory).filePath(m_url.fileName()));
}

void WeightsBar::updateDownloadButton()
{
    // A .part from an earlier attempt (cancelled, interrupted, another run
    // of the app) is resumed: say so before the click, with what is there.
    const QFileInfo part(partialPath());
    if (!m_url.fileName().isEmpty() && part.isFile() && part.size() > 0) {
        m_download->setText(tr("&Resume Download (%1 kept)").arg(dataSize(part.size())));
        return;
    }
    const QString size = knownDownloadSize(m_url.fileName());
    m_download->setText(size.isEmpty() ? tr("&Download") : tr("&Download (%1)").arg(size));
}

void WeightsBar::startDownload()
{
    m_text->setText(tr("Downloading %1 into %2…").arg(m_url.fileName(), QDir::toNativeSeparators(m_cacheDirectory)));
    m_progress->setRange(0, 0); // busy until the size is known
    m_progress->setFormat(QString());
    setDownloading(true);
    m_downloader->start(m_url, m_cacheDirectory);
}

void WeightsBar::chooseFile()
{
    const QString start = QStandardPaths::writableLocation(QStandardPaths::DownloadLocation);
    const QString path = QFileDialog::getOpenFileName(this, tr("Choose Weights for %1").arg(m_modelName), start,
                                                      tr("Weights (*.pth *.pt *.safetensors);;All files (*)"));
    if (!path.isEmpty())
        finish(path);
}

void WeightsBar::finish(const QString& path)
{
    setDownloading(false);
    hide();
    emit weightsChosen(m_modelName, path);
}

void WeightsBar::showProgress(qint64 received, qint64 total)
{
    if (total <= 0) {
        m_progress->setRange(0, 0);
        return;
    }
    // Per mille: file sizes overflow QProgressBar's int range in bytes.
    m_progress->setRange(0, 1000);
    m_progress->setValue(int(std::clamp<qint64>(received * 1000 / total, 0, 1000)));
    m_progress->setFormat(tr("%1 of %2").arg(dataSize(received), dataSize(total)));
}

void WeightsBar::downloadFailed(const QString& message)
{
    // The bar stays: the user can retry, choose a file or dismiss it, and the
    // window goes on with the model it runs.
    setDownloading(false);
    QString text = asSentence(message);
    if (const qint64 kept = m_downloader->keptBytes(); kept > 0)
        text += u' ' + tr("%1 kept in %2: the next download resumes there.")
                           .arg(dataSize(kept), QFileInfo(partialPath()).fileName());
    m_text->setText(text);
}

void WeightsBar::setDownloading(bool downloading)
{
    m_progress->setVisible(downloading);
    m_cancelDownload->setVisible(downloading);
    m_download->setVisible(!downloading);
    m_chooseFile->setEnabled(!downloading);
    if (!downloading)
        updateDownloadButton();
}

} // namespace gce::ui
