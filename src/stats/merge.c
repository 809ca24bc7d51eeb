/* merge.c: adding the statistics of another database (dw_stats_merge) and
 * exporting the tables as zstd-compressed CSV (dw_stats_export). */
#define _GNU_SOURCE
#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "stats/stats.h"

#include "core/dbins.h"
#include "stats/topk.h"

/* SQL functions dw_pmi, dw_npmi, dw_llr (k11, ca, cb, t): the same C code
 * as the run's, so merged measures equal a single run's bit for bit. */
static void sql_measure(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    double (*f)(double, double, double, double) = (double (*)(double, double, double, double))sqlite3_user_data(cx);
    (void)argc;
    sqlite3_result_double(cx, f(sqlite3_value_double(argv[0]), sqlite3_value_double(argv[1]),
                                sqlite3_value_double(argv[2]), sqlite3_value_double(argv[3])));
}

/* The counting options that two statistics must share to be merged. */
static const char *const same_keys[] = {"ngram_max", "cooc", "window", "scope", "weighting", "tokenizer",
                                        "normalize", "all_copies", "per", "stopwords", "unit"};

static dw_rc info_get(dw_db *db, const char *schema, const char *key, char *buf, size_t cap, dw_err *e)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT value FROM %s.stats_info WHERE key = ?1", schema);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK)
        return dw_db_fail(db, e, "read statistics");
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    buf[0] = '\0';
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW)
        snprintf(buf, cap, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return s == SQLITE_ROW || s == SQLITE_DONE ? DW_OK : dw_db_fail(db, e, "read statistics");
}

/* stats_top again from the merged stats_ngrams: one scan in key order,
 * each group (bucket, n) through a dw_topk, as a run writes it. */
static dw_rc rebuild_top(dw_db *db, dw_err *e)
{
    dw_rc rc = dw_db_exec(db, "DELETE FROM stats_top", e);
    if (rc != DW_OK)
        return rc;
    dw_topk *t = dw_topk_new(DW_STATS_TOP_K);
    if (!t)
        return dw_err_set(e, DW_ENOMEM, "out of memory");
    dw_ins *ins = NULL;
    sqlite3_stmt *st = NULL;
    rc = dw_ins_open(db, "stats_top(bucket, n, by, rank, term, count, df)", 7, &ins, e);
    if (rc == DW_OK &&
        !(st = dw_db_prepare(db, "SELECT bucket, n, term, count, df FROM stats_ngrams ORDER BY bucket, n, term", e)))
        rc = DW_EDB;
    int64_t gb = 0;
    int gn = 0, open = 0;
    while (rc == DW_OK) {
        int s = sqlite3_step(st);
        if (s != SQLITE_ROW && s != SQLITE_DONE) {
            rc = dw_db_fail(db, e, "merge statistics");
            break;
        }
        int64_t b = s == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
        int n = s == SQLITE_ROW ? sqlite3_column_int(st, 1) : 0;
        if (open && (s == SQLITE_DONE || b != gb || n != gn)) { /* a group ends */
            if (dw_topk_put_rows(t, gb, gn, dw_ins_buf(ins)) < 0)
                rc = dw_err_set(e, DW_ENOMEM, "out of memory");
            else
                rc = dw_ins_flush(ins, e);
            open = 0;
        }
        if (s == SQLITE_DONE || rc != DW_OK)
            break;
        gb = b;
        gn = n;
        open = 1;
        const char *term = (const char *)sqlite3_column_text(st, 2);
        if (dw_topk_add(t, term ? term : "", (size_t)sqlite3_column_bytes(st, 2), sqlite3_column_int64(st, 3),
                        sqlite3_column_int64(st, 4)) != 0)
            rc = dw_err_set(e, DW_ENOMEM, "out of memory");
    }
    sqlite3_finalize(st);
    dw_ins_free(ins);
    dw_topk_free(t);
    if (rc == DW_OK) {
        char sql[96];
        snprintf(sql, sizeof sql, "INSERT OR REPLACE INTO stats_info(key, value) VALUES ('top_k', '%d')",
                 DW_STATS_TOP_K);
        rc = dw_db_exec(db, sql, e);
    }
    return rc;
}

