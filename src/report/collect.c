/* collect.c: builds the report's model (a JSON object) from a diwan database
 * with SQL only. Figures use the queries of the commands that print them
 * (`diwan info`, `sources`, `top`, `cooc`, `dups`), so that the report and
 * those commands agree on every number. Sections that need `diwan stats` are
 * null in the model and listed under "needs_stats" when it was not run. */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/bqueue.h"
#include "core/figures.h"
#include "core/heap.h"
#include "report/report.h"

#ifndef DW_VERSION
#define DW_VERSION "unknown"
#endif

void dw_report_opts_init(dw_report_opts *o)
{
    memset(o, 0, sizeof *o);
    o->limit = DW_REPORT_LIMIT;
    o->db_label = "";
}

/* Collection state shared by the section builders. */
typedef struct {
    dw_db *db;                /* the database (not owned) */
    const dw_report_opts *o;  /* options (not owned) */
    dw_err *e;                /* error message */
    int stats;                /* 1 when `diwan stats` was run */
    int64_t all_bucket;       /* stats_buckets.id of the 'all' bucket, or -1 */
    int64_t top_k;            /* rows per bucket, n and order in stats_top (0: none) */
} rp_ctx;

/* The figures of `diwan info`: the same list (core/figures.h). */
#define N_INFO DW_FIGURE_COUNT

/* The outlets of `diwan sources` (src/cmd/sources.c) in its order, with the
 * same counts (articles whose primary sighting names the outlet, sightings
 * that name it), computed in one pass over each table instead of one per
 * outlet; with the tokens, dates and near copies of those articles. */
static const char sources_sql[] =
    "WITH a AS (SELECT source_id, count(*) AS n, sum(n_tokens) AS tok, min(published) AS d0,"
    "  max(published) AS d1, sum(cluster_join = 'near') AS near FROM articles"
    "  WHERE source_id IS NOT NULL GROUP BY source_id),"
    " g AS (SELECT source_id, count(*) AS n FROM sightings WHERE source_id IS NOT NULL GROUP BY source_id)"
    " SELECT s.id, s.name, coalesce(a.n, 0) AS articles, g.n AS sightings, coalesce(a.tok, 0), a.d0, a.d1,"
    " coalesce(a.near, 0) FROM sources s JOIN g ON g.source_id = s.id LEFT JOIN a ON a.source_id = s.id"
    " ORDER BY articles DESC, sightings DESC, s.name";

/* Terms of a bucket as `diwan top` lists them (--by count): from stats_top
 * when it holds enough of them (see top_sql_for), else from all of them. */
static const char top_sql[] =
    "SELECT g.term, g.count, g.df FROM stats_ngrams g JOIN stats_buckets b ON b.id = g.bucket"
    " WHERE b.kind = ?1 AND b.name = ?2 AND g.n = ?4 ORDER BY g.count DESC, g.df DESC, g.term LIMIT ?3";
static const char top_kept_sql[] =
    "SELECT t.term, t.count, t.df FROM stats_top t JOIN stats_buckets b ON b.id = t.bucket"
    " WHERE b.kind = ?1 AND b.name = ?2 AND t.n = ?4 AND t.by = 'count' AND t.rank <= ?3 ORDER BY t.rank";

/* Members of a cluster as `diwan dups` lists them (src/cmd/dups.c). */
static const char members_sql[] =
    "SELECT a.id, a.cluster_join, a.cluster_similarity, a.published, s.name,"
    " (SELECT count(*) FROM sightings g WHERE g.article_id = a.id), a.title"
    " FROM articles a LEFT JOIN sources s ON s.id = a.source_id WHERE a.cluster_id = ?1"
    " ORDER BY a.cluster_join = 'near', a.cluster_similarity DESC, a.id";

/* Prepares sql; NULL with the error filled. */
static sqlite3_stmt *rp_prepare(rp_ctx *c, const char *sql) { return dw_db_prepare(c->db, sql, c->e); }

/* Value of column i as JSON: integer, real, text or null. */
static json_t *col_json(sqlite3_stmt *st, int i)
{
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_INTEGER: return json_integer(sqlite3_column_int64(st, i));
    case SQLITE_FLOAT: return json_real(sqlite3_column_double(st, i));
    case SQLITE_NULL: return json_null();
    default: return json_string((const char *)sqlite3_column_text(st, i));
    }
}

/* Appends every row of st to arr as objects keyed by names[0..ncols).
 * Resets st. DW_OK or DW_EDB. */
static dw_rc rows_json(rp_ctx *c, sqlite3_stmt *st, const char *const *names, int ncols, json_t *arr)
{
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *o = json_object();
        for (int i = 0; i < ncols; i++)
            json_object_set_new(o, names[i], col_json(st, i));
        json_array_append_new(arr, o);
    }
    sqlite3_reset(st);
    return r == SQLITE_DONE ? DW_OK : dw_db_fail(c->db, c->e, "report");
}

/* Rate num/den, 0 when den is 0. */
static double rate(int64_t num, int64_t den) { return den > 0 ? (double)num / (double)den : 0.0; }

/* ---- overview ---- */

static dw_rc build_overview(rp_ctx *c, json_t *m)
{
    json_t *o = json_object();
    json_object_set_new(m, "overview", o);
    int64_t v[N_INFO];
    for (size_t i = 0; i < N_INFO; i++) {
        dw_rc rc = dw_db_int(c->db, dw_figures()[i].sql, &v[i], c->e);
        if (rc != DW_OK)
            return rc;
        json_object_set_new(o, dw_figures()[i].key, json_integer(v[i]));
    }
    sqlite3_stmt *st = rp_prepare(c, "SELECT min(published), max(published) FROM articles");
    if (!st)
        return DW_EDB;
    if (sqlite3_step(st) == SQLITE_ROW) {
        json_object_set_new(o, "first_date", col_json(st, 0));
        json_object_set_new(o, "last_date", col_json(st, 1));
    }
    sqlite3_finalize(st);
    /* exact: share of the articles found that copy one already seen;
     * near: share of unique articles that joined a cluster as near copies */
    json_object_set_new(o, "exact_duplicate_rate",
                        json_real(rate(json_integer_value(json_object_get(o, "duplicate_sightings")),
                                       json_integer_value(json_object_get(o, "sightings")))));
    json_object_set_new(o, "near_duplicate_rate",
                        json_real(rate(json_integer_value(json_object_get(o, "near_dup_articles")),
                                       json_integer_value(json_object_get(o, "articles")))));
    json_t *q = json_array();
    json_object_set_new(o, "quarantine", q);
    st = rp_prepare(c, "SELECT path, byte_offset, reason FROM quarantine ORDER BY path, byte_offset, reason LIMIT ?1");
    if (!st)
        return DW_EDB;
    sqlite3_bind_int(st, 1, c->o->limit);
    static const char *const qn[] = {"path", "offset", "reason"};
    dw_rc rc = rows_json(c, st, qn, 3, q);
    sqlite3_finalize(st);
    return rc;
}

/* ---- per source ---- */

/* One distinctive-term candidate. */
typedef struct {
    const char *term; /* owned by the term arena of the caller */
    int64_t count;    /* occurrences in the source */
    int64_t df;       /* articles of the source holding it */
    double z;         /* z-score of the weighted log-odds */
} rp_dterm;

