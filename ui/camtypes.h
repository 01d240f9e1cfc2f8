#pragma once
// Plain value types that travel between the worker thread and the widgets
// (by value, through queued signals). No LibTorch here: ui/ headers stay light.
#include <QImage>
#include <QMetaType>
#include <QString>
#include <QVector>

namespace gce::ui {

// A Grad-CAM map at the target layer's resolution (e.g. 7×7), values in [0,1].
struct CamMapData {
    int rows = 0;
    int cols = 0;
    QVector<float> values; // row-major
    bool empty = false;    // no positive evidence: all zeros
    bool isNull() const { return rows == 0 || cols == 0; }
};

// What one pane shows.
struct PaneResult {
    QString method = QStringLiteral("gradcam"); // CAM method name (core/cam/cammethods.h)
    int classIndex = -1;
    QString className;
    float probability = 0.f;
    int rank = 0; // 1 = top prediction
    CamMapData map;
};

// The worker's answer to one request.
struct CamResult {
    quint64 requestId = 0;
    QString imagePath;
    QImage image;                // the decoded photo, RGB888, EXIF-oriented
    QString modelName;
    QString layerName;
    bool untrained = false;
    QVector<float> probabilities; // softmax over every class
    QVector<PaneResult> panes;    // in the order the request listed the classes
    double forwardMs = 0.0;       // 0 when the explanation session was reused
    double backwardMs = 0.0;      // all panes together
};

} // namespace gce::ui

Q_DECLARE_METATYPE(gce::ui::CamResult)

namespace gce::ui {

// One entry of the model's layer list (for the layer chooser).
struct LayerEntry {
    QString name;  // "layer4.1.conv2"
    QString type;  // "Conv2d"
    QString shape; // "1×512×7×7", empty when not reached by forward
};

// Sent when the worker has (re)built the model.
struct ModelInfo {
    QString modelName;
    QString weightsPath; // empty = untrained
    QString defaultLayer;
    QVector<LayerEntry> layers;
    QStringList labels;
};

} // namespace gce::ui

Q_DECLARE_METATYPE(gce::ui::ModelInfo)
