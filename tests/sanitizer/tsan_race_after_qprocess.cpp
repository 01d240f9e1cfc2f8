// ThreadSanitizer proof for processes started with QProcess (issue 6): after
// a child has been started from a multi-threaded program, a race between the
// main thread and a new thread must still be reported. Without
// tsan_vfork_as_fork.cpp (linked in here as in every test program), Qt 6.4's
// vfork-style clone() leaves the parent's TSan state "after fork": the new
// thread kills the program, or with die_after_fork=0 the race goes unseen.
#include <QCoreApplication>
#include <QProcess>
#include <QThread>

#include <cstdio>
#include <thread>

namespace {
int shared = 0;
}

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    std::thread sleeper([] { QThread::msleep(50); }); // multi-threaded when the child starts
    QProcess child;
    child.start(QStringLiteral("/bin/true"), {});
    const bool ran = child.waitForFinished(30000) && child.exitCode() == 0;
    sleeper.join();
    std::thread writer([] { shared = 1; });
    shared = 2;
    writer.join();
    std::fprintf(stderr, "child %s, shared %d\n", ran ? "ran" : "did not run", shared);
    return ran ? 0 : 1;
}
