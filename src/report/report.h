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

#endif
