/* radix.h: a stable LSD radix sort of 64-bit keys (8 bits a pass; passes
 * where every key has the same byte are skipped), with an optional 32-bit
 * value moved along with each key. Used where qsort's comparisons were a
 * large share of a run (near-duplicate shingles, vocabulary ranks). */
#ifndef DW_RADIX_H
#define DW_RADIX_H

#include <stddef.h>
#include <stdint.h>

/* Sorts keys[0..n) ascending, vals[i] following keys[i] (vals may be NULL);
 * equal keys keep their order. Returns 0, or -1 when the scratch memory
 * (n keys and values) cannot be had: the arrays are then untouched. */
int dw_radix_sort_u64(uint64_t *keys, uint32_t *vals, size_t n);

#endif
