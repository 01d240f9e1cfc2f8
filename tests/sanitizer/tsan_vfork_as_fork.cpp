// TSan build only (tests/sanitizer.cmake): compiled into the same programs as
// tsan_serial_opencv.cpp. Qt 6.4's QProcess starts every child with glibc's
// clone(CLONE_VM | CLONE_VFORK | CLONE_PIDFD) (forkfd's vforkfd), even with a
// child process modifier: the child runs in the parent's memory until it
// execs. GCC 12's ThreadSanitizer intercepts clone() and handles the child as
// a forked process: in the child it marks the runtime "after a multi-threaded
// fork" and turns ignores on for the calling thread, so that the child can
// exec in peace. With CLONE_VM that state is the parent's. The parent then
// drops the synchronisation of the thread that started the process (later
// std::mutex hand-overs to the worker thread were reported as races: 81
// reports in tst_awkwardimages) and dies at its next pthread_create
// ("starting new threads after multi-threaded fork is not supported").
// die_after_fork=0 would only hide the second symptom.
//
// TSan's own vfork() interceptor avoids the problem by doing a fork(); this
// does the same for a vfork-style clone(): fork() through TSan's interceptor,
// the child runs the function Qt passed and exits with its result (it has
// exec'd by then, or reported the failure through QProcess's pipe, which
// works across a real fork: it is how Qt builds without pidfd start children),
// and the parent gets the pidfd that CLONE_PIDFD would have given. The child
// no longer blocks its parent until exec, which QProcess does not rely on.
// Every other clone() goes on to TSan's interceptor unchanged.
#include <dlfcn.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif

extern "C" int clone(int (*fn)(void*), void* stack, int flags, void* arg, ...) noexcept
{
    va_list extra;
    va_start(extra, arg);
    auto* parentTid = va_arg(extra, pid_t*);
    void* tls = va_arg(extra, void*);
    auto* childTid = va_arg(extra, pid_t*);
    va_end(extra);

    constexpr int vforkLike = CLONE_VM | CLONE_VFORK;
    const bool onlyVforkFlags = (flags & ~(vforkLike | CLONE_PIDFD | CSIGNAL)) == 0;
    if ((flags & vforkLike) != vforkLike || !onlyVforkFlags || (flags & CSIGNAL) != SIGCHLD) {
        using Clone = int (*)(int (*)(void*), void*, int, void*, ...);
        static const auto next = reinterpret_cast<Clone>(dlsym(RTLD_NEXT, "clone"));
        return next(fn, stack, flags, arg, parentTid, tls, childTid);
    }

    const pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0)
        _exit(fn(arg));
    if (flags & CLONE_PIDFD) {
        const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0)); // O_CLOEXEC, as CLONE_PIDFD's
        if (pidfd < 0) {
            const int error = errno;
            kill(pid, SIGKILL);
            waitpid(pid, nullptr, 0);
            errno = error;
            return -1;
        }
        *parentTid = pidfd;
    }
    return pid;
}
