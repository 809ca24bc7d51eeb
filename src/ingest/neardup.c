/* neardup.c: near-duplicate clusters: shingles, MinHash signatures, LSH band
 * keys in an indexed table, candidate verification, union-find clusters and
 * their storage (see neardup.h for the rules and README "Near-duplicates"
 * for the measurements behind the defaults). */
#include "ingest/neardup.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/hash.h"
#include "core/norm.h"
#include "core/radix.h"
#include "core/tok.h"

#define SEED_TOKEN 0x6e65617264757031ull   /* token hashes */
#define SEED_SHINGLE 0x6e65617264757032ull /* shingle hashes */
#define SEED_BAND 0x6e65617264757033ull    /* band keys (plus the band number) */

void dw_neardup_opts_init(dw_neardup_opts *o)
{
    memset(o, 0, sizeof *o);
    o->threshold = DW_NEARDUP_THRESHOLD;
    o->shingle = DW_NEARDUP_SHINGLE;
    o->bands = DW_NEARDUP_BANDS;
    o->rows = DW_NEARDUP_ROWS;
    o->min_tokens = DW_NEARDUP_MIN_TOKENS;
    o->batch = 2000;
    o->threads = 1;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Sorts v: a radix sort (core/radix.h; on every article's shingles qsort
 * was the stage's largest cost), qsort for a few keys or when no scratch
 * memory is had. */
static void sort_u64(uint64_t *v, size_t n)
{
    if (n <= 64 || dw_radix_sort_u64(v, NULL, n) != 0)
        qsort(v, n, sizeof *v, cmp_u64);
}

/* Sorts and removes repeats; returns the new length. */
static size_t uniq_u64(uint64_t *v, size_t n)
{
    if (n == 0)
        return 0;
    sort_u64(v, n);
    size_t m = 1;
    for (size_t i = 1; i < n; i++)
        if (v[i] != v[m - 1])
            v[m++] = v[i];
    return m;
}

int dw_neardup_shingles(const char *s, size_t n, unsigned norm_flags, int k, uint64_t **out, size_t *n_out,
                        size_t *n_tokens)
{
    *out = NULL;
    *n_out = 0;
    if (n_tokens)
        *n_tokens = 0;
    if (k < 1)
        k = 1;
    dw_buf nb = DW_BUF_INIT;
    if (dw_norm_text(&nb, s, n, norm_flags) < 0)
        return -1;
    size_t cap = 256, nt = 0;
    uint64_t *th = malloc(cap * sizeof *th);
    if (!th) {
        dw_buf_free(&nb);
        return -1;
    }
    dw_tok t;
    dw_token tk;
    dw_tok_init(&t, dw_buf_str(&nb), nb.len);
    while (dw_tok_next(&t, &tk)) {
        if (nt == cap) {
            uint64_t *g = realloc(th, 2 * cap * sizeof *th);
            if (!g) {
                free(th);
                dw_buf_free(&nb);
                return -1;
            }
            th = g;
            cap *= 2;
        }
        th[nt++] = dw_hash64_of(nb.data + tk.off, tk.len, SEED_TOKEN);
    }
    dw_buf_free(&nb);
    if (n_tokens)
        *n_tokens = nt;
    if (nt == 0) {
        free(th);
        return 0;
    }
    size_t ns = nt >= (size_t)k ? nt - (size_t)k + 1 : 1;
    size_t kk = nt >= (size_t)k ? (size_t)k : nt;
    uint64_t *sh = malloc(ns * sizeof *sh);
    if (!sh) {
        free(th);
        return -1;
    }
    for (size_t i = 0; i < ns; i++)
        sh[i] = kk == 1 ? th[i] : dw_hash64_of(th + i, kk * sizeof *th, SEED_SHINGLE);
    free(th);
    *n_out = uniq_u64(sh, ns);
    *out = sh;
    return 0;
}

/* Number of hashes two sorted, distinct sets share. */
static size_t shared_count(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
    size_t i = 0, j = 0, inter = 0;
    while (i < na && j < nb) {
        if (a[i] == b[j]) {
            inter++;
            i++;
            j++;
        } else if (a[i] < b[j]) {
            i++;
        } else {
            j++;
        }
    }
    return inter;
}

int dw_neardup_contained(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
    size_t lo = na < nb ? na : nb, hi = na < nb ? nb : na;
    if (lo == 0 || (double)lo < DW_NEARDUP_SIZE_RATIO * (double)hi)
        return 0;
    return (double)shared_count(a, na, b, nb) >= DW_NEARDUP_CONTAIN * (double)lo;
}

double dw_neardup_jaccard(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
    if (na == 0 && nb == 0)
        return 1.0;
    size_t inter = shared_count(a, na, b, nb);
    return (double)inter / (double)(na + nb - inter);
}

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* The permutation coefficients, the same for every run and platform. */
static void perm_coeffs(int nhash, uint64_t *a, uint64_t *c)
{
    uint64_t st = 0x64697761u; /* "diwa" */
    for (int i = 0; i < nhash; i++) {
        a[i] = splitmix64(&st) | 1u;
        c[i] = splitmix64(&st);
    }
}

/* The minima of a[i] x + c[i] (mod 2^64) over the shingles x, for i below
 * nhash rounded up to 8 (a, c and m hold that many). Portable C. */
static void minhash_scalar(const uint64_t *sh, size_t n, int nhash, const uint64_t *a, const uint64_t *c,
                           uint64_t *m)
{
    for (int i = 0; i < nhash; i++)
        m[i] = UINT64_MAX;
    for (size_t j = 0; j < n; j++) {
        uint64_t x = sh[j];
        for (int i = 0; i < nhash; i++) {
            uint64_t v = a[i] * x + c[i];
            m[i] = v < m[i] ? v : m[i];
        }
    }
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define DW_HAVE_AVX512_PATH 1
/* The same with AVX-512 (64-bit multiply and unsigned minimum of 8 lanes at
 * once): the same integers, so the same signatures, about 6 times faster
 * (the scalar loop was a tenth of the near-dup stage). */
__attribute__((target("avx512f,avx512dq"))) static void minhash_avx512(const uint64_t *sh, size_t n, int nhash,
                                                                       const uint64_t *a, const uint64_t *c,
                                                                       uint64_t *m)
{
    for (int i0 = 0; i0 < nhash; i0 += 8) {
        __m512i va = _mm512_loadu_si512((const void *)(a + i0)), vc = _mm512_loadu_si512((const void *)(c + i0));
        __m512i vm = _mm512_set1_epi64(-1);
        for (size_t j = 0; j < n; j++) {
            __m512i x = _mm512_set1_epi64((long long)sh[j]);
            vm = _mm512_min_epu64(vm, _mm512_add_epi64(_mm512_mullo_epi64(va, x), vc));
        }
        _mm512_storeu_si512((void *)(m + i0), vm);
    }
}
#endif

void dw_neardup_signature_impl(const uint64_t *sh, size_t n, int nhash, uint32_t *sig, int portable)
{
    /* rounded up to whole vectors; the extra lanes are computed and dropped */
    uint64_t a[DW_NEARDUP_MAX_HASHES + 8], c[DW_NEARDUP_MAX_HASHES + 8], m[DW_NEARDUP_MAX_HASHES + 8];
    if (nhash > DW_NEARDUP_MAX_HASHES)
        nhash = DW_NEARDUP_MAX_HASHES;
    int padded = (nhash + 7) / 8 * 8;
    perm_coeffs(padded, a, c);
    (void)portable;
#ifdef DW_HAVE_AVX512_PATH
    if (!portable && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq"))
        minhash_avx512(sh, n, padded, a, c, m);
    else
#endif
        minhash_scalar(sh, n, nhash, a, c, m);
    for (int i = 0; i < nhash; i++)
        sig[i] = (uint32_t)(m[i] >> 32);
}

void dw_neardup_signature(const uint64_t *sh, size_t n, int nhash, uint32_t *sig)
{
    dw_neardup_signature_impl(sh, n, nhash, sig, 0);
}

double dw_neardup_estimate(const uint32_t *a, const uint32_t *b, int nhash)
{
    int eq = 0;
    for (int i = 0; i < nhash; i++)
        eq += a[i] == b[i];
    return nhash > 0 ? (double)eq / nhash : 0.0;
}

int64_t dw_neardup_band_key(const uint32_t *sig, int band, int rows)
{
    unsigned char b[4 * DW_NEARDUP_MAX_HASHES];
    for (int i = 0; i < rows; i++) {
        uint32_t v = sig[band * rows + i];
        b[4 * i] = (unsigned char)v;
        b[4 * i + 1] = (unsigned char)(v >> 8);
        b[4 * i + 2] = (unsigned char)(v >> 16);
        b[4 * i + 3] = (unsigned char)(v >> 24);
    }
    return (int64_t)dw_hash64_of(b, 4 * (size_t)rows, SEED_BAND + (uint64_t)band);
}

double dw_neardup_candidate_prob(double j, int bands, int rows)
{
    return 1.0 - pow(1.0 - pow(j, rows), bands);
}

int dw_neardup_rep_cmp(const dw_neardup_member *a, const dw_neardup_member *b)
{
    int da = a->published[0] != 0, db = b->published[0] != 0;
    if (da != db)
        return da ? -1 : 1;
    if (da) {
        int c = strcmp(a->published, b->published);
        if (c)
            return c;
    }
    if (a->n_chars != b->n_chars)
        return a->n_chars > b->n_chars ? -1 : 1;
    return memcmp(a->content_hash, b->content_hash, 16);
}

/* ---- the stage ---- */

/* Signature blob encoding: little-endian 32-bit values. */
static void sig_encode(const uint32_t *sig, int n, unsigned char *out)
{
    for (int i = 0; i < n; i++) {
        out[4 * i] = (unsigned char)sig[i];
        out[4 * i + 1] = (unsigned char)(sig[i] >> 8);
        out[4 * i + 2] = (unsigned char)(sig[i] >> 16);
        out[4 * i + 3] = (unsigned char)(sig[i] >> 24);
    }
}

static int sig_decode(const void *blob, int bytes, int n, uint32_t *sig)
{
    if (!blob || bytes != 4 * n)
        return -1;
    const unsigned char *p = blob;
    for (int i = 0; i < n; i++)
        sig[i] = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 | (uint32_t)p[4 * i + 2] << 16 |
                 (uint32_t)p[4 * i + 3] << 24;
    return 0;
}

/* State of one run. */
typedef struct {
    dw_db *db;                /* the database (not owned) */
    const dw_neardup_opts *o; /* parameters */
    int nhash;                /* bands x rows */
    dw_neardup_stats *st;     /* figures */
    dw_err *e;                /* error message */
    sqlite3_stmt *q_body;     /* body of an article */
    sqlite3_stmt *q_sig;      /* signature of an article */
    sqlite3_stmt *q_band;     /* articles with a band key */
    sqlite3_stmt *i_sig;      /* insert a signature */
    sqlite3_stmt *i_band;     /* insert a band key */
    sqlite3_stmt *i_pair;     /* insert a verified pair */
    uint64_t *bloom;          /* Bloom filter of every stored band key (owned) */
    uint64_t bloom_mask;      /* its bits - 1 (a power of two) */
    int64_t *bkeys;           /* this batch's band keys, not stored yet: key i (owned) */
    int64_t *bids;            /* and the article of key i (owned) */
    size_t nb, bcap;          /* keys in bkeys, allocated */
    uint32_t *bslot;          /* hash table over bkeys: index + 1, 0 empty (owned) */
    size_t bslot_cap;         /* slots (a power of two) */
} run;

/* ---- band keys: a Bloom filter over the stored ones, the batch's in memory ----
 * Most articles have no near copy: each of their band keys was looked up in
 * the table for nothing (a fifth of the stage). A Bloom filter of the stored
 * keys (loaded once, then kept up to date) answers "not stored" without the
 * table; it never answers "not stored" for a stored key, so the candidates
 * are the same. The keys of the batch being signed are kept in memory and
 * stored sorted when it commits. */

#define BLOOM_PROBES 6
#define BLOOM_MAX_BITS (1ull << 32) /* 512 MiB: past it, more false positives */

static inline uint64_t bloom_probe(uint64_t key, int i)
{
    uint64_t h2 = (key * 0x9E3779B97F4A7C15ull) | 1u;
    return key + (uint64_t)i * h2;
}

static void bloom_add(run *R, int64_t key)
{
    for (int i = 0; i < BLOOM_PROBES; i++) {
        uint64_t b = bloom_probe((uint64_t)key, i) & R->bloom_mask;
        R->bloom[b >> 6] |= 1ull << (b & 63);
    }
}

static int bloom_maybe(const run *R, int64_t key)
{
    for (int i = 0; i < BLOOM_PROBES; i++) {
        uint64_t b = bloom_probe((uint64_t)key, i) & R->bloom_mask;
        if (!(R->bloom[b >> 6] & (1ull << (b & 63))))
            return 0;
    }
    return 1;
}

/* Sizes the filter for the keys stored and to come (16 bits a key) and adds
 * the stored keys (one scan of the table). */
static dw_rc bloom_load(run *R)
{
    int64_t stored = 0, articles = 0;
    dw_rc rc = dw_db_int(R->db, "SELECT count(*) FROM neardup_bands", &stored, R->e);
    if (rc == DW_OK)
        rc = dw_db_int(R->db, "SELECT count(*) FROM articles", &articles, R->e);
    if (rc != DW_OK)
        return rc;
    uint64_t want = (uint64_t)(stored + articles * R->o->bands) * 16, bits = 1u << 16;
    while (bits < want && bits < BLOOM_MAX_BITS)
        bits <<= 1;
    R->bloom = calloc(bits / 64, sizeof *R->bloom);
    if (!R->bloom)
        return dw_err_set(R->e, DW_ENOMEM, "near-dup: out of memory");
    R->bloom_mask = bits - 1;
    if (!stored)
        return DW_OK;
    sqlite3_stmt *q = dw_db_prepare(R->db, "SELECT band_key FROM neardup_bands", R->e);
    if (!q)
        return DW_EDB;
    int r;
    while ((r = sqlite3_step(q)) == SQLITE_ROW)
        bloom_add(R, sqlite3_column_int64(q, 0));
    sqlite3_finalize(q);
    return r == SQLITE_DONE ? DW_OK : dw_db_fail(R->db, R->e, "near-dup: read band keys");
}

static inline size_t bslot_of(const run *R, int64_t key)
{
    return (size_t)(((uint64_t)key * 0x9E3779B97F4A7C15ull) >> 17) & (R->bslot_cap - 1);
}

/* Adds (key, id) to the batch's keys. */
static dw_rc batch_key_add(run *R, int64_t key, int64_t id)
{
    if ((R->nb + 1) * 2 > R->bslot_cap) {
        size_t ncap = R->bslot_cap ? 2 * R->bslot_cap : 4096;
        uint32_t *ns = calloc(ncap, sizeof *ns);
        if (!ns)
            return dw_err_set(R->e, DW_ENOMEM, "near-dup: out of memory");
        free(R->bslot);
        R->bslot = ns;
        R->bslot_cap = ncap;
        for (size_t i = 0; i < R->nb; i++) {
            size_t j = bslot_of(R, R->bkeys[i]);
            while (R->bslot[j])
                j = (j + 1) & (ncap - 1);
            R->bslot[j] = (uint32_t)i + 1;
        }
    }
    if (R->nb == R->bcap) {
        size_t ncap = R->bcap ? 2 * R->bcap : 4096;
        int64_t *k = realloc(R->bkeys, ncap * sizeof *k);
        if (!k)
            return dw_err_set(R->e, DW_ENOMEM, "near-dup: out of memory");
        R->bkeys = k;
        int64_t *d = realloc(R->bids, ncap * sizeof *d);
        if (!d)
            return dw_err_set(R->e, DW_ENOMEM, "near-dup: out of memory");
        R->bids = d;
        R->bcap = ncap;
    }
    size_t j = bslot_of(R, key);
    while (R->bslot[j])
        j = (j + 1) & (R->bslot_cap - 1);
    R->bkeys[R->nb] = key;
    R->bids[R->nb] = id;
    R->bslot[j] = (uint32_t)++R->nb;
    bloom_add(R, key);
    return DW_OK;
}

/* Stores the batch's keys in key order (each leaf of the index visited
 * once) and empties the batch. */
static dw_rc batch_keys_store(run *R)
{
    size_t n = R->nb;
    uint64_t *tmp = malloc((n ? n : 1) * sizeof *tmp);
    if (!tmp)
        return dw_err_set(R->e, DW_ENOMEM, "near-dup: out of memory");
    /* the keys in the index's (signed) order: flipping the sign bit makes
     * it the unsigned order sort_u64 gives; each distinct key once, then its
     * articles from the batch's table */
    for (size_t i = 0; i < n; i++)
        tmp[i] = (uint64_t)R->bkeys[i] ^ (1ull << 63);
    sort_u64(tmp, n);
    dw_rc rc = DW_OK;
    for (size_t i = 0; i < n && rc == DW_OK; i++) {
        if (i && tmp[i] == tmp[i - 1])
            continue;
        int64_t key = (int64_t)(tmp[i] ^ (1ull << 63));
        for (size_t j = bslot_of(R, key); R->bslot[j]; j = (j + 1) & (R->bslot_cap - 1)) {
            size_t x = R->bslot[j] - 1;
            if (R->bkeys[x] != key)
                continue;
            sqlite3_reset(R->i_band);
            sqlite3_bind_int64(R->i_band, 1, key);
            sqlite3_bind_int64(R->i_band, 2, R->bids[x]);
            if (sqlite3_step(R->i_band) != SQLITE_DONE)
                rc = dw_db_fail(R->db, R->e, "near-dup: store band key");
            sqlite3_reset(R->i_band);
        }
    }
    free(tmp);
    R->nb = 0;
    if (R->bslot)
        memset(R->bslot, 0, R->bslot_cap * sizeof *R->bslot);
    return rc;
}

static void run_finalize(run *R)
{
    free(R->bloom);
    free(R->bkeys);
    free(R->bids);
    free(R->bslot);
    R->bloom = NULL;
    R->bkeys = R->bids = NULL;
    R->bslot = NULL;
    sqlite3_finalize(R->q_body);
    sqlite3_finalize(R->q_sig);
    sqlite3_finalize(R->q_band);
    sqlite3_finalize(R->i_sig);
    sqlite3_finalize(R->i_band);
    sqlite3_finalize(R->i_pair);
}

/* Shingles of article id (read from the database). Caller frees *out. */
static dw_rc article_shingles(run *R, int64_t id, uint64_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_reset(R->q_body);
    sqlite3_bind_int64(R->q_body, 1, id);
    int r = sqlite3_step(R->q_body);
    if (r == SQLITE_ROW) {
        const char *b = (const char *)sqlite3_column_text(R->q_body, 0);
        size_t len = (size_t)sqlite3_column_bytes(R->q_body, 0);
        if (dw_neardup_shingles(b ? b : "", len, R->db->norm_flags, R->o->shingle, out, n, NULL) < 0) {
            sqlite3_reset(R->q_body);
            return dw_err_set(R->e, DW_ENOMEM, "near-dup: out of memory");
        }
    } else if (r != SQLITE_DONE) {
        return dw_db_fail(R->db, R->e, "near-dup: read article body");
    }
    sqlite3_reset(R->q_body);
    return DW_OK;
}

/* Reads the signature of a signed article; *has = 0 when it has none. */
static dw_rc article_sig(run *R, int64_t id, uint32_t *sig, int *has)
{
    *has = 0;
    sqlite3_reset(R->q_sig);
    sqlite3_bind_int64(R->q_sig, 1, id);
    int r = sqlite3_step(R->q_sig);
    if (r == SQLITE_ROW)
        *has = sig_decode(sqlite3_column_blob(R->q_sig, 0), sqlite3_column_bytes(R->q_sig, 0), R->nhash, sig) == 0;
    else if (r != SQLITE_DONE)
        return dw_db_fail(R->db, R->e, "near-dup: read signature");
    sqlite3_reset(R->q_sig);
    return DW_OK;
}

/* Verifies candidate pair (id, cand): the estimate decides when it is at
 * least the margin above the threshold or below it; otherwise the exact sets
 * decide: the Jaccard reaches the threshold, or one article contains the
 * other (a truncated copy, a copy with a paragraph added): at least
 * DW_NEARDUP_CONTAIN of the shorter's shingles are in the longer, which has
 * at most 1 / DW_NEARDUP_SIZE_RATIO times as many. */
static dw_rc verify(run *R, int64_t id, const uint32_t *sig, const uint64_t *sh, size_t nsh, int64_t cand)
{
    uint32_t csig[DW_NEARDUP_MAX_HASHES];
    int has;
    dw_rc rc = article_sig(R, cand, csig, &has);
    if (rc != DW_OK || !has)
        return rc;
    R->st->candidates++;
    double est = dw_neardup_estimate(sig, csig, R->nhash), sim = est;
    int exact = 0, contained = 0;
    if (fabs(est - R->o->threshold) < DW_NEARDUP_MARGIN) {
        uint64_t *csh;
        size_t ncsh;
        if ((rc = article_shingles(R, cand, &csh, &ncsh)) != DW_OK)
            return rc;
        sim = dw_neardup_jaccard(sh, nsh, csh, ncsh);
        contained = dw_neardup_contained(sh, nsh, csh, ncsh);
        free(csh);
        exact = 1;
        R->st->exact_checks++;
    }
    if (sim < R->o->threshold && !contained)
        return DW_OK;
    sqlite3_reset(R->i_pair);
    sqlite3_bind_int64(R->i_pair, 1, cand < id ? cand : id);
    sqlite3_bind_int64(R->i_pair, 2, cand < id ? id : cand);
    sqlite3_bind_double(R->i_pair, 3, sim);
    sqlite3_bind_int(R->i_pair, 4, exact);
    if (sqlite3_step(R->i_pair) != SQLITE_DONE)
        return dw_db_fail(R->db, R->e, "near-dup: store pair");
    sqlite3_reset(R->i_pair);
    R->st->pairs++;
    return DW_OK;
}

/* An article read for signing, with what the workers computed from it. */
typedef struct {
    int64_t id;              /* articles.id */
    char *body;              /* raw body (owned) */
    size_t len;              /* its length */
    unsigned char hash[16];  /* content_hash */
    int hash_len;            /* its length (16) */
    uint64_t *sh;            /* sorted distinct shingle hashes (owned), NULL when oom */
    size_t nsh;              /* shingles */
    size_t ntok;             /* tokens */
    int oom;                 /* 1: out of memory computing them */
    uint32_t sig[DW_NEARDUP_MAX_HASHES]; /* MinHash signature (articles that are not short) */
} batch_row;

/* Shingles and signatures of a batch, computed by worker threads: the
 * CPU-bound part of the stage, while the table work stays on one thread in
 * id order (so the pairs found do not depend on the thread count). */
typedef struct {
    batch_row *rows;          /* the batch */
    size_t n;                 /* rows */
    const dw_neardup_opts *o; /* parameters */
    unsigned norm_flags;      /* of the database */
    int nhash;                /* bands x rows */
    size_t next;              /* next row to take (under mu) */
    pthread_mutex_t mu;       /* guards next */
} sign_job;

static void *sign_worker(void *arg)
{
    sign_job *j = arg;
    for (;;) {
        pthread_mutex_lock(&j->mu);
        size_t i = j->next;
        j->next += 8;
        pthread_mutex_unlock(&j->mu);
        if (i >= j->n)
            break;
        for (size_t k = i; k < i + 8 && k < j->n; k++) {
            batch_row *w = &j->rows[k];
            w->oom = dw_neardup_shingles(w->body, w->len, j->norm_flags, j->o->shingle, &w->sh, &w->nsh, &w->ntok) < 0;
            if (!w->oom && w->ntok >= (size_t)j->o->min_tokens)
                dw_neardup_signature(w->sh, w->nsh, j->nhash, w->sig);
        }
    }
    return NULL;
}

/* Computes the shingles and signatures of rows[0..n) with threads workers
 * (on this thread when 1, or when no thread starts). */
static void sign_batch(batch_row *rows, size_t n, const dw_neardup_opts *o, unsigned norm_flags, int nhash)
{
    sign_job j = {rows, n, o, norm_flags, nhash, 0, PTHREAD_MUTEX_INITIALIZER};
    pthread_t tids[16];
    int nt = 0, want = o->threads < 1 ? 1 : o->threads > 16 ? 16 : o->threads;
    for (int i = 0; want > 1 && i < want - 1; i++)
        if (pthread_create(&tids[nt], NULL, sign_worker, &j) == 0)
            nt++;
    sign_worker(&j); /* this thread works too */
    for (int i = 0; i < nt; i++)
        pthread_join(tids[i], NULL);
    pthread_mutex_destroy(&j.mu);
}

/* Appends id to the candidates (*v, *n used, *cap allocated; the caller
 * frees *v). 0, or -1 when out of memory (*v unchanged). */
static int cand_push(int64_t **v, size_t *n, size_t *cap, int64_t id)
{
    if (*n == *cap) {
        size_t ncap = *cap ? 2 * *cap : 64;
        int64_t *g = realloc(*v, ncap * sizeof *g);
        if (!g)
            return -1;
        *v = g;
        *cap = ncap;
    }
    (*v)[(*n)++] = id;
    return 0;
}

/* Verifies the candidates of a signed article (w: its shingles and
 * signature) among the articles signed before it, stores its signature and
 * band keys. */
static dw_rc sign_article(run *R, batch_row *w)
{
    if (w->oom)
        return dw_err_set(R->e, DW_ENOMEM, "near-dup: out of memory");
    int64_t id = w->id;
    const uint64_t *sh = w->sh;
    size_t nsh = w->nsh;
    const uint32_t *sig = w->sig;
    const void *hash = w->hash;
    int hash_len = w->hash_len;
    dw_rc rc = DW_OK;
    int is_short = w->ntok < (size_t)R->o->min_tokens;
    unsigned char blob[4 * DW_NEARDUP_MAX_HASHES];
    int64_t keys[DW_NEARDUP_MAX_HASHES];
    int64_t *cands = NULL;
    size_t nc = 0, cc = 0;
    R->st->articles++;
    if (is_short) {
        R->st->short_articles++;
    } else {
        for (int b = 0; b < R->o->bands; b++) {
            keys[b] = dw_neardup_band_key(sig, b, R->o->rows);
            /* articles of this batch with the key */
            for (size_t j = R->bslot_cap ? bslot_of(R, keys[b]) : 0; R->bslot_cap && R->bslot[j];
                 j = (j + 1) & (R->bslot_cap - 1)) {
                size_t x = R->bslot[j] - 1;
                if (R->bkeys[x] != keys[b])
                    continue;
                if (cand_push(&cands, &nc, &cc, R->bids[x]) != 0) {
                    rc = dw_err_set(R->e, DW_ENOMEM, "near-dup: out of memory");
                    goto out;
                }
            }
            if (!bloom_maybe(R, keys[b]))
                continue; /* stored by no earlier batch */
            sqlite3_reset(R->q_band);
            sqlite3_bind_int64(R->q_band, 1, keys[b]);
            int r;
            while ((r = sqlite3_step(R->q_band)) == SQLITE_ROW) {
                if (cand_push(&cands, &nc, &cc, sqlite3_column_int64(R->q_band, 0)) != 0) {
                    rc = dw_err_set(R->e, DW_ENOMEM, "near-dup: out of memory");
                    goto out;
                }
            }
            if (r != SQLITE_DONE) {
                rc = dw_db_fail(R->db, R->e, "near-dup: read band keys");
                goto out;
            }
            sqlite3_reset(R->q_band);
        }
        if (nc)
            qsort(cands, nc, sizeof *cands, cmp_i64);
        for (size_t i = 0; i < nc && rc == DW_OK; i++)
            if ((i == 0 || cands[i] != cands[i - 1]) && cands[i] != id)
                rc = verify(R, id, sig, sh, nsh, cands[i]);
        if (rc != DW_OK)
            goto out;
        for (int b = 0; b < R->o->bands && rc == DW_OK; b++)
            rc = batch_key_add(R, keys[b], id);
        if (rc != DW_OK)
            goto out;
        sig_encode(sig, R->nhash, blob);
    }
    sqlite3_reset(R->i_sig);
    sqlite3_bind_int64(R->i_sig, 1, id);
    sqlite3_bind_blob(R->i_sig, 2, hash, hash_len, SQLITE_TRANSIENT);
    sqlite3_bind_int64(R->i_sig, 3, (sqlite3_int64)nsh);
    if (is_short)
        sqlite3_bind_null(R->i_sig, 4);
    else
        sqlite3_bind_blob(R->i_sig, 4, blob, 4 * R->nhash, SQLITE_TRANSIENT);
    if (sqlite3_step(R->i_sig) != SQLITE_DONE)
        rc = dw_db_fail(R->db, R->e, "near-dup: store signature");
    sqlite3_reset(R->i_sig);
out:
    free(cands);
    return rc;
}

/* Drops the state of articles that were deleted or whose content changed
 * (their id may be reused), and everything when the parameters changed. */
static dw_rc drop_stale(run *R, const char *params)
{
    dw_rc rc;
    char old[256] = "";
    int have = dw_db_meta_get(R->db, "neardup_params", old, sizeof old);
    if (have < 0)
        return dw_db_fail(R->db, R->e, "near-dup: read meta");
    if (have == 0 || strcmp(old, params) != 0) {
        int64_t any = 0;
        if ((rc = dw_db_int(R->db, "SELECT count(*) FROM neardup_sigs", &any, R->e)) != DW_OK)
            return rc;
        R->st->reset = any > 0;
        rc = dw_db_exec(R->db,
                        "DELETE FROM neardup_sigs; DELETE FROM neardup_bands; DELETE FROM neardup_pairs;"
                        "UPDATE articles SET cluster_id = NULL, cluster_join = NULL, cluster_similarity = NULL "
                        "WHERE cluster_id IS NOT NULL",
                        R->e);
        return rc == DW_OK ? dw_db_meta_set(R->db, "neardup_params", params, R->e) : rc;
    }
    sqlite3_stmt *q = dw_db_prepare(R->db,
                                    "SELECT s.article_id, s.sig FROM neardup_sigs s LEFT JOIN articles a "
                                    "ON a.id = s.article_id WHERE a.id IS NULL OR a.content_hash != s.content_hash",
                                    R->e);
    sqlite3_stmt *d_band = dw_db_prepare(R->db, "DELETE FROM neardup_bands WHERE band_key = ?1 AND article_id = ?2", R->e);
    sqlite3_stmt *d_pair = dw_db_prepare(R->db, "DELETE FROM neardup_pairs WHERE a = ?1 OR b = ?1", R->e);
    sqlite3_stmt *d_sig = dw_db_prepare(R->db, "DELETE FROM neardup_sigs WHERE article_id = ?1", R->e);
    rc = q && d_band && d_pair && d_sig ? DW_OK : DW_EDB;
    /* collect first, then delete */
    int64_t *ids = NULL;
    uint32_t *sigs = NULL;
    unsigned char *has = NULL;
    size_t n = 0, cap = 0, nh = (size_t)R->nhash;
    int r = SQLITE_DONE;
    while (rc == DW_OK && (r = sqlite3_step(q)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            int64_t *g = realloc(ids, cap * sizeof *ids);
            if (g)
                ids = g;
            uint32_t *h = g ? realloc(sigs, cap * nh * sizeof *sigs) : NULL;
            if (h)
                sigs = h;
            unsigned char *f = h ? realloc(has, cap) : NULL;
            if (f)
                has = f;
            if (!f) {
                rc = dw_err_set(R->e, DW_ENOMEM, "near-dup: out of memory");
                break;
            }
        }
        ids[n] = sqlite3_column_int64(q, 0);
        has[n] = sig_decode(sqlite3_column_blob(q, 1), sqlite3_column_bytes(q, 1), R->nhash, sigs + n * nh) == 0;
        n++;
    }
    if (rc == DW_OK && r != SQLITE_DONE)
        rc = dw_db_fail(R->db, R->e, "near-dup: find stale signatures");
    sqlite3_reset(q);
    for (size_t i = 0; i < n && rc == DW_OK; i++) {
        for (int b = 0; has[i] && b < R->o->bands && rc == DW_OK; b++) {
            sqlite3_reset(d_band);
            sqlite3_bind_int64(d_band, 1, dw_neardup_band_key(sigs + i * nh, b, R->o->rows));
            sqlite3_bind_int64(d_band, 2, ids[i]);
            if (sqlite3_step(d_band) != SQLITE_DONE)
                rc = dw_db_fail(R->db, R->e, "near-dup: drop band key");
        }
        sqlite3_reset(d_pair);
        sqlite3_bind_int64(d_pair, 1, ids[i]);
        sqlite3_reset(d_sig);
        sqlite3_bind_int64(d_sig, 1, ids[i]);
        if (rc == DW_OK && (sqlite3_step(d_pair) != SQLITE_DONE || sqlite3_step(d_sig) != SQLITE_DONE))
            rc = dw_db_fail(R->db, R->e, "near-dup: drop stale signature");
    }
    free(has);
    free(ids);
    free(sigs);
    sqlite3_finalize(q);
    sqlite3_finalize(d_band);
    sqlite3_finalize(d_pair);
    sqlite3_finalize(d_sig);
    return rc;
}

/* One article as the clustering sees it. */
typedef struct {
    dw_neardup_member m;  /* representative-rule fields */
    int64_t cid;          /* stored cluster_id (-1: NULL) */
    int join;             /* stored join: 0 NULL, 1 representative, 2 near */
    double sim;           /* stored similarity (NAN: NULL) */
    size_t parent;        /* union-find parent */
} node;

static size_t uf_find(node *v, size_t i)
{
    while (v[i].parent != i) {
        v[i].parent = v[v[i].parent].parent;
        i = v[i].parent;
    }
    return i;
}

static size_t node_index(const node *v, size_t n, int64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid].m.id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && v[lo].m.id == id ? lo : (size_t)-1;
}

/* Order of indices: by root, then representative order within the root. */
static node *sort_nodes;
static int cmp_members(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    size_t rx = sort_nodes[x].parent, ry = sort_nodes[y].parent; /* roots (flattened before sorting) */
    if (rx != ry)
        return rx < ry ? -1 : 1;
    int c = dw_neardup_rep_cmp(&sort_nodes[x].m, &sort_nodes[y].m);
    return c ? c : (x < y ? -1 : x > y);
}

/* Recomputes the clusters of the whole database from neardup_pairs and
 * rewrites the articles whose cluster row differs. One transaction. */
static dw_rc recluster(run *R)
{
    dw_rc rc = DW_OK;
    node *v = NULL;
    size_t *ord = NULL;
    size_t n = 0, cap = 0;
    sqlite3_stmt *qa = dw_db_prepare(R->db,
                                     "SELECT id, coalesce(published, ''), n_chars, content_hash, cluster_id, "
                                     "cluster_join, cluster_similarity FROM articles ORDER BY id",
                                     R->e);
    sqlite3_stmt *qp = dw_db_prepare(R->db, "SELECT a, b FROM neardup_pairs", R->e);
    sqlite3_stmt *up = dw_db_prepare(R->db,
                                     "UPDATE articles SET cluster_id = ?2, cluster_join = ?3, "
                                     "cluster_similarity = ?4 WHERE id = ?1",
                                     R->e);
    if (!qa || !qp || !up) {
        rc = DW_EDB;
        goto out;
    }
    int r;
    while ((r = sqlite3_step(qa)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? 2 * cap : 1024;
            node *g = realloc(v, cap * sizeof *v);
            if (!g) {
                rc = dw_err_set(R->e, DW_ENOMEM, "near-dup: out of memory");
                goto out;
            }
            v = g;
        }
        node *x = &v[n];
        memset(x, 0, sizeof *x);
        x->m.id = sqlite3_column_int64(qa, 0);
        snprintf(x->m.published, sizeof x->m.published, "%s", (const char *)sqlite3_column_text(qa, 1));
        x->m.n_chars = sqlite3_column_int64(qa, 2);
        int hb = sqlite3_column_bytes(qa, 3);
        if (hb > 0)
            memcpy(x->m.content_hash, sqlite3_column_blob(qa, 3), hb < 16 ? (size_t)hb : 16);
        x->cid = sqlite3_column_type(qa, 4) == SQLITE_NULL ? -1 : sqlite3_column_int64(qa, 4);
        const char *j = (const char *)sqlite3_column_text(qa, 5);
        x->join = !j ? 0 : strcmp(j, "representative") == 0 ? 1 : 2;
        x->sim = sqlite3_column_type(qa, 6) == SQLITE_NULL ? NAN : sqlite3_column_double(qa, 6);
        x->parent = n;
        n++;
    }
    if (r != SQLITE_DONE) {
        rc = dw_db_fail(R->db, R->e, "near-dup: read articles");
        goto out;
    }
    while ((r = sqlite3_step(qp)) == SQLITE_ROW) {
        size_t a = node_index(v, n, sqlite3_column_int64(qp, 0));
        size_t b = node_index(v, n, sqlite3_column_int64(qp, 1));
        if (a == (size_t)-1 || b == (size_t)-1)
            continue;
        a = uf_find(v, a);
        b = uf_find(v, b);
        if (a != b) {
            if (a < b)
                v[b].parent = a;
            else
                v[a].parent = b;
        }
    }
    if (r != SQLITE_DONE) {
        rc = dw_db_fail(R->db, R->e, "near-dup: read pairs");
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        v[i].parent = uf_find(v, i);
    ord = malloc((n ? n : 1) * sizeof *ord);
    if (!ord) {
        rc = dw_err_set(R->e, DW_ENOMEM, "near-dup: out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        ord[i] = i;
    sort_nodes = v;
    qsort(ord, n, sizeof *ord, cmp_members);
    sort_nodes = NULL;
    for (size_t s = 0; s < n && rc == DW_OK;) {
        size_t e2 = s + 1;
        while (e2 < n && v[ord[e2]].parent == v[ord[s]].parent)
            e2++;
        node *rep = &v[ord[s]];
        int dirty = 0;
        for (size_t k = s; k < e2; k++) {
            node *x = &v[ord[k]];
            if (x->cid != rep->m.id || x->join != (k == s ? 1 : 2) || isnan(x->sim))
                dirty = 1;
        }
        if (e2 - s > 1) {
            R->st->clusters++;
            R->st->clustered += e2 - s;
        }
        if (dirty) {
            uint64_t *rsh = NULL;
            size_t nrsh = 0;
            if (e2 - s > 1)
                rc = article_shingles(R, rep->m.id, &rsh, &nrsh);
            for (size_t k = s; k < e2 && rc == DW_OK; k++) {
                node *x = &v[ord[k]];
                double sim = 1.0;
                if (k > s) {
                    uint64_t *xsh;
                    size_t nxsh;
                    if ((rc = article_shingles(R, x->m.id, &xsh, &nxsh)) != DW_OK)
                        break;
                    sim = dw_neardup_jaccard(rsh, nrsh, xsh, nxsh);
                    free(xsh);
                }
                if (x->cid == rep->m.id && x->join == (k == s ? 1 : 2) && x->sim == sim)
                    continue;
                sqlite3_reset(up);
                sqlite3_bind_int64(up, 1, x->m.id);
                sqlite3_bind_int64(up, 2, rep->m.id);
                sqlite3_bind_text(up, 3, k == s ? "representative" : "near", -1, SQLITE_STATIC);
                sqlite3_bind_double(up, 4, sim);
                if (sqlite3_step(up) != SQLITE_DONE)
                    rc = dw_db_fail(R->db, R->e, "near-dup: store cluster");
                R->st->changed++;
            }
            free(rsh);
        }
        s = e2;
    }
out:
    sqlite3_finalize(qa);
    sqlite3_finalize(qp);
    sqlite3_finalize(up);
    free(v);
    free(ord);
    return rc;
}


dw_rc dw_neardup_run(dw_db *db, const dw_neardup_opts *o, dw_neardup_stats *st, dw_err *e)
{
    dw_neardup_stats local;
    if (!st)
        st = &local;
    memset(st, 0, sizeof *st);
    double t0 = dw_now_seconds();
    if (!(o->threshold > 0.0 && o->threshold <= 1.0))
        return dw_err_set(e, DW_EUSAGE, "near-dup threshold must be in (0, 1], not %g", o->threshold);
    if (o->shingle < 1 || o->shingle > 8 || o->bands < 1 || o->rows < 1 ||
        o->bands * o->rows > DW_NEARDUP_MAX_HASHES || o->min_tokens < 0 || o->batch < 1 || o->threads < 1)
        return dw_err_set(e, DW_EUSAGE, "near-dup: bad parameters (shingle 1-8, bands x rows 1-%d)",
                          DW_NEARDUP_MAX_HASHES);
    run R = {0};
    R.db = db;
    R.o = o;
    R.nhash = o->bands * o->rows;
    R.st = st;
    R.e = e;
    char params[256];
    snprintf(params, sizeof params, "threshold=%.6g shingle=%d bands=%d rows=%d min_tokens=%d", o->threshold,
             o->shingle, o->bands, o->rows, o->min_tokens);
    dw_rc rc = dw_db_exec(db, "BEGIN IMMEDIATE", e);
    if (rc != DW_OK)
        return rc;
    rc = drop_stale(&R, params);
    if (rc == DW_OK)
        rc = dw_db_exec(db, "COMMIT", e);
    if (rc != DW_OK)
        goto fail;
    R.q_body = dw_db_prepare(db, "SELECT body FROM articles WHERE id = ?1", e);
    R.q_sig = dw_db_prepare(db, "SELECT sig FROM neardup_sigs WHERE article_id = ?1", e);
    R.q_band = dw_db_prepare(db, "SELECT article_id FROM neardup_bands WHERE band_key = ?1", e);
    R.i_sig = dw_db_prepare(db,
                            "INSERT OR REPLACE INTO neardup_sigs(article_id, content_hash, n_shingles, sig) "
                            "VALUES (?1, ?2, ?3, ?4)",
                            e);
    R.i_band = dw_db_prepare(db, "INSERT OR IGNORE INTO neardup_bands(band_key, article_id) VALUES (?1, ?2)", e);
    R.i_pair = dw_db_prepare(db,
                             "INSERT OR REPLACE INTO neardup_pairs(a, b, similarity, exact) VALUES (?1, ?2, ?3, ?4)",
                             e);
    sqlite3_stmt *q_new = dw_db_prepare(db,
                                        "SELECT a.id, a.body, a.content_hash FROM articles a WHERE a.id > ?1 "
                                        "AND NOT EXISTS (SELECT 1 FROM neardup_sigs s WHERE s.article_id = a.id) "
                                        "ORDER BY a.id LIMIT ?2",
                                        e);
    if (!R.q_body || !R.q_sig || !R.q_band || !R.i_sig || !R.i_band || !R.i_pair || !q_new) {
        sqlite3_finalize(q_new);
        rc = DW_EDB;
        goto fail;
    }
    if ((rc = bloom_load(&R)) != DW_OK) {
        sqlite3_finalize(q_new);
        goto fail;
    }
    int64_t last = -1;
    batch_row *rows = NULL;
    size_t bcap = 0;
    for (;;) {
        if ((rc = dw_db_exec(db, "BEGIN IMMEDIATE", e)) != DW_OK)
            break;
        size_t got = 0;
        int r = SQLITE_DONE;
        sqlite3_reset(q_new);
        sqlite3_bind_int64(q_new, 1, last);
        sqlite3_bind_int(q_new, 2, o->batch);
        /* read the batch first, then sign it (no writes under an open cursor) */
        while (rc == DW_OK && (r = sqlite3_step(q_new)) == SQLITE_ROW) {
            if (got == bcap) {
                size_t ncap = bcap ? 2 * bcap : 256;
                batch_row *g = realloc(rows, ncap * sizeof *g);
                if (!g) {
                    rc = dw_err_set(e, DW_ENOMEM, "near-dup: out of memory");
                    break;
                }
                rows = g;
                bcap = ncap;
            }
            batch_row *w = &rows[got];
            w->id = sqlite3_column_int64(q_new, 0);
            w->sh = NULL;
            w->oom = 0;
            w->len = (size_t)sqlite3_column_bytes(q_new, 1);
            w->body = malloc(w->len + 1);
            int hl = sqlite3_column_bytes(q_new, 2);
            w->hash_len = hl > 16 ? 16 : hl;
            if (!w->body) {
                rc = dw_err_set(e, DW_ENOMEM, "near-dup: out of memory");
                break;
            }
            if (w->len)
                memcpy(w->body, sqlite3_column_text(q_new, 1), w->len);
            w->body[w->len] = 0;
            if (w->hash_len > 0)
                memcpy(w->hash, sqlite3_column_blob(q_new, 2), (size_t)w->hash_len);
            got++;
        }
        if (rc == DW_OK && r != SQLITE_DONE)
            rc = dw_db_fail(db, e, "near-dup: read new articles");
        sqlite3_reset(q_new);
        if (rc == DW_OK)
            sign_batch(rows, got, o, db->norm_flags, R.nhash);
        for (size_t i = 0; i < got; i++) {
            if (rc == DW_OK)
                rc = sign_article(&R, &rows[i]);
            free(rows[i].body);
            free(rows[i].sh);
            rows[i].sh = NULL;
        }
        if (got)
            last = rows[got - 1].id;
        if (rc == DW_OK)
            rc = batch_keys_store(&R);
        if (rc == DW_OK)
            rc = dw_db_exec(db, "COMMIT", e);
        if (rc != DW_OK || got == 0)
            break;
    }
    sqlite3_finalize(q_new);
    free(rows);
    if (rc != DW_OK)
        goto fail;
    if ((rc = dw_db_exec(db, "BEGIN IMMEDIATE", e)) != DW_OK)
        goto fail;
    rc = recluster(&R);
    if (rc == DW_OK)
        rc = dw_db_exec(db, "COMMIT", e);
    if (rc != DW_OK)
        goto fail;
    run_finalize(&R);
    st->seconds = dw_now_seconds() - t0;
    return DW_OK;
fail:
    run_finalize(&R);
    if (!sqlite3_get_autocommit(db->h))
        sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
    st->seconds = dw_now_seconds() - t0;
    return rc;
}
