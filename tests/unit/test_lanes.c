/* test_lanes.c: the counter's number-keyed mode (streams in key order, with
 * and without spilling, through the radix sort of packed keys) and counting
 * in lanes: the same distinct keys and sums whatever the number of lanes,
 * threads and memory budget, min0 filtering, and errors of a lane. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "helpers.h"
#include "stats/counter.h"
#include "stats/lanes.h"
#include "stats/vocab.h"

#define NKEYS 200000 /* adds */

/* A distinct key and its sum. */
typedef struct {
    uint64_t key;   /* word 0 << 32 | word 1 */
    uint64_t sum;   /* summed value */
} kv;

static int cmp_kv(const void *a, const void *b)
{
    const kv *x = a, *y = b;
    return x->key < y->key ? -1 : x->key > y->key;
}

/* Deterministic pseudo-random adds: pairs (a < b) with a skewed spread, so
 * that some keys repeat many times and most are rare. */
static void make_adds(uint32_t *keys, uint64_t *vals, size_t n, uint32_t maxid)
{
    uint64_t s = 88172645463325252ull;
    for (size_t i = 0; i < n; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        uint32_t r = 1 + (uint32_t)(s >> 58); /* 1..64: small ids and near pairs are frequent */
        uint32_t a = 1 + (uint32_t)(s % (maxid / r)), b = a + 1 + (uint32_t)((s >> 32) % (2 + 200 / r));
        keys[2 * i] = a < b ? a : b;
        keys[2 * i + 1] = a < b ? b : a;
        vals[i] = 1 + (s >> 62);
    }
}

/* The distinct keys and sums of the adds, by sorting (the reference). */
static size_t reference(const uint32_t *keys, const uint64_t *vals, size_t n, kv *out)
{
    for (size_t i = 0; i < n; i++) {
        out[i].key = (uint64_t)keys[2 * i] << 32 | keys[2 * i + 1];
        out[i].sum = vals[i];
    }
    qsort(out, n, sizeof *out, cmp_kv);
    size_t d = 0;
    for (size_t i = 0; i < n; i++)
        if (d && out[d - 1].key == out[i].key)
            out[d - 1].sum += out[i].sum;
        else
            out[d++] = out[i];
    return d;
}

/* What a stream delivered, from any thread. */
typedef struct {
    kv *got;            /* keys received */
    size_t n;           /* how many */
    pthread_mutex_t mu; /* guards got and n */
    int ordered;        /* 1: each call's key above the previous one (one stream) */
    uint64_t last;      /* previous key */
} sink;

static dw_rc collect(void *ctx, const uint32_t *key, const uint64_t *vals, dw_err *e)
{
    (void)e;
    sink *s = ctx;
    pthread_mutex_lock(&s->mu);
    uint64_t k = (uint64_t)key[0] << 32 | key[1];
    if (s->n && k <= s->last)
        s->ordered = 0;
    s->last = k;
    s->got[s->n].key = k;
    s->got[s->n].sum = vals[0];
    s->n++;
    pthread_mutex_unlock(&s->mu);
    return DW_OK;
}

/* collect for the lanes' blocks of two-word keys with one value. */
static dw_rc collect_many(void *ctx, const uint32_t *keys, const uint64_t *vals, size_t n, dw_err *e)
{
    for (size_t i = 0; i < n; i++)
        collect(ctx, keys + 2 * i, vals + i, e);
    return DW_OK;
}

/* What an n-gram stream delivered: its keys in order, as text. */
typedef struct {
    dw_buf dump;        /* "k0 k1 k2 k3 count df" lines */
    size_t n;           /* keys */
    uint64_t total;     /* summed counts */
    int ordered;        /* 1: every key above the previous one */
    uint32_t last[4];   /* previous key */
} ngram_sink;

static dw_rc collect_ngram(void *ctx, const uint32_t *key, const uint64_t *vals, dw_err *e)
{
    (void)e;
    ngram_sink *s = ctx;
    int cmp = 0; /* key against the previous one, word by word */
    for (int i = 0; i < 4 && !cmp; i++)
        if (key[i] != s->last[i])
            cmp = key[i] < s->last[i] ? -1 : 1;
    if (s->n && cmp <= 0)
        s->ordered = 0;
    memcpy(s->last, key, sizeof s->last);
    s->n++;
    s->total += vals[0];
    dw_buf_printf(&s->dump, "%u %u %u %u %llu %llu\n", key[0], key[1], key[2], key[3],
                  (unsigned long long)vals[0], (unsigned long long)vals[1]);
    return DW_OK;
}

