// MainWindow's model side: which model runs (with the weights bar's offer
// when its weights are missing), its preprocessing, the target layer, and
// what happens when a model loads or fails. The choice itself is ModelChoice.
#include <QFontMetrics>
#include <QLabel>
#include <QMenu>
#include <QPushButton>

#include <algorithm>

#include "core/models/modelspecs.h"
#include "core/support/weightscache.h"
#include "ui/panels/classpanel.h"
#include "ui/panels/layertree.h"
#include "ui/settings/settings.h"
#include "ui/weights/weightsbar.h"
#include "ui/window/mainwindow.h"
#include "ui/window/panestrip.h"

namespace gce::ui {

namespace {
constexpr int kLayerButtonTextWidth = 220; // px; longer (TorchScript) names are elided in the middle
} // namespace

void MainWindow::offerWeights(const QString& modelName)
{
    const std::string name = modelName.toStdString();
    const auto known = std::find_if(modelSpecs().begin(), modelSpecs().end(),
                                    [&](const ModelSpec& spec) { return spec.name == name; });
    if (known == modelSpecs().end())
        return; // nothing to download for a name the engine does not know
    const QString title = modelName == QLatin1String("resnet18") ? tr("ResNet-18 (the tutorial's model)") : modelName;
    const QString running = m_choice.untrained ? tr("untrained weights run meanwhile")
                                        : tr("showing %1 meanwhile").arg(m_choice.model == QString::fromStdString(bundledModelName())
                                                                              ? tr("the bundled SqueezeNet 1.1")
                                                                              : m_choice.model);
    m_weightsBar->offer(modelName, tr("%1 is not in the torch hub cache — %2.").arg(title, running),
                        QUrl(QString::fromStdString(downloadUrl(*known))),
                        QString::fromStdString(torchHubCheckpointsDir()));
}

void MainWindow::chooseModel(const QString& modelName)
{
    if (modelName == m_choice.model)
        return;
    if (const auto found = ModelChoice::weightsFor(modelName)) {
        m_weightsBar->hide();
        switchModel(modelName, *found, false);
        return;
    }
    offerWeights(modelName); // the running model stays until weights arrive
    syncModelMenu();
    updateActions();
}

void MainWindow::switchModel(const QString& modelName, const QString& weightsPath, bool untrained)
{
    m_choice.select(modelName, weightsPath, untrained);
    syncPreprocessMenu();
    Settings::setValue(Setting::Model, modelName);
    m_strip->clearScores();
    syncModelMenu();
    showLayerChoice();
    updateActions();
    requestCompute();
}

void MainWindow::syncModelMenu()
{
    // A TorchScript file is not one of the menu's architectures: no choice stays checked.
    for (QAction* choice : m_modelMenu->actions())
        if (choice->isCheckable())
            choice->setChecked(choice->text() == m_choice.model);
}

void MainWindow::choosePreprocess(const QString& mode)
{
    Settings::setPreprocessFor(m_choice.model, mode);
    if (mode == m_choice.preprocess)
        return;
    m_choice.preprocess = mode;
    m_strip->clearScores(); // scores of maps made from another input
    requestCompute();
}

void MainWindow::syncPreprocessMenu()
{
    if (!m_actions.contains(ActionId::ModelPreprocessing))
        return;
    // Not chosen: what ran last for this model (a TorchScript sidecar may name "model"), else the tutorial's.
    const QString mode = !m_choice.preprocess.isEmpty()             ? m_choice.preprocess
                         : shown().modelName == m_choice.model ? shown().preprocess
                                                            : QStringLiteral("tutorial");
    action(ActionId::ModelPreprocessing)->setChecked(mode == QLatin1String("model"));
    action(ActionId::TutorialPreprocessing)->setChecked(mode != QLatin1String("model"));
}

void MainWindow::chooseLayer(const QString& layer)
{
    // The tree lists the loaded model's layers: while another model loads,
    // a choice from it would be remembered for the wrong model.
    if (m_modelInfo.modelName != m_choice.model)
        return;
    const QString wanted = layer == m_modelInfo.defaultLayer ? QString() : layer;
    if (wanted == m_choice.layer)
        return;
    m_choice.layer = wanted;
    Settings::setLayerFor(m_choice.model, m_choice.layer);
    m_strip->clearScores();
    showLayerChoice();
    requestCompute();
}

void MainWindow::showLayerChoice()
{
    const bool loaded = m_modelInfo.modelName == m_choice.model;
    const QString shown = !m_choice.layer.isEmpty() ? m_choice.layer : loaded ? m_modelInfo.defaultLayer : QString();
    if (m_layerTree && loaded)
        m_layerTree->setCurrentLayer(shown);
    if (!m_layerButton)
        return;
    const QString text = shown.isEmpty() ? tr("default") : shown;
    const QFontMetrics metrics = m_layerButton->fontMetrics();
    m_layerButton->setText(metrics.elidedText(text, Qt::ElideMiddle, kLayerButtonTextWidth));
    // Room around the name, or the framed text reads as an input field.
    m_layerButton->setMinimumWidth(metrics.horizontalAdvance(m_layerButton->text()) + 4 * metrics.averageCharWidth());
    m_layerButton->setToolTip(tr("Target layer %1: Grad-CAM explains this layer's output.\n"
                                 "Click or press %2 to choose another in the Layers panel.")
                                  .arg(text, action(ActionId::ChooseLayer)->shortcut().toString(
                                                 QKeySequence::NativeText)));
}

void MainWindow::onModelLoaded(const ModelInfo& info)
{
    m_modelInfo = info;
    m_classPanel->setLabels(info.labels);
    m_layerTree->setLayers(info.layers, info.defaultLayer);
    // A remembered layer this model cannot explain (a re-exported TorchScript
    // file, an edited settings file): the worker already computes the
    // default layer's maps for the request in flight (layerFallback); say so
    // and forget the choice.
    if (info.modelName == m_choice.model && !info.layerProblem.isEmpty() && info.requestedLayer == m_choice.layer) {
        showMessage(tr("Target layer: %1. Showing the default layer %2 instead.").arg(info.layerProblem, info.defaultLayer));
        if (Settings::layerFor(m_choice.model) == m_choice.layer)
            Settings::setLayerFor(m_choice.model, QString()); // do not offer it again
        m_choice.layer.clear();
    }
    showLayerChoice();
}

void MainWindow::onModelFailed(const QString& message, bool newest)
{
    m_busyTimer.stop();
    m_busy->hide();
    showMessage(message);
    // Fall back to the model that last loaded (the worker still holds it), so
    // a bad weights file costs nothing but the message.
    const QString failedModel = m_choice.model;
    m_strip->clearScores();
    // The model that last loaded, else the bundled one, else untrained weights.
    if (!m_choice.fallBackAfterFailure(m_modelInfo.modelName, m_modelInfo.weightsPath))
        return;
    syncModelMenu();
    if (m_choice.model != failedModel) {
        m_choice.loadRemembered();
        syncPreprocessMenu();
        showLayerChoice();
    }
    if (newest)
        requestCompute();
}

} // namespace gce::ui
