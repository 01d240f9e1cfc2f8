#include "ui/weightsdialog.h"

#include <algorithm>

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHash>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QStandardPaths>
#include <QVBoxLayout>

#include "ui/weightsdownloader.h"

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
// "HTTP 404 Not Found from …"); shown on their own they read as a sentence.
QString asSentence(QString message)
{
    if (!message.isEmpty())
        message[0] = message[0].toUpper();
    if (!message.endsWith(u'.'))
        message += u'.';
    return message;
}

} // namespace

WeightsDialog::WeightsDialog(const QString& modelName, const QUrl& downloadUrl, const QString& cacheDirectory,
                             QWidget* parent)
    : QDialog(parent)
    , m_url(downloadUrl)
    , m_cacheDirectory(cacheDirectory)
    , m_downloader(new WeightsDownloader(this))
{
    setWindowTitle(tr("Weights for %1").arg(modelName));
    const QString fileName = m_url.fileName();

    auto* heading = new QLabel(tr("No trained weights for %1").arg(modelName));
    QFont headingFont = heading->font();
    headingFont.setBold(true);
    headingFont.setPointSizeF(headingFont.pointSizeF() * 1.2);
    heading->setFont(headingFont);

    auto* intro = new QLabel(tr("%1 was not found in the torch hub cache, where torchvision keeps its "
                                "downloaded weights:")
                                 .arg(fileName.isEmpty() ? tr("The weights file") : fileName));
    intro->setWordWrap(true);

    // A read-only line edit rather than a label: a long path scrolls instead
    // of widening the dialog, and it can be selected and copied.
    auto* cachePath = new QLineEdit(QDir::toNativeSeparators(m_cacheDirectory));
    cachePath->setReadOnly(true);
    cachePath->setCursorPosition(0); // show where the path starts
    cachePath->setAccessibleName(tr("Torch hub cache folder"));

    auto* options = new QLabel(tr("Download the official file from %1, choose a weights file you already "
                                  "have, or continue with untrained weights: the app then works, but its "
                                  "predictions and heatmaps are meaningless.")
                                   .arg(m_url.host().isEmpty() ? tr("the internet") : m_url.host()));
    options->setWordWrap(true);

    m_progress = new QProgressBar;
    m_progress->setAccessibleName(tr("Download progress"));
    m_cancelDownload = new QPushButton(tr("Cancel download"));
    m_cancelDownload->setAutoDefault(false);
    m_progressRow = new QWidget;
    auto* progressLayout = new QHBoxLayout(m_progressRow);
    progressLayout->setContentsMargins(0, 0, 0, 0);
    progressLayout->addWidget(m_progress, 1);
    progressLayout->addWidget(m_cancelDownload);
    m_progressRow->hide();

    m_status = new QLabel;
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->hide();

    m_download = new QPushButton;
    m_download->setToolTip(m_url.toDisplayString());
    updateDownloadButton();
    m_download->setDefault(true);
    m_chooseFile = new QPushButton(tr("&Choose file…"));
    m_chooseFile->setAutoDefault(false);
    m_untrained = new QPushButton(tr("Continue &untrained"));
    m_untrained->setAutoDefault(false);
    m_untrained->setToolTip(tr("Random weights: predictions and heatmaps will be meaningless"));

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_untrained);
    buttons->addStretch(1);
    buttons->addWidget(m_chooseFile);
    buttons->addWidget(m_download);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(heading);
    layout->addWidget(intro);
    layout->addWidget(cachePath);
    layout->addWidget(options);
    layout->addWidget(m_progressRow);
    layout->addWidget(m_status);
    layout->addStretch(1);
    layout->addSpacing(fontMetrics().height() / 2);
    layout->addLayout(buttons);

    // Wide enough for the sentences to wrap into a few comfortable lines.
    setMinimumWidth(fontMetrics().averageCharWidth() * 80);
    setTabOrder(m_download, m_chooseFile);
    setTabOrder(m_chooseFile, m_untrained);
    setTabOrder(m_untrained, m_cancelDownload);
    setTabOrder(m_cancelDownload, cachePath);
    m_download->setFocus();

    connect(m_download, &QPushButton::clicked, this, &WeightsDialog::startDownload);
    connect(m_chooseFile, &QPushButton::clicked, this, &WeightsDialog::chooseFile);
    connect(m_untrained, &QPushButton::clicked, this, [this] {
        m_choice = Choice::Untrained;
        m_weightsPath.clear();
        accept();
    });
    connect(m_cancelDownload, &QPushButton::clicked, m_downloader, &WeightsDownloader::cancel);
    connect(m_downloader, &WeightsDownloader::progress, this, &WeightsDialog::showProgress);
    connect(m_downloader, &WeightsDownloader::failed, this, &WeightsDialog::downloadFailed);
    connect(m_downloader, &WeightsDownloader::finished, this, [this](const QString& path) {
        setDownloading(false);
        m_choice = Choice::Downloaded;
        m_weightsPath = path;
        accept();
    });
}

