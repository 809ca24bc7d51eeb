/* hash.h: 128-bit content hashes (XXH3-128) used as article keys. */
#ifndef DW_HASH_H
#define DW_HASH_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t hi; /* high 64 bits */
    uint64_t lo; /* low 64 bits */
} dw_hash128;

dw_hash128 dw_hash128_of(const void *p, size_t n);
/* Writes 32 lowercase hex digits and a NUL into out. */
void dw_hash128_hex(dw_hash128 h, char out[33]);
/* Writes the 16 bytes big-endian (hi then lo), as stored in the database. */
void dw_hash128_bytes(dw_hash128 h, unsigned char out[16]);
uint64_t dw_hash64_of(const void *p, size_t n, uint64_t seed);
/* MurmurHash3's 64-bit finalizer: every input bit reaches every output bit
 * (for hashes built by multiplying, whose low bits are weak). */
static inline uint64_t dw_hash_fmix64(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ull;
    k ^= k >> 33;
    return k;
}

#endif
