/* counter.c: memory-bounded counting with sorted zstd runs and a k-way
 * merge of bounded fan-in (counter.h). */
#define _GNU_SOURCE
#include "stats/counter.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "core/bigmem.h"
#include "core/hash.h"

#define MIN_CAP 4096u          /* smallest table, in slots */
#define IO_BUF (128u << 10)    /* bytes of each run reader's and writer's buffers */
#define RUN_WINDOW_LOG 17      /* zstd window of runs: small decoders while merging */

/* A full table being sorted and written as a run on a thread of its own
 * (dw_counter_set_background). */
typedef struct {
    pthread_t th;       /* the thread */
    int running;        /* 1 from its start until it is joined */
    uint64_t *table;    /* the table (cap slots), zeroed once written */
    size_t cap;         /* its slots */
    char *path;         /* the run (owned) */
    dw_rc rc;           /* its result */
    dw_err err;         /* its message when rc is not DW_OK */
} bg_spill;

struct dw_counter {
    int kw;             /* 32-bit words in a key */
    int nv;             /* 64-bit values */
    int first;          /* first word field holding a vocab id */
    int pair;           /* 1: key is an unordered pair of ids */
    size_t kq;          /* 64-bit words holding the key */
    size_t stride;      /* 64-bit words per entry: kq + nv */
    uint64_t *table;    /* cap entries; key word 0 == 0 marks an empty slot (owned) */
    size_t cap;         /* slots, a power of two (0 before the first add) */
    size_t len;         /* entries in use */
    dw_vocab *vocab;    /* word ids and ranks (not owned); NULL: keys are numbers */
    int share;          /* its shares of the budget (DW_COUNTER_SHARE, or less) */
    int leftover;       /* 1: holds what the others leave (share 0) */
    dw_membudget *budget; /* shared budget (not owned) */
    char *tmpdir;       /* folder of the runs (owned) */
    char **runs;        /* paths of the runs not merged yet, oldest first (owned) */
    unsigned nruns;     /* runs in runs[] */
    unsigned runcap;    /* entries allocated in runs[] */
    unsigned seq;       /* runs created so far (names the files) */
    unsigned spilled;   /* spills from memory so far */
    int bg;             /* 1: full tables are spilled on a thread of their own */
    bg_spill sp;        /* the spill in progress (bg) */
    uint64_t *spare;    /* a zeroed table to count in while the other is spilled (bg; owned) */
    size_t sparecap;    /* its slots */
};

#define KEY(ent) ((uint32_t *)(ent))

static inline uint64_t hash_key(const uint32_t *k, int kw)
{
    uint64_t h = 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < kw; i++)
        h = (h ^ k[i]) * 0xBF58476D1CE4E5B9ull;
    return dw_hash_fmix64(h); /* every input bit reaches the low bits */
}

dw_counter *dw_counter_new(int kw, int nv, int first, int pair, dw_vocab *vocab, dw_membudget *budget,
                           const char *tmpdir)
{
    if (kw < 1 || kw > DW_COUNTER_MAXKW || nv < 1 || nv > DW_COUNTER_MAXNV)
        return NULL;
    dw_counter *c = calloc(1, sizeof *c);
    if (!c || !(c->tmpdir = strdup(tmpdir))) {
        free(c);
        return NULL;
    }
    c->kw = kw;
    c->nv = nv;
    c->first = first;
    c->pair = pair;
    c->kq = ((size_t)kw + 1) / 2;
    c->stride = c->kq + (size_t)nv;
    c->vocab = vocab;
    c->budget = budget;
    c->share = DW_COUNTER_SHARE;
    __atomic_add_fetch(&budget->shares, c->share, __ATOMIC_RELAXED);
    return c;
}

void dw_membudget_set_vocab(dw_membudget *b, size_t bytes) { __atomic_store_n(&b->vocab_bytes, bytes, __ATOMIC_RELAXED); }

void dw_counter_set_lanes(dw_counter *c, int lanes)
{
    int s = DW_COUNTER_SHARE / (lanes > 0 ? lanes : 1);
    __atomic_add_fetch(&c->budget->shares, s - c->share, __ATOMIC_RELAXED);
    c->share = s;
}

void dw_counter_set_leftover(dw_counter *c)
{
    __atomic_sub_fetch(&c->budget->shares, c->share, __ATOMIC_RELAXED);
    c->share = 0;
    c->leftover = 1;
}

/* Charges d bytes (negative: releases) to the budget's counter tables. */
static void budget_charge(dw_counter *c, long long d)
{
    __atomic_add_fetch(&c->budget->used, (size_t)d, __ATOMIC_RELAXED);
}

unsigned dw_counter_runs(const dw_counter *c) { return c->seq; }

/* Bytes this counter may hold: its share of what the vocabulary leaves, or
 * (leftover) what the other counters' tables leave of it. */
