/* leak.h: the n-gram overlap part of the leakage report of `diwan split`:
 * a bounded set of 64-bit hashes of the 13-grams of the training split, and
 * the 13-grams of a text (normalized, tokenized with core/tok.h).
 *
 * Memory is bounded: the set holds at most cap hashes. When one more would
 * not fit, the sampling modulus K doubles (1, 2, 4, ...) and the hashes not
 * divisible by K are dropped; from then on only hashes with hash % K == 0 are
 * kept and test 13-grams are only looked up (and counted) when hash % K == 0.
 * The final K is the smallest power of two for which the kept set fits, so it
 * does not depend on the order in which hashes were added. */
#ifndef DW_LEAK_H
#define DW_LEAK_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/dw.h"

#define DW_LEAK_N 13 /* n of the n-grams compared */

typedef struct {
    uint64_t *slots; /* open addressing, 0 = empty (hashes are never 0) */
    size_t nslots;   /* a power of two, >= 2 * cap */
    size_t len;      /* hashes held */
    size_t cap;      /* at most this many held */
    uint64_t k;      /* sampling modulus, a power of two */
} dw_leak_set;

/* Makes a set holding at most cap hashes (cap >= 1). Returns NULL when out
 * of memory; free with dw_leak_set_free. */
dw_leak_set *dw_leak_set_new(size_t cap);
/* Frees the set; accepts NULL. */
void dw_leak_set_free(dw_leak_set *s);
/* Adds h (when sampled: h % k == 0), doubling k when needed. Returns 0, or
 * -1 when out of memory (for the temporary copy made when k doubles). */
int dw_leak_set_add(dw_leak_set *s, uint64_t h);
/* 1 when h is sampled (h % k == 0), 0 otherwise. */
int dw_leak_set_sampled(const dw_leak_set *s, uint64_t h);
/* 1 when h is in the set. */
int dw_leak_set_has(const dw_leak_set *s, uint64_t h);

/* Calls fn(h, arg) for the hash of every 13-gram of text[0..n): the text is
 * normalized with norm_flags (newlines become spaces), tokenized, each token
 * hashed with XXH3-64 and each run of 13 consecutive tokens hashed as the
 * XXH3-64 of its 13 token hashes (never 0). scratch is reused between calls
 * (caller frees it). Returns 0, or -1 when out of memory. */
int dw_leak_grams(const char *text, size_t n, unsigned norm_flags, dw_buf *scratch,
                  void (*fn)(uint64_t h, void *arg), void *arg);

/* ---- the leakage run of a release ----
 * Train texts are hashed into a set, test texts' 13-gram hashes are spooled
 * to a file (8 bytes each, so memory stays bounded) and looked up once the
 * set is complete. With threaded, hashing runs in a thread of its own fed
 * through a queue of at most 8 blocks of about 1 MiB of texts (buffers
 * reused); the figures are the same either way (they depend only on the sets
 * of 13-grams). */
typedef struct dw_leak_run dw_leak_run;

/* Starts a run with a set of at most cap hashes; spool_path is created for
 * the test hashes and unlinked at once (nothing is left behind). On success
 * *out owns the run (free with dw_leak_run_free). DW_EIO, DW_ENOMEM. */
dw_rc dw_leak_run_start(dw_leak_run **out, size_t cap, unsigned norm_flags, int threaded, const char *spool_path,
                        dw_err *e);
/* Adds the text of a train (is_test 0) or test (1) row; the text is copied
 * when threaded. DW_ENOMEM, or the error of the hashing thread. */
dw_rc dw_leak_run_add(dw_leak_run *r, int is_test, const char *text, size_t n, dw_err *e);
/* Waits for the hashing and looks the test 13-grams up: *looked test
 * 13-grams were sampled, *found of them occur in train, *k is the sampling
 * modulus. DW_EIO (spool), DW_ENOMEM. */
dw_rc dw_leak_run_finish(dw_leak_run *r, int64_t *looked, int64_t *found, uint64_t *k, dw_err *e);
/* Stops the thread if running, frees everything; accepts NULL. */
void dw_leak_run_free(dw_leak_run *r);

#endif
