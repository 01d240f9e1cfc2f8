// gradcam-explorer: the window, or with --export a headless annotated export.
#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QIcon>

#include <algorithm>
#include <cstdio>

#include "app/explorer/explorercommandline.h"
#include "app/explorer/explorerexport.h"
#include "core/errors.h"
#include "core/models/modelspecs.h"
#include "core/support/labels.h"
#include "core/support/labelsfile.h"
#include "core/support/modelsidecar.h"
#include "core/support/resourcepaths.h"
#include "core/support/runtime.h"
#include "ui/window/mainwindow.h"

namespace {
// The desktop entry's and AppStream's id; Wayland compositors match windows to
// io.github.gradcam_explorer.desktop (and so to its icon) by it.
constexpr auto kDesktopId = "io.github.gradcam_explorer";

// The installed hicolor icons, found from the installation itself so that a
// prefix outside the icon theme path (e.g. /opt) still has its icon.
QIcon installedIcon(const QString& dataDir)
{
    QIcon icon;
    for (const char* size : {"48x48", "128x128", "256x256"}) {
        const QString file = QDir(dataDir).filePath(QStringLiteral("../icons/hicolor/%1/apps/%2.png")
                                                        .arg(QLatin1String(size), QLatin1String(kDesktopId)));
        if (QFileInfo::exists(file))
            icon.addFile(file);
    }
    return icon;
}

// Headless runs promise one readable line per failure on stderr: Qt's own
// start-up chatter (XDG_RUNTIME_DIR, platform plugin hints) is dropped.
void quietMessages(QtMsgType type, const QMessageLogContext&, const QString& message)
{
    if (type == QtCriticalMsg || type == QtFatalMsg)
        std::fprintf(stderr, "gradcam-explorer: %s\n", qPrintable(message.section(QLatin1Char('\n'), 0, 0)));
}
// What --class names are resolved with before the model loads: the --labels
// file, a TorchScript sidecar's labels, else ImageNet's. A TorchScript model
// without labels has numbered classes: indices only.
int resolveStartClass(const gce::explorer::ExplorerOptions& options, const QString& query)
{
    const std::string model = options.model.toStdString();
    std::string labelsPath = options.labels.toStdString();
    if (labelsPath.empty() && gce::namesModelFile(model))
        labelsPath = gce::readModelSidecar(model).labelsPath;
    if (!labelsPath.empty())
        return gce::LabelSet(gce::readLabelsFile(labelsPath)).resolve(query.toStdString());
    if (gce::namesModelFile(model)) {
        bool isIndex = false;
        const int index = query.toInt(&isIndex);
        if (!isIndex || index < 0)
            throw gce::UsageError("class \"" + query.toStdString() + "\": this model has no labels, use an index");
        return index;
    }
    return gce::LabelSet::imageNet().resolve(query.toStdString());
}
} // namespace

int main(int argc, char** argv)
{
    gce::configureRuntime(gce::runtimeSettingsFromEnvironment());
    // --export, --help and --version need no screen (a terminal over ssh, CI):
    // offscreen unless a platform was chosen.
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        const bool exporting = arg == "--export";
        if (exporting || arg == "--help" || arg == "-h" || arg == "--help-all" || arg == "--version" || arg == "-v") {
            if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
                qputenv("QT_QPA_PLATFORM", "offscreen");
        }
        if (exporting)
            qInstallMessageHandler(quietMessages);
    }

    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("gradcam-explorer"));
    QApplication::setApplicationName(QStringLiteral("gradcam-explorer"));
    QApplication::setApplicationDisplayName(QStringLiteral("Grad-CAM Explorer"));
    QApplication::setApplicationVersion(QStringLiteral(GCE_VERSION));
    QApplication::setDesktopFileName(QLatin1String(kDesktopId));
    const QString dataDir = QString::fromStdString(gce::installedDataDir());
    if (!dataDir.isEmpty())
        QApplication::setWindowIcon(installedIcon(dataDir));

    const auto parsed = gce::explorer::parseExplorerCommandLine(QApplication::arguments());
    if (parsed.exitCode >= 0)
        return parsed.exitCode;
    const auto& options = parsed.options;
    if (!options.exportPath.isEmpty())
        return gce::explorer::runHeadlessExport(options);

    gce::ui::StartOptions start;
    start.imagePath = options.image;
    QStringList classes = options.classes;
    if (start.imagePath.isEmpty()) {
        // From the menu: the installed demo, a cat and an espresso, one pane each
        // (what scripts/explore opens from the source tree).
        start.imagePath = QString::fromStdString(gce::installedDemoImage());
        if (!start.imagePath.isEmpty() && classes.isEmpty())
            classes = {QStringLiteral("Egyptian cat"), QStringLiteral("espresso")};
    }
    start.modelName = options.model;
    start.labelsPath = options.labels;
    start.layer = options.layer;
    for (int i = 0; i < std::max<int>(1, classes.size()); ++i) { // the demo's two panes too
        start.methods << options.methodForPane(i);
        start.paneModels << options.modelForPane(i);
    }
    start.augmentSmooth = options.augmentSmooth;
    start.eigenSmooth = options.eigenSmooth;
    start.sharedScale = options.sharedScale;
    start.preprocess = options.preprocess;
    start.layout = options.layout;
    if (options.weights == QLatin1String("none"))
        start.untrained = true;
    else
        start.weightsPath = options.weights;
    try {
        for (const QString& query : classes)
            start.classes.push_back(resolveStartClass(options, query));
    } catch (const gce::UsageError& error) {
        std::fprintf(stderr, "gradcam-explorer: %s (see --help)\n", error.what());
        return 2;
    } catch (const gce::Error& error) {
        std::fprintf(stderr, "gradcam-explorer: %s\n", error.what());
        return 3;
    }
    gce::ui::MainWindow window(start);
    window.show();
    return app.exec();
}
