// Each architecture's inference form (core/models/inferenceform.h, issue 18),
// one JSON line per model named on the command line (untrained weights:
// timing does not depend on trained values):
//   build_ms, extra_mb       what building the form cost, in time and memory
//   folded, packed, units, whole_network   what it found
//   plain_ms, fast_ms, ratio a 1×3×224×224 forward, best of 3 rounds of 10,
//                            plainly and through the form, in this run
//   agreement                max |fast - plain| / max |plain| of the logits
//   kept                     whether the engine uses it (it was faster when built)
// A TorchScript file's line (torchscript: true) times a map's forward pass at
// the model's default layer instead (forwardTapped: the prefix, plainly or
// through LibTorch's optimised prefix graph, then the recorded tail):
//   build_ms                 prepareInference (the whole module and the prefix)
//   plain_ms, fast_ms, ratio, agreement, kept   as above
// usage: gce-inference-forms MODEL|FILE.pt...
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include <torch/torch.h>

#include "core/cam/explainer.h"
#include "core/models/inferenceform.h"
#include "core/models/scriptnetwork.h"
#include "core/models/zoonetwork.h"
#include "core/support/runtime.h"
#include "core/support/stopwatch.h"

namespace {

template <class F>
double bestMs(F&& pass, int rounds = 3, int repeats = 10)
{
    pass();
    pass();
    double best = 1e300;
    for (int round = 0; round < rounds; ++round) {
        const auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < repeats; ++i)
            pass();
        best = std::min(best, gce::millisecondsSince(start) / repeats);
    }
    return best;
}


void torchScriptLine(const char* path)
{
    gce::Explainer explainer(path, "");
    auto& network = dynamic_cast<gce::ScriptNetwork&>(explainer.network());
    const std::string layer = network.defaultLayer();
    const torch::Tensor x = torch::randn({1, 3, 224, 224});
    const auto mapPass = [&] { return network.forwardTapped(x, layer).logits.detach(); };
    network.setFormPolicy(gce::FormPolicy::Off);
    const torch::Tensor plainLogits = mapPass();
    const double plainMs = bestMs(mapPass);
    network.setFormPolicy(gce::FormPolicy::Measured);
    const auto start = std::chrono::steady_clock::now();
    network.prepareInference(224, 224, layer);
    const double buildMs = gce::millisecondsSince(start);
    const bool kept = network.prefixOptimisedFor(layer);
    network.setFormPolicy(gce::FormPolicy::WhenExact);
    const bool form = network.prefixOptimisedFor(layer);
    const torch::Tensor fastLogits = mapPass();
    const double fastMs = bestMs(mapPass);
    const double agreement = ((fastLogits - plainLogits).abs().max() / plainLogits.abs().max()).item<double>();
    std::printf("{\"model\": \"%s\", \"torchscript\": true, \"layer\": \"%s\", \"form\": %s, \"kept\": %s, "
                "\"build_ms\": %.0f, \"plain_ms\": %.2f, \"fast_ms\": %.2f, \"ratio\": %.2f, \"agreement\": %.2g}\n",
                std::filesystem::path(path).filename().c_str(), layer.c_str(), form ? "true" : "false",
                kept ? "true" : "false", buildMs, plainMs, fastMs, plainMs / fastMs, agreement);
    std::fflush(stdout);
}

} // namespace

int main(int argc, char** argv)
{
    gce::configureRuntime({});
    for (int i = 1; i < argc; ++i) {
        if (std::filesystem::is_regular_file(argv[i])) {
            torchScriptLine(argv[i]);
            continue;
        }
        gce::Explainer explainer(argv[i], "");
        auto& network = dynamic_cast<gce::ZooNetwork&>(explainer.network());
        const torch::Tensor x = torch::randn({1, 3, 224, 224});
        network.setFormPolicy(gce::FormPolicy::Off);
        const torch::Tensor plainLogits = network.logits(x);
        const double plainMs = bestMs([&] { network.logits(x); });
        network.setFormPolicy(gce::FormPolicy::Measured);
        const bool kept = network.inferenceForm(x) != nullptr;
        network.setFormPolicy(gce::FormPolicy::WhenExact);
        const auto form = network.inferenceForm(x);
        if (!form) {
            std::printf("{\"model\": \"%s\", \"form\": false, \"plain_ms\": %.2f}\n", argv[i], plainMs);
            continue;
        }
        const gce::InferenceFormStats& s = form->stats();
        const torch::Tensor fastLogits = network.logits(x);
        const double fastMs = bestMs([&] { network.logits(x); });
        const double agreement =
            ((fastLogits - plainLogits).abs().max() / plainLogits.abs().max()).item<double>();
        std::printf("{\"model\": \"%s\", \"form\": true, \"kept\": %s, \"build_ms\": %.0f, \"extra_mb\": %.1f, "
                    "\"folded\": %d, \"packed\": %d, \"units\": %d, \"whole_network\": %s, \"plain_ms\": %.2f, "
                    "\"fast_ms\": %.2f, \"ratio\": %.2f, \"agreement\": %.2g}\n",
                    argv[i], kept ? "true" : "false", s.buildMs, s.extraBytes / 1e6, s.foldedPairs,
                    s.packedConvolutions, s.units, s.wholeNetwork ? "true" : "false", plainMs, fastMs,
                    plainMs / fastMs, agreement);
        std::fflush(stdout);
    }
}