static int cmp_dterm(const void *pa, const void *pb)
{
    const rp_dterm *a = pa, *b = pb;
    if (a->z != b->z)
        return a->z > b->z ? -1 : 1;
    return strcmp(a->term, b->term);
}

/* The query of a bucket's first terms: the kept ones (the statistics
 * wrote stats_top, and it holds the report's limit), else all terms: the
 * same rows. Binds ?1 kind, ?2 name, ?3 limit, ?4 n. */
static const char *top_sql_for(const rp_ctx *c)
{
    return c->o->limit > 0 && c->o->limit <= c->top_k ? top_kept_sql : top_sql;
}

/* Tokens (n = 1) of a bucket: stats_summary, else stats_buckets. */
static dw_rc bucket_tokens(rp_ctx *c, int64_t bucket, int64_t *out)
{
    sqlite3_stmt *st = rp_prepare(c, "SELECT coalesce((SELECT tokens FROM stats_summary WHERE bucket = ?1 AND n = 1),"
                                     " (SELECT tokens FROM stats_buckets WHERE id = ?1), 0)");
    if (!st)
        return DW_EDB;
    sqlite3_bind_int64(st, 1, bucket);
    *out = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return DW_OK;
}

/* One source bucket's side of the distinctive-terms merge (build_distinctive). */
typedef struct {
    sqlite3_stmt *st; /* its unigrams in term order (the key's order) */
    const char *term; /* its current term (valid until st steps), NULL at the end */
    size_t len;       /* its bytes */
    double ni;        /* the bucket's tokens */
    rp_dterm *best;   /* the limit best terms so far, a heap, worst first (owned, terms too) */
    size_t nbest;     /* terms in best */
    size_t cap;       /* entries allocated in best (grown up to the limit) */
    json_t *arr;      /* where they go (not owned) */
} rp_dsrc;

/* Byte order of two terms, as SQLite's BINARY collation (memcmp, then the
 * shorter first). */
static int cmp_bytes(const char *a, size_t al, const char *b, size_t bl)
{
    size_t m = al < bl ? al : bl;
    int c = m ? memcmp(a, b, m) : 0;
    return c ? c : (al > bl) - (al < bl);
}

/* Steps a cursor of the merge: its next term, or NULL at the end. */
static dw_rc dsrc_step(rp_ctx *c, sqlite3_stmt *st, const char **term, size_t *len)
{
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        *term = (const char *)sqlite3_column_text(st, 0);
        *len = (size_t)sqlite3_column_bytes(st, 0);
        if (!*term)
            *term = "";
        return DW_OK;
    }
    *term = NULL;
    return r == SQLITE_DONE ? DW_OK : dw_db_fail(c->db, c->e, "report: distinctive terms");
}

/* The heap of cursors: the smallest current term first (dw_heap_cmp). */
static int dsrc_first(const void *a, const void *b, void *ctx)
{
    const rp_dsrc *x = *(rp_dsrc *const *)a, *y = *(rp_dsrc *const *)b;
    (void)ctx;
    return cmp_bytes(x->term, x->len, y->term, y->len);
}

/* A heap of best terms: the worst first (dw_heap_cmp). */
static int dterm_worst_first(const void *a, const void *b, void *ctx)
{
    (void)ctx;
    return -cmp_dterm(a, b);
}

/* Keeps d among the limit (>= 1) best terms of s (a heap, worst at its
 * root); its term is copied when kept. 0, or -1 when out of memory. */
static int dsrc_keep(rp_dsrc *s, size_t limit, rp_dterm d)
{
    int replace = s->nbest == limit;
    if (replace && cmp_dterm(&d, &s->best[0]) >= 0)
        return 0;
    if (!replace && s->nbest == s->cap) { /* grown as needed: a limit can be 100000 */
        size_t nc = s->cap ? 2 * s->cap : 64;
        rp_dterm *g = realloc(s->best, (nc < limit ? nc : limit) * sizeof *g);
        if (!g)
            return -1;
        s->best = g;
        s->cap = nc < limit ? nc : limit;
    }
    char *t = strdup(d.term);
    if (!t)
        return -1;
    d.term = t;
    if (replace) { /* in place of the worst */
        free((char *)s->best[0].term);
        s->best[0] = d;
        dw_heap_down(s->best, s->nbest, sizeof *s->best, 0, dterm_worst_first, NULL);
    } else {
        s->best[s->nbest] = d;
        dw_heap_up(s->best, sizeof *s->best, s->nbest++, dterm_worst_first, NULL);
    }
    return 0;
}

/* Distinctive words of every source bucket (bks[0..ns), each filling
 * arrs[i]) against the rest of the corpus: weighted log-odds with an
 * informative Dirichlet prior (Monroe, Colaresi and Quinn 2008, eq. 16-22),
 * the prior being the whole corpus' counts (alpha_w = count of w in the
 * 'all' bucket, alpha_0 = its tokens); the `limit` highest z-scores of
 * each. One pass in term order over the 'all' bucket's unigrams and every
 * source's, merged (a heap of the sources' cursors), with the best terms
 * of each source in a bounded heap: a look-up in 'all' for every term of
 * every source (a million index seeks on the bench collection) took 1.2 s,
 * and every term of a source was held in memory to be sorted. */
static dw_rc build_distinctive(rp_ctx *c, const int64_t *bks, json_t *const *arrs, size_t ns)
{
    static const char sql[] = "SELECT term, count, df FROM stats_ngrams WHERE bucket = ?1 AND n = 1 ORDER BY term";
    size_t limit = (size_t)c->o->limit;
    int64_t nall;
    dw_rc rc = bucket_tokens(c, c->all_bucket, &nall);
    if (rc != DW_OK || !ns)
        return rc;
    rp_dsrc *src = calloc(ns, sizeof *src);
    rp_dsrc **heap = calloc(ns, sizeof *heap);
    sqlite3_stmt *all = rp_prepare(c, sql);
    if (!src || !heap)
        rc = dw_err_set(c->e, DW_ENOMEM, "out of memory");
    else if (!all)
        rc = DW_EDB;
    size_t nh = 0;
    for (size_t i = 0; i < ns && rc == DW_OK; i++) {
        int64_t ni;
        src[i].arr = arrs[i];
        if ((rc = bucket_tokens(c, bks[i], &ni)) != DW_OK)
            break;
        src[i].ni = (double)ni;
        if (!(src[i].st = rp_prepare(c, sql))) {
            rc = DW_EDB;
            break;
        }
        sqlite3_bind_int64(src[i].st, 1, bks[i]);
        if ((rc = dsrc_step(c, src[i].st, &src[i].term, &src[i].len)) == DW_OK && src[i].term)
            heap[nh++] = &src[i];
    }
    for (size_t i = nh / 2; rc == DW_OK && i-- > 0;)
        dw_heap_down(heap, nh, sizeof *heap, i, dsrc_first, NULL);
    const char *at = NULL;
    size_t al = 0;
    if (rc == DW_OK) {
        sqlite3_bind_int64(all, 1, c->all_bucket);
        rc = dsrc_step(c, all, &at, &al);
    }
    double a0 = (double)nall;
    while (rc == DW_OK && nh) {
        rp_dsrc *s = heap[0];
        int cmp = -1;
        while (rc == DW_OK && at && (cmp = cmp_bytes(at, al, s->term, s->len)) < 0)
            rc = dsrc_step(c, all, &at, &al);
        if (rc != DW_OK)
            break;
        if (at && cmp == 0) { /* the term in the whole corpus (always, in statistics of one run) */
            double yi = (double)sqlite3_column_int64(s->st, 1), ya = (double)sqlite3_column_int64(all, 1);
            double yj = ya - yi, aw = ya, nj = a0 - s->ni;
            double li = log((yi + aw) / (s->ni + a0 - yi - aw));
            double lj = log((yj + aw) / (nj + a0 - yj - aw));
            double var = 1.0 / (yi + aw) + 1.0 / (yj + aw);
            rp_dterm d = {s->term, sqlite3_column_int64(s->st, 1), sqlite3_column_int64(s->st, 2), (li - lj) / sqrt(var)};
            if (dsrc_keep(s, limit, d) != 0)
                rc = dw_err_set(c->e, DW_ENOMEM, "out of memory");
        }
        if (rc == DW_OK)
            rc = dsrc_step(c, s->st, &s->term, &s->len);
        if (rc == DW_OK && !s->term)
            heap[0] = heap[--nh];
        dw_heap_down(heap, nh, sizeof *heap, 0, dsrc_first, NULL);
    }
    for (size_t i = 0; src && i < ns; i++) {
        rp_dsrc *s = &src[i];
        if (rc == DW_OK) {
            qsort(s->best, s->nbest, sizeof *s->best, cmp_dterm);
            for (size_t k = 0; k < s->nbest; k++) {
                json_t *o = json_object();
                json_object_set_new(o, "term", json_string(s->best[k].term));
                json_object_set_new(o, "count", json_integer(s->best[k].count));
                json_object_set_new(o, "df", json_integer(s->best[k].df));
                json_object_set_new(o, "z", json_real(round(s->best[k].z * 1000.0) / 1000.0));
                json_array_append_new(s->arr, o);
            }
        }
        for (size_t k = 0; k < s->nbest; k++)
            free((char *)s->best[k].term);
        free(s->best);
        sqlite3_finalize(s->st);
    }
    sqlite3_finalize(all);
    free(src);
    free(heap);
    return rc;
}

