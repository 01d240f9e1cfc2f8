#include "core/cam/guidedbackprop.h"

#include <chrono>

#include <torch/torch.h>

#include "core/cam/camnormalisation.h"
#include "core/errors.h"
#include "core/support/stopwatch.h"

namespace gce {

bool isGuidedMethod(CamMethod method)
{
    return method == CamMethod::GuidedBackprop || method == CamMethod::GuidedGradCam;
}

GuidedBackprop::GuidedBackprop(Network& network, const torch::Tensor& input)
    : m_input(input.detach().clone().requires_grad_(true))
{
    const auto start = std::chrono::steady_clock::now();
    m_logits = network.guidedLogits(m_input);
    m_forwardMs = millisecondsSince(start);
}

torch::Tensor GuidedBackprop::gradient(const CamQuery& query) const
{
    // Only d score / d input: parameters keep no gradient, and the graph is
    // kept for the next class.
    return torch::autograd::grad({queryScore(m_logits[0], query, query.classIndex)}, {m_input}, {},
                                 /*retain_graph=*/true)[0];
}

torch::Tensor guidedSaliency(const torch::Tensor& gradient) { return std::get<0>(gradient[0].abs().max(0)); }

CamMap explainGuided(ExplanationSession& session, GuidedBackprop& pass, const CamQuery& query)
{
    if (query.method == CamMethod::GuidedBackprop && query.eigenSmooth)
        throw UsageError("guidedbackprop has no layer activations to smooth: eigen smoothing applies to layer maps");
    const auto start = std::chrono::steady_clock::now();
    torch::Tensor map = guidedSaliency(pass.gradient(query));
    float layerRawMax = 1.f;
    if (query.method == CamMethod::GuidedGradCam) {
        CamQuery layerQuery = query;
        layerQuery.method = CamMethod::GradCam;
        const CamMap cam = session.explain(layerQuery);
        map = map * resizeMap(mapToTensor(cam.map), map.size(0), map.size(1));
        layerRawMax = cam.rawMax;
    }
    CamMap result = normalisedCamMap(map, query.classIndex);
    result.rawMax *= layerRawMax; // in the units of |gradient| × the raw Grad-CAM
    result.backwardMs = pass.takeForwardMs() + millisecondsSince(start);
    return result;
}

} // namespace gce
