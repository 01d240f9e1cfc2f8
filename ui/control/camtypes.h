#pragma once
// Plain value types that travel between the worker thread and the widgets
// (by value, through queued signals). No LibTorch here: ui/ headers stay light.
#include <QImage>
#include <QMetaType>
#include <QRect>
#include <QRectF>
#include <QString>
#include <QStringList>
#include <QVector>

#include "core/support/defaults.h"

namespace gce::ui {

// A Grad-CAM map at the target layer's resolution (e.g. 7×7), values in [0,1].
struct CamMapData {
    int rows = 0;
    int cols = 0;
    QVector<float> values; // row-major
    bool empty = false;    // no positive evidence: all zeros
    // max of ReLU(Σ α·A) before the division (CamMap::rawMax): values × rawMax
    // are the raw map, which the shared scale compares across panes.
    float rawMax = 0.f;
    bool isNull() const { return rows == 0 || cols == 0; }
};

// What one pane shows.
struct PaneResult {
    QString method = QString::fromLatin1(kDefaultMethod); // CAM method name (core/cam/cammethods.h)
    int classIndex = -1;
    QString className;
    float probability = 0.f;
    int rank = 0; // 1 = top prediction
    // The smoothings the map was made with (core/cam/smoothing.h). Eigen
    // smoothing is off for a method without layer activations (guidedbackprop)
    // even when the window asks for it.
    bool augmentSmooth = false;
    bool eigenSmooth = false;
    // The model's own preprocessing ran (CamResult::preprocess "model"): the
    // caption says the map covers its centre crop.
    bool modelPreprocess = false;
    // The model and layer this pane's map comes from: the window's model, or
    // the pane's own (CamRequest::paneModels). `otherModels`: the panes of the
    // result do not all use one model, so captions and exports name it.
    QString modelName;
    QString layerName;
    bool untrained = false;
    bool otherModels = false;
    CamMapData map;
    // In a partial result (CamResult::complete false): the map is still being
    // computed (a score-based method's perturbed passes); class, probability
    // and rank are already known.
    bool pending = false;
    // Where the map comes from: the result's request and this pane's place in
    // it. The engine keeps recent maps under these, so a score request names
    // the map instead of carrying it back (FaithfulnessRequest).
    quint64 requestId = 0;
    int index = -1;

    // "TTA", "eigen", "TTA + eigen", or empty: for captions.
    QString smoothingText() const
    {
        QStringList parts;
        if (augmentSmooth)
            parts << QStringLiteral("TTA");
        if (eigenSmooth)
            parts << QStringLiteral("eigen");
        return parts.join(QStringLiteral(" + "));
    }
};

// The worker's answer to one request.
struct CamResult {
    quint64 requestId = 0;
    QString imagePath;
    QImage image;                // the decoded photo, RGB888, EXIF-oriented
    QString modelName;
    QString layerName;
    bool untrained = false;
    // Which preprocessing ran ("tutorial" or "model", core/support/preprocessing.h)
    // and, for "model", its transform ("resize 256, crop 224, bilinear").
    QString preprocess = QStringLiteral("tutorial");
    QString transformText;
    // Where the network's input lies in the photo, in photo pixels: the whole
    // photo for the tutorial's Resize, the centre crop's rectangle for the
    // model transform (the map is drawn there, the rest dimmed).
    QRectF inputRect;
    QVector<float> probabilities; // softmax over every class
    QVector<PaneResult> panes;    // in the order the request listed the classes
    double forwardMs = 0.0;       // 0 when the explanation session was reused
    double backwardMs = 0.0;      // all panes together
    // False: a partial result sent ahead while slow panes (pending) compute;
    // the complete result with the same requestId follows.
    bool complete = true;
};

} // namespace gce::ui

Q_DECLARE_METATYPE(gce::ui::CamResult)

namespace gce::ui {

// Faithfulness scores of one pane's map (core/cam/faithfulness.h), computed on
// request by the worker.
struct FaithfulnessResult {
    quint64 requestId = 0;
    int classIndex = -1;
    QVector<double> deletionCurve;  // steps + 1 class probabilities, x = k/steps
    QVector<double> insertionCurve;
    double deletionAuc = 0.0;  // lower is better
    double insertionAuc = 0.0; // higher is better
    double originalProbability = 0.0;    // Y_c
    double explanationProbability = 0.0; // O_c: of the image multiplied by the map
    double averageDrop = 0.0;            // percent
    bool increaseInConfidence = false;   // O_c > Y_c
    int forwardImages = 0;
    double elapsedMs = 0.0;
};

} // namespace gce::ui

Q_DECLARE_METATYPE(gce::ui::FaithfulnessResult)

namespace gce::ui {

// A region of the photo in photo pixels: a box (positive size), a point
// (width = height = 0) or none (negative size; QRect() would be the point 0,0).
inline QRect noRegion() { return QRect(0, 0, -1, -1); }
inline bool isRegion(const QRect& r) { return r.width() >= 0 && r.height() >= 0; }

// "What is here?" (core/cam/regionranking.h): every class's Grad-CAM evidence
// in a region of the photo, for one pane's model, layer and method.
struct RegionResult {
    quint64 requestId = 0;
    quint64 mapRequest = 0; // the result whose photo was ranked (CamResult::requestId)
    QString imagePath;
    QRect region;           // photo pixels, clipped to the photo; width = height = 0: a point
    QString method;
    QString modelName;
    QString layerName;
    QVector<float> here;    // per class: the mean raw map over the region
    QVector<float> share;   // per class: the region's part of the map's whole mass, 0..1
    bool closedForm = false; // every class's gradient from one pass (core/cam/classmaps.h)
    bool mapsReused = false; // no pass through the network: the maps of an earlier region
    double rankingMs = 0.0;  // the class maps (0 when reused) and the scores
};

} // namespace gce::ui

Q_DECLARE_METATYPE(gce::ui::RegionResult)

namespace gce::ui {

// One entry of the model's layer list (for the layer chooser).
struct LayerEntry {
    QString name;  // "layer4.1.conv2"
    QString type;  // "Conv2d"
    QString shape; // "1×512×7×7", empty when not reached by forward
    // How a transformer's output is read as a map ("tokens 14×14×768",
    // "channels-last 7×7×768"; core/models/activationlayout.h), else empty.
    QString mapLayout = {};
    // Whether Grad-CAM can explain it, as the engine decided from the output
    // (LayerShape::explainable): a feature map, channels-last map or tokens.
    bool explainable = false;
};

// Sent when the worker has (re)built the model.
struct ModelInfo {
    QString modelName;
    QString weightsPath; // empty = untrained
    QString defaultLayer;
    // The layer the loading request named, and why it cannot be explained
    // (empty: it can, or none was named). With CamRequest::layerFallback the
    // maps then use defaultLayer, so no second request is needed.
    QString requestedLayer;
    QString layerProblem;
    QVector<LayerEntry> layers;
    QStringList labels;
};

} // namespace gce::ui

Q_DECLARE_METATYPE(gce::ui::ModelInfo)