/* Index of the source with id in ids[0..n), or -1. */
static long find_id(const int64_t *ids, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id)
            return (long)i;
    return -1;
}

static dw_rc build_sources(rp_ctx *c, json_t *m, int64_t **ids_out, size_t *nids_out)
{
    json_t *arr = json_array();
    json_object_set_new(m, "sources", arr);
    sqlite3_stmt *st = rp_prepare(c, sources_sql);
    if (!st)
        return DW_EDB;
    int64_t *ids = NULL;
    size_t n = 0;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t *ni = realloc(ids, (n + 1) * sizeof *ni);
        if (!ni) {
            sqlite3_finalize(st);
            free(ids);
            return dw_err_set(c->e, DW_ENOMEM, "out of memory");
        }
        ids = ni;
        ids[n++] = sqlite3_column_int64(st, 0);
        json_t *o = json_object();
        json_object_set_new(o, "name", col_json(st, 1));
        json_object_set_new(o, "articles", col_json(st, 2));
        json_object_set_new(o, "sightings", col_json(st, 3));
        json_object_set_new(o, "tokens", col_json(st, 4));
        json_object_set_new(o, "first_date", col_json(st, 5));
        json_object_set_new(o, "last_date", col_json(st, 6));
        int64_t near = sqlite3_column_int64(st, 7);
        json_object_set_new(o, "near_dup_articles", json_integer(near));
        json_object_set_new(o, "near_duplicate_rate", json_real(rate(near, sqlite3_column_int64(st, 2))));
        json_array_append_new(arr, o);
    }
    sqlite3_finalize(st);
    *ids_out = ids;
    *nids_out = n;
    if (r != SQLITE_DONE)
        return dw_db_fail(c->db, c->e, "report: sources");
    /* one pass over the sightings: distinct articles each outlet carried, and
     * how many of them other outlets carried too (the rule of info's
     * cross_outlet_articles) */
    st = rp_prepare(c, "WITH per AS (SELECT article_id, count(DISTINCT source_id) AS k FROM sightings"
                       " WHERE source_id IS NOT NULL GROUP BY article_id)"
                       " SELECT g.source_id, count(DISTINCT g.article_id),"
                       " count(DISTINCT CASE WHEN per.k > 1 THEN g.article_id END)"
                       " FROM sightings g JOIN per ON per.article_id = g.article_id GROUP BY g.source_id");
    if (!st)
        return DW_EDB;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        long i = find_id(ids, n, sqlite3_column_int64(st, 0));
        if (i < 0)
            continue;
        json_t *o = json_array_get(arr, (size_t)i);
        int64_t carried = sqlite3_column_int64(st, 1), shared = sqlite3_column_int64(st, 2);
        int64_t sight = json_integer_value(json_object_get(o, "sightings"));
        json_object_set_new(o, "carried_articles", json_integer(carried));
        json_object_set_new(o, "exact_duplicate_rate", json_real(rate(sight - carried, sight)));
        json_object_set_new(o, "cross_outlet_articles", json_integer(shared));
        json_object_set_new(o, "cross_outlet_share", json_real(rate(shared, carried)));
    }
    sqlite3_finalize(st);
    if (r != SQLITE_DONE)
        return dw_db_fail(c->db, c->e, "report: sources");
    /* statistics of each outlet's bucket */
    sqlite3_stmt *bk = NULL, *top = NULL;
    dw_rc rc = DW_OK;
    int64_t *dbk = calloc(n ? n : 1, sizeof *dbk); /* source buckets, for build_distinctive */
    json_t **darr = calloc(n ? n : 1, sizeof *darr); /* and their distinctive_terms arrays */
    size_t nd = 0;
    if (!dbk || !darr)
        rc = dw_err_set(c->e, DW_ENOMEM, "out of memory");
    if (c->stats && rc == DW_OK) {
        bk = rp_prepare(c, "SELECT id, articles, tokens FROM stats_buckets WHERE kind = 'source' AND name = ?1");
        top = bk ? rp_prepare(c, top_sql_for(c)) : NULL;
        if (!top)
            rc = DW_EDB;
    }
    for (size_t i = 0; i < n && rc == DW_OK; i++) {
        json_t *o = json_array_get(arr, i);
        if (!c->stats) {
            json_object_set_new(o, "counted_articles", json_null());
            json_object_set_new(o, "top_terms", json_null());
            json_object_set_new(o, "distinctive_terms", json_null());
            continue;
        }
        const char *name = json_string_value(json_object_get(o, "name"));
        sqlite3_bind_text(bk, 1, name, -1, SQLITE_TRANSIENT);
        int64_t bucket = -1;
        if (sqlite3_step(bk) == SQLITE_ROW) {
            bucket = sqlite3_column_int64(bk, 0);
            json_object_set_new(o, "counted_articles", json_integer(sqlite3_column_int64(bk, 1)));
        } else {
            json_object_set_new(o, "counted_articles", json_integer(0));
        }
        sqlite3_reset(bk);
        json_t *tt = json_array(), *dt = json_array();
        json_object_set_new(o, "top_terms", tt);
        json_object_set_new(o, "distinctive_terms", dt);
        if (bucket < 0)
            continue;
        sqlite3_bind_text(top, 1, "source", -1, SQLITE_STATIC);
        sqlite3_bind_text(top, 2, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(top, 3, c->o->limit);
        sqlite3_bind_int(top, 4, 1);
        static const char *const tn[] = {"term", "count", "df"};
        rc = rows_json(c, top, tn, 3, tt);
        dbk[nd] = bucket;
        darr[nd++] = dt;
    }
    sqlite3_finalize(bk);
    sqlite3_finalize(top);
    if (rc == DW_OK && c->stats && c->all_bucket >= 0)
        rc = build_distinctive(c, dbk, darr, nd);
    free(dbk);
    free(darr);
    return rc;
}

