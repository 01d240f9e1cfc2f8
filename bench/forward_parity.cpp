// Our ResNet-18 forward through its inference form against LibTorch's own
// fastest, torch::jit::optimize_for_inference of torchvision's scripted
// ResNet-18 (what PyTorch's optimize_for_inference runs, minus Python's call
// overhead), in one process and interleaved: each round times a run of
// forwards of each, in alternating order, so that the drift of a shared
// machine falls on both alike (issue 18's "batch-1 forward <= PyTorch's").
// Untrained weights on both sides: timing does not depend on trained values.
// Prints one JSON line per batch size:
//   ours_ms, libtorch_ms   per image, median over rounds of a round's mean
//   ratio                  median over rounds of ours / LibTorch's (< 1: ours is faster)
//   ratio_min, ratio_max   the spread of that ratio over the rounds
// usage: gce-forward-parity SCRIPTED_RESNET18.pt [ROUNDS]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <vector>

#include <torch/script.h>
#include <torch/torch.h>

#include "core/cam/explainer.h"
#include "core/models/inferenceform.h"
#include "core/models/zoonetwork.h"
#include "core/support/runtime.h"
#include "core/support/stopwatch.h"

namespace {

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    const size_t n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

template <class Pass>
double meanMs(Pass&& pass, int repeats)
{
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < repeats; ++i)
        pass();
    return gce::millisecondsSince(start) / repeats;
}

} // namespace

int main(int argc, char** argv)
try {
    if (argc < 2) {
        std::fprintf(stderr, "usage: gce-forward-parity SCRIPTED_RESNET18.pt [ROUNDS]\n");
        return 2;
    }
    const int rounds = argc > 2 ? std::max(2, std::atoi(argv[2])) : 10;
    gce::configureRuntime({});
    torch::NoGradGuard noGrad;

    gce::Explainer explainer("resnet18", "");
    auto& ours = dynamic_cast<gce::ZooNetwork&>(explainer.network());
    ours.setFormPolicy(gce::FormPolicy::WhenExact);
    torch::jit::Module scripted = torch::jit::load(argv[1]);
    scripted.eval();
    torch::jit::Module theirs = torch::jit::optimize_for_inference(scripted);

    for (const int64_t batch : {1, 8}) {
        const torch::Tensor x = torch::randn({batch, 3, 224, 224});
        if (!ours.inferenceForm(x)) {
            std::fprintf(stderr, "gce-forward-parity: ResNet-18's inference form was not built\n");
            return 1;
        }
        const auto oursPass = [&] { ours.logits(x); };
        const auto theirsPass = [&] { theirs.forward({x}); };
        for (int i = 0; i < 5; ++i) { // the optimised graph specialises on its first runs
            oursPass();
            theirsPass();
        }
        const int repeats = batch == 1 ? 25 : 4;
        std::vector<double> oursMs, theirsMs, ratios;
        for (int round = 0; round < rounds; ++round) {
            double a, b;
            if (round % 2 == 0) {
                a = meanMs(oursPass, repeats);
                b = meanMs(theirsPass, repeats);
            } else {
                b = meanMs(theirsPass, repeats);
                a = meanMs(oursPass, repeats);
            }
            oursMs.push_back(a / double(batch));
            theirsMs.push_back(b / double(batch));
            ratios.push_back(a / b);
        }
        std::printf("{\"batch\": %lld, \"rounds\": %d, \"ours_ms\": %.2f, \"libtorch_ms\": %.2f, \"ratio\": %.3f, "
                    "\"ratio_min\": %.3f, \"ratio_max\": %.3f}\n",
                    static_cast<long long>(batch), rounds, median(oursMs), median(theirsMs), median(ratios),
                    *std::min_element(ratios.begin(), ratios.end()), *std::max_element(ratios.begin(), ratios.end()));
        std::fflush(stdout);
    }
    return 0;
} catch (const std::exception& error) {
    std::fprintf(stderr, "gce-forward-parity: %s\n", error.what());
    return 1;
}
