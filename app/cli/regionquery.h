#pragma once
// gradcam-cli --region X,Y,W,H --rank-classes K: "what is here?" for one
// image. Every class's raw map comes from one forward pass
// (core/cam/classmaps.h) and is scored in the region
// (core/cam/regionranking.h); one JSON line goes to `out`.
#include <ostream>
#include <string>

#include "app/cli/clioptions.h"
#include "core/cam/explainer.h"

namespace gce::cli {

// Throws InputError (unreadable image) or UsageError (a method that region
// ranking does not offer, a region outside the image).
void rankRegion(const CliOptions& options, Explainer& explainer, const std::string& imagePath, std::ostream& out);

} // namespace gce::cli
