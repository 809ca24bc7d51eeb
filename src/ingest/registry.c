/* registry.c: outlet registry (aliases -> canonical names). */
#include "ingest/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/norm.h"
#include "core/strmap.h"

typedef struct {
    char *name;      /* canonical name (owned) */
    dw_origin origin; /* highest origin of an alias naming it */
    int64_t db_id;   /* sources.id, 0 when not yet stored */
} outlet;

typedef struct {
    char *norm;      /* normalized alias (owned) */
    char *written;   /* as written (owned) */
    int idx;         /* outlet index */
    dw_origin origin; /* where it comes from */
} alias;

struct dw_registry {
    unsigned norm_flags; /* normalization flags of the database */
    outlet *outlets;     /* outlets, in order of creation */
    size_t n_outlets, cap_outlets;
    alias *aliases;      /* aliases, in order of creation */
    size_t n_aliases, cap_aliases;
    dw_strmap by_alias;  /* normalized alias -> alias index */
    dw_strmap by_name;   /* canonical name -> outlet index */
    dw_buf scratch;      /* normalization buffer */
};

dw_registry *dw_registry_new(unsigned norm_flags)
{
    dw_registry *r = calloc(1, sizeof *r);
    if (r)
        r->norm_flags = norm_flags | DW_NORM_NO_NEWLINES;
    return r;
}

void dw_registry_free(dw_registry *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_outlets; i++)
        free(r->outlets[i].name);
    for (size_t i = 0; i < r->n_aliases; i++) {
        free(r->aliases[i].norm);
        free(r->aliases[i].written);
    }
    free(r->outlets);
    free(r->aliases);
    dw_strmap_free(&r->by_alias);
    dw_strmap_free(&r->by_name);
    dw_buf_free(&r->scratch);
    free(r);
}

/* Normalizes s into r->scratch; returns 0, or -1 (no memory / empty). */
static int norm_key(dw_registry *r, const char *s, size_t n)
{
    dw_buf_reset(&r->scratch);
    if (dw_norm_text(&r->scratch, s, n, r->norm_flags) < 0)
        return -1;
    return r->scratch.len ? 0 : -1;
}

static int outlet_of(dw_registry *r, const char *canonical, dw_origin origin)
{
    int64_t idx;
    size_t n = strlen(canonical);
    if (dw_strmap_get(&r->by_name, canonical, n, &idx)) {
        if (origin > r->outlets[idx].origin)
            r->outlets[idx].origin = origin;
        return (int)idx;
    }
    if (r->n_outlets == r->cap_outlets) {
        size_t cap = r->cap_outlets ? r->cap_outlets * 2 : 32;
        outlet *o = realloc(r->outlets, cap * sizeof *o);
        if (!o)
            return -1;
        r->outlets = o;
        r->cap_outlets = cap;
    }
    outlet *o = &r->outlets[r->n_outlets];
    o->name = strdup(canonical);
    o->origin = origin;
    o->db_id = 0;
    if (!o->name || dw_strmap_put(&r->by_name, canonical, n, (int64_t)r->n_outlets) < 0) {
        free(o->name);
        return -1;
    }
    return (int)r->n_outlets++;
}

int dw_registry_add(dw_registry *r, const char *a, size_t alen, const char *canonical, dw_origin origin)
{
    if (norm_key(r, a, alen) < 0)
        return -1;
    int idx = outlet_of(r, canonical, origin);
    if (idx < 0)
        return -1;
    int64_t ai;
    if (dw_strmap_get(&r->by_alias, r->scratch.data, r->scratch.len, &ai)) {
        alias *al = &r->aliases[ai];
        if (origin >= al->origin) {
            al->idx = idx;
            al->origin = origin;
        }
        return al->idx;
    }
    if (r->n_aliases == r->cap_aliases) {
        size_t cap = r->cap_aliases ? r->cap_aliases * 2 : 64;
        alias *na = realloc(r->aliases, cap * sizeof *na);
        if (!na)
            return -1;
        r->aliases = na;
        r->cap_aliases = cap;
    }
    alias *al = &r->aliases[r->n_aliases];
    al->norm = strdup(r->scratch.data);
    al->written = strndup(a, alen);
    al->idx = idx;
    al->origin = origin;
    if (!al->norm || !al->written ||
        dw_strmap_put(&r->by_alias, r->scratch.data, r->scratch.len, (int64_t)r->n_aliases) < 0) {
        free(al->norm);
        free(al->written);
        return -1;
    }
    r->n_aliases++;
    return idx;
}

