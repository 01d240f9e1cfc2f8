#pragma once
// A minimal HTTP/1.1 server on 127.0.0.1 for the download tests: no internet,
// one request per connection ("Connection: close"), a bounded number of
// requests. Routes (the last path segment becomes the downloaded file name):
//   /good/<name>      200, the body in one write; ignores Range, as some servers do
//   /ranged/<name>    honours "Range: bytes=N-": 206 with Content-Range, 416 when N
//                     is at or past the end; 200 without Range
//   /badrange/<name>  answers a Range with 206 but a Content-Range for other bytes
//                     (the whole body); 200 without Range
//   /cut/<N>/<name>   as /ranged/, but the connection closes after N bytes of the body,
//                     its Content-Length promising more: an interrupted download
//   /slow/<name>      200, the body in small chunks on a timer (to cancel midway)
//   /redirect/<name>  302 to /good/<name>
//   anything else     404 Not Found
// The cut is part of the address, not server state: Qt's HTTP channel may
// re-send a request on its own after an early close, and such a stray request
// must neither use up nor dodge a cut meant for another.
#include <QByteArray>
#include <QList>
#include <QObject>
#include <QTcpServer>
#include <QUrl>

class QTcpSocket;

namespace gce::test {

class LocalHttpServer : public QObject {
    Q_OBJECT
public:
    // Connections beyond this are dropped unanswered: a client retrying in a
    // loop fails its test instead of hanging it.
    static constexpr int kMaxRequests = 100;

    explicit LocalHttpServer(QObject* parent = nullptr);

    bool listen(); // 127.0.0.1, any free port
    QUrl url(const QString& path) const;
    void setBody(const QByteArray& body) { m_body = body; }
    int requestCount() const { return m_requests; }

    struct Request {
        QByteArray path;
        QByteArray range; // the Range header, "" when it had none
    };
    // Every request answered so far, in order.
    const QList<Request>& requests() const { return m_log; }

private:
    void onNewConnection();
    void respond(QTcpSocket* socket, const QByteArray& path, const QByteArray& range);
    void send(QTcpSocket* socket, const QByteArray& statusLine, const QByteArray& body,
              const QByteArray& extraHeaders = {}, qint64 cutAfter = -1);
    void sendSlowly(QTcpSocket* socket);

    QTcpServer m_server;
    QByteArray m_body;
    int m_requests = 0;
    QList<Request> m_log;
};

} // namespace gce::test
