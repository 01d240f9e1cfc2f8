#include "core/imaging/pilresize.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include <opencv2/core/utility.hpp>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

// Mirrors Pillow 9.x src/libImaging/Resample.c (ImagingResampleInner with the
// BILINEAR or BICUBIC filter, 8 bits per channel). Every floating-point expression in the
// coefficient set-up is evaluated in the same order and precision as Pillow's,
// because one coefficient that differs in its last bit can move an output byte.
// The sums themselves are exact integers, so how they are computed (scalar or
// SIMD, in which order) does not matter.

namespace gce {
namespace {

// Pillow keeps 32 - 8 - 2 fractional bits: 8 bits of pixel, 2 bits of headroom
// for filters with negative lobes.
constexpr int kPrecisionBits = 22;
constexpr std::int32_t kHalf = 1 << (kPrecisionBits - 1);
constexpr double kOne = static_cast<double>(1 << kPrecisionBits);
constexpr double kBilinearSupport = 1.0;
constexpr double kBicubicSupport = 2.0;
constexpr int kChannels = 3;

double triangle(double x)
{
    if (x < 0.0)
        x = -x;
    return x < 1.0 ? 1.0 - x : 0.0;
}

// Pillow's bicubic_filter (Keys' cubic convolution, a = -0.5), the same
// expressions in the same order.
double bicubic(double x)
{
    constexpr double a = -0.5;
    if (x < 0.0)
        x = -x;
    if (x < 1.0)
        return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
    if (x < 2.0)
        return (((x - 5) * x + 8) * x - 4) * a;
    return 0.0;
}

// The filter of one axis: output sample i reads `count[i]` input samples
// starting at `first[i]`, weighted by weights[i * stride ...].
struct AxisFilter {
    int stride = 0;
    std::vector<int> first;
    std::vector<int> count;
    std::vector<std::int32_t> weights;
};

AxisFilter precomputeAxis(int inSize, int outSize, PilFilter filter)
{
    const bool cubic = filter == PilFilter::Bicubic;
    double (*const kernel)(double) = cubic ? bicubic : triangle;
    // Pillow computes the box width as float(in1) - float(in0); for sizes
    // below 2^24 that is exactly inSize.
    const double scale = static_cast<double>(inSize) / outSize;
    // Shrinking widens the triangle so that every input sample contributes
    // (antialiasing); enlarging keeps the plain 2-tap interpolation.
    const double filterScale = std::max(scale, 1.0);
    const double support = (cubic ? kBicubicSupport : kBilinearSupport) * filterScale;
    const double invFilterScale = 1.0 / filterScale;

    AxisFilter axis;
    axis.stride = static_cast<int>(std::ceil(support)) * 2 + 1;
    axis.first.resize(outSize);
    axis.count.resize(outSize);
    axis.weights.assign(static_cast<std::size_t>(outSize) * axis.stride, 0);

    std::vector<double> w(axis.stride);
    for (int out = 0; out < outSize; ++out) {
        const double center = (out + 0.5) * scale;
        // (int) truncates toward zero, as in Pillow; negatives clamp to 0 anyway.
        const int xmin = std::max(static_cast<int>(center - support + 0.5), 0);
        const int xmax = std::min(static_cast<int>(center + support + 0.5), inSize);
        const int n = xmax - xmin;

        double sum = 0.0;
        for (int x = 0; x < n; ++x) {
            w[x] = kernel((x + xmin - center + 0.5) * invFilterScale);
            sum += w[x];
        }
        std::int32_t* k = &axis.weights[static_cast<std::size_t>(out) * axis.stride];
        for (int x = 0; x < n; ++x) {
            const double normalised = sum != 0.0 ? w[x] / sum : w[x];
            // Round half away from zero (normalize_coeffs_8bpc).
            k[x] = normalised < 0 ? static_cast<std::int32_t>(-0.5 + normalised * kOne)
                                  : static_cast<std::int32_t>(0.5 + normalised * kOne);
        }
        axis.first[out] = xmin;
        axis.count[out] = n;
    }
    return axis;
}

// Pillow's clip8: drop the fraction (arithmetic shift), clamp to a byte.
inline std::uint8_t clip8(std::int32_t v)
{
    const std::int32_t shifted = v >> kPrecisionBits;
    return static_cast<std::uint8_t>(shifted < 0 ? 0 : (shifted > 255 ? 255 : shifted));
}

// One output pixel of the horizontal pass, exactly Pillow's loop.
inline void horizontalPixel(const std::uint8_t* inRow, const AxisFilter& axis, int xx, std::uint8_t* outPixel)
{
    const std::int32_t* k = &axis.weights[static_cast<std::size_t>(xx) * axis.stride];
    const std::uint8_t* p = inRow + axis.first[xx] * kChannels;
    std::int32_t s0 = kHalf, s1 = kHalf, s2 = kHalf;
    for (int x = 0; x < axis.count[xx]; ++x, p += kChannels) {
        s0 += p[0] * k[x];
        s1 += p[1] * k[x];
        s2 += p[2] * k[x];
    }
    outPixel[0] = clip8(s0);
    outPixel[1] = clip8(s1);
    outPixel[2] = clip8(s2);
}

#if defined(__SSE2__)
// The horizontal pass dominates a large downscale (4000 -> 224 reads ~37 taps
// per output pixel on all 3000 rows). pmaddwd multiplies 16-bit lanes, but the
// coefficients need 23 bits, so each one is split as k = hi * 2^11 + lo with
// both halves below 2^11; the two partial sums are exact and recombine to
// exactly Pillow's 32-bit sum. A vector covers two adjacent taps of R, G, B:
// lanes [R0 R1 G0 G1 B0 B1 - -] against [k0 k1 k0 k1 k0 k1 0 0].
constexpr int kSplitBits = 11;

struct SplitTaps {
    int pairs = 0;                 // tap pairs per output pixel (padded)
    std::vector<std::int16_t> hi;  // pairs * 8 lanes per output pixel
    std::vector<std::int16_t> lo;
};

SplitTaps splitTaps(const AxisFilter& axis)
{
    SplitTaps taps;
    taps.pairs = (axis.stride + 1) / 2;
    const std::size_t perPixel = static_cast<std::size_t>(taps.pairs) * 8;
    taps.hi.assign(axis.first.size() * perPixel, 0);
    taps.lo.assign(axis.first.size() * perPixel, 0);
    for (std::size_t xx = 0; xx < axis.first.size(); ++xx) {
        const std::int32_t* k = &axis.weights[xx * axis.stride];
        for (int t = 0; t < axis.count[xx]; ++t) {
            // k = hi * 2^11 + lo with lo in [0, 2^11): the arithmetic shift
            // floors, so the bicubic filter's negative lobes split exactly
            // too; |k| stays below 2^23, so hi fits 16 bits.
            const auto hi = static_cast<std::int16_t>(k[t] >> kSplitBits);
            const auto lo = static_cast<std::int16_t>(k[t] & ((1 << kSplitBits) - 1));
            const std::size_t lane = xx * perPixel + (t / 2) * 8 + (t % 2);
            for (int c = 0; c < kChannels; ++c) {
                taps.hi[lane + 2 * c] = hi;
                taps.lo[lane + 2 * c] = lo;
            }
        }
    }
    return taps;
}

void horizontalRow(const std::uint8_t* in, int inWidth, const AxisFilter& axis, const SplitTaps& taps,
                   std::uint8_t* out)
{
    const __m128i zero = _mm_setzero_si128();
    const __m128i half = _mm_set1_epi32(kHalf);
    const int outWidth = static_cast<int>(axis.first.size());
    for (int xx = 0; xx < outWidth; ++xx) {
        const int xmin = axis.first[xx];
        const int pairs = (axis.count[xx] + 1) / 2;
        // Each pair loads 8 bytes for its 6; near the row's end that would
        // read past it, so those few pixels take the scalar loop.
        if (xmin + 2 * (pairs - 1) > inWidth - 3) {
            horizontalPixel(in, axis, xx, out + xx * kChannels);
            continue;
        }
        const std::uint8_t* p = in + xmin * kChannels;
        const auto* hi = reinterpret_cast<const __m128i*>(&taps.hi[static_cast<std::size_t>(xx) * taps.pairs * 8]);
        const auto* lo = reinterpret_cast<const __m128i*>(&taps.lo[static_cast<std::size_t>(xx) * taps.pairs * 8]);
        __m128i sumHi = zero;
        __m128i sumLo = zero;
        for (int j = 0; j < pairs; ++j, p += 2 * kChannels) {
            // [R0 G0 B0 R1 G1 B1 ..] -> [R0 R1 G0 G1 B0 B1 ..]
            __m128i v = _mm_unpacklo_epi8(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)), zero);
            v = _mm_unpacklo_epi16(v, _mm_srli_si128(v, 6));
            sumHi = _mm_add_epi32(sumHi, _mm_madd_epi16(v, _mm_loadu_si128(hi + j)));
            sumLo = _mm_add_epi32(sumLo, _mm_madd_epi16(v, _mm_loadu_si128(lo + j)));
        }
        __m128i sum = _mm_add_epi32(_mm_add_epi32(_mm_slli_epi32(sumHi, kSplitBits), sumLo), half);
        sum = _mm_srai_epi32(sum, kPrecisionBits);
        sum = _mm_packus_epi16(_mm_packs_epi32(sum, sum), zero); // clamps like clip8
        const auto rgb = static_cast<std::uint32_t>(_mm_cvtsi128_si32(sum));
        out[xx * kChannels + 0] = static_cast<std::uint8_t>(rgb);
        out[xx * kChannels + 1] = static_cast<std::uint8_t>(rgb >> 8);
        out[xx * kChannels + 2] = static_cast<std::uint8_t>(rgb >> 16);
    }
}
#else
struct SplitTaps {};