Test(counter, numbers_stream_in_key_order_with_and_without_spills, .timeout = 60)
{
    uint32_t *keys = malloc(NKEYS * 2 * sizeof *keys);
    uint64_t *vals = malloc(NKEYS * sizeof *vals);
    kv *ref = malloc(NKEYS * sizeof *ref);
    make_adds(keys, vals, NKEYS, 40000);
    size_t nref = reference(keys, vals, NKEYS, ref);
    cr_assert_gt(nref, 50000); /* many keys: the radix sort has work */
    cr_assert_lt(nref, NKEYS / 3); /* and repeats */
    char *tmp = dwt_tmpdir();
    size_t limits[] = {64u << 20, 256u << 10};
    for (int li = 0; li < 2; li++) {
        dw_membudget b = {.limit = limits[li]};
        dw_counter *c = dw_counter_new(2, 1, 0, 0, NULL, &b, tmp);
        cr_assert_not_null(c);
        dw_err e = {{0}};
        cr_assert_eq(dw_counter_add_many(c, keys, vals, NKEYS, &e), DW_OK, "%s", e.msg);
        if (li == 0)
            cr_assert_eq(dw_counter_runs(c), 0);
        else
            cr_assert_gt(dw_counter_runs(c), 4, "runs %u", dw_counter_runs(c));
        sink s = {.got = malloc(NKEYS * sizeof(kv)), .ordered = 1};
        pthread_mutex_init(&s.mu, NULL);
        cr_assert_eq(dw_counter_finish(c, collect, &s, &e), DW_OK, "%s", e.msg);
        cr_assert(s.ordered, "stream out of key order (limit %zu)", limits[li]);
        cr_assert_eq(s.n, nref);
        cr_assert(memcmp(s.got, ref, nref * sizeof *ref) == 0, "sums differ (limit %zu)", limits[li]);
        pthread_mutex_destroy(&s.mu);
        free(s.got);
        dw_counter_free(c);
        cr_assert_eq(b.used, 0);
        cr_assert_eq(b.shares, 0);
    }
    dwt_rmtree(tmp);
    free(tmp);
    free(keys);
    free(vals);
    free(ref);
}

/* ranks: pairs streamed in the words' byte order, the smaller-ranked first,
 * spilled or not (the packed keys' radix sort on rank space) */
Test(counter, pairs_stream_in_rank_order, .timeout = 60)
{
    dw_vocab v = {0};
    enum { NW = 3000 };
    char w[16];
    for (int i = 0; i < NW; i++) { /* ids in an order unlike the words' */
        snprintf(w, sizeof w, "w%05d", (i * 7919) % NW);
        cr_assert_eq(dw_vocab_intern(&v, w, strlen(w)), (uint32_t)i + 1);
    }
    uint32_t *keys = malloc(NKEYS * 2 * sizeof *keys);
    uint64_t *vals = malloc(NKEYS * sizeof *vals);
    make_adds(keys, vals, NKEYS, NW - 210); /* b stays below NW */
    char *tmp = dwt_tmpdir();
    char *first = NULL;
    size_t limits[] = {64u << 20, 200u << 10};
    for (int li = 0; li < 2; li++) {
        dw_membudget b = {.limit = limits[li]};
        dw_counter *c = dw_counter_new(2, 1, 0, 1, &v, &b, tmp);
        dw_err e = {{0}};
        cr_assert_eq(dw_counter_add_many(c, keys, vals, NKEYS, &e), DW_OK, "%s", e.msg);
        cr_assert(li == 0 ? dw_counter_runs(c) == 0 : dw_counter_runs(c) > 2);
        sink s = {.got = malloc(NKEYS * sizeof(kv)), .ordered = 1};
        pthread_mutex_init(&s.mu, NULL);
        cr_assert_eq(dw_counter_finish(c, collect, &s, &e), DW_OK, "%s", e.msg);
        cr_assert(s.ordered, "stream out of rank order");
        /* ranks are the words' order: w00000 < w00001 < ... */
        for (size_t i = 0; i < s.n; i++) {
            size_t la, lb;
            const char *a = dw_vocab_word(&v, v.order[(s.got[i].key >> 32) - 1], &la);
            const char *bw = dw_vocab_word(&v, v.order[(uint32_t)s.got[i].key - 1], &lb);
            cr_assert_lt(strcmp(a, bw), 0, "pair not smaller word first");
        }
        char *dump = malloc(s.n * 40 + 1), *p = dump;
        for (size_t i = 0; i < s.n; i++)
            p += sprintf(p, "%llx %llu\n", (unsigned long long)s.got[i].key, (unsigned long long)s.got[i].sum);
        if (!first)
            first = dump;
        else {
            cr_assert_str_eq(first, dump, "the stream depends on the memory budget");
            free(dump);
        }
        pthread_mutex_destroy(&s.mu);
        free(s.got);
        dw_counter_free(c);
    }
    free(first);
    dw_vocab_free(&v);
    dwt_rmtree(tmp);
    free(tmp);
    free(keys);
    free(vals);
}

