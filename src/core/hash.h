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

#endif
