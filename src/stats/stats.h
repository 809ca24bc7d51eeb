/* stats.h: the statistics stage (issue 4). Counts, over the tokens of the
 * cluster representatives' bodies (every article with all_copies):
 * n-grams (1..ngram_max words, never across a sentence boundary) with their
 * total count and document frequency, overall, per source and per month;
 * types, tokens and hapax legomena per bucket and n; article lengths in
 * tokens and characters; and co-occurrences of two different words within a
 * symmetric window that stops at sentence boundaries (or within one
 * article), optionally weighted 1/d, with PMI, NPMI and Dunning's
 * log-likelihood ratio. Counting is bounded by memory_mb (see counter.h) and
 * gives the same tables whatever the memory limit and thread count. The
 * tables (schema.sql, "statistics") are replaced in one transaction.
 *
 * Co-occurrence measures, for a pair (a, b) counted c(a,b) times, c(a) the
 * sum of the counts of the pairs that a is in, and T the sum of c(a) over
 * all words (twice the pair total): PMI = log2(c(a,b) T / (c(a) c(b))),
 * NPMI = PMI / -log2(c(a,b) / T), LLR = Dunning's G^2 (natural logarithm) of
 * the 2x2 table k11 = c(a,b), k12 = c(a) - k11, k21 = c(b) - k11,
 * k22 = T - c(a) - c(b) + k11. */
#ifndef DW_STATS_STATS_H
#define DW_STATS_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "core/db.h"
#include "core/dw.h"

#define DW_STATS_NGRAM_MAX 5 /* largest --ngram-max */
#define DW_STATS_WINDOW_MAX 20 /* largest --window (weights are exact fractions of lcm(1..20)) */
#define DW_STATS_TOP_K 1000  /* rows of stats_top per bucket, n and order */

/* Where a run is, for a progress display (dw_stats_opts.on_progress). */
typedef struct {
    const char *phase; /* "counting", "writing n-grams", "merging pairs", "writing pairs",
                          "indexing pairs" or "committing"; a merge's: "merging n-grams",
                          "merging pairs", "committing" */
    uint64_t done;     /* articles counted, or rows written, so far in the phase */
    double frac;       /* share of the phase done, 0..1, or -1 when not known */
    double seconds;    /* since the run started */
} dw_stats_progress;

typedef struct {
    int ngram_max;              /* longest n-gram counted, 0..DW_STATS_NGRAM_MAX (0: none) */
    int cooc;                   /* 1: count co-occurrences */
    int window;                 /* co-occurrence window, 1..DW_STATS_WINDOW_MAX */
    int scope_article;          /* 1: pairs of words in the same article instead of a window */
    int harmonic;               /* 1: a pair d tokens apart counts 1/d */
    int whitespace;             /* 1: tokens are whitespace-separated runs, not words */
    int normalize;              /* 1: tokens of the normalized body (0: of the stored body) */
    int all_copies;             /* 1: every article, not only cluster representatives */
    uint32_t shards;            /* > 1: count only the articles whose id is shard modulo shards */
    uint32_t shard;             /* 0..shards - 1 */
    int per_source;             /* 1: n-grams also per source (buckets of kind "source") */
    int per_month;              /* 1: n-grams also per month (buckets of kind "month") */
    int keep_stopwords;         /* 1: stop words take part in co-occurrences */
    const char *stopwords_path; /* one stop word a line ('#' comments), NULL: built-in list */
    int64_t min_count;          /* pairs counted fewer times are not stored (0: every pair) */
    size_t memory_mb;           /* memory budget in MiB */
    int threads;                /* threads normalizing and tokenizing, and co-occurrence lanes */
    const char *tmpdir;         /* where runs spill (a private folder is made there) */
    size_t budget_bytes;        /* tests: bytes for the counters and vocabulary, overriding
                                   memory_mb (0: derived from memory_mb) */
    void (*on_progress)(void *ud, const dw_stats_progress *p); /* NULL: none. Called on the
                                   calling thread when a phase starts, at most every 0.25 s
                                   within it, and when it ends (p valid during the call only) */
    void *progress_ud;          /* passed to on_progress */
} dw_stats_opts;

/* Default options: n-grams up to 3, window 5, min count 5, 1024 MiB, 1 thread, $TMPDIR or /tmp. */
void dw_stats_opts_default(dw_stats_opts *o);

