/* leak.h: the n-gram overlap part of the leakage report of `diwan split`:
 * a bounded set of the sampled 13-gram hashes (core/grams.h) of the training
 * split, and the run that fills it and looks the test 13-grams up.
 *
 * The hashes come sampled at the base modulus (DW_GRAMS_MODULUS, 16), as
 * ingest stores them in content_grams. Memory is bounded: the set holds at
 * most cap hashes. When one more would not fit, the sampling modulus K
 * doubles (16, 32, 64, ...) and the hashes not divisible by K are dropped;
 * from then on only hashes with hash % K == 0 are kept and test 13-grams are
 * only looked up (and counted) when hash % K == 0. The final K is the
 * smallest such power of two for which the kept set fits, so it does not
 * depend on the order in which hashes were added. */
#ifndef DW_LEAK_H
#define DW_LEAK_H

#include <stddef.h>
#include <stdint.h>

#include "core/dw.h"

typedef struct {
    uint64_t *slots; /* open addressing, 0 = empty (hashes are never 0) */
    size_t nslots;   /* a power of two, >= 2 * cap */
    size_t len;      /* hashes held */
    size_t cap;      /* at most this many held */
    uint64_t k;      /* sampling modulus, a power of two >= DW_GRAMS_MODULUS */
} dw_leak_set;

/* Makes a set holding at most cap hashes (cap >= 1), sampling modulus
 * DW_GRAMS_MODULUS. Returns NULL when out of memory; free with
 * dw_leak_set_free. */
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

/* ---- the leakage run of a release ----
 * Train rows' sampled 13-gram hashes go into a set, test rows' are spooled
 * to a file (8 bytes each, so memory stays bounded) and looked up once the
 * set is complete. A row comes with its stored hashes (content_grams), or
 * as its text when the database has none for it: the text is then
 * normalized with the database's flags and hashed with core/grams.h, which
 * gives the hashes ingest stores. With threaded, the work runs in a thread
 * of its own fed through a queue of at most 8 blocks of about 1 MiB of rows
 * (buffers reused); the figures are the same either way (they depend only on
 * the sets of 13-grams). */
typedef struct dw_leak_run dw_leak_run;

/* Starts a run with a set of at most cap hashes; spool_path is created for
 * the test hashes and unlinked at once (nothing is left behind). On success
 * *out owns the run (free with dw_leak_run_free). DW_EIO, DW_ENOMEM. */
dw_rc dw_leak_run_start(dw_leak_run **out, size_t cap, unsigned norm_flags, int threaded, const char *spool_path,
                        dw_err *e);
/* Adds the sampled 13-gram hashes of a train (is_test 0) or test (1) row,
 * in the content_grams.grams format: n bytes (a multiple of 8), 8 bytes
 * little-endian per hash; copied when threaded. DW_ENOMEM, or the error of
 * the hashing thread. */
dw_rc dw_leak_run_add_grams(dw_leak_run *r, int is_test, const void *grams, size_t n, dw_err *e);
/* Adds the body text[0..n) of a train or test row that has no stored
 * hashes; copied when threaded. DW_ENOMEM, or the error of the thread. */
dw_rc dw_leak_run_add_text(dw_leak_run *r, int is_test, const char *text, size_t n, dw_err *e);
/* Waits for the hashing and looks the test 13-grams up: *looked test
 * 13-grams were sampled, *found of them occur in train, *k is the sampling
 * modulus. DW_EIO (spool), DW_ENOMEM. */
dw_rc dw_leak_run_finish(dw_leak_run *r, int64_t *looked, int64_t *found, uint64_t *k, dw_err *e);
/* Stops the thread if running, frees everything; accepts NULL. */
void dw_leak_run_free(dw_leak_run *r);

#endif
