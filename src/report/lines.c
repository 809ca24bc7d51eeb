/* lines.c: the body lines repeated across the most articles (the report's
 * boilerplate candidates: bylines, sign-offs, adverts, page furniture), in
 * bounded memory. Pass 1 keeps a Misra-Gries summary of k counters over the
 * 64-bit hashes of each article's distinct lines; its strongest counters are
 * the candidates, which pass 2 counts exactly, keeping their text (see
 * report.h). Every line occurring in more than (articles' distinct lines) /
 * (k + 1) articles is among the counters at the end of pass 1. */
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "report/report.h"

/* A line of the article being read. */
typedef struct {
    uint64_t h;     /* hash of the line */
    size_t off;     /* where it starts in the body */
    size_t len;     /* its length */
} art_line;

/* The articles of one outlet holding a candidate line. */
typedef struct {
    int64_t id;     /* the outlet (0: unknown) */
    uint64_t n;     /* its articles holding the line */
} line_out;

typedef struct {
    uint64_t h;     /* hash of the line */
    uint64_t count; /* summary count (pass 1), then exact articles (pass 2) */
    char *text;     /* the line (pass 2, owned), or NULL */
    size_t len;     /* its length */
    line_out *outs; /* pass 2: its articles by outlet (owned) */
    size_t nout;    /* outlets in outs */
    size_t capout;  /* their capacity */
} line_ent;

struct dw_report_lines {
    size_t k;          /* counters of the summary */
    line_ent *e;       /* counters (pass 1) or candidates (pass 2) */
    size_t n;          /* entries used */
    uint32_t *slot;    /* entry index + 1 by hash, 0 empty (owned) */
    size_t nslots;     /* a power of two, at least twice k */
    art_line *art;     /* the current article's lines (scratch, owned) */
    size_t artcap;     /* their capacity */
    uint64_t articles; /* articles read in pass 1 */
    int64_t outlet;    /* pass 2: outlet of the article being read */
};

static size_t home(const dw_report_lines *l, uint64_t h) { return (size_t)(h >> 17) & (l->nslots - 1); }

/* Index of h's entry, or SIZE_MAX. */
static size_t find(const dw_report_lines *l, uint64_t h)
{
    for (size_t j = home(l, h);; j = (j + 1) & (l->nslots - 1)) {
        uint32_t s = l->slot[j];
        if (!s)
            return SIZE_MAX;
        if (l->e[s - 1].h == h)
            return s - 1;
    }
}

static void put_slot(dw_report_lines *l, size_t i)
{
    size_t j = home(l, l->e[i].h);
    while (l->slot[j])
        j = (j + 1) & (l->nslots - 1);
    l->slot[j] = (uint32_t)i + 1;
}

static void reindex(dw_report_lines *l)
{
    memset(l->slot, 0, l->nslots * sizeof *l->slot);
    for (size_t i = 0; i < l->n; i++)
        put_slot(l, i);
}

dw_report_lines *dw_report_lines_new(size_t k)
{
    dw_report_lines *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->k = k ? k : DW_REPORT_LINES_K;
    l->nslots = 16;
    while (l->nslots < 2 * l->k)
        l->nslots *= 2;
    l->e = calloc(l->k, sizeof *l->e);
    l->slot = calloc(l->nslots, sizeof *l->slot);
    if (!l->e || !l->slot) {
        dw_report_lines_free(l);
        return NULL;
    }
    return l;
}

void dw_report_lines_free(dw_report_lines *l)
{
    if (!l)
        return;
    for (size_t i = 0; l->e && i < l->n; i++) {
        free(l->e[i].text);
        free(l->e[i].outs);
    }
    free(l->e);
    free(l->slot);
    free(l->art);
    free(l);
}

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

/* By hash, then by place in the body. */
static int by_hash(const void *pa, const void *pb)
{
    const art_line *a = pa, *b = pb;
    if (a->h != b->h)
        return a->h < b->h ? -1 : 1;
    return (a->off > b->off) - (a->off < b->off);
}

/* Calls fn(l, line, len, hash) once per distinct line of body[0..n) of 1 to
 * DW_REPORT_LINE_MAX bytes (ASCII blanks trimmed), in the order of their
 * hashes (the first occurrence of each: sorting keeps an article of many
 * lines linear-logarithmic). Returns 0, or -1 when out of memory. */
