/* hash.c: XXH3 wrappers. */
#include "core/hash.h"

#include <stdio.h>
#include <xxhash.h>

dw_hash128 dw_hash128_of(const void *p, size_t n)
{
    XXH128_hash_t h = XXH3_128bits(p, n);
    dw_hash128 r = {h.high64, h.low64};
    return r;
}

void dw_hash128_hex(dw_hash128 h, char out[33])
{
    snprintf(out, 33, "%016llx%016llx", (unsigned long long)h.hi, (unsigned long long)h.lo);
}

void dw_hash128_bytes(dw_hash128 h, unsigned char out[16])
{
    for (int i = 0; i < 8; i++) {
        out[i] = (unsigned char)(h.hi >> (56 - 8 * i));
        out[8 + i] = (unsigned char)(h.lo >> (56 - 8 * i));
    }
}

uint64_t dw_hash64_of(const void *p, size_t n, uint64_t seed) { return XXH3_64bits_withSeed(p, n, seed); }
