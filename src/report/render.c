/* render.c: escaping, number formatting and the SVG charts of the report
 * (stacked monthly bars, log-log plots with a fitted line, histograms).
 * Output depends only on the model: no clock, no locale (numbers are
 * formatted with snprintf in the C locale that diwan never changes). */
#include <math.h>
#include <string.h>

#include "report/render.h"
#include "report/report.h"

int dw_report_esc_html(dw_buf *b, const char *s, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        const char *rep = NULL;
        switch (ch) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default:
            if ((ch < 0x20 && ch != '\t' && ch != '\n') || ch == 0x7f)
                rep = "\xEF\xBF\xBD"; /* U+FFFD: not allowed in XML (the SVG files) */
        }
        if (!rep)
            continue;
        if (dw_buf_append(b, s + start, i - start) != 0 || dw_buf_puts(b, rep) != 0)
            return -1;
        start = i + 1;
    }
    return dw_buf_append(b, s + start, n - start);
}

int dw_report_esc_md(dw_buf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        int r;
        if (ch == '&')
            r = dw_buf_puts(b, "&amp;");
        else if (ch == '\n' || ch == '\r' || ch == '\t')
            r = dw_buf_putc(b, ' ');
        else if (ch < 0x20 || ch == 0x7f)
            r = dw_buf_puts(b, "\xEF\xBF\xBD");
        else if (strchr("\\`*_[]<>|~", ch)) {
            char esc[2] = {'\\', (char)ch};
            r = dw_buf_append(b, esc, 2);
        } else
            r = dw_buf_putc(b, (char)ch);
        if (r != 0)
            return -1;
    }
    return 0;
}

int rp_pairs_counted(const json_t *s)
{
    const json_t *v = json_object_get(json_object_get(s, "parameters"), "cooc");
    return !(json_is_string(v) && strcmp(json_string_value(v), "0") == 0) &&
           !(json_is_integer(v) && json_integer_value(v) == 0);
}

int rp_put_param_int(dw_buf *b, const json_t *s, const char *key)
{
    const json_t *v = json_object_get(json_object_get(s, "parameters"), key);
    if (!json_is_string(v))
        return rp_put_int(b, v);
    const char *t = json_string_value(v);
    size_t n = strspn(t, "0123456789");
    return n > 0 && t[n] == '\0' ? dw_buf_puts(b, t) : dw_buf_puts(b, "–");
}

int rp_put_int(dw_buf *b, const json_t *v)
{
    if (!json_is_integer(v))
        return dw_buf_puts(b, "–");
    return dw_buf_printf(b, "%lld", (long long)json_integer_value(v));
}

int rp_put_pct(dw_buf *b, const json_t *v)
{
    if (!json_is_number(v))
        return dw_buf_puts(b, "–");
    return dw_buf_printf(b, "%.1f%%", json_number_value(v) * 100.0);
}

int rp_put_real(dw_buf *b, const json_t *v, int prec)
{
    if (!json_is_number(v))
        return dw_buf_puts(b, "–");
    return dw_buf_printf(b, "%.*f", prec, json_number_value(v));
}

/* Escaped text. */
static int put_esc(dw_buf *b, const char *s) { return dw_report_esc_html(b, s ? s : "", s ? strlen(s) : 0); }

#define LEGEND_MAX_CHARS 32 /* characters of an outlet's name in a legend (a column is 290 px) */

/* Escapes s cut to its first max - 1 characters and an ellipsis when it has
 * more than max (UTF-8: the cut is on a character boundary). */
static int put_esc_cut(dw_buf *b, const char *s, size_t max)
{
    s = s ? s : "";
    size_t n = strlen(s), chars = 0, cut = n;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80 && ++chars == max)
            cut = i; /* where the max-th character starts */
    if (chars <= max)
        return dw_report_esc_html(b, s, n);
    return dw_report_esc_html(b, s, cut) | dw_buf_puts(b, "…");
}

/* Smallest of 1, 1.2, 1.6, 2, 2.4, 3, 4, 5, 6, 8 times a power of ten that
 * is >= v (1 for v <= 1): an axis maximum with quarters that read well. */
static double nice_ceil(double v)
{
    static const double steps[] = {1, 1.2, 1.6, 2, 2.4, 3, 4, 5, 6, 8, 10};
    double p = 1;
    while (p * 10 < v)
        p *= 10;
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++)
        if (v <= steps[i] * p)
            return steps[i] * p;
    return 10 * p;
}

