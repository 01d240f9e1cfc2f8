#include "core/cam/explanationsession.h"

#include <chrono>

#include <torch/torch.h>

#include "core/errors.h"
#include "core/models/classifier.h"
#include "core/models/tap.h"

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

ExplanationSession::ExplanationSession(ClassifierModule& model, const torch::Tensor& input,
                                       const torch::nn::Module& layer, std::string layerName)
    : m_layerName(std::move(layerName))
{
    const auto start = std::chrono::steady_clock::now();
    {
        torch::NoGradGuard noGrad; // the TapScope re-enables autograd after the target
        TapScope tap(&layer);
        m_logits = model.forward(input);
        if (!tap.reached())
            throw UsageError("layer \"" + m_layerName + "\" is not used by the model's forward pass");
        m_activation = tap.activation();
    }
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

CamMap ExplanationSession::explain(const CamQuery& query)
{
    checkClass(query.classIndex);
    if (query.contrastClass >= 0)
        checkClass(query.contrastClass);
    const auto start = std::chrono::steady_clock::now();
    const auto method = makeCamMethod(query.method);
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
    torch::Tensor cam = torch::relu(method->camImage(m_activation.detach(), gradient)); // H×W
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
