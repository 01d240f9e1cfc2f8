#include "ui/weights/weightsdownloader.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QTimer>
#include <QtDebug>

namespace gce::ui {

namespace {

// A stalled connection (no bytes at all for this long) fails instead of
// leaving the progress bar frozen forever; a slow but moving one never does.
constexpr int kStallTimeoutMs = 60 * 1000;

// Kept bytes are hashed this much per event-loop turn (tens of ms), so that
// resuming a 500 MB .part does not freeze the window.
constexpr qint64 kHashSliceBytes = 8 * 1024 * 1024;

constexpr int kPartialContent = 206;
constexpr int kRangeNotSatisfiable = 416;

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

QString native(const QString& path) { return QDir::toNativeSeparators(path); }

// "bytes <first>-<last>/<total or *>" (RFC 9110 14.4). Returns the whole
// file's size (-1 when the server says "*"), or -2 when the header does not
// describe exactly the bytes from `first` on.
qint64 sizeFromContentRange(const QByteArray& header, qint64 first)
{
    static const QRegularExpression pattern(QStringLiteral("^bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)$"));
    const QRegularExpressionMatch match = pattern.match(QString::fromLatin1(header.trimmed()));
    if (!match.hasMatch())
        return -2;
    const qint64 from = match.captured(1).toLongLong();
    const qint64 to = match.captured(2).toLongLong();
    if (from != first || to < from)
        return -2;
    if (match.captured(3) == u'*')
        return -1;
    const qint64 total = match.captured(3).toLongLong();
    return to + 1 == total ? total : -2; // we asked for everything from `first` on
}

} // namespace

WeightsDownloader::WeightsDownloader(QObject* parent)
    : QObject(parent)
    , m_network(new QNetworkAccessManager(this))
    , m_hashTimer(new QTimer(this))
{
    m_hashTimer->setSingleShot(true);
    m_hashTimer->setInterval(0);
    connect(m_hashTimer, &QTimer::timeout, this, &WeightsDownloader::catchUpHash);
}

WeightsDownloader::~WeightsDownloader()
{
    // Silently: nobody should hear failed() from an object being destroyed.
    // Like a cancel, the bytes received so far stay in the .part.
    stop();
}

bool WeightsDownloader::isRunning() const { return m_reply != nullptr; }

QString WeightsDownloader::partialPath(const QString& finalPath) { return finalPath + QStringLiteral(".part"); }

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
    m_keptBytes = 0;
    const QString fileName = url.fileName();
    if (fileName.isEmpty()) {
        emit failed(tr("cannot download %1: the address names no file").arg(displayUrl(url)));
        return;
    }
    if (!QDir().mkpath(directory)) {
        emit failed(tr("cannot create the folder %1").arg(native(directory)));
        return;
    }
    m_target = QDir(directory).filePath(fileName);

    // The .part sits next to the final file so that the last step is a
    // rename within one folder (atomic, never a copy across file systems).
    // ReadWrite without Truncate: what an earlier attempt left is resumed.
    m_part = new QFile(partialPath(m_target), this);
    if (!m_part->open(QIODevice::ReadWrite)) {
        const QString reason = m_part->errorString();
        delete m_part;
        m_part = nullptr;
        emit failed(tr("cannot write %1: %2").arg(native(partialPath(m_target)), reason));
        return;
    }
    m_base = m_part->size();
    m_written = m_base;
    m_hashed = 0;
    m_restarted = false;
    m_completePending = false;
    request(m_base > 0);
}

void WeightsDownloader::request(bool resume)
{
    QNetworkRequest request(m_url);
    // download.pytorch.org answers with a redirect to its CDN; never follow
    // one from https down to http.
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::NoLessSafeRedirectPolicy);
    request.setTransferTimeout(kStallTimeoutMs);
    // Byte offsets must count the file as stored, not a compressed transfer
    // of it (setting the header also stops Qt's transparent decompression).
    request.setRawHeader("Accept-Encoding", "identity");
    m_requestedFrom = resume ? m_base : 0;
    if (resume)
        request.setRawHeader("Range", "bytes=" + QByteArray::number(m_requestedFrom) + '-');
    m_bodyStarted = false;
    m_expectedSize = -1;

    m_reply = m_network->get(request);
    connect(m_reply, &QNetworkReply::readyRead, this, &WeightsDownloader::onReadyRead);
    connect(m_reply, &QNetworkReply::finished, this, &WeightsDownloader::onFinished);
    connect(m_reply, &QNetworkReply::downloadProgress, this, &WeightsDownloader::onProgress);
}

