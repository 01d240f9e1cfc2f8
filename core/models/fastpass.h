#pragma once
// The hook through which a zoo network's inference form (core/models/inferenceform.h)
// takes over child calls. tapped() and runSequential() (core/models/tap.h)
// hand every child call to the thread's FastPass when one is installed; the
// pass either runs the child the plain way (`plain`) or its own way. Kept
// apart from inferenceform.h so that every architecture file, which includes
// tap.h, does not also see the inference form's internals.
#include <c10/util/FunctionRef.h>
#include <torch/types.h>

namespace torch::nn {
class Module;
}

namespace gce {

class FastPass {
public:
    using Plain = c10::function_ref<torch::Tensor(const torch::Tensor&)>;

    // Restores the pass that was current when this one was installed.
    virtual ~FastPass();
    // The output of `module` for `input`: plain(input), or the same values
    // computed the pass's own way.
    virtual torch::Tensor run(const torch::nn::Module* module, const torch::Tensor& input, Plain plain) = 0;
    // Whether an operation may write its result into `value`: a tensor this
    // pass produced a moment ago that nothing but the caller has read, as
    // torchvision's in-place ReLUs and `out += identity` assume of theirs.
    // True at most once per value: the caller then owns it.
    virtual bool claimToOverwrite(const torch::Tensor& /*value*/) { return false; }

    static FastPass* current();

protected:
    // Installs this pass on the calling thread for the object's lifetime.
    FastPass();
    FastPass(const FastPass&) = delete;
    FastPass& operator=(const FastPass&) = delete;

private:
    FastPass* m_previous;
};

} // namespace gce