static size_t share(const dw_counter *c)
{
    const dw_membudget *b = c->budget;
    size_t lim = b->limit, vb = __atomic_load_n(&b->vocab_bytes, __ATOMIC_RELAXED) +
                                __atomic_load_n(&b->fixed, __ATOMIC_RELAXED);
    size_t left = lim > vb ? lim - vb : 0;
    if (c->leftover) {
        size_t others = __atomic_load_n(&b->used, __ATOMIC_RELAXED) - c->cap * c->stride * 8;
        return left > others ? left - others : 0;
    }
    int all = __atomic_load_n(&b->shares, __ATOMIC_RELAXED);
    return all > 0 ? (size_t)((unsigned __int128)left * (unsigned)c->share / (unsigned)all) : left;
}

/* Counting tables come from dw_bigmem_zalloc (huge pages from 2 MiB on). */
static uint64_t *table_new(size_t n) { return dw_bigmem_zalloc(n); }

static void table_release(uint64_t *p, size_t n) { dw_bigmem_free(p, n); }

static int table_alloc(dw_counter *c, size_t ncap)
{
    uint64_t *nt = table_new(ncap * c->stride * sizeof *nt);
    if (!nt)
        return -1;
    size_t mask = ncap - 1;
    for (size_t i = 0; i < c->cap; i++) {
        uint64_t *src = c->table + i * c->stride;
        if (!KEY(src)[0])
            continue;
        size_t j = (size_t)hash_key(KEY(src), c->kw) & mask;
        while (KEY(nt + j * c->stride)[0])
            j = (j + 1) & mask;
        memcpy(nt + j * c->stride, src, c->stride * 8);
    }
    budget_charge(c, (long long)(ncap * c->stride * 8) - (long long)(c->cap * c->stride * 8));
    table_release(c->table, c->cap * c->stride * 8);
    c->table = nt;
    c->cap = ncap;
    return 0;
}

/* Replaces the EMPTY table by one of ncap slots, the old one freed first;
 * keeps the old size when the new one cannot be had. */
static void table_renew(dw_counter *c, size_t ncap)
{
    size_t esz = c->stride * 8;
    table_release(c->table, c->cap * esz);
    budget_charge(c, -(long long)(c->cap * esz));
    uint64_t *nt = table_new(ncap * esz);
    if (!nt) {
        ncap = c->cap;
        nt = table_new(ncap * esz);
    }
    c->table = nt;
    c->cap = nt ? ncap : 0;
    c->len = 0;
    budget_charge(c, (long long)(c->cap * esz));
}

/* Replaces word ids by ranks (to_rank) or ranks by ids; orders pairs. */
static void key_map(const dw_counter *c, uint32_t *k, int to_rank)
{
    if (!c->vocab)
        return; /* keys are numbers */
    const uint32_t *map = to_rank ? c->vocab->rank : c->vocab->order;
    for (int i = c->first; i < c->kw; i++)
        if (k[i])
            k[i] = to_rank ? map[k[i]] : map[k[i] - 1];
    if (c->pair && k[0] > k[1]) {
        uint32_t t = k[0];
        k[0] = k[1];
        k[1] = t;
    }
}

static int cmp_keys(const void *a, const void *b, void *ctx)
{
    const uint32_t *x = a, *y = b;
    int kw = *(const int *)ctx;
    for (int i = 0; i < kw; i++)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return 0;
}

/* Swaps two entries of stride 64-bit words. */
static inline void swap_ent(uint64_t *a, uint64_t *b, size_t stride)
{
    for (size_t i = 0; i < stride; i++) {
        uint64_t t = a[i];
        a[i] = b[i];
        b[i] = t;
    }
}

/* a's key before b's: kw 32-bit words compared in turn, or with kw < 0 the
 * first -kw 64-bit words as numbers (keys packed by sort_entries_of). */
static inline int less_ent(const uint64_t *a, const uint64_t *b, int kw)
{
    if (kw == -1)
        return a[0] < b[0];
    if (kw < 0) {
        for (int i = 0; i < -kw; i++)
            if (a[i] != b[i])
                return a[i] < b[i];
        return 0;
    }
    const uint32_t *x = (const uint32_t *)a, *y = (const uint32_t *)b;
    for (int i = 0; i < kw; i++)
        if (x[i] != y[i])
            return x[i] < y[i];
    return 0;
}

/* Sorts n entries of stride words by key (less_ent order), in place: glibc's qsort would
 * allocate a copy of the table (its merge sort), twice the memory budget,
 * and call the comparison through a pointer. Quicksort with the median of
 * three, insertion sort below 16 entries, and recursion on the smaller part
 * only (depth at most log2 n). Keys are distinct, so no three-way split. */
