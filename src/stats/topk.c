/* topk.c: the first k rows of a stream of terms in `diwan top`'s orders
 * (see topk.h): per order, a binary heap whose root is the last row kept. */
#include "stats/topk.h"

#include <stdlib.h>
#include <string.h>

#include "core/dbins.h"
#include "core/heap.h"

/* A kept row; its term in its own buffer, reused when the row is replaced. */
typedef struct {
    int64_t count;    /* occurrences */
    int64_t df;       /* articles */
    dw_buf term;      /* the term's bytes (owned) */
} topk_row;

/* One order's heap. */
typedef struct {
    topk_row *rows;   /* heap of n rows, worst first (k allocated) (owned) */
    size_t n;         /* rows kept */
    int by_df;        /* 0: by count, 1: by df */
} topk_heap;

struct dw_topk {
    size_t k;         /* rows kept per order */
    topk_heap h[2];   /* by count, by df */
};

/* Compares two rows in an order: < 0 when a comes first (is better). */
static int row_cmp(int by_df, int64_t ac, int64_t adf, const char *at, size_t al, const topk_row *b)
{
    int64_t a1 = by_df ? adf : ac, b1 = by_df ? b->df : b->count;
    int64_t a2 = by_df ? ac : adf, b2 = by_df ? b->count : b->df;
    if (a1 != b1)
        return a1 > b1 ? -1 : 1;
    if (a2 != b2)
        return a2 > b2 ? -1 : 1;
    size_t bl = b->term.len, m = al < bl ? al : bl;
    int c = m ? memcmp(at, b->term.data, m) : 0;
    if (c)
        return c;
    return al < bl ? -1 : al > bl;
}

/* The heap's order: the worse row first (dw_heap_cmp; ctx: the heap). */
static int worse_first(const void *a, const void *b, void *ctx)
{
    const topk_row *x = a;
    return -row_cmp(((const topk_heap *)ctx)->by_df, x->count, x->df, x->term.data, x->term.len, b);
}

dw_topk *dw_topk_new(size_t k)
{
    if (k == 0)
        return NULL;
    dw_topk *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->k = k;
    for (int i = 0; i < 2; i++) {
        t->h[i].by_df = i;
        if (!(t->h[i].rows = calloc(k, sizeof *t->h[i].rows))) {
            dw_topk_free(t);
            return NULL;
        }
    }
    return t;
}

void dw_topk_free(dw_topk *t)
{
    if (!t)
        return;
    for (int i = 0; i < 2; i++) {
        for (size_t j = 0; t->h[i].rows && j < t->k; j++)
            dw_buf_free(&t->h[i].rows[j].term);
        free(t->h[i].rows);
    }
    free(t);
}

/* Offers a row to one heap. 0 or -1 (no memory). */
static int heap_add(topk_heap *h, size_t k, const char *term, size_t len, int64_t count, int64_t df)
{
    topk_row *slot;
    if (h->n < k)
        slot = &h->rows[h->n]; /* its buffer: empty, or left by an earlier stream */
    else if (row_cmp(h->by_df, count, df, term, len, &h->rows[0]) < 0)
        slot = &h->rows[0]; /* better than the last row kept: replaces it */
    else
        return 0;
    if (slot->term.cap > 4096 && len < slot->term.cap / 4)
        dw_buf_free(&slot->term); /* a huge term replaced: its room goes too */
    dw_buf_reset(&slot->term);
    if (dw_buf_append(&slot->term, term, len) != 0)
        return -1;
    slot->count = count;
    slot->df = df;
    if (slot == &h->rows[0] && h->n == k)
        dw_heap_down(h->rows, h->n, sizeof *h->rows, 0, worse_first, h);
    else
        dw_heap_up(h->rows, sizeof *h->rows, h->n++, worse_first, h);
    return 0;
}

int dw_topk_add(dw_topk *t, const char *term, size_t len, int64_t count, int64_t df)
{
    if (heap_add(&t->h[0], t->k, term, len, count, df) != 0 || heap_add(&t->h[1], t->k, term, len, count, df) != 0)
        return -1;
    return 0;
}

long dw_topk_put_rows(dw_topk *t, int64_t bucket, int n, dw_buf *out)
{
    static const char *const by[2] = {"count", "df"};
    long rows = 0;
    for (int i = 0; i < 2; i++) {
        topk_heap *h = &t->h[i];
        size_t kept = h->n;
        dw_heap_sort(h->rows, kept, sizeof *h->rows, worse_first, h); /* best first */
        h->n = 0;
        for (size_t j = 0; j < kept; j++, rows++) {
            const topk_row *w = &h->rows[j];
            if (dw_ins_put_int(out, bucket) != 0 || dw_ins_put_int(out, n) != 0 ||
                dw_ins_put_text(out, by[i], strlen(by[i])) != 0 || dw_ins_put_int(out, (int64_t)j + 1) != 0 ||
                dw_ins_put_text(out, w->term.data ? w->term.data : "", w->term.len) != 0 ||
                dw_ins_put_int(out, w->count) != 0 || dw_ins_put_int(out, w->df) != 0)
                return -1;
        }
    }
    return rows;
}
