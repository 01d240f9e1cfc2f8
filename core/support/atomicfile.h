#pragma once
// Writing a whole file or nothing, for every program that writes the user's
// files (gradcam-cli's overlays and maps, the explorer's exports): bytes go to
// a hidden temporary file in the destination's folder, every write, the fsync
// and the close are checked, and only then does the temporary take the
// destination's name. A failed write (full disk, file-size limit, missing or
// read-only folder) leaves whatever file was there untouched and no temporary
// behind. Qt-free, so the CLI and the GUI share it.
#include <cstdint>
#include <filesystem>
#include <string>

namespace gce {

enum class Replace {
    Allowed, // the destination is replaced in one step
    Refused, // an existing destination is an error, decided atomically (no window between check and write)
};

// Throws InputError: `cannot write "<path>": <the system's reason>`, or
// `"<path>" already exists` when `replace` is Refused.
void writeFileAtomically(const std::filesystem::path& path, const void* data, std::size_t size,
                         Replace replace = Replace::Allowed);

} // namespace gce