/* 1 when schema sch (main, or an attached database) has table name. */
static int has_table(dw_db *db, const char *sch, const char *name)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT 1 FROM %s.sqlite_master WHERE type = 'table' AND name = ?1", sch);
    sqlite3_stmt *st = NULL;
    int found = sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) == SQLITE_OK &&
                sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

/* The sums (modulo 2^64) of the two halves of the names of the parts in
 * schema sch: the name of one part holding all their articles. */
static dw_rc parts_sum(dw_db *db, const char *sch, uint64_t sum[2], dw_err *e)
{
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT part FROM %s.stats_parts", sch);
    sqlite3_stmt *st = dw_db_prepare(db, sql, e);
    if (!st)
        return DW_EDB;
    sum[0] = sum[1] = 0;
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        const char *p = (const char *)sqlite3_column_text(st, 0);
        char half[17];
        for (int h = 0; p && strlen(p) == 32 && h < 2; h++) {
            memcpy(half, p + 16 * h, 16);
            half[16] = '\0';
            sum[h] += strtoull(half, NULL, 16);
        }
    }
    sqlite3_finalize(st);
    return s == SQLITE_DONE ? DW_OK : dw_db_fail(db, e, "read statistics");
}

/* Checks that path can be merged: a diwan database with statistics. */
static dw_rc check_other(const char *path, dw_err *e)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return dw_err_set(e, DW_EDB, "cannot open database %s: %s", path, strerror(errno));
    /* open it the usual way first: version checks, not-a-database errors */
    dw_db *other = NULL;
    dw_rc rc = dw_db_open(&other, path, DW_DB_READONLY, 0, e);
    if (rc != DW_OK)
        return rc;
    int has = dw_stats_present(other);
    dw_db_close(other);
    if (!has)
        return dw_err_set(e, DW_EDB, "%s: no statistics (run diwan stats on it first)", path);
    return DW_OK;
}

/* Adds the statistics of attached database sch (at path) to main's, in the
 * open transaction: after the option and part checks, every table but
 * stats_summary, stats_top and the measures (merge_batch redoes those).
 * *skipped = 1 (and nothing added) when all of its parts are in main. */
