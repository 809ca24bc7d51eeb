/* lanes.c: counters filled by threads of their own from bounded queues
 * (core/bqueue.h) of key blocks, keys split among them by hash (lanes.h). */
#include "stats/lanes.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/bqueue.h"

#define LANE_BLOCK 8192 /* keys in a block */
#define LANE_QN 4       /* blocks queued per lane (the producer waits beyond) */

/* A block is a dw_buf of records, each the key's nv values (uint64) then
 * its kw words (uint32), padded to 8 bytes (see rec_bytes): one buffer, so
 * that blocks go round through core/bqueue. */

/* One lane: its counter, its queue and its thread. */
typedef struct {
    dw_lanes *l;             /* the lanes (for kw and nv) */
    dw_counter *c;           /* its counter, keys are numbers (owned) */
    pthread_t th;            /* its thread */
    int threaded;            /* 1: the thread runs */
    dw_bq q;                 /* blocks for the lane (stopped when it fails) */
    dw_buf fill;             /* the block the producer fills */
    uint32_t *keys;          /* a block's keys, apart (lane side, LANE_BLOCK, owned); when streaming, the keys not yet emitted */
    uint64_t *vals;          /* and its values (owned) */
    size_t nout;             /* keys in keys/vals not yet emitted (streaming) */
    pthread_mutex_t mu;      /* guards ended, emit, ctx, min0, rc and err */
    int ended;               /* 1: dw_lanes_finish_start or dw_lanes_free told it */
    dw_lanes_emit emit;      /* set with ended by dw_lanes_finish_start, else NULL */
    void *ctx;               /* its context */
    uint64_t min0;           /* keys with a smaller first value are not streamed */
    uint64_t distinct;       /* distinct keys seen by the stream */
    dw_rc rc;                /* the lane's first error */
    dw_err err;              /* and its message */
} lane;

struct dw_lanes {
    int n;          /* lanes */
    int kw, nv;     /* key words, values */
    size_t rec;     /* bytes of a record in a block */
    lane *lanes;    /* n lanes (owned) */
};

static size_t rec_bytes(int kw, int nv) { return ((size_t)nv * 8 + (size_t)kw * 4 + 7) & ~(size_t)7; }

/* Records the lane's first error and stops its queue (the producer then
 * drops its blocks). */
static void lane_fail(lane *ln, dw_rc rc, const dw_err *e)
{
    pthread_mutex_lock(&ln->mu);
    if (ln->rc == DW_OK) {
        ln->rc = rc;
        ln->err = *e;
    }
    pthread_mutex_unlock(&ln->mu);
    dw_bq_stop(&ln->q);
}

/* Adds a block to the lane's counter (on whichever thread runs the lane). */
static void lane_add(lane *ln, const dw_buf *b)
{
    const dw_lanes *l = ln->l;
    size_t n = b->len / l->rec, kw = (size_t)l->kw, nv = (size_t)l->nv;
    for (size_t i = 0; i < n; i++) { /* apart, for dw_counter_add_many */
        const uint64_t *v = (const uint64_t *)(b->data + i * l->rec);
        const uint32_t *k = (const uint32_t *)(v + nv);
        for (size_t w = 0; w < nv; w++)
            ln->vals[i * nv + w] = v[w];
        for (size_t w = 0; w < kw; w++)
            ln->keys[i * kw + w] = k[w];
    }
    dw_err e;
    dw_rc rc = dw_counter_add_many(ln->c, ln->keys, ln->vals, n, &e);
    if (rc != DW_OK)
        lane_fail(ln, rc, &e);
}

/* Passes on the keys gathered by lane_emit. */
static dw_rc lane_flush(lane *ln, dw_err *e)
{
    size_t n = ln->nout;
    ln->nout = 0;
    return n ? ln->emit(ln->ctx, ln->keys, ln->vals, n, e) : DW_OK;
}

/* The lane's stream (the keys at or above min0): counts them, gathers them
 * into blocks of LANE_BLOCK keys for emit (the arrays of the adds, free
 * once the counting is over). */
