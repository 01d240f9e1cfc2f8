#pragma once
// `gradcam-explorer IMAGE --export PATH`: the window's annotated export,
// rendered without a window; exit codes as gradcam-cli (0, 2 usage, 3 input).
#include "app/explorer/explorercommandline.h"

namespace gce::explorer {

int runHeadlessExport(const ExplorerOptions& options);

} // namespace gce::explorer
