#include "core/cam/explanationsession.h"

#include <algorithm>
#include <chrono>

#include <torch/torch.h>

#include "core/errors.h"
#include "core/cam/adaptivebatch.h"
#include "core/cam/guidedbackprop.h"
#include "core/cam/smoothing.h"

namespace gce {

namespace {
double millisecondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

std::string shapeText(const std::vector<int64_t>& shape)
{
    std::string text = "[";
    for (std::size_t i = 0; i < shape.size(); ++i)
        text += (i ? ", " : "") + std::to_string(shape[i]);
    return text + "]";
}
} // namespace

ExplanationSession::ExplanationSession(std::shared_ptr<Network> network, const torch::Tensor& input,
                                       std::string layerName)
    : m_network(std::move(network)), m_layerName(std::move(layerName)), m_input(input)
{
    const auto start = std::chrono::steady_clock::now();
    TappedForward forward = m_network->forwardTapped(input, m_layerName);
    m_logits = forward.logits;
    m_activation = forward.activation;
    m_tail = std::move(forward.tail);
    if (m_activation.dim() != 4)
        throw UsageError("layer \"" + m_layerName + "\" outputs " + shapeText(m_activation.sizes().vec()) +
                         "; Grad-CAM needs a layer with an N×C×H×W output (a convolutional layer or block)");
    if (!m_logits.requires_grad())
        throw UsageError("layer \"" + m_layerName + "\" does not influence the model's output");
    m_logitsValues = m_logits.detach();
    m_probabilities = torch::softmax(m_logitsValues, 1);
    m_forwardMs = millisecondsSince(start);
}

void ExplanationSession::checkClass(int classIndex) const
{
    if (classIndex < 0 || classIndex >= classCount())
        throw UsageError("class " + std::to_string(classIndex) + " is out of range (0.." +
                         std::to_string(classCount() - 1) + ")");
}

ClassScore ExplanationSession::score(int classIndex) const
{
    checkClass(classIndex);
    return {classIndex, m_probabilities[0][classIndex].item<float>(), m_logitsValues[0][classIndex].item<float>()};
}

std::vector<ClassScore> ExplanationSession::topK(int k) const
{
    k = std::clamp(k, 1, classCount());
    const auto best = m_probabilities[0].topk(k);
    const auto indices = std::get<1>(best);
    std::vector<ClassScore> scores;
    for (int i = 0; i < k; ++i)
        scores.push_back(score(static_cast<int>(indices[i].item<int64_t>())));
    return scores;
}

int ExplanationSession::rankOf(int classIndex) const
{
    checkClass(classIndex);
    const auto row = m_logitsValues[0];
    // Ties resolved by index, like a stable sort of the scores.
    const auto above = (row > row[classIndex]).sum().item<int64_t>();
    const auto tiedBefore = (row.slice(0, 0, classIndex) == row[classIndex]).sum().item<int64_t>();
    return static_cast<int>(above + tiedBefore + 1);
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

CamMap ExplanationSession::explain(const CamQuery& query, const ExplainControl& control)
{
    checkClass(query.classIndex);
    if (query.contrastClass >= 0)
        checkClass(query.contrastClass);
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
    const auto start = std::chrono::steady_clock::now();
    const auto method = makeCamMethod(query.method);
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
    if (method->usesGradients()) {
        torch::Tensor score = m_logits[0][query.classIndex];
        if (query.contrastClass >= 0)
            score = score - m_logits[0][query.contrastClass];
        if (query.counterfactual)
            score = -score;
        // Only dS/d(activation): the tail graph is kept for the next query.
        gradient = torch::autograd::grad({score}, {m_activation}, {}, /*retain_graph=*/true)[0];
    }

    torch::NoGradGuard noGrad;
    const torch::Tensor activation = m_activation.detach();
    torch::Tensor cam = torch::relu(weights.defined() ? (weights.reshape({1, -1, 1, 1}) * activation).sum(1)[0]
                                                      : method->camImage(activation, gradient)); // H×W
    if (query.eigenSmooth)
        cam = torch::relu(principalComponentProjection(weights.defined() ? weights.reshape({1, -1, 1, 1}) * activation
                                                                         : method->weightedActivations(activation, gradient)));
    CamMap result;
    result.classIndex = query.classIndex;
    result.rawMax = cam.max().item<float>();
    result.empty = !(result.rawMax > 0.f);
    cam = result.empty ? torch::zeros_like(cam) : cam / result.rawMax;
    cam = cam.contiguous();
    result.map = cv::Mat(static_cast<int>(cam.size(0)), static_cast<int>(cam.size(1)), CV_32FC1, cam.data_ptr<float>())
                     .clone();
    result.backwardMs = millisecondsSince(start);
    return result;
}

} // namespace gce