static dw_rc lane_emit(void *arg, const uint32_t *key, const uint64_t *vals, dw_err *e)
{
    lane *ln = arg;
    ln->distinct++;
    size_t kw = (size_t)ln->l->kw, nv = (size_t)ln->l->nv;
    memcpy(ln->keys + ln->nout * kw, key, kw * sizeof *key);
    memcpy(ln->vals + ln->nout * nv, vals, nv * sizeof *vals);
    return ++ln->nout == LANE_BLOCK ? lane_flush(ln, e) : DW_OK;
}

/* Finishes the lane's counter into emit (after its last block). */
static void lane_finish(lane *ln)
{
    pthread_mutex_lock(&ln->mu);
    int go = ln->emit && ln->rc == DW_OK;
    pthread_mutex_unlock(&ln->mu);
    if (!go)
        return;
    dw_err e;
    ln->nout = 0;
    uint64_t below = 0;
    dw_rc rc = dw_counter_finish_min(ln->c, ln->min0, &below, lane_emit, ln, &e);
    ln->distinct += below;
    if (rc == DW_OK)
        rc = lane_flush(ln, &e);
    if (rc != DW_OK)
        lane_fail(ln, rc, &e);
}

static void *lane_main(void *arg)
{
    lane *ln = arg;
    dw_buf work = DW_BUF_INIT;
    int failed = 0;
    while (dw_bq_take(&ln->q, &work)) {
        if (!failed) { /* after an error the blocks left are dropped */
            lane_add(ln, &work);
            pthread_mutex_lock(&ln->mu);
            failed = ln->rc != DW_OK;
            pthread_mutex_unlock(&ln->mu);
        }
    }
    dw_buf_free(&work);
    lane_finish(ln);
    return NULL;
}

/* Hands the lane its filled block (waiting while its queue is full); on a
 * lane without a thread, adds it here. A failed lane's blocks are dropped. */
static void lane_put(lane *ln)
{
    if (!ln->threaded) {
        if (ln->rc == DW_OK)
            lane_add(ln, &ln->fill);
        dw_buf_reset(&ln->fill);
        return;
    }
    if (dw_bq_put(&ln->q, &ln->fill) != 0)
        dw_buf_reset(&ln->fill);
}

/* Tells the lane that no block follows and sets what it streams to (emit
 * NULL: nothing); without a thread, finishes the lane here. */
static void lane_end(lane *ln, uint64_t min0, dw_lanes_emit emit, void *ctx)
{
    pthread_mutex_lock(&ln->mu);
    int was = ln->ended;
    if (!was) { /* once: a stream already started keeps its emit */
        ln->emit = emit;
        ln->ctx = ctx;
        ln->min0 = min0;
        ln->ended = 1;
    }
    pthread_mutex_unlock(&ln->mu);
    if (was)
        return;
    if (ln->threaded)
        dw_bq_close(&ln->q);
    else
        lane_finish(ln);
}

/* Waits for the lane's thread. */
static void lane_join(lane *ln)
{
    if (ln->threaded)
        pthread_join(ln->th, NULL);
    ln->threaded = 0;
}

/* The first lane error, copied to e. */
static dw_rc lanes_error(dw_lanes *l, dw_err *e)
{
    for (int i = 0; i < l->n; i++) {
        lane *ln = &l->lanes[i];
        pthread_mutex_lock(&ln->mu);
        dw_rc rc = ln->rc;
        if (rc != DW_OK && e)
            *e = ln->err;
        pthread_mutex_unlock(&ln->mu);
        if (rc != DW_OK)
            return rc;
    }
    return DW_OK;
}

dw_lanes *dw_lanes_new(int nlanes, int threaded, int kw, int nv, dw_membudget *budget, const char *tmpdir)
{
    if (nlanes < 1 || nlanes > DW_LANES_MAX)
        return NULL;
    dw_lanes *l = calloc(1, sizeof *l);
    if (!l || !(l->lanes = calloc((size_t)nlanes, sizeof *l->lanes))) {
        free(l);
        return NULL;
    }
    l->kw = kw;
    l->nv = nv;
    l->rec = rec_bytes(kw, nv);
    for (int i = 0; i < nlanes; i++) {
        lane *ln = &l->lanes[i];
        ln->l = l;
        pthread_mutex_init(&ln->mu, NULL);
        dw_bq_init(&ln->q, LANE_QN);
        l->n++;
        ln->keys = malloc((size_t)LANE_BLOCK * (size_t)kw * sizeof *ln->keys);
        ln->vals = malloc((size_t)LANE_BLOCK * (size_t)nv * sizeof *ln->vals);
        if (!ln->keys || !ln->vals || !(ln->c = dw_counter_new(kw, nv, 0, 0, NULL, budget, tmpdir))) {
            dw_lanes_free(l);
            return NULL;
        }
        dw_counter_set_lanes(ln->c, nlanes);
    }
    for (int i = 0; i < nlanes && threaded; i++)
        if (pthread_create(&l->lanes[i].th, NULL, lane_main, &l->lanes[i]) == 0)
            l->lanes[i].threaded = 1;
    return l;
}