static void sort_entries(uint64_t *t, size_t n, size_t stride, int kw)
{
    while (n > 16) {
        uint64_t *lo = t, *mid = t + n / 2 * stride, *hi = t + (n - 1) * stride;
        if (less_ent(mid, lo, kw))
            swap_ent(mid, lo, stride);
        if (less_ent(hi, mid, kw)) {
            swap_ent(hi, mid, stride);
            if (less_ent(mid, lo, kw))
                swap_ent(mid, lo, stride);
        }
        swap_ent(mid, t + stride, stride); /* pivot at 1; t[0] <= pivot <= t[n-1] */
        const uint64_t *p = t + stride;
        size_t i = 1, j = n - 1;
        for (;;) {
            do
                i++;
            while (less_ent(t + i * stride, p, kw));
            do
                j--;
            while (less_ent(p, t + j * stride, kw));
            if (i >= j)
                break;
            swap_ent(t + i * stride, t + j * stride, stride);
        }
        swap_ent(t + stride, t + j * stride, stride);
        /* [0, j) < pivot at j < (j, n) */
        size_t nl = j, nr = n - j - 1;
        if (nl < nr) {
            sort_entries(t, nl, stride, kw);
            t += (j + 1) * stride;
            n = nr;
        } else {
            sort_entries(t + (j + 1) * stride, nr, stride, kw);
            n = nl;
        }
    }
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && less_ent(t + j * stride, t + (j - 1) * stride, kw); j--)
            swap_ent(t + j * stride, t + (j - 1) * stride, stride);
}

/* Sorts n entries of stride words whose key is their first pw 64-bit words
 * (packed by sort_entries_of) by those numbers, in place: an MSD radix sort of 8
 * bits a pass, from the highest bit any key has in word 0 down through the
 * words (American flag sort: counts, then every entry swapped into its
 * bucket), buckets of fewer than RADIX_MIN entries finished by
 * sort_entries. A few passes over a table instead of quicksort's log2 n,
 * with no extra memory. */
#define RADIX_MIN 64

static void radix_entries(uint64_t *t, size_t n, size_t stride, int pw, int word, int shift)
{
    size_t count[256] = {0}, head[256], end[256];
    for (size_t i = 0; i < n; i++)
        count[t[i * stride + (size_t)word] >> shift & 255]++;
    size_t at = 0;
    for (int b = 0; b < 256; b++) {
        head[b] = at;
        at += count[b];
        end[b] = at;
    }
    for (int b = 0; b < 256; b++)
        while (head[b] < end[b]) {
            uint64_t *x = t + head[b] * stride;
            unsigned d = (unsigned)(x[word] >> shift & 255);
            if (d == (unsigned)b)
                head[b]++;
            else
                swap_ent(x, t + head[d]++ * stride, stride);
        }
    /* the next digit: 8 bits lower, or the top byte of the next word */
    int nword = shift ? word : word + 1, nshift = shift >= 8 ? shift - 8 : shift ? 0 : 56;
    for (int b = 0; b < 256; b++) {
        size_t lo = end[b] - count[b];
        if (count[b] < 2)
            continue;
        if (count[b] < RADIX_MIN || nword == pw)
            sort_entries(t + lo * stride, count[b], stride, -pw);
        else
            radix_entries(t + lo * stride, count[b], stride, pw, nword, nshift);
    }
}

static void sort_packed(uint64_t *t, size_t n, size_t stride, int pw)
{
    uint64_t any = 0;
    for (size_t i = 0; i < n; i++)
        any |= t[i * stride];
    if (n < RADIX_MIN || !any) {
        sort_entries(t, n, stride, -pw);
        return;
    }
    int top = 63 - __builtin_clzll(any); /* highest bit set in some key's word 0 */
    radix_entries(t, n, stride, pw, 0, top >= 7 ? top - 7 : 0);
}

/* ---- run files ---- */

/* A run being written. */
typedef struct {
    FILE *f;          /* the file */
    ZSTD_CCtx *z;     /* compressor */
    char *in;         /* records waiting to be compressed */
    size_t inlen;     /* bytes in in */
    char *out;        /* compressed bytes */
    const char *path; /* for messages */
} run_writer;

static dw_rc rw_open(run_writer *w, const char *path, dw_err *e)
{
    memset(w, 0, sizeof *w);
    w->path = path;
    w->f = fopen(path, "wb");
    if (!w->f)
        return dw_err_set(e, DW_EIO, "cannot create %s: %s", path, strerror(errno));
    w->z = ZSTD_createCCtx();
    w->in = malloc(IO_BUF);
    w->out = malloc(ZSTD_CStreamOutSize());
    if (!w->z || !w->in || !w->out)
        return dw_err_set(e, DW_ENOMEM, "out of memory");
    ZSTD_CCtx_setParameter(w->z, ZSTD_c_compressionLevel, 1);
    ZSTD_CCtx_setParameter(w->z, ZSTD_c_windowLog, RUN_WINDOW_LOG);
    return DW_OK;
}