/* ---- time ---- */

/* Month index (year * 12 + month - 1) of "YYYY-MM", or -1. */
static long month_index(const char *s)
{
    if (!s || strlen(s) < 7 || s[4] != '-')
        return -1;
    long y = strtol(s, NULL, 10), mo = strtol(s + 5, NULL, 10);
    return (mo >= 1 && mo <= 12 && y > 0) ? y * 12 + mo - 1 : -1;
}

static dw_rc build_time(rp_ctx *c, json_t *m, const int64_t *ids, size_t nids)
{
    json_t *t = json_object();
    json_object_set_new(m, "time", t);
    sqlite3_stmt *st = rp_prepare(c, "SELECT substr(published, 1, 7) AS mo, source_id, count(*) FROM articles"
                                     " WHERE published IS NOT NULL GROUP BY mo, source_id ORDER BY mo, source_id");
    if (!st)
        return DW_EDB;
    /* rows: (month, source index or nids for no outlet, count) */
    typedef struct {
        long month;    /* month index */
        size_t src;    /* source index, nids = no outlet */
        int64_t count; /* articles */
    } cell;
    cell *cells = NULL;
    size_t n = 0;
    int r;
    long lo = -1, hi = -1;
    size_t distinct = 0;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        long mi = month_index((const char *)sqlite3_column_text(st, 0));
        if (mi < 0)
            continue;
        cell *nc = realloc(cells, (n + 1) * sizeof *nc);
        if (!nc) {
            free(cells);
            sqlite3_finalize(st);
            return dw_err_set(c->e, DW_ENOMEM, "out of memory");
        }
        cells = nc;
        long si = sqlite3_column_type(st, 1) == SQLITE_NULL ? -1 : find_id(ids, nids, sqlite3_column_int64(st, 1));
        cells[n].month = mi;
        cells[n].src = si < 0 ? nids : (size_t)si;
        cells[n].count = sqlite3_column_int64(st, 2);
        if (n == 0 || cells[n - 1].month != mi)
            distinct++;
        if (lo < 0)
            lo = mi;
        hi = mi;
        n++;
    }
    sqlite3_finalize(st);
    if (r != SQLITE_DONE) {
        free(cells);
        return dw_db_fail(c->db, c->e, "report: months");
    }
    /* every month of the range, unless the range is absurdly long (a stray
     * date): then only the months that have articles */
    int full = lo >= 0 && hi - lo < 600;
    size_t nm = lo < 0 ? 0 : full ? (size_t)(hi - lo + 1) : distinct;
    long *months = calloc(nm ? nm : 1, sizeof *months);
    int64_t *grid = calloc((nm ? nm : 1) * (nids + 1), sizeof *grid);
    if (!months || !grid) {
        free(cells);
        free(months);
        free(grid);
        return dw_err_set(c->e, DW_ENOMEM, "out of memory");
    }
    for (size_t i = 0, k = 0; i < nm; i++) {
        if (full) {
            months[i] = lo + (long)i;
        } else {
            months[i] = cells[k].month;
            while (k < n && cells[k].month == months[i])
                k++;
        }
    }
    for (size_t i = 0, j = 0; i < n; i++) {
        while (months[j] != cells[i].month)
            j++;
        grid[j * (nids + 1) + cells[i].src] += cells[i].count;
    }
    json_t *ma = json_array();
    json_object_set_new(t, "months", ma);
    for (size_t i = 0; i < nm; i++) {
        char b[48];
        snprintf(b, sizeof b, "%04ld-%02ld", months[i] / 12, months[i] % 12 + 1);
        json_array_append_new(ma, json_string(b));
    }
    json_t *sa = json_array();
    json_object_set_new(t, "series", sa);
    json_t *srcs = json_object_get(m, "sources");
    for (size_t s = 0; s <= nids; s++) {
        json_t *counts = json_array();
        int64_t total = 0;
        for (size_t i = 0; i < nm; i++) {
            total += grid[i * (nids + 1) + s];
            json_array_append_new(counts, json_integer(grid[i * (nids + 1) + s]));
        }
        if (s == nids && total == 0) {
            json_decref(counts);
            break;
        }
        json_t *o = json_object();
        json_object_set_new(o, "source",
                            s < nids ? json_incref(json_object_get(json_array_get(srcs, s), "name")) : json_null());
        json_object_set_new(o, "articles", json_integer(total));
        json_object_set_new(o, "counts", counts);
        json_array_append_new(sa, o);
    }
    free(cells);
    free(months);
    free(grid);
    return DW_OK;
}

/* ---- statistics ---- */

/* Distribution of article lengths in unit ("tokens" or "chars"): summary and
 * a histogram of about 30 bins of a round width up to the 99th percentile,
 * the last bin open. */
static dw_rc build_lengths(rp_ctx *c, const char *unit, json_t *out)
{
    sqlite3_stmt *st = rp_prepare(c, "SELECT length, articles FROM stats_lengths WHERE unit = ?1 ORDER BY length");
    if (!st)
        return DW_EDB;
    sqlite3_bind_text(st, 1, unit, -1, SQLITE_STATIC);
    int64_t *len = NULL, *cnt = NULL, total = 0;
    double sum = 0;
    size_t n = 0;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t *nl = realloc(len, (n + 1) * sizeof *nl);
        if (nl)
            len = nl;
        int64_t *nc = nl ? realloc(cnt, (n + 1) * sizeof *nc) : NULL;
        if (!nc) {
            free(len);
            free(cnt);
            sqlite3_finalize(st);
            return dw_err_set(c->e, DW_ENOMEM, "out of memory");
        }
        cnt = nc;
        len[n] = sqlite3_column_int64(st, 0);
        cnt[n] = sqlite3_column_int64(st, 1);
        total += cnt[n];
        sum += (double)len[n] * (double)cnt[n];
        n++;
    }
    sqlite3_finalize(st);
    if (r != SQLITE_DONE) {
        free(len);
        free(cnt);
        return dw_db_fail(c->db, c->e, "report: lengths");
    }
    /* quantile q: the smallest length with at least ceil(q * total) articles at or below it */
    int64_t qv[3] = {0, 0, 0};
    const double qs[3] = {0.5, 0.9, 0.99};
    for (int k = 0; k < 3; k++) {
        int64_t need = (int64_t)ceil(qs[k] * (double)total), acc = 0;
        for (size_t i = 0; i < n; i++) {
            acc += cnt[i];
            if (acc >= need) {
                qv[k] = len[i];
                break;
            }
        }
    }
    json_object_set_new(out, "unit", json_string(unit));
    json_object_set_new(out, "articles", json_integer(total));
    json_object_set_new(out, "mean", json_real(total ? round(sum / (double)total * 10.0) / 10.0 : 0.0));
    json_object_set_new(out, "median", json_integer(qv[0]));
    json_object_set_new(out, "p90", json_integer(qv[1]));
    json_object_set_new(out, "p99", json_integer(qv[2]));
    json_object_set_new(out, "min", json_integer(n ? len[0] : 0));
    json_object_set_new(out, "max", json_integer(n ? len[n - 1] : 0));
    int64_t w = 1;
    while (w * 30 < qv[2]) {
        if (w * 2 * 30 >= qv[2]) { w *= 2; break; }
        if (w * 5 * 30 >= qv[2]) { w *= 5; break; }
        w *= 10;
    }
    json_object_set_new(out, "bin_width", json_integer(w));
    json_t *bins = json_array();
    json_object_set_new(out, "bins", bins);
    int64_t last = qv[2] / w; /* index of the open bin */
    for (int64_t b = 0, i = 0; n && b <= last; b++) {
        int64_t a = 0;
        while ((size_t)i < n && (b == last || len[i] < (b + 1) * w))
            a += cnt[i++];
        json_t *o = json_object();
        json_object_set_new(o, "from", json_integer(b * w));
        json_object_set_new(o, "to", b == last ? json_null() : json_integer((b + 1) * w - 1));
        json_object_set_new(o, "articles", json_integer(a));
        json_array_append_new(bins, o);
    }
    free(len);
    free(cnt);
    return DW_OK;
}