static dw_rc merge_one(dw_db *db, const char *sch, const char *path, const char *unit_sum, int *skipped, dw_err *e)
{
    char a[128], b[128];
    dw_rc rc = DW_OK;
    *skipped = 0;
    for (size_t i = 0; rc == DW_OK && i < sizeof same_keys / sizeof *same_keys; i++) {
        if ((rc = info_get(db, "main", same_keys[i], a, sizeof a, e)) != DW_OK ||
            (rc = info_get(db, sch, same_keys[i], b, sizeof b, e)) != DW_OK)
            break;
        if (strcmp(a, b) != 0)
            rc = dw_err_set(e, DW_EUSAGE, "%s: statistics counted with %s %s, %s with %s %s: cannot merge", path,
                            same_keys[i], b, db->path, same_keys[i], a);
    }
    if (rc != DW_OK)
        return rc;
    /* its parts: all in main already, skipped; some, refused */
    int parts = has_table(db, sch, "stats_parts");
    if (parts) {
        char sql[256];
        int64_t total = 0, in = 0;
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s.stats_parts", sch);
        if ((rc = dw_db_int(db, sql, &total, e)) != DW_OK)
            return rc;
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s.stats_parts o JOIN main.stats_parts m ON m.part = o.part",
                 sch);
        if ((rc = dw_db_int(db, sql, &in, e)) != DW_OK)
            return rc;
        if (total > 0 && in == total) {
            *skipped = 1;
            return DW_OK;
        }
        if (in > 0)
            return dw_err_set(e, DW_EUSAGE,
                              "%s: %lld of its %lld parts are in the statistics of %s already: cannot merge", path,
                              (long long)in, (long long)total, db->path);
        /* parts are sums of their articles' hashes: statistics of the same
         * articles cut in other parts (one run over what was merged from
         * shards) have the same sum */
        uint64_t so[2], sm[2];
        if ((rc = parts_sum(db, sch, so, e)) != DW_OK || (rc = parts_sum(db, "main", sm, e)) != DW_OK)
            return rc;
        if (total > 0 && so[0] == sm[0] && so[1] == sm[1])
            return dw_err_set(e, DW_EUSAGE, "%s: counts the same articles as the statistics of %s: cannot merge",
                              path, db->path);
    }
    char *sql = NULL;
    if (asprintf(&sql,
                 "INSERT INTO stats_buckets(kind, name, articles, tokens, chars)"
                 " SELECT kind, name, articles, tokens, chars FROM %1$s.stats_buckets WHERE 1"
                 " ON CONFLICT(kind, name) DO UPDATE SET articles = articles + excluded.articles,"
                 " tokens = tokens + excluded.tokens, chars = chars + excluded.chars;"
                 "INSERT INTO stats_ngrams(bucket, n, term, count, df)"
                 " SELECT b.id, x.n, x.term, x.count, x.df FROM %1$s.stats_ngrams x"
                 " JOIN %1$s.stats_buckets ob ON ob.id = x.bucket"
                 " JOIN main.stats_buckets b ON b.kind = ob.kind AND b.name = ob.name WHERE 1"
                 " ON CONFLICT(bucket, n, term) DO UPDATE SET count = count + excluded.count, df = df + excluded.df;"
                 "INSERT INTO stats_lengths(unit, length, articles) SELECT unit, length, articles"
                 " FROM %1$s.stats_lengths WHERE 1"
                 " ON CONFLICT(unit, length) DO UPDATE SET articles = articles + excluded.articles;"
                 "INSERT INTO stats_cooc_terms(term, count) SELECT term, count FROM %1$s.stats_cooc_terms WHERE 1"
                 " ON CONFLICT(term) DO UPDATE SET count = %2$s;"
                 "INSERT INTO stats_cooc(term_a, term_b, count, pmi, npmi, llr)"
                 " SELECT term_a, term_b, count, 0, 0, 0 FROM %1$s.stats_cooc WHERE 1"
                 " ON CONFLICT(term_a, term_b) DO UPDATE SET count = %2$s;"
                 "UPDATE stats_info SET value = value + (SELECT value FROM %1$s.stats_info o"
                 " WHERE o.key = stats_info.key) WHERE key IN ('pair_total', 'articles');",
                 sch, unit_sum) < 0)
        return dw_err_set(e, DW_ENOMEM, "out of memory");
    rc = dw_db_exec(db, sql, e);
    free(sql);
    if (rc == DW_OK && parts) {
        char ins[160];
        snprintf(ins, sizeof ins, "INSERT INTO stats_parts(part, articles) SELECT part, articles FROM %s.stats_parts",
                 sch);
        rc = dw_db_exec(db, ins, e);
    }
    return rc;
}

/* Merges others[0..n) (n <= MERGE_BATCH), attached together, in one
 * transaction; then redoes the summary, the measures and stats_top, and,
 * with last, keeps the pairs counted at least min_count times (earlier
 * batches keep every pair, so that none loses counts a later shard adds). */
