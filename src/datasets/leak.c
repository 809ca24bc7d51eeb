/* leak.c: bounded 13-gram hash set and the leakage run of a release,
 * optionally in a thread of its own (see leak.h). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/bigmem.h"
#include "core/bqueue.h"
#include "core/buf.h"
#include "core/grams.h"
#include "core/norm.h"
#include "datasets/leak.h"

/* The slots are big and probed at random: huge pages (core/bigmem.h). */
static uint64_t *leak_slots_new(size_t n) { return dw_bigmem_zalloc(n); }

static void leak_slots_release(uint64_t *p, size_t n) { dw_bigmem_free(p, n); }

dw_leak_set *dw_leak_set_new(size_t cap)
{
    dw_leak_set *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->cap = cap ? cap : 1;
    s->nslots = 16;
    while (s->nslots < 2 * s->cap)
        s->nslots *= 2;
    s->slots = leak_slots_new(s->nslots * sizeof *s->slots);
    s->k = DW_GRAMS_MODULUS;
    if (!s->slots) {
        free(s);
        return NULL;
    }
    return s;
}

void dw_leak_set_free(dw_leak_set *s)
{
    if (!s)
        return;
    leak_slots_release(s->slots, s->nslots * sizeof *s->slots);
    free(s);
}

/* First slot probed for h. */
static size_t leak_home(const dw_leak_set *s, uint64_t h)
{
    return (size_t)(h * 0x9E3779B97F4A7C15ull >> 20) & (s->nslots - 1);
}

/* Slot of h: where it is, or the empty slot where it would go. */
static size_t leak_slot(const dw_leak_set *s, uint64_t h)
{
    size_t mask = s->nslots - 1, i = leak_home(s, h);
    while (s->slots[i] && s->slots[i] != h)
        i = (i + 1) & mask;
    return i;
}

int dw_leak_set_sampled(const dw_leak_set *s, uint64_t h) { return (h & (s->k - 1)) == 0; }

int dw_leak_set_has(const dw_leak_set *s, uint64_t h) { return s->slots[leak_slot(s, h)] == h; }

/* Doubles k and rebuilds the table with the hashes still sampled (moved
 * to the front first, then inserted again into the cleared table). */
static int leak_resample(dw_leak_set *s)
{
    s->k *= 2;
    size_t kept = 0;
    for (size_t i = 0; i < s->nslots; i++)
        if (s->slots[i] && dw_leak_set_sampled(s, s->slots[i]))
            s->slots[kept++] = s->slots[i]; /* kept <= i */
    /* up to half the table: mapped like it (huge pages, see leak_slots_new) */
    size_t tbytes = (kept ? kept : 1) * sizeof(uint64_t);
    uint64_t *tmp = leak_slots_new(tbytes);
    if (!tmp)
        return -1;
    memcpy(tmp, s->slots, kept * sizeof *tmp);
    memset(s->slots, 0, s->nslots * sizeof *s->slots);
    for (size_t j = 0; j < kept; j++)
        s->slots[leak_slot(s, tmp[j])] = tmp[j];
    s->len = kept;
    leak_slots_release(tmp, tbytes);
    return 0;
}

int dw_leak_set_add(dw_leak_set *s, uint64_t h)
{
    if (!dw_leak_set_sampled(s, h))
        return 0;
    size_t i = leak_slot(s, h);
    if (s->slots[i] == h)
        return 0;
    if (s->len == s->cap) {
        if (leak_resample(s) < 0)
            return -1;
        return dw_leak_set_add(s, h);
    }
    s->slots[i] = h;
    s->len++;
    return 0;
}

/* Rows are handed to the hashing thread in blocks (dw_buf) of about
 * LEAK_BLOCK bytes, each row as its kind (1 byte: LEAK_TEST for a test row,
 * plus LEAK_TEXT for a text, else stored hashes), its length (size_t) and
 * its bytes; at most LEAK_QN blocks are queued (8 MiB). The blocks' buffers
 * go round between the two sides and are reused: a malloc per text, freed
 * by the other thread, made the allocator hand memory back to the kernel and
 * take it again, a page fault every 4 KiB of text. */
#define LEAK_BLOCK (1u << 20)
#define LEAK_QN 8
#define LEAK_TEST 1 /* kind bit: a test row (else train) */
#define LEAK_TEXT 2 /* kind bit: the row's text (else its stored hashes) */

