#include "core/cam/explanationsession.h"

#include <algorithm>
#include <chrono>

#include <torch/torch.h>

#include "core/errors.h"
#include "core/cam/adaptivebatch.h"
#include "core/cam/camnormalisation.h"
#include "core/cam/exactprefix.h"
#include "core/cam/guidedbackprop.h"
#include "core/cam/smoothing.h"
#include "core/support/stopwatch.h"

namespace gce {

namespace {

std::string shapeText(const std::vector<int64_t>& shape)
{
    std::string text = "[";
    for (std::size_t i = 0; i < shape.size(); ++i)
        text += (i ? ", " : "") + std::to_string(shape[i]);
    return text + "]";
}
} // namespace

void requireExplainableLayer(const std::string& layerName, const torch::Tensor& activation, const torch::Tensor& logits)
{
    if (activation.dim() != 4)
        throw UsageError("layer \"" + layerName + "\" outputs " + shapeText(activation.sizes().vec()) +
                         "; Grad-CAM needs a feature map: N×C×H×W (a convolutional layer or block), "
                         "N×H×W×C (channels-last, as in Swin) or tokens N×(1+h·w)×C (as in ViT)");
    if (!logits.requires_grad())
        throw UsageError("layer \"" + layerName + "\" does not influence the model's output");
}

ExplanationSession::ExplanationSession(std::shared_ptr<Network> network, const torch::Tensor& input,
                                       std::string layerName, PrefixPass pass)
    : m_network(std::move(network)), m_layerName(std::move(layerName)), m_input(input)
{
    const auto start = std::chrono::steady_clock::now();
    keepPass(m_network->forwardTapped(input, m_layerName, pass));
    m_ranking = ClassRanking(m_logits.detach()[0]);
    m_logitsValues = m_ranking.logits().unsqueeze(0);
    m_probabilities = m_ranking.probabilities().unsqueeze(0);
    m_forwardMs = millisecondsSince(start);
}

void ExplanationSession::keepPass(TappedForward forward)
{
    requireExplainableLayer(m_layerName, forward.activation, forward.logits);
    m_logits = std::move(forward.logits);
    m_activation = std::move(forward.activation);
    m_tail = std::move(forward.tail);
    m_exactPrefix = forward.exactPrefix;
}

void ExplanationSession::useExactPrefix()
{
    ensureExactPrefix(m_exactPrefix, *m_network, m_input, m_layerName, m_forwardMs,
                      [this](TappedForward forward) { keepPass(std::move(forward)); });
}

const torch::Tensor& ExplanationSession::channelScores(CamMethod which, const CamMethodImpl& method,
                                                      const ExplainControl& control)
{
    ChannelScores& cache = m_channelScores[which];
    const int64_t channels = m_activation.size(1);
    if (!cache.scores.defined())
        cache.scores = torch::zeros({channels, int64_t(classCount())});
    AdaptiveBatch batch = AdaptiveBatch::choose(control.batchSize, bool(control.cancelled), method.firstBatch(),
                                                method.largestBatch());
    while (cache.done < channels) {
        if (control.cancelled && control.cancelled())
            throw Cancelled(camMethodName(which) + " cancelled");
        const int64_t end = std::min(channels, cache.done + batch.size());
        // Polled inside the batch too, after every module where the network allows it.
        batch.run(control.cancelled, camMethodName(which) + " cancelled", [&] {
            cache.scores.slice(0, cache.done, end).copy_(method.channelScores(*this, cache.done, end));
        });
        cache.done = end;
        if (control.progress)
            control.progress(double(cache.done) / double(channels));
    }
    return cache.scores;
}

bool ExplanationSession::hasPendingPasses(const CamQuery& query) const
{
    if (!makeCamMethod(query.method)->usesChannelScores())
        return false;
    if (query.augmentSmooth)
        return true; // the flipped and rescaled sessions keep their own scores
    const auto found = m_channelScores.find(query.method);
    return found == m_channelScores.end() || found->second.done < m_activation.size(1);
}

torch::Tensor ExplanationSession::logitGradient(const torch::Tensor& classWeights) const
{
    return torch::autograd::grad({m_logits}, {m_activation}, {classWeights.reshape(m_logits.sizes())},
                                 /*retain_graph=*/true)[0];
}

CamMap ExplanationSession::explain(const CamQuery& query, const ExplainControl& control)
{
    m_ranking.checkClass(query.classIndex);
    if (query.contrastClass >= 0)
        m_ranking.checkClass(query.contrastClass);
    if (query.augmentSmooth) {
        if (!m_augmented)
            m_augmented = std::make_shared<AugmentedSessions>(m_network, m_input, m_layerName);
        return m_augmented->explain(*this, query, control);
    }
    if (isGuidedMethod(query.method)) {
        if (!m_guided)
            m_guided = std::make_shared<GuidedBackprop>(*m_network, m_input);
        return explainGuided(*this, *m_guided, query);
    }
    const auto method = makeCamMethod(query.method);
    if (method->magnifiesRounding())
        useExactPrefix(); // counted as forward time, not the method's
    const auto start = std::chrono::steady_clock::now();
    torch::Tensor weights; // score-based methods: C channel weights
    if (method->usesChannelScores()) {
        if (query.contrastClass >= 0 || query.counterfactual)
            throw UsageError(camMethodName(query.method) +
                             " explains one class score; contrastive and counterfactual maps need a gradient method");
        const torch::Tensor& scores = channelScores(query.method, *method, control);
        torch::NoGradGuard noGrad;
        weights = method->scoreWeights(scores, m_logitsValues, query.classIndex);
    }
    torch::Tensor gradient;
    if (method->usesGradients()) // only dS/d(activation): the tail graph is kept for the next query
        gradient = torch::autograd::grad({queryScore(m_logits[0], query, query.classIndex)}, {m_activation}, {},
                                         /*retain_graph=*/true)[0];
    CamMap result = normalisedCamMap(methodCam(*method, m_activation, gradient, weights, query.eigenSmooth),
                                     query.classIndex);
    result.backwardMs = millisecondsSince(start);
    return result;
}

} // namespace gce
