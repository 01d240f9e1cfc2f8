#pragma once
// The CAM family on one pipeline. Every method turns the target layer's
// activation A (1×C×H×W) and, when it uses them, the gradients G = dS/dA of a
// score S into a map; the pipeline (ExplanationSession) then applies ReLU and
// divides by the maximum. A method overrides one hook, as in
// pytorch-grad-cam: channel weights (cam = Σ_k w_k A_k) or the whole image.
//
//   gradcam      w_k = mean(G_k)                              (Selvaraju et al. / the tutorial)
//   gradcam++    w_k = Σ relu(G_k) · α_k,  α = G²/(2G² + ΣA·G³) (Chattopadhay et al.)
//   xgradcam     w_k = Σ(G_k·A_k) / (ΣA_k + 1e-7)               (Fu et al.)
//   hirescam     cam = Σ_k G_k ⊙ A_k, no spatial averaging         (Draelos & Carin)
//   layercam     cam = Σ_k relu(G_k) ⊙ A_k                         (Jiang et al.)
//   eigencam     cam = projection of A on its first principal component, no gradients;
//                the SVD's sign is fixed so that the projection's sum is positive.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <torch/types.h>

namespace gce {

enum class CamMethod { GradCam, GradCamPlusPlus, XGradCam, HiResCam, LayerCam, EigenCam };

std::string camMethodName(CamMethod method);                   // "gradcam", "gradcam++", ...
std::optional<CamMethod> camMethodFromName(std::string_view name); // case-insensitive
std::vector<CamMethod> allCamMethods();
std::string camMethodDescription(CamMethod method);            // one line for --list-methods

class CamMethodImpl {
public:
    virtual ~CamMethodImpl() = default;
    virtual bool usesGradients() const { return true; }
    // The map before ReLU and normalisation: H×W.
    virtual torch::Tensor camImage(const torch::Tensor& activation, const torch::Tensor& gradient) const;

protected:
    // Channel weights 1×C×1×1 (the hook most methods override).
    virtual torch::Tensor channelWeights(const torch::Tensor& activation, const torch::Tensor& gradient) const;
};

std::unique_ptr<CamMethodImpl> makeCamMethod(CamMethod method);

} // namespace gce