/* Short label of a power of ten or a count: 1, 10, 100, 1k, 10k, 1M. */
static int put_short(dw_buf *b, double v)
{
    if (v >= 1e9)
        return dw_buf_printf(b, "%gG", v / 1e9);
    if (v >= 1e6)
        return dw_buf_printf(b, "%gM", v / 1e6);
    if (v >= 1e4)
        return dw_buf_printf(b, "%gk", v / 1e3);
    return dw_buf_printf(b, "%g", v);
}

static int svg_open(dw_buf *b, int w, int h, const char *label)
{
    int r = dw_buf_printf(b,
                          "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\""
                          " role=\"img\" aria-label=\"",
                          w, h, w, h);
    r |= put_esc(b, label);
    r |= dw_buf_printf(b, "\" font-family=\"%s\" font-size=\"13\">\n", RP_FONTS);
    r |= dw_buf_printf(b, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", w, h);
    return r;
}

/* The series colours (Tableau 10, then grey for "no outlet"). */
static const char *const palette[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                      "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
#define MAX_SERIES 9

int rp_svg_months(dw_buf *b, const json_t *time)
{
    const json_t *months = json_object_get(time, "months"), *series = json_object_get(time, "series");
    size_t nm = json_array_size(months), ns = json_array_size(series);
    /* drawn series: the named ones in model order (largest first), the rest
     * summed, then "no outlet" */
    size_t named = 0;
    int has_none = 0;
    for (size_t s = 0; s < ns; s++) {
        if (json_is_null(json_object_get(json_array_get(series, s), "source")))
            has_none = 1;
        else
            named++;
    }
    size_t shown = named > MAX_SERIES + 1 ? MAX_SERIES : named;
    int has_other = named > shown;
    size_t nd = shown + (size_t)has_other + (size_t)has_none;
    double maxv = 0;
    for (size_t i = 0; i < nm; i++) {
        double t = 0;
        for (size_t s = 0; s < ns; s++)
            t += (double)json_integer_value(json_array_get(json_object_get(json_array_get(series, s), "counts"), i));
        if (t > maxv)
            maxv = t;
    }
    double ymax = nice_ceil(maxv > 4 ? maxv : 4); /* quarters of whole articles */
    int legend_rows = (int)((nd + 2) / 3);
    int W = 960, ph = 260, top = 20, left = 60, right = 20, H = top + ph + 50 + legend_rows * 22 + 10;
    int pw = W - left - right;
    int r = svg_open(b, W, H, "articles per month per outlet");
    /* grid and y labels */
    for (int k = 0; k <= 4; k++) {
        double v = ymax * k / 4.0, y = top + ph - ph * k / 4.0;
        r |= dw_buf_printf(b, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#dddddd\"/>\n", left, y,
                           left + pw, y);
        r |= dw_buf_printf(b, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#444444\">", left - 6, y + 4);
        r |= put_short(b, v);
        r |= dw_buf_puts(b, "</text>\n");
    }
    double bw = nm ? (double)pw / (double)nm : pw;
    int every = 1;
    while (bw * every < 56)
        every++;
    for (size_t i = 0; i < nm; i++) {
        double x = left + bw * (double)i, y0 = top + ph;
        for (size_t d = 0; d < nd; d++) {
            double v = 0;
            const char *col;
            if (d < shown || (d == shown && has_other)) {
                size_t from = d < shown ? d : shown, to = d < shown ? d + 1 : named;
                for (size_t s = 0, k = 0; s < ns; s++) {
                    const json_t *o = json_array_get(series, s);
                    if (json_is_null(json_object_get(o, "source")))
                        continue;
                    if (k >= from && k < to)
                        v += (double)json_integer_value(json_array_get(json_object_get(o, "counts"), i));
                    k++;
                }
                col = palette[d < shown ? d : MAX_SERIES];
            } else {
                for (size_t s = 0; s < ns; s++) {
                    const json_t *o = json_array_get(series, s);
                    if (json_is_null(json_object_get(o, "source")))
                        v = (double)json_integer_value(json_array_get(json_object_get(o, "counts"), i));
                }
                col = "#888888";
            }
            if (v <= 0)
                continue;
            double h = ph * v / ymax;
            y0 -= h;
            r |= dw_buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>\n",
                               x + bw * 0.1, y0, bw * 0.8, h, col);
        }
        if (i % (size_t)every == 0) {
            r |= dw_buf_printf(b, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#444444\">", x + bw / 2,
                               top + ph + 18);
            r |= put_esc(b, json_string_value(json_array_get(months, i)));
            r |= dw_buf_puts(b, "</text>\n");
        }
    }
    r |= dw_buf_printf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#444444\"/>\n", left, top + ph,
                       left + pw, top + ph);
    r |= dw_buf_printf(b,
                       "<text x=\"16\" y=\"%d\" transform=\"rotate(-90 16 %d)\" text-anchor=\"middle\""
                       " fill=\"#444444\">articles</text>\n",
                       top + ph / 2, top + ph / 2);
    /* legend: three columns; each name isolated so that Arabic runs right to left */
    for (size_t d = 0; d < nd; d++) {
        int lx = left + (int)(d % 3) * 290, ly = top + ph + 40 + (int)(d / 3) * 22;
        const char *col = d < shown ? palette[d] : (d == shown && has_other) ? palette[MAX_SERIES] : "#888888";
        r |= dw_buf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" fill=\"%s\"/>\n", lx, ly - 11, col);
        r |= dw_buf_printf(b, "<text x=\"%d\" y=\"%d\" fill=\"#222222\" unicode-bidi=\"isolate\">", lx + 20, ly);
        if (d < shown) {
            for (size_t s = 0, k = 0; s < ns; s++) {
                const json_t *o = json_array_get(series, s);
                if (json_is_null(json_object_get(o, "source")))
                    continue;
                if (k++ == d) {
                    const char *name = json_string_value(json_object_get(o, "source"));
                    r |= dw_buf_puts(b, "<title>") | put_esc(b, name) | dw_buf_puts(b, "</title>");
                    r |= put_esc_cut(b, name, LEGEND_MAX_CHARS);
                    r |= dw_buf_printf(b, " (%lld)", (long long)json_integer_value(json_object_get(o, "articles")));
                }
            }
        } else if (d == shown && has_other) {
            r |= dw_buf_printf(b, "other outlets (%zu)", named - shown);
        } else {
            r |= dw_buf_puts(b, "no outlet");
        }
        r |= dw_buf_puts(b, "</text>\n");
    }
    r |= dw_buf_puts(b, "</svg>\n");
    return r ? -1 : 0;
}

