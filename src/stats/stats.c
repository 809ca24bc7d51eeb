/* stats.c: the statistics run (stats.h): reads the articles, counts
 * n-grams, lengths and co-occurrences through memory-bounded counters, and
 * replaces the statistics tables in one transaction. Normalizing and
 * tokenizing run on worker threads one batch ahead of the counting, which
 * runs on the calling thread in article order, so word ids (and everything
 * else) do not depend on the thread count. Co-occurrence pairs are counted
 * in lanes (stats/lanes.h): threads of their own, each holding the pairs of
 * one hash range; at the end the pairs at or above min_count go through one
 * more counter that streams them in the words' order. */
#define _GNU_SOURCE
#include "stats/stats.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
/* inlined: every token is hashed, most are short (XXH3's small-input paths) */
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "core/bqueue.h"
#include "core/buf.h"
#include "core/dbins.h"
#include "core/hash.h"
#include "core/norm.h"
#include "core/strmap.h"
#include "core/tok.h"
#include "core/utf8.h"
#include "stats/counter.h"
#include "stats/lanes.h"
#include "stats/sel.h"
#include "stats/topk.h"
#include "stats/vocab.h"

#define BATCH_BYTES (4u << 20) /* body bytes read per batch */
#define BATCH_MAX 4096         /* articles per batch */
#define BASE_MB 24             /* MiB outside the counters: code, buffers, batches */

void dw_stats_opts_default(dw_stats_opts *o)
{
    memset(o, 0, sizeof *o);
    o->ngram_max = 3;
    o->cooc = 1;
    o->window = 5;
    o->normalize = 1;
    o->per_source = 1;
    o->per_month = 1;
    o->min_count = 5;
    o->memory_mb = 1024;
    o->threads = 1;
    const char *t = getenv("TMPDIR");
    o->tmpdir = t && *t ? t : "/tmp";
}

/* ---- measures ---- */

double dw_stats_pmi(double k11, double ca, double cb, double t) { return log2(k11 * t / (ca * cb)); }

double dw_stats_npmi(double k11, double ca, double cb, double t)
{
    double p = k11 / t;
    if (p >= 1.0)
        return 1.0;
    return dw_stats_pmi(k11, ca, cb, t) / -log2(p);
}

static double xlogx_term(double k, double row, double col, double t)
{
    return k > 0 ? k * log(k * t / (row * col)) : 0.0;
}

double dw_stats_llr(double k11, double ca, double cb, double t)
{
    double k12 = ca - k11, k21 = cb - k11, k22 = t - ca - cb + k11;
    double r1 = ca, r2 = t - ca, c1 = cb, c2 = t - cb;
    double g = xlogx_term(k11, r1, c1, t) + xlogx_term(k12, r1, c2, t) + xlogx_term(k21, r2, c1, t) +
               xlogx_term(k22, r2, c2, t);
    g *= 2.0;
    return g < 0 ? 0.0 : g;
}

/* ---- batches of articles ---- */

/* Token space of one worker for one batch: the texts it normalized and the
 * tokens of the articles it took, back to back. Memory is per batch, not
 * per article slot, so it follows the batch's size (a slot kept the largest
 * article it ever held: 140 MiB outside the budget). */
typedef struct {
    dw_buf text;         /* normalized texts */
    uint32_t *toks;      /* token i: offset toks[2i] in its text, length toks[2i+1] (owned) */
    uint64_t *hash;      /* hash[i]: dw_vocab_hash of token i (owned) */
    unsigned char *sent; /* sent[i]: a sentence boundary lies before token i (owned) */
    size_t ntok;         /* tokens used */
    size_t cap;          /* tokens allocated */
    uint32_t *cnt;       /* cnt[i]: occurrences of distinct word i of a grouped article (owned) */
    size_t cntcap;       /* entries allocated in cnt */
    uint32_t *slot;      /* grouping table of one article: distinct index + 1, 0 empty (owned) */
    size_t slotcap;      /* its slots, a power of two */
} wspace;

/* One article of a batch, read by the main thread, tokenized by a worker. */
typedef struct {
    size_t body_off;  /* its body in the batch's bodies */
    size_t body_len;  /* bytes */
    size_t src_off;   /* its outlet's name (NUL-ended) in the batch's bodies, or: */
    int has_src;      /* 0: no outlet (or --per without source) */
    char mon[8];      /* its month YYYY-MM, "" when none (or not counted) */
    int w;            /* worker space holding its text (normalized) and tokens */
    size_t text_off;  /* its text in ws[w].text (normalized) */
    size_t tok_off;   /* its first token in ws[w] */
    size_t ntok;      /* tokens */
    uint64_t chars;   /* code points of the counted text */
    size_t ndist;     /* grouped (unigrams only): its distinct words, which
                         replace its tokens in ws[w] (counts in ws[w].cnt) */
    int grouped;      /* 1: tokens folded into distinct words (group_art) */
    int oom;          /* 1: out of memory while tokenizing */
} art;

typedef struct {
    art *arts;        /* articles (BATCH_MAX allocated, reused) */
    size_t n;         /* articles in this batch */
    int done;         /* 1: no article left after this batch */
    int64_t last_id;  /* id of its last article (progress) */
    dw_buf bodies;    /* the stored bodies, back to back */
    wspace *ws;       /* one per worker (nws) */
    int nws;          /* worker spaces */
} batch;

static void batch_free(batch *b)
{
    free(b->arts);
    dw_buf_free(&b->bodies);
    for (int i = 0; b->ws && i < b->nws; i++) {
        dw_buf_free(&b->ws[i].text);
        free(b->ws[i].toks);
        free(b->ws[i].hash);
        free(b->ws[i].sent);
        free(b->ws[i].cnt);
        free(b->ws[i].slot);
    }
    free(b->ws);
    memset(b, 0, sizeof *b);
}

/* The hash of a token: dw_vocab_hash's value (XXH3, seed 0), inlined. */
static inline uint64_t tok_hash(const char *s, size_t len) { return XXH3_64bits(s, len); }

/* Grows a worker space's token arrays. 0, or -1 when out of memory. */
static int grow_toks(wspace *w)
{
    size_t nc = w->cap ? w->cap * 2 : 4096;
    uint32_t *t = realloc(w->toks, nc * 2 * sizeof *t);
    if (!t)
        return -1;
    w->toks = t;
    uint64_t *h = realloc(w->hash, nc * sizeof *h);
    if (!h)
        return -1;
    w->hash = h;
    unsigned char *s = realloc(w->sent, nc);
    if (!s)
        return -1;
    w->sent = s;
    w->cap = nc;
    return 0;
}

static inline int push_tok(wspace *w, const char *text, size_t off, size_t len, int sent)
{
    if (w->ntok == w->cap && grow_toks(w) != 0)
        return -1;
    w->hash[w->ntok] = tok_hash(text + off, len);
    w->toks[2 * w->ntok] = (uint32_t)off;
    w->toks[2 * w->ntok + 1] = (uint32_t)len;
    w->sent[w->ntok] = (unsigned char)sent;
    w->ntok++;
    return 0;
}

/* An empty open-addressing table for n entries of one article, at least
 * twice their number of slots (a power of two), in *slot (grown as needed:
 * *slotcap slots allocated; the caller owns and frees it). Returns the
 * slot mask, or 0 when out of memory. */
static size_t slot_table(uint32_t **slot, size_t *slotcap, size_t n)
{
    size_t need = 16;
    while (need < 2 * n)
        need *= 2;
    if (need > *slotcap) {
        uint32_t *sl = realloc(*slot, need * sizeof *sl);
        if (!sl)
            return 0;
        *slot = sl;
        *slotcap = need;
    }
    memset(*slot, 0, need * sizeof **slot);
    return need - 1;
}

/* Runs that count unigrams only (no n-grams beyond 1, no co-occurrences):
 * folds the article's tokens into its distinct words, in order of first
 * occurrence, with their counts in w->cnt, so that the counting thread
 * looks each word up once per article instead of once per token (the
 * look-ups were most of its work, and it is the busier thread). Words are
 * told apart by their bytes, not by their hashes alone. The ids the
 * vocabulary gives are the same: new words still come in order of first
 * occurrence. Returns 0 or -1 (no memory). */
static int group_art(wspace *w, art *a, const char *text)
{
    size_t n = a->ntok;
    if (w->cntcap < w->ntok) {
        size_t nc = w->cap;
        uint32_t *c = realloc(w->cnt, nc * sizeof *c);
        if (!c)
            return -1;
        w->cnt = c;
        w->cntcap = nc;
    }
    size_t mask = slot_table(&w->slot, &w->slotcap, n), nd = 0;
    if (!mask)
        return -1;
    uint32_t *toks = w->toks + 2 * a->tok_off, *cnt = w->cnt + a->tok_off;
    uint64_t *hash = w->hash + a->tok_off;
    for (size_t i = 0; i < n; i++) { /* distinct word d is written at d <= i: in place */
        uint64_t h = hash[i];
        uint32_t off = toks[2 * i], len = toks[2 * i + 1];
        for (size_t j = (size_t)(h >> 40) & mask;; j = (j + 1) & mask) {
            uint32_t sl = w->slot[j];
            if (!sl) {
                toks[2 * nd] = off;
                toks[2 * nd + 1] = len;
                hash[nd] = h;
                cnt[nd] = 1;
                w->slot[j] = (uint32_t)++nd;
                break;
            }
            size_t d = sl - 1;
            if (hash[d] == h && toks[2 * d + 1] == len && memcmp(text + toks[2 * d], text + off, len) == 0) {
                cnt[d]++;
                break;
            }
        }
    }
    a->ndist = nd;
    a->grouped = 1;
    return 0;
}

