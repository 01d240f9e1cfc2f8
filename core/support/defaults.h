#pragma once
// What both programs and the window's settings start from, said once.
namespace gce {

// The Grad-CAM tutorial's model: gradcam-cli's --model default, the window's
// first model and the headless export's.
inline constexpr const char* kDefaultModel = "resnet18";
// The tutorial's method: a pane without one, --method's default.
inline constexpr const char* kDefaultMethod = "gradcam";

} // namespace gce