int rp_svg_loglog(dw_buf *b, const json_t *points, double a, double slope, double fit_from, double fit_to,
                  const char *xlabel, const char *ylabel, const char *caption)
{
    size_t n = json_array_size(points);
    double xmin = INFINITY, xmax = 0, ymin = INFINITY, ymax = 0;
    for (size_t i = 0; i < n; i++) {
        double x = (double)json_integer_value(json_array_get(json_array_get(points, i), 0));
        double y = (double)json_integer_value(json_array_get(json_array_get(points, i), 1));
        if (x <= 0 || y <= 0)
            continue;
        xmin = x < xmin ? x : xmin;
        xmax = x > xmax ? x : xmax;
        ymin = y < ymin ? y : ymin;
        ymax = y > ymax ? y : ymax;
    }
    if (!(xmax > 0)) {
        xmin = ymin = 1;
        xmax = ymax = 10;
    }
    double lx0 = floor(log10(xmin)), lx1 = ceil(log10(xmax)), ly0 = floor(log10(ymin)), ly1 = ceil(log10(ymax));
    if (lx1 <= lx0)
        lx1 = lx0 + 1;
    if (ly1 <= ly0)
        ly1 = ly0 + 1;
    int W = 460, H = 340, left = 58, top = 16, pw = W - left - 16, ph = H - top - 64;
    int r = svg_open(b, W, H, caption);
#define PX(v) (left + pw * (log10(v) - lx0) / (lx1 - lx0))
#define PY(v) (top + ph - ph * (log10(v) - ly0) / (ly1 - ly0))
    for (double k = lx0; k <= lx1; k++) {
        double x = left + pw * (k - lx0) / (lx1 - lx0);
        r |= dw_buf_printf(b, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#dddddd\"/>\n", x, top, x,
                           top + ph);
        r |= dw_buf_printf(b, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#444444\">", x, top + ph + 18);
        r |= put_short(b, pow(10, k));
        r |= dw_buf_puts(b, "</text>\n");
    }
    for (double k = ly0; k <= ly1; k++) {
        double y = top + ph - ph * (k - ly0) / (ly1 - ly0);
        r |= dw_buf_printf(b, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#dddddd\"/>\n", left, y,
                           left + pw, y);
        r |= dw_buf_printf(b, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#444444\">", left - 6, y + 4);
        r |= put_short(b, pow(10, k));
        r |= dw_buf_puts(b, "</text>\n");
    }
    r |= dw_buf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#444444\"/>\n",
                       left, top, pw, ph);
    r |= dw_buf_puts(b, "<polyline fill=\"none\" stroke=\"#4e79a7\" stroke-width=\"2\" points=\"");
    for (size_t i = 0; i < n; i++) {
        double x = (double)json_integer_value(json_array_get(json_array_get(points, i), 0));
        double y = (double)json_integer_value(json_array_get(json_array_get(points, i), 1));
        if (x > 0 && y > 0)
            r |= dw_buf_printf(b, "%s%.1f,%.1f", i ? " " : "", PX(x), PY(y));
    }
    r |= dw_buf_puts(b, "\"/>\n");
    for (size_t i = 0; i < n; i++) {
        double x = (double)json_integer_value(json_array_get(json_array_get(points, i), 0));
        double y = (double)json_integer_value(json_array_get(json_array_get(points, i), 1));
        if (x > 0 && y > 0)
            r |= dw_buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"#4e79a7\"/>\n", PX(x), PY(y));
    }
    if (fit_to > 0 && fit_to > fit_from) {
        double y0 = pow(10, a + slope * log10(fit_from)), y1 = pow(10, a + slope * log10(fit_to));
        r |= dw_buf_printf(b,
                           "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e15759\""
                           " stroke-width=\"2\" stroke-dasharray=\"6 4\"/>\n",
                           PX(fit_from), PY(y0), PX(fit_to), PY(y1));
    }
#undef PX
#undef PY
    r |= dw_buf_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#222222\">", left + pw / 2,
                       top + ph + 36);
    r |= put_esc(b, xlabel);
    r |= dw_buf_puts(b, " (log)</text>\n");
    r |= dw_buf_printf(b,
                       "<text x=\"14\" y=\"%d\" transform=\"rotate(-90 14 %d)\" text-anchor=\"middle\""
                       " fill=\"#222222\">",
                       top + ph / 2, top + ph / 2);
    r |= put_esc(b, ylabel);
    r |= dw_buf_puts(b, " (log)</text>\n");
    r |= dw_buf_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#e15759\">", left + pw / 2,
                       top + ph + 56);
    r |= put_esc(b, caption);
    r |= dw_buf_puts(b, "</text>\n</svg>\n");
    return r ? -1 : 0;
}