/* Normalizes and tokenizes one article into worker space wi. */
static void prepare_art(batch *b, art *a, int wi, const dw_stats_opts *o, unsigned norm_flags)
{
    wspace *w = &b->ws[wi];
    a->w = wi;
    a->ntok = 0;
    a->oom = 0;
    a->tok_off = w->ntok;
    a->grouped = 0;
    a->ndist = 0;
    const char *s;
    size_t n;
    if (o->normalize) {
        a->text_off = w->text.len;
        if (dw_norm_text(&w->text, b->bodies.data + a->body_off, a->body_len, norm_flags) != 0) {
            a->oom = 1;
            return;
        }
        s = w->text.data + a->text_off;
        n = w->text.len - a->text_off;
    } else { /* the text is the body itself */
        a->text_off = 0;
        s = b->bodies.data + a->body_off;
        n = a->body_len;
    }
    a->chars = dw_utf8_count(s, n);
    dw_stok t;
    dw_token k;
    dw_stok_init(&t, s, n, o->whitespace);
    while (dw_stok_next(&t, &k))
        if (push_tok(w, s, k.off, k.len, k.sentence_start) != 0) {
            a->oom = 1;
            return;
        }
    a->ntok = w->ntok - a->tok_off;
    if (o->ngram_max == 1 && !o->cooc && a->ntok && group_art(w, a, s) != 0)
        a->oom = 1;
}

/* Work shared by the threads tokenizing one batch. */
typedef struct {
    batch *b;                 /* the batch */
    const dw_stats_opts *o;   /* options */
    unsigned norm_flags;      /* normalization flags of the database */
    size_t next;              /* next article to take (under mu) */
    pthread_mutex_t mu;       /* guards next */
} prep_job;

/* One worker: its job and its space in the batch. */
typedef struct {
    prep_job *job;            /* shared work */
    int wi;                   /* its worker space */
} prep_arg;

static void *prep_worker(void *arg)
{
    prep_arg *pa = arg;
    prep_job *j = pa->job;
    for (;;) {
        pthread_mutex_lock(&j->mu);
        size_t i = j->next;
        j->next += 16;
        pthread_mutex_unlock(&j->mu);
        if (i >= j->b->n)
            break;
        for (size_t k = i; k < i + 16 && k < j->b->n; k++)
            prepare_art(j->b, &j->b->arts[k], pa->wi, j->o, j->norm_flags);
    }
    return NULL;
}

/* ---- the run ---- */

/* A bucket of counts. */
typedef struct {
    char kind[8];     /* "all", "source", "month" */
    char *name;       /* outlet name or YYYY-MM ("" for all) (owned) */
    uint64_t articles, tokens, chars; /* what was counted in it */
} bucket;

/* A small map from an article length to how many articles have it. */
typedef struct {
    uint64_t *keys;   /* length + 1, 0 empty (owned) */
    uint64_t *vals;   /* articles (owned) */
    size_t cap, len;  /* slots (power of two), used */
} lenmap;

static int lenmap_add(lenmap *m, uint64_t len)
{
    if ((m->len + 1) * 2 > m->cap) {
        size_t nc = m->cap ? m->cap * 2 : 256;
        uint64_t *k = calloc(nc, sizeof *k), *v = calloc(nc, sizeof *v);
        if (!k || !v) {
            free(k);
            free(v);
            return -1;
        }
        for (size_t i = 0; i < m->cap; i++)
            if (m->keys[i]) {
                size_t j = (size_t)(m->keys[i] * 0x9E3779B97F4A7C15ull >> 20) & (nc - 1);
                while (k[j])
                    j = (j + 1) & (nc - 1);
                k[j] = m->keys[i];
                v[j] = m->vals[i];
            }
        free(m->keys);
        free(m->vals);
        m->keys = k;
        m->vals = v;
        m->cap = nc;
    }
    uint64_t key = len + 1;
    size_t j = (size_t)(key * 0x9E3779B97F4A7C15ull >> 20) & (m->cap - 1);
    while (m->keys[j] && m->keys[j] != key)
        j = (j + 1) & (m->cap - 1);
    if (!m->keys[j]) {
        m->keys[j] = key;
        m->len++;
    }
    m->vals[j]++;
    return 0;
}

/* Adds waiting for a counter, passed on in batches (dw_counter_add_many
 * prefetches the slots of a batch). */
typedef struct {
    dw_counter *c;    /* the counter (not owned), or NULL: */
    dw_lanes *lanes;  /* the lanes (not owned) */
    int kw, nv;       /* its key words and values */
    uint32_t *keys;   /* PEND_MAX keys (owned) */
    uint64_t *vals;   /* PEND_MAX values (owned) */
    size_t n;         /* adds waiting */
} pending;

#define PEND_MAX 4096 /* adds per batch */

static int pend_init(pending *p, dw_counter *c, dw_lanes *lanes, int kw, int nv)
{
    p->c = c;
    p->lanes = lanes;
    p->kw = kw;
    p->nv = nv;
    p->n = 0;
    p->keys = malloc(PEND_MAX * (size_t)kw * sizeof *p->keys);
    p->vals = malloc(PEND_MAX * (size_t)nv * sizeof *p->vals);
    return p->keys && p->vals ? 0 : -1;
}

static dw_rc pend_flush(pending *p, dw_err *e)
{
    dw_rc rc = !p->n ? DW_OK
               : p->c ? dw_counter_add_many(p->c, p->keys, p->vals, p->n, e)
                      : dw_lanes_add_many(p->lanes, p->keys, p->vals, p->n, e);
    p->n = 0;
    return rc;
}

static inline dw_rc pend_add(pending *p, const uint32_t *key, const uint64_t *vals, dw_err *e)
{
    /* loops, not memcpy of a variable length (a library call per add) */
    uint32_t *k = p->keys + p->n * (size_t)p->kw;
    for (int i = 0; i < p->kw; i++)
        k[i] = key[i];
    uint64_t *v = p->vals + p->n * (size_t)p->nv;
    for (int i = 0; i < p->nv; i++)
        v[i] = vals[i];
    return ++p->n == PEND_MAX ? pend_flush(p, e) : DW_OK;
}

static void pend_free(pending *p)
{
    free(p->keys);
    free(p->vals);
    p->keys = NULL;
    p->vals = NULL;
}

/* State of a run. */
typedef struct {
    const dw_stats_opts *o;  /* options */
    dw_db *db;               /* the database */
    dw_vocab vocab;          /* words */
    dw_membudget budget;     /* memory shared by the counters */
    dw_counter *ng;          /* n-grams: key (bucket << 3 | n, w1..wN), values (count, df) */
    dw_lanes *lanes;         /* pairs: key (a, b) (ids, a < b), value count in 1/unit,
                                counted in lanes (threads) */
    dw_counter *co;          /* the pairs kept (min_count), in rank order; made at the end */
    pthread_mutex_t co_mu;   /* guards co while the lanes stream */
    const char *tmpdir;      /* folder of the counters' runs */
    pending png, pco;        /* adds waiting for ng and lanes */
    int kw;                  /* words in an n-gram key: 1 + ngram_max */
    uint64_t unit;           /* co-occurrence counts are multiples of 1/unit */
    unsigned char *stop;     /* stop[id]: a stop word (owned, grown with the vocabulary;
                                NULL without co-occurrences, as marg) */
    uint64_t *marg;          /* marg[id]: pair marginal in 1/unit (owned) */
    uint64_t *uni;           /* uni[2 id], uni[2 id + 1]: count and df of word id in the
                                overall bucket (owned; unigrams skip the counter there) */
    size_t idcap;            /* entries allocated in stop, marg and uni */
    uint32_t *slot;          /* per-article key table: index + 1 into keys, 0 empty (owned) */
    size_t slotcap;          /* slots allocated (a power of two) */
    uint32_t *kcount;        /* kcount[i]: occurrences of key i in the article (owned) */
    uint32_t *kdist;         /* indices of the article's distinct keys (owned) */
    size_t kcap;             /* entries allocated in kcount and kdist */
    uint64_t pair_total;     /* twice the pair total, in 1/unit */
    dw_strmap stopwords;     /* the stop words, as counted (normalized or not) */
    dw_strmap bucket_ids;    /* "s" + outlet or "m" + month -> bucket id */
    bucket *buckets;         /* buckets[id - 1] (owned) */
    size_t nbuckets, bcap;   /* buckets used, allocated */
    lenmap len_tokens;       /* article lengths in tokens */
    lenmap len_chars;        /* and in characters */
    uint32_t *ids;           /* word ids of the article being counted (owned) */
    size_t idscap;           /* entries allocated in ids */
    uint32_t *keys;          /* n-gram keys of the article being counted (owned) */
    size_t keyscap;          /* keys allocated (in keys of kw words) */
    uint64_t articles;       /* articles counted */
    uint64_t part[2];        /* sums of the two halves of their content hashes (stats_parts;
                                added to by the reading thread only) */
    char stop_hash[24];      /* XXH3-64 of the stop-word list, hex, or "none" */
    dw_stats_summary *sum;   /* the summary being filled */
    /* writing */
    dw_ins *ins;             /* batched insert into the table being written */
    dw_topk *top;            /* the first rows of the n-gram group being written (stats_top) */
    dw_buf toprows;          /* stats_top rows made, not inserted yet (dbins cells) */
    dw_ins *ins_top;         /* batched insert into stats_top */
    dw_buf *rows;            /* rows being built for it: its own buffer, or a pipe's (write_rows) */
    dw_bq *rq;               /* the pipe's queue, or NULL */
    dw_buf term;             /* term being built */
    uint32_t group;          /* key[0] of the n-gram group being summed */
    dw_buf summary;          /* stats_summary rows of the groups summed (dbins cells) */
    uint64_t g_types, g_tokens, g_hapax; /* its figures */
    /* progress (o->on_progress) */
    double t0;               /* when the run started (dw_now_seconds) */
    double t_report;         /* when progress was last reported */
    int64_t max_id;          /* largest article id (counting's share is id / max_id) */
    const char *phase;       /* phase of the rows being written */
    uint64_t made;           /* rows made in it (by the rows' maker) */
    _Atomic uint64_t made_pub; /* made, published every 4096 rows for the calling thread */
} run;

