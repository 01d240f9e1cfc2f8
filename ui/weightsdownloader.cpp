#include "ui/weightsdownloader.h"

#include <QDir>
#include <QFileInfo>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QSaveFile>
#include <QtDebug>

namespace gce::ui {

namespace {

// A stalled connection (no bytes at all for this long) fails instead of
// leaving the progress bar frozen forever; a slow but moving one never does.
constexpr int kStallTimeoutMs = 60 * 1000;

int httpStatus(const QNetworkReply* reply)
{
    return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
}

// Non-HTTP schemes (file:, data:) have no status: they count as success.
bool isHttpError(const QNetworkReply* reply)
{
    const int status = httpStatus(reply);
    return status != 0 && (status < 200 || status >= 300);
}

QString displayUrl(const QUrl& url)
{
    return url.toDisplayString(QUrl::RemoveUserInfo | QUrl::RemoveQuery | QUrl::RemoveFragment);
}

} // namespace

WeightsDownloader::WeightsDownloader(QObject* parent)
    : QObject(parent)
    , m_network(new QNetworkAccessManager(this))
{
}

WeightsDownloader::~WeightsDownloader()
{
    // Silently: nobody should hear failed() from an object being destroyed.
    // discard() aborts the reply (the manager, our child, deletes it) and
    // drops the temporary file, so nothing partial stays on disk.
    discard();
}

bool WeightsDownloader::isRunning() const { return m_reply != nullptr; }

QString WeightsDownloader::expectedHashPrefix(const QString& fileName)
{
    // torchvision names its files <name>-<first hex digits of sha256>.<ext>
    // and torch.hub checks exactly that prefix (check_hash=True). Fewer than
    // six hex digits is more likely a version ("model-v2.pth") than a hash.
    const QString name = QFileInfo(fileName).fileName();
    const qsizetype dot = name.lastIndexOf(u'.');
    if (dot <= 0)
        return {};
    const QString stem = name.left(dot);
    const qsizetype dash = stem.lastIndexOf(u'-');
    if (dash < 0)
        return {};
    const QString candidate = stem.mid(dash + 1);
    static const QRegularExpression hex(QStringLiteral("^[0-9a-fA-F]{6,64}$"));
    return hex.match(candidate).hasMatch() ? candidate.toLower() : QString();
}

void WeightsDownloader::start(const QUrl& url, const QString& directory)
{
    if (isRunning()) {
        qWarning("WeightsDownloader: a download is already running; ignoring %s",
                 qPrintable(displayUrl(url)));
        return;
    }
    m_url = url;
    const QString fileName = url.fileName();
    if (fileName.isEmpty()) {
        emit failed(tr("cannot download %1: the address names no file").arg(displayUrl(url)));
        return;
    }
    if (!QDir().mkpath(directory)) {
        emit failed(tr("cannot create the folder %1").arg(QDir::toNativeSeparators(directory)));
        return;
    }
    m_target = QDir(directory).filePath(fileName);

    // QSaveFile writes to a temporary file next to the target and renames it
    // only on commit(), after the hash check: an interrupted or corrupt
    // download never shows up under the name the app looks for, and an
    // existing file there survives a failed download untouched.
    m_file = new QSaveFile(m_target, this);
    if (!m_file->open(QIODevice::WriteOnly)) {
        const QString reason = m_file->errorString();
        delete m_file;
        m_file = nullptr;
        emit failed(tr("cannot write %1: %2").arg(QDir::toNativeSeparators(m_target), reason));
        return;
    }
    m_hash.reset();
    m_written = 0;

    QNetworkRequest request(url);
    // download.pytorch.org answers with a redirect to its CDN; never follow
    // one from https down to http.
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::NoLessSafeRedirectPolicy);
    request.setTransferTimeout(kStallTimeoutMs);
    m_reply = m_network->get(request);
    connect(m_reply, &QNetworkReply::readyRead, this, &WeightsDownloader::onReadyRead);
    connect(m_reply, &QNetworkReply::finished, this, &WeightsDownloader::onFinished);
    connect(m_reply, &QNetworkReply::downloadProgress, this, &WeightsDownloader::progress);
}

void WeightsDownloader::cancel()
{
    if (!isRunning())
        return;
    fail(tr("download cancelled"));
}

void WeightsDownloader::onReadyRead()
{
    if (!m_reply)
        return;
    const QByteArray chunk = m_reply->readAll();
    // The body of an error page is not the weights file: drop it. The status
    // is reported when the reply finishes.
    if (chunk.isEmpty() || isHttpError(m_reply))
        return;
    m_hash.addData(chunk);
    if (m_file->write(chunk) != chunk.size()) {
        fail(tr("cannot write %1: %2").arg(QDir::toNativeSeparators(m_target), m_file->errorString()));
        return;
    }
    m_written += chunk.size();
}

void WeightsDownloader::onFinished()
{
    if (!m_reply)
        return;
    onReadyRead(); // whatever arrived with the final packet
    if (!m_reply)
        return; // a write error already failed the download

    const QNetworkReply* reply = m_reply;
    // A redirect Qt refused to follow (https -> http, a loop) is better told
    // by Qt's own reason than by the bare 3xx status.
    const bool refusedRedirect = httpStatus(reply) / 100 == 3 && reply->error() != QNetworkReply::NoError;
    if (isHttpError(reply) && !refusedRedirect) {
        // Checked before error(): for 404 & co. Qt's error text is a long
        // sentence, "HTTP 404 Not Found from <host>" says it all.
        const QString reason = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
        QString message = tr("HTTP %1").arg(httpStatus(reply));
        if (!reason.isEmpty())
            message += u' ' + reason;
        fail(tr("%1 from %2").arg(message, reply->url().host()));
        return;
    }
    if (reply->error() != QNetworkReply::NoError) {
        const bool stalled = reply->error() == QNetworkReply::OperationCanceledError ||
                             reply->error() == QNetworkReply::TimeoutError;
        const QString reason = stalled ? tr("no data received for %1 s").arg(kStallTimeoutMs / 1000)
                                       : reply->errorString().simplified();
        fail(tr("cannot download %1: %2").arg(displayUrl(m_url), reason));
        return;
    }
    if (m_written == 0) {
        fail(tr("cannot download %1: the server sent an empty file").arg(displayUrl(m_url)));
        return;
    }

    const QString expected = expectedHashPrefix(m_target);
    const QString actual = QString::fromLatin1(m_hash.result().toHex());
    if (!expected.isEmpty() && !actual.startsWith(expected)) {
        fail(tr("downloaded file is corrupt: SHA-256 starts with %1, expected %2")
                 .arg(actual.left(expected.size()), expected));
        return;
    }
    if (!m_file->commit()) {
        fail(tr("cannot save %1: %2").arg(QDir::toNativeSeparators(m_target), m_file->errorString()));
        return;
    }
    const QString path = m_target;
    discard();
    emit finished(path);
}

void WeightsDownloader::fail(const QString& message)
{
    // Clean up before emitting, so a slot may start() again right away.
    discard();
    emit failed(message);
}

void WeightsDownloader::discard()
{
    if (m_reply) {
        QNetworkReply* reply = m_reply;
        m_reply = nullptr;
        disconnect(reply, nullptr, this, nullptr);
        reply->abort();
        // We may be inside one of its signals: delete it once that returns.
        reply->deleteLater();
    }
    if (m_file) {
        m_file->cancelWriting(); // no-op after a successful commit()
        delete m_file;
        m_file = nullptr;
    }
}

} // namespace gce::ui
