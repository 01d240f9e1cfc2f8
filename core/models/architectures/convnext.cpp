#include "core/models/architectures/convnext.h"

#include <torch/torch.h>

#include "core/models/architectures/families.h"
#include "core/models/architectures/init.h"
#include "core/models/tap.h"

namespace gce {

namespace cnx {

namespace {
constexpr double kLayerScale = 1e-6;
constexpr double kNormEps = 1e-6;
} // namespace

CNBlockImpl::CNBlockImpl(int64_t dim, double layerScale, double stochasticDepthProb)
{
    tvops::Sequential block;
    block->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(dim, dim, 7).padding(3).groups(dim).bias(true)));
    block->push_back(tvops::Permute(std::vector<int64_t>{0, 2, 3, 1}));
    block->push_back(torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim}).eps(kNormEps)));
    block->push_back(torch::nn::Linear(dim, 4 * dim));
    block->push_back(torch::nn::GELU());
    block->push_back(torch::nn::Linear(4 * dim, dim));
    block->push_back(tvops::Permute(std::vector<int64_t>{0, 3, 1, 2}));
    m_block = register_module("block", block);
    layer_scale = register_parameter("layer_scale", torch::ones({dim, 1, 1}) * layerScale);
    m_stochasticDepth = register_module("stochastic_depth", tvops::StochasticDepth(stochasticDepthProb));
}

torch::Tensor CNBlockImpl::forward(const torch::Tensor& x)
{
    torch::Tensor result = layer_scale * tapped(m_block, x);
    return tapped(m_stochasticDepth, result) + x; // torchvision: result += input
}

ConvNeXt::ConvNeXt(std::vector<CNBlockConfig> blockSetting, double stochasticDepthProb, int64_t numClasses)
{
    TORCH_CHECK(!blockSetting.empty(), "The block_setting should not be empty");
    const tvops::Norm norm = tvops::Norm::layer2d(kNormEps);
    tvops::Sequential features;
    features->push_back(tvops::Conv2dNormActivation(tvops::ConvNormAct(3, blockSetting.front().inputChannels, 4)
                                                        .stride(4)
                                                        .padding(0)
                                                        .norm(norm)
                                                        .activation(tvops::Activation::None)
                                                        .bias(true)));
    int64_t totalStageBlocks = 0;
    for (const auto& cnf : blockSetting)
        totalStageBlocks += cnf.numLayers;
    int64_t stageBlockId = 0;
    for (const auto& cnf : blockSetting) {
        tvops::Sequential stage;
        for (int64_t i = 0; i < cnf.numLayers; ++i) {
            const double sdProb = stochasticDepthProb * stageBlockId / (totalStageBlocks - 1.0);
            stage->push_back(CNBlock(cnf.inputChannels, kLayerScale, sdProb));
            ++stageBlockId;
        }
        features->push_back(stage);
        if (cnf.outChannels > 0) {
            tvops::Sequential downsample;
            downsample->push_back(tvops::LayerNorm2d(cnf.inputChannels, kNormEps));
            downsample->push_back(
                torch::nn::Conv2d(torch::nn::Conv2dOptions(cnf.inputChannels, cnf.outChannels, 2).stride(2)));
            features->push_back(downsample);
        }
    }
    m_features = register_module("features", features);
    m_avgpool = register_module("avgpool", torch::nn::AdaptiveAvgPool2d(torch::nn::AdaptiveAvgPool2dOptions(1)));
    const CNBlockConfig& last = blockSetting.back();
    const int64_t lastChannels = last.outChannels > 0 ? last.outChannels : last.inputChannels;
    tvops::Sequential classifier;
    classifier->push_back(tvops::LayerNorm2d(lastChannels, kNormEps));
    classifier->push_back(torch::nn::Flatten(torch::nn::FlattenOptions().start_dim(1)));
    classifier->push_back(torch::nn::Linear(lastChannels, numClasses));
    m_classifier = register_module("classifier", classifier);
}

void ConvNeXt::initialiseLikeTorchvision()
{
    // Conv2d and Linear: trunc_normal_(std 0.02), zero bias. LayerNorms (ones,
    // zeros) and layer_scale (1e-6) keep their construction values.
    torch::NoGradGuard noGrad;
    for (auto& module : modules(/*include_self=*/false)) {
        if (auto* conv = module->as<torch::nn::Conv2d>()) {
            tvinit::truncNormal(conv->weight, 0.02);
            if (conv->bias.defined())
                torch::nn::init::zeros_(conv->bias);
        } else if (auto* linear = module->as<torch::nn::Linear>()) {
            tvinit::truncNormal(linear->weight, 0.02);
            if (linear->bias.defined())
                torch::nn::init::zeros_(linear->bias);
        }
    }
}

torch::Tensor ConvNeXt::forward(const torch::Tensor& input)
{
    torch::Tensor x = tapped(m_avgpool, tapped(m_features, input));
    return tapped(m_classifier, x);
}

} // namespace cnx

std::vector<ModelConstructor> convnextFamily()
{
    return {
        {"convnext_tiny",
         [](int64_t classes) {
             return std::make_shared<cnx::ConvNeXt>(
                 std::vector<cnx::CNBlockConfig>{{96, 192, 3}, {192, 384, 3}, {384, 768, 9}, {768, 0, 3}}, 0.1,
                 classes);
         }},
    };
}

} // namespace gce