/* Reports progress to o->on_progress: at most every 0.25 s, or now with
 * force. The calling thread only. */
static void report(run *r, const char *phase, uint64_t done, double frac, int force)
{
    if (!r->o->on_progress || !dw_progress_due(&r->t_report, force))
        return;
    dw_stats_progress p = {phase, done, frac > 1 ? 1 : frac, r->t_report - r->t0};
    r->o->on_progress(r->o->progress_ud, &p);
}

static uint32_t bucket_get(run *r, const char *kind, const char *name, dw_err *e)
{
    dw_buf k = DW_BUF_INIT;
    if (dw_buf_printf(&k, "%c%s", kind[0], name) != 0) {
        dw_err_set(e, DW_ENOMEM, "out of memory");
        return 0;
    }
    int64_t id;
    if (dw_strmap_get(&r->bucket_ids, k.data, k.len, &id)) {
        dw_buf_free(&k);
        return (uint32_t)id;
    }
    if (r->nbuckets == r->bcap) {
        size_t nc = r->bcap ? r->bcap * 2 : 64;
        bucket *nb = realloc(r->buckets, nc * sizeof *nb);
        if (!nb) {
            dw_buf_free(&k);
            dw_err_set(e, DW_ENOMEM, "out of memory");
            return 0;
        }
        r->buckets = nb;
        r->bcap = nc;
    }
    bucket *b = &r->buckets[r->nbuckets];
    memset(b, 0, sizeof *b);
    snprintf(b->kind, sizeof b->kind, "%s", kind);
    b->name = strdup(name);
    if (!b->name || dw_strmap_put(&r->bucket_ids, k.data, k.len, (int64_t)r->nbuckets + 1) != 0) {
        free(b->name);
        dw_buf_free(&k);
        dw_err_set(e, DW_ENOMEM, "out of memory");
        return 0;
    }
    dw_buf_free(&k);
    return (uint32_t)++r->nbuckets;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* Loads the stop words (normalized as the text is) and hashes the list. */
static dw_rc load_stopwords(run *r, unsigned norm_flags, dw_err *e)
{
    const dw_stats_opts *o = r->o;
    if (!o->cooc || o->keep_stopwords) {
        snprintf(r->stop_hash, sizeof r->stop_hash, "none");
        return DW_OK;
    }
    char *text = NULL;
    size_t tlen = 0;
    const char *const *list = NULL;
    size_t nlist = 0;
    if (o->stopwords_path) {
        FILE *f = fopen(o->stopwords_path, "rb");
        if (!f)
            return dw_err_set(e, DW_EUSAGE, "cannot read stop words %s: %s", o->stopwords_path, strerror(errno));
        dw_buf b = DW_BUF_INIT;
        char chunk[65536];
        size_t got;
        while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
            if (dw_buf_append(&b, chunk, got) != 0) {
                fclose(f);
                dw_buf_free(&b);
                return dw_err_set(e, DW_ENOMEM, "out of memory");
            }
        int bad = ferror(f);
        fclose(f);
        if (bad) {
            dw_buf_free(&b);
            return dw_err_set(e, DW_EUSAGE, "cannot read stop words %s: %s", o->stopwords_path, strerror(errno));
        }
        text = dw_buf_detach(&b, &tlen);
        if (!text)
            return dw_err_set(e, DW_ENOMEM, "out of memory");
    } else {
        list = dw_stats_stopwords(&nlist);
    }
    /* every entry as counted, in a map; the hash is over the sorted distinct
     * entries, so that the same list in another order hashes the same */
    dw_buf w = DW_BUF_INIT;
    dw_rc rc = DW_OK;
    size_t li = 0;
    char *p = text, *end = text ? text + tlen : NULL;
    for (;;) {
        const char *s;
        size_t n;
        if (list) {
            if (li == nlist)
                break;
            s = list[li++];
            n = strlen(s);
        } else {
            if (p >= end)
                break;
            char *nl = memchr(p, '\n', (size_t)(end - p));
            s = p;
            n = nl ? (size_t)(nl - p) : (size_t)(end - p);
            p = nl ? nl + 1 : end;
            while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
                n--;
            while (n && (*s == ' ' || *s == '\t')) {
                s++;
                n--;
            }
            if (!n || *s == '#')
                continue;
        }
        dw_buf_reset(&w);
        if ((o->normalize ? dw_norm_text(&w, s, n, norm_flags) : dw_buf_append(&w, s, n)) != 0 ||
            dw_strmap_put(&r->stopwords, dw_buf_str(&w), w.len, 1) != 0) {
            rc = dw_err_set(e, DW_ENOMEM, "out of memory");
            break;
        }
    }
    dw_buf_free(&w);
    free(text);
    if (rc != DW_OK)
        return rc;
    /* hash of the distinct entries in byte order */
    size_t nk = 0;
    const char **ks = malloc((r->stopwords.len + 1) * sizeof *ks);
    if (!ks)
        return dw_err_set(e, DW_ENOMEM, "out of memory");
    for (size_t i = 0; i < r->stopwords.cap; i++)
        if (r->stopwords.keys && r->stopwords.keys[i])
            ks[nk++] = r->stopwords.keys[i];
    if (nk > 1) /* lists of all inflected forms run to tens of thousands */
        qsort(ks, nk, sizeof *ks, cmp_str);
    dw_buf all = DW_BUF_INIT;
    for (size_t i = 0; i < nk && rc == DW_OK; i++)
        if (dw_buf_puts(&all, ks[i]) != 0 || dw_buf_putc(&all, '\n') != 0)
            rc = dw_err_set(e, DW_ENOMEM, "out of memory");
    free(ks);
    snprintf(r->stop_hash, sizeof r->stop_hash, "%016llx",
             (unsigned long long)dw_hash64_of(dw_buf_str(&all), all.len, 0));
    dw_buf_free(&all);
    return rc;
}

/* Word id of a token (h: its dw_vocab_hash), with its per-id arrays
 * grown. 0 when out of memory. */
static uint32_t word_id(run *r, const char *s, size_t n, uint64_t h)
{
    uint32_t id = dw_vocab_intern_hashed(&r->vocab, s, n, h);
    if (!id)
        return 0;
    if (id >= r->idcap) {
        size_t nc = r->idcap ? r->idcap * 2 : 4096;
        if (r->o->cooc) { /* stop-word flags and marginals: co-occurrences only */
            unsigned char *st = realloc(r->stop, nc);
            if (!st)
                return 0;
            r->stop = st;
            uint64_t *m = realloc(r->marg, nc * sizeof *m);
            if (!m)
                return 0;
            r->marg = m;
            memset(r->stop + r->idcap, 0, nc - r->idcap);
            memset(r->marg + r->idcap, 0, (nc - r->idcap) * sizeof *m);
        }
        if (r->o->ngram_max > 0) {
            uint64_t *u = realloc(r->uni, nc * 2 * sizeof *u);
            if (!u)
                return 0;
            r->uni = u;
            memset(r->uni + 2 * r->idcap, 0, (nc - r->idcap) * 2 * sizeof *u);
        }
        r->idcap = nc;
        __atomic_store_n(&r->budget.fixed,
                         r->idcap * ((r->marg ? 1 + sizeof *r->marg : 0) + (r->uni ? 2 * sizeof *r->uni : 0)),
                         __ATOMIC_RELAXED);
    }
    if (id == r->vocab.n) { /* a new word */
        if (r->stop && r->stopwords.len)
            r->stop[id] = (unsigned char)dw_strmap_get(&r->stopwords, s, n, NULL);
        dw_membudget_set_vocab(&r->budget, dw_vocab_bytes(&r->vocab));
    }
    return id;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static inline uint64_t hash_words(const uint32_t *k, int kw)
{
    uint64_t h = 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < kw; i++)
        h = (h ^ k[i]) * 0xBF58476D1CE4E5B9ull;
    return h ^ h >> 31;
}

/* Groups the nk keys (kw words each) of one article: fills r->kdist with
 * the index of each distinct key's first occurrence and r->kcount[i] with
 * its number of occurrences; returns the number of distinct keys, or
 * (size_t)-1 when out of memory. A hash table sized to the article, so the
 * cost is linear (a sort was a fifth of the run). */
static size_t group_keys(run *r, size_t nk, int kw)
{
    size_t mask = slot_table(&r->slot, &r->slotcap, nk), nd = 0;
    if (!mask)
        return (size_t)-1;
    if (nk > r->kcap) {
        size_t nc = nk * 2;
        uint32_t *kc = realloc(r->kcount, nc * sizeof *kc);
        if (!kc)
            return (size_t)-1;
        r->kcount = kc;
        uint32_t *kd = realloc(r->kdist, nc * sizeof *kd);
        if (!kd)
            return (size_t)-1;
        r->kdist = kd;
        r->kcap = nc;
    }
    for (size_t i = 0; i < nk; i++) {
        const uint32_t *k = r->keys + i * (size_t)kw;
        size_t h = (size_t)hash_words(k, kw) & mask;
        for (;; h = (h + 1) & mask) {
            uint32_t s = r->slot[h];
            if (!s) {
                r->slot[h] = (uint32_t)i + 1;
                r->kcount[i] = 1;
                r->kdist[nd++] = (uint32_t)i;
                break;
            }
            if (dw_keys_equal(r->keys + (size_t)(s - 1) * (size_t)kw, k, kw)) {
                r->kcount[s - 1]++;
                break;
            }
        }
    }
    return nd;
}

static dw_rc add_pair(run *r, uint32_t a, uint32_t b, uint64_t w, dw_err *e)
{
    uint32_t k[2] = {a < b ? a : b, a < b ? b : a};
    uint64_t v = w;
    r->marg[a] += w;
    r->marg[b] += w;
    r->pair_total += 2 * w;
    return pend_add(&r->pco, k, &v, e);
}

/* Word ids of an article's n tokens into r->ids. */
static dw_rc intern_tokens(run *r, const char *text, const uint32_t *toks, const uint64_t *hash, size_t n, dw_err *e)
{
    if (n > r->idscap) {
        size_t nc = n * 2;
        uint32_t *ids = realloc(r->ids, nc * sizeof *ids);
        if (!ids)
            return dw_err_set(e, DW_ENOMEM, "out of memory");
        r->ids = ids;
        r->idscap = nc;
    }
    for (size_t i = 0; i < n; i++) {
        /* the table slot of a later token, while this one is looked up, and
         * the word of a nearer one, whose slot has arrived by now */
        if (i + 16 < n)
            dw_vocab_prefetch(&r->vocab, hash[i + 16]);
        if (i + 6 < n)
            dw_vocab_prefetch_word(&r->vocab, hash[i + 6]);
        if (!(r->ids[i] = word_id(r, text + toks[2 * i], toks[2 * i + 1], hash[i])))
            return dw_err_set(e, DW_ENOMEM, "out of memory");
    }
    return DW_OK;
}

/* Counts the unigrams of an article folded by group_art: each distinct
 * word once, with its count, in the overall arrays and the other buckets
 * of bks (0: none). */
static dw_rc count_distinct(run *r, const art *a, const wspace *ws, const char *text, const uint32_t bks[3],
                            dw_err *e)
{
    const uint32_t *toks = ws->toks + 2 * a->tok_off, *cnt = ws->cnt + a->tok_off;
    const uint64_t *hash = ws->hash + a->tok_off;
    size_t nd = a->ndist;
    dw_rc rc = DW_OK;
    for (size_t d = 0; d < nd && rc == DW_OK; d++) {
        if (d + 16 < nd)
            dw_vocab_prefetch(&r->vocab, hash[d + 16]);
        if (d + 6 < nd) {
            dw_vocab_prefetch_word(&r->vocab, hash[d + 6]);
            uint32_t later = dw_vocab_peek(&r->vocab, hash[d + 6]); /* its counts too */
            if (later)
                __builtin_prefetch(&r->uni[2 * (size_t)later], 1);
        }
        uint32_t id = word_id(r, text + toks[2 * d], toks[2 * d + 1], hash[d]);
        if (!id)
            return dw_err_set(e, DW_ENOMEM, "out of memory");
        uint64_t vals[2] = {cnt[d], 1};
        r->uni[2 * (size_t)id] += vals[0];
        r->uni[2 * (size_t)id + 1]++;
        for (int b = 1; b < 3 && rc == DW_OK; b++)
            if (bks[b]) {
                uint32_t key[2] = {bks[b] << 3 | 1, id};
                rc = pend_add(&r->png, key, vals, e);
            }
    }
    return rc;
}

/* Counts one tokenized article. */
static dw_rc count_art(run *r, const batch *bt, const art *a, dw_err *e)
{
    const dw_stats_opts *o = r->o;
    const wspace *ws = &bt->ws[a->w];
    const char *text = o->normalize ? ws->text.data + a->text_off : bt->bodies.data + a->body_off;
    const uint32_t *toks = ws->toks + 2 * a->tok_off;
    const uint64_t *hash = ws->hash + a->tok_off;
    const unsigned char *sent = ws->sent + a->tok_off;
    if (a->oom)
        return dw_err_set(e, DW_ENOMEM, "out of memory");
    /* buckets on this thread, in article order (their ids follow it) */
    uint32_t src = 0, month = 0;
    if (a->has_src && !(src = bucket_get(r, "source", bt->bodies.data + a->src_off, e)))
        return DW_ENOMEM;
    if (a->mon[0] && !(month = bucket_get(r, "month", a->mon, e)))
        return DW_ENOMEM;
    size_t n = a->ntok;
    uint32_t bks[3] = {1, src, month};
    dw_rc rc = a->grouped ? count_distinct(r, a, ws, text, bks, e) : intern_tokens(r, text, toks, hash, n, e);
    if (rc != DW_OK)
        return rc;
    for (int b = 0; b < 3; b++)
        if (bks[b]) {
            bucket *bk = &r->buckets[bks[b] - 1];
            bk->articles++;
            bk->tokens += n;
            bk->chars += a->chars;
        }
    if (lenmap_add(&r->len_tokens, n) != 0 || lenmap_add(&r->len_chars, a->chars) != 0)
        return dw_err_set(e, DW_ENOMEM, "out of memory");
    r->articles++;
    if (a->grouped)
        return DW_OK;
    /* n-grams: the article's keys (n, w1..wN) sorted, counted, then added
     * once per bucket with df 1 */
    int kw = r->kw, nmax = o->ngram_max;
    if (nmax > 0 && n > 0) {
        size_t need = n * (size_t)nmax;
        if (need > r->keyscap) {
            uint32_t *k = realloc(r->keys, need * 2 * (size_t)kw * sizeof *k);
            if (!k)
                return dw_err_set(e, DW_ENOMEM, "out of memory");
            r->keys = k;
            r->keyscap = need * 2;
        }
        size_t nk = 0;
        for (size_t i = 0; i < n; i++) {
            for (int g = 1; g <= nmax && i + (size_t)g <= n; g++) {
                if (g > 1 && sent[i + (size_t)g - 1])
                    break;
                uint32_t *k = r->keys + nk * (size_t)kw;
                k[0] = (uint32_t)g;
                for (int w = 0; w < nmax; w++)
                    k[1 + w] = w < g ? r->ids[i + (size_t)w] : 0;
                nk++;
            }
        }
        size_t nd = group_keys(r, nk, kw);
        if (nd == (size_t)-1)
            return dw_err_set(e, DW_ENOMEM, "out of memory");
        uint32_t key[DW_COUNTER_MAXKW];
        for (size_t d = 0; d < nd && rc == DW_OK; d++) {
            const uint32_t *k = r->keys + (size_t)r->kdist[d] * (size_t)kw;
            if (d + 8 < nd) { /* a later unigram's counts, while this key is added */
                const uint32_t *k8 = r->keys + (size_t)r->kdist[d + 8] * (size_t)kw;
                if (k8[0] == 1)
                    __builtin_prefetch(&r->uni[2 * (size_t)k8[1]], 1);
            }
            uint64_t vals[2] = {r->kcount[r->kdist[d]], 1};
            for (int w = 0; w < kw; w++)
                key[w] = k[w];
            int b = 0;
            if (k[0] == 1) { /* unigram, overall bucket: per-word arrays */
                r->uni[2 * (size_t)k[1]] += vals[0];
                r->uni[2 * (size_t)k[1] + 1]++;
                b = 1;
            }
            for (; b < 3 && rc == DW_OK; b++)
                if (bks[b]) {
                    key[0] = bks[b] << 3 | k[0];
                    rc = pend_add(&r->png, key, vals, e);
                }
        }
    }
    if (rc != DW_OK || !o->cooc)
        return rc;
    if (o->scope_article) {
        size_t m = 0;
        uint32_t *d = r->keys; /* reuse: distinct non-stop ids */
        if (n > r->keyscap) {
            d = realloc(r->keys, n * 2 * (size_t)kw * sizeof *d);
            if (!d)
                return dw_err_set(e, DW_ENOMEM, "out of memory");
            r->keys = d;
            r->keyscap = n * 2;
        }
        for (size_t i = 0; i < n; i++)
            if (!r->stop[r->ids[i]])
                d[m++] = r->ids[i];
        qsort(d, m, sizeof *d, cmp_u32);
        size_t u = 0;
        for (size_t i = 0; i < m; i++)
            if (!u || d[u - 1] != d[i])
                d[u++] = d[i];
        for (size_t i = 0; i < u && rc == DW_OK; i++)
            for (size_t j = i + 1; j < u && rc == DW_OK; j++)
                rc = add_pair(r, d[i], d[j], 1, e);
        return rc;
    }
    for (size_t i = 0; i < n && rc == DW_OK; i++) {
        uint32_t x = r->ids[i];
        if (r->stop[x])
            continue;
        for (size_t dd = 1; dd <= (size_t)o->window && i + dd < n && rc == DW_OK; dd++) {
            if (sent[i + dd])
                break;
            uint32_t y = r->ids[i + dd];
            if (r->stop[y] || y == x)
                continue;
            rc = add_pair(r, x, y, o->harmonic ? r->unit / dd : 1, e);
        }
    }
    return rc;
}

/* Reads the next batch of articles (bodies, buckets) from st. */
static dw_rc read_batch(run *r, sqlite3_stmt *st, batch *b, dw_err *e)
{
    b->n = 0;
    dw_buf_reset(&b->bodies);
    for (int i = 0; i < b->nws; i++) {
        dw_buf_reset(&b->ws[i].text);
        b->ws[i].ntok = 0;
    }
    size_t bytes = 0;
    while (b->n < BATCH_MAX && bytes < BATCH_BYTES) {
        int s = sqlite3_step(st);
        if (s == SQLITE_DONE) {
            b->done = 1;
            break;
        }
        if (s != SQLITE_ROW)
            return dw_db_fail(r->db, e, "read articles");
        art *a = &b->arts[b->n];
        const char *body = (const char *)sqlite3_column_text(st, 0);
        size_t blen = (size_t)sqlite3_column_bytes(st, 0);
        a->body_off = b->bodies.len;
        a->body_len = body ? blen : 0;
        if (dw_buf_append(&b->bodies, body ? body : "", a->body_len) != 0)
            return dw_err_set(e, DW_ENOMEM, "out of memory");
        bytes += blen;
        a->has_src = 0;
        a->mon[0] = '\0';
        const char *pub = (const char *)sqlite3_column_text(st, 1);
        const char *src = (const char *)sqlite3_column_text(st, 2);
        if (src && r->o->per_source) {
            a->src_off = b->bodies.len;
            a->has_src = 1;
            if (dw_buf_append(&b->bodies, src, strlen(src) + 1) != 0)
                return dw_err_set(e, DW_ENOMEM, "out of memory");
        }
        if (pub && strlen(pub) >= 7 && r->o->per_month) {
            memcpy(a->mon, pub, 7);
            a->mon[7] = '\0';
        }
        b->last_id = sqlite3_column_int64(st, 3);
        /* the part's name (stats_parts): XXH3-128 of the content hash,
         * summed (any length: a hash written by other tools) */
        XXH128_hash_t ph = XXH3_128bits(sqlite3_column_blob(st, 4), (size_t)sqlite3_column_bytes(st, 4));
        r->part[0] += ph.high64;
        r->part[1] += ph.low64;
        b->n++;
    }
    return DW_OK;
}

/* Tokenizes a batch with the worker threads (threads 0: on this thread). */
typedef struct {
    prep_job job;        /* the shared work */
    pthread_t *tids;     /* worker threads */
    prep_arg *args;      /* their arguments */
    int nthreads;        /* workers started */
} prep_run;

/* Tokenizes the batch with workers threads: workers - 1 started here, the
 * calling thread being the first (it would only wait for them otherwise);
 * returns when its share is done (prep_join waits for the others). */
static void prep_start(prep_run *p, batch *b, const dw_stats_opts *o, unsigned norm_flags, int workers)
{
    p->job.b = b;
    p->job.o = o;
    p->job.norm_flags = norm_flags;
    p->job.next = 0;
    p->nthreads = 0;
    for (int i = 1; i < workers; i++) {
        p->args[i].job = &p->job;
        p->args[i].wi = i;
        if (pthread_create(&p->tids[p->nthreads], NULL, prep_worker, &p->args[i]) == 0)
            p->nthreads++;
    }
    p->args[0].job = &p->job;
    p->args[0].wi = 0;
    prep_worker(&p->args[0]);
}

static void prep_join(prep_run *p)
{
    for (int i = 0; i < p->nthreads; i++)
        pthread_join(p->tids[i], NULL);
    p->nthreads = 0;
}

/* Reads the next batch and tokenizes it, on a thread of its own while the
 * calling thread counts the current batch (with workers), or here. The
 * statement is only stepped here meanwhile; buckets are resolved when
 * counting, so the reading side touches nothing the counting side does. */
typedef struct {
    run *r;                    /* the run (options, database) */
    sqlite3_stmt *st;          /* the articles */
    batch *b;                  /* the batch to fill */
    prep_run *pr;              /* tokenizing threads */
    int workers;               /* how many */
    pthread_t th;              /* the feeding thread */
    int threaded;              /* 1: it runs */
    dw_rc rc;                  /* result of read_batch */
    dw_err err;                /* and its message */
} feed;

static void *feed_main(void *arg)
{
    feed *f = arg;
    f->rc = read_batch(f->r, f->st, f->b, &f->err);
    if (f->rc == DW_OK) {
        prep_start(f->pr, f->b, f->r->o, f->r->db->norm_flags, f->workers);
        prep_join(f->pr);
    }
    return NULL;
}

static void feed_start(feed *f, batch *b)
{
    f->b = b;
    f->rc = DW_OK;
    f->threaded = f->workers > 0 && pthread_create(&f->th, NULL, feed_main, f) == 0;
    if (!f->threaded)
        feed_main(f);
}

/* Waits for the batch; its result (e filled on an error). */
static dw_rc feed_join(feed *f, dw_err *e)
{
    if (f->threaded)
        pthread_join(f->th, NULL);
    f->threaded = 0;
    if (f->rc != DW_OK && e)
        *e = f->err;
    return f->rc;
}

/* ---- writing ---- */

#define ROWS_MAIN 'M' /* a block of rows for r->ins, the table being written */
#define ROWS_TOP 'T'  /* for r->ins_top: stats_top, written along with stats_ngrams */

/* Appends the word of rank rk to r->term. */
static int term_word(run *r, uint32_t rk)
{
    size_t len;
    const char *w = dw_vocab_word(&r->vocab, r->vocab.order[rk - 1], &len);
    return dw_buf_append(&r->term, w, len);
}

/* Sends the stats_top rows made so far to be inserted: once a block is full,
 * or all of them with force. On the rows' own thread, as a tagged block to
 * the inserting thread; else inserted here. */
static dw_rc top_flush(run *r, int force, dw_err *e)
{
    if (!r->toprows.len || (!force && r->toprows.len < DW_INS_BATCH_BYTES))
        return DW_OK;
    if (!r->rq)
        return dw_ins_exec(r->ins_top, &r->toprows, e);
    if (dw_buf_putc(&r->toprows, ROWS_TOP) != 0 || dw_bq_put(r->rq, &r->toprows) != 0)
        return dw_err_set(e, DW_EINTERNAL, "statistics: writing stopped");
    return DW_OK;
}

static dw_rc flush_group(run *r, dw_err *e)
{
    if (!r->group)
        return DW_OK;
    /* kept in r->summary, written once the n-grams are (write_all):
     * the rows' maker may run on a thread of its own */
    dw_buf *b = &r->summary;
    if (dw_ins_put_int(b, r->group >> 3) != 0 || dw_ins_put_int(b, r->group & 7) != 0 ||
        dw_ins_put_int(b, (int64_t)r->g_types) != 0 || dw_ins_put_int(b, (int64_t)r->g_tokens) != 0 ||
        dw_ins_put_int(b, (int64_t)r->g_hapax) != 0)
        return dw_err_set(e, DW_ENOMEM, "out of memory");
    if (r->top) { /* the group's first rows */
        if (dw_topk_put_rows(r->top, r->group >> 3, (int)(r->group & 7), &r->toprows) < 0)
            return dw_err_set(e, DW_ENOMEM, "out of memory");
        dw_rc rc = top_flush(r, 0, e);
        if (rc != DW_OK)
            return rc;
    }
    if (r->group == (1u << 3 | 1u)) {
        r->sum->tokens = r->g_tokens;
        r->sum->types = r->g_types;
        r->sum->hapax = r->g_hapax;
    }
    r->group = 0;
    r->g_types = r->g_tokens = r->g_hapax = 0;
    return DW_OK;
}

/* Ends a row built in r->rows: inserts the own buffer when full, or hands
 * the pipe's to the inserting thread. */
static dw_rc row_end(run *r, dw_err *e)
{
    if ((++r->made & 4095) == 0) {
        atomic_store_explicit(&r->made_pub, r->made, memory_order_relaxed);
        if (!r->rq) /* made on the calling thread */
            report(r, r->phase, r->made, -1, 0);
    }
    if (!r->rq)
        return dw_ins_row(r->ins, e);
    if (r->rows->len >= DW_INS_BATCH_BYTES && (dw_buf_putc(r->rows, ROWS_MAIN) != 0 || dw_bq_put(r->rq, r->rows) != 0))
        return dw_err_set(e, DW_EINTERNAL, "statistics: writing stopped");
    return DW_OK;
}

/* Makes the rows of a table in r->rows, each ended by row_end. */
typedef dw_rc (*row_maker)(run *r, dw_err *e);

/* Rows made on a thread of their own while the calling thread inserts them
 * (write_rows); each block of rows ends with a tag byte, ROWS_MAIN or
 * ROWS_TOP: the table it goes to. */
typedef struct {
    run *r;               /* the run */
    row_maker make;       /* the rows' maker */
    dw_bq q;              /* blocks of rows */
    dw_buf fill;          /* the block being built */
    dw_rc rc;             /* the stream's result */
    dw_err err;           /* and message */
} row_pipe;

static void *row_pipe_main(void *arg)
{
    row_pipe *p = arg;
    p->rc = p->make(p->r, &p->err);
    if (p->rc == DW_OK && p->fill.len && (dw_buf_putc(&p->fill, ROWS_MAIN) != 0 || dw_bq_put(&p->q, &p->fill) != 0))
        p->rc = dw_err_set(&p->err, DW_EINTERNAL, "statistics: writing stopped");
    dw_bq_close(&p->q);
    return NULL;
}

/* Inserts the rows make makes into r->ins. With threads, make (a counter's
 * merge, the terms' text) runs on a thread of its own while this thread
 * inserts: the same rows in the same order. make must not use the
 * connection. */
static dw_rc insert_rows(run *r, row_maker make, dw_err *e)
{
    row_pipe *p = r->o->threads >= 2 ? calloc(1, sizeof *p) : NULL;
    pthread_t th;
    if (p) {
        p->r = r;
        p->make = make;
        dw_bq_init(&p->q, 4);
        r->rows = &p->fill;
        r->rq = &p->q;
        if (pthread_create(&th, NULL, row_pipe_main, p) != 0) {
            dw_bq_free(&p->q);
            free(p);
            p = NULL;
        }
    }
    if (!p) { /* one thread: rows are inserted as they are made */
        r->rows = dw_ins_buf(r->ins);
        r->rq = NULL;
        dw_rc rc = make(r, e);
        return rc == DW_OK ? dw_ins_flush(r->ins, e) : rc;
    }
    dw_rc rc = DW_OK;
    dw_buf work = DW_BUF_INIT;
    while (dw_bq_take(&p->q, &work)) {
        dw_ins *to = work.len && work.data[work.len - 1] == ROWS_TOP ? r->ins_top : r->ins;
        if (work.len) /* the block's tag */
            work.len--;
        if (rc == DW_OK && (rc = dw_ins_exec(to, &work, e)) != DW_OK)
            dw_bq_stop(&p->q); /* the maker then ends at its next block */
        report(r, r->phase, atomic_load_explicit(&r->made_pub, memory_order_relaxed), -1, 0);
    }
    pthread_join(th, NULL);
    if (rc == DW_OK && p->rc != DW_OK)
        rc = dw_err_set(e, p->rc, "%s", p->err.msg);
    dw_buf_free(&work);
    dw_buf_free(&p->fill);
    dw_bq_free(&p->q);
    free(p);
    r->rows = dw_ins_buf(r->ins);
    r->rq = NULL;
    return rc;
}

/* insert_rows, reported as phase. */
static dw_rc write_rows(run *r, row_maker make, const char *phase, dw_err *e)
{
    r->phase = phase;
    r->made = 0;
    atomic_store_explicit(&r->made_pub, 0, memory_order_relaxed);
    report(r, phase, 0, -1, 1);
    dw_rc rc = insert_rows(r, make, e);
    if (rc == DW_OK)
        report(r, phase, r->made, 1, 1);
    return rc;
}

static dw_rc emit_ngram(void *ctx, const uint32_t *key, const uint64_t *vals, dw_err *e)
{
    run *r = ctx;
    if (key[0] != r->group) {
        dw_rc rc = flush_group(r, e);
        if (rc != DW_OK)
            return rc;
        r->group = key[0];
    }
    r->g_types++;
    r->g_tokens += vals[0];
    r->g_hapax += vals[0] == 1;
    r->sum->ngrams++;
    int n = (int)(key[0] & 7);
    dw_buf_reset(&r->term);
    for (int i = 0; i < n; i++)
        if ((i && dw_buf_putc(&r->term, ' ') != 0) || term_word(r, key[1 + i]) != 0)
            return dw_err_set(e, DW_ENOMEM, "out of memory");
    if (r->top && dw_topk_add(r->top, r->term.data, r->term.len, (int64_t)vals[0], (int64_t)vals[1]) != 0)
        return dw_err_set(e, DW_ENOMEM, "out of memory");
    dw_buf *b = r->rows;
    if (dw_ins_put_int(b, key[0] >> 3) != 0 || dw_ins_put_int(b, n) != 0 ||
        dw_ins_put_text(b, r->term.data, r->term.len) != 0 || dw_ins_put_int(b, (int64_t)vals[0]) != 0 ||
        dw_ins_put_int(b, (int64_t)vals[1]) != 0)
        return dw_err_set(e, DW_ENOMEM, "out of memory");
    return row_end(r, e);
}

/* Emits the overall bucket's unigrams from the per-word arrays, in rank
 * order; they come first in the counter's order (bucket 1, n = 1). */
static dw_rc emit_unigrams(run *r, dw_err *e)
{
    if (dw_vocab_sort(&r->vocab) != 0)
        return dw_err_set(e, DW_ENOMEM, "out of memory");
    dw_rc rc = DW_OK;
    uint32_t key[DW_COUNTER_MAXKW] = {1u << 3 | 1u};
    const dw_vocab *v = &r->vocab;
    for (uint32_t rk = 1; rk <= v->n && rc == DW_OK; rk++) {
        /* ids in rank order are scattered: what a row reads of word rk + 16
         * (its counts, its place in the arena) and of word rk + 8 (its
         * bytes) is fetched ahead */
        if (rk + 16 <= v->n) {
            uint32_t ahead = v->order[rk + 15];
            __builtin_prefetch(r->uni + 2 * (size_t)ahead);
            __builtin_prefetch(v->offs + ahead);
            __builtin_prefetch(v->lens + ahead);
        }
        if (rk + 8 <= v->n)
            __builtin_prefetch(v->arena + v->offs[v->order[rk + 7]]);
        uint32_t id = v->order[rk - 1];
        if (!r->uni[2 * (size_t)id])
            continue;
        key[1] = rk;
        rc = emit_ngram(r, key, r->uni + 2 * (size_t)id, e);
    }
    return rc;
}

/* Receives pairs at or above min_count from a lane (any lane thread) and
 * keeps them for stats_cooc in co, which orders by rank. */
static dw_rc keep_pairs(void *ctx, const uint32_t *keys, const uint64_t *vals, size_t n, dw_err *e)
{
    run *r = ctx;
    pthread_mutex_lock(&r->co_mu);
    dw_rc rc = dw_counter_add_many(r->co, keys, vals, n, e);
    pthread_mutex_unlock(&r->co_mu);
    return rc;
}

static dw_rc emit_pair(void *ctx, const uint32_t *key, const uint64_t *vals, dw_err *e)
{
    run *r = ctx;
    r->sum->pairs_stored++;
    uint32_t a = r->vocab.order[key[0] - 1], b = r->vocab.order[key[1] - 1];
    double u = (double)r->unit;
    double k = (double)vals[0] / u, ca = (double)r->marg[a] / u, cb = (double)r->marg[b] / u,
           t = (double)r->pair_total / u;
    size_t la, lb;
    const char *wa = dw_vocab_word(&r->vocab, a, &la), *wb = dw_vocab_word(&r->vocab, b, &lb);
    dw_buf *row = r->rows;
    if (dw_ins_put_text(row, wa, la) != 0 || dw_ins_put_text(row, wb, lb) != 0 ||
        dw_ins_put_ratio(row, (int64_t)vals[0], r->unit) != 0 || dw_ins_put_double(row, dw_stats_pmi(k, ca, cb, t)) != 0 ||
        dw_ins_put_double(row, dw_stats_npmi(k, ca, cb, t)) != 0 || dw_ins_put_double(row, dw_stats_llr(k, ca, cb, t)) != 0)
        return dw_err_set(e, DW_ENOMEM, "out of memory");
    return row_end(r, e);
}

/* The rows of stats_ngrams: the overall unigrams, then the counter's
 * n-grams, group by group (row_maker). */
static dw_rc make_ngrams(run *r, dw_err *e)
{
    dw_rc rc = emit_unigrams(r, e);
    if (rc == DW_OK)
        rc = dw_counter_finish(r->ng, emit_ngram, r, e);
    if (rc == DW_OK)
        rc = flush_group(r, e);
    return rc == DW_OK ? top_flush(r, 1, e) : rc;
}

/* The rows of stats_cooc: the kept pairs in rank order (row_maker). */
static dw_rc make_pairs(run *r, dw_err *e) { return dw_counter_finish(r->co, emit_pair, r, e); }

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static dw_rc write_lengths(run *r, const char *unit, const lenmap *m, dw_err *e)
{
    uint64_t *pairs = malloc((m->len + 1) * 2 * sizeof *pairs);
    if (!pairs)
        return dw_err_set(e, DW_ENOMEM, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < m->cap; i++)
        if (m->keys[i]) {
            pairs[2 * k] = m->keys[i] - 1;
            pairs[2 * k + 1] = m->vals[i];
            k++;
        }
    qsort(pairs, k, 2 * sizeof *pairs, cmp_u64);
    sqlite3_stmt *st = dw_db_prepare(r->db, "INSERT INTO stats_lengths(unit, length, articles) VALUES (?1, ?2, ?3)", e);
    dw_rc rc = st ? DW_OK : DW_EDB;
    for (size_t i = 0; i < k && rc == DW_OK; i++) {
        sqlite3_bind_text(st, 1, unit, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, (int64_t)pairs[2 * i]);
        sqlite3_bind_int64(st, 3, (int64_t)pairs[2 * i + 1]);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = dw_db_fail(r->db, e, "write statistics");
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    free(pairs);
    return rc;
}

static dw_rc set_info(dw_db *db, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static dw_rc set_info(dw_db *db, const char *key, const char *fmt, ...)
{
    char v[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v, sizeof v, fmt, ap);
    va_end(ap);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->h, "INSERT OR REPLACE INTO stats_info(key, value) VALUES (?1, ?2)", -1, &st, NULL) !=
        SQLITE_OK)
        return DW_EDB;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, v, -1, SQLITE_TRANSIENT);
    int s = sqlite3_step(st);
    sqlite3_finalize(st);
    return s == SQLITE_DONE ? DW_OK : DW_EDB;
}

