/* split.h: dataset releases (`diwan split`): assigns every selected
 * near-duplicate cluster to train, validation or test, and writes the rows
 * as zstd-compressed RFC 4180 CSV with manifest.json, croissant.json and a
 * dataset card README.md. Everything is a function of the database and the
 * options: same inputs give byte-identical files, whatever the thread count.
 *
 * Assignment: a cluster's key is its representative's content_hash (articles
 * with a NULL cluster_id are their own cluster). By default the cluster goes
 * by u = (XXH3-64(key, seed) >> 11) / 2^53: train when u < r_train,
 * validation when u < r_train + r_valid, else test. With stratify, the
 * clusters of each outlet (unknown outlet: one more stratum) are sorted by
 * (XXH3-64(key, seed), key) and cut at counts given by largest-remainder
 * rounding of n * ratio (ties to the earlier split). With by-date, the
 * representative's date: <= train_end train, <= valid_end validation, later
 * test; undated clusters go to train. */
#ifndef DW_SPLIT_H
#define DW_SPLIT_H

#include <stddef.h>
#include <stdint.h>

#include "core/db.h"
#include "core/dw.h"

enum { DW_SPLIT_TRAIN, DW_SPLIT_VALID, DW_SPLIT_TEST, DW_SPLIT_N };

/* Name of a split: "train", "validation", "test". */
const char *dw_split_name(int split);

/* Where a run is, for a progress display (dw_split_opts.on_progress). */
typedef struct {
    const char *phase; /* "assigning" (--stratify), "writing" or "finishing" (closing the
                          files, the figures, the leakage report, the manifest) */
    int64_t rows;      /* rows read for the files so far */
    double frac;       /* share of the rows read, 0..1 (rows come in content-hash order,
                          and the hashes are uniform), or -1 when not known */
    double seconds;    /* since the run started */
} dw_split_progress;

typedef struct {
    double ratios[DW_SPLIT_N];   /* share of train, validation, test (validation 0 with two ratios) */
    int two_way;                 /* 1: --ratios gave two values (train, test) */
    uint64_t seed;               /* --seed */
    int stratify;                /* 1: --stratify source */
    const char *train_end;       /* --by-date: last date of train (YYYY-MM-DD), NULL: hashed */
    const char *valid_end;       /* --by-date: last date of validation, NULL: no validation */
    const char *const *sources;  /* --source names (canonical outlet names or aliases) */
    size_t nsources;             /* how many */
    int64_t min_tokens;          /* --min-tokens */
    const char *since;           /* --since YYYY-MM-DD or NULL */
    const char *until;           /* --until YYYY-MM-DD or NULL */
    int keep_duplicates;         /* 1: every member of a cluster, not only its representative */
    int64_t shard_rows;          /* rows per file, 0: one file per split */
    int level;                   /* zstd level */
    int threads;                 /* zstd worker threads per file (>= 1); >= 2 also runs the CSV writer and
                                    the leakage check in threads of their own (no effect on the output) */
    int leakage;                 /* 1: compute the 13-gram overlap of test with train */
    size_t leak_cap;             /* most 13-gram hashes of train held (sampling beyond) */
    const char *date;            /* --date YYYY-MM-DD written in the card, or NULL */
    int force;                   /* 1: write even if out holds files that are not a release */
    void (*on_progress)(void *ud, const dw_split_progress *p); /* NULL: none. Called on the
                                    calling thread when a phase starts, at most every 0.25 s
                                    within it, and when it ends (p valid during the call only) */
    void *progress_ud;           /* passed to on_progress */
} dw_split_opts;

/* Fills o with the defaults: ratios 0.8/0.1/0.1, seed 0, level 3, one
 * thread, leakage on with a cap of 4194304 hashes. */
void dw_split_opts_init(dw_split_opts *o);

/* What a run did, for the summary line. */
typedef struct {
    int64_t rows[DW_SPLIT_N];    /* rows written per split */
    int64_t files;               /* data files written */
    int64_t clusters;            /* clusters selected */
    int64_t articles;            /* articles of those clusters passing the filters */
    int64_t pairs_across;        /* near-duplicate pairs with ends in two splits */
    int64_t undated;             /* --by-date: rows of undated clusters, all in train */
    int leak_done;               /* 1 when the 13-gram figures below were computed */
    int64_t test_grams;          /* test 13-grams looked up (sampled) */
    int64_t test_grams_in_train; /* of which found in train */
    uint64_t leak_k;             /* sampling modulus of the 13-gram set */
} dw_split_summary;

/* Writes a release of db into the folder out (created when missing; when it
 * exists it may only hold files of an earlier release, unless o->force).
 * Data files are written under temporary names (".diwan-tmp-*") and renamed
 * when complete; manifest.json comes last. Errors: DW_EUSAGE (unknown
 * source, out holds other files), DW_EDB, DW_EIO (cannot write: the
 * temporary files are removed), DW_ENOMEM. */
dw_rc dw_split_run(dw_db *db, const dw_split_opts *o, const char *out, dw_split_summary *sum, dw_err *e);

/* 1 when name is a file a release may hold (data files, manifest.json,
 * croissant.json, README.md, leftovers ".diwan-tmp-*"), else 0. */
int dw_split_is_release_name(const char *name);

#endif