int rp_svg_hist(dw_buf *b, const json_t *lengths, const char *xlabel)
{
    const json_t *bins = json_object_get(lengths, "bins");
    size_t n = json_array_size(bins);
    double maxv = 0;
    for (size_t i = 0; i < n; i++) {
        double v = (double)json_integer_value(json_object_get(json_array_get(bins, i), "articles"));
        maxv = v > maxv ? v : maxv;
    }
    double ymax = nice_ceil(maxv > 4 ? maxv : 4); /* quarters of whole articles */
    int W = 460, H = 300, left = 50, top = 16, pw = W - left - 16, ph = H - top - 56;
    int r = svg_open(b, W, H, xlabel);
    for (int k = 0; k <= 4; k++) {
        double y = top + ph - ph * k / 4.0;
        r |= dw_buf_printf(b, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#dddddd\"/>\n", left, y,
                           left + pw, y);
        r |= dw_buf_printf(b, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#444444\">", left - 6, y + 4);
        r |= put_short(b, ymax * k / 4.0);
        r |= dw_buf_puts(b, "</text>\n");
    }
    double bw = n ? (double)pw / (double)n : pw;
    int every = 1;
    while (bw * every < 44)
        every++;
    for (size_t i = 0; i < n; i++) {
        const json_t *o = json_array_get(bins, i);
        double v = (double)json_integer_value(json_object_get(o, "articles"));
        double h = ph * v / ymax, x = left + bw * (double)i;
        if (v > 0)
            r |= dw_buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>\n",
                               x + 0.5, top + ph - h, bw - 1 > 1 ? bw - 1 : 1, h,
                               json_is_null(json_object_get(o, "to")) ? "#f28e2b" : "#4e79a7");
        /* every few bins, and the last (open) one, whose wider label
         * (">=N", right-aligned at the plot's edge) the one before must
         * leave room for */
        if (i + 1 == n || (i % (size_t)every == 0 && bw * ((double)(n - 1 - i) + 0.5) >= 80)) {
            int open = json_is_null(json_object_get(o, "to")); /* ends at the plot's edge */
            r |= dw_buf_printf(b, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"%s\" fill=\"#444444\">%s%lld</text>\n",
                               open ? x + bw : x + bw / 2, top + ph + 16, open ? "end" : "middle", open ? "≥" : "",
                               (long long)json_integer_value(json_object_get(o, "from")));
        }
    }
    r |= dw_buf_printf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#444444\"/>\n", left, top + ph,
                       left + pw, top + ph);
    r |= dw_buf_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#222222\">", left + pw / 2,
                       top + ph + 36);
    r |= put_esc(b, xlabel);
    r |= dw_buf_puts(b, "</text>\n</svg>\n");
    return r ? -1 : 0;
}
