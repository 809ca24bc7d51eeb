/* render.h: pieces shared by the HTML and Markdown renderings of the report
 * (internal to src/report): number formatting and the SVG charts. Charts are
 * standalone SVG documents (they are also written as files next to the
 * Markdown form); text in them is escaped. All functions append to a dw_buf
 * and return 0, or -1 when out of memory. */
#ifndef DW_REPORT_RENDER_H
#define DW_REPORT_RENDER_H

#include <jansson.h>

#include "core/buf.h"

/* The font stack of the report, Arabic first. */
#define RP_FONTS "'Noto Naskh Arabic', 'Noto Sans Arabic', 'DejaVu Sans', Amiri, 'Segoe UI', Tahoma, serif"

/* Appends an integer JSON value (or "–" for null) to b. */
int rp_put_int(dw_buf *b, const json_t *v);
/* Appends a rate (a real in [0,1]) as a percentage with one decimal ("12.5%"). */
int rp_put_pct(dw_buf *b, const json_t *v);
/* Appends a real with `prec` decimals (or "–" for null). */
int rp_put_real(dw_buf *b, const json_t *v, int prec);
/* 0 when the model's statistics s were counted without co-occurrences
 * (stats_info cooc = 0), else 1. */
int rp_pairs_counted(const json_t *s);
/* Appends the whole-number parameter key of the model's statistics s (as
 * stats_info holds it: a string of digits, or an integer), or "–". */
int rp_put_param_int(dw_buf *b, const json_t *s, const char *key);

/* Articles per month per outlet as stacked bars with a legend: the model's
 * "time" object and "sources" array; the 9 largest series are drawn, the rest
 * summed as "other outlets", articles without an outlet last, in grey. */
int rp_svg_months(dw_buf *b, const json_t *time);
/* Points [[x, y], ...] on log-log axes, with the fitted line
 * log10 y = a + slope log10 x drawn between fit_from and fit_to (no line when
 * fit_to <= 0); caption under the plot. */
int rp_svg_loglog(dw_buf *b, const json_t *points, double a, double slope, double fit_from, double fit_to,
                  const char *xlabel, const char *ylabel, const char *caption);
/* Histogram of the model's lengths object (bins of bin_width, last open). */
int rp_svg_hist(dw_buf *b, const json_t *lengths, const char *xlabel);

#endif