SplitTaps splitTaps(const AxisFilter&) { return {}; }

void horizontalRow(const std::uint8_t* in, int, const AxisFilter& axis, const SplitTaps&, std::uint8_t* out)
{
    for (int xx = 0; xx < static_cast<int>(axis.first.size()); ++xx)
        horizontalPixel(in, axis, xx, out + xx * kChannels);
}
#endif

// Horizontal pass over input rows [rowBegin, rowBegin + dst.rows) into dst.
void resampleHorizontal(const cv::Mat& src, int rowBegin, const AxisFilter& axis, cv::Mat& dst)
{
    const SplitTaps taps = splitTaps(axis);
    cv::parallel_for_(cv::Range(0, dst.rows), [&](const cv::Range& rows) {
        for (int y = rows.start; y < rows.end; ++y)
            horizontalRow(src.ptr<std::uint8_t>(rowBegin + y), src.cols, axis, taps, dst.ptr<std::uint8_t>(y));
    });
}

// Vertical pass: `src` row 0 is input row `rowOffset` of the filter's bounds.
void resampleVertical(const cv::Mat& src, int rowOffset, const AxisFilter& axis, cv::Mat& dst)
{
    const int rowLength = dst.cols * kChannels;
    // One accumulator per output byte, so that the tap loop runs along
    // contiguous memory with a single coefficient (vectorises well).
    std::vector<std::int32_t> acc(rowLength);
    for (int yy = 0; yy < dst.rows; ++yy) {
        const std::int32_t* k = &axis.weights[static_cast<std::size_t>(yy) * axis.stride];
        const int ymin = axis.first[yy] - rowOffset;
        std::fill(acc.begin(), acc.end(), kHalf);
        for (int y = 0; y < axis.count[yy]; ++y) {
            const std::uint8_t* in = src.ptr<std::uint8_t>(ymin + y);
            const std::int32_t ky = k[y];
            for (int i = 0; i < rowLength; ++i)
                acc[i] += in[i] * ky;
        }
        std::uint8_t* out = dst.ptr<std::uint8_t>(yy);
        for (int i = 0; i < rowLength; ++i)
            out[i] = clip8(acc[i]);
    }
}

} // namespace