/* Rank-frequency of the words of the 'all' bucket: sampled points for the
 * plot (every rank to 10, then 20 per decade, and the last rank) and the
 * least-squares fit of log10 f = log10 C - s log10 r over the sampled ranks
 * from 1 to the last rank with frequency >= 5 (>= 2 when that leaves fewer
 * than 10 ranks), so that each decade of ranks weighs the same. */
static dw_rc build_zipf(rp_ctx *c, json_t *z)
{
    sqlite3_stmt *st = rp_prepare(c, "SELECT count, count(*) FROM stats_ngrams WHERE bucket = ?1 AND n = 1"
                                     " GROUP BY count ORDER BY count DESC");
    if (!st)
        return DW_EDB;
    sqlite3_bind_int64(st, 1, c->all_bucket);
    typedef struct {
        int64_t f;  /* frequency */
        int64_t r1; /* last rank with this frequency */
    } grp;
    grp *g = NULL;
    size_t ng = 0;
    int64_t rank = 0, tokens = 0;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        grp *ngp = realloc(g, (ng + 1) * sizeof *ngp);
        if (!ngp) {
            free(g);
            sqlite3_finalize(st);
            return dw_err_set(c->e, DW_ENOMEM, "out of memory");
        }
        g = ngp;
        g[ng].f = sqlite3_column_int64(st, 0);
        rank += sqlite3_column_int64(st, 1);
        tokens += g[ng].f * sqlite3_column_int64(st, 1);
        g[ng].r1 = rank;
        ng++;
    }
    sqlite3_finalize(st);
    if (r != SQLITE_DONE) {
        free(g);
        return dw_db_fail(c->db, c->e, "report: zipf");
    }
    json_object_set_new(z, "types", json_integer(rank));
    json_object_set_new(z, "tokens", json_integer(tokens));
    int64_t rmax5 = 0, rmax2 = 0;
    for (size_t i = 0; i < ng; i++) {
        if (g[i].f >= 5)
            rmax5 = g[i].r1;
        if (g[i].f >= 2)
            rmax2 = g[i].r1;
    }
    int64_t fit_to = rmax5 >= 10 ? rmax5 : rmax2 >= 10 ? rmax2 : rank;
    int min_count = rmax5 >= 10 ? 5 : rmax2 >= 10 ? 2 : 1;
    json_t *pts = json_array();
    json_object_set_new(z, "points", pts);
    double *x = malloc(400 * sizeof *x), *y = malloc(400 * sizeof *y);
    size_t nf = 0, gi = 0;
    int64_t prev = 0;
    for (int k = 0; x && y && rank > 0; k++) {
        int64_t rr = k < 10 ? k + 1 : (int64_t)ceil(pow(10.0, 1.0 + (k - 10) / 20.0));
        if (rr <= prev)
            continue;
        if (rr > rank)
            rr = rank;
        while (g[gi].r1 < rr)
            gi++;
        json_array_append_new(pts, json_pack("[II]", (json_int_t)rr, (json_int_t)g[gi].f));
        if (rr <= fit_to && nf < 400) {
            x[nf] = log10((double)rr);
            y[nf] = log10((double)g[gi].f);
            nf++;
        }
        prev = rr;
        if (rr == rank)
            break;
    }
    double a = 0, b = 0;
    json_t *fit = json_object();
    if (x && y && dw_report_fit_line(x, y, nf, &a, &b) == 0) {
        json_object_set_new(fit, "exponent", json_real(round(-b * 1000.0) / 1000.0));
        json_object_set_new(fit, "log10_c", json_real(round(a * 1000.0) / 1000.0));
    } else {
        json_object_set_new(fit, "exponent", json_null());
        json_object_set_new(fit, "log10_c", json_null());
    }
    json_object_set_new(fit, "rank_from", json_integer(1));
    json_object_set_new(fit, "rank_to", json_integer(fit_to));
    json_object_set_new(fit, "min_count", json_integer(min_count));
    json_object_set_new(fit, "points", json_integer((json_int_t)nf));
    json_object_set_new(z, "fit", fit);
    free(x);
    free(y);
    free(g);
    return DW_OK;
}

/* Words looked at for the neighbours section: the most frequent ones that
 * were counted in pairs; those without a stored pair are skipped. */
#define RP_NEIGHBOUR_CANDIDATES 1000

/* The most frequent words that have a stored co-occurrence pair (one
 * counted at least --min-count times; stop words have none) and their
 * neighbours as `diwan cooc WORD` lists them (--by count). */
