#pragma once
// gradcam-explorer's command line:
//   gradcam-explorer [IMAGE] [--class N|"label" ...] [--model NAME|FILE.pt] [--weights F|none]
//                    [--labels FILE] [--layer NAME] [--export PATH]
#include <QString>
#include <QStringList>

namespace gce::explorer {

struct ExplorerOptions {
    QString image;
    QStringList classes;  // as typed; resolved with the model's labels
    QString model;        // empty = remembered
    QString weights;      // empty = remembered/cache; "none" = untrained
    QString labels;       // labels file; empty = remembered or the model's own
    QString layer;
    QString exportPath;   // non-empty: render the export and exit
};

// Parses QCoreApplication::arguments(). On --help/--version prints and
// returns exitCode >= 0; on a usage error prints one line and returns 2.
struct ParseOutcome {
    ExplorerOptions options;
    int exitCode = -1; // -1: go on
};
ParseOutcome parseExplorerCommandLine(const QStringList& arguments);

} // namespace gce::explorer
