/* neardup.h: near-duplicate clusters (issue 3). Articles are compared on
 * the set of their word shingles (k consecutive tokens of the normalized
 * body, hashed with XXH3-64); a MinHash signature of n = bands x rows 32-bit
 * values is kept per article, LSH band keys (one 64-bit key per band) in an
 * indexed table. Two articles that share a band key are candidates; a
 * candidate pair is verified on the signature estimate when it is clearly
 * away from the threshold, otherwise on the exact Jaccard of the two shingle
 * sets (recomputed from the bodies). Clusters are the connected components of
 * the verified pairs (union-find), so they depend only on the set of
 * articles, not on the order of ingestion.
 *
 * Representative of a cluster: the earliest dated article (undated last),
 * then the longest (n_chars), then the lowest content hash. cluster_id is the
 * representative's article id. Articles with fewer than min_tokens tokens
 * are "short": they get no band keys and cluster with nothing (exact copies
 * are already one article with several sightings).
 *
 * Stored in articles.cluster_id, cluster_join ('representative' or 'near')
 * and cluster_similarity (Jaccard to the representative), and in the tables
 * neardup_sigs, neardup_bands and neardup_pairs (see schema.sql). */
#ifndef DW_NEARDUP_H
#define DW_NEARDUP_H

#include <stddef.h>
#include <stdint.h>

#include "core/db.h"
#include "core/dw.h"

#define DW_NEARDUP_THRESHOLD 0.8 /* default Jaccard threshold */
#define DW_NEARDUP_SHINGLE 2     /* default words per shingle */
#define DW_NEARDUP_BANDS 20      /* default LSH bands */
#define DW_NEARDUP_ROWS 5        /* default min-hashes per band */
#define DW_NEARDUP_MIN_TOKENS 20 /* default: fewer tokens = short article, exact only */
#define DW_NEARDUP_MARGIN 0.15   /* estimate decides alone when |estimate - threshold| >= this */
#define DW_NEARDUP_MAX_HASHES 512 /* upper bound of bands x rows */
#define DW_NEARDUP_CONTAIN 0.9    /* containment: share of the shorter's shingles found in the longer */
#define DW_NEARDUP_SIZE_RATIO 0.75 /* containment applies when shorter >= this times the longer */

/* Running figures of one dw_neardup_run. */
typedef struct {
    uint64_t articles;       /* articles signed in this run */
    uint64_t short_articles; /* of which short (no band keys) */
    uint64_t candidates;     /* candidate pairs (sharing a band key) examined */
    uint64_t exact_checks;   /* of which verified on the exact Jaccard */
    uint64_t pairs;          /* verified pairs stored (similarity >= threshold) */
    uint64_t clusters;       /* clusters of two or more articles after the run */
    uint64_t clustered;      /* articles in those clusters */
    uint64_t changed;        /* articles whose cluster row was (re)written */
    int reset;               /* 1 when the parameters changed and every signature was recomputed */
    double seconds;          /* wall time */
} dw_neardup_stats;

/* Parameters; dw_neardup_opts_init sets the defaults. Changing any of them
 * on an existing database recomputes every signature (the parameters are
 * recorded in meta.neardup_params). */
typedef struct {
    double threshold; /* Jaccard at or above which two articles are near-duplicates */
    int shingle;      /* words per shingle (1..8) */
    int bands;        /* LSH bands */
    int rows;         /* min-hashes per band; bands x rows <= DW_NEARDUP_MAX_HASHES */
    int min_tokens;   /* articles with fewer tokens are short: exact duplicates only */
    int batch;        /* articles per transaction */
    int threads;      /* threads computing shingles and signatures (1..16); results do not depend on it */
} dw_neardup_opts;

/* Sets the defaults above (batch 2000, 1 thread). */
void dw_neardup_opts_init(dw_neardup_opts *o);

/* Signs every article that has no row in neardup_sigs yet (in id order),
 * finds and verifies its candidates among all signed articles, stores the
 * pairs, then recomputes the clusters of the whole database and rewrites the
 * rows that changed. Each batch of articles is one transaction, the cluster
 * update another: killed at any moment, a rerun gives the same result.
 * Call it outside a transaction, holding the writer lock. Articles that
 * disappeared or whose content hash changed lose their signature first.
 * st may be NULL. Returns DW_OK, DW_EUSAGE for bad options, or DW_EDB/
 * DW_EIO/DW_ENOMEM (the current transaction is rolled back). */
dw_rc dw_neardup_run(dw_db *db, const dw_neardup_opts *o, dw_neardup_stats *st, dw_err *e);

/* The sorted, distinct shingle hashes of text s[0..n) (raw; normalized here
 * with norm_flags, then tokenized): one hash per run of k consecutive tokens
 * (one shingle of all tokens when there are fewer than k, none when there are
 * no tokens). *out is malloc'd (caller frees; NULL when empty), *n_out its
 * length, *n_tokens (may be NULL) the token count. Returns 0, -1 out of
 * memory. */
int dw_neardup_shingles(const char *s, size_t n, unsigned norm_flags, int k, uint64_t **out, size_t *n_out,
                        size_t *n_tokens);

/* Jaccard of two sorted distinct hash sets (1.0 when both are empty). */
/* 1 if one sorted shingle set contains at least DW_NEARDUP_CONTAIN of the
 * other's shingles and the smaller has at least DW_NEARDUP_SIZE_RATIO times
 * the larger's size: truncated copies and copies with a paragraph added. */
int dw_neardup_contained(const uint64_t *a, size_t na, const uint64_t *b, size_t nb);

double dw_neardup_jaccard(const uint64_t *a, size_t na, const uint64_t *b, size_t nb);

/* MinHash: fills sig[0..nhash) with the high 32 bits of the minimum of
 * h_i(x) = a_i * x + c_i (mod 2^64) over the shingles x (a_i odd, a_i and c_i
 * from splitmix64(i)); all 0xffffffff when there is no shingle. */
void dw_neardup_signature(const uint64_t *sh, size_t n, int nhash, uint32_t *sig);
/* The same; portable = 1 forces the portable C loop instead of the AVX-512
 * one chosen at run time where the CPU has it (tests compare the two). */
void dw_neardup_signature_impl(const uint64_t *sh, size_t n, int nhash, uint32_t *sig, int portable);

/* Fraction of equal positions of two signatures of nhash values. */
double dw_neardup_estimate(const uint32_t *a, const uint32_t *b, int nhash);

/* Band key of band `band` (rows values from sig + band * rows), as stored
 * in neardup_bands.band_key. */
int64_t dw_neardup_band_key(const uint32_t *sig, int band, int rows);

/* Probability that a pair of Jaccard j shares at least one band key:
 * 1 - (1 - j^rows)^bands. */
double dw_neardup_candidate_prob(double j, int bands, int rows);

/* What the representative rule looks at. */
typedef struct {
    int64_t id;                  /* article id */
    char published[11];          /* YYYY-MM-DD, or "" when undated */
    int64_t n_chars;             /* length of the normalized body */
    unsigned char content_hash[16]; /* the article key */
} dw_neardup_member;

/* Representative order: < 0 when a comes before b (is the better
 * representative): dated before undated, earliest date, longest, lowest
 * content hash. Never looks at the id. */
int dw_neardup_rep_cmp(const dw_neardup_member *a, const dw_neardup_member *b);

#endif