/* The lane of a key: a hash other than the counters' (their slots would
 * otherwise see keys of one residue only). */
static inline unsigned lane_of(const uint32_t *k, int kw, int n)
{
    uint64_t h = 0x2545F4914F6CDD1Dull;
    for (int i = 0; i < kw; i++)
        h = (h + k[i]) * 0x9E3779B97F4A7C15ull;
    return (unsigned)(((h >> 32) * (uint64_t)n) >> 32);
}

dw_rc dw_lanes_add_many(dw_lanes *l, const uint32_t *keys, const uint64_t *vals, size_t n, dw_err *e)
{
    size_t kw = (size_t)l->kw, nv = (size_t)l->nv, rec = l->rec;
    for (size_t i = 0; i < n; i++) {
        const uint32_t *k = keys + i * kw;
        lane *ln = &l->lanes[l->n > 1 ? lane_of(k, l->kw, l->n) : 0];
        dw_buf *b = &ln->fill;
        if (!b->len && dw_buf_grow(b, LANE_BLOCK * rec) != 0)
            return dw_err_set(e, DW_ENOMEM, "out of memory");
        /* written in place, with loops, not memcpy of a variable length (a
         * library call per key) */
        uint64_t *v = (uint64_t *)(b->data + b->len);
        uint32_t *kk = (uint32_t *)(v + nv);
        for (size_t w = 0; w < nv; w++)
            v[w] = vals[i * nv + w];
        for (size_t w = 0; w < kw; w++)
            kk[w] = k[w];
        b->len += rec;
        b->data[b->len] = '\0';
        if (b->len == LANE_BLOCK * rec) {
            lane_put(ln);
            dw_rc rc = lanes_error(l, e);
            if (rc != DW_OK)
                return rc;
        }
    }
    return DW_OK;
}

void dw_lanes_finish_start(dw_lanes *l, uint64_t min0, dw_lanes_emit emit, void *ctx)
{
    for (int i = 0; i < l->n; i++)
        if (l->lanes[i].fill.len)
            lane_put(&l->lanes[i]);
    /* every lane told first, so that their streams run at once */
    for (int i = 0; i < l->n; i++)
        lane_end(&l->lanes[i], min0, emit, ctx);
}

dw_rc dw_lanes_finish(dw_lanes *l, uint64_t min0, dw_lanes_emit emit, void *ctx, uint64_t *distinct, dw_err *e)
{
    dw_lanes_finish_start(l, min0, emit, ctx);
    return dw_lanes_finish_wait(l, distinct, e);
}

dw_rc dw_lanes_finish_wait(dw_lanes *l, uint64_t *distinct, dw_err *e)
{
    *distinct = 0;
    for (int i = 0; i < l->n; i++) {
        lane_join(&l->lanes[i]);
        *distinct += l->lanes[i].distinct;
    }
    return lanes_error(l, e);
}

unsigned dw_lanes_runs(const dw_lanes *l)
{
    unsigned n = 0;
    for (int i = 0; i < l->n; i++)
        n += dw_counter_runs(l->lanes[i].c);
    return n;
}

void dw_lanes_free(dw_lanes *l)
{
    if (!l)
        return;
    for (int i = 0; i < l->n; i++) {
        lane *ln = &l->lanes[i];
        if (ln->threaded) { /* stop without streaming (or wait for the stream) */
            lane_end(ln, 0, NULL, NULL);
            lane_join(ln);
        }
        dw_counter_free(ln->c);
        dw_bq_free(&ln->q);
        dw_buf_free(&ln->fill);
        free(ln->keys);
        free(ln->vals);
        pthread_mutex_destroy(&ln->mu);
    }
    free(l->lanes);
    free(l);
}