static const char clear_sql[] =
    "DELETE FROM stats_info; DELETE FROM stats_parts; DELETE FROM stats_buckets; DELETE FROM stats_ngrams;"
    " DELETE FROM stats_top;"
    " DELETE FROM stats_summary;"
    " DELETE FROM stats_lengths; DELETE FROM stats_cooc_terms; DELETE FROM stats_cooc;"
    " DROP INDEX IF EXISTS stats_cooc_b;";

static dw_rc write_all(run *r, unsigned norm_flags, dw_err *e)
{
    const dw_stats_opts *o = r->o;
    dw_db *db = r->db;
    if (r->lanes) {
        /* the lanes merge their runs while this thread writes the other
         * tables; the pairs they keep are ranked in co */
        if (dw_vocab_sort(&r->vocab) != 0)
            return dw_err_set(e, DW_ENOMEM, "out of memory");
        dw_membudget_set_vocab(&r->budget, dw_vocab_bytes(&r->vocab));
        if (!(r->co = dw_counter_new(2, 1, 0, 1, &r->vocab, &r->budget, r->tmpdir)))
            return dw_err_set(e, DW_ENOMEM, "out of memory");
        dw_counter_set_leftover(r->co);
        dw_lanes_finish_start(r->lanes, (uint64_t)o->min_count * r->unit, keep_pairs, r);
    }
    dw_rc rc = dw_db_exec(db, clear_sql, e);
    /* buckets */
    if (rc == DW_OK) {
        sqlite3_stmt *st = dw_db_prepare(db,
            "INSERT INTO stats_buckets(id, kind, name, articles, tokens, chars) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", e);
        rc = st ? DW_OK : DW_EDB;
        for (size_t i = 0; i < r->nbuckets && rc == DW_OK; i++) {
            bucket *b = &r->buckets[i];
            sqlite3_bind_int64(st, 1, (int64_t)i + 1);
            sqlite3_bind_text(st, 2, b->kind, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 3, b->name, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 4, (int64_t)b->articles);
            sqlite3_bind_int64(st, 5, (int64_t)b->tokens);
            sqlite3_bind_int64(st, 6, (int64_t)b->chars);
            if (sqlite3_step(st) != SQLITE_DONE)
                rc = dw_db_fail(db, e, "write statistics");
            sqlite3_reset(st);
        }
        sqlite3_finalize(st);
    }
    if (rc == DW_OK && r->ng) {
        rc = dw_ins_open(db, "stats_ngrams(bucket, n, term, count, df)", 5, &r->ins, e);
        if (rc == DW_OK)
            rc = dw_ins_open(db, "stats_top(bucket, n, by, rank, term, count, df)", 7, &r->ins_top, e);
        if (rc == DW_OK && !(r->top = dw_topk_new(DW_STATS_TOP_K)))
            rc = dw_err_set(e, DW_ENOMEM, "out of memory");
        if (rc == DW_OK)
            rc = write_rows(r, make_ngrams, "writing n-grams", e);
        dw_ins_free(r->ins);
        dw_ins_free(r->ins_top);
        dw_topk_free(r->top);
        r->ins = r->ins_top = NULL;
        r->top = NULL;
        dw_buf_free(&r->toprows);
        /* and the groups' figures */
        if (rc == DW_OK)
            rc = dw_ins_open(db, "stats_summary(bucket, n, types, tokens, hapax)", 5, &r->ins, e);
        if (rc == DW_OK)
            rc = dw_ins_exec(r->ins, &r->summary, e);
        dw_ins_free(r->ins);
        r->ins = NULL;
    }
    if (rc == DW_OK)
        rc = write_lengths(r, "tokens", &r->len_tokens, e);
    if (rc == DW_OK)
        rc = write_lengths(r, "chars", &r->len_chars, e);
    if (rc == DW_OK && r->lanes) {
        dw_ins *t = NULL;
        rc = dw_ins_open(db, "stats_cooc_terms(term, count)", 2, &t, e);
        for (uint32_t k = 0; k < r->vocab.n && rc == DW_OK; k++) {
            uint32_t id = r->vocab.order[k];
            if (!r->marg[id])
                continue;
            size_t len;
            const char *w = dw_vocab_word(&r->vocab, id, &len);
            if (dw_ins_put_text(dw_ins_buf(t), w, len) != 0 || dw_ins_put_ratio(dw_ins_buf(t), (int64_t)r->marg[id], r->unit) != 0)
                rc = dw_err_set(e, DW_ENOMEM, "out of memory");
            if (rc == DW_OK)
                rc = dw_ins_row(t, e);
        }
        if (rc == DW_OK)
            rc = dw_ins_flush(t, e);
        dw_ins_free(t);
        if (rc == DW_OK) {
            rc = dw_ins_open(db, "stats_cooc(term_a, term_b, count, pmi, npmi, llr)", 6, &r->ins, e);
            /* the lanes' pairs at or above min_count, ranked, then written */
            report(r, "merging pairs", 0, -1, 1);
            if (rc == DW_OK)
                rc = dw_lanes_finish_wait(r->lanes, &r->sum->pairs, e);
            if (rc == DW_OK)
                rc = write_rows(r, make_pairs, "writing pairs", e);
            dw_ins_free(r->ins);
            r->ins = NULL;
        }
    }
    if (rc == DW_OK) {
        /* SQLite sorts the index in runs of the page cache's size, on
         * helper threads only when its temporary files are files: runs of
         * 4 MiB sorted by --threads threads take a third of the time of one
         * in-memory sort (and keep a large table's sort on disk). The
         * connection's settings are put back as they were. */
        int64_t store = 0, threads = 0, cache = 0;
        rc = dw_db_int(db, "PRAGMA temp_store", &store, e);
        if (rc == DW_OK)
            rc = dw_db_int(db, "PRAGMA threads", &threads, e);
        if (rc == DW_OK)
            rc = dw_db_int(db, "PRAGMA cache_size", &cache, e);
        if (rc == DW_OK) {
            /* each a speed choice: one SQLite refuses (temp_store, once the
             * connection has a temporary database) leaves its setting as it was */
            char sql[3][64];
            snprintf(sql[0], sizeof sql[0], "PRAGMA temp_store=FILE");
            snprintf(sql[1], sizeof sql[1], "PRAGMA threads=%d", o->threads > 1 ? o->threads : 0);
            snprintf(sql[2], sizeof sql[2], "PRAGMA cache_size=-4096");
            for (int i = 0; i < 3; i++)
                sqlite3_exec(db->h, sql[i], NULL, NULL, NULL);
            if (r->lanes)
                report(r, "indexing pairs", 0, -1, 1);
            rc = dw_db_exec(db, "CREATE INDEX IF NOT EXISTS stats_cooc_b ON stats_cooc(term_b)", e);
            snprintf(sql[0], sizeof sql[0], "PRAGMA temp_store=%lld", (long long)store);
            snprintf(sql[1], sizeof sql[1], "PRAGMA threads=%lld", (long long)threads);
            snprintf(sql[2], sizeof sql[2], "PRAGMA cache_size=%lld", (long long)cache);
            for (int i = 0; i < 3; i++)
                sqlite3_exec(db->h, sql[i], NULL, NULL, NULL);
        }
    }
    if (rc == DW_OK) {
        int bad = 0;
        bad |= set_info(db, "ngram_max", "%d", o->ngram_max) != DW_OK;
        bad |= set_info(db, "cooc", "%d", o->cooc) != DW_OK;
        bad |= set_info(db, "window", "%d", o->window) != DW_OK;
        bad |= set_info(db, "scope", "%s", o->scope_article ? "article" : "window") != DW_OK;
        bad |= set_info(db, "weighting", "%s", o->harmonic ? "harmonic" : "none") != DW_OK;
        bad |= set_info(db, "tokenizer", "%s", o->whitespace ? "whitespace" : "words") != DW_OK;
        bad |= set_info(db, "normalize", "%s",
                        !o->normalize ? "none" : (norm_flags & DW_NORM_TEH_MARBUTA) ? "1+teh" : "1") != DW_OK;
        bad |= set_info(db, "all_copies", "%d", o->all_copies) != DW_OK;
        bad |= set_info(db, "per", "%s",
                        o->per_source && o->per_month ? "source,month"
                        : o->per_source               ? "source"
                        : o->per_month                ? "month"
                                                      : "none") != DW_OK;
        bad |= set_info(db, "stopwords", "%s", r->stop_hash) != DW_OK;
        bad |= set_info(db, "min_count", "%lld", (long long)o->min_count) != DW_OK;
        bad |= set_info(db, "unit", "%llu", (unsigned long long)r->unit) != DW_OK;
        bad |= set_info(db, "pair_total", "%llu", (unsigned long long)r->pair_total) != DW_OK;
        bad |= set_info(db, "articles", "%llu", (unsigned long long)r->articles) != DW_OK;
        if (r->articles) { /* the one part of these statistics */
            char sql[160];
            snprintf(sql, sizeof sql, "INSERT INTO stats_parts(part, articles) VALUES ('%016llx%016llx', %llu)",
                     (unsigned long long)r->part[0], (unsigned long long)r->part[1],
                     (unsigned long long)r->articles);
            bad |= sqlite3_exec(db->h, sql, NULL, NULL, NULL) != SQLITE_OK;
        }
        if (r->ng)
            bad |= set_info(db, "top_k", "%d", DW_STATS_TOP_K) != DW_OK;
        if (bad)
            rc = dw_db_fail(db, e, "write statistics");
    }
    return rc;
}