struct dw_leak_run {
    dw_leak_set *set;      /* train 13-grams */
    unsigned norm_flags;   /* normalization of the database */
    FILE *spool;           /* test 13-gram hashes, unlinked */
    dw_buf scratch;        /* normalization buffer of the hashing side */
    dw_buf sample;         /* sampled hashes of a text, hashing side */
    uint64_t hbuf[4096];   /* test hashes waiting to be spooled */
    uint64_t tbuf[1024];   /* train hashes waiting to be added */
    size_t nt;             /* how many */
    size_t nh;             /* how many */
    int oom, ioerr;        /* failures of the hashing side */
    int threaded;          /* 1: a hashing thread runs */
    pthread_t th;          /* the thread */
    dw_bq q;               /* blocks for the hashing thread (initialized with the spool) */
    dw_buf fill;           /* the block being filled by dw_leak_run_add */
};

/* Adds the buffered train hashes to the set, prefetching the slot of the
 * hash LEAK_AHEAD places ahead: the set is far larger than the caches, and this
 * hides most of the memory latency. */
#define LEAK_AHEAD 24 /* how far ahead slots are prefetched: a DRAM latency */

static void run_train_flush(dw_leak_run *r)
{
    dw_leak_set *s = r->set;
    for (size_t i = 0; i < r->nt; i++) {
        if (i + LEAK_AHEAD < r->nt)
            __builtin_prefetch(&s->slots[leak_home(s, r->tbuf[i + LEAK_AHEAD])]);
        if (dw_leak_set_add(s, r->tbuf[i]) < 0)
            r->oom = 1;
    }
    r->nt = 0;
}

static void run_train(uint64_t h, void *arg)
{
    dw_leak_run *r = arg;
    if (!dw_leak_set_sampled(r->set, h))
        return;
    r->tbuf[r->nt++] = h;
    if (r->nt == sizeof r->tbuf / sizeof *r->tbuf)
        run_train_flush(r);
}

static void run_test(uint64_t h, void *arg)
{
    dw_leak_run *r = arg;
    r->hbuf[r->nh++] = h;
    if (r->nh == sizeof r->hbuf / sizeof *r->hbuf) {
        if (fwrite(r->hbuf, sizeof *r->hbuf, r->nh, r->spool) != r->nh)
            r->ioerr = errno ? errno : EIO;
        r->nh = 0;
    }
}

/* Adds the hashes of one row (stored format, n bytes) on the hashing side. */
static void run_grams(dw_leak_run *r, int is_test, const void *grams, size_t n)
{
    void (*fn)(uint64_t, void *) = is_test ? run_test : run_train;
    for (size_t i = 0; i < n / 8; i++)
        fn(dw_grams_at(grams, i), r);
}

/* Hashes one row of the given kind (LEAK_*) on the hashing side: a text is
 * normalized as ingest does and sampled with core/grams.h. */
static void run_hash(dw_leak_run *r, int kind, const char *p, size_t n)
{
    if (kind & LEAK_TEXT) {
        dw_buf_reset(&r->scratch);
        dw_buf_reset(&r->sample);
        if (dw_norm_text(&r->scratch, p, n, r->norm_flags) < 0 ||
            dw_grams_sample(dw_buf_str(&r->scratch), r->scratch.len, &r->sample, NULL) < 0) {
            r->oom = 1;
            return;
        }
        p = dw_buf_str(&r->sample);
        n = r->sample.len;
    }
    run_grams(r, kind & LEAK_TEST, p, n);
}

/* Hashes the rows of a block. */
static void run_block(dw_leak_run *r, const dw_buf *b)
{
    for (const char *p = b->data, *end = b->data + b->len; p < end;) {
        int kind = *p++;
        size_t n;
        memcpy(&n, p, sizeof n);
        p += sizeof n;
        run_hash(r, kind, p, n);
        p += n;
    }
}

static void *run_thread(void *arg)
{
    dw_leak_run *r = arg;
    dw_buf work = DW_BUF_INIT;
    while (dw_bq_take(&r->q, &work))
        run_block(r, &work);
    dw_buf_free(&work);
    return NULL;
}

/* Queues the block being filled (waiting while the queue is full; the
 * hashing side never stops the queue). */
static void run_put(dw_leak_run *r) { (void)dw_bq_put(&r->q, &r->fill); }

