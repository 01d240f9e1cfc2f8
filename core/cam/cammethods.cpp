#include "core/cam/cammethods.h"

#include <torch/torch.h>

#include "core/support/textmatch.h"

namespace gce {

namespace {

struct MethodInfo {
    CamMethod method;
    const char* name;
    const char* description;
};

constexpr MethodInfo kMethods[] = {
    {CamMethod::GradCam, "gradcam", "Grad-CAM: channel weights = spatial mean of the gradient (the tutorial's)"},
    {CamMethod::GradCamPlusPlus, "gradcam++", "Grad-CAM++: positive gradients weighted by second/third-order terms"},
    {CamMethod::XGradCam, "xgradcam", "XGrad-CAM: weights = sum(gradient x activation) / sum(activation)"},
    {CamMethod::HiResCam, "hirescam", "HiRes-CAM: element-wise gradient x activation, summed over channels"},
    {CamMethod::LayerCam, "layercam", "LayerCAM: element-wise relu(gradient) x activation"},
    {CamMethod::EigenCam, "eigencam", "Eigen-CAM: first principal component of the activations (class-agnostic)"},
};

class GradCamMethod : public CamMethodImpl {};

class GradCamPlusPlusMethod : public CamMethodImpl {
protected:
    torch::Tensor channelWeights(const torch::Tensor& a, const torch::Tensor& g) const override
    {
        const torch::Tensor g2 = g.pow(2);
        const torch::Tensor g3 = g2 * g;
        const torch::Tensor sumA = a.sum({2, 3}, /*keepdim=*/true);
        torch::Tensor alpha = g2 / (2 * g2 + sumA * g3 + 1e-7);
        alpha = torch::where(g != 0, alpha, torch::zeros_like(alpha));
        return (torch::relu(g) * alpha).sum({2, 3}, /*keepdim=*/true);
    }
};

class XGradCamMethod : public CamMethodImpl {
protected:
    torch::Tensor channelWeights(const torch::Tensor& a, const torch::Tensor& g) const override
    {
        return (g * a).sum({2, 3}, true) / (a.sum({2, 3}, true) + 1e-7);
    }
};

class HiResCamMethod : public CamMethodImpl {
public:
    torch::Tensor camImage(const torch::Tensor& a, const torch::Tensor& g) const override { return (g * a).sum(1)[0]; }
};

class LayerCamMethod : public CamMethodImpl {
public:
    torch::Tensor camImage(const torch::Tensor& a, const torch::Tensor& g) const override
    {
        return (torch::relu(g) * a).sum(1)[0];
    }
};

class EigenCamMethod : public CamMethodImpl {
public:
    bool usesGradients() const override { return false; }
    torch::Tensor camImage(const torch::Tensor& a, const torch::Tensor&) const override
    {
        const int64_t channels = a.size(1), height = a.size(2), width = a.size(3);
        torch::Tensor points = a[0].reshape({channels, height * width}).t().to(torch::kFloat64); // HW×C
        points = points - points.mean(0, /*keepdim=*/true);
        const auto svd = torch::linalg_svd(points, /*full_matrices=*/false);
        torch::Tensor projection = torch::matmul(points, std::get<2>(svd)[0]); // onto the first component
        if (projection.sum().item<double>() < 0)
            projection = -projection; // an SVD's sign is arbitrary: make the result reproducible
        return projection.reshape({height, width}).to(torch::kFloat32);
    }
};

} // namespace

torch::Tensor CamMethodImpl::channelWeights(const torch::Tensor&, const torch::Tensor& gradient) const
{
    return gradient.mean({2, 3}, /*keepdim=*/true);
}

torch::Tensor CamMethodImpl::camImage(const torch::Tensor& activation, const torch::Tensor& gradient) const
{
    return (channelWeights(activation, gradient) * activation).sum(1)[0];
}

std::string camMethodName(CamMethod method)
{
    for (const auto& info : kMethods)
        if (info.method == method)
            return info.name;
    return "?";
}

std::string camMethodDescription(CamMethod method)
{
    for (const auto& info : kMethods)
        if (info.method == method)
            return info.description;
    return {};
}

std::optional<CamMethod> camMethodFromName(std::string_view name)
{
    const std::string wanted = toLowerAscii(name);
    for (const auto& info : kMethods)
        if (wanted == info.name)
            return info.method;
    return std::nullopt;
}

std::vector<CamMethod> allCamMethods()
{
    std::vector<CamMethod> methods;
    for (const auto& info : kMethods)
        methods.push_back(info.method);
    return methods;
}

std::unique_ptr<CamMethodImpl> makeCamMethod(CamMethod method)
{
    switch (method) {
    case CamMethod::GradCam: return std::make_unique<GradCamMethod>();
    case CamMethod::GradCamPlusPlus: return std::make_unique<GradCamPlusPlusMethod>();
    case CamMethod::XGradCam: return std::make_unique<XGradCamMethod>();
    case CamMethod::HiResCam: return std::make_unique<HiResCamMethod>();
    case CamMethod::LayerCam: return std::make_unique<LayerCamMethod>();
    case CamMethod::EigenCam: return std::make_unique<EigenCamMethod>();
    }
    return std::make_unique<GradCamMethod>();
}

} // namespace gce
