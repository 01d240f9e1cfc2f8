#pragma once
// The Grad-CAM parity loop every oracle-backed model test runs: for each case
// of a manifest entry ({"layer", "class", "key"}), one session per layer, the
// logits against the oracle's (relative, above 1) and the map against the
// oracle's map stored under "key". Header-only: LibTorch tests include it.
#include <QJsonArray>
#include <QJsonObject>
#include <QString>

#include <map>
#include <memory>

#include "core/cam/explainer.h"
#include "core/models/zoonetwork.h"
#include "paritysupport.h"

namespace gce::test {

struct ParityOutcome {
    QString failure;       // the first disagreement; empty when all agree
    double worstLogit = 0; // largest logit error seen
    double worstMap = 0;   // largest map error seen
    int maps = 0;
};

inline ParityOutcome compareGradCamCases(Explainer& explainer, const StateDict& reference, const QJsonArray& cases,
                                         double tolerance = 1e-4)
{
    ParityOutcome outcome;
    const torch::Tensor input = expected(reference, "input");
    std::map<std::string, std::unique_ptr<ExplanationSession>> sessions;
    for (const auto& c : cases) {
        const QJsonObject item = c.toObject();
        const QString layer = item["layer"].toString();
        const int classIndex = item["class"].toInt();
        auto& session = sessions[layer.toStdString()];
        if (!session) {
            session = explainer.explainTensor(input, layer.toStdString());
            const double logitError = worstError(session->logits(), expected(reference, "logits"));
            outcome.worstLogit = std::max(outcome.worstLogit, logitError);
            if (!(logitError < tolerance))
                return outcome.failure = QString("logits off by %1 at %2").arg(logitError).arg(layer), outcome;
        }
        const CamMap cam = session->gradCam(classIndex);
        const torch::Tensor want = expected(reference, item["key"].toString().toStdString());
        if (cam.map.rows != want.size(0) || cam.map.cols != want.size(1))
            return outcome.failure = QString("%1: map is %2×%3, oracle's %4×%5")
                                         .arg(layer)
                                         .arg(cam.map.rows)
                                         .arg(cam.map.cols)
                                         .arg(want.size(0))
                                         .arg(want.size(1)),
                   outcome;
        const torch::Tensor got = mapTensor(cam.map);
        if (torch::isnan(got).any().item<bool>())
            return outcome.failure = QString("%1 class %2: NaN in the map").arg(layer).arg(classIndex), outcome;
        const double mapError = (got - want).abs().max().item<double>();
        outcome.worstMap = std::max(outcome.worstMap, mapError);
        ++outcome.maps;
        if (!(mapError < tolerance))
            return outcome.failure = QString("%1 class %2: map off by %3").arg(layer).arg(classIndex).arg(mapError),
                   outcome;
    }
    return outcome;
}

// The same cases once the model's inference form is built (issue 18), where
// it is exact: the layers before each target run through it, and so does a
// whole no-grad pass, whose logits must match the oracle's too. formBuilt
// says whether there was a form to check.
inline ParityOutcome compareGradCamCasesThroughForm(Explainer& explainer, const StateDict& reference,
                                                    const QJsonArray& cases, bool& formBuilt,
                                                    double tolerance = 1e-4);

// compareGradCamCasesThroughForm for a zoo test: the first failure, named
// after the model, or empty (and what was compared logged).
inline QString throughFormFailure(const QString& model, Explainer& explainer, const StateDict& reference,
                                  const QJsonArray& cases)
{
    bool formBuilt = false;
    const ParityOutcome outcome = compareGradCamCasesThroughForm(explainer, reference, cases, formBuilt);
    if (!outcome.failure.isEmpty())
        return model + " through its inference form: " + outcome.failure;
    qInfo("%s: inference form %s; logits within %.1e, maps within %.1e through it", qPrintable(model),
          formBuilt ? "built" : "none (no exact form)", outcome.worstLogit, outcome.worstMap);
    return {};
}

inline ParityOutcome compareGradCamCasesThroughForm(Explainer& explainer, const StateDict& reference,
                                                    const QJsonArray& cases, bool& formBuilt, double tolerance)
{
    explainer.network().setFormPolicy(FormPolicy::WhenExact);
    explainer.prepareInference();
    const torch::Tensor input = expected(reference, "input");
    auto* zoo = dynamic_cast<ZooNetwork*>(&explainer.network());
    formBuilt = zoo && zoo->inferenceForm(input) != nullptr;
    ParityOutcome outcome;
    torch::Tensor logits;
    {
        torch::NoGradGuard noGrad;
        logits = explainer.network().logits(input);
    }
    outcome.worstLogit = worstError(logits, expected(reference, "logits"));
    if (!(outcome.worstLogit < tolerance))
        return outcome.failure = QString("whole-pass logits off by %1").arg(outcome.worstLogit), outcome;
    ParityOutcome cased = compareGradCamCases(explainer, reference, cases, tolerance);
    cased.worstLogit = std::max(cased.worstLogit, outcome.worstLogit);
    return cased;
}

} // namespace gce::test
