#include "core/cam/batchexplanation.h"

#include <chrono>

#include <torch/torch.h>

#include "core/cam/camnormalisation.h"
#include "core/cam/exactprefix.h"
#include "core/cam/guidedbackprop.h"
#include "core/errors.h"
#include "core/support/stopwatch.h"

namespace gce {

BatchExplanation::BatchExplanation(std::shared_ptr<Network> network, const torch::Tensor& inputs,
                                   std::string layerName, PrefixPass pass)
    : m_network(std::move(network)), m_layerName(std::move(layerName)), m_inputs(inputs)
{
    const auto start = std::chrono::steady_clock::now();
    keepPass(m_network->forwardTapped(inputs, m_layerName, pass));
    const torch::Tensor values = m_logits.detach();
    for (int64_t i = 0; i < values.size(0); ++i)
        m_rankings.emplace_back(values[i]);
    m_forwardMs = millisecondsSince(start);
}

void BatchExplanation::keepPass(TappedForward forward)
{
    requireExplainableLayer(m_layerName, forward.activation, forward.logits);
    m_activation = std::move(forward.activation);
    m_logits = std::move(forward.logits);
    m_exactPrefix = forward.exactPrefix;
}

bool BatchExplanation::supports(const CamQuery& query)
{
    if (query.augmentSmooth || isGuidedMethod(query.method))
        return false;
    return !makeCamMethod(query.method)->usesChannelScores();
}

std::vector<CamMap> BatchExplanation::explain(const CamQuery& query, const std::vector<int>& classes)
{
    if (!supports(query))
        throw UsageError(camMethodName(query.method) + " runs passes of its own per image: explain it with a session");
    if (classes.size() != m_rankings.size())
        throw UsageError("a batch of " + std::to_string(m_rankings.size()) + " images needs as many classes, not " +
                         std::to_string(classes.size()));
    for (std::size_t i = 0; i < classes.size(); ++i) {
        m_rankings[i].checkClass(classes[i]);
        if (query.contrastClass >= 0)
            m_rankings[i].checkClass(query.contrastClass);
    }
    const auto method = makeCamMethod(query.method);
    if (method->magnifiesRounding())
        ensureExactPrefix(m_exactPrefix, *m_network, m_inputs, m_layerName, m_forwardMs,
                          [this](TappedForward forward) { keepPass(std::move(forward)); });
    const auto start = std::chrono::steady_clock::now();
    torch::Tensor gradient;
    if (method->usesGradients()) {
        std::vector<torch::Tensor> scores;
        for (std::size_t i = 0; i < classes.size(); ++i)
            scores.push_back(queryScore(m_logits[static_cast<int64_t>(i)], query, classes[i]));
        // One backward for all images; the tail graph is kept for the next class.
        gradient = torch::autograd::grad({torch::stack(scores).sum()}, {m_activation}, {}, /*retain_graph=*/true)[0];
    }
    std::vector<CamMap> maps;
    for (std::size_t i = 0; i < classes.size(); ++i) {
        const auto row = static_cast<int64_t>(i);
        maps.push_back(normalisedCamMap(methodCam(*method, m_activation.slice(0, row, row + 1),
                                                  gradient.defined() ? gradient.slice(0, row, row + 1) : gradient,
                                                  {}, query.eigenSmooth),
                                        classes[i]));
    }
    const double share = millisecondsSince(start) / double(std::max<std::size_t>(1, maps.size()));
    for (CamMap& map : maps)
        map.backwardMs = share;
    return maps;
}

} // namespace gce
