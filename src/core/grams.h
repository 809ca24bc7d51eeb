/* grams.h: the one 13-gram hashing of diwan (ingest stores a sample of the
 * hashes in content_grams, the leakage report of `diwan split` compares
 * them).
 *
 * Definition, over the tokens (core/tok.h) of an ALREADY NORMALIZED text
 * (core/norm.h; the tokens do not depend on DW_NORM_NO_NEWLINES, since line
 * breaks and spaces both separate tokens, and 13-grams run across sentence
 * ends):
 *   t_i = XXH3-64 (seed 0) of the bytes of token i;
 *   for every window of 13 consecutive tokens i..i+12,
 *     H = sum over j = 0..12 of t_(i+j) * B^(12-j)  (mod 2^64),
 *     B = DW_GRAMS_BASE (odd), updated in O(1) per token;
 *   the 13-gram's hash is fmix64(H) (the finalizer of MurmurHash3, so that
 *   the low bits are uniform), with 0 mapped to 1 (a hash is never 0).
 * A text of fewer than 13 tokens has no 13-gram.
 *
 * Sampling: a hash h is sampled when h % DW_GRAMS_MODULUS == 0 (the low four
 * bits are 0), about one 13-gram in 16; sampling depends only on the
 * 13-gram, so the share of sampled test 13-grams found in train estimates
 * the share over all of them without bias. Thread-safe. */
#ifndef DW_GRAMS_H
#define DW_GRAMS_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

#define DW_GRAMS_N 13                        /* n of the n-grams */
#define DW_GRAMS_MODULUS 16                  /* base sampling modulus (a power of two) */
#define DW_GRAMS_BASE 0x9E3779B97F4A7C15ull  /* B of the rolling polynomial (odd) */

/* 1 when h is sampled at the base modulus (h % DW_GRAMS_MODULUS == 0). */
static inline int dw_grams_sampled(uint64_t h) { return (h & (DW_GRAMS_MODULUS - 1)) == 0; }

/* Calls fn(h, arg) for the hash of every 13-gram of the normalized text
 * norm[0..n), in text order. Returns the number of tokens of the text (as
 * dw_tok_count). */
size_t dw_grams_hash(const char *norm, size_t n, void (*fn)(uint64_t h, void *arg), void *arg);

/* Appends the sampled 13-gram hashes of the normalized text norm[0..n) to
 * out, 8 bytes each, little-endian, in text order (the content_grams.grams
 * format). *ntokens (when not NULL) receives the number of tokens (as
 * dw_tok_count). Returns 0, or -1 when out of memory (out then holds part of
 * the hashes). */
int dw_grams_sample(const char *norm, size_t n, dw_buf *out, size_t *ntokens);

/* The i-th hash of a grams blob (8 bytes little-endian each). */
static inline uint64_t dw_grams_at(const void *blob, size_t i)
{
    const unsigned char *p = (const unsigned char *)blob + 8 * i;
    uint64_t h = 0;
    for (int k = 7; k >= 0; k--)
        h = h << 8 | p[k];
    return h;
}

#endif
