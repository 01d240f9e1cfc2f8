// What guided backpropagation and the smoothing options cost next to plain
// Grad-CAM (ResNet-18, 224×224, this machine; see scripts/bench for the
// engine's other figures). Each "Map" figure starts from the tensor (a fresh
// session: forward pass included); each "ExtraClass" figure is a further
// class of a session that has already made its passes.
//   Plain/GradCam/Map            the baseline
//   Guided/Backprop/Map          + a forward with autograd from the input and a full backward
//   Guided/GradCam/Map           + Grad-CAM's tail backward and the upsampling
//   Smooth/Augment/Map           6 passes (flips × scales 0.9/1.0/1.1)
//   Smooth/Eigen/ExtraClass      an SVD of the 49×512 weighted activations
// On a machine shared with other jobs, GCE_THREADS=1 gives steady figures (two
// intra-op threads competing for busy cores inflated every figure ~10-20×).
#include <benchmark/benchmark.h>

#include <torch/torch.h>

#include "core/cam/explainer.h"
#include "core/support/runtime.h"

namespace {

gce::Explainer& explainer()
{
    static gce::Explainer instance("resnet18", ""); // timing does not depend on trained values
    return instance;
}

const torch::Tensor& input()
{
    static const torch::Tensor x = torch::randn({1, 3, 224, 224});
    return x;
}

gce::CamQuery query(gce::CamMethod method, int classIndex, bool augment = false, bool eigen = false)
{
    gce::CamQuery q{method, classIndex};
    q.augmentSmooth = augment;
    q.eigenSmooth = eigen;
    return q;
}

void Map(benchmark::State& state, gce::CamMethod method, bool augment, bool eigen)
{
    for (auto _ : state) {
        auto session = explainer().explainTensor(input());
        benchmark::DoNotOptimize(
            session->explain(query(method, session->topK(1).front().index, augment, eigen)).map.data);
    }
}

void ExtraClass(benchmark::State& state, gce::CamMethod method, bool augment, bool eigen)
{
    auto session = explainer().explainTensor(input());
    session->explain(query(method, 0, augment, eigen)); // the passes a session keeps
    int classIndex = 1;
    for (auto _ : state) {
        benchmark::DoNotOptimize(session->explain(query(method, classIndex, augment, eigen)).map.data);
        classIndex = (classIndex + 37) % 1000;
    }
}

using gce::CamMethod;
BENCHMARK_CAPTURE(Map, plain, CamMethod::GradCam, false, false)->Name("Plain/GradCam/Map");
BENCHMARK_CAPTURE(Map, guided, CamMethod::GuidedBackprop, false, false)->Name("Guided/Backprop/Map");
BENCHMARK_CAPTURE(Map, guidedgc, CamMethod::GuidedGradCam, false, false)->Name("Guided/GradCam/Map");
BENCHMARK_CAPTURE(Map, augment, CamMethod::GradCam, true, false)->Name("Smooth/Augment/Map");
BENCHMARK_CAPTURE(Map, eigen, CamMethod::GradCam, false, true)->Name("Smooth/Eigen/Map");
BENCHMARK_CAPTURE(ExtraClass, plain, CamMethod::GradCam, false, false)->Name("Plain/GradCam/ExtraClass");
BENCHMARK_CAPTURE(ExtraClass, guided, CamMethod::GuidedBackprop, false, false)->Name("Guided/Backprop/ExtraClass");
BENCHMARK_CAPTURE(ExtraClass, augment, CamMethod::GradCam, true, false)->Name("Smooth/Augment/ExtraClass");
BENCHMARK_CAPTURE(ExtraClass, eigen, CamMethod::GradCam, false, true)->Name("Smooth/Eigen/ExtraClass");

} // namespace

int main(int argc, char** argv)
{
    gce::configureRuntime(gce::runtimeSettingsFromEnvironment());
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
