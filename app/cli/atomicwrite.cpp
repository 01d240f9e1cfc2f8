#include "app/cli/atomicwrite.h"

#include <cerrno>
#include <cstring>
#include <string>

#include <fcntl.h>
#include <unistd.h>

#include "core/errors.h"

namespace gce::cli {

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

} // namespace

void writeFileAtomically(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes)
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
    const bool written = writeAll(fd, bytes.data(), bytes.size()) && ::fsync(fd) == 0;
    const int writeError = errno;
    const bool closed = ::close(fd) == 0;
    const int closeError = errno;
    std::error_code renameError;
    if (written && closed)
        fs::rename(temporary, path, renameError);
    if (!written || !closed || renameError) {
        std::error_code ignored;
        fs::remove(temporary, ignored);
        fail(path, !written ? writeError : !closed ? closeError : renameError.value());
    }
}

} // namespace gce::cli
