/* sha256.h: SHA-256 (FIPS 180-4), streaming, for the checksums of release
 * files (manifest.json, croissant.json). Hand-written to avoid a crypto
 * dependency; on x86 CPUs with the SHA extensions (SHA-NI) they are used,
 * chosen at run time. Tested against the FIPS 180-2 vectors and the two
 * block functions against each other in tests/unit/test_split.c. */
#ifndef DW_SHA256_H
#define DW_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t h[8];         /* chaining state */
    uint64_t len;          /* bytes hashed so far */
    unsigned char blk[64]; /* pending partial block */
    size_t nblk;           /* bytes pending in blk */
} dw_sha256;

/* Starts a hash. */
void dw_sha256_init(dw_sha256 *s);
/* Adds n bytes at p. */
void dw_sha256_update(dw_sha256 *s, const void *p, size_t n);
/* Finishes the hash: 32 bytes into out; s must be re-initialized to reuse. */
void dw_sha256_final(dw_sha256 *s, unsigned char out[32]);
/* Finishes the hash as 64 lowercase hex digits and a NUL. */
void dw_sha256_hex(dw_sha256 *s, char out[65]);

/* 1 when the SHA extensions are in use, 0 for the portable code. */
int dw_sha256_accel(void);
/* For tests: uses the SHA extensions when on and the CPU has them, else the
 * portable code; returns what is now in use (1 or 0). Not to be called
 * while another thread hashes. */
int dw_sha256_use_accel(int on);

#endif
