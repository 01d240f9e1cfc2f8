// Engine benchmarks, ResNet-18 on this machine. Each figure that has a target
// is reported next to its baseline from the same run (see scripts/bench):
//   GradCam/TensorToMap   vs Forward/NoGrad        (target: within 1.3x)
//   GradCam/ExtraClass                              (target: under 2 ms)
//   Tutorial/FullBackward: the tutorial's way (autograd over the whole
//   network, parameter gradients included), the baseline we improve on.
#include <benchmark/benchmark.h>

#include <opencv2/core.hpp>
#include <torch/torch.h>

#include "core/cam/explainer.h"
#include "core/imaging/overlay.h"
#include "core/support/runtime.h"

namespace {

gce::Explainer& explainer()
{
    static gce::Explainer instance("resnet18", ""); // timing does not depend on trained values
    return instance;
}

torch::Tensor input()
{
    static const torch::Tensor x = torch::randn({1, 3, 224, 224});
    return x;
}

void ForwardNoGrad(benchmark::State& state)
{
    auto& model = explainer().model();
    for (auto _ : state) {
        torch::NoGradGuard noGrad;
        benchmark::DoNotOptimize(model.forward(input()));
    }
}
BENCHMARK(ForwardNoGrad)->Name("Forward/NoGrad")->Unit(benchmark::kMillisecond)->MinTime(3.0);

void GradCamTensorToMap(benchmark::State& state)
{
    for (auto _ : state) {
        auto session = explainer().explainTensor(input());
        benchmark::DoNotOptimize(session->gradCam(session->topK(1).front().index).map.data);
    }
}
BENCHMARK(GradCamTensorToMap)->Name("GradCam/TensorToMap")->Unit(benchmark::kMillisecond)->MinTime(3.0);

void GradCamExtraClass(benchmark::State& state)
{
    auto session = explainer().explainTensor(input());
    int classIndex = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(session->gradCam(classIndex).map.data);
        classIndex = (classIndex + 37) % 1000;
    }
}
BENCHMARK(GradCamExtraClass)->Name("GradCam/ExtraClass")->Unit(benchmark::kMillisecond)->MinTime(2.0);

// The tutorial's approach in C++: a forward with autograd everywhere and a
// full backward that also fills every parameter's .grad.
void TutorialFullBackward(benchmark::State& state)
{
    auto& model = explainer().model();
    for (auto _ : state) {
        model.zero_grad();
        const torch::Tensor logits = model.forward(input());
        logits[0][0].backward();
        benchmark::DoNotOptimize(logits.data_ptr());
    }
    model.zero_grad();
    for (auto& p : model.parameters())
        p.mutable_grad() = torch::Tensor();
}
BENCHMARK(TutorialFullBackward)->Name("Tutorial/FullBackward")->Unit(benchmark::kMillisecond)->MinTime(3.0);

void Overlay4000x3000(benchmark::State& state)
{
    cv::Mat image(3000, 4000, CV_8UC3);
    cv::randu(image, 0, 255);
    cv::Mat map(7, 7, CV_32FC1);
    cv::randu(map, 0.f, 1.f);
    for (auto _ : state)
        benchmark::DoNotOptimize(gce::renderOverlay(image, map).data);
}
BENCHMARK(Overlay4000x3000)->Name("Overlay/4000x3000")->Unit(benchmark::kMillisecond)->MinTime(2.0);

void Preprocess4000x3000(benchmark::State& state)
{
    cv::Mat image(3000, 4000, CV_8UC3);
    cv::randu(image, 0, 255);
    for (auto _ : state)
        benchmark::DoNotOptimize(gce::preprocessImage(image).data_ptr());
}
BENCHMARK(Preprocess4000x3000)->Name("Preprocess/4000x3000")->Unit(benchmark::kMillisecond)->MinTime(2.0);

} // namespace

int main(int argc, char** argv)
{
    gce::configureRuntime(gce::runtimeSettingsFromEnvironment());
    benchmark::AddCustomContext("runtime", gce::runtimeDescription());
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
