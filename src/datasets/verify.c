/* verify.c: checks a release folder against its manifest (see verify.h). */
#include <csv.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <xxhash.h>
#include <zstd.h>

#include "core/buf.h"
#include "datasets/sha256.h"
#include "datasets/split.h"
#include "datasets/verify.h"

/* Iteration over jansson arrays and objects, spelled out so that cppcheck,
 * which does not read jansson.h, understands the loops. */
#define DW_JSON_ARRAY_EACH(arr, i, v) for ((i) = 0; (i) < json_array_size(arr) && ((v) = json_array_get((arr), (i))); (i)++)
#define DW_JSON_OBJECT_EACH(obj, k, v)                                                                       \
    for (void *it_##v = json_object_iter((json_t *)(obj));                                                  \
         it_##v && ((k) = json_object_iter_key(it_##v), (v) = json_object_iter_value(it_##v), 1);            \
         it_##v = json_object_iter_next((json_t *)(obj), it_##v))

/* Set of cluster ids (XXH3-64 of the text) with the split they were seen in. */
typedef struct {
    uint64_t *keys;  /* 0 = empty */
    uint8_t *split;  /* split index + 1 */
    size_t cap;      /* slots, a power of two */
    size_t len;      /* used slots */
} vf_clusters;

/* Run state of one verification. */
typedef struct {
    dw_verify_report_fn fn; /* where problems go */
    void *arg;              /* its argument */
    int64_t problems;       /* problems reported */
    vf_clusters cl;         /* clusters seen */
    int oom;                /* 1 after an allocation failure */
} vf_state;

static void vf_report(vf_state *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void vf_report(vf_state *v, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    v->problems++;
    v->fn(msg, v->arg);
}

/* Records cluster h in split s; returns the other split (0-based) it was
 * already seen in, or -1. */
static int vf_cluster_put(vf_state *v, uint64_t h, int s)
{
    vf_clusters *c = &v->cl;
    if (!h)
        h = 1;
    if (2 * (c->len + 1) > c->cap) {
        size_t ncap = c->cap ? 2 * c->cap : 1024;
        uint64_t *nk = calloc(ncap, sizeof *nk);
        uint8_t *ns = calloc(ncap, 1);
        if (!nk || !ns) {
            free(nk);
            free(ns);
            v->oom = 1;
            return -1;
        }
        for (size_t i = 0; i < c->cap; i++) {
            if (!c->keys[i])
                continue;
            size_t j = (size_t)(c->keys[i] * 0x9E3779B97F4A7C15ull >> 17) & (ncap - 1);
            while (nk[j])
                j = (j + 1) & (ncap - 1);
            nk[j] = c->keys[i];
            ns[j] = c->split[i];
        }
        free(c->keys);
        free(c->split);
        c->keys = nk;
        c->split = ns;
        c->cap = ncap;
    }
    size_t j = (size_t)(h * 0x9E3779B97F4A7C15ull >> 17) & (c->cap - 1);
    while (c->keys[j] && c->keys[j] != h)
        j = (j + 1) & (c->cap - 1);
    if (c->keys[j])
        return c->split[j] - 1 != s ? c->split[j] - 1 : -1;
    c->keys[j] = h;
    c->split[j] = (uint8_t)(s + 1);
    c->len++;
    return -1;
}

/* CSV parsing state of one file. */
typedef struct {
    vf_state *v;           /* the run */
    const char *name;      /* file name */
    const json_t *columns; /* manifest columns */
    int split;             /* split of the file (index) */
    int64_t records;       /* records seen (header included) */
    size_t field;          /* fields seen in the current record */
    int cl_col, sp_col;    /* column index of cluster_id and split, -1 if none */
    int64_t bad;           /* problems in this file (reports are capped) */
} vf_csv;

static void vf_field(void *s, size_t n, void *arg)
{
    vf_csv *p = arg;
    if (p->records == 0) {
        const char *want = json_string_value(json_object_get(json_array_get(p->columns, p->field), "name"));
        if (!want || strlen(want) != n || memcmp(want, s, n) != 0) {
            if (p->bad++ < 3)
                vf_report(p->v, "%s: header column %zu is '%.*s', manifest says '%s'", p->name, p->field + 1,
                          (int)(n > 64 ? 64 : n), (const char *)s, want ? want : "(none)");
        }
    } else if ((int)p->field == p->cl_col) {
        int other = vf_cluster_put(p->v, XXH3_64bits(s, n), p->split);
        if (other >= 0 && p->bad++ < 3)
            vf_report(p->v, "%s: cluster %.*s also in %s", p->name, (int)(n > 64 ? 64 : n), (const char *)s,
                      dw_split_name(other));
    } else if ((int)p->field == p->sp_col) {
        const char *want = dw_split_name(p->split);
        if ((strlen(want) != n || memcmp(want, s, n) != 0) && p->bad++ < 3)
            vf_report(p->v, "%s: record %lld has split '%.*s'", p->name, (long long)p->records,
                      (int)(n > 64 ? 64 : n), (const char *)s);
    }
    p->field++;
}

static void vf_record(int c, void *arg)
{
    (void)c;
    vf_csv *p = arg;
    size_t want = json_array_size(p->columns);
    if (p->field != want && p->bad++ < 3)
        vf_report(p->v, "%s: record %lld has %zu fields, expected %zu", p->name, (long long)p->records, p->field,
                  want);
    p->records++;
    p->field = 0;
}

/* Index of column name in the manifest columns, or -1. */
static int vf_col(const json_t *cols, const char *name)
{
    size_t i;
    json_t *c;
    DW_JSON_ARRAY_EACH(cols, i, c) if (!strcmp(json_string_value(json_object_get(c, "name")) ?: "", name)) return (int)i;
    return -1;
}

/* A name the manifest may list: no path separator, not hidden. */
static int vf_safe_name(const char *n) { return n && *n && *n != '.' && !strchr(n, '/'); }

/* Checks size and checksum of dir/name; with columns, also decodes and
 * parses it and checks the rows. */
static void vf_file(vf_state *v, const char *dir, const json_t *f, const json_t *columns, int split)
{
    const char *name = json_string_value(json_object_get(f, "name"));
    const char *sha = json_string_value(json_object_get(f, "sha256"));
    json_int_t bytes = json_integer_value(json_object_get(f, "bytes"));
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        if (errno == ENOENT)
            vf_report(v, "%s: missing", name);
        else
            vf_report(v, "%s: cannot open: %s", name, strerror(errno));
        return;
    }
    dw_sha256 sh;
    dw_sha256_init(&sh);
    ZSTD_DCtx *dc = columns ? ZSTD_createDCtx() : NULL;
    struct csv_parser cp;
    vf_csv pc = {v, name, columns, split, 0, 0, vf_col(columns, "cluster_id"), vf_col(columns, "split"), 0};
    int csv_ok = columns && csv_init(&cp, CSV_STRICT | CSV_STRICT_FINI) == 0;
    size_t inc = ZSTD_DStreamInSize(), outc = ZSTD_DStreamOutSize();
    char *in = malloc(inc), *out = malloc(outc);
    uint64_t total = 0;
    int zerr = 0, pending = 0;
    if (!in || !out || (columns && (!dc || !csv_ok))) {
        v->oom = 1;
        goto done;
    }
    size_t n;
    while ((n = fread(in, 1, inc, fp)) > 0) {
        dw_sha256_update(&sh, in, n);
        total += n;
        if (!columns || zerr)
            continue;
        ZSTD_inBuffer ib = {in, n, 0};
        for (;;) {
            ZSTD_outBuffer ob = {out, outc, 0};
            size_t r = ZSTD_decompressStream(dc, &ob, &ib);
            if (ZSTD_isError(r)) {
                vf_report(v, "%s: corrupt zstd data: %s", name, ZSTD_getErrorName(r));
                zerr = 1;
                break;
            }
            pending = r != 0;
            if (ob.pos && csv_parse(&cp, out, ob.pos, vf_field, vf_record, &pc) != ob.pos) {
                vf_report(v, "%s: bad CSV: %s", name, csv_strerror(csv_error(&cp)));
                zerr = 1;
                break;
            }
            if (ib.pos == ib.size && ob.pos < outc)
                break;
        }
    }
    if (ferror(fp))
        vf_report(v, "%s: read error: %s", name, strerror(errno));
    if (columns && !zerr && pending)
        vf_report(v, "%s: truncated zstd frame", name), zerr = 1;
    if (columns && !zerr && total == 0)
        vf_report(v, "%s: empty file", name), zerr = 1;
    if (columns && !zerr && csv_fini(&cp, vf_field, vf_record, &pc) != 0)
        vf_report(v, "%s: bad CSV at the end: %s", name, csv_strerror(csv_error(&cp))), zerr = 1;
    if ((json_int_t)total != bytes)
        vf_report(v, "%s: size %llu, manifest says %lld", name, (unsigned long long)total, (long long)bytes);
    char hex[65];
    dw_sha256_hex(&sh, hex);
    if (!sha || strcmp(hex, sha) != 0)
        vf_report(v, "%s: sha256 mismatch", name);
    if (columns && !zerr) {
        json_int_t rows = json_integer_value(json_object_get(f, "rows"));
        int64_t got = pc.records > 0 ? pc.records - 1 : 0;
        if (pc.records == 0)
            vf_report(v, "%s: no header row", name);
        else if (got != rows)
            vf_report(v, "%s: %lld rows, manifest says %lld", name, (long long)got, (long long)rows);
    }
done:
    if (csv_ok)
        csv_free(&cp);
    ZSTD_freeDCtx(dc);
    free(in);
    free(out);
    fclose(fp);
}

/* Returns 1 when name is in the list of strings. */
static int vf_listed(const json_t *names, const char *name)
{
    size_t i;
    json_t *n;
    DW_JSON_ARRAY_EACH(names, i, n) if (!strcmp(json_string_value(n), name)) return 1;
    return 0;
}

dw_rc dw_verify_dir(const char *dir, dw_verify_report_fn fn, void *arg, int64_t *problems, int64_t *files,
                    dw_err *e)
{
    vf_state v = {fn, arg, 0, {NULL, NULL, 0, 0}, 0};
    *files = 0;
    char path[4096];
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    json_error_t je;
    json_t *man = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    json_t *listed = json_array();
    struct stat sb;
    if (stat(dir, &sb) != 0) {
        vf_report(&v, "%s: %s", dir, strerror(errno));
        goto out;
    }
    if (!man) {
        if (stat(path, &sb) != 0)
            vf_report(&v, "manifest.json: missing");
        else
            vf_report(&v, "manifest.json: line %d: %s", je.line, je.text);
        goto out;
    }
    json_array_append_new(listed, json_string("manifest.json"));
    const json_t *columns = json_object_get(man, "columns");
    const json_t *fl = json_object_get(man, "files");
    if (!json_is_array(columns) || !json_is_array(fl)) {
        vf_report(&v, "manifest.json: no files or columns");
        goto out;
    }
    size_t i;
    json_t *f;
    DW_JSON_ARRAY_EACH(fl, i, f)
    {
        const char *name = json_string_value(json_object_get(f, "name"));
        const char *sp = json_string_value(json_object_get(f, "split"));
        int split = -1;
        for (int s = 0; s < DW_SPLIT_N && sp; s++)
            if (!strcmp(sp, dw_split_name(s)))
                split = s;
        if (!vf_safe_name(name) || split < 0) {
            vf_report(&v, "manifest.json: bad entry %zu in files", i);
            continue;
        }
        json_array_append_new(listed, json_string(name));
        vf_file(&v, dir, f, columns, split);
        (*files)++;
    }
    DW_JSON_ARRAY_EACH(json_object_get(man, "metadata_files"), i, f)
    {
        const char *name = json_string_value(json_object_get(f, "name"));
        if (!vf_safe_name(name)) {
            vf_report(&v, "manifest.json: bad entry %zu in metadata_files", i);
            continue;
        }
        json_array_append_new(listed, json_string(name));
        vf_file(&v, dir, f, NULL, -1);
        (*files)++;
    }
    DIR *d = opendir(dir);
    if (!d) {
        vf_report(&v, "%s: %s", dir, strerror(errno));
        goto out;
    }
    /* unlisted files, in byte order of their names */
    json_t *extra = json_array();
    struct dirent *de;
    while ((de = readdir(d)))
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") && !vf_listed(listed, de->d_name))
            json_array_append_new(extra, json_string(de->d_name));
    closedir(d);
    size_t ne = json_array_size(extra);
    const char **names = calloc(ne ? ne : 1, sizeof *names);
    if (!names)
        v.oom = 1;
    for (i = 0; names && i < ne; i++)
        names[i] = json_string_value(json_array_get(extra, i));
    for (i = 0; names && i + 1 < ne; i++)
        for (size_t j = i + 1; j < ne; j++)
            if (strcmp(names[j], names[i]) < 0) {
                const char *t = names[i];
                names[i] = names[j];
                names[j] = t;
            }
    for (i = 0; names && i < ne; i++)
        vf_report(&v, "%s: not listed in manifest.json", names[i]);
    free(names);
    json_decref(extra);
out:
    json_decref(man);
    json_decref(listed);
    free(v.cl.keys);
    free(v.cl.split);
    *problems = v.problems;
    if (v.oom)
        return dw_err_set(e, DW_ENOMEM, "out of memory");
    return DW_OK;
}
