#pragma once
// gradcam-cli's file output (the CLI is Qt-free, so no QSaveFile): bytes go
// to a temporary file in the destination's folder, every write, the flush and
// the close are checked, and only then is it renamed over the destination. A
// failed write (full disk, file-size limit, missing or read-only folder)
// leaves whatever file was there untouched and no temporary file behind.
#include <cstdint>
#include <filesystem>
#include <vector>

namespace gce::cli {

// Throws InputError: cannot write "<path>": <the system's reason>.
void writeFileAtomically(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes);

} // namespace gce::cli