dw_rc dw_leak_run_start(dw_leak_run **out, size_t cap, unsigned norm_flags, int threaded, const char *spool_path,
                        dw_err *e)
{
    *out = NULL;
    dw_leak_run *r = calloc(1, sizeof *r);
    if (!r || !(r->set = dw_leak_set_new(cap))) {
        free(r);
        return dw_err_set(e, DW_ENOMEM, "out of memory");
    }
    r->norm_flags = norm_flags;
    r->spool = fopen(spool_path, "w+b");
    if (!r->spool) {
        int err = errno;
        dw_leak_run_free(r);
        return dw_err_set(e, DW_EIO, "cannot create %s: %s", spool_path, strerror(err));
    }
    unlink(spool_path);
    dw_bq_init(&r->q, LEAK_QN);
    if (threaded && pthread_create(&r->th, NULL, run_thread, r) == 0)
        r->threaded = 1;
    *out = r;
    return DW_OK;
}

/* The error of the hashing side, if any. */
static dw_rc run_error(const dw_leak_run *r, dw_err *e)
{
    if (r->oom)
        return dw_err_set(e, DW_ENOMEM, "out of memory");
    if (r->ioerr)
        return dw_err_set(e, DW_EIO, "cannot write the leakage spool: %s", strerror(r->ioerr));
    return DW_OK;
}

/* Adds a row of the given kind (LEAK_*): at once, or queued. */
static dw_rc run_add(dw_leak_run *r, int kind, const void *p, size_t n, dw_err *e)
{
    if (!r->threaded) {
        run_hash(r, kind, p, n);
        return run_error(r, e);
    }
    char t = (char)kind;
    if (dw_buf_append(&r->fill, &t, 1) < 0 || dw_buf_append(&r->fill, &n, sizeof n) < 0 ||
        dw_buf_append(&r->fill, p, n) < 0)
        return dw_err_set(e, DW_ENOMEM, "out of memory");
    if (r->fill.len >= LEAK_BLOCK)
        run_put(r);
    return DW_OK; /* the thread's errors are reported by dw_leak_run_finish */
}

dw_rc dw_leak_run_add_grams(dw_leak_run *r, int is_test, const void *grams, size_t n, dw_err *e)
{
    return run_add(r, is_test ? LEAK_TEST : 0, grams, n - n % 8, e);
}

dw_rc dw_leak_run_add_text(dw_leak_run *r, int is_test, const char *text, size_t n, dw_err *e)
{
    return run_add(r, (is_test ? LEAK_TEST : 0) | LEAK_TEXT, text, n, e);
}

/* Stops the thread after the queue is drained. */
static void run_join(dw_leak_run *r)
{
    if (!r->threaded)
        return;
    if (r->fill.len)
        run_put(r);
    dw_bq_close(&r->q);
    pthread_join(r->th, NULL);
    r->threaded = 0;
}

dw_rc dw_leak_run_finish(dw_leak_run *r, int64_t *looked, int64_t *found, uint64_t *k, dw_err *e)
{
    run_join(r);
    run_train_flush(r);
    if (r->nh && fwrite(r->hbuf, sizeof *r->hbuf, r->nh, r->spool) != r->nh)
        r->ioerr = errno ? errno : EIO;
    r->nh = 0;
    if (!r->ioerr && (fflush(r->spool) != 0 || fseek(r->spool, 0, SEEK_SET) != 0))
        r->ioerr = errno ? errno : EIO;
    dw_rc rc = run_error(r, e);
    if (rc != DW_OK)
        return rc;
    *looked = *found = 0;
    size_t got;
    while ((got = fread(r->hbuf, sizeof *r->hbuf, sizeof r->hbuf / sizeof *r->hbuf, r->spool)) > 0)
        for (size_t i = 0; i < got; i++) {
            if (i + 8 < got)
                __builtin_prefetch(&r->set->slots[leak_home(r->set, r->hbuf[i + 8])]);
            if (dw_leak_set_sampled(r->set, r->hbuf[i])) {
                (*looked)++;
                *found += dw_leak_set_has(r->set, r->hbuf[i]);
            }
        }
    if (ferror(r->spool))
        return dw_err_set(e, DW_EIO, "cannot read the leakage spool: %s", strerror(errno));
    *k = r->set->k;
    return DW_OK;
}

void dw_leak_run_free(dw_leak_run *r)
{
    if (!r)
        return;
    if (r->spool) {
        run_join(r);
        fclose(r->spool);
    }
    dw_bq_free(&r->q);
    dw_buf_free(&r->fill);
    dw_leak_set_free(r->set);
    dw_buf_free(&r->scratch);
    dw_buf_free(&r->sample);
    free(r);
}
