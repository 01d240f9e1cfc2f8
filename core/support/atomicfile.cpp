#include "core/support/atomicfile.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include <fcntl.h>
#include <unistd.h>

#include "core/errors.h"

namespace gce {

namespace {

[[noreturn]] void fail(const std::filesystem::path& path, int error)
{
    throw InputError("cannot write \"" + path.string() + "\": " + std::strerror(error));
}

// write(2) may write less than asked; a full disk shows as ENOSPC (or EFBIG
// past a file-size limit) on the call that no longer fits.
bool writeAll(int fd, const std::uint8_t* data, std::size_t size)
{
    while (size > 0) {
        const ssize_t written = ::write(fd, data, size);
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0)
            return false;
        data += written;
        size -= static_cast<std::size_t>(written);
    }
    return true;
}

// The temporary takes the destination's name: rename(2) replaces in one
// step; link(2) fails with EEXIST if the name is taken, so a refused replace
// cannot lose a file created meanwhile. 0, or the errno.
int giveName(const std::filesystem::path& temporary, const std::filesystem::path& path, Replace replace)
{
    if (replace == Replace::Allowed)
        return ::rename(temporary.c_str(), path.c_str()) == 0 ? 0 : errno;
    if (::link(temporary.c_str(), path.c_str()) == 0) {
        ::unlink(temporary.c_str()); // the destination's name holds the bytes now
        return 0;
    }
    if (errno != EPERM && errno != EOPNOTSUPP)
        return errno;
    // A file system without hard links (FAT, some FUSE mounts): check, then
    // rename, which narrows but cannot close the window.
    if (::access(path.c_str(), F_OK) == 0)
        return EEXIST;
    return ::rename(temporary.c_str(), path.c_str()) == 0 ? 0 : errno;
}

} // namespace

void writeFileAtomically(const std::filesystem::path& path, const void* data, std::size_t size, Replace replace)
{
    namespace fs = std::filesystem;
    // Hidden, and named after this process: two runs writing the same file do
    // not share a temporary.
    const fs::path temporary = path.parent_path() / ("." + path.filename().string() + ".partial-" +
                                                     std::to_string(::getpid()));
    // 0666 minus the umask: the file gets the permissions a plain create would give it.
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0)
        fail(path, errno);
    // fsync before the rename: after a crash the name holds the old or the new
    // bytes, never an empty file.
    const bool written = writeAll(fd, static_cast<const std::uint8_t*>(data), size) && ::fsync(fd) == 0;
    const int writeError = errno;
    const bool closed = ::close(fd) == 0;
    const int closeError = errno;
    int nameError = 0;
    if (written && closed)
        nameError = giveName(temporary, path, replace);
    if (!written || !closed || nameError != 0) {
        std::error_code ignored;
        fs::remove(temporary, ignored);
        if (nameError == EEXIST)
            throw InputError("\"" + path.string() + "\" already exists");
        fail(path, !written ? writeError : !closed ? closeError : nameError);
    }
}

} // namespace gce
