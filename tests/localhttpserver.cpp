#include "localhttpserver.h"

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
            const QList<QByteArray> requestLine = head->left(head->indexOf("\r\n")).split(' ');
            *head = "\r\n\r\n";
            respond(socket, requestLine.value(1));
        });
    }
}

void LocalHttpServer::respond(QTcpSocket* socket, const QByteArray& path)
{
    const QByteArray name = path.mid(path.lastIndexOf('/') + 1);
    if (path.startsWith("/good/")) {
        socket->write(header("200 OK", m_body.size()) + m_body);
        socket->disconnectFromHost(); // after the buffered bytes are written
    } else if (path.startsWith("/slow/")) {
        socket->write(header("200 OK", m_body.size()));
        sendSlowly(socket);
    } else if (path.startsWith("/redirect/")) {
        const QByteArray location = url(QStringLiteral("/good/") + QString::fromUtf8(name)).toEncoded();
        socket->write(header("302 Found", 0, "Location: " + location + "\r\n"));
        socket->disconnectFromHost();
    } else {
        const QByteArray body = "not here\n";
        socket->write(header("404 Not Found", body.size()) + body);
        socket->disconnectFromHost();
    }
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
