#pragma once
// A file that lives in memory (memfd) but has a path, for fuzzing readers
// that only take a file name (readCheckpoint, PyTorchStreamReader) without
// writing to disk on every execution.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace gce::fuzz {

class MemoryFile {
public:
    MemoryFile() : m_fd(memfd_create("gce-fuzz-input", 0))
    {
        if (m_fd < 0) {
            std::perror("memfd_create");
            std::abort(); // no input can be tested: not a finding, a broken harness
        }
        m_path = "/proc/self/fd/" + std::to_string(m_fd);
    }
    ~MemoryFile() { close(m_fd); }
    MemoryFile(const MemoryFile&) = delete;
    MemoryFile& operator=(const MemoryFile&) = delete;

    // Replaces the contents with `size` bytes; returns the path to open.
    const std::string& write(const std::uint8_t* data, std::size_t size)
    {
        if (ftruncate(m_fd, 0) != 0 || (size > 0 && pwrite(m_fd, data, size, 0) != static_cast<ssize_t>(size))) {
            std::perror("memfd write");
            std::abort();
        }
        return m_path;
    }

private:
    int m_fd;
    std::string m_path;
};

} // namespace gce::fuzz
