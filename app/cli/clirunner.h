#pragma once
// What gradcam-cli does once its options are parsed.
#include <iosfwd>

#include "app/cli/clioptions.h"

namespace gce::cli {

// Runs the command; returns the exit code. Errors concerning one image are
// reported on `err` (one line each) and the other images still run.
int runCli(const CliOptions& options, std::ostream& out, std::ostream& err);

} // namespace gce::cli