static dw_rc merge_batch(dw_db *db, const char *const *others, size_t n, int64_t min_count, int last, int *skipped,
                         dw_err *e)
{
    dw_rc rc = DW_OK;
    struct stat self, sb[DW_STATS_MERGE_BATCH];
    int self_ok = stat(db->path, &self) == 0;
    /* is_self[i]: the database itself, or a file named before in the batch
     * (attached twice, a file cannot be written to in one transaction):
     * its statistics are in already */
    int is_self[DW_STATS_MERGE_BATCH] = {0};
    for (size_t i = 0; i < n && rc == DW_OK; i++) {
        if (stat(others[i], &sb[i]) == 0) {
            is_self[i] = self_ok && sb[i].st_dev == self.st_dev && sb[i].st_ino == self.st_ino;
            for (size_t j = 0; j < i && !is_self[i]; j++)
                is_self[i] = sb[j].st_dev == sb[i].st_dev && sb[j].st_ino == sb[i].st_ino;
        }
        if (!is_self[i])
            rc = check_other(others[i], e);
    }
    if (rc != DW_OK)
        return rc;
    size_t attached = 0;
    for (; attached < n; attached++) {
        char sql[32];
        snprintf(sql, sizeof sql, "ATTACH ?1 AS other%zu", attached);
        if (is_self[attached]) /* attached as an empty database, never read */
            snprintf(sql, sizeof sql, "ATTACH ':memory:' AS other%zu", attached);
        sqlite3_stmt *st = dw_db_prepare(db, sql, e);
        if (!st) {
            rc = DW_EDB;
            break;
        }
        if (!is_self[attached])
            sqlite3_bind_text(st, 1, others[attached], -1, SQLITE_STATIC);
        int s = sqlite3_step(st);
        sqlite3_finalize(st);
        if (s != SQLITE_DONE) {
            rc = dw_db_fail(db, e, "attach");
            break;
        }
    }
    if (rc == DW_OK)
        rc = dw_db_exec(db, "BEGIN IMMEDIATE", e);
    if (rc == DW_OK) {
        char unit_s[32] = "1";
        rc = info_get(db, "main", "unit", unit_s, sizeof unit_s, e);
        long long unit = atoll(unit_s);
        if (unit < 1)
            unit = 1;
        /* counts of harmonic pairs are k/unit: summed as integers k */
        char sum_expr[160];
        if (unit == 1)
            snprintf(sum_expr, sizeof sum_expr, "count + excluded.count");
        else
            snprintf(sum_expr, sizeof sum_expr, "(round(count * %lld) + round(excluded.count * %lld)) / %lld",
                     unit, unit, unit);
        int merged = 0;
        for (size_t i = 0; i < n && rc == DW_OK; i++) {
            char sch[32];
            snprintf(sch, sizeof sch, "other%zu", i);
            if (is_self[i])
                skipped[i] = 1;
            else
                rc = merge_one(db, sch, others[i], sum_expr, &skipped[i], e);
            merged += rc == DW_OK && !skipped[i];
        }
        char *sql = NULL;
        if (rc == DW_OK && merged &&
            asprintf(&sql,
                     "DELETE FROM stats_summary;"
                     "INSERT INTO stats_summary(bucket, n, types, tokens, hapax)"
                     " SELECT bucket, n, count(*), sum(count), sum(count = 1) FROM stats_ngrams GROUP BY bucket, n;"
                     /* measures from the merged counts and marginals */
                     "UPDATE stats_cooc SET pmi = dw_pmi(stats_cooc.count, ta.count, tb.count, t.v),"
                     " npmi = dw_npmi(stats_cooc.count, ta.count, tb.count, t.v),"
                     " llr = dw_llr(stats_cooc.count, ta.count, tb.count, t.v)"
                     " FROM stats_cooc_terms ta, stats_cooc_terms tb,"
                     " (SELECT CAST(value AS INTEGER) * 1.0 / %lld AS v FROM stats_info WHERE key = 'pair_total') t"
                     " WHERE ta.term = stats_cooc.term_a AND tb.term = stats_cooc.term_b",
                     unit) < 0)
            rc = dw_err_set(e, DW_ENOMEM, "out of memory");
        if (rc == DW_OK && sql)
            rc = dw_db_exec(db, sql, e);
        free(sql);
        sql = NULL;
        if (rc == DW_OK && merged)
            rc = rebuild_top(db, e);
        if (rc == DW_OK && last &&
            asprintf(&sql, "DELETE FROM stats_cooc WHERE count < %lld;"
                           "UPDATE stats_info SET value = '%lld' WHERE key = 'min_count';",
                     (long long)min_count, (long long)min_count) < 0)
            rc = dw_err_set(e, DW_ENOMEM, "out of memory");
        if (rc == DW_OK && sql)
            rc = dw_db_exec(db, sql, e);
        free(sql);
        if (rc == DW_OK)
            rc = dw_db_exec(db, "COMMIT", e);
        else
            sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
    }
    for (size_t i = 0; i < attached; i++) {
        char sql[32];
        snprintf(sql, sizeof sql, "DETACH other%zu", i);
        sqlite3_exec(db->h, sql, NULL, NULL, NULL);
    }
    return rc;
}

