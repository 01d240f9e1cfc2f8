#pragma once
// Where an installed Grad-CAM Explorer finds its data. The layout is
//   <prefix>/bin/gradcam-cli, <prefix>/bin/gradcam-explorer
//   <prefix>/share/gradcam-explorer/{demo,labels}/...
// and the prefix is found from the running executable, so an installation
// works wherever it was put (`cmake --install --prefix ANY`). The build tree
// has no such directory: there the functions return "".
#include <string>

namespace gce {

// <directory of executablePath>/../share/gradcam-explorer if it is a
// directory, else "". Pure apart from the existence check (for tests).
std::string dataDirForExecutable(const std::string& executablePath);

// dataDirForExecutable() of the running executable (/proc/self/exe).
std::string installedDataDir();

// The bundled demo image, cat_and_coffee.jpg, if installed; else "".
std::string installedDemoImage();

} // namespace gce