static const char *trim(const char *s, const char *end, const char **out_end)
{
    while (s < end && (*s == ' ' || *s == '\t' || *s == '\r'))
        s++;
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
        end--;
    *out_end = end;
    return s;
}

dw_rc dw_registry_load_tsv(dw_registry *r, const char *text, size_t n, const char *label, dw_origin origin,
                           dw_err *e)
{
    const char *p = text, *end = text + n;
    size_t lineno = 0;
    if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        lineno++;
        const char *ke;
        const char *k = trim(p, le, &ke);
        p = nl ? nl + 1 : end;
        if (k == ke || *k == '#')
            continue;
        const char *tab = memchr(k, '\t', (size_t)(ke - k));
        if (!tab)
            return dw_err_set(e, DW_EUSAGE, "%s:%zu: expected alias<TAB>canonical name", label, lineno);
        const char *ae, *ce;
        const char *al = trim(k, tab, &ae);
        const char *cn = trim(tab + 1, ke, &ce);
        if (al == ae || cn == ce || memchr(cn, '\t', (size_t)(ce - cn)))
            return dw_err_set(e, DW_EUSAGE, "%s:%zu: expected alias<TAB>canonical name", label, lineno);
        char *canon = strndup(cn, (size_t)(ce - cn));
        if (!canon)
            return dw_err_set(e, DW_ENOMEM, "out of memory");
        int idx = dw_registry_add(r, al, (size_t)(ae - al), canon, origin);
        free(canon);
        if (idx < 0)
            return dw_err_set(e, DW_EUSAGE, "%s:%zu: alias is empty once normalized", label, lineno);
    }
    return DW_OK;
}

dw_rc dw_registry_load_file(dw_registry *r, const char *path, dw_origin origin, dw_err *e)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return dw_err_set(e, DW_EUSAGE, "cannot open sources file %s: %m", path);
    dw_buf b = DW_BUF_INIT;
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (dw_buf_append(&b, chunk, got) < 0) {
            fclose(f);
            dw_buf_free(&b);
            return dw_err_set(e, DW_ENOMEM, "out of memory");
        }
    }
    int bad = ferror(f);
    fclose(f);
    dw_rc rc = bad ? dw_err_set(e, DW_EUSAGE, "cannot read sources file %s", path)
                   : dw_registry_load_tsv(r, dw_buf_str(&b), b.len, path, origin, e);
    dw_buf_free(&b);
    return rc;
}

int dw_registry_lookup(dw_registry *r, const char *written, size_t n)
{
    int64_t ai;
    if (norm_key(r, written, n) < 0)
        return -1;
    if (!dw_strmap_get(&r->by_alias, r->scratch.data, r->scratch.len, &ai))
        return -1;
    return r->aliases[ai].idx;
}

size_t dw_registry_count(const dw_registry *r) { return r->n_outlets; }
const char *dw_registry_name(const dw_registry *r, int idx) { return r->outlets[idx].name; }
dw_origin dw_registry_origin(const dw_registry *r, int idx) { return r->outlets[idx].origin; }
int64_t dw_registry_db_id(const dw_registry *r, int idx) { return r->outlets[idx].db_id; }
void dw_registry_set_db_id(dw_registry *r, int idx, int64_t id) { r->outlets[idx].db_id = id; }
size_t dw_registry_alias_count(const dw_registry *r) { return r->n_aliases; }

void dw_registry_alias(const dw_registry *r, size_t i, const char **norm, const char **written, int *idx)
{
    *norm = r->aliases[i].norm;
    *written = r->aliases[i].written;
    *idx = r->aliases[i].idx;
}