Test(lanes, same_keys_whatever_lanes_threads_and_budget, .timeout = 120)
{
    uint32_t *keys = malloc(NKEYS * 2 * sizeof *keys);
    uint64_t *vals = malloc(NKEYS * sizeof *vals);
    kv *ref = malloc(NKEYS * sizeof *ref);
    make_adds(keys, vals, NKEYS, 40000);
    size_t nref = reference(keys, vals, NKEYS, ref);
    /* the keys at or above 6 */
    size_t nbig = 0;
    for (size_t i = 0; i < nref; i++)
        nbig += ref[i].sum >= 6;
    cr_assert_gt(nbig, 5000);
    cr_assert_lt(nbig, nref / 2);
    char *tmp = dwt_tmpdir();
    for (int nl = 1; nl <= 4; nl++)
        for (int th = 0; th <= 1; th++)
            for (int small = 0; small <= 1; small++) {
                dw_membudget b = {.limit = small ? 300u << 10 : 64u << 20};
                dw_lanes *l = dw_lanes_new(nl, th, 2, 1, &b, tmp);
                cr_assert_not_null(l);
                cr_assert_eq(b.shares, DW_COUNTER_SHARE, "lanes hold one counter's share");
                dw_err e = {{0}};
                /* in uneven pieces, as a producer would */
                for (size_t at = 0; at < NKEYS;) {
                    size_t k = 1 + (at * 31) % 5000;
                    if (k > NKEYS - at)
                        k = NKEYS - at;
                    cr_assert_eq(dw_lanes_add_many(l, keys + 2 * at, vals + at, k, &e), DW_OK, "%s", e.msg);
                    at += k;
                }
                sink s = {.got = malloc(NKEYS * sizeof(kv)), .ordered = 1};
                pthread_mutex_init(&s.mu, NULL);
                uint64_t distinct = 0;
                /* with and without a threshold, spilled or not: kept
                 * keys are filtered before the sort without runs, in the
                 * merge with them */
                uint64_t min0 = nl % 2 ? 6 : 0;
                cr_assert_eq(dw_lanes_finish(l, min0, collect_many, &s, &distinct, &e), DW_OK, "%s", e.msg);
                cr_assert_eq(distinct, nref, "lanes %d threads %d small %d", nl, th, small);
                if (small)
                    cr_assert_gt(dw_lanes_runs(l), 0);
                qsort(s.got, s.n, sizeof *s.got, cmp_kv);
                size_t want = 0;
                for (size_t i = 0; i < nref; i++)
                    if (ref[i].sum >= min0) {
                        cr_assert_lt(want, s.n);
                        cr_assert_eq(s.got[want].key, ref[i].key);
                        cr_assert_eq(s.got[want].sum, ref[i].sum);
                        want++;
                    }
                cr_assert_eq(s.n, want, "lanes %d threads %d small %d", nl, th, small);
                pthread_mutex_destroy(&s.mu);
                free(s.got);
                dw_lanes_free(l);
                cr_assert_eq(b.shares, 0);
                cr_assert_eq(b.used, 0);
            }
    dw_lanes_free(NULL);
    dwt_rmtree(tmp);
    free(tmp);
    free(keys);
    free(vals);
    free(ref);
}

/* lanes freed without finishing: threads stop, runs are removed */
Test(lanes, free_without_finish_removes_runs, .timeout = 60)
{
    uint32_t *keys = malloc(NKEYS * 2 * sizeof *keys);
    uint64_t *vals = malloc(NKEYS * sizeof *vals);
    make_adds(keys, vals, NKEYS, 40000);
    char *tmp = dwt_tmpdir();
    dw_membudget b = {.limit = 256u << 10};
    dw_lanes *l = dw_lanes_new(2, 1, 2, 1, &b, tmp);
    dw_err e = {{0}};
    cr_assert_eq(dw_lanes_add_many(l, keys, vals, NKEYS, &e), DW_OK, "%s", e.msg);
    dw_lanes_free(l);
    cr_assert_eq(rmdir(tmp), 0, "runs left in %s", tmp); /* an empty folder */
    free(tmp);
    free(keys);
    free(vals);
}