static dw_rc build_neighbours(rp_ctx *c, json_t *arr)
{
    int words = c->o->limit < 10 ? c->o->limit : 10;
    sqlite3_stmt *w = rp_prepare(c, "SELECT g.term, g.count, g.df FROM stats_ngrams g"
                                    " JOIN stats_cooc_terms t ON t.term = g.term"
                                    " WHERE g.bucket = ?1 AND g.n = 1 ORDER BY g.count DESC, g.df DESC, g.term LIMIT ?2");
    sqlite3_stmt *nb = w ? rp_prepare(c, "SELECT nb, count, pmi, npmi, llr FROM ("
                                         " SELECT term_b AS nb, count, pmi, npmi, llr FROM stats_cooc WHERE term_a = ?1"
                                         " UNION ALL"
                                         " SELECT term_a, count, pmi, npmi, llr FROM stats_cooc WHERE term_b = ?1)"
                                         " ORDER BY count DESC, nb LIMIT ?2")
                         : NULL;
    if (!nb) {
        sqlite3_finalize(w);
        return DW_EDB;
    }
    sqlite3_bind_int64(w, 1, c->all_bucket);
    sqlite3_bind_int(w, 2, RP_NEIGHBOUR_CANDIDATES);
    int r = SQLITE_DONE;
    dw_rc rc = DW_OK;
    while (rc == DW_OK && json_array_size(arr) < (size_t)words && (r = sqlite3_step(w)) == SQLITE_ROW) {
        json_t *na = json_array();
        sqlite3_bind_text(nb, 1, (const char *)sqlite3_column_text(w, 0), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(nb, 2, c->o->limit < 10 ? c->o->limit : 10);
        static const char *const nn[] = {"term", "count", "pmi", "npmi", "llr"};
        rc = rows_json(c, nb, nn, 5, na);
        if (json_array_size(na) == 0) { /* no pair reached --min-count */
            json_decref(na);
            continue;
        }
        json_t *o = json_object();
        json_object_set_new(o, "term", col_json(w, 0));
        json_object_set_new(o, "count", col_json(w, 1));
        json_object_set_new(o, "df", col_json(w, 2));
        json_object_set_new(o, "neighbours", na);
        json_array_append_new(arr, o);
    }
    if (rc == DW_OK && r != SQLITE_DONE && r != SQLITE_ROW)
        rc = dw_db_fail(c->db, c->e, "report: neighbours");
    sqlite3_finalize(w);
    sqlite3_finalize(nb);
    return rc;
}

static dw_rc build_stats(rp_ctx *c, json_t *m)
{
    if (!c->stats) {
        json_object_set_new(m, "stats", json_null());
        return DW_OK;
    }
    json_t *s = json_object();
    json_object_set_new(m, "stats", s);
    json_t *info = json_object();
    json_object_set_new(s, "parameters", info);
    sqlite3_stmt *st = rp_prepare(c, "SELECT key, value FROM stats_info ORDER BY key");
    if (!st)
        return DW_EDB;
    while (sqlite3_step(st) == SQLITE_ROW)
        json_object_set_new(info, (const char *)sqlite3_column_text(st, 0), col_json(st, 1));
    sqlite3_finalize(st);
    json_t *sum = json_array();
    json_object_set_new(s, "summary", sum);
    st = rp_prepare(c, "SELECT s.n, b.articles, s.types, s.tokens, s.hapax FROM stats_summary s"
                       " JOIN stats_buckets b ON b.id = s.bucket WHERE b.kind = 'all' ORDER BY s.n");
    if (!st)
        return DW_EDB;
    static const char *const sn[] = {"n", "articles", "types", "tokens", "hapax"};
    dw_rc rc = rows_json(c, st, sn, 5, sum);
    sqlite3_finalize(st);
    if (rc != DW_OK)
        return rc;
    json_t *lens = json_object();
    json_object_set_new(s, "lengths", lens);
    json_t *lt = json_object(), *lc = json_object();
    json_object_set_new(lens, "tokens", lt);
    json_object_set_new(lens, "chars", lc);
    if ((rc = build_lengths(c, "tokens", lt)) != DW_OK || (rc = build_lengths(c, "chars", lc)) != DW_OK)
        return rc;
    json_t *z = json_object();
    json_object_set_new(s, "zipf", z);
    if ((rc = build_zipf(c, z)) != DW_OK)
        return rc;
    /* top n-grams as `diwan top --ngram N` */
    json_t *ng = json_object();
    json_object_set_new(s, "ngrams", ng);
    st = rp_prepare(c, top_sql_for(c));
    if (!st)
        return DW_EDB;
    for (int n = 1; n <= 3 && rc == DW_OK; n++) {
        char key[16];
        snprintf(key, sizeof key, "%d", n);
        json_t *arr = json_array();
        json_object_set_new(ng, key, arr);
        sqlite3_bind_text(st, 1, "all", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, "", -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, c->o->limit);
        sqlite3_bind_int(st, 4, n);
        static const char *const tn[] = {"term", "count", "df"};
        rc = rows_json(c, st, tn, 3, arr);
    }
    sqlite3_finalize(st);
    if (rc != DW_OK)
        return rc;
    /* collocations as `diwan top --by pmi` and `--by llr` */
    json_t *co = json_object();
    json_object_set_new(s, "collocations", co);
    static const char *const keys[] = {"pmi", "llr"};
    static const char *const pn[] = {"term_a", "term_b", "count", "pmi", "npmi", "llr"};
    for (int k = 0; k < 2 && rc == DW_OK; k++) {
        char sql[256];
        snprintf(sql, sizeof sql,
                 "SELECT term_a, term_b, count, pmi, npmi, llr FROM stats_cooc ORDER BY %s DESC, term_a, term_b"
                 " LIMIT ?1",
                 keys[k]);
        if (!(st = rp_prepare(c, sql)))
            return DW_EDB;
        sqlite3_bind_int(st, 1, c->o->limit);
        json_t *arr = json_array();
        json_object_set_new(co, keys[k], arr);
        rc = rows_json(c, st, pn, 6, arr);
        sqlite3_finalize(st);
    }
    if (rc != DW_OK)
        return rc;
    json_t *nb = json_array();
    json_object_set_new(s, "neighbours", nb);
    return build_neighbours(c, nb);
}

/* ---- one pass over the bodies ---- */

/* The Heaps tracker fed on a thread of its own (normalizing and tokenizing
 * every body is most of its cost), while the calling thread goes on with
 * the sections made with SQL. Bodies reach it in blocks of length-prefixed
 * texts, in the order read. */
typedef struct {
    dw_report_heaps *h;    /* the tracker (not owned) */
    dw_bq q;               /* blocks of bodies */
    int64_t articles;      /* bodies the tracker took */
    int oom;               /* 1: the tracker ran out of memory */
    _Atomic int full;      /* 1: it takes no more (full, or out of memory): stop sending */
    pthread_t th;          /* the thread */
    int started;           /* 1: th runs */
} heaps_feed;

static void *heaps_main(void *arg)
{
    heaps_feed *f = arg;
    dw_buf blk = DW_BUF_INIT;
    while (dw_bq_take(&f->q, &blk)) {
        size_t at = 0;
        while (!atomic_load(&f->full) && at + 4 <= blk.len) {
            uint32_t n;
            memcpy(&n, blk.data + at, 4);
            int a = dw_report_heaps_add(f->h, blk.data + at + 4, n);
            at += 4 + (size_t)n;
            if (a == 0)
                f->articles++;
            else { /* 1: full, the rest of its curve is not drawn */
                f->oom = a < 0;
                atomic_store(&f->full, 1);
            }
        }
    }
    dw_buf_free(&blk);
    return NULL;
}

/* Reads every body once, in content-hash order, for the two sections that
 * need them all: the Heaps tracker (f, fed on its thread) gets the bodies
 * `diwan stats` counts (cluster representatives and unclustered articles;
 * every article when it ran with --all-copies) until it is full, and the
 * repeated-lines counter's first pass the bodies of every article but
 * near-duplicate copies (as the statistics' default). Each sees the rows
 * it would see read alone, in the same order. On return f's thread may
 * still be working: heaps_join waits for it. */
static dw_rc read_bodies(rp_ctx *c, heaps_feed *f, dw_report_lines *l)
{
    int all_copies = 0;
    if (c->stats) {
        int64_t v = 0;
        dw_err e2;
        if (dw_db_int(c->db, "SELECT value FROM stats_info WHERE key = 'all_copies'", &v, &e2) == DW_OK)
            all_copies = v == 1;
    }
    dw_bq_init(&f->q, 4);
    f->started = pthread_create(&f->th, NULL, heaps_main, f) == 0;
    if (!f->started) {
        dw_bq_free(&f->q);
        return dw_err_set(c->e, DW_ENOMEM, "report: cannot start a thread");
    }
    sqlite3_stmt *st = rp_prepare(c, "SELECT body, coalesce(cluster_join = 'near', 0) FROM articles"
                                     " WHERE ?1 OR cluster_join IS NULL OR cluster_join <> 'near' ORDER BY content_hash");
    dw_rc rc = st ? DW_OK : DW_EDB;
    if (st)
        sqlite3_bind_int(st, 1, all_copies);
    dw_buf blk = DW_BUF_INIT;
    int r = SQLITE_DONE;
    while (rc == DW_OK && (r = sqlite3_step(st)) == SQLITE_ROW) {
        const char *body = (const char *)sqlite3_column_text(st, 0);
        size_t n = (size_t)sqlite3_column_bytes(st, 0);
        if (!atomic_load(&f->full) && n <= UINT32_MAX) { /* to the tracker's thread */
            uint32_t n32 = (uint32_t)n;
            if (dw_buf_append(&blk, &n32, 4) != 0 || dw_buf_append(&blk, body ? body : "", n) != 0)
                rc = dw_err_set(c->e, DW_ENOMEM, "out of memory");
            if (rc == DW_OK && blk.len >= (1u << 20))
                dw_bq_put(&f->q, &blk);
        }
        if (rc == DW_OK && !sqlite3_column_int(st, 1) && dw_report_lines_add(l, body ? body : "", n) != 0)
            rc = dw_err_set(c->e, DW_ENOMEM, "out of memory");
    }
    if (rc == DW_OK && blk.len)
        dw_bq_put(&f->q, &blk);
    dw_bq_close(&f->q);
    dw_buf_free(&blk);
    sqlite3_finalize(st);
    if (rc == DW_OK && r != SQLITE_DONE)
        rc = dw_db_fail(c->db, c->e, "report: reading bodies");
    return rc;
}

/* Waits for the tracker's thread (started by read_bodies) and frees its
 * queue; DW_OK, or DW_ENOMEM when the tracker ran out of memory. */
static dw_rc heaps_join(rp_ctx *c, heaps_feed *f)
{
    if (!f->started)
        return DW_OK;
    pthread_join(f->th, NULL);
    dw_bq_free(&f->q);
    f->started = 0;
    return f->oom ? dw_err_set(c->e, DW_ENOMEM, "out of memory") : DW_OK;
}

/* ---- vocabulary growth ---- */

/* The Heaps section from the tracker read_bodies filled (articles: the
 * bodies it took): the curve, and a fit of log10 V = log10 K + beta log10 n
 * over the points from 100 tokens on. */
static dw_rc build_heaps(rp_ctx *c, json_t *m, dw_report_heaps *h, int64_t articles)
{
    size_t n;
    int trunc;
    const dw_report_heaps_point *p = dw_report_heaps_points(h, &n, &trunc);
    json_t *o = json_object();
    json_object_set_new(m, "heaps", o);
    json_object_set_new(o, "articles", json_integer(articles));
    json_object_set_new(o, "tokens", json_integer(n ? (json_int_t)p[n - 1].tokens : 0));
    json_object_set_new(o, "types", json_integer(n ? (json_int_t)p[n - 1].types : 0));
    json_object_set_new(o, "truncated", json_boolean(trunc));
    json_object_set_new(o, "max_types", json_integer(c->o->heaps_max_types ? c->o->heaps_max_types
                                                                           : DW_REPORT_HEAPS_MAX_TYPES));
    json_t *pts = json_array();
    json_object_set_new(o, "points", pts);
    double *x = malloc((n ? n : 1) * sizeof *x), *y = malloc((n ? n : 1) * sizeof *y);
    size_t nf = 0;
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(pts, json_pack("[II]", (json_int_t)p[i].tokens, (json_int_t)p[i].types));
        if (x && y && p[i].tokens >= 100) {
            x[nf] = log10((double)p[i].tokens);
            y[nf] = log10((double)p[i].types);
            nf++;
        }
    }
    json_t *fit = json_object();
    double fa, fb;
    if (x && y && dw_report_fit_line(x, y, nf, &fa, &fb) == 0) {
        json_object_set_new(fit, "k", json_real(round(pow(10.0, fa) * 1000.0) / 1000.0));
        json_object_set_new(fit, "beta", json_real(round(fb * 1000.0) / 1000.0));
    } else {
        json_object_set_new(fit, "k", json_null());
        json_object_set_new(fit, "beta", json_null());
    }
    json_object_set_new(fit, "tokens_from", json_integer(100));
    json_object_set_new(fit, "points", json_integer((json_int_t)nf));
    json_object_set_new(o, "fit", fit);
    free(x);
    free(y);
    return DW_OK;
}

