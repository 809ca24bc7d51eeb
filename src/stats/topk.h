/* topk.h: the first k rows of a stream of terms (term, count, df) in the
 * two orders `diwan top` lists: by count (count, then df descending, then
 * the term's byte order) and by df (df, then count descending, then the
 * term), in O(k) memory whatever the stream's length: two bounded heaps.
 * The statistics run feeds it each group's n-grams as they are written, and
 * a merge the merged table, to fill stats_top. Terms of a stream must be
 * distinct (the orders are then total). */
#ifndef DW_STATS_TOPK_H
#define DW_STATS_TOPK_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

typedef struct dw_topk dw_topk;

/* A selection of the first k (>= 1) rows. NULL when out of memory; free
 * with dw_topk_free. */
dw_topk *dw_topk_new(size_t k);

/* Frees t and the terms it kept. Accepts NULL. */
void dw_topk_free(dw_topk *t);

/* Offers a row; the term is copied when kept. Returns 0, or -1 when out of
 * memory (t then holds what it had). */
int dw_topk_add(dw_topk *t, const char *term, size_t len, int64_t count, int64_t df);

/* Appends the kept rows to out as dbins cells (core/dbins.h), the columns
 * of stats_top: bucket, n, by ('count', then 'df'), rank (1-based), term,
 * count, df; in rank order. Then empties t for the next stream. Returns the
 * number of rows appended, or -1 when out of memory. */
long dw_topk_put_rows(dw_topk *t, int64_t bucket, int n, dw_buf *out);

#endif