/* a lane that cannot write its run reports it, naming the file */
Test(lanes, run_write_error_is_reported, .timeout = 60)
{
    uint32_t *keys = malloc(NKEYS * 2 * sizeof *keys);
    uint64_t *vals = malloc(NKEYS * sizeof *vals);
    make_adds(keys, vals, NKEYS, 40000);
    char *tmp = dwt_tmpdir();
    char gone[4300];
    snprintf(gone, sizeof gone, "%s/gone", tmp); /* a folder that does not exist */
    dw_membudget b = {.limit = 256u << 10};
    dw_lanes *l = dw_lanes_new(2, 1, 2, 1, &b, gone);
    dw_err e = {{0}};
    dw_rc rc = dw_lanes_add_many(l, keys, vals, NKEYS, &e);
    uint64_t distinct = 0;
    sink s = {.got = malloc(NKEYS * sizeof(kv)), .ordered = 1};
    pthread_mutex_init(&s.mu, NULL);
    if (rc == DW_OK)
        rc = dw_lanes_finish(l, 0, collect_many, &s, &distinct, &e);
    pthread_mutex_destroy(&s.mu);
    free(s.got);
    cr_assert_eq(rc, DW_EIO);
    cr_assert(strstr(e.msg, "cannot create") && strstr(e.msg, "/gone/run-"), "%s", e.msg);
    dw_lanes_free(l);
    dwt_rmtree(tmp);
    free(tmp);
    free(keys);
    free(vals);
}

/* trigram keys (bucket << 3 | n, w1, w2, w3), as the n-gram counter has
 * them: two packed 64-bit words each; the stream is in (bucket, n, ranks)
 * order with and without spills, and the same either way */
Test(counter, ngram_keys_stream_in_rank_order, .timeout = 60)
{
    dw_vocab v = {0};
    enum { NW = 2000, NA = 150000 };
    char w[16];
    for (int i = 0; i < NW; i++) {
        snprintf(w, sizeof w, "x%05d", (i * 7919) % NW);
        cr_assert_eq(dw_vocab_intern(&v, w, strlen(w)), (uint32_t)i + 1);
    }
    uint32_t *keys = malloc((size_t)NA * 4 * sizeof *keys);
    uint64_t *vals = malloc((size_t)NA * 2 * sizeof *vals);
    uint64_t s = 0x9E3779B97F4A7C15ull;
    for (size_t i = 0; i < NA; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        uint32_t n = 1 + (uint32_t)(s % 3), r = 1 + (uint32_t)(s >> 58);
        keys[4 * i] = (1 + (uint32_t)((s >> 8) % 5)) << 3 | n; /* 5 buckets */
        for (uint32_t k = 0; k < 3; k++)
            keys[4 * i + 1 + k] = k < n ? 1 + (uint32_t)((s >> (12 + 9 * k)) % (NW / r)) : 0;
        vals[2 * i] = 1;
        vals[2 * i + 1] = 1;
    }
    char *tmp = dwt_tmpdir();
    char *first = NULL;
    size_t limits[] = {64u << 20, 300u << 10};
    for (int li = 0; li < 2; li++) {
        dw_membudget b = {.limit = limits[li]};
        dw_counter *c = dw_counter_new(4, 2, 1, 0, &v, &b, tmp);
        dw_err e = {{0}};
        cr_assert_eq(dw_counter_add_many(c, keys, vals, NA, &e), DW_OK, "%s", e.msg);
        cr_assert(li == 0 ? dw_counter_runs(c) == 0 : dw_counter_runs(c) > 2, "runs %u", dw_counter_runs(c));
        ngram_sink s2 = {.ordered = 1};
        cr_assert_eq(dw_counter_finish(c, collect_ngram, &s2, &e), DW_OK, "%s", e.msg);
        cr_assert(s2.ordered, "stream out of order (limit %zu)", limits[li]);
        cr_assert_gt(s2.n, 10000);
        cr_assert_eq(s2.total, NA, "sums lost");
        if (!first)
            first = s2.dump.data, s2.dump.data = NULL;
        else
            cr_assert_str_eq(first, dw_buf_str(&s2.dump), "the stream depends on the memory budget");
        dw_buf_free(&s2.dump);
        dw_counter_free(c);
    }
    free(first);
    dw_vocab_free(&v);
    dwt_rmtree(tmp);
    free(tmp);
    free(keys);
    free(vals);
}

/* Bigram keys over words interned in instalments between the adds, so that
 * the ranks change between spills (new words fall between old ones). */
