#include "app/cli/npyfile.h"

#include <cstring>
#include <string>

namespace gce::cli {

std::vector<std::uint8_t> npyFloat32(const cv::Mat& map)
{
    CV_Assert(map.type() == CV_32FC1);
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(map.rows) + ", " +
                         std::to_string(map.cols) + "), }";
    // Magic (6) + version (2) + header length (2) + header, padded with
    // spaces to a multiple of 64 and ended by a newline (the format's rule).
    const std::size_t unpadded = 10 + header.size() + 1;
    header.append((64 - unpadded % 64) % 64, ' ');
    header += '\n';
    std::vector<std::uint8_t> bytes = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
    bytes.push_back(static_cast<std::uint8_t>(header.size() & 0xff));
    bytes.push_back(static_cast<std::uint8_t>(header.size() >> 8));
    bytes.insert(bytes.end(), header.begin(), header.end());
    const cv::Mat values = map.isContinuous() ? map : map.clone();
    const auto* data = reinterpret_cast<const std::uint8_t*>(values.ptr<float>());
    bytes.insert(bytes.end(), data, data + values.total() * sizeof(float)); // x86-64 and arm64: little-endian
    return bytes;
}

} // namespace gce::cli
