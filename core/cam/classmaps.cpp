#include "core/cam/classmaps.h"

#include <algorithm>
#include <chrono>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "core/cam/explanationsession.h"
#include "core/errors.h"
#include "core/models/architectures/fastlinear.h"
#include "core/support/stopwatch.h"

namespace gce {

namespace {

// Classes per chunk of the batched way: about this many activation-sized
// elements per chunk (16 MB of gradients at float).
constexpr int64_t kChunkElements = int64_t(4) << 20;
// How far the third probe may differ from the closed form's prediction,
// relative to its largest gradient: float rounding of the head's sums is
// ~1e-7; a tail that mixes channels or positions is off by order 1.
constexpr double kStructureTolerance = 1e-4;

int64_t classesPerChunk(const torch::Tensor& activation)
{
    return std::max<int64_t>(1, kChunkElements / std::max<int64_t>(1, activation.numel()));
}

// D (1×C×h×w) with d(logit_c)/dA[k] = W[c,k]·D[k] for every class, or an
// undefined tensor when the tail does not have that structure for this W.
// Probe i gives g_i = d(Σ_c r_ic·logit_c)/dA = u_i[k]·D[k] with u_i = Wᵀr_i:
// D is fitted from two probes by least squares (stable where one u_i[k] is
// near 0) and checked against the third. Passing the check for a random r_3
// means the structure holds for every class, up to rounding.
torch::Tensor channelwiseFactor(const ExplanationSession& session, const torch::Tensor& head)
{
    const torch::Tensor activation = session.activation();
    if (!head.defined() || head.dim() != 2 || head.size(0) != session.classCount() ||
        head.size(1) != activation.size(1))
        return {};
    auto generator = at::detail::createCPUGenerator(/*seed_in=*/20261206);
    const torch::Tensor weight = head.to(torch::kDouble);
    torch::Tensor u[3], g[3];
    for (int i = 0; i < 3; ++i) {
        const torch::Tensor r = at::randn({weight.size(0)}, generator, torch::kDouble);
        u[i] = torch::mv(weight.t(), r).view({1, -1, 1, 1});
        g[i] = session.logitGradient(r.to(torch::kFloat)).to(torch::kDouble);
    }
    const torch::Tensor norm = u[0] * u[0] + u[1] * u[1];
    const torch::Tensor factor =
        torch::where(norm > 0, (u[0] * g[0] + u[1] * g[1]) / norm.clamp_min(1e-300), torch::zeros_like(g[0]));
    const double scale = g[2].abs().max().item<double>();
    const double error = (g[2] - u[2] * factor).abs().max().item<double>();
    if (error > kStructureTolerance * scale)
        return {};
    return factor.to(torch::kFloat);
}

struct HeadCandidate {
    torch::Tensor weight; // classes×C
    bool identity = false;
};

// The head candidates: the model's last Linear, and the identity when the
// layer has one channel per class (SqueezeNet's final convolution).
std::vector<HeadCandidate> headCandidates(ExplanationSession& session)
{
    std::vector<HeadCandidate> heads;
    if (torch::Tensor head = session.network().headWeight(); head.defined())
        heads.push_back({head, false});
    if (session.activation().size(1) == session.classCount())
        heads.push_back({torch::eye(session.classCount()), true});
    return heads;
}

void pollCancel(const ExplainControl& control, const CamMethod method)
{
    if (control.cancelled && control.cancelled())
        throw Cancelled("region ranking (" + camMethodName(method) + ") cancelled");
}

} // namespace

bool ClassMaps::supports(CamMethod method) { return makeCamMethod(method)->linearInGradient(); }

ClassMaps ClassMaps::compute(ExplanationSession& session, CamMethod method, const ExplainControl& control)
{
    const auto impl = makeCamMethod(method);
    if (!impl->linearInGradient()) {
        std::string offered;
        for (CamMethod each : allCamMethods())
            if (supports(each))
                offered += (offered.empty() ? "" : ", ") + camMethodName(each);
        throw UsageError(camMethodName(method) + " is not offered for region ranking: its map is not linear in the "
                         "class's gradient, so the classes cannot be ranked together; use " + offered);
    }
    const auto start = std::chrono::steady_clock::now();
    if (impl->magnifiesRounding())
        session.useExactPrefix();
    ClassMaps result;
    result.m_method = method;
    const torch::Tensor activation = session.activation();
    const int64_t classes = session.classCount();
    result.m_raw = torch::empty({classes, activation.size(2), activation.size(3)});

    for (const HeadCandidate& head : headCandidates(session)) {
        const torch::Tensor factor = channelwiseFactor(session, head.weight);
        if (!factor.defined())
            continue;
        // Class c's gradient is W[c]⊗D and the method is linear channel by
        // channel, so its per-channel terms are W[c,k]·T_k with T the terms
        // of D: every class's map is one product W·T (classes×C by C×h·w).
        pollCancel(control, method);
        torch::NoGradGuard noGrad;
        const torch::Tensor terms = impl->weightedActivations(activation, factor)[0]; // C×h×w
        const torch::Tensor maps =
            head.identity ? terms : fast::linear(terms.flatten(1).t(), head.weight).t().reshape(result.m_raw.sizes());
        result.m_raw.copy_(torch::relu(maps));
        result.m_closedForm = true;
        break;
    }
    const int64_t chunk = classesPerChunk(activation);
    const torch::Tensor oneHot = result.m_closedForm ? torch::Tensor() : torch::eye(classes);
    for (int64_t begin = 0; !result.m_closedForm && begin < classes; begin += chunk) {
        pollCancel(control, method);
        const int64_t end = std::min(classes, begin + chunk);
        const torch::Tensor copies = activation.expand({end - begin, -1, -1, -1}).clone().requires_grad_(true);
        const torch::Tensor logits = session.tailLogits(copies);
        const torch::Tensor gradients = torch::autograd::grad({logits}, {copies}, {oneHot.slice(0, begin, end)})[0];
        torch::NoGradGuard noGrad;
        result.m_raw.slice(0, begin, end).copy_(torch::relu(impl->camImages(activation, gradients)));
        if (control.progress)
            control.progress(double(end) / double(classes));
    }
    result.m_milliseconds =
        millisecondsSince(start);
    return result;
}

} // namespace gce