dw_rc dw_stats_merge(dw_db *db, const char *const *others, size_t n, int64_t min_count, int *skipped, dw_err *e)
{
    if (!dw_stats_present(db))
        return dw_err_set(e, DW_EDB, "%s: no statistics (run diwan stats on it first)", db->path);
    for (int i = 0; i < 3; i++) {
        static const char *const names[] = {"dw_pmi", "dw_npmi", "dw_llr"};
        double (*const fns[])(double, double, double, double) = {dw_stats_pmi, dw_stats_npmi, dw_stats_llr};
        sqlite3_create_function(db->h, names[i], 4, SQLITE_UTF8 | SQLITE_DETERMINISTIC, (void *)fns[i],
                                sql_measure, NULL, NULL);
    }
    if (min_count < 0) { /* db's own, read once: a batch changes it only at the end */
        char minc[32];
        dw_rc rc = info_get(db, "main", "min_count", minc, sizeof minc, e);
        if (rc != DW_OK)
            return rc;
        min_count = atoll(minc);
    }
    for (size_t i = 0; i < n; i++)
        skipped[i] = 0;
    dw_rc rc = DW_OK;
    for (size_t at = 0; rc == DW_OK && at < n; at += DW_STATS_MERGE_BATCH) {
        size_t k = n - at < DW_STATS_MERGE_BATCH ? n - at : DW_STATS_MERGE_BATCH;
        rc = merge_batch(db, others + at, k, min_count, at + k >= n, skipped + at, e);
    }
    return rc;
}

/* ---- export ---- */

/* A zstd-compressed file written through stdio (fopencookie). */
typedef struct {
    FILE *f;          /* the file on disk */
    ZSTD_CCtx *z;     /* compressor */
    char out[1 << 16]; /* compressed bytes */
    int failed;       /* 1: a write failed */
} zfile;

static int zflush(zfile *zf, const char *buf, size_t size, ZSTD_EndDirective mode)
{
    ZSTD_inBuffer in = {buf, size, 0};
    for (;;) {
        ZSTD_outBuffer out = {zf->out, sizeof zf->out, 0};
        size_t r = ZSTD_compressStream2(zf->z, &out, &in, mode);
        if (ZSTD_isError(r) || (out.pos && fwrite(zf->out, 1, out.pos, zf->f) != out.pos)) {
            zf->failed = 1;
            return -1;
        }
        if (mode == ZSTD_e_end ? r == 0 : in.pos == in.size)
            return 0;
    }
}

static ssize_t zwrite(void *cookie, const char *buf, size_t size)
{
    return zflush(cookie, buf, size, ZSTD_e_continue) == 0 ? (ssize_t)size : -1;
}

/* One exported table. */
typedef struct {
    const char *file;   /* file name in the folder */
    const char *header; /* column names */
    const char *sql;    /* rows */
    const char *needs;  /* a table of a newer schema (a database of an older diwan opened
                           read-only lacks it: a header alone), or NULL */
} export_table;

static const export_table exports[] = {
    {"buckets.csv.zst", "kind,name,articles,tokens,chars",
     "SELECT kind, name, articles, tokens, chars FROM stats_buckets ORDER BY id", NULL},
    {"ngrams.csv.zst", "kind,bucket,n,term,count,df",
     "SELECT b.kind, b.name, g.n, g.term, g.count, g.df FROM stats_ngrams g"
     " JOIN stats_buckets b ON b.id = g.bucket ORDER BY g.bucket, g.n, g.term", NULL},
    {"summary.csv.zst", "kind,bucket,n,types,tokens,hapax",
     "SELECT b.kind, b.name, s.n, s.types, s.tokens, s.hapax FROM stats_summary s"
     " JOIN stats_buckets b ON b.id = s.bucket ORDER BY s.bucket, s.n", NULL},
    {"lengths.csv.zst", "unit,length,articles", "SELECT unit, length, articles FROM stats_lengths ORDER BY unit, length", NULL},
    {"cooc_terms.csv.zst", "term,count", "SELECT term, count FROM stats_cooc_terms ORDER BY term", NULL},
    {"cooc.csv.zst", "term_a,term_b,count,pmi,npmi,llr",
     "SELECT term_a, term_b, count, pmi, npmi, llr FROM stats_cooc ORDER BY term_a, term_b", NULL},
    {"info.csv.zst", "key,value", "SELECT key, value FROM stats_info ORDER BY key", NULL},
    {"parts.csv.zst", "part,articles", "SELECT part, articles FROM stats_parts ORDER BY part", "stats_parts"},
};