static dw_rc rw_flush(run_writer *w, int end, dw_err *e)
{
    ZSTD_inBuffer in = {w->in, w->inlen, 0};
    size_t osz = ZSTD_CStreamOutSize();
    for (;;) {
        ZSTD_outBuffer out = {w->out, osz, 0};
        size_t r = ZSTD_compressStream2(w->z, &out, &in, end ? ZSTD_e_end : ZSTD_e_continue);
        if (ZSTD_isError(r))
            return dw_err_set(e, DW_EINTERNAL, "%s: zstd: %s", w->path, ZSTD_getErrorName(r));
        if (out.pos && fwrite(w->out, 1, out.pos, w->f) != out.pos)
            return dw_err_set(e, DW_EIO, "cannot write %s: %s", w->path, strerror(errno));
        if (end ? r == 0 : in.pos == in.size)
            break;
    }
    w->inlen = 0;
    return DW_OK;
}

static dw_rc rw_put(run_writer *w, const void *rec, size_t n, dw_err *e)
{
    if (w->inlen + n > IO_BUF) {
        dw_rc rc = rw_flush(w, 0, e);
        if (rc != DW_OK)
            return rc;
    }
    memcpy(w->in + w->inlen, rec, n);
    w->inlen += n;
    return DW_OK;
}

/* Finishes the run (end != 0) and releases the writer. */
static dw_rc rw_close(run_writer *w, int end, dw_err *e)
{
    dw_rc rc = end ? rw_flush(w, 1, e) : DW_OK;
    if (w->f && fclose(w->f) != 0 && rc == DW_OK)
        rc = dw_err_set(e, DW_EIO, "cannot write %s: %s", w->path, strerror(errno));
    ZSTD_freeCCtx(w->z);
    free(w->in);
    free(w->out);
    memset(w, 0, sizeof *w);
    return rc;
}

/* A run being read. */
typedef struct {
    FILE *f;           /* the file */
    ZSTD_DCtx *z;      /* decompressor */
    char *in;          /* compressed bytes read */
    ZSTD_inBuffer zin; /* position in in */
    char *out;         /* decompressed bytes */
    size_t pos, len;   /* unread decompressed bytes: out[pos..len) */
    int eof;           /* file fully read */
    uint64_t rec[DW_COUNTER_MAXKW / 2 + DW_COUNTER_MAXNV]; /* current record */
    const char *path;  /* for messages */
} run_reader;

static dw_rc rr_open(run_reader *r, const char *path, dw_err *e)
{
    memset(r, 0, sizeof *r);
    r->path = path;
    r->f = fopen(path, "rb");
    if (!r->f)
        return dw_err_set(e, DW_EIO, "cannot open %s: %s", path, strerror(errno));
    r->z = ZSTD_createDCtx();
    r->in = malloc(IO_BUF);
    r->out = malloc(IO_BUF);
    if (!r->z || !r->in || !r->out)
        return dw_err_set(e, DW_ENOMEM, "out of memory");
    ZSTD_DCtx_setParameter(r->z, ZSTD_d_windowLogMax, RUN_WINDOW_LOG);
    r->zin.src = r->in;
    return DW_OK;
}

/* Reads the next record of n bytes into r->rec: 1, 0 at the end, or -1 (e filled). */
static int rr_next(run_reader *r, size_t n, dw_err *e)
{
    while (r->len - r->pos < n) {
        memmove(r->out, r->out + r->pos, r->len - r->pos);
        r->len -= r->pos;
        r->pos = 0;
        if (r->zin.pos == r->zin.size) {
            if (r->eof) {
                if (r->len) {
                    dw_err_set(e, DW_EIO, "%s: truncated run", r->path);
                    return -1;
                }
                return 0;
            }
            size_t got = fread(r->in, 1, IO_BUF, r->f);
            if (got == 0) {
                if (ferror(r->f)) {
                    dw_err_set(e, DW_EIO, "cannot read %s: %s", r->path, strerror(errno));
                    return -1;
                }
                r->eof = 1;
                continue;
            }
            r->zin.size = got;
            r->zin.pos = 0;
        }
        ZSTD_outBuffer out = {r->out, IO_BUF, r->len};
        size_t z = ZSTD_decompressStream(r->z, &out, &r->zin);
        if (ZSTD_isError(z)) {
            dw_err_set(e, DW_EIO, "%s: corrupt run: %s", r->path, ZSTD_getErrorName(z));
            return -1;
        }
        r->len = out.pos;
    }
    memcpy(r->rec, r->out + r->pos, n);
    r->pos += n;
    return 1;
}

static void rr_close(run_reader *r)
{
    if (r->f)
        fclose(r->f);
    ZSTD_freeDCtx(r->z);
    free(r->in);
    free(r->out);
    memset(r, 0, sizeof *r);
}

