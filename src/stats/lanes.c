/* lanes.c: counters filled by threads of their own from bounded queues of
 * key blocks, keys split among them by hash (lanes.h). */
#include "stats/lanes.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define LANE_BLOCK 8192 /* keys in a block */
#define LANE_QN 4       /* blocks queued per lane (the producer waits beyond) */

/* A block of keys and values. */
typedef struct {
    uint32_t *keys;   /* LANE_BLOCK keys of kw words (owned) */
    uint64_t *vals;   /* LANE_BLOCK values of nv words (owned) */
    size_t n;         /* keys in it */
} lblock;

/* One lane: its counter, its queue and its thread. */
typedef struct {
    dw_lanes *l;             /* the lanes (for kw and nv) */
    dw_counter *c;           /* its counter, keys are numbers (owned) */
    pthread_t th;            /* its thread */
    int threaded;            /* 1: the thread runs */
    pthread_mutex_t mu;      /* guards q, qhead, qn, done, rc and err */
    pthread_cond_t cv;       /* queue changed */
    lblock q[LANE_QN];       /* ring of queued blocks (emptied ones stay for reuse) */
    size_t qhead, qn;        /* first queued block, blocks queued */
    lblock fill;             /* the block the producer fills */
    int done;                /* 1: no more blocks */
    dw_counter_emit emit;    /* set with done by dw_lanes_finish, else NULL */
    void *ctx;               /* its context */
    uint64_t min0;           /* keys with a smaller first value are not streamed */
    uint64_t distinct;       /* distinct keys seen by the stream */
    dw_rc rc;                /* the lane's first error */
    dw_err err;              /* and its message */
} lane;

struct dw_lanes {
    int n;          /* lanes */
    int kw, nv;     /* key words, values */
    lane *lanes;    /* n lanes (owned) */
};

static int block_alloc(lblock *b, int kw, int nv)
{
    if (b->keys)
        return 0;
    b->keys = malloc((size_t)LANE_BLOCK * (size_t)kw * sizeof *b->keys);
    b->vals = malloc((size_t)LANE_BLOCK * (size_t)nv * sizeof *b->vals);
    b->n = 0;
    return b->keys && b->vals ? 0 : -1;
}

static void block_free(lblock *b)
{
    free(b->keys);
    free(b->vals);
    memset(b, 0, sizeof *b);
}

/* Adds a block to the lane's counter (on whichever thread runs the lane). */
static void lane_add(lane *ln, const lblock *b)
{
    dw_err e;
    dw_rc rc = ln->rc == DW_OK ? dw_counter_add_many(ln->c, b->keys, b->vals, b->n, &e) : DW_OK;
    if (rc != DW_OK) {
        pthread_mutex_lock(&ln->mu);
        ln->rc = rc;
        ln->err = e;
        pthread_mutex_unlock(&ln->mu);
    }
}

/* The lane's stream: counts the keys, passes on those at or above min0. */
static dw_rc lane_emit(void *arg, const uint32_t *key, const uint64_t *vals, dw_err *e)
{
    lane *ln = arg;
    ln->distinct++;
    return vals[0] >= ln->min0 ? ln->emit(ln->ctx, key, vals, e) : DW_OK;
}

/* Finishes the lane's counter into emit (after its last block). */
static void lane_finish(lane *ln)
{
    if (!ln->emit || ln->rc != DW_OK)
        return;
    dw_err e;
    dw_rc rc = dw_counter_finish(ln->c, lane_emit, ln, &e);
    if (rc != DW_OK) {
        pthread_mutex_lock(&ln->mu);
        ln->rc = rc;
        ln->err = e;
        pthread_mutex_unlock(&ln->mu);
    }
}

static void *lane_main(void *arg)
{
    lane *ln = arg;
    lblock work = {0};
    for (;;) {
        pthread_mutex_lock(&ln->mu);
        while (!ln->qn && !ln->done)
            pthread_cond_wait(&ln->cv, &ln->mu);
        if (!ln->qn) {
            pthread_mutex_unlock(&ln->mu);
            break;
        }
        /* take the block, leave the emptied one in its place */
        lblock t = ln->q[ln->qhead];
        ln->q[ln->qhead] = work;
        work = t;
        ln->qhead = (ln->qhead + 1) % LANE_QN;
        ln->qn--;
        pthread_cond_broadcast(&ln->cv);
        pthread_mutex_unlock(&ln->mu);
        lane_add(ln, &work);
        work.n = 0;
    }
    block_free(&work);
    lane_finish(ln);
    return NULL;
}