static dw_rc export_one(dw_db *db, const char *dir, const export_table *t, dw_err *e)
{
    char path[4200], tmp[4300];
    snprintf(path, sizeof path, "%s/%s", dir, t->file);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    zfile *zf = calloc(1, sizeof *zf);
    if (!zf || !(zf->z = ZSTD_createCCtx())) {
        free(zf);
        return dw_err_set(e, DW_ENOMEM, "out of memory");
    }
    ZSTD_CCtx_setParameter(zf->z, ZSTD_c_compressionLevel, 3);
    zf->f = fopen(tmp, "wb");
    if (!zf->f) {
        dw_rc rc = dw_err_set(e, DW_EIO, "cannot create %s: %s", tmp, strerror(errno));
        ZSTD_freeCCtx(zf->z);
        free(zf);
        return rc;
    }
    cookie_io_functions_t io = {NULL, zwrite, NULL, NULL};
    FILE *out = fopencookie(zf, "w", io);
    const char *sql = t->needs && !has_table(db, "main", t->needs) ? "SELECT 1 WHERE 0" : t->sql;
    sqlite3_stmt *st = dw_db_prepare(db, sql, e);
    dw_rc rc = out && st ? DW_OK : st ? dw_err_set(e, DW_ENOMEM, "out of memory") : DW_EDB;
    if (rc == DW_OK) {
        fprintf(out, "%s\n", t->header);
        int s, nc = sqlite3_column_count(st);
        while ((s = sqlite3_step(st)) == SQLITE_ROW) {
            for (int c = 0; c < nc; c++) {
                if (c)
                    fputc(',', out);
                const char *v = (const char *)sqlite3_column_text(st, c);
                int type = sqlite3_column_type(st, c);
                if (type == SQLITE_INTEGER || type == SQLITE_FLOAT)
                    fputs(v, out);
                else if (v)
                    csv_fwrite(out, v, (size_t)sqlite3_column_bytes(st, c));
            }
            fputc('\n', out);
        }
        if (s != SQLITE_DONE)
            rc = dw_db_fail(db, e, "read statistics");
    }
    sqlite3_finalize(st);
    if (out && fclose(out) != 0 && rc == DW_OK)
        rc = dw_err_set(e, DW_EIO, "cannot write %s", tmp);
    if (rc == DW_OK && (zflush(zf, "", 0, ZSTD_e_end) != 0 || zf->failed))
        rc = dw_err_set(e, DW_EIO, "cannot write %s: %s", tmp, strerror(errno));
    if (fclose(zf->f) != 0 && rc == DW_OK)
        rc = dw_err_set(e, DW_EIO, "cannot write %s: %s", tmp, strerror(errno));
    ZSTD_freeCCtx(zf->z);
    free(zf);
    if (rc == DW_OK && rename(tmp, path) != 0)
        rc = dw_err_set(e, DW_EIO, "cannot rename %s: %s", tmp, strerror(errno));
    if (rc != DW_OK)
        unlink(tmp);
    return rc;
}

dw_rc dw_stats_export(dw_db *db, const char *dir, dw_err *e)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return dw_err_set(e, DW_EIO, "cannot create folder %s: %s", dir, strerror(errno));
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return dw_err_set(e, DW_EIO, "%s: not a folder", dir);
    /* one read transaction: every file from the same snapshot */
    dw_rc rc = dw_db_exec(db, "BEGIN", e);
    for (size_t i = 0; rc == DW_OK && i < sizeof exports / sizeof *exports; i++)
        rc = export_one(db, dir, &exports[i], e);
    sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL);
    return rc;
}