bool WeightsDownloader::beginBody()
{
    const int status = httpStatus(m_reply);
    if (status == kRangeNotSatisfiable && m_requestedFrom > 0) {
        // The .part is as long as the file or longer (the file changed, or
        // the last attempt got everything but the rename): start over.
        restartWithoutRange();
        return false;
    }
    if (isHttpError(m_reply))
        return false; // an error page is not the weights file; onFinished reports it
    if (status == kPartialContent)
        return resumeFromPart();

    // 200 (a server that ignores Range answers that way too) or a non-HTTP
    // scheme: this body is the whole file, so whatever the .part held goes.
    if (!m_part->resize(0) || !m_part->seek(0)) {
        fail(tr("cannot write %1: %2").arg(native(m_part->fileName()), m_part->errorString()));
        return false;
    }
    m_hash.reset();
    m_base = 0;
    m_written = 0;
    m_hashed = 0;
    const QVariant length = m_reply->header(QNetworkRequest::ContentLengthHeader);
    m_expectedSize = length.isValid() ? length.toLongLong() : -1;
    m_bodyStarted = true;
    return true;
}

bool WeightsDownloader::resumeFromPart()
{
    const qint64 size =
        m_requestedFrom > 0 ? sizeFromContentRange(m_reply->rawHeader("Content-Range"), m_requestedFrom) : -2;
    if (size == -2) {
        // Other bytes than the ones asked for (or a 206 nobody asked for):
        // appending them would corrupt the file.
        if (m_restarted) {
            fail(tr("cannot download %1: the server sent part of the file when asked for all of it")
                     .arg(displayUrl(m_url)));
            return false;
        }
        restartWithoutRange();
        return false;
    }
    // The whole-file hash starts with the bytes already on disk: catchUpHash
    // feeds them in slices while the new ones are appended. Started only now
    // that the server agreed to resume: after a 200 it would be wasted.
    if (!m_part->seek(m_base)) {
        fail(tr("cannot read %1: %2").arg(native(m_part->fileName()), m_part->errorString()));
        return false;
    }
    m_hash.reset();
    m_hashed = 0;
    m_written = m_base;
    m_hashTimer->start();
    m_expectedSize = size;
    if (size < 0) {
        const QVariant length = m_reply->header(QNetworkRequest::ContentLengthHeader);
        m_expectedSize = length.isValid() ? m_base + length.toLongLong() : -1;
    }
    m_bodyStarted = true;
    return true;
}

void WeightsDownloader::restartWithoutRange()
{
    QNetworkReply* old = m_reply;
    m_reply = nullptr;
    disconnect(old, nullptr, this, nullptr);
    old->abort();
    old->deleteLater(); // we are inside one of its signals
    // "From zero" means the .part too: its bytes may not be this file's.
    if (!m_part->resize(0)) {
        fail(tr("cannot write %1: %2").arg(native(m_part->fileName()), m_part->errorString()));
        return;
    }
    m_hashTimer->stop();
    m_hash.reset();
    m_base = 0;
    m_written = 0;
    m_hashed = 0;
    m_restarted = true;
    request(false);
}

void WeightsDownloader::cancel()
{
    if (!isRunning())
        return;
    fail(tr("download cancelled"));
}

void WeightsDownloader::onProgress(qint64 received, qint64 total)
{
    // Qt counts this reply's body; a resumed one starts after m_base bytes.
    if (!m_bodyStarted)
        return;
    emit progress(m_base + received, total < 0 ? -1 : m_base + total);
}

void WeightsDownloader::onReadyRead()
{
    if (!m_reply)
        return;
    const QByteArray chunk = m_reply->readAll();
    if (chunk.isEmpty())
        return;
    if (!m_bodyStarted && !beginBody())
        return;
    const bool caughtUp = m_hashed == m_written;
    if (m_part->write(chunk) != chunk.size()) {
        fail(tr("cannot write %1: %2").arg(native(m_part->fileName()), m_part->errorString()));
        return;
    }
    m_written += chunk.size();
    // Hashed as it arrives, unless kept bytes before it still wait for
    // catchUpHash, which then reads this chunk back from the .part.
    if (caughtUp) {
        m_hash.addData(chunk);
        m_hashed = m_written;
    }
}