static uint64_t lcm_upto(int w)
{
    uint64_t l = 1;
    for (uint64_t k = 2; k <= (uint64_t)w; k++) {
        uint64_t a = l, b = k;
        while (b) {
            uint64_t t = a % b;
            a = b;
            b = t;
        }
        l = l / a * k;
    }
    return l;
}


/* Removes the spill folders that killed runs left in tmpdir: folders
 * "diwan-stats.PID.*" of this user whose process no longer exists, with the
 * run files in them. Best effort; a live process's folder is never touched. */
static void remove_stale_runs(const char *tmpdir)
{
    DIR *d = opendir(tmpdir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d))) {
        char *end;
        if (strncmp(de->d_name, "diwan-stats.", 12) != 0)
            continue;
        long pid = strtol(de->d_name + 12, &end, 10);
        if (end == de->d_name + 12 || *end != '.' || pid <= 0 || pid == (long)getpid() ||
            kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        char dir[4400];
        struct stat sb;
        snprintf(dir, sizeof dir, "%s/%s", tmpdir, de->d_name);
        if (lstat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode) || sb.st_uid != getuid())
            continue;
        DIR *sub = opendir(dir);
        struct dirent *fe;
        while (sub && (fe = readdir(sub))) {
            if (strncmp(fe->d_name, "run-", 4) != 0)
                continue;
            char f[4700];
            snprintf(f, sizeof f, "%s/%s", dir, fe->d_name);
            unlink(f);
        }
        if (sub)
            closedir(sub);
        rmdir(dir);
    }
    closedir(d);
}

