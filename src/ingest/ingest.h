/* ingest.h: the ingest stage. Reads inputs (files, folders, "-", .zst, JSON
 * records), parses pages into articles, deduplicates them exactly on their
 * normalized body and stores articles, sightings, keywords, sources and
 * quarantined inputs in the database.
 *
 * Crash safety: work is committed in batches; a file is marked done only in
 * the transaction that commits its last batch; every insert is idempotent
 * (unique keys), so a rerun after a kill finishes the job with the same
 * result. Determinism: articles are written in input order whatever the
 * number of threads. After the inputs, the near-duplicate stage (neardup.h)
 * signs the new articles and updates the clusters. */
#ifndef DW_INGEST_H
#define DW_INGEST_H

#include <stdint.h>

#include "core/dw.h"

/* Running figures, also the final summary. */
typedef struct {
    uint64_t inputs;        /* input files named or found in folders */
    uint64_t files_done;    /* files read to the end in this run */
    uint64_t files_skipped; /* files unchanged since an earlier ingest */
    uint64_t files_failed;  /* files that could not be read to the end (corrupt, unreadable) */
    uint64_t raw_total;     /* bytes on disk of the inputs to read (0 if unknown) */
    uint64_t raw_bytes;     /* bytes on disk read so far */
    uint64_t bytes;         /* decoded bytes read */
    uint64_t pages;         /* pages and records read */
    uint64_t sightings;     /* articles found (new sightings stored) */
    uint64_t new_articles;  /* articles not seen before */
    uint64_t duplicates;    /* sightings of an article already stored */
    uint64_t quarantined;   /* inputs or parts set aside, with a reason */
    uint64_t bad_bytes;     /* invalid UTF-8 bytes replaced by U+FFFD */
    int near_dup_ran;       /* 1 if the near-duplicate stage ran */
    uint64_t nd_pairs;      /* near-duplicate pairs found in this run */
    uint64_t nd_clusters;   /* clusters of two or more articles in the database */
    uint64_t nd_clustered;  /* articles in those clusters */
    double nd_seconds;      /* wall time of the near-duplicate stage */
    double seconds;         /* wall time */
} dw_ingest_stats;

typedef struct {
    const char *encoding;     /* source encoding of every input (iconv name), NULL for UTF-8 */
    const char *sources_file; /* user aliases (TSV alias<TAB>canonical), or NULL */
    unsigned norm_flags;      /* normalization flags for a new database (DW_NORM_*) */
    int strict;               /* non-zero: any quarantined input makes the run fail */
    int threads;              /* parsing threads (>= 1); the database writer is one more */
    const char *tmpdir;       /* where stdin is spooled (NULL: $TMPDIR or /tmp) */
    int no_near_dup;          /* non-zero: skip the near-duplicate stage */
    int reread;               /* non-zero: read every input again, as if it had changed (what it gave
                                 before is replaced), e.g. after an upgrade whose page rules changed */
    double near_dup_threshold; /* Jaccard threshold of near-duplicates (0: the default) */
    /* Called for each warning (bad bytes, quarantined input; is_error 0)
     * and each input that cannot be read (is_error 1); msg names the file
     * and offset. May be NULL. */
    void (*on_message)(void *ud, int is_error, const char *msg);
    /* Called about 4 times a second with the running figures and the current
     * input. May be NULL. */
    void (*on_progress)(void *ud, const dw_ingest_stats *s, const char *path);
    void *ud; /* passed to the callbacks */
} dw_ingest_opts;

/* Ingests inputs into the database at db_path (created when missing).
 * Returns DW_OK; DW_EINPUT when some input could not be read (others were
 * ingested; each was reported through on_message, e says how many); DW_EUSAGE for bad options; DW_EDB/DW_EIO/
 * DW_ENOMEM when the database cannot be written (the current batch is rolled
 * back, what was committed stays). stats is filled in every case. */
dw_rc dw_ingest_run(const char *db_path, const char *const *inputs, int n_inputs, const dw_ingest_opts *o,
                    dw_ingest_stats *stats, dw_err *e);

/* Stores the 13-gram sample (content_grams) of every article of the
 * existing database at db_path that has none (ingested by a diwan that did
 * not store them), computed from its stored body exactly as ingest
 * computes it, BACKFILL_CHUNK articles per transaction: a run killed at any
 * moment keeps what it committed, and a rerun does the rest. *added gets
 * the number of rows stored. DW_OK, or DW_EDB/DW_EIO/DW_ENOMEM. */
dw_rc dw_ingest_backfill(const char *db_path, uint64_t *added, dw_err *e);

#endif
