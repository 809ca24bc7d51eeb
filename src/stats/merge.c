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

dw_rc dw_stats_merge(dw_db *db, const char *other_path, int64_t min_count, dw_err *e)
{
    struct stat sb;
    if (stat(other_path, &sb) != 0)
        return dw_err_set(e, DW_EDB, "cannot open database %s: %s", other_path, strerror(errno));
    /* open it the usual way first: version checks, not-a-database errors */
    dw_db *other = NULL;
    dw_rc rc = dw_db_open(&other, other_path, DW_DB_READONLY, 0, e);
    if (rc != DW_OK)
        return rc;
    int has = dw_stats_present(other);
    dw_db_close(other);
    if (!has)
        return dw_err_set(e, DW_EDB, "%s: no statistics (run diwan stats on it first)", other_path);
    if (!dw_stats_present(db))
        return dw_err_set(e, DW_EDB, "%s: no statistics (run diwan stats on it first)", db->path);
    for (int i = 0; i < 3; i++) {
        static const char *const names[] = {"dw_pmi", "dw_npmi", "dw_llr"};
        double (*const fns[])(double, double, double, double) = {dw_stats_pmi, dw_stats_npmi, dw_stats_llr};
        sqlite3_create_function(db->h, names[i], 4, SQLITE_UTF8 | SQLITE_DETERMINISTIC, (void *)fns[i],
                                sql_measure, NULL, NULL);
    }
    sqlite3_stmt *st = dw_db_prepare(db, "ATTACH ?1 AS other", e);
    if (!st)
        return DW_EDB;
    sqlite3_bind_text(st, 1, other_path, -1, SQLITE_STATIC);
    int s = sqlite3_step(st);
    sqlite3_finalize(st);
    if (s != SQLITE_DONE)
        return dw_db_fail(db, e, "attach");
    rc = dw_db_exec(db, "BEGIN IMMEDIATE", e);
    char a[128], b[128];
    for (size_t i = 0; rc == DW_OK && i < sizeof same_keys / sizeof *same_keys; i++) {
        if ((rc = info_get(db, "main", same_keys[i], a, sizeof a, e)) != DW_OK ||
            (rc = info_get(db, "other", same_keys[i], b, sizeof b, e)) != DW_OK)
            break;
        if (strcmp(a, b) != 0)
            rc = dw_err_set(e, DW_EUSAGE, "%s: statistics counted with %s %s, %s with %s %s: cannot merge",
                            other_path, same_keys[i], b, db->path, same_keys[i], a);
    }
    char unit_s[32] = "1", minc[32];
    if (rc == DW_OK)
        rc = info_get(db, "main", "unit", unit_s, sizeof unit_s, e);
    if (rc == DW_OK && min_count < 0) {
        rc = info_get(db, "main", "min_count", minc, sizeof minc, e);
        min_count = atoll(minc);
    }
    long long unit = atoll(unit_s);
    if (unit < 1)
        unit = 1;
    /* counts of harmonic pairs are k/unit: summed as integers k */
    char sum_expr[160];
    if (unit == 1)
        snprintf(sum_expr, sizeof sum_expr, "count + excluded.count");
    else
        snprintf(sum_expr, sizeof sum_expr, "(round(count * %lld) + round(excluded.count * %lld)) / %lld", unit,
                 unit, unit);
    char *sql = NULL;
    if (rc == DW_OK &&
        asprintf(&sql,
                 "INSERT INTO stats_buckets(kind, name, articles, tokens, chars)"
                 " SELECT kind, name, articles, tokens, chars FROM other.stats_buckets WHERE 1"
                 " ON CONFLICT(kind, name) DO UPDATE SET articles = articles + excluded.articles,"
                 " tokens = tokens + excluded.tokens, chars = chars + excluded.chars;"
                 "INSERT INTO stats_ngrams(bucket, n, term, count, df)"
                 " SELECT b.id, x.n, x.term, x.count, x.df FROM other.stats_ngrams x"
                 " JOIN other.stats_buckets ob ON ob.id = x.bucket"
                 " JOIN main.stats_buckets b ON b.kind = ob.kind AND b.name = ob.name WHERE 1"
                 " ON CONFLICT(bucket, n, term) DO UPDATE SET count = count + excluded.count, df = df + excluded.df;"
                 "DELETE FROM stats_summary;"
                 "INSERT INTO stats_summary(bucket, n, types, tokens, hapax)"
                 " SELECT bucket, n, count(*), sum(count), sum(count = 1) FROM stats_ngrams GROUP BY bucket, n;"
                 "INSERT INTO stats_lengths(unit, length, articles) SELECT unit, length, articles"
                 " FROM other.stats_lengths WHERE 1"
                 " ON CONFLICT(unit, length) DO UPDATE SET articles = articles + excluded.articles;"
                 "INSERT INTO stats_cooc_terms(term, count) SELECT term, count FROM other.stats_cooc_terms WHERE 1"
                 " ON CONFLICT(term) DO UPDATE SET count = %s;"
                 "INSERT INTO stats_cooc(term_a, term_b, count, pmi, npmi, llr)"
                 " SELECT term_a, term_b, count, 0, 0, 0 FROM other.stats_cooc WHERE 1"
                 " ON CONFLICT(term_a, term_b) DO UPDATE SET count = %s;"
                 "UPDATE stats_info SET value = value + (SELECT value FROM other.stats_info o"
                 " WHERE o.key = stats_info.key) WHERE key IN ('pair_total', 'articles');"
                 "DELETE FROM stats_cooc WHERE count < %lld;"
                 "UPDATE stats_info SET value = '%lld' WHERE key = 'min_count';",
                 sum_expr, sum_expr, (long long)min_count, (long long)min_count) < 0)
        rc = dw_err_set(e, DW_ENOMEM, "out of memory");
    if (rc == DW_OK)
        rc = dw_db_exec(db, sql, e);
    free(sql);
    sql = NULL;
    /* measures from the merged counts and marginals */
    if (rc == DW_OK &&
        asprintf(&sql,
                 "UPDATE stats_cooc SET pmi = dw_pmi(stats_cooc.count, ta.count, tb.count, t.v),"
                 " npmi = dw_npmi(stats_cooc.count, ta.count, tb.count, t.v),"
                 " llr = dw_llr(stats_cooc.count, ta.count, tb.count, t.v)"
                 " FROM stats_cooc_terms ta, stats_cooc_terms tb,"
                 " (SELECT CAST(value AS INTEGER) * 1.0 / %lld AS v FROM stats_info WHERE key = 'pair_total') t"
                 " WHERE ta.term = stats_cooc.term_a AND tb.term = stats_cooc.term_b",
                 unit) < 0)
        rc = dw_err_set(e, DW_ENOMEM, "out of memory");
    if (rc == DW_OK)
        rc = dw_db_exec(db, sql, e);
    free(sql);
    if (rc == DW_OK)
        rc = rebuild_top(db, e);
    if (rc == DW_OK)
        rc = dw_db_exec(db, "COMMIT", e);
    else
        sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_exec(db->h, "DETACH other", NULL, NULL, NULL);
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
} export_table;