static int each_line(dw_report_lines *l, const char *body, size_t n,
                     int (*fn)(dw_report_lines *, const char *, size_t, uint64_t))
{
    size_t na = 0;
    for (size_t i = 0; i < n;) {
        const char *nl = memchr(body + i, '\n', n - i);
        size_t end = nl ? (size_t)(nl - body) : n, a = i, b = end;
        i = end + 1;
        while (a < b && is_blank(body[a]))
            a++;
        while (b > a && is_blank(body[b - 1]))
            b--;
        if (a == b || b - a > DW_REPORT_LINE_MAX)
            continue;
        if (na == l->artcap) {
            size_t nc = l->artcap ? l->artcap * 2 : 64;
            art_line *t = realloc(l->art, nc * sizeof *t);
            if (!t)
                return -1;
            l->art = t;
            l->artcap = nc;
        }
        l->art[na++] = (art_line){dw_hash64_of(body + a, b - a, 0), a, b - a};
    }
    if (na > 1)
        qsort(l->art, na, sizeof *l->art, by_hash);
    for (size_t j = 0; j < na; j++)
        if ((j == 0 || l->art[j].h != l->art[j - 1].h) &&
            fn(l, body + l->art[j].off, l->art[j].len, l->art[j].h) != 0)
            return -1;
    return 0;
}

/* Pass 1: one more article holds the line of hash h. */
static int summarize(dw_report_lines *l, const char *s, size_t n, uint64_t h)
{
    (void)s;
    (void)n;
    size_t i = find(l, h);
    if (i != SIZE_MAX) {
        l->e[i].count++;
        return 0;
    }
    if (l->n == l->k) { /* full: the new line and every counter lose one, spent counters go */
        size_t kept = 0;
        for (size_t j = 0; j < l->n; j++)
            if (--l->e[j].count > 0)
                l->e[kept++] = l->e[j];
        l->n = kept;
        reindex(l);
        return 0;
    }
    l->e[l->n] = (line_ent){h, 1, NULL, 0, NULL, 0, 0};
    put_slot(l, l->n++);
    return 0;
}

int dw_report_lines_add(dw_report_lines *l, const char *body, size_t n)
{
    l->articles++;
    return each_line(l, body, n, summarize);
}

/* Strongest summary counters first; ties by hash (a total order). */
static int by_count(const void *pa, const void *pb)
{
    const line_ent *a = pa, *b = pb;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return a->h < b->h ? -1 : a->h > b->h;
}

size_t dw_report_lines_candidates(dw_report_lines *l, size_t max)
{
    qsort(l->e, l->n, sizeof *l->e, by_count);
    if (l->n > max)
        l->n = max;
    for (size_t i = 0; i < l->n; i++)
        l->e[i].count = 0;
    reindex(l);
    return l->n;
}

/* Pass 2: one more article holds the line of hash h, if a candidate. */
static int recount(dw_report_lines *l, const char *s, size_t n, uint64_t h)
{
    size_t i = find(l, h);
    if (i == SIZE_MAX)
        return 0;
    line_ent *e = &l->e[i];
    e->count++;
    if (!e->text) {
        if (!(e->text = malloc(n + 1)))
            return -1;
        memcpy(e->text, s, n);
        e->text[n] = '\0';
        e->len = n;
    }
    size_t o = 0; /* the article's outlet among the line's (few: a scan) */
    while (o < e->nout && e->outs[o].id != l->outlet)
        o++;
    if (o == e->nout) {
        if (e->nout == e->capout) {
            size_t nc = e->capout ? e->capout * 2 : 4;
            line_out *t = realloc(e->outs, nc * sizeof *t);
            if (!t)
                return -1;
            e->outs = t;
            e->capout = nc;
        }
        e->outs[e->nout++] = (line_out){l->outlet, 0};
    }
    e->outs[o].n++;
    return 0;
}

int dw_report_lines_recount(dw_report_lines *l, const char *body, size_t n, int64_t outlet)
{
    l->outlet = outlet;
    return each_line(l, body, n, recount);
}

/* Most articles first; ties by the line's bytes. */
static int by_articles(const void *pa, const void *pb)
{
    const line_ent *a = pa, *b = pb;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    if (!a->text || !b->text)
        return !a->text - !b->text;
    size_t m = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->text, b->text, m);
    return c ? c : (a->len > b->len) - (a->len < b->len);
}

size_t dw_report_lines_top(dw_report_lines *l, uint64_t min_articles, dw_report_line *out, size_t max)
{
    qsort(l->e, l->n, sizeof *l->e, by_articles);
    reindex(l);
    size_t k = 0;
    for (size_t i = 0; i < l->n && k < max; i++) {
        const line_ent *e = &l->e[i];
        if (!e->text || e->count < min_articles)
            continue;
        dw_report_line *r = &out[k++];
        *r = (dw_report_line){e->text, e->count, e->nout, 0, 0};
        for (size_t o = 0; o < e->nout; o++) /* most articles; ties: the lowest id */
            if (e->outs[o].n > r->top_articles ||
                (e->outs[o].n == r->top_articles && e->outs[o].id < r->top_outlet)) {
                r->top_outlet = e->outs[o].id;
                r->top_articles = e->outs[o].n;
            }
    }
    return k;
}

uint64_t dw_report_lines_articles(const dw_report_lines *l) { return l->articles; }