/* Names a new run file; the caller appends it to runs[] once written. */
static char *run_path(dw_counter *c)
{
    char *p = NULL;
    if (asprintf(&p, "%s/run-%p-%06u.zst", c->tmpdir, (void *)c, c->seq++) < 0)
        return NULL;
    return p;
}

static dw_rc push_run(dw_counter *c, char *path, dw_err *e)
{
    if (c->nruns == c->runcap) {
        unsigned nc = c->runcap ? c->runcap * 2 : 16;
        char **nr = realloc(c->runs, nc * sizeof *nr);
        if (!nr) {
            unlink(path);
            free(path);
            return dw_err_set(e, DW_ENOMEM, "out of memory");
        }
        c->runs = nr;
        c->runcap = nc;
    }
    c->runs[c->nruns++] = path;
    return DW_OK;
}

/* Sorts the entries of table (cap slots, laid out as c's) in rank order,
 * compacted at its start; returns how many. Keys are left in rank space.
 * Reads c's layout and its vocabulary's ranks only. */
static size_t sort_entries_of(const dw_counter *c, uint64_t *table, size_t cap, uint64_t min0, uint64_t *below)
{
    size_t n = 0;
    for (size_t i = 0; i < cap; i++) {
        uint64_t *src = table + i * c->stride;
        if (!KEY(src)[0])
            continue;
        if (src[c->kq] < min0) { /* left out before sorting */
            (*below)++;
            continue;
        }
        if (n != i)
            memcpy(table + n * c->stride, src, c->stride * 8);
        key_map(c, KEY(table + n * c->stride), 1);
        n++;
    }
    if (c->kw <= 4) {
        /* keys of up to two 64-bit words (pairs, unigrams, bigrams and
         * trigrams with their bucket word): packed word 0 high, so that
         * numbers compare as the keys do, radix-sorted (quicksort on the
         * 32-bit words spent 1.7 times as long sorting in the 1-3-gram
         * benchmark: perf samples, 5.4 s against 3.1 s), then put back */
        int pw = (int)c->kq;
        for (size_t i = 0; i < n; i++) {
            uint64_t *ent = table + i * c->stride;
            const uint32_t *k = KEY(ent);
            uint64_t v[2];
            for (int j = 0; j < pw; j++)
                v[j] = (uint64_t)k[2 * j] << 32 | (2 * j + 1 < c->kw ? k[2 * j + 1] : 0);
            for (int j = 0; j < pw; j++)
                ent[j] = v[j];
        }
        sort_packed(table, n, c->stride, pw);
        for (size_t i = 0; i < n; i++) {
            uint64_t *ent = table + i * c->stride;
            uint64_t v[2] = {ent[0], pw > 1 ? ent[1] : 0};
            uint32_t *k = KEY(ent);
            for (int j = 0; j < pw; j++) {
                k[2 * j] = (uint32_t)(v[j] >> 32);
                k[2 * j + 1] = 2 * j + 1 < c->kw ? (uint32_t)v[j] : 0;
            }
        }
    } else {
        sort_entries(table, n, c->stride, c->kw);
    }
    return n;
}

/* Sorts table (cap slots, laid out as c's) and writes it as the run path,
 * then zeroes it; removes the file on error. Reads c's layout and its
 * vocabulary's ranks only (they must not change meanwhile), so that it
 * can run on a thread of its own. */
static dw_rc write_run(const dw_counter *c, uint64_t *table, size_t cap, const char *path, dw_err *e)
{
    uint64_t below = 0;
    size_t n = sort_entries_of(c, table, cap, 0, &below);
    run_writer w;
    dw_rc rc = rw_open(&w, path, e);
    for (size_t i = 0; i < n && rc == DW_OK; i++) {
        uint64_t *ent = table + i * c->stride;
        key_map(c, KEY(ent), 0);
        rc = rw_put(&w, ent, c->stride * 8, e);
    }
    dw_rc rc2 = rw_close(&w, rc == DW_OK, e);
    if (rc == DW_OK)
        rc = rc2;
    if (rc != DW_OK) {
        unlink(path);
        return rc;
    }
    memset(table, 0, cap * c->stride * 8);
    return DW_OK;
}

/* Ranks the words added so far (the runs' order), on the calling thread. */
static dw_rc rank_words(dw_counter *c, dw_err *e)
{
    if (c->vocab && dw_vocab_sort(c->vocab) != 0)
        return dw_err_set(e, DW_ENOMEM, "out of memory");
    if (c->vocab)
        dw_membudget_set_vocab(c->budget, dw_vocab_bytes(c->vocab));
    return DW_OK;
}

/* Writes the table as the run path (consumed) on this thread, the words
 * ranked already, and empties it. */