typedef struct {
    dw_vocab v;      /* the words */
    uint32_t *keys;  /* NA keys (bucket << 3 | 2, w1, w2, 0): bigrams of a trigram counter */
    uint64_t *vals;  /* NA values (count, df) */
} bg_case;

enum { BG_NW = 3000, BG_NA = 120000, BG_PARTS = 10 };

/* Interns part p's words and makes part p's keys, over the words so far. */
static void bg_part(bg_case *t, int p, uint64_t *s)
{
    char w[16];
    for (int i = p * BG_NW / BG_PARTS; i < (p + 1) * BG_NW / BG_PARTS; i++) {
        snprintf(w, sizeof w, "y%05d", (i * 7919) % BG_NW);
        cr_assert_eq(dw_vocab_intern(&t->v, w, strlen(w)), (uint32_t)i + 1);
    }
    for (size_t i = (size_t)p * BG_NA / BG_PARTS; i < (size_t)(p + 1) * BG_NA / BG_PARTS; i++) {
        *s ^= *s << 13, *s ^= *s >> 7, *s ^= *s << 17;
        t->keys[4 * i] = (1 + (uint32_t)((*s >> 8) % 3)) << 3 | 2;
        t->keys[4 * i + 1] = 1 + (uint32_t)((*s >> 12) % t->v.n);
        t->keys[4 * i + 2] = 1 + (uint32_t)((*s >> 36) % t->v.n);
        t->keys[4 * i + 3] = 0;
        t->vals[2 * i] = 1 + (*s >> 60);
        t->vals[2 * i + 1] = 1;
    }
}

/* spills on a thread of their own (dw_counter_set_background) while the
 * words are interned and ranked again: the stream is the one of a counter
 * that never spilled and of one that spilled on its own thread, at a
 * budget that makes a few runs and one that makes more than the fan-in;
 * a counter freed with a spill in progress leaves no file */
Test(counter, background_spills_stream_the_same_keys, .timeout = 120)
{
    char *tmp = dwt_tmpdir();
    char *first = NULL;
    static const struct {
        size_t limit; /* budget */
        int bg;       /* background spills */
        int finish;   /* 0: freed before finishing */
    } cases[] = {{64u << 20, 0, 1}, {400u << 10, 0, 1}, {400u << 10, 1, 1}, {40u << 10, 1, 1}, {400u << 10, 1, 0}};
    for (size_t ci = 0; ci < sizeof cases / sizeof *cases; ci++) {
        bg_case t = {.v = {0}};
        t.keys = malloc((size_t)BG_NA * 4 * sizeof *t.keys);
        t.vals = malloc((size_t)BG_NA * 2 * sizeof *t.vals);
        dw_membudget b = {.limit = cases[ci].limit};
        dw_counter *c = dw_counter_new(4, 2, 1, 0, &t.v, &b, tmp);
        if (cases[ci].bg)
            dw_counter_set_background(c);
        dw_err e = {{0}};
        uint64_t s = 0x9E3779B97F4A7C15ull;
        for (int p = 0; p < BG_PARTS; p++) {
            bg_part(&t, p, &s);
            size_t from = (size_t)p * BG_NA / BG_PARTS, to = (size_t)(p + 1) * BG_NA / BG_PARTS;
            cr_assert_eq(dw_counter_add_many(c, t.keys + 4 * from, t.vals + 2 * from, to - from, &e), DW_OK, "%s",
                         e.msg);
        }
        unsigned runs = dw_counter_runs(c);
        cr_assert(ci == 0 ? runs == 0 : ci == 3 ? runs > DW_COUNTER_FANIN : runs >= 2, "case %zu: %u runs", ci, runs);
        if (!cases[ci].finish) {
            dw_counter_free(c);
            cr_assert_eq(rmdir(tmp), 0, "runs left in %s", tmp);
            cr_assert_eq(mkdir(tmp, 0700), 0);
        } else {
            ngram_sink s2 = {.ordered = 1};
            cr_assert_eq(dw_counter_finish(c, collect_ngram, &s2, &e), DW_OK, "%s", e.msg);
            cr_assert(s2.ordered, "case %zu: stream out of order", ci);
            cr_assert_gt(s2.n, 50000);
            if (!first)
                first = s2.dump.data, s2.dump.data = NULL;
            else
                cr_assert_str_eq(first, dw_buf_str(&s2.dump), "case %zu: another stream", ci);
            dw_buf_free(&s2.dump);
            dw_counter_free(c);
        }
        dw_vocab_free(&t.v);
        free(t.keys);
        free(t.vals);
    }
    free(first);
    dwt_rmtree(tmp);
    free(tmp);
}
