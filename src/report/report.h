/* report.h: the statistics report of a diwan database (`diwan report`).
 *
 * One model, three renderings. dw_report_collect reads the database with SQL
 * only (the same queries as `diwan info`, `sources`, `top`, `cooc` and `dups`)
 * and builds a JSON object, the model; the JSON form is that object, and the
 * HTML and Markdown forms are rendered from it, so that every form carries the
 * same numbers. Depends on core only. */
#ifndef DW_REPORT_H
#define DW_REPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/buf.h"
#include "core/db.h"
#include "core/dw.h"

/* Default rows per table. */
#define DW_REPORT_LIMIT 20
/* Cap of the vocabulary-growth (Heaps) curve: distinct words kept in the
 * hash set (8 bytes each, the table at most twice that). Past it the curve
 * stops; the model says where. */
#define DW_REPORT_HEAPS_MAX_TYPES (1u << 23)

/* What the report is built from. */
typedef struct {
    int limit;             /* rows per table (>= 1) */
    const char *date;      /* report date printed as given (YYYY-MM-DD), or NULL: none */
    const char *db_label;  /* how the database is named in the report (not owned) */
    uint32_t heaps_max_types; /* cap of the Heaps curve (0: DW_REPORT_HEAPS_MAX_TYPES) */
} dw_report_opts;

/* Sets the defaults: limit DW_REPORT_LIMIT, no date, label "", default cap. */
void dw_report_opts_init(dw_report_opts *o);

/* Reads db (opened read-only) in one read transaction and builds the model.
 * On DW_OK *out is a new JSON object the caller releases with json_decref. */
dw_rc dw_report_collect(dw_db *db, const dw_report_opts *o, json_t **out, dw_err *e);

/* Writes the model as JSON (2-space indent, keys in model order). */
dw_rc dw_report_write_json(const json_t *m, FILE *out, dw_err *e);

/* Writes the model as one HTML file: inline CSS and SVG, no script, no
 * external resource. */
dw_rc dw_report_write_html(const json_t *m, FILE *out, dw_err *e);

/* Writes the model as Markdown (pipe tables). When files_dir is not NULL the
 * plots are written there as SVG files (the directory is created) and linked
 * as files_rel/NAME.svg; when NULL the plots are left out with a note. */
dw_rc dw_report_write_md(const json_t *m, FILE *out, const char *files_dir, const char *files_rel, dw_err *e);

/* ---- pieces exposed for the tests ---- */

/* Appends s[0..n) to b escaped for HTML text and attribute values
 * (& < > " ' as entities; C0 controls other than tab and LF become U+FFFD).
 * Returns 0 or -1 when out of memory. */
int dw_report_esc_html(dw_buf *b, const char *s, size_t n);
/* Appends s to b as Markdown inline text inside a table cell or after a
 * heading mark: \ ` * _ [ ] < > | ~ (emphasis, code, links, HTML, cells,
 * strike-through) are backslash-escaped, & becomes &amp;, line breaks become
 * spaces; other punctuation cannot start a construct there. Returns 0 or -1. */
int dw_report_esc_md(dw_buf *b, const char *s);

/* Least-squares line y = a + b x through n points; returns 0, or -1 when
 * fewer than 2 points or all x equal. */
int dw_report_fit_line(const double *x, const double *y, size_t n, double *a, double *b);

/* One point of the vocabulary-growth curve. */
typedef struct {
    uint64_t tokens; /* tokens read so far */
    uint64_t types;  /* distinct words among them */
} dw_report_heaps_point;

/* Vocabulary growth over a sequence of texts fed one by one. */
typedef struct dw_report_heaps dw_report_heaps;

/* Creates a tracker that keeps at most max_types distinct words (norm_flags:
 * the database's normalization flags). Free with dw_report_heaps_free; NULL
 * when out of memory. */
dw_report_heaps *dw_report_heaps_new(uint32_t max_types, unsigned norm_flags);
void dw_report_heaps_free(dw_report_heaps *h); /* accepts NULL */
/* Normalizes and tokenizes one text and adds its words; points are sampled
 * at log-spaced token counts (10 per decade). Returns 0, 1 when the cap was
 * reached (further texts are ignored) or -1 when out of memory. */
int dw_report_heaps_add(dw_report_heaps *h, const char *s, size_t n);
/* The points sampled so far plus the current end point (owned by h, valid
 * until the next add or free); *truncated is 1 when the cap was reached. */
const dw_report_heaps_point *dw_report_heaps_points(dw_report_heaps *h, size_t *n, int *truncated);

/* ---- repeated lines (boilerplate candidates) ----
 * The body lines found in the most articles, in bounded memory: pass 1
 * (dw_report_lines_add over every article) keeps a Misra-Gries summary of k
 * counters of the hashes of each article's distinct lines of 1 to
 * DW_REPORT_LINE_MAX bytes (ASCII blanks trimmed); dw_report_lines_candidates
 * keeps its strongest counters; pass 2 (dw_report_lines_recount over the
 * same articles) counts those exactly and keeps their text. A line held by
 * more than 1/(k + 1) of all the articles' distinct lines is always found.
 * Lines are told apart by a 64-bit hash. */
#define DW_REPORT_LINE_MAX 200  /* longest line considered, in bytes */
#define DW_REPORT_LINES_K 65536 /* default counters of the summary */

typedef struct dw_report_lines dw_report_lines;

/* Creates a counter of k summary counters (0: DW_REPORT_LINES_K); free with
 * dw_report_lines_free. NULL when out of memory. */
dw_report_lines *dw_report_lines_new(size_t k);
void dw_report_lines_free(dw_report_lines *l); /* accepts NULL */
/* Pass 1: the lines of one article's body. Returns 0 or -1 (no memory). */
int dw_report_lines_add(dw_report_lines *l, const char *body, size_t n);
/* Ends pass 1: keeps the max strongest counters (ties by hash) as the
 * candidates of pass 2; returns how many. */
size_t dw_report_lines_candidates(dw_report_lines *l, size_t max);
/* Pass 2: the lines of one article's body, outlet its outlet (sources.id,
 * 0 unknown); the articles in any order. Returns 0 or -1 (no memory). */
int dw_report_lines_recount(dw_report_lines *l, const char *body, size_t n, int64_t outlet);

/* A repeated line, as dw_report_lines_top gives it. */
typedef struct {
    const char *text;      /* the line, NUL-ended (owned by the counter, valid until it is freed) */
    uint64_t articles;     /* articles holding it */
    size_t outlets;        /* distinct outlets of those articles (unknown counts as one) */
    int64_t top_outlet;    /* the outlet with most of them (ties: the lowest id; 0 unknown) */
    uint64_t top_articles; /* its articles holding the line */
} dw_report_line;

/* After pass 2: up to max candidates held by at least min_articles articles,
 * most articles first (ties by the line's bytes), into out[]; returns how
 * many. */
size_t dw_report_lines_top(dw_report_lines *l, uint64_t min_articles, dw_report_line *out, size_t max);
/* Articles read in pass 1. */
uint64_t dw_report_lines_articles(const dw_report_lines *l);

#endif