static const export_table exports[] = {
    {"buckets.csv.zst", "kind,name,articles,tokens,chars",
     "SELECT kind, name, articles, tokens, chars FROM stats_buckets ORDER BY id"},
    {"ngrams.csv.zst", "kind,bucket,n,term,count,df",
     "SELECT b.kind, b.name, g.n, g.term, g.count, g.df FROM stats_ngrams g"
     " JOIN stats_buckets b ON b.id = g.bucket ORDER BY g.bucket, g.n, g.term"},
    {"summary.csv.zst", "kind,bucket,n,types,tokens,hapax",
     "SELECT b.kind, b.name, s.n, s.types, s.tokens, s.hapax FROM stats_summary s"
     " JOIN stats_buckets b ON b.id = s.bucket ORDER BY s.bucket, s.n"},
    {"lengths.csv.zst", "unit,length,articles", "SELECT unit, length, articles FROM stats_lengths ORDER BY unit, length"},
    {"cooc_terms.csv.zst", "term,count", "SELECT term, count FROM stats_cooc_terms ORDER BY term"},
    {"cooc.csv.zst", "term_a,term_b,count,pmi,npmi,llr",
     "SELECT term_a, term_b, count, pmi, npmi, llr FROM stats_cooc ORDER BY term_a, term_b"},
    {"info.csv.zst", "key,value", "SELECT key, value FROM stats_info ORDER BY key"},
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
    sqlite3_stmt *st = dw_db_prepare(db, t->sql, e);
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