/* What a run counted. */
typedef struct {
    uint64_t articles;     /* articles counted */
    uint64_t tokens;       /* tokens (unigram total) */
    uint64_t types;        /* distinct unigrams */
    uint64_t hapax;        /* unigrams seen once */
    uint64_t ngrams;       /* rows of stats_ngrams */
    uint64_t pairs;        /* distinct pairs counted */
    uint64_t pairs_stored; /* pairs at or above min_count (rows of stats_cooc) */
    unsigned runs;         /* runs spilled to temporary files */
} dw_stats_summary;

/* Counts db's articles and replaces its statistics tables. db must be open
 * for writing, with the writer lock held. */
dw_rc dw_stats_run(dw_db *db, const dw_stats_opts *o, dw_stats_summary *sum, dw_err *e);

#define DW_STATS_MERGE_BATCH 32 /* databases merged in one transaction, by default */

/* Options of dw_stats_merge. */
typedef struct {
    size_t batch;               /* databases merged in one pass and transaction (0:
                                   DW_STATS_MERGE_BATCH) */
    int64_t min_count;          /* pairs kept once all are in (-1: db's min_count) */
    void (*on_progress)(void *ud, const dw_stats_progress *p); /* NULL: none; phases "merging
                                   n-grams", "merging pairs" (rows written) and "committing",
                                   as dw_stats_opts.on_progress */
    void *progress_ud;          /* passed to on_progress */
} dw_stats_merge_opts;

/* Adds the statistics of the databases at others[0..n) (computed with the
 * same counting options, over other articles) to db's, recomputing the
 * totals, types, hapax, measures and stats_top, and keeping the pairs
 * counted at least o->min_count times once all are in.
 * The result equals one run over all the sets of articles when every part
 * kept every pair (min_count 0). Merged o->batch at a time, each batch
 * one transaction and one k-way merge of
 * sorted tables into new ones (memory: the co-occurrence marginals' terms,
 * and a small page cache per database): a merge killed at any moment
 * leaves consistent statistics, and run again gives the uninterrupted
 * result, since a database whose parts (stats_parts) are all in db already
 * is skipped (skipped[i] = 1; skipped has n entries); one with some of
 * them is refused (DW_EUSAGE), as are other counting options. */
dw_rc dw_stats_merge(dw_db *db, const char *const *others, size_t n, const dw_stats_merge_opts *o, int *skipped,
                     dw_err *e);

/* Writes the statistics tables as zstd-compressed CSV files DIR/TABLE.csv.zst
 * (created, or replaced). */
dw_rc dw_stats_export(dw_db *db, const char *dir, dw_err *e);

/* The stats_info value of key into buf (cap bytes): 1, or 0 when there is
 * none (buf ""), or -1 on a database error (message in e). */
int dw_stats_info(dw_db *db, const char *key, char *buf, size_t cap, dw_err *e);

/* 1 when db holds statistics, 0 when not. */
int dw_stats_present(dw_db *db);

/* Association measures of a pair counted k11 times, with marginals ca and cb
 * and total t (see above). */
double dw_stats_pmi(double k11, double ca, double cb, double t);
double dw_stats_npmi(double k11, double ca, double cb, double t);
double dw_stats_llr(double k11, double ca, double cb, double t);

/* The first token of s[0..n) as the statistics split text (whitespace as
 * dw_stats_opts.whitespace), at *off, *len bytes (0, 0 when none); returns
 * how many tokens s holds. */
size_t dw_stats_first_token(const char *s, size_t n, int whitespace, size_t *off, size_t *len);

/* Receives the bytes dw_stats_text writes: returns 0, or nonzero to stop
 * the run (DW_EIO, "cannot write output"). */
typedef int (*dw_text_writer)(void *ud, const void *p, size_t n);

/* What dw_stats_text wrote. */
typedef struct {
    uint64_t articles;  /* articles read (those without tokens write no line) */
    uint64_t tokens;    /* tokens written */
    uint64_t lines;     /* lines written */
} dw_stats_text_summary;

/* Writes the tokens a statistics run with options o would count (o's
 * whitespace, normalize and all_copies; the rest is ignored): the same
 * articles in the same order, separated by one space, one article a line,
 * or one sentence a line with sentences (a sentence as n-grams and windows
 * see it). An article without tokens writes no line. Counting the words of
 * the output (tr ' ' '\n' | sort | uniq -c) gives the unigrams that
 * `diwan stats` stores with the same options. Returns DW_OK with *sum
 * filled, or DW_EDB, DW_ENOMEM, DW_EIO with a message. */
dw_rc dw_stats_text(dw_db *db, const dw_stats_opts *o, int sentences, dw_text_writer write, void *ud,
                    dw_stats_text_summary *sum, dw_err *e);

/* The built-in Arabic stop-word list (as written; normalized when used). */
const char *const *dw_stats_stopwords(size_t *n);

#endif
