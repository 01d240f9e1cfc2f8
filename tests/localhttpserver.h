#pragma once
// A minimal HTTP/1.1 server on 127.0.0.1 for the download tests: no internet,
// one request per connection ("Connection: close"), a bounded number of
// requests. Routes (the last path segment becomes the downloaded file name):
//   /good/<name>      200, the body in one write
//   /slow/<name>      200, the body in small chunks on a timer (to cancel midway)
//   /redirect/<name>  302 to /good/<name>
//   anything else     404 Not Found
#include <QByteArray>
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

private:
    void onNewConnection();
    void respond(QTcpSocket* socket, const QByteArray& path);
    void sendSlowly(QTcpSocket* socket);

    QTcpServer m_server;
    QByteArray m_body;
    int m_requests = 0;
};

} // namespace gce::test
