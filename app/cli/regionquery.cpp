#include "app/cli/regionquery.h"

#include <nlohmann/json.hpp>

#include "app/cli/explainimage.h"
#include "core/cam/classmaps.h"
#include "core/imaging/cropoverlay.h"

namespace gce::cli {

void rankRegion(const CliOptions& options, Explainer& explainer, const std::string& imagePath, std::ostream& out)
{
    // The method is checked before the image is decoded and the network run.
    if (!ClassMaps::supports(options.method))
        throw UsageError(camMethodName(options.method) + " is not offered for region ranking: use gradcam, xgradcam "
                         "or hirescam");
    const PreparedImage image = prepareImage(imagePath, explainer.preprocessing());
    const cv::Size imageSize(image.width, image.height);
    const cv::Rect placement = mapPlacement(explainer.preprocessing().mode, image.box, imageSize);
    auto session = explainer.explainTensor(image.input, options.layer, prefixPassFor(options.method));
    const auto shape = session->activationShape();
    // The region is checked before the maps are computed.
    const RegionScorer scorer{cv::Size(int(shape[3]), int(shape[2])), placement, imageSize, *options.region};
    const ClassMaps maps = ClassMaps::compute(*session, options.method);
    nlohmann::json classes = nlohmann::json::array();
    const LabelSet& labels = explainer.labels();
    for (const RegionScore& score : scorer.rank(maps.raw(), options.rankClasses ? options.rankClasses
                                                                                 : kDefaultRankClasses))
        classes.push_back({{"index", score.classIndex},
                           {"name", labels.name(score.classIndex)},
                           {"here", score.here},
                           {"share", score.share}});
    const ImageRegion& region = scorer.region();
    nlohmann::json line = {{"image", imagePath},
                           {"model", explainer.modelName()},
                           {"layer", session->layerName()},
                           {"method", camMethodName(options.method)},
                           {"region", {{"x", region.x}, {"y", region.y}, {"w", region.width}, {"h", region.height}}},
                           {"classes", std::move(classes)},
                           {"closed_form", maps.closedForm()},
                           {"forward_ms", session->forwardMs()},
                           {"ranking_ms", maps.milliseconds()}};
    out << line.dump() << "\n";
}

} // namespace gce::cli
