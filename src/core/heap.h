/* heap.h: binary heaps kept in caller-owned arrays of fixed-size items,
 * ordered by a comparator as qsort_r's (cmp(a, b, ctx) < 0: a comes
 * before b); the item that comes first is at the root, index 0. The
 * caller keeps the count and the allocation; these only move items. Used
 * where a selection or a merge keeps the first items of a stream
 * (stats_top's bounded heaps, the report's merge of per-outlet cursors and
 * its best distinctive terms). */
#ifndef DW_HEAP_H
#define DW_HEAP_H

#include <stddef.h>

typedef int (*dw_heap_cmp)(const void *a, const void *b, void *ctx);

/* Restores the heap base[0..n) (items of size bytes) after item i may
 * have come to sort later than its children (a new root, say). */
void dw_heap_down(void *base, size_t n, size_t size, size_t i, dw_heap_cmp cmp, void *ctx);

/* Restores the heap after item i (the last one added) may have come to
 * sort before its parent. */
void dw_heap_up(void *base, size_t size, size_t i, dw_heap_cmp cmp, void *ctx);

/* Sorts the heap base[0..n) in place, in the reverse of its order (the
 * root's item last): a heap sort. */
void dw_heap_sort(void *base, size_t n, size_t size, dw_heap_cmp cmp, void *ctx);

#endif