QString WeightsDialog::partialPath() const
{
    return WeightsDownloader::partialPath(QDir(m_cacheDirectory).filePath(m_url.fileName()));
}

void WeightsDialog::updateDownloadButton()
{
    // A .part from an earlier attempt (cancelled, interrupted, another run
    // of the app) is resumed: say so before the click, with what is there.
    const QFileInfo part(partialPath());
    if (!m_url.fileName().isEmpty() && part.isFile() && part.size() > 0) {
        m_download->setText(tr("&Resume download (%1 kept)").arg(dataSize(part.size())));
        return;
    }
    const QString size = knownDownloadSize(m_url.fileName());
    m_download->setText(size.isEmpty() ? tr("&Download") : tr("&Download (≈%1)").arg(size));
}

void WeightsDialog::startDownload()
{
    m_status->clear();
    m_status->hide();
    m_progress->setRange(0, 0); // busy until the size is known
    m_progress->setFormat(QString());
    setDownloading(true);
    m_downloader->start(m_url, m_cacheDirectory);
}

void WeightsDialog::chooseFile()
{
    const QString start = QStandardPaths::writableLocation(QStandardPaths::DownloadLocation);
    const QString path = QFileDialog::getOpenFileName(this, tr("Choose weights file"), start,
                                                      tr("Weights (*.pth *.pt *.safetensors)"));
    if (path.isEmpty())
        return;
    m_choice = Choice::ChosenFile;
    m_weightsPath = path;
    accept();
}

void WeightsDialog::showProgress(qint64 received, qint64 total)
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

void WeightsDialog::downloadFailed(const QString& message)
{
    // The dialog stays open: the user can retry, choose a file or go untrained.
    setDownloading(false);
    QString text = asSentence(message);
    if (const qint64 kept = m_downloader->keptBytes(); kept > 0)
        text += u' ' + tr("The %1 received so far are kept in %2; the next download resumes from there.")
                           .arg(dataSize(kept), QFileInfo(partialPath()).fileName());
    m_status->setText(text);
    updateDownloadButton();
    m_status->show();
    growToFit();
}

void WeightsDialog::setDownloading(bool downloading)
{
    // Focus moves to Cancel while busy, and back to Download after. The order
    // matters: disabling or hiding the focused button first would make Qt pass
    // the focus along the tab chain (and scroll the path field to its end).
    if (downloading) {
        m_progressRow->show();
        m_cancelDownload->setFocus();
    }
    m_download->setEnabled(!downloading);
    m_chooseFile->setEnabled(!downloading);
    m_untrained->setEnabled(!downloading);
    if (!downloading) {
        m_download->setFocus();
        m_progressRow->hide();
    }
    growToFit();
}

void WeightsDialog::growToFit()
{
    // A dialog already on screen does not grow when the progress row or an
    // error appears: its layout would squeeze the wrapped text instead.
    layout()->activate();
    const int needed = qMax(heightForWidth(width()), minimumSizeHint().height());
    if (needed > height())
        resize(width(), needed);
}

void WeightsDialog::reject()
{
    if (m_downloader->isRunning()) {
        m_downloader->cancel();
        return;
    }
    QDialog::reject();
}

} // namespace gce::ui