dw_rc dw_stats_run(dw_db *db, const dw_stats_opts *o, dw_stats_summary *sum, dw_err *e)
{
    memset(sum, 0, sizeof *sum);
    if (o->ngram_max < 0 || o->ngram_max > DW_STATS_NGRAM_MAX)
        return dw_err_set(e, DW_EUSAGE, "--ngram-max must be 0 to %d", DW_STATS_NGRAM_MAX);
    if (o->window < 1 || o->window > DW_STATS_WINDOW_MAX)
        return dw_err_set(e, DW_EUSAGE, "--window must be 1 to %d", DW_STATS_WINDOW_MAX);
    if (o->min_count < 0)
        return dw_err_set(e, DW_EUSAGE, "--min-count must not be negative");
    if (o->memory_mb < 32)
        return dw_err_set(e, DW_EUSAGE, "--memory-mb must be at least 32");
    if (o->harmonic && o->scope_article)
        return dw_err_set(e, DW_EUSAGE, "--harmonic needs a window, not --scope article");
    struct stat sb;
    if (stat(o->tmpdir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return dw_err_set(e, DW_EUSAGE, "--tmpdir %s: not a folder", o->tmpdir);
    remove_stale_runs(o->tmpdir);
    char tmpl[4200];
    snprintf(tmpl, sizeof tmpl, "%s/diwan-stats.%ld.XXXXXX", o->tmpdir, (long)getpid());
    if (!mkdtemp(tmpl))
        return dw_err_set(e, DW_EIO, "cannot create a folder in %s: %s", o->tmpdir, strerror(errno));

    run *r = calloc(1, sizeof *r);
    if (r)
        pthread_mutex_init(&r->co_mu, NULL);
    batch bt[2];
    memset(bt, 0, sizeof bt);
    prep_run pr;
    memset(&pr, 0, sizeof pr);
    feed fd;
    memset(&fd, 0, sizeof fd);
    pthread_mutex_init(&pr.job.mu, NULL);
    int workers = o->threads > 1 ? o->threads : 0;
    int nws = workers ? workers : 1;
    pr.tids = calloc((size_t)nws, sizeof *pr.tids);
    pr.args = calloc((size_t)nws, sizeof *pr.args);
    for (int k = 0; k < 2; k++) {
        bt[k].arts = calloc(BATCH_MAX, sizeof(art));
        bt[k].ws = calloc((size_t)nws, sizeof(wspace));
        bt[k].nws = bt[k].ws ? nws : 0;
    }
    sqlite3_stmt *st = NULL;
    dw_rc rc = DW_OK;
    if (!r || !pr.tids || !pr.args || !bt[0].arts || !bt[1].arts || !bt[0].ws || !bt[1].ws) {
        rc = dw_err_set(e, DW_ENOMEM, "out of memory");
        goto done;
    }
    r->o = o;
    r->db = db;
    r->sum = sum;
    r->t0 = dw_now_seconds();
    r->kw = 1 + o->ngram_max;
    r->unit = o->harmonic ? lcm_upto(o->window) : 1;
    /* sqlite's page cache is part of the budget */
    size_t cache_kb = o->memory_mb * 1024 / 16;
    if (cache_kb > 65536)
        cache_kb = 65536;
    char pragma[64];
    snprintf(pragma, sizeof pragma, "PRAGMA cache_size=-%zu", cache_kb);
    sqlite3_exec(db->h, pragma, NULL, NULL, NULL);
    /* the statistics tables are replaced as a whole: their old pages need
     * not be overwritten with zeros (Debian's sqlite is built with
     * SECURE_DELETE, which doubles the writes of the replacement) */
    sqlite3_exec(db->h, "PRAGMA secure_delete=OFF", NULL, NULL, NULL);
    size_t reserve = ((size_t)BASE_MB << 20) + cache_kb * 1024;
    r->budget.limit = (o->memory_mb << 20) > reserve ? (o->memory_mb << 20) - reserve : (8u << 20);
    if (o->budget_bytes)
        r->budget.limit = o->budget_bytes;
    if ((rc = load_stopwords(r, db->norm_flags, e)) != DW_OK)
        goto done;
    if (o->ngram_max > 0 && !(r->ng = dw_counter_new(r->kw, 2, 1, 0, &r->vocab, &r->budget, tmpl))) {
        rc = dw_err_set(e, DW_ENOMEM, "out of memory");
        goto done;
    }
    /* with a core to spare, the n-gram table is sorted and spilled while
     * counting goes on (the counting thread was busy all through a 1-3-gram
     * run, the others nearly idle). Not with co-occurrences: their lanes
     * keep the other cores busy (a default run was no faster, and its peak
     * RSS 844 MB instead of 685 with the second table) */
    if (r->ng && o->threads > 1 && !o->cooc)
        dw_counter_set_background(r->ng);
    r->tmpdir = tmpl;
    if (o->cooc && !(r->lanes = dw_lanes_new(o->threads > 1 ? (o->threads < DW_LANES_MAX ? o->threads : DW_LANES_MAX) : 1,
                                             o->threads > 1, 2, 1, &r->budget, tmpl))) {
        rc = dw_err_set(e, DW_ENOMEM, "out of memory");
        goto done;
    }
    if ((r->ng && pend_init(&r->png, r->ng, NULL, r->kw, 2) != 0) || (r->lanes && pend_init(&r->pco, NULL, r->lanes, 2, 1) != 0)) {
        rc = dw_err_set(e, DW_ENOMEM, "out of memory");
        goto done;
    }
    if (!bucket_get(r, "all", "", e)) {
        rc = DW_ENOMEM;
        goto done;
    }
    /* the articles are read in rowid order, each page once: a page cache
     * of 8 MiB at most while counting (the full one is for the writing;
     * filling 64 MiB of fresh cache only cost page faults, a tenth of the
     * CPU of a raw unigram run) */
    char rpragma[64];
    snprintf(rpragma, sizeof rpragma, "PRAGMA cache_size=-%zu", cache_kb < 8192 ? cache_kb : (size_t)8192);
    sqlite3_exec(db->h, rpragma, NULL, NULL, NULL);
    /* counting: one read transaction, batches tokenized one ahead */
    if ((rc = dw_db_exec(db, "BEGIN", e)) != DW_OK)
        goto done;
    st = dw_db_prepare(db, dw_stats_articles_sql, e);
    if (!st) {
        rc = DW_EDB;
        goto counted;
    }
    sqlite3_bind_int(st, 1, o->all_copies);
    sqlite3_bind_int64(st, 2, o->shards);
    sqlite3_bind_int64(st, 3, o->shard);
    if (o->on_progress && (rc = dw_db_int(db, "SELECT coalesce(max(id), 0) FROM articles", &r->max_id, e)) != DW_OK)
        goto counted;
    report(r, "counting", 0, 0, 1);
    fd.r = r;
    fd.st = st;
    fd.pr = &pr;
    fd.workers = workers;
    feed_start(&fd, &bt[0]);
    rc = feed_join(&fd, e);
    for (int cur = 0; rc == DW_OK;) {
        batch *b = &bt[cur], *nx = &bt[!cur];
        int more = !b->done;
        if (more) /* the next batch read and tokenized meanwhile */
            feed_start(&fd, nx);
        for (size_t i = 0; i < b->n && rc == DW_OK; i++)
            rc = count_art(r, b, &b->arts[i], e);
        if (b->n)
            report(r, "counting", r->articles, r->max_id > 0 ? (double)b->last_id / (double)r->max_id : -1, 0);
        if (more) {
            dw_rc frc = feed_join(&fd, rc == DW_OK ? e : NULL);
            if (rc == DW_OK)
                rc = frc;
        }
        if (!more)
            break;
        cur = !cur;
    }
counted:
    sqlite3_finalize(st);
    st = NULL;
    sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL);
    batch_free(&bt[0]);
    batch_free(&bt[1]);
    if (rc != DW_OK)
        goto done;
    sum->articles = r->articles;
    report(r, "counting", r->articles, 1, 1);
    if ((r->ng && (rc = pend_flush(&r->png, e)) != DW_OK) || (r->lanes && (rc = pend_flush(&r->pco, e)) != DW_OK))
        goto done;
    /* the vocabulary is ranked again from here on: no spill may be reading it */
    if (r->ng && (rc = dw_counter_wait(r->ng, e)) != DW_OK)
        goto done;
    sqlite3_exec(db->h, pragma, NULL, NULL, NULL); /* the full page cache again */
    /* writing: one transaction replaces every statistics table */
    if ((rc = dw_db_exec(db, "BEGIN IMMEDIATE", e)) != DW_OK)
        goto done;
    rc = write_all(r, db->norm_flags, e);
    sum->runs = (r->ng ? dw_counter_runs(r->ng) : 0) + (r->lanes ? dw_lanes_runs(r->lanes) : 0) +
                (r->co ? dw_counter_runs(r->co) : 0);
    if (rc == DW_OK)
        report(r, "committing", 0, -1, 1);
    if (rc == DW_OK)
        rc = dw_db_exec(db, "COMMIT", e);
    else
        sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
done:
    batch_free(&bt[0]);
    batch_free(&bt[1]);
    free(pr.tids);
    free(pr.args);
    pthread_mutex_destroy(&pr.job.mu);
    if (r) {
        pend_free(&r->png);
        pend_free(&r->pco);
        dw_counter_free(r->ng);
        dw_lanes_free(r->lanes); /* first: its streams add to co */
        dw_counter_free(r->co);
        pthread_mutex_destroy(&r->co_mu);
        dw_vocab_free(&r->vocab);
        free(r->stop);
        free(r->marg);
        free(r->uni);
        free(r->slot);
        free(r->kcount);
        free(r->kdist);
        dw_strmap_free(&r->stopwords);
        dw_strmap_free(&r->bucket_ids);
        for (size_t i = 0; i < r->nbuckets; i++)
            free(r->buckets[i].name);
        free(r->buckets);
        free(r->len_tokens.keys);
        free(r->len_tokens.vals);
        free(r->len_chars.keys);
        free(r->len_chars.vals);
        free(r->ids);
        free(r->keys);
        dw_buf_free(&r->term);
        dw_buf_free(&r->summary);
        free(r);
    }
    rmdir(tmpl); /* the counters removed their runs */
    return rc;
}

int dw_stats_info(dw_db *db, const char *key, char *buf, size_t cap, dw_err *e)
{
    buf[0] = '\0';
    sqlite3_stmt *st = dw_db_prepare(db, "SELECT value FROM stats_info WHERE key = ?1", e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int s = sqlite3_step(st), found = s == SQLITE_ROW && sqlite3_column_text(st, 0);
    if (found)
        snprintf(buf, cap, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if (s != SQLITE_ROW && s != SQLITE_DONE)
        return dw_db_fail(db, e, "read statistics"), -1;
    return found;
}

int dw_stats_present(dw_db *db)
{
    int64_t n = 0;
    dw_err e;
    return dw_db_int(db, "SELECT count(*) FROM stats_info", &n, &e) == DW_OK && n > 0;
}