static dw_rc spill_to(dw_counter *c, char *path, dw_err *e)
{
    dw_rc rc = write_run(c, c->table, c->cap, path, e);
    if (rc != DW_OK) {
        free(path);
        return rc;
    }
    c->len = 0;
    c->spilled++;
    return push_run(c, path, e);
}

/* Writes the table as a sorted run and empties it. */
static dw_rc spill(dw_counter *c, dw_err *e)
{
    dw_rc rc = rank_words(c, e);
    if (rc != DW_OK)
        return rc;
    char *path = run_path(c);
    if (!path)
        return dw_err_set(e, DW_ENOMEM, "out of memory");
    return spill_to(c, path, e);
}

static void *bg_main(void *arg)
{
    dw_counter *c = arg;
    c->sp.rc = write_run(c, c->sp.table, c->sp.cap, c->sp.path, &c->sp.err);
    return NULL;
}

/* Waits for the spill in progress, if any: its run joins runs[] and its
 * table, zeroed, becomes the spare (its error, if any, in e). */
static dw_rc bg_wait(dw_counter *c, dw_err *e)
{
    if (!c->sp.running)
        return DW_OK;
    pthread_join(c->sp.th, NULL);
    c->sp.running = 0;
    c->spare = c->sp.table;
    c->sparecap = c->sp.cap;
    c->sp.table = NULL;
    char *path = c->sp.path;
    c->sp.path = NULL;
    if (c->sp.rc != DW_OK) {
        free(path);
        if (e)
            *e = c->sp.err;
        return c->sp.rc;
    }
    return push_run(c, path, e);
}

/* Drops the spare table. */
static void spare_release(dw_counter *c)
{
    if (!c->spare)
        return;
    table_release(c->spare, c->sparecap * c->stride * 8);
    budget_charge(c, -(long long)(c->sparecap * c->stride * 8));
    c->spare = NULL;
    c->sparecap = 0;
}

/* Hands the full table to a thread that sorts and writes it (after the
 * one before it is done) and counts on in the spare, as big as the share
 * allows beside the full one; spills on this thread when the spare or the
 * thread cannot be had. The words are ranked here first: the ranks stay
 * as they are until the next spill waits for this one. */
static dw_rc bg_spill_start(dw_counter *c, dw_err *e)
{
    dw_rc rc = bg_wait(c, e);
    if (rc != DW_OK)
        return rc;
    size_t esz = c->stride * 8, want = MIN_CAP;
    while ((c->cap + want * 2) * esz <= share(c))
        want *= 2;
    if (c->spare && c->sparecap != want)
        spare_release(c);
    if (!c->spare && (c->spare = table_new(want * esz)) != NULL) {
        c->sparecap = want;
        budget_charge(c, (long long)(want * esz));
    }
    if (!c->spare)
        return spill(c, e);
    if ((rc = rank_words(c, e)) != DW_OK)
        return rc;
    char *path = run_path(c);
    if (!path)
        return dw_err_set(e, DW_ENOMEM, "out of memory");
    c->sp.table = c->table;
    c->sp.cap = c->cap;
    c->sp.path = path;
    c->sp.rc = DW_OK;
    if (pthread_create(&c->sp.th, NULL, bg_main, c) != 0) {
        c->sp.table = NULL;
        c->sp.path = NULL;
        return spill_to(c, path, e);
    }
    c->sp.running = 1;
    c->table = c->spare;
    c->cap = c->sparecap;
    c->spare = NULL;
    c->sparecap = 0;
    c->len = 0;
    c->spilled++;
    return DW_OK;
}

void dw_counter_set_background(dw_counter *c) { c->bg = 1; }

dw_rc dw_counter_wait(dw_counter *c, dw_err *e)
{
    dw_rc rc = bg_wait(c, e);
    spare_release(c);
    return rc;
}

