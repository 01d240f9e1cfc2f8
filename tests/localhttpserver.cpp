#include "localhttpserver.h"

#include <QRegularExpression>
#include <QTcpSocket>
#include <QTimer>
#include <memory>

namespace gce::test {

namespace {

constexpr int kSlowChunkBytes = 32 * 1024;
constexpr int kSlowChunkIntervalMs = 20;

QByteArray header(const QByteArray& statusLine, qint64 contentLength, const QByteArray& extra = {})
{
    return "HTTP/1.1 " + statusLine + "\r\n" + extra + "Content-Type: application/octet-stream\r\n" +
           "Content-Length: " + QByteArray::number(contentLength) + "\r\nConnection: close\r\n\r\n";
}

// The value of one request header (names are case-insensitive), "" when absent.
QByteArray headerValue(const QByteArray& head, const QByteArray& name)
{
    for (const QByteArray& line : head.split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && line.left(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
            return line.mid(colon + 1).trimmed();
    }
    return {};
}

// "bytes=N-" or "bytes=N-M" -> N; -1 for anything else (treated as no Range).
qint64 rangeStart(const QByteArray& range)
{
    static const QRegularExpression pattern(QStringLiteral("^bytes=(\\d+)-(\\d*)$"));
    const QRegularExpressionMatch match = pattern.match(QString::fromLatin1(range));
    return match.hasMatch() ? match.captured(1).toLongLong() : -1;
}

} // namespace

LocalHttpServer::LocalHttpServer(QObject* parent)
    : QObject(parent)
{
    connect(&m_server, &QTcpServer::newConnection, this, &LocalHttpServer::onNewConnection);
}

bool LocalHttpServer::listen() { return m_server.listen(QHostAddress::LocalHost, 0); }

QUrl LocalHttpServer::url(const QString& path) const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_server.serverPort()).arg(path));
}

void LocalHttpServer::onNewConnection()
{
    while (QTcpSocket* socket = m_server.nextPendingConnection()) {
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        if (++m_requests > kMaxRequests) {
            socket->abort();
            continue;
        }
        // Read up to the end of the request head; the tests only send GETs.
        auto head = std::make_shared<QByteArray>();
        connect(socket, &QTcpSocket::readyRead, this, [this, socket, head] {
            if (head->endsWith("\r\n\r\n"))
                return; // already answering
            *head += socket->readAll();
            if (!head->contains("\r\n\r\n"))
                return;
            const QByteArray request = head->left(head->indexOf("\r\n\r\n"));
            const QList<QByteArray> requestLine = request.left(request.indexOf("\r\n")).split(' ');
            const QByteArray range = headerValue(request, "Range");
            *head = "\r\n\r\n";
            m_log.append({requestLine.value(1), range});
            respond(socket, requestLine.value(1), range);
        });
    }
}

void LocalHttpServer::respond(QTcpSocket* socket, const QByteArray& path, const QByteArray& range)
{
    const QByteArray name = path.mid(path.lastIndexOf('/') + 1);
    const qint64 size = m_body.size();
    const qint64 first = rangeStart(range);
    // /cut/<N>/<name>: /ranged/ with at most N bytes of each body sent.
    const bool cut = path.startsWith("/cut/");
    const qint64 cutAfter = cut ? path.split('/').value(2).toLongLong() : -1;
    const bool ranged = path.startsWith("/ranged/") || cut;
    if (path.startsWith("/good/")) {
        send(socket, "200 OK", m_body);
    } else if (ranged && first >= size) {
        send(socket, "416 Range Not Satisfiable", {}, "Content-Range: bytes */" + QByteArray::number(size) + "\r\n");
    } else if (ranged && first >= 0) {
        send(socket, "206 Partial Content", m_body.mid(first),
             "Content-Range: bytes " + QByteArray::number(first) + '-' + QByteArray::number(size - 1) + '/' +
                 QByteArray::number(size) + "\r\n",
             cutAfter);
    } else if (path.startsWith("/badrange/") && first >= 0) {
        send(socket, "206 Partial Content", m_body,
             "Content-Range: bytes 0-" + QByteArray::number(size - 1) + '/' + QByteArray::number(size) + "\r\n");
    } else if (ranged || path.startsWith("/badrange/")) {
        send(socket, "200 OK", m_body, {}, cutAfter);
    } else if (path.startsWith("/slow/")) {
        socket->write(header("200 OK", m_body.size()));
        sendSlowly(socket);
    } else if (path.startsWith("/redirect/")) {
        const QByteArray location = url(QStringLiteral("/good/") + QString::fromUtf8(name)).toEncoded();
        send(socket, "302 Found", {}, "Location: " + location + "\r\n");
    } else {
        send(socket, "404 Not Found", "not here\n");
    }
}

void LocalHttpServer::send(QTcpSocket* socket, const QByteArray& statusLine, const QByteArray& body,
                           const QByteArray& extraHeaders, qint64 cutAfter)
{
    // The header always promises the whole body; a cut sends less of it.
    const QByteArray sent = cutAfter >= 0 ? body.left(cutAfter) : body;
    socket->write(header(statusLine, body.size(), extraHeaders) + sent);
    socket->disconnectFromHost(); // after the buffered bytes are written
}

void LocalHttpServer::sendSlowly(QTcpSocket* socket)
{
    // The timer belongs to the socket, so a client that aborts (the socket is
    // deleted on disconnect) stops it.
    auto* timer = new QTimer(socket);
    auto sent = std::make_shared<qsizetype>(0);
    connect(timer, &QTimer::timeout, socket, [this, socket, timer, sent] {
        if (socket->state() != QAbstractSocket::ConnectedState) {
            timer->stop();
            return;
        }
        const QByteArray chunk = m_body.mid(*sent, kSlowChunkBytes);
        socket->write(chunk);
        *sent += chunk.size();
        if (*sent >= m_body.size()) {
            timer->stop();
            socket->disconnectFromHost();
        }
    });
    timer->start(kSlowChunkIntervalMs);
}

} // namespace gce::test