/* ---- repeated lines ---- */

/* The body lines held by the most articles (near-duplicate copies left
 * out, as in the statistics' default), by two passes over the bodies with
 * bounded memory (report.h): boilerplate a scraper kept. l has had its
 * first pass (read_bodies); the second, over the same bodies, recounts the
 * candidates with their outlets. */
static dw_rc build_lines(rp_ctx *c, json_t *m, dw_report_lines *l)
{
    sqlite3_stmt *st = rp_prepare(c, "SELECT body, coalesce(source_id, 0) FROM articles WHERE cluster_join IS NULL"
                                     " OR cluster_join <> 'near' ORDER BY content_hash");
    sqlite3_stmt *nm = st ? rp_prepare(c, "SELECT name FROM sources WHERE id = ?1") : NULL;
    if (!nm) {
        sqlite3_finalize(st);
        return DW_EDB;
    }
    size_t max = (size_t)(c->o->limit > 0 ? c->o->limit : 1);
    dw_report_line *top = calloc(max, sizeof *top);
    dw_rc rc = DW_OK;
    if (!top)
        rc = dw_err_set(c->e, DW_ENOMEM, "out of memory");
    else /* candidates: five times the rows shown, at least 100 */
        dw_report_lines_candidates(l, max * 5 > 100 ? max * 5 : 100);
    int step = SQLITE_DONE, a = 0;
    while (rc == DW_OK && a == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *body = (const char *)sqlite3_column_text(st, 0);
        a = dw_report_lines_recount(l, body ? body : "", (size_t)sqlite3_column_bytes(st, 0),
                                    sqlite3_column_int64(st, 1));
    }
    if (rc == DW_OK && a != 0)
        rc = dw_err_set(c->e, DW_ENOMEM, "out of memory");
    else if (rc == DW_OK && step != SQLITE_DONE)
        rc = dw_db_fail(c->db, c->e, "report: repeated lines");
    sqlite3_finalize(st);
    if (rc == DW_OK) {
        json_t *o = json_object(), *arr = json_array();
        json_object_set_new(m, "repeated_lines", o);
        uint64_t articles = dw_report_lines_articles(l);
        json_object_set_new(o, "articles", json_integer((json_int_t)articles));
        json_object_set_new(o, "max_bytes", json_integer(DW_REPORT_LINE_MAX));
        json_object_set_new(o, "lines", arr);
        size_t k = dw_report_lines_top(l, 2, top, max);
        for (size_t i = 0; i < k && rc == DW_OK; i++) {
            const dw_report_line *x = &top[i];
            json_t *name = json_null();
            if (x->top_outlet) { /* the outlet's name; unknown stays null */
                sqlite3_bind_int64(nm, 1, x->top_outlet);
                int r = sqlite3_step(nm);
                if (r == SQLITE_ROW)
                    name = col_json(nm, 0);
                else if (r != SQLITE_DONE)
                    rc = dw_db_fail(c->db, c->e, "report: repeated lines");
                sqlite3_reset(nm);
            }
            json_array_append_new(arr, json_pack("{s:s, s:I, s:f, s:I, s:o, s:I}", "line", x->text, "articles",
                                                 (json_int_t)x->articles, "share",
                                                 round((double)x->articles / (double)articles * 1e6) / 1e6,
                                                 "outlets", (json_int_t)x->outlets, "top_outlet", name,
                                                 "top_outlet_articles", (json_int_t)x->top_articles));
        }
    }
    sqlite3_finalize(nm);
    free(top);
    return rc;
}

