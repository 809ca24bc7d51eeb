/* curve.c: the numeric pieces of the report: least-squares lines (the Zipf
 * and Heaps fits on log-log axes) and the vocabulary-growth curve, streamed
 * over texts with a set of 64-bit word hashes (bounded by a cap). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/norm.h"
#include "core/tok.h"
#include "report/report.h"

int dw_report_fit_line(const double *x, const double *y, size_t n, double *a, double *b)
{
    if (n < 2)
        return -1;
    double mx = 0, my = 0;
    for (size_t i = 0; i < n; i++) {
        mx += x[i];
        my += y[i];
    }
    mx /= (double)n;
    my /= (double)n;
    double sxx = 0, sxy = 0;
    for (size_t i = 0; i < n; i++) {
        sxx += (x[i] - mx) * (x[i] - mx);
        sxy += (x[i] - mx) * (y[i] - my);
    }
    if (!(sxx > 0))
        return -1;
    *b = sxy / sxx;
    *a = my - *b * mx;
    return 0;
}

struct dw_report_heaps {
    uint64_t *slots;             /* open-addressing set of word hashes; 0 = empty */
    size_t cap;                  /* slots, a power of two */
    uint64_t types;              /* words in the set */
    uint64_t tokens;             /* tokens read */
    uint32_t max_types;          /* cap of the set */
    int truncated;               /* 1 once the cap was reached */
    unsigned norm_flags;         /* normalization flags of the database */
    int step;                    /* next sampling step k: threshold ceil(10^(k/10)) */
    uint64_t next;               /* token count of the next sample */
    dw_report_heaps_point *pts;  /* samples, plus room for the end point */
    size_t npts;                 /* samples stored */
    size_t cappts;               /* room in pts */
    dw_buf norm;                 /* normalized text of the current input */
};

dw_report_heaps *dw_report_heaps_new(uint32_t max_types, unsigned norm_flags)
{
    dw_report_heaps *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->cap = 1024;
    h->slots = calloc(h->cap, sizeof *h->slots);
    h->cappts = 256;
    h->pts = malloc(h->cappts * sizeof *h->pts);
    if (!h->slots || !h->pts) {
        dw_report_heaps_free(h);
        return NULL;
    }
    h->max_types = max_types ? max_types : DW_REPORT_HEAPS_MAX_TYPES;
    h->norm_flags = norm_flags;
    h->next = 1;
    return h;
}

void dw_report_heaps_free(dw_report_heaps *h)
{
    if (!h)
        return;
    free(h->slots);
    free(h->pts);
    dw_buf_free(&h->norm);
    free(h);
}

/* Doubles the set. 0 or -1 when out of memory. */
static int heaps_grow(dw_report_heaps *h)
{
    size_t ncap = h->cap * 2;
    uint64_t *ns = calloc(ncap, sizeof *ns);
    if (!ns)
        return -1;
    for (size_t i = 0; i < h->cap; i++) {
        uint64_t v = h->slots[i];
        if (!v)
            continue;
        size_t j = (size_t)(v ^ (v >> 29)) & (ncap - 1);
        while (ns[j])
            j = (j + 1) & (ncap - 1);
        ns[j] = v;
    }
    free(h->slots);
    h->slots = ns;
    h->cap = ncap;
    return 0;
}

/* Records the point (tokens, types) when tokens reached the next sample. */
static int heaps_sample(dw_report_heaps *h)
{
    if (h->tokens < h->next)
        return 0;
    if (h->npts + 2 > h->cappts) {
        dw_report_heaps_point *np = realloc(h->pts, 2 * h->cappts * sizeof *np);
        if (!np)
            return -1;
        h->pts = np;
        h->cappts *= 2;
    }
    h->pts[h->npts].tokens = h->tokens;
    h->pts[h->npts].types = h->types;
    h->npts++;
    while (h->next <= h->tokens)
        h->next = (uint64_t)ceil(pow(10.0, ++h->step / 10.0));
    return 0;
}

int dw_report_heaps_add(dw_report_heaps *h, const char *s, size_t n)
{
    if (h->truncated)
        return 1;
    dw_buf_reset(&h->norm);
    if (dw_norm_text(&h->norm, s, n, h->norm_flags) != 0)
        return -1;
    dw_tok t;
    dw_token k;
    const char *txt = dw_buf_str(&h->norm);
    dw_tok_init(&t, txt, h->norm.len);
    while (dw_tok_next(&t, &k)) {
        uint64_t v = dw_hash64_of(txt + k.off, k.len, 0);
        if (!v)
            v = 1;
        size_t j = (size_t)(v ^ (v >> 29)) & (h->cap - 1);
        while (h->slots[j] && h->slots[j] != v)
            j = (j + 1) & (h->cap - 1);
        if (!h->slots[j]) {
            if (h->types >= h->max_types) {
                h->truncated = 1;
                return 1;
            }
            h->slots[j] = v;
            h->types++;
            if (2 * h->types > h->cap && heaps_grow(h) != 0)
                return -1;
        }
        h->tokens++;
        if (heaps_sample(h) != 0)
            return -1;
    }
    return 0;
}

const dw_report_heaps_point *dw_report_heaps_points(dw_report_heaps *h, size_t *n, int *truncated)
{
    size_t m = h->npts;
    if (h->tokens > 0 && (m == 0 || h->pts[m - 1].tokens != h->tokens)) {
        h->pts[m].tokens = h->tokens; /* room kept by heaps_sample */
        h->pts[m].types = h->types;
        m++;
    }
    *n = m;
    *truncated = h->truncated;
    return h->pts;
}