dw_rc dw_counter_add(dw_counter *c, const uint32_t *key, const uint64_t *vals, dw_err *e)
{
    if ((c->len + 1) * 10 > c->cap * 7) {
        size_t ncap = c->cap ? c->cap * 2 : MIN_CAP;
        size_t esz = c->stride * 8;
        /* growing holds the old and the new table at once (with
         * background spills, only until the first: then the spilled table
         * and the one counted in share the budget) */
        if (c->cap < MIN_CAP || ((ncap + c->cap) * esz <= share(c) && !(c->bg && c->spilled))) {
            if (table_alloc(c, ncap) != 0) {
                if (!c->cap)
                    return dw_err_set(e, DW_ENOMEM, "out of memory");
                dw_rc rc = spill(c, e);
                if (rc != DW_OK)
                    return rc;
            }
        } else if (c->bg) {
            dw_rc rc = bg_spill_start(c, e);
            if (rc != DW_OK)
                return rc;
        } else {
            dw_rc rc = spill(c, e);
            if (rc != DW_OK)
                return rc;
            /* an empty table grows without holding the old one: to the
             * largest that its share holds (doubling held both, so a
             * table stopped at a third of its share; fewer spills now) */
            size_t big = c->cap;
            while (big * 2 * esz <= share(c))
                big *= 2;
            if (big > c->cap) {
                table_renew(c, big);
                if (!c->cap)
                    return dw_err_set(e, DW_ENOMEM, "out of memory");
            }
        }
    }
    size_t mask = c->cap - 1;
    size_t i = (size_t)hash_key(key, c->kw) & mask;
    for (;; i = (i + 1) & mask) {
        uint64_t *ent = c->table + i * c->stride;
        uint32_t *k = KEY(ent);
        if (!k[0]) {
            for (int w = 0; w < c->kw; w++) /* loops: memcpy would be a call */
                k[w] = key[w];
            for (int v = 0; v < c->nv; v++)
                ent[c->kq + (size_t)v] = vals[v];
            c->len++;
            return DW_OK;
        }
        if (dw_keys_equal(k, key, c->kw)) {
            for (int v = 0; v < c->nv; v++)
                ent[c->kq + (size_t)v] += vals[v];
            return DW_OK;
        }
    }
}

#define PREFETCH_AHEAD 8 /* keys between a slot's prefetch and its use */

dw_rc dw_counter_add_many(dw_counter *c, const uint32_t *keys, const uint64_t *vals, size_t n, dw_err *e)
{
    size_t kw = (size_t)c->kw, nv = (size_t)c->nv;
    for (size_t i = 0; i < n; i++) {
        if (i + PREFETCH_AHEAD < n && c->cap) {
            size_t j = (size_t)hash_key(keys + (i + PREFETCH_AHEAD) * kw, c->kw) & (c->cap - 1);
            __builtin_prefetch(c->table + j * c->stride, 1);
        }
        dw_rc rc = dw_counter_add(c, keys + i * kw, vals + i * nv, e);
        if (rc != DW_OK)
            return rc;
    }
    return DW_OK;
}

/* ---- merging ---- */

/* Merges runs[0..k) in order: into the run `into` (id space) when it is
 * not NULL, else to emit (rank space). */
static dw_rc merge_runs(dw_counter *c, unsigned k, const char *into, dw_counter_emit emit, void *ctx, dw_err *e)
{
    run_reader *rd = calloc(k, sizeof *rd);
    unsigned *heap = calloc(k, sizeof *heap);
    if (!rd || !heap) {
        free(rd);
        free(heap);
        return dw_err_set(e, DW_ENOMEM, "out of memory");
    }
    size_t rsz = c->stride * 8;
    run_writer w;
    memset(&w, 0, sizeof w);
    dw_rc rc = into ? rw_open(&w, into, e) : DW_OK;
    unsigned nh = 0;
    for (unsigned i = 0; i < k && rc == DW_OK; i++) {
        rc = rr_open(&rd[i], c->runs[i], e);
        if (rc != DW_OK)
            break;
        int got = rr_next(&rd[i], rsz, e);
        if (got < 0)
            rc = DW_EIO;
        else if (got) {
            key_map(c, (uint32_t *)rd[i].rec, 1);
            /* sift up */
            unsigned j = nh++;
            heap[j] = i;
            while (j && cmp_keys(rd[heap[j]].rec, rd[heap[(j - 1) / 2]].rec, &c->kw) < 0) {
                unsigned t = heap[j];
                heap[j] = heap[(j - 1) / 2];
                heap[(j - 1) / 2] = t;
                j = (j - 1) / 2;
            }
        }
    }
    uint64_t cur[DW_COUNTER_MAXKW / 2 + DW_COUNTER_MAXNV];
    int have = 0;
    while (rc == DW_OK && nh) {
        run_reader *top = &rd[heap[0]];
        if (have && cmp_keys(cur, top->rec, &c->kw) == 0) {
            for (int v = 0; v < c->nv; v++)
                cur[c->kq + (size_t)v] += top->rec[c->kq + (size_t)v];
        } else {
            if (have) {
                if (into) {
                    key_map(c, (uint32_t *)cur, 0);
                    rc = rw_put(&w, cur, rsz, e);
                } else {
                    rc = emit(ctx, (const uint32_t *)cur, cur + c->kq, e);
                }
                if (rc != DW_OK)
                    break;
            }
            memcpy(cur, top->rec, rsz);
            have = 1;
        }
        int got = rr_next(top, rsz, e);
        if (got < 0) {
            rc = DW_EIO;
            break;
        }
        if (got)
            key_map(c, (uint32_t *)top->rec, 1);
        else
            heap[0] = heap[--nh];
        /* sift down */
        unsigned j = 0;
        for (;;) {
            unsigned l = 2 * j + 1, r = l + 1, m = j;
            if (l < nh && cmp_keys(rd[heap[l]].rec, rd[heap[m]].rec, &c->kw) < 0)
                m = l;
            if (r < nh && cmp_keys(rd[heap[r]].rec, rd[heap[m]].rec, &c->kw) < 0)
                m = r;
            if (m == j)
                break;
            unsigned t = heap[j];
            heap[j] = heap[m];
            heap[m] = t;
            j = m;
        }
    }
    if (rc == DW_OK && have) {
        if (into) {
            key_map(c, (uint32_t *)cur, 0);
            rc = rw_put(&w, cur, rsz, e);
        } else {
            rc = emit(ctx, (const uint32_t *)cur, cur + c->kq, e);
        }
    }
    for (unsigned i = 0; i < k; i++)
        rr_close(&rd[i]);
    if (into) {
        dw_rc rc2 = rw_close(&w, rc == DW_OK, e);
        if (rc == DW_OK)
            rc = rc2;
    }
    free(rd);
    free(heap);
    return rc;
}

