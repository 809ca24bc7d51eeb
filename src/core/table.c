/* table.c: aligned text and JSON output of small result tables. */
#include "core/table.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

struct dw_table {
    int ncols;     /* columns */
    char **cols;   /* column names (owned; numeric ones start with '#') */
    char **cells;  /* nrows * ncols cells (owned; NULL allowed) */
    size_t nrows;  /* rows */
    size_t cap;    /* rows allocated */
};

dw_table *dw_table_new(int ncols, const char *const *cols)
{
    dw_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->ncols = ncols;
    t->cols = calloc((size_t)ncols, sizeof *t->cols);
    if (!t->cols) {
        free(t);
        return NULL;
    }
    for (int i = 0; i < ncols; i++)
        if (!(t->cols[i] = strdup(cols[i]))) {
            dw_table_free(t);
            return NULL;
        }
    return t;
}

void dw_table_free(dw_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nrows * (size_t)t->ncols; i++)
        free(t->cells[i]);
    for (int i = 0; i < t->ncols; i++)
        free(t->cols[i]);
    free(t->cells);
    free(t->cols);
    free(t);
}

int dw_table_add(dw_table *t, const char *const *cells)
{
    if (t->nrows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        char **c = realloc(t->cells, cap * (size_t)t->ncols * sizeof *c);
        if (!c)
            return -1;
        t->cells = c;
        t->cap = cap;
    }
    char **row = t->cells + t->nrows * (size_t)t->ncols;
    for (int i = 0; i < t->ncols; i++) {
        row[i] = cells[i] ? strdup(cells[i]) : NULL;
        if (cells[i] && !row[i]) {
            for (int j = 0; j < i; j++)
                free(row[j]);
            return -1;
        }
    }
    t->nrows++;
    return 0;
}

size_t dw_text_width(const char *s)
{
    size_t w = 0;
    utf8proc_int32_t cp;
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    while (*p) {
        utf8proc_ssize_t n = utf8proc_iterate(p, -1, &cp);
        if (n <= 0) {
            p++;
            w++;
            continue;
        }
        p += n;
        int cw = utf8proc_charwidth(cp);
        w += cw > 0 ? (size_t)cw : 0;
    }
    return w;
}

static const char *col_name(const dw_table *t, int i) { return t->cols[i][0] == '#' ? t->cols[i] + 1 : t->cols[i]; }

void dw_table_print_text(const dw_table *t, FILE *out)
{
    size_t *wid = calloc((size_t)t->ncols, sizeof *wid);
    if (!wid)
        return;
    for (int c = 0; c < t->ncols; c++) {
        wid[c] = dw_text_width(col_name(t, c));
        for (size_t r = 0; r < t->nrows; r++) {
            const char *v = t->cells[r * (size_t)t->ncols + (size_t)c];
            size_t w = v ? dw_text_width(v) : 0;
            if (w > wid[c])
                wid[c] = w;
        }
    }
    for (size_t r = 0; r <= t->nrows; r++) {
        for (int c = 0; c < t->ncols; c++) {
            const char *v = r == 0 ? col_name(t, c) : t->cells[(r - 1) * (size_t)t->ncols + (size_t)c];
            if (!v)
                v = "";
            size_t pad = wid[c] - dw_text_width(v);
            int last = c == t->ncols - 1;
            if (t->cols[c][0] == '#') {
                fprintf(out, "%*s%s", (int)pad, "", v);
            } else {
                fputs(v, out);
                if (!last)
                    fprintf(out, "%*s", (int)pad, "");
            }
            if (!last)
                fputs("  ", out);
        }
        fputc('\n', out);
    }
    free(wid);
}

void dw_table_print_json(const dw_table *t, FILE *out)
{
    json_t *arr = json_array();
    for (size_t r = 0; r < t->nrows; r++) {
        json_t *o = json_object();
        for (int c = 0; c < t->ncols; c++) {
            const char *v = t->cells[r * (size_t)t->ncols + (size_t)c];
            json_t *jv;
            if (!v)
                jv = json_null();
            else if (t->cols[c][0] == '#')
                jv = json_integer(strtoll(v, NULL, 10));
            else
                jv = json_string(v);
            json_object_set_new(o, col_name(t, c), jv ? jv : json_null());
        }
        json_array_append_new(arr, o);
    }
    json_dumpf(arr, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', out);
    json_decref(arr);
}
