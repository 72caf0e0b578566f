// exp(x) in float arithmetic only (no library call), so loops that use it
// vectorise: std::exp / std::tanh are scalar calls of 15-20 ns each, which
// made GELU the largest cost of a training step (docs/BENCHMARKS.md).
// Relative error about 1e-7 for x in [-87, 88]; clamped outside.
#pragma once
#include <stdint.h>
#include <string.h>

// exp(x) for x already within [-87, 88] (callers that clamp to a narrower range
// themselves; see rnb_gelu_s in model_layers.cpp for why that can matter).
static inline float rnb_exp_in_range(float x) {
    // n = round(x / ln 2) by adding and subtracting 1.5 * 2^23 (no rounding call).
    const float n = (x * 1.4426950408889634f + 12582912.0f) - 12582912.0f;
    // r = x - n ln 2 with ln 2 split in two (Cody and Waite): n * hi is exact,
    // so r keeps its precision even where n is large. |r| <= 0.347.
    const float r = (x - n * 0.693359375f) - n * -2.12194440e-4f;
    // e^r by its Taylor series to r^7/7!: the remainder is below 1.5e-8 here.
    float p = 1.0f / 5040.0f;
    p = p * r + 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    // 2^n from the exponent bits; n is within [-126, 127] after the clamp.
    const int32_t bits = ((int32_t)n + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

static inline float rnb_fast_exp(float x) {
    x = x > 88.0f ? 88.0f : x;
    x = x < -87.0f ? -87.0f : x;
    return rnb_exp_in_range(x);
}
