/* lanes.h: counting in parallel lanes. Keys are split by a hash of the key
 * among L counters without a vocabulary (keys are numbers, counter.h), each
 * filled by a thread of its own from a bounded queue of blocks, so that the
 * thread producing the keys (interning words, making pairs) and the
 * counting (hash table adds, sorting and spilling runs) run on different
 * cores. A key always goes to the same lane, so the lanes hold disjoint
 * keys and their streams together are the stream of one counter: sums of
 * integers, the same whatever the number of lanes and the memory budget.
 *
 * The lanes' memory is one counter's share of the budget, split evenly. */
#ifndef DW_STATS_LANES_H
#define DW_STATS_LANES_H

#include <stddef.h>
#include <stdint.h>

#include "core/dw.h"
#include "stats/counter.h"

#define DW_LANES_MAX 8 /* most lanes */

typedef struct dw_lanes dw_lanes;

/* Creates nlanes (1..DW_LANES_MAX) counters of kw-word keys with nv values
 * and, with threaded, starts their threads (a lane whose thread could not
 * start, or every lane without threaded, is filled on the calling thread).
 * Runs go to tmpdir. Free with dw_lanes_free. NULL when out of memory. */
dw_lanes *dw_lanes_new(int nlanes, int threaded, int kw, int nv, dw_membudget *budget, const char *tmpdir);
/* Adds n keys (kw words each, back to back) with their values (nv each).
 * A lane's error (a run that could not be written) is returned by a later
 * add or by dw_lanes_finish. */
dw_rc dw_lanes_add_many(dw_lanes *l, const uint32_t *keys, const uint64_t *vals, size_t n, dw_err *e);
/* Receives n streamed keys (kw words each, back to back) with their values
 * (nv each); the arrays are the lane's and valid for the call only. */
typedef dw_rc (*dw_lanes_emit)(void *ctx, const uint32_t *keys, const uint64_t *vals, size_t n, dw_err *e);
/* Streams every distinct key whose first value is at least min0 to emit, in
 * blocks of keys: each lane's keys in key order, the lanes at once, each
 * from its own thread, so emit must be thread-safe (lanes never share a
 * key; a block per call keeps the locking of a shared receiver rare). Sets
 * *distinct to the number of distinct keys, streamed or not. Then empties
 * the lanes. */
dw_rc dw_lanes_finish(dw_lanes *l, uint64_t min0, dw_lanes_emit emit, void *ctx, uint64_t *distinct, dw_err *e);
/* dw_lanes_finish in two halves: start streams (and returns at once when
 * the lanes have threads, so that the caller can work meanwhile); wait
 * waits for the streams to end and gives their result. Between the two,
 * no add. */
void dw_lanes_finish_start(dw_lanes *l, uint64_t min0, dw_lanes_emit emit, void *ctx);
dw_rc dw_lanes_finish_wait(dw_lanes *l, uint64_t *distinct, dw_err *e);
/* Runs spilled so far by all lanes. */
unsigned dw_lanes_runs(const dw_lanes *l);
/* Stops the threads (waiting for streams started by dw_lanes_finish_start,
 * whose emit context must still be valid), removes the lanes' runs and
 * frees them. Accepts NULL. */
void dw_lanes_free(dw_lanes *l);

#endif
