// gradcam-explorer: the window, or with --export a headless annotated export.
#include <QApplication>
#include <QFileInfo>

#include <cstdio>

#include "app/explorer/explorercommandline.h"
#include "app/explorer/explorerexport.h"
#include "core/errors.h"
#include "core/support/labels.h"
#include "core/support/runtime.h"
#include "ui/mainwindow.h"

namespace {
// Headless runs promise one readable line per failure on stderr: Qt's own
// start-up chatter (XDG_RUNTIME_DIR, platform plugin hints) is dropped.
void quietMessages(QtMsgType type, const QMessageLogContext&, const QString& message)
{
    if (type == QtCriticalMsg || type == QtFatalMsg)
        std::fprintf(stderr, "gradcam-explorer: %s\n", qPrintable(message.section(QLatin1Char('\n'), 0, 0)));
}
} // namespace

int main(int argc, char** argv)
{
    gce::configureRuntime(gce::runtimeSettingsFromEnvironment());
    // --export needs no screen: render offscreen unless a platform was chosen.
    for (int i = 1; i < argc; ++i) {
        if (QByteArray(argv[i]) == "--export") {
            if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
                qputenv("QT_QPA_PLATFORM", "offscreen");
            qInstallMessageHandler(quietMessages);
        }
    }

    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("gradcam-explorer"));
    QApplication::setApplicationName(QStringLiteral("gradcam-explorer"));
    QApplication::setApplicationDisplayName(QStringLiteral("Grad-CAM Explorer"));
    QApplication::setApplicationVersion(QStringLiteral(GCE_VERSION));

    const auto parsed = gce::explorer::parseExplorerCommandLine(QApplication::arguments());
    if (parsed.exitCode >= 0)
        return parsed.exitCode;
    const auto& options = parsed.options;
    if (!options.exportPath.isEmpty())
        return gce::explorer::runHeadlessExport(options);

    gce::ui::StartOptions start;
    start.imagePath = options.image;
    start.modelName = options.model;
    start.layer = options.layer;
    if (options.weights == QLatin1String("none"))
        start.untrained = true;
    else
        start.weightsPath = options.weights;
    try {
        for (const QString& query : options.classes)
            start.classes.push_back(gce::LabelSet::imageNet().resolve(query.toStdString()));
    } catch (const gce::UsageError& error) {
        std::fprintf(stderr, "gradcam-explorer: %s (see --help)\n", error.what());
        return 2;
    }
    gce::ui::MainWindow window(start);
    window.show();
    return app.exec();
}
