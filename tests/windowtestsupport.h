#pragma once
// What every window test needs: a demo photo (also alone in a folder of its
// own, so that no neighbours are prepared), and waiting until the window has
// shown a result. Settings go to a throwaway folder (testsupport.h). Tests
// reach the window's parts as a user does: the controller for the request
// protocol, the pane strip, and widgets by type or object name (findChild).
#include <QComboBox>
#include <QFile>
#include <QPushButton>
#include <QSignalSpy>
#include <QSlider>
#include <QTemporaryDir>

#include "testsupport.h"
#include "ui/canvas/colorbar.h"
#include "ui/canvas/panearea.h"
#include "ui/control/explorercontroller.h"
#include "ui/panels/classpanel.h"
#include "ui/panels/layertree.h"
#include "ui/weights/weightsbar.h"
#include "ui/window/mainwindow.h"
#include "ui/window/panestrip.h"

namespace gce::test {

inline QString demoImage(const char* name) { return sourceDir() + "/resources/demo/" + name; }

// A copy of the demo photo `name` alone in `dir`.
inline QString isolatedDemoImage(const QTemporaryDir& dir, const char* name)
{
    const QString path = dir.filePath(name);
    QFile::copy(demoImage(name), path);
    return path;
}

// True once `window` shows a result (MainWindow::resultShown) within the time.
inline bool waitShown(gce::ui::MainWindow& window, int timeoutMs = 120000)
{
    QSignalSpy shown(&window, &gce::ui::MainWindow::resultShown);
    return shown.wait(timeoutMs);
}

// Shows `window` and waits for its first result.
inline bool showAndWait(gce::ui::MainWindow& window, int timeoutMs = 120000)
{
    window.show();
    return waitShown(window, timeoutMs);
}

} // namespace gce::test
