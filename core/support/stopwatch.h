#pragma once
// Elapsed wall time in milliseconds: how every duration the engine reports
// (forwardMs, backwardMs, build times) and the benches print is measured.
#include <chrono>

namespace gce {

inline double millisecondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

} // namespace gce
