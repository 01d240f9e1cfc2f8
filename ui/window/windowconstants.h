#pragma once
// Limits the window's parts share (mainwindow.cpp, mainwindowactions.cpp).
namespace gce::ui {

inline constexpr int kMaxPanes = 4;   // compare panes side by side at most
inline constexpr int kTopKExport = 5; // File ▸ Export Top-5: one image per class

} // namespace gce::ui
