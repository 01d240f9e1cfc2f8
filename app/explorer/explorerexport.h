#pragma once
// `gradcam-explorer IMAGE --export PATH`: the window's annotated export,
// rendered without a window; exit codes as gradcam-cli (0, 2 usage, 3 input).
#include <QString>

#include "app/explorer/explorercommandline.h"
#include "ui/export/exportrenderer.h"

namespace gce::explorer {

// The export the options ask for, computed on the calling thread; or why not.
struct HeadlessExport {
    gce::ui::ExportRequest request; // valid when exitCode == 0
    QString error;                  // one line
    int exitCode = 0;               // 2 usage (unknown class/layer), 3 input (image, weights)
};
HeadlessExport composeHeadlessExport(const ExplorerOptions& options);

// Composes, renders and writes the export (never over an existing file).
int runHeadlessExport(const ExplorerOptions& options);

} // namespace gce::explorer
