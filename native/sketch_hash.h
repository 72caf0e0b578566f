// The sketches' 32-bit hash of (coordinate, seed), shared by
// native/count_sketch.cpp and native/sign_projection.cpp; bit for bit the
// same as dev.rnb.backend.SketchHash and cuda/sketch_hash.cuh.
#pragma once
#include <cstdint>

static inline uint32_t rnb_sketch_hash(uint32_t i, uint32_t seed) {
    uint32_t h = i * 0x9E3779B1u ^ seed;
    h ^= h >> 16;
    h *= 0x85EBCA6Bu;
    h ^= h >> 13;
    h *= 0xC2B2AE35u;
    h ^= h >> 16;
    return h;
}