/* Queues the lane's filled block (waiting while the queue is full); on a
 * lane without a thread, adds it here. */
static void lane_put(lane *ln)
{
    if (!ln->threaded) {
        lane_add(ln, &ln->fill);
        ln->fill.n = 0;
        return;
    }
    pthread_mutex_lock(&ln->mu);
    while (ln->qn == LANE_QN)
        pthread_cond_wait(&ln->cv, &ln->mu);
    size_t i = (ln->qhead + ln->qn) % LANE_QN;
    lblock t = ln->q[i];
    ln->q[i] = ln->fill;
    ln->fill = t;
    ln->fill.n = 0;
    ln->qn++;
    pthread_cond_broadcast(&ln->cv);
    pthread_mutex_unlock(&ln->mu);
}

/* Tells the lane's thread that no block follows and sets what it streams
 * to (emit NULL: nothing); without a thread, finishes the lane here. */
static void lane_end(lane *ln, uint64_t min0, dw_counter_emit emit, void *ctx)
{
    pthread_mutex_lock(&ln->mu);
    int was = ln->done;
    if (!was) { /* once: a stream already started keeps its emit */
        ln->emit = emit;
        ln->ctx = ctx;
        ln->min0 = min0;
        ln->done = 1;
        pthread_cond_broadcast(&ln->cv);
    }
    pthread_mutex_unlock(&ln->mu);
    if (!was && !ln->threaded)
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
    for (int i = 0; i < nlanes; i++) {
        lane *ln = &l->lanes[i];
        ln->l = l;
        pthread_mutex_init(&ln->mu, NULL);
        pthread_cond_init(&ln->cv, NULL);
        l->n++;
        if (!(ln->c = dw_counter_new(kw, nv, 0, 0, NULL, budget, tmpdir)) || block_alloc(&ln->fill, kw, nv) != 0) {
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
    size_t kw = (size_t)l->kw, nv = (size_t)l->nv;
    for (size_t i = 0; i < n; i++) {
        const uint32_t *k = keys + i * kw;
        lane *ln = &l->lanes[l->n > 1 ? lane_of(k, l->kw, l->n) : 0];
        lblock *b = &ln->fill;
        if (block_alloc(b, l->kw, l->nv) != 0)
            return dw_err_set(e, DW_ENOMEM, "out of memory");
        /* loops, not memcpy of a variable length (a library call per key) */
        for (size_t w = 0; w < kw; w++)
            b->keys[b->n * kw + w] = k[w];
        for (size_t w = 0; w < nv; w++)
            b->vals[b->n * nv + w] = vals[i * nv + w];
        if (++b->n == LANE_BLOCK) {
            lane_put(ln);
            dw_rc rc = lanes_error(l, e);
            if (rc != DW_OK)
                return rc;
        }
    }
    return DW_OK;
}

void dw_lanes_finish_start(dw_lanes *l, uint64_t min0, dw_counter_emit emit, void *ctx)
{
    for (int i = 0; i < l->n; i++)
        if (l->lanes[i].fill.n)
            lane_put(&l->lanes[i]);
    /* every lane told first, so that their streams run at once */
    for (int i = 0; i < l->n; i++)
        lane_end(&l->lanes[i], min0, emit, ctx);
}

dw_rc dw_lanes_finish(dw_lanes *l, uint64_t min0, dw_counter_emit emit, void *ctx, uint64_t *distinct, dw_err *e)
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
        for (size_t k = 0; k < LANE_QN; k++)
            block_free(&ln->q[k]);
        block_free(&ln->fill);
        pthread_mutex_destroy(&ln->mu);
        pthread_cond_destroy(&ln->cv);
    }
    free(l->lanes);
    free(l);
}
