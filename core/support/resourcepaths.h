#pragma once
// Where an installed Grad-CAM Explorer finds its data. The layout is
//   <prefix>/bin/gradcam-cli, <prefix>/bin/gradcam-explorer
//   <prefix>/share/gradcam-explorer/{demo,labels,models}/...
// and the prefix is found from the running executable, so an installation
// works wherever it was put (`cmake --install --prefix ANY`). The build tree
// has no such directory: there the functions return "" (bundledModelsDir
// aside, see below).
#include <string>

namespace gce {

// <directory of executablePath>/../share/gradcam-explorer if it is a
// directory, else "". Pure apart from the existence check (for tests).
std::string dataDirForExecutable(const std::string& executablePath);

// dataDirForExecutable() of the running executable (/proc/self/exe).
std::string installedDataDir();

// The bundled demo image, cat_and_coffee.jpg, if installed; else "".
std::string installedDemoImage();

// The folder of the bundled model weights: <data dir>/models when installed;
// in a build tree (which has no data dir) the source tree's resources/models,
// so that the programs and tests run from the build behave as installed.
// "" when neither exists (a build configured with GCE_SOURCE_TREE_RESOURCES
// off, as the Debian package is, and not installed).
std::string bundledModelsDir();

} // namespace gce