/* Removes runs[0..k) and shifts the others down. */
static void drop_runs(dw_counter *c, unsigned k)
{
    for (unsigned i = 0; i < k; i++) {
        unlink(c->runs[i]);
        free(c->runs[i]);
    }
    if (c->nruns > k)
        memmove(c->runs, c->runs + k, (c->nruns - k) * sizeof *c->runs);
    c->nruns -= k;
}

/* An emit that passes on the keys whose first value is at least min0. */
typedef struct {
    dw_counter_emit emit; /* the receiver */
    void *ctx;            /* its context */
    uint64_t min0;        /* smallest first value passed on */
    uint64_t below;       /* keys left out */
} min_filter;

static dw_rc emit_min(void *arg, const uint32_t *key, const uint64_t *vals, dw_err *e)
{
    min_filter *f = arg;
    if (vals[0] < f->min0) {
        f->below++;
        return DW_OK;
    }
    return f->emit(f->ctx, key, vals, e);
}

dw_rc dw_counter_finish(dw_counter *c, dw_counter_emit emit, void *ctx, dw_err *e)
{
    return dw_counter_finish_min(c, 0, NULL, emit, ctx, e);
}

dw_rc dw_counter_finish_min(dw_counter *c, uint64_t min0, uint64_t *below, dw_counter_emit emit, void *ctx,
                            dw_err *e)
{
    min_filter f = {emit, ctx, min0, 0};
    if (min0) {
        emit = emit_min;
        ctx = &f;
    }
    dw_rc rc = dw_counter_wait(c, e);
    if (rc == DW_OK)
        rc = rank_words(c, e);
    if (rc != DW_OK)
        return rc;
    if (!c->nruns) {
        /* every count is whole: the keys below min0 are dropped before the
         * sort (a pair table keeps a few percent of its keys) */
        size_t n = c->table ? sort_entries_of(c, c->table, c->cap, min0, &f.below) : 0;
        for (size_t i = 0; i < n && rc == DW_OK; i++) {
            uint64_t *ent = c->table + i * c->stride;
            rc = emit(ctx, KEY(ent), ent + c->kq, e);
        }
    } else {
        if (c->len)
            rc = spill(c, e);
        budget_charge(c, -(long long)(c->cap * c->stride * 8));
        table_release(c->table, c->cap * c->stride * 8);
        c->table = NULL;
        c->cap = 0;
        /* merge in rounds until few enough runs remain to open at once */
        while (rc == DW_OK && c->nruns > DW_COUNTER_FANIN) {
            char *path = run_path(c);
            if (!path)
                return dw_err_set(e, DW_ENOMEM, "out of memory");
            rc = merge_runs(c, DW_COUNTER_FANIN, path, NULL, NULL, e);
            if (rc != DW_OK) {
                unlink(path);
                free(path);
                break;
            }
            drop_runs(c, DW_COUNTER_FANIN);
            rc = push_run(c, path, e);
        }
        if (rc == DW_OK)
            rc = merge_runs(c, c->nruns, NULL, emit, ctx, e);
        drop_runs(c, c->nruns);
    }
    if (c->table) {
        budget_charge(c, -(long long)(c->cap * c->stride * 8));
        table_release(c->table, c->cap * c->stride * 8);
        c->table = NULL;
        c->cap = 0;
    }
    c->len = 0;
    if (below)
        *below = f.below;
    return rc;
}

void dw_counter_free(dw_counter *c)
{
    if (!c)
        return;
    dw_counter_wait(c, NULL); /* its run, if any, is dropped below */
    drop_runs(c, c->nruns);
    if (c->table)
        budget_charge(c, -(long long)(c->cap * c->stride * 8));
    __atomic_sub_fetch(&c->budget->shares, c->share, __ATOMIC_RELAXED);
    table_release(c->table, c->cap * c->stride * 8);
    free(c->runs);
    free(c->tmpdir);
    free(c);
}