cv::Mat resizePilBilinear(const cv::Mat& rgb, int outWidth, int outHeight)
{
    return resizePil(rgb, outWidth, outHeight, PilFilter::Bilinear);
}

cv::Mat resizePil(const cv::Mat& rgb, int outWidth, int outHeight, PilFilter filter)
{
    if (rgb.empty())
        throw std::invalid_argument("resizePilBilinear: empty image");
    if (rgb.type() != CV_8UC3)
        throw std::invalid_argument("resizePilBilinear: expected an 8-bit 3-channel image");
    if (outWidth < 1 || outHeight < 1)
        throw std::invalid_argument("resizePilBilinear: output size must be at least 1x1");

    const bool needHorizontal = outWidth != rgb.cols;
    const bool needVertical = outHeight != rgb.rows;
    if (!needHorizontal && !needVertical)
        return rgb.clone();

    const AxisFilter vertical = precomputeAxis(rgb.rows, outHeight, filter);
    // Only the input rows the vertical pass reads need a horizontal pass.
    const int firstRow = vertical.first.front();
    const int lastRow = vertical.first.back() + vertical.count.back();

    cv::Mat source = rgb;
    int rowOffset = 0;
    if (needHorizontal) {
        cv::Mat temp(lastRow - firstRow, outWidth, CV_8UC3);
        resampleHorizontal(rgb, firstRow, precomputeAxis(rgb.cols, outWidth, filter), temp);
        source = temp;
        rowOffset = firstRow;
    }
    if (!needVertical)
        return source;

    cv::Mat out(outHeight, outWidth, CV_8UC3);
    resampleVertical(source, rowOffset, vertical, out);
    return out;
}

} // namespace gce
