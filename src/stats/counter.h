/* counter.h: a memory-bounded counter of fixed-size keys (kw 32-bit words)
 * with nv 64-bit values summed per key. Counts are kept in an open-addressing
 * hash table; when the table would outgrow its share of the memory budget,
 * its entries are sorted and spilled as a run to a zstd-compressed temporary
 * file, and the table starts again. At the end the runs (and what is left in
 * memory) are merged, at most DW_COUNTER_FANIN files open at a time (more
 * runs are merged in rounds into bigger runs first), into one sorted stream
 * of distinct keys with their summed values. The stream is the same whatever
 * the memory budget: sums are of integers, and the order is a total order on
 * keys. A counter may spill in the background (dw_counter_set_background):
 * the full table is sorted and written by a thread of its own while adds go
 * to a second table.
 *
 * Keys hold word ids of a dw_vocab from word field `first` on (0 = no word);
 * the order is that of the words' byte order (vocab ranks), so that the
 * stream comes in the order of the database's text keys. With `pair`, a key
 * is an unordered pair of two word ids (kw = 2): stored smaller id first,
 * streamed with the smaller-ranked word first. Word field 0 of a key is never
 * 0 (it marks an empty slot).
 *
 * Without a vocabulary (vocab NULL) keys are numbers: runs and the stream
 * come in key order (word 0 first), and the counter never reads a
 * vocabulary, so it may run in a thread of its own while another thread
 * adds words (stats/lanes.h). The budget's figures are read and written
 * atomically for that reason. */
#ifndef DW_STATS_COUNTER_H
#define DW_STATS_COUNTER_H

#include <stddef.h>
#include <stdint.h>

#include "core/dw.h"
#include "stats/vocab.h"

#define DW_COUNTER_FANIN 16 /* most run files open at once while merging */
#define DW_COUNTER_MAXKW 8  /* most 32-bit words in a key */
#define DW_COUNTER_MAXNV 2  /* most 64-bit values */

/* 1 when keys a and b of kw words are equal: a loop the compiler keeps
 * inline, where memcmp of a variable length is a library call per probe. */
static inline int dw_keys_equal(const uint32_t *a, const uint32_t *b, int kw)
{
    for (int i = 0; i < kw; i++)
        if (a[i] != b[i])
            return 0;
    return 1;
}

/* The shared memory budget of a run: the vocabulary and every counter. */
typedef struct {
    size_t limit;           /* bytes allowed for counters and vocabulary */
    size_t vocab_bytes;     /* bytes held by the vocabulary (set by its owner, atomic) */
    size_t used;            /* bytes held by the counters' tables (atomic) */
    size_t fixed;           /* bytes held by per-word arrays outside the counters (atomic) */
    int shares;             /* shares of the counters: DW_COUNTER_SHARE each, a lane
                               1/lanes of it, a leftover counter none */
} dw_membudget;

#define DW_COUNTER_SHARE 840 /* one counter's shares (divisible by 1..8 lanes) */

/* Sets the budget's vocabulary bytes (atomic; the vocabulary's owner calls
 * it when the vocabulary grows). */
void dw_membudget_set_vocab(dw_membudget *b, size_t bytes);

typedef struct dw_counter dw_counter;

/* Receives one distinct key (word fields are RANKS of vocab, pairs ordered
 * by rank) and its summed values. Returns DW_OK to go on. */
typedef dw_rc (*dw_counter_emit)(void *ctx, const uint32_t *key, const uint64_t *vals, dw_err *e);

/* Creates a counter. vocab (NULL: keys are numbers) must outlive it; runs go to files in tmpdir
 * (an existing folder). Free with dw_counter_free. NULL when out of memory. */
dw_counter *dw_counter_new(int kw, int nv, int first, int pair, dw_vocab *vocab, dw_membudget *budget,
                           const char *tmpdir);
/* Makes c one of `lanes` counters that together hold one counter's share
 * of the budget. Call right after dw_counter_new. */
void dw_counter_set_lanes(dw_counter *c, int lanes);
/* Makes c hold whatever the other counters' tables leave of the budget
 * (for a counter filled after the others stopped growing). */
void dw_counter_set_leftover(dw_counter *c);
/* Makes c spill on a thread of its own: a full table is sorted and written
 * while counting goes on in a second table (the two share c's part of the
 * budget, so tables are smaller and runs more numerous). The ranks of c's
 * vocabulary are read by that thread: until dw_counter_wait, the caller
 * must not call dw_vocab_sort on it (c's own adds may). Call right after
 * dw_counter_new. */
void dw_counter_set_background(dw_counter *c);
/* Waits for c's spill in progress, if any (its write error in e, which may
 * be NULL), and frees the second table. dw_counter_finish and
 * dw_counter_free wait too. */
dw_rc dw_counter_wait(dw_counter *c, dw_err *e);
/* Adds vals to key's values. May spill (DW_EIO on a write error). */
dw_rc dw_counter_add(dw_counter *c, const uint32_t *key, const uint64_t *vals, dw_err *e);
/* Adds n keys (kw words each, back to back) with their values (nv each):
 * the same as n calls of dw_counter_add, with the table slots of later keys
 * prefetched while earlier ones are added (the table is far bigger than the
 * caches; each add is a cache miss otherwise). */
dw_rc dw_counter_add_many(dw_counter *c, const uint32_t *keys, const uint64_t *vals, size_t n, dw_err *e);
/* Streams every distinct key in order to emit, then empties the counter. */
dw_rc dw_counter_finish(dw_counter *c, dw_counter_emit emit, void *ctx, dw_err *e);
/* dw_counter_finish streaming only the keys whose first value is at least
 * min0; *below (when not NULL) gets the number of distinct keys left out.
 * Without spilled runs those are dropped before the sort. */
dw_rc dw_counter_finish_min(dw_counter *c, uint64_t min0, uint64_t *below, dw_counter_emit emit, void *ctx,
                            dw_err *e);
/* Runs spilled so far (for tests and the summary). */
unsigned dw_counter_runs(const dw_counter *c);
/* Removes its temporary files and frees it. Accepts NULL. */
void dw_counter_free(dw_counter *c);

#endif
