/* merge.c: exporting the statistics tables as zstd-compressed CSV
 * (dw_stats_export). Merging is in kmerge.c. */
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
    const char *sql = t->needs && !dw_db_has_table(db, t->needs) ? "SELECT 1 WHERE 0" : t->sql;
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
