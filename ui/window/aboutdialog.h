#pragma once
// Help ▸ About: the version, the libraries it runs on (Qt, LibTorch, OpenCV)
// and the licences of the data that ships with it (ImageNet labels, demo
// photos). Versions come from core/support/runtime.h, so no LibTorch or
// OpenCV header is needed here.
#include <QDialog>

class QLabel;

namespace gce::ui {

class AboutDialog : public QDialog {
    Q_OBJECT
public:
    explicit AboutDialog(QWidget* parent = nullptr);

    // "Qt 6.4.2, LibTorch 1.13.0, OpenCV 4.6.0": for tests and bug reports.
    static QString libraryVersions();
};

} // namespace gce::ui