/* ---- clusters ---- */

static dw_rc build_clusters(rp_ctx *c, json_t *m)
{
    json_t *arr = json_array();
    json_object_set_new(m, "clusters", arr);
    sqlite3_stmt *q = rp_prepare(c, "SELECT cluster_id, count(*) AS n FROM articles WHERE cluster_id IS NOT NULL"
                                    " GROUP BY cluster_id HAVING n > 1 ORDER BY n DESC, cluster_id LIMIT ?1");
    sqlite3_stmt *mem = q ? rp_prepare(c, members_sql) : NULL;
    if (!mem) {
        sqlite3_finalize(q);
        return DW_EDB;
    }
    sqlite3_bind_int(q, 1, c->o->limit);
    int r;
    dw_rc rc = DW_OK;
    while (rc == DW_OK && (r = sqlite3_step(q)) == SQLITE_ROW) {
        int64_t cid = sqlite3_column_int64(q, 0);
        json_t *members = json_array();
        sqlite3_bind_int64(mem, 1, cid);
        int64_t n = 0, sightings = 0;
        int r2;
        while ((r2 = sqlite3_step(mem)) == SQLITE_ROW) {
            json_t *o = json_object();
            json_object_set_new(o, "article", col_json(mem, 0));
            json_object_set_new(o, "join", col_json(mem, 1));
            json_object_set_new(o, "similarity", json_real(sqlite3_column_double(mem, 2)));
            json_object_set_new(o, "date", col_json(mem, 3));
            json_object_set_new(o, "source", col_json(mem, 4));
            json_object_set_new(o, "sightings", col_json(mem, 5));
            json_object_set_new(o, "title", json_string(sqlite3_column_text(mem, 6) ? (const char *)sqlite3_column_text(mem, 6) : ""));
            json_array_append_new(members, o);
            n++;
            sightings += sqlite3_column_int64(mem, 5);
        }
        sqlite3_reset(mem);
        json_t *o = json_object();
        json_object_set_new(o, "cluster", json_integer(cid));
        json_object_set_new(o, "articles", json_integer(n));
        json_object_set_new(o, "sightings", json_integer(sightings));
        json_object_set_new(o, "members", members);
        json_array_append_new(arr, o);
        if (r2 != SQLITE_DONE)
            rc = dw_db_fail(c->db, c->e, "report: clusters");
    }
    if (rc == DW_OK && r != SQLITE_DONE)
        rc = dw_db_fail(c->db, c->e, "report: clusters");
    sqlite3_finalize(q);
    sqlite3_finalize(mem);
    return rc;
}

dw_rc dw_report_collect(dw_db *db, const dw_report_opts *o, json_t **out, dw_err *e)
{
    *out = NULL;
    rp_ctx c = {db, o, e, 0, -1, 0};
    int64_t nstats = 0;
    /* the report reads every body, in content-hash order for the Heaps
     * curve: through a memory map of the file (its first GiB) instead of a
     * copy of each page by read(), a third of its time on the bench
     * collection (2.5 -> 1.8 s); the mapped pages are the kernel's file
     * cache, counted in the process's RSS. A request SQLite ignores (a
     * build without mmap) changes nothing. */
    sqlite3_exec(db->h, "PRAGMA mmap_size=1073741824", NULL, NULL, NULL);
    dw_rc rc = dw_db_exec(db, "BEGIN", e);
    if (rc != DW_OK)
        return rc;
    if ((rc = dw_db_int(db, "SELECT count(*) FROM stats_info", &nstats, e)) != DW_OK) {
        dw_db_exec(db, "ROLLBACK", NULL);
        return rc;
    }
    c.stats = nstats > 0;
    if (c.stats && ((rc = dw_db_int(db, "SELECT coalesce((SELECT id FROM stats_buckets WHERE kind = 'all'), -1)",
                                    &c.all_bucket, e)) != DW_OK ||
                    (rc = dw_db_int(db, "SELECT coalesce((SELECT CAST(value AS INTEGER) FROM stats_info"
                                        " WHERE key = 'top_k'), 0)",
                                    &c.top_k, e)) != DW_OK)) {
        dw_db_exec(db, "ROLLBACK", NULL);
        return rc;
    }
    json_t *m = json_object();
    json_t *meta = json_object();
    json_object_set_new(m, "report", meta);
    json_object_set_new(meta, "generator", json_string("diwan " DW_VERSION));
    json_object_set_new(meta, "database", json_string(o->db_label ? o->db_label : ""));
    json_object_set_new(meta, "date", o->date ? json_string(o->date) : json_null());
    json_object_set_new(meta, "limit", json_integer(o->limit));
    json_t *needs = json_array();
    json_object_set_new(meta, "needs_stats", needs);
    if (!c.stats) {
        static const char *const secs[] = {"top_terms", "distinctive_terms", "lengths", "zipf",
                                           "ngrams",    "collocations",      "neighbours"};
        for (size_t i = 0; i < sizeof secs / sizeof *secs; i++)
            json_array_append_new(needs, json_string(secs[i]));
    }
    int64_t *ids = NULL;
    size_t nids = 0;
    /* the bodies first: the Heaps tracker works on them on its own thread
     * while the sections below are read with SQL */
    heaps_feed hf;
    memset(&hf, 0, sizeof hf);
    hf.h = dw_report_heaps_new(o->heaps_max_types, db->norm_flags);
    dw_report_lines *l = hf.h ? dw_report_lines_new(0) : NULL;
    rc = l ? read_bodies(&c, &hf, l) : dw_err_set(e, DW_ENOMEM, "out of memory");
    if (rc == DW_OK)
        rc = build_overview(&c, m);
    if (rc == DW_OK)
        rc = build_sources(&c, m, &ids, &nids);
    if (rc == DW_OK)
        rc = build_time(&c, m, ids, nids);
    if (rc == DW_OK)
        rc = build_stats(&c, m);
    dw_rc hrc = heaps_join(&c, &hf);
    if (rc == DW_OK)
        rc = hrc;
    if (rc == DW_OK)
        rc = build_heaps(&c, m, hf.h, hf.articles);
    if (rc == DW_OK)
        rc = build_clusters(&c, m);
    if (rc == DW_OK)
        rc = build_lines(&c, m, l);
    dw_report_heaps_free(hf.h);
    dw_report_lines_free(l);
    free(ids);
    if (rc == DW_OK)
        rc = dw_db_exec(db, "COMMIT", e);
    else
        dw_db_exec(db, "ROLLBACK", NULL);
    if (rc != DW_OK) {
        json_decref(m);
        return rc;
    }
    *out = m;
    return DW_OK;
}
