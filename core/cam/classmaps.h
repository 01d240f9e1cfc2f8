#pragma once
// Every class's raw map of one explained image: what region ranking
// ("what is here?", core/cam/regionranking.h) scores for all classes at once.
//
// For a method whose map before ReLU is linear in the gradient (Grad-CAM,
// XGrad-CAM, HiRes-CAM), class c's map needs G_c = d(logit_c)/dA, so all
// classes need the Jacobian of the logits with respect to the target layer.
// Two ways, both exact:
//  - closed form: when the tail is channel-wise up to a linear head, as after
//    the last convolution of most CNNs (BN, residual sum, ReLU, global pool,
//    then Linear; or SqueezeNet's ReLU and pool with one channel per class),
//    G_c[k] = W[c,k]·D[k] for one map D per channel. Three backward passes
//    of random class combinations find D and verify the structure; a tail
//    that does not have it fails the check and takes the other way.
//  - batched: one backward over a batch of one-hot targets per chunk of
//    classes, the tail run on copies of the activation (progress and cancel
//    between chunks).
#include <torch/types.h>

#include "core/cam/cammethods.h"

namespace gce {

class ExplanationSession;

class ClassMaps {
public:
    // Whether region ranking offers the method (linear in the gradient).
    static bool supports(CamMethod method);
    // Every class's ReLU(cam) from the session's kept forward pass. Throws
    // UsageError for a method it does not support (naming those it does),
    // Cancelled when control.cancelled() says so between chunks.
    static ClassMaps compute(ExplanationSession& session, CamMethod method, const ExplainControl& control = {});

    // classes×h×w: the raw maps, before the per-class division by their
    // maximum, so that strong and weak classes compare honestly.
    const torch::Tensor& raw() const { return m_raw; }
    CamMethod method() const { return m_method; }
    bool closedForm() const { return m_closedForm; }
    double milliseconds() const { return m_milliseconds; }

private:
    torch::Tensor m_raw;
    CamMethod m_method = CamMethod::GradCam;
    bool m_closedForm = false;
    double m_milliseconds = 0.0;
};

} // namespace gce
