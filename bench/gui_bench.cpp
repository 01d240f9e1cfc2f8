// Explorer window timings (offscreen, ResNet-18, untrained weights: timing
// does not depend on trained values). Prints one JSON object:
//   class_switch_ms   class activated -> result shown and window repainted
//   opacity_ms        opacity slider moved -> all panes repainted
//   open_ms           image opened -> first overlay repainted (includes model load)
//   open_warm_ms      another image opened, model already loaded
//   peak_rss_mb       after 4 panes on a 4000x3000 photo
// usage: gce-gui-bench IMAGE [OTHER_IMAGE]
#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "core/support/runtime.h"
#include "ui/panels/classpanel.h"
#include "ui/window/mainwindow.h"

namespace {

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values.empty() ? 0.0 : values[values.size() / 2];
}

double peakRssMb()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return 0.0;
    for (const QByteArray& line : status.readAll().split('\n'))
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').front().toDouble() / 1024.0;
    return 0.0;
}

// Waits for the window to show a result, then paints it synchronously.
bool waitAndPaint(gce::ui::MainWindow& window, QSignalSpy& shown)
{
    if (shown.isEmpty() && !shown.wait(120000))
        return false;
    shown.clear();
    window.repaint();
    return true;
}

} // namespace

int main(int argc, char** argv)
{
    gce::configureRuntime(gce::runtimeSettingsFromEnvironment());
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    if (argc < 2) {
        std::fprintf(stderr, "usage: gce-gui-bench IMAGE [OTHER_IMAGE]\n");
        return 2;
    }
    QTemporaryDir settings;
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settings.path());

    gce::ui::StartOptions options;
    options.untrained = true;
    gce::ui::MainWindow window(options);
    window.resize(1400, 800);
    window.show();
    QSignalSpy shown(&window, &gce::ui::MainWindow::resultShown);
    QJsonObject report;

    QElapsedTimer clock;
    clock.start();
    window.openImage(QString::fromLocal8Bit(argv[1]));
    if (!waitAndPaint(window, shown))
        return 1;
    report["open_ms"] = double(clock.nsecsElapsed()) / 1e6;

    std::vector<double> switches;
    for (int i = 0; i < 30; ++i) {
        clock.restart();
        emit window.findChild<gce::ui::ClassPanel*>()->classActivated((i * 37) % 1000);
        if (!waitAndPaint(window, shown))
            return 1;
        switches.push_back(double(clock.nsecsElapsed()) / 1e6);
    }
    report["class_switch_ms"] = median(switches);

    std::vector<double> opacities;
    for (int i = 0; i < 30; ++i) {
        clock.restart();
        window.findChild<QSlider*>("opacity")->setValue(i * 3);
        window.repaint();
        opacities.push_back(double(clock.nsecsElapsed()) / 1e6);
    }
    report["opacity_ms"] = median(opacities);

    if (argc > 2) {
        clock.restart();
        window.openImage(QString::fromLocal8Bit(argv[2]));
        if (!waitAndPaint(window, shown))
            return 1;
        report["open_warm_ms"] = double(clock.nsecsElapsed()) / 1e6;
    }

    QTemporaryDir dir;
    QImage big(4000, 3000, QImage::Format_RGB888);
    big.fill(QColor(90, 120, 60));
    const QString bigPath = dir.filePath(QStringLiteral("big.png"));
    big.save(bigPath);
    window.openImage(bigPath);
    if (!waitAndPaint(window, shown))
        return 1;
    for (int i = 0; i < 3; ++i) {
        window.action(gce::ui::MainWindow::ActionId::AddPane)->trigger();
        if (!waitAndPaint(window, shown))
            return 1;
    }
    report["peak_rss_mb"] = peakRssMb();
    std::printf("%s\n", QJsonDocument(report).toJson(QJsonDocument::Compact).constData());
    return 0;
}