void WeightsDownloader::catchUpHash()
{
    if (!m_part)
        return;
    const qint64 count = std::min(kHashSliceBytes, m_written - m_hashed);
    // seek() writes out QFile's buffer first, so what was appended is readable.
    const bool sought = m_part->seek(m_hashed);
    const QByteArray slice = sought ? m_part->read(count) : QByteArray();
    if (slice.size() != count || !m_part->seek(m_written)) {
        fail(tr("cannot read %1: %2").arg(native(m_part->fileName()), m_part->errorString()));
        return;
    }
    m_hash.addData(slice);
    m_hashed += count;
    if (m_hashed < m_written)
        m_hashTimer->start(); // the next slice after pending events
    else if (m_completePending)
        complete();
}

void WeightsDownloader::onFinished()
{
    QNetworkReply* const reply = m_reply;
    if (!reply)
        return;
    onReadyRead(); // whatever arrived with the final packet
    if (m_reply != reply)
        return; // failed, or restarted without Range
    if (!m_bodyStarted && !beginBody() && m_reply != reply)
        return; // an empty 416 or mismatched 206: restarted

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
    if (m_expectedSize >= 0 && m_written != m_expectedSize) {
        // Ended cleanly by the transport's standards yet short: an
        // interruption all the same, so the .part stays for a resume.
        fail(tr("cannot download %1: the connection ended after %2 of %3 bytes")
                 .arg(displayUrl(m_url))
                 .arg(m_written)
                 .arg(m_expectedSize));
        return;
    }
    if (m_written == 0) {
        fail(tr("cannot download %1: the server sent an empty file").arg(displayUrl(m_url)));
        return;
    }
    if (m_hashed < m_written) {
        m_completePending = true; // catchUpHash completes; cancel() still works
        return;
    }
    complete();
}

void WeightsDownloader::complete()
{
    const QString partPath = m_part->fileName();
    const QString expected = expectedHashPrefix(m_target);
    const QString actual = QString::fromLatin1(m_hash.result().toHex());
    if (!expected.isEmpty() && !actual.startsWith(expected)) {
        // Resuming cannot repair these bytes: the next attempt starts afresh.
        m_part->close();
        QFile::remove(partPath);
        fail(tr("downloaded file is corrupt: SHA-256 starts with %1, expected %2")
                 .arg(actual.left(expected.size()), expected));
        return;
    }
    // On disk before it gets the final name: after a crash the name holds
    // either the old file or the complete new one.
    const bool synced = m_part->flush() && ::fsync(m_part->handle()) == 0;
    m_part->close();
    std::error_code error;
    if (synced)
        std::filesystem::rename(QFile::encodeName(partPath).toStdString(),
                                QFile::encodeName(m_target).toStdString(), error);
    if (!synced || error) {
        const QString reason = synced ? QString::fromStdString(error.message()) : m_part->errorString();
        fail(tr("cannot save %1: %2").arg(native(m_target), reason));
        return;
    }
    const QString path = m_target;
    delete m_part; // renamed: stop() must not look at its old name
    m_part = nullptr;
    stop();
    emit finished(path);
}

void WeightsDownloader::fail(const QString& message)
{
    // Clean up before emitting, so a slot may start() again right away.
    stop();
    emit failed(message);
}

void WeightsDownloader::stop()
{
    m_hashTimer->stop();
    m_completePending = false;
    if (m_reply) {
        QNetworkReply* reply = m_reply;
        m_reply = nullptr;
        disconnect(reply, nullptr, this, nullptr);
        reply->abort();
        // We may be inside one of its signals: delete it once that returns.
        reply->deleteLater();
    }
    if (m_part) {
        // Kept for the next start() to resume; an empty one is just litter.
        m_part->close();
        m_keptBytes = m_part->exists() ? m_part->size() : 0;
        if (m_keptBytes == 0)
            m_part->remove();
        delete m_part;
        m_part = nullptr;
    }
}

} // namespace gce::ui
