/* split.c: `diwan split`: cluster assignment (SQL functions over a temporary
 * table of the selected clusters), streaming of the rows in content-hash
 * order into zstd CSV files (read on the calling thread, written by a writer
 * thread with --threads >= 2), leakage report, manifest (see split.h). */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "core/bqueue.h"
#include "core/buf.h"
#include "core/dbins.h"
#include "core/grams.h"
#include "core/hash.h"
#include "core/norm.h"
#include "datasets/card.h"
#include "datasets/csvq.h"
#include "datasets/leak.h"
#include "datasets/sha256.h"
#include "datasets/split.h"
#include "datasets/zout.h"

#ifndef DW_VERSION
#define DW_VERSION "0"
#endif

static const char *const split_names[DW_SPLIT_N] = {"train", "validation", "test"};

const char *dw_split_name(int split) { return split >= 0 && split < DW_SPLIT_N ? split_names[split] : "?"; }

void dw_split_opts_init(dw_split_opts *o)
{
    memset(o, 0, sizeof *o);
    o->ratios[DW_SPLIT_TRAIN] = 0.8;
    o->ratios[DW_SPLIT_VALID] = 0.1;
    o->ratios[DW_SPLIT_TEST] = 0.1;
    o->level = 3;
    o->threads = 1;
    o->leakage = 1;
    o->leak_cap = 4194304;
}

/* Columns of the CSV files, in order. */
static const char *const csv_columns[] = {"id",         "source",   "published", "title", "text", "keywords",
                                          "cluster_id", "n_tokens", "n_chars",   "url",   "split"};
#define NCOLS (sizeof csv_columns / sizeof *csv_columns)

int dw_split_is_release_name(const char *name)
{
    if (!strcmp(name, "manifest.json") || !strcmp(name, "croissant.json") || !strcmp(name, "README.md") ||
        !strncmp(name, ".diwan-tmp-", 11))
        return 1;
    for (int s = 0; s < DW_SPLIT_N; s++) {
        size_t l = strlen(split_names[s]);
        if (strncmp(name, split_names[s], l) != 0)
            continue;
        const char *r = name + l;
        if (!strcmp(r, ".csv.zst"))
            return 1;
        /* -NNNNN-of-NNNNN.csv.zst */
        if (strlen(r) != 23 || r[0] != '-' || strncmp(r + 6, "-of-", 4) != 0 || strcmp(r + 15, ".csv.zst") != 0)
            continue;
        int ok = 1;
        for (int i = 1; i < 15; i++)
            if ((i < 6 || i >= 10) && (r[i] < '0' || r[i] > '9'))
                ok = 0;
        if (ok)
            return 1;
    }
    return 0;
}

/* ---- assignment ---- */

/* XXH3-64 of a cluster key with the seed. */
static uint64_t split_hash(const void *key, size_t n, uint64_t seed) { return XXH3_64bits_withSeed(key, n, seed); }

/* The split of a hash for the ratios: u = (h >> 11) / 2^53. */
static int split_of_hash(const dw_split_opts *o, uint64_t h)
{
    uint64_t u = h >> 11;
    double scale = 9007199254740992.0; /* 2^53 */
    if ((double)u < o->ratios[DW_SPLIT_TRAIN] * scale)
        return DW_SPLIT_TRAIN;
    if ((double)u < (o->ratios[DW_SPLIT_TRAIN] + o->ratios[DW_SPLIT_VALID]) * scale)
        return DW_SPLIT_VALID;
    return DW_SPLIT_TEST;
}

/* The split of a cluster whose representative has content hash key[0..n)
 * and date published (NULL: undated): by date with --by-date, else hashed. */
static int split_of_cluster(const dw_split_opts *o, const void *key, size_t n, const char *published)
{
    if (o->train_end) {
        int s = DW_SPLIT_TRAIN; /* undated: train */
        if (published && strcmp(published, o->train_end) > 0)
            s = o->valid_end && strcmp(published, o->valid_end) <= 0 ? DW_SPLIT_VALID : DW_SPLIT_TEST;
        return s;
    }
    return split_of_hash(o, split_hash(key ? key : "", n, o->seed));
}

/* SQL dw_split_key(key): the seeded hash as a signed integer whose order is
 * the unsigned order of the hash. */
static void sql_split_key(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const dw_split_opts *o = sqlite3_user_data(cx);
    const void *k = sqlite3_value_blob(argv[0]);
    uint64_t h = split_hash(k ? k : "", (size_t)sqlite3_value_bytes(argv[0]), o->seed);
    sqlite3_result_int64(cx, (sqlite3_int64)(h ^ 0x8000000000000000ull));
}

/* SQL dw_split_strat(pos, n): split of the pos-th cluster (0-based, in hash
 * order) of a stratum of n clusters: largest-remainder rounding of n * ratio,
 * ties to the earlier split. */
static void sql_split_strat(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const dw_split_opts *o = sqlite3_user_data(cx);
    int64_t pos = sqlite3_value_int64(argv[0]), n = sqlite3_value_int64(argv[1]);
    int64_t cnt[DW_SPLIT_N], given = 0;
    double frac[DW_SPLIT_N];
    for (int s = 0; s < DW_SPLIT_N; s++) {
        double q = (double)n * o->ratios[s];
        cnt[s] = (int64_t)floor(q);
        frac[s] = q - (double)cnt[s];
        given += cnt[s];
    }
    for (int64_t left = n - given; left > 0; left--) {
        int best = -1;
        for (int s = 0; s < DW_SPLIT_N; s++)
            if (o->ratios[s] > 0 && (best < 0 || frac[s] > frac[best]))
                best = s;
        if (best < 0)
            best = DW_SPLIT_TRAIN;
        cnt[best]++;
        frac[best] = -1.0;
    }
    int s = DW_SPLIT_TRAIN;
    for (int64_t acc = cnt[0]; s < DW_SPLIT_TEST && pos >= acc; acc += cnt[++s]) {
    }
    sqlite3_result_int(cx, s);
}

/* Everything one run needs. */
typedef struct {
    dw_db *db;                /* the database */
    const dw_split_opts *o;   /* options */
    const char *out;          /* output folder */
    char *src_ids;            /* JSON array of the --source ids, or NULL */
    double t0;                /* when the run started (dw_now_seconds) */
    double t_report;          /* when progress was last reported */
    int64_t undated;          /* --by-date: rows of undated clusters (put in train) */
} split_ctx;

/* The first 8 bytes of h as a big-endian number. */
static uint64_t split_be64(const unsigned char *h)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | h[i];
    return v;
}

/* Reports progress to o->on_progress: at most every 0.25 s, or now with
 * force. */
static void split_report(split_ctx *c, const char *phase, int64_t rows, double frac, int force)
{
    if (!c->o->on_progress || !dw_progress_due(&c->t_report, force))
        return;
    dw_split_progress p = {phase, rows, frac, c->t_report - c->t0};
    c->o->on_progress(c->o->progress_ud, &p);
}

/* The statement head || filters || tail, the filters being those of the
 * options on article alias x, with parameters ?1 (JSON array of outlet
 * ids), ?2 min tokens, ?3 since, ?4 until, or "1" without any. Only the
 * options given become terms: source_id, n_tokens and published come after
 * the body in a row, and reading them walks the body's overflow pages, which
 * a scan without filters need not do. n_tokens is never negative, so
 * --min-tokens 0 (the default) is no filter. Returns a string the caller
 * frees, or NULL when out of memory. */
static char *split_sql(const split_ctx *c, const char *head, const char *x, const char *tail)
{
    /* the terms, each after "x." */
    const char *term[4] = {c->src_ids ? "source_id IN (SELECT value FROM json_each(?1))" : NULL,
                           c->o->min_tokens > 0 ? "n_tokens >= ?2" : NULL, c->o->since ? "published >= ?3" : NULL,
                           c->o->until ? "published <= ?4" : NULL};
    dw_buf b = DW_BUF_INIT;
    int bad = dw_buf_puts(&b, head) < 0, n = 0;
    for (int i = 0; i < 4 && !bad; i++)
        if (term[i])
            bad = dw_buf_printf(&b, "%s%s.%s", n++ ? " AND " : " ", x, term[i]) < 0;
    if (!bad && !n)
        bad = dw_buf_puts(&b, " 1") < 0;
    if (!bad)
        bad = dw_buf_puts(&b, tail) < 0;
    if (bad) {
        dw_buf_free(&b);
        return NULL;
    }
    return dw_buf_detach(&b, NULL);
}

/* Binds the filter parameters ?1..?4 (those the statement has). */
static void split_bind(const split_ctx *c, sqlite3_stmt *st)
{
    int np = sqlite3_bind_parameter_count(st);
    if (c->src_ids && np >= 1)
        sqlite3_bind_text(st, 1, c->src_ids, -1, SQLITE_STATIC);
    if (np >= 2)
        sqlite3_bind_int64(st, 2, c->o->min_tokens);
    if (c->o->since && np >= 3)
        sqlite3_bind_text(st, 3, c->o->since, -1, SQLITE_STATIC);
    if (c->o->until && np >= 4)
        sqlite3_bind_text(st, 4, c->o->until, -1, SQLITE_STATIC);
}

/* Prepares split_sql(c, head, x, tail) into *st with the filters bound (the
 * caller finalizes). DW_ENOMEM, DW_EDB. */
static dw_rc split_prepare(split_ctx *c, const char *head, const char *x, const char *tail, sqlite3_stmt **st,
                           dw_err *e)
{
    char *sql = split_sql(c, head, x, tail);
    if (!sql)
        return dw_err_set(e, DW_ENOMEM, "out of memory");
    *st = dw_db_prepare(c->db, sql, e);
    free(sql);
    if (!*st)
        return DW_EDB;
    split_bind(c, *st);
    return DW_OK;
}

/* Runs head || filters on x || tail (see split_sql) with the filters bound. */
static dw_rc split_exec(split_ctx *c, const char *head, const char *x, const char *tail, dw_err *e)
{
    sqlite3_stmt *st = NULL;
    dw_rc rc = split_prepare(c, head, x, tail, &st, e);
    if (rc != DW_OK)
        return rc;
    int r = sqlite3_step(st);
    sqlite3_finalize(st);
    return r == SQLITE_DONE || r == SQLITE_ROW ? DW_OK : dw_db_fail(c->db, e, "split");
}

/* Resolves the --source names to a JSON array of outlet ids (c->src_ids):
 * a canonical name, or an alias as the ingest matches it (normalized). */
static dw_rc split_sources(split_ctx *c, dw_err *e)
{
    if (!c->o->nsources)
        return DW_OK;
    sqlite3_stmt *byname = dw_db_prepare(c->db, "SELECT id FROM sources WHERE name = ?1", e);
    sqlite3_stmt *byalias = byname ? dw_db_prepare(c->db, "SELECT source_id FROM source_aliases WHERE alias = ?1", e) : NULL;
    if (!byalias) {
        sqlite3_finalize(byname);
        return DW_EDB;
    }
    json_t *ids = json_array();
    dw_buf nb = DW_BUF_INIT;
    dw_rc rc = DW_OK;
    for (size_t i = 0; i < c->o->nsources && rc == DW_OK; i++) {
        const char *name = c->o->sources[i];
        sqlite3_reset(byname);
        sqlite3_bind_text(byname, 1, name, -1, SQLITE_STATIC);
        int64_t id = -1;
        if (sqlite3_step(byname) == SQLITE_ROW)
            id = sqlite3_column_int64(byname, 0);
        else {
            dw_buf_reset(&nb);
            if (dw_norm_text(&nb, name, strlen(name), c->db->norm_flags | DW_NORM_NO_NEWLINES) < 0) {
                rc = dw_err_set(e, DW_ENOMEM, "out of memory");
                break;
            }
            sqlite3_reset(byalias);
            sqlite3_bind_text(byalias, 1, dw_buf_str(&nb), -1, SQLITE_STATIC);
            if (sqlite3_step(byalias) == SQLITE_ROW)
                id = sqlite3_column_int64(byalias, 0);
        }
        if (id < 0)
            rc = dw_err_set(e, DW_EUSAGE, "unknown source '%s' (see 'diwan sources')", name);
        else
            json_array_append_new(ids, json_integer(id));
    }
    sqlite3_finalize(byname);
    sqlite3_finalize(byalias);
    dw_buf_free(&nb);
    if (rc == DW_OK && !(c->src_ids = json_dumps(ids, JSON_COMPACT)))
        rc = dw_err_set(e, DW_ENOMEM, "out of memory");
    json_decref(ids);
    return rc;
}

/* The representatives (cluster_id NULL or its own id) as articles r: found
 * by a scan of the covering index articles_cluster, as cluster_id is stored
 * after the body and reading it from the table walks the body's overflow
 * pages; content_hash comes before the body. */
#define SPLIT_REPS                                                                                               \
    " (SELECT id AS rep FROM articles WHERE cluster_id IS NULL OR cluster_id = id) q"                           \
    " CROSS JOIN articles r ON r.id = q.rep"

/* Creates temp.dw_split_clusters, the selected clusters (by their
 * representative) with their split and key; fills it with --stratify, whose
 * assignment ranks the clusters of each outlet. Without, a cluster's split
 * depends on its representative alone and the write loop fills the table as
 * it reads the representatives (split_write_rows): one pass over the
 * articles instead of two. */
static dw_rc split_assign(split_ctx *c, dw_err *e)
{
    sqlite3 *h = c->db->h;
    int fl = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
    void *ud = (void *)c->o;
    if (sqlite3_create_function(h, "dw_split_key", 1, fl, ud, sql_split_key, NULL, NULL) != SQLITE_OK ||
        sqlite3_create_function(h, "dw_split_strat", 2, fl, ud, sql_split_strat, NULL, NULL) != SQLITE_OK)
        return dw_db_fail(c->db, e, "split: functions");
    /* the cluster table grows with the corpus: on disk, not in memory */
    dw_rc rc = dw_db_exec(c->db,
                          "PRAGMA temp_store=FILE; PRAGMA temp.cache_size=-8192; PRAGMA main.cache_size=-16384;"
                          " PRAGMA mmap_size=268435456;"
                          "DROP TABLE IF EXISTS temp.dw_split_clusters;"
                          "CREATE TEMP TABLE dw_split_clusters (rid INTEGER PRIMARY KEY, split INTEGER NOT NULL,"
                          " ckey BLOB NOT NULL)",
                          e);
    if (rc != DW_OK)
        return rc;
    if (!c->o->stratify)
        return DW_OK; /* filled by the write loop (split_write_rows) */
    return split_exec(c,
                      "INSERT INTO temp.dw_split_clusters SELECT rid, dw_split_strat(pos, n), ckey FROM"
                      " (SELECT r.id AS rid, r.content_hash AS ckey, row_number() OVER (PARTITION BY r.source_id"
                      " ORDER BY dw_split_key(r.content_hash), r.content_hash) - 1 AS pos,"
                      " count(*) OVER (PARTITION BY r.source_id) AS n"
                      " FROM" SPLIT_REPS " WHERE",
                      "r", ")", e);
}

/* ---- output files ---- */

/* One data file of a split. */
typedef struct {
    char tmp[64];     /* temporary name in the output folder */
    char name[64];    /* final name */
    int64_t rows;     /* data rows (header excluded) */
    uint64_t bytes;   /* compressed size */
    uint64_t csv_bytes; /* uncompressed size */
    char sha256[65];  /* checksum of the compressed bytes */
} split_file;

/* The files and counts of one split. */
typedef struct {
    dw_zout *z;        /* open file, or NULL */
    dw_buf pend;       /* CSV rows of the open file not yet given to z */
    split_file *files; /* files written (or being written) */
    size_t nfiles;     /* how many */
    int64_t rows;      /* rows of the split */
    json_t *by_source; /* outlet name -> rows */
    json_t *by_month;  /* YYYY-MM (or "undated") -> rows */
} split_out;

/* Joins dir and name into buf; returns buf. */
static const char *split_path(char *buf, size_t cap, const char *dir, const char *name)
{
    snprintf(buf, cap, "%s/%s", dir, name);
    return buf;
}

/* Appends one CSV field (RFC 4180, always quoted: the bytes of libcsv's
 * csv_write) to b. */
static int csv_field(dw_buf *b, const char *s, size_t n)
{
    if (dw_buf_grow(b, 2 * n + 3) < 0)
        return -1;
    b->len += dw_csv_quote(b->data + b->len, s, n);
    b->data[b->len] = '\0';
    return 0;
}

/* Pending CSV bytes of a split are given to zstd in pieces of this size. */
#define SPLIT_PEND_MAX (1u << 20)

/* Gives the pending CSV bytes of so to its open file. */
static dw_rc split_flush(split_out *so, dw_err *e)
{
    dw_rc rc = so->pend.len ? dw_zout_write(so->z, so->pend.data, so->pend.len, e) : DW_OK;
    dw_buf_reset(&so->pend);
    return rc;
}

/* Starts a new file for split s: temporary name, header row. */
static dw_rc split_open_file(split_ctx *c, split_out *so, int s, dw_err *e)
{
    split_file *nf = realloc(so->files, (so->nfiles + 1) * sizeof *nf);
    if (!nf)
        return dw_err_set(e, DW_ENOMEM, "out of memory");
    so->files = nf;
    split_file *f = &so->files[so->nfiles++];
    memset(f, 0, sizeof *f);
    snprintf(f->tmp, sizeof f->tmp, ".diwan-tmp-%s-%05zu.csv.zst", dw_split_name(s), so->nfiles - 1);
    char p[4096];
    dw_rc rc = dw_zout_open(&so->z, split_path(p, sizeof p, c->out, f->tmp), c->o->level, c->o->threads, e);
    if (rc != DW_OK)
        return rc;
    dw_buf hb = DW_BUF_INIT;
    for (size_t i = 0; i < NCOLS; i++)
        if ((i && dw_buf_putc(&hb, ',') < 0) || dw_buf_puts(&hb, csv_columns[i]) < 0)
            rc = dw_err_set(e, DW_ENOMEM, "out of memory");
    if (rc == DW_OK && dw_buf_puts(&hb, "\r\n") < 0)
        rc = dw_err_set(e, DW_ENOMEM, "out of memory");
    if (rc == DW_OK)
        rc = dw_zout_write(so->z, hb.data, hb.len, e);
    dw_buf_free(&hb);
    return rc;
}

/* Closes the open file of so (keeping its temporary name). */
static dw_rc split_close_file(split_out *so, dw_err *e)
{
    if (!so->z)
        return DW_OK;
    split_file *f = &so->files[so->nfiles - 1];
    dw_rc rc = split_flush(so, e);
    dw_zout *z = so->z;
    so->z = NULL;
    if (rc != DW_OK) {
        dw_zout_free(z);
        return rc;
    }
    f->csv_bytes = dw_zout_in_bytes(z);
    return dw_zout_commit(z, NULL, &f->bytes, f->sha256, e);
}

/* Closing the last files: each split's on a thread of its own (with
 * threads >= 2), as ending a zstd frame waits for its last job and the fsync
 * for the disk; the caller meanwhile runs its queries. */
typedef struct {
    split_out *so;  /* the split whose open file is closed */
    pthread_t th;   /* its thread */
    int started;    /* 1 when th runs */
    dw_rc rc;       /* result */
    dw_err err;     /* message when rc != DW_OK */
} split_closer;

static void *split_closer_main(void *arg)
{
    split_closer *k = arg;
    k->rc = split_close_file(k->so, &k->err);
    return NULL;
}

/* Starts closing the open file of every split in so[0..DW_SPLIT_N), on
 * threads when threaded, else at once. */
static void split_close_start(split_closer k[DW_SPLIT_N], split_out *so, int threaded)
{
    for (int s = 0; s < DW_SPLIT_N; s++) {
        k[s].so = &so[s];
        k[s].rc = DW_OK;
        k[s].err.msg[0] = 0;
        k[s].started = so[s].z && threaded && pthread_create(&k[s].th, NULL, split_closer_main, &k[s]) == 0;
        if (!k[s].started)
            split_closer_main(&k[s]);
    }
}

/* Waits for split_close_start; returns the first split's error (in split
 * order, whatever the timing), copied into e. */
static dw_rc split_close_wait(split_closer k[DW_SPLIT_N], dw_err *e)
{
    dw_rc rc = DW_OK;
    for (int s = 0; s < DW_SPLIT_N; s++) {
        if (k[s].started)
            pthread_join(k[s].th, NULL);
        if (rc == DW_OK && k[s].rc != DW_OK)
            rc = dw_err_set(e, k[s].rc, "%s", k[s].err.msg);
    }
    return rc;
}

/* Adds 1 to obj[key]. */
static int json_count(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (v)
        return json_integer_set(v, json_integer_value(v) + 1);
    return json_object_set_new(obj, key, json_integer(1));
}

/* ---- the writer: CSV, files, leakage texts ----
 * The reading side (sqlite, keyword and URL look-ups) packs each row into a
 * batch; the writer formats the batches' rows as CSV into the split's file,
 * hands texts to the leakage run and counts. With threads >= 2 the writer is
 * a thread of its own fed through a queue of SPLIT_QN batches; else batches
 * are written at once. Rows are written in the order they were read either
 * way, so the files do not depend on it. */

#define SPLIT_BATCH (1u << 20) /* a batch is handed over once it holds this many bytes */
#define SPLIT_QN 4             /* batches queued at most */
#define SPLIT_NULL UINT32_MAX  /* length of a NULL string in a packed row */

/* The writer's state. */
typedef struct {
    split_ctx *c;             /* the run */
    split_out *so;            /* the files of each split */
    XXH3_state_t *fp;         /* fingerprint of the rows */
    dw_leak_run *leak;        /* leakage run, or NULL */
    int threaded;             /* 1: a writer thread runs */
    pthread_t th;             /* the thread */
    dw_bq q;                  /* the queue of batches (stopped when the writer fails) */
    pthread_mutex_t mu;       /* guards rc and err */
    dw_rc rc;                 /* first error of the writer */
    dw_err err;               /* its message */
} split_writer;

/* Appends n bytes at p to a packed row. */
static int pack_bytes(dw_buf *b, const void *p, size_t n) { return dw_buf_append(b, p, n); }

/* Appends a string or blob s[0..n) (NULL allowed) to a packed row: its
 * 32-bit length, its bytes and a NUL (added: a blob has none). */
static int pack_str(dw_buf *b, const char *s, size_t n)
{
    uint32_t l = s ? (uint32_t)n : SPLIT_NULL;
    return pack_bytes(b, &l, sizeof l) < 0 || (s && (pack_bytes(b, s, n) < 0 || dw_buf_putc(b, '\0') < 0)) ? -1 : 0;
}

/* Reads a string packed by pack_str at *p (advanced): NUL-terminated, *n
 * bytes before the NUL; NULL for a NULL. */
static const char *unpack_str(const char **p, size_t *n)
{
    uint32_t l;
    memcpy(&l, *p, sizeof l);
    *p += sizeof l;
    if (l == SPLIT_NULL) {
        *n = 0;
        return NULL;
    }
    const char *s = *p;
    *p += (size_t)l + 1;
    *n = l;
    return s;
}

/* Writes the rows of one batch: split (1 byte), content hash and cluster key
 * (16 bytes each), n_tokens and n_chars (int64), then source, published,
 * title, text, keywords, URL and the stored 13-gram hashes (pack_str; NULL
 * when the article has none, or without the leakage report). */
static dw_rc split_write_batch(split_writer *w, const dw_buf *b, dw_err *e)
{
    split_ctx *c = w->c;
    static const char hexd[] = "0123456789abcdef";
    const char *p = b->data, *end = b->data + b->len;
    dw_rc rc = DW_OK;
    while (rc == DW_OK && p < end) {
        int s = (unsigned char)*p++;
        const unsigned char *hash = (const unsigned char *)p, *ckey = hash + 16;
        p += 32;
        int64_t ntok_v, nch_v;
        memcpy(&ntok_v, p, 8);
        memcpy(&nch_v, p + 8, 8);
        p += 16;
        size_t srcl, publ, titlel, blen, kwl, ul;
        const char *src = unpack_str(&p, &srcl), *pub = unpack_str(&p, &publ), *title = unpack_str(&p, &titlel);
        const char *body = unpack_str(&p, &blen), *kws = unpack_str(&p, &kwl), *u = unpack_str(&p, &ul);
        size_t gl;
        const char *grams = unpack_str(&p, &gl);
        unsigned char sb = (unsigned char)s;
        XXH3_128bits_update(w->fp, hash, 16);
        XXH3_128bits_update(w->fp, ckey, 16);
        XXH3_128bits_update(w->fp, &sb, 1);
        char id[33], cid[33], ntok[24], nch[24];
        for (int i = 0; i < 16; i++) {
            id[2 * i] = hexd[hash[i] >> 4];
            id[2 * i + 1] = hexd[hash[i] & 15];
            cid[2 * i] = hexd[ckey[i] >> 4];
            cid[2 * i + 1] = hexd[ckey[i] & 15];
        }
        id[32] = cid[32] = '\0';
        snprintf(ntok, sizeof ntok, "%lld", (long long)ntok_v);
        snprintf(nch, sizeof nch, "%lld", (long long)nch_v);
        const char *cells[NCOLS] = {id, src, pub, title, body, kws, cid, ntok, nch, u, dw_split_name(s)};
        size_t lens[NCOLS] = {32, srcl, publ, titlel, blen, kwl, 32, strlen(ntok), strlen(nch), ul, 0};
        lens[10] = strlen(cells[10]);
        split_out *o = &w->so[s];
        if (o->z && c->o->shard_rows && o->files[o->nfiles - 1].rows >= c->o->shard_rows)
            rc = split_close_file(o, e);
        if (rc == DW_OK && !o->z)
            rc = split_open_file(c, o, s, e);
        /* the row goes straight into the pending bytes of its file */
        dw_buf *row = &o->pend;
        for (size_t i = 0; i < NCOLS && rc == DW_OK; i++) {
            const char *v = cells[i] ? cells[i] : "";
            int bad = i && dw_buf_putc(row, ',') < 0;
            if (!bad)
                bad = (i == 7 || i == 8) ? dw_buf_append(row, v, lens[i]) < 0 : csv_field(row, v, lens[i]) < 0;
            if (bad)
                rc = dw_err_set(e, DW_ENOMEM, "out of memory");
        }
        if (rc == DW_OK && dw_buf_append(row, "\r\n", 2) < 0)
            rc = dw_err_set(e, DW_ENOMEM, "out of memory");
        if (rc == DW_OK && row->len >= SPLIT_PEND_MAX)
            rc = split_flush(o, e);
        /* the stored 13-gram hashes, else the body to hash */
        if (rc == DW_OK && w->leak && s != DW_SPLIT_VALID)
            rc = grams ? dw_leak_run_add_grams(w->leak, s == DW_SPLIT_TEST, grams, gl, e)
                       : dw_leak_run_add_text(w->leak, s == DW_SPLIT_TEST, body ? body : "", blen, e);
        if (rc != DW_OK)
            break;
        o->files[o->nfiles - 1].rows++;
        o->rows++;
        char month[8] = "undated";
        if (pub && publ >= 7)
            snprintf(month, sizeof month, "%.7s", pub);
        if (json_count(o->by_source, src ? src : "(unknown)") < 0 || json_count(o->by_month, month) < 0)
            rc = dw_err_set(e, DW_ENOMEM, "out of memory");
    }
    return rc;
}

static void *split_writer_main(void *arg)
{
    split_writer *w = arg;
    dw_buf work = DW_BUF_INIT;
    int failed = 0;
    while (dw_bq_take(&w->q, &work)) {
        if (failed)
            continue; /* the batches left are dropped */
        dw_err err = {{0}};
        dw_rc rc = split_write_batch(w, &work, &err);
        if (rc != DW_OK) {
            pthread_mutex_lock(&w->mu);
            w->rc = rc;
            w->err = err;
            pthread_mutex_unlock(&w->mu);
            dw_bq_stop(&w->q); /* the reading side stops at its next batch */
            failed = 1;
        }
    }
    dw_buf_free(&work);
    return NULL;
}

/* Starts the writer (a thread when threaded, else writing at once). */
static void split_writer_start(split_writer *w, split_ctx *c, split_out *so, XXH3_state_t *fp, dw_leak_run *leak,
                               int threaded)
{
    memset(w, 0, sizeof *w);
    w->c = c;
    w->so = so;
    w->fp = fp;
    w->leak = leak;
    dw_bq_init(&w->q, SPLIT_QN);
    pthread_mutex_init(&w->mu, NULL);
    if (threaded && pthread_create(&w->th, NULL, split_writer_main, w) == 0)
        w->threaded = 1;
}

/* The writer's first error (message in e when not NULL), or DW_OK. */
static dw_rc split_writer_error(split_writer *w, dw_err *e)
{
    pthread_mutex_lock(&w->mu);
    dw_rc rc = w->rc;
    if (rc != DW_OK && e)
        *e = w->err;
    pthread_mutex_unlock(&w->mu);
    return rc;
}

/* Hands the batch b to the writer (b is left empty, for the next batch).
 * Returns the writer's first error, if any (then later batches are
 * dropped). */
static dw_rc split_writer_put(split_writer *w, dw_buf *b, dw_err *e)
{
    if (!w->threaded) {
        dw_rc rc = split_write_batch(w, b, e);
        dw_buf_reset(b);
        return rc;
    }
    if (dw_bq_put(&w->q, b) != 0)
        dw_buf_reset(b);
    return split_writer_error(w, e);
}

/* Waits for the writer to finish the queue, stops it and frees the queue.
 * Returns its first error (message in e), or DW_OK. */
static dw_rc split_writer_finish(split_writer *w, dw_err *e)
{
    if (w->threaded) {
        dw_bq_close(&w->q);
        pthread_join(w->th, NULL);
        w->threaded = 0;
    }
    dw_bq_free(&w->q);
    dw_rc rc = split_writer_error(w, e);
    pthread_mutex_destroy(&w->mu);
    return rc;
}

/* A keyword of an article: normalized form and spelling as written. */
typedef struct {
    const char *norm, *kw; /* bytes, in the query's result */
    size_t nlen, klen;     /* their lengths */
} split_kw;

/* Byte order of a[0..la) and b[0..lb), as SQLite's BINARY collation. */
static int split_bytes_cmp(const char *a, size_t la, const char *b, size_t lb)
{
    int c = memcmp(a, b, la < lb ? la : lb);
    return c ? c : (la > lb) - (la < lb);
}

static int split_kw_cmp(const void *x, const void *y)
{
    const split_kw *a = x, *b = y;
    int c = split_bytes_cmp(a->norm, a->nlen, b->norm, b->nlen);
    return c ? c : split_bytes_cmp(a->kw, a->klen, b->kw, b->klen);
}

/* Reads one "<bytes>:<bytes of text>" of enc[*i..n) into *p, *len. */
static int split_netstring(const char *enc, size_t n, size_t *i, const char **p, size_t *len)
{
    size_t v = 0, j = *i;
    while (j < n && enc[j] >= '0' && enc[j] <= '9' && v < n)
        v = v * 10 + (size_t)(enc[j++] - '0');
    if (j == *i || j >= n || enc[j] != ':' || v > n - j - 1)
        return -1;
    *p = enc + j + 1;
    *len = v;
    *i = j + 1 + v;
    return 0;
}

/* The keywords cell of an article into out (reset first): per normalized
 * form, its smallest spelling as written, in the normalized forms' byte
 * order, joined by ';', each up to its first NUL (the text cells' rule).
 * enc[0..n) holds the article's keywords as the write query gives them
 * (SPLIT_KWCOL): "<bytes>:<normalized><bytes>:<as written>" each, in any
 * order, so the cell does not depend on the order SQLite reads them in. *v
 * and *cap are a scratch array kept across calls (the caller frees *v).
 * Returns 0, -1 when out of memory, -2 when enc is malformed. */
static int split_keywords(dw_buf *out, const char *enc, size_t n, split_kw **v, size_t *cap)
{
    dw_buf_reset(out);
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        if (k == *cap) {
            size_t nc = *cap ? 2 * *cap : 16;
            split_kw *g = realloc(*v, nc * sizeof *g);
            if (!g)
                return -1;
            *v = g;
            *cap = nc;
        }
        split_kw *w = &(*v)[k++];
        if (split_netstring(enc, n, &i, &w->norm, &w->nlen) != 0 || split_netstring(enc, n, &i, &w->kw, &w->klen) != 0)
            return -2;
    }
    if (k > 1)
        qsort(*v, k, sizeof **v, split_kw_cmp);
    for (size_t i = 0; i < k; i++) {
        const split_kw *w = &(*v)[i];
        if (i && !split_bytes_cmp(w->norm, w->nlen, (*v)[i - 1].norm, (*v)[i - 1].nlen))
            continue; /* not the smallest spelling of this form */
        const char *z = memchr(w->kw, 0, w->klen);
        size_t len = z ? (size_t)(z - w->kw) : w->klen;
        if ((out->len && dw_buf_putc(out, ';') < 0) || dw_buf_append(out, w->kw, len) < 0)
            return -1;
    }
    return 0;
}

/* The write query's column of an article's keywords (see split_keywords). */
#define SPLIT_KWCOL                                                                                                \
    ", (SELECT group_concat(length(CAST(keyword_norm AS BLOB)) || ':' || keyword_norm ||"                        \
    " length(CAST(keyword AS BLOB)) || ':' || keyword, '') FROM keywords WHERE article_id = a.id)"

/* 1 when the database has the content_grams table (a database of an older
 * diwan opened read-only may lack it), 0 when not, -1 on error. */
static int split_has_grams(split_ctx *c, dw_err *e)
{
    int64_t n = 0;
    if (dw_db_int(c->db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'content_grams'", &n,
                  e) != DW_OK)
        return -1;
    return n > 0;
}

/* Streams the selected rows in content-hash order into the files (through
 * the writer); hands the train and test rows to leak (when not NULL): their
 * stored 13-gram hashes (content_grams, joined to the rows: cheaper than a
 * look-up statement per row), else their body. */
static dw_rc split_write_rows(split_ctx *c, split_out *so, XXH3_state_t *fp, dw_leak_run *leak, dw_err *e)
{
    int grams = leak ? split_has_grams(c, e) : 0;
    if (grams < 0)
        return DW_EDB;
    const dw_split_opts *o = c->o;
    /* columns: 0 content hash, 1 cluster key, 2 split (--stratify), 3-8 the
     * cells, 9 id, 10 stored 13-grams, 11 1 when a representative, 12 the
     * representative's date (--by-date, members), 13 the URL, 14 the
     * keywords (SPLIT_KWCOL): look-ups in the statement rather than two
     * statements per row, which cost 10% of the run. Without --stratify a
     * member's cluster is selected when its representative (articles r) is
     * one and passes the filters, as split_assign selects them. */
    char *rfilter = split_sql(c, "", "r", "");
    if (!rfilter)
        return dw_err_set(e, DW_ENOMEM, "out of memory");
    const char *gcol = grams ? "g.grams" : "NULL";
    const char *gjoin = grams ? " LEFT JOIN content_grams g ON g.content_hash = a.content_hash" : "";
    const char *cells = "s.name, a.published, a.title, a.body, a.n_tokens, a.n_chars, a.id";
    /* the URL of the first sighting (by rank) that has one, the keywords */
    const char *urlcol = ", (SELECT url FROM sightings WHERE article_id = a.id AND url IS NOT NULL AND url <> ''"
                         " ORDER BY rank, id LIMIT 1)" SPLIT_KWCOL;
    dw_buf head = DW_BUF_INIT;
    int bad;
    if (o->stratify)
        bad = dw_buf_printf(&head,
                            "SELECT a.content_hash, c.ckey, c.split, %s, %s, 0, NULL%s FROM articles a"
                            " CROSS JOIN temp.dw_split_clusters c LEFT JOIN sources s ON s.id = a.source_id%s"
                            " WHERE %s AND",
                            cells, gcol, urlcol, gjoin,
                            o->keep_duplicates ? "c.rid = coalesce(a.cluster_id, a.id)" : "c.rid = a.id") < 0;
    else if (o->keep_duplicates)
        bad = dw_buf_printf(&head,
                            "SELECT a.content_hash, coalesce(r.content_hash, a.content_hash), NULL, %s, %s,"
                            " a.cluster_id IS NULL OR a.cluster_id = a.id, %s%s FROM articles a"
                            " LEFT JOIN articles r ON r.id = a.cluster_id AND a.cluster_id <> a.id"
                            " LEFT JOIN sources s ON s.id = a.source_id%s"
                            " WHERE (a.cluster_id IS NULL OR a.cluster_id = a.id OR (r.id IS NOT NULL"
                            " AND (r.cluster_id IS NULL OR r.cluster_id = r.id) AND%s)) AND",
                            cells, gcol, o->train_end ? "r.published" : "NULL", urlcol, gjoin, rfilter) < 0;
    else
        bad = dw_buf_printf(&head,
                            "SELECT a.content_hash, a.content_hash, NULL, %s, %s, 1, NULL%s FROM articles a"
                            " LEFT JOIN sources s ON s.id = a.source_id%s"
                            " WHERE (a.cluster_id IS NULL OR a.cluster_id = a.id) AND",
                            cells, gcol, urlcol, gjoin) < 0;
    free(rfilter);
    if (bad) {
        dw_buf_free(&head);
        return dw_err_set(e, DW_ENOMEM, "out of memory");
    }
    sqlite3_stmt *st = NULL;
    dw_rc prc = split_prepare(c, head.data, "a", " ORDER BY a.content_hash", &st, e);
    dw_buf_free(&head);
    /* the representatives' clusters, in batches (core/dbins.h) */
    dw_ins *ins = NULL;
    if (st && !o->stratify)
        prc = dw_ins_open(c->db, "temp.dw_split_clusters(rid, split, ckey)", 3, &ins, e);
    if (!st || prc != DW_OK) {
        sqlite3_finalize(st);
        return prc != DW_OK ? prc : DW_EDB;
    }
    split_writer w;
    split_writer_start(&w, c, so, fp, leak, c->o->threads >= 2);
    dw_buf kws = DW_BUF_INIT, batch = DW_BUF_INIT;
    split_kw *kwv = NULL; /* split_keywords' scratch */
    size_t kwcap = 0;
    dw_rc rc = DW_OK;
    int r;
    int64_t nread = 0;
    split_report(c, "writing", 0, 0, 1);
    while (rc == DW_OK && (r = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *hash = sqlite3_column_blob(st, 0);
        int hlen = sqlite3_column_bytes(st, 0);
        if ((++nread & 255) == 0 && hlen == 16) /* the share of the hash space behind */
            split_report(c, "writing", nread, (double)split_be64(hash) / 18446744073709551616.0, 0);
        const unsigned char *ckey = sqlite3_column_blob(st, 1);
        int clen = sqlite3_column_bytes(st, 1);
        int64_t aid = sqlite3_column_int64(st, 9);
        int s = o->stratify ? sqlite3_column_int(st, 2) : 0;
        if (s < 0 || s >= DW_SPLIT_N || hlen != 16 || clen != 16) {
            rc = dw_err_set(e, DW_EINTERNAL, "split: bad row (split %d, hash of %d bytes)", s, hlen);
            break;
        }
        if (!o->stratify) {
            /* the cluster's split from its representative: this row, or
             * the member's representative (date in column 12) */
            int rep = sqlite3_column_int(st, 11);
            const char *cdate = (const char *)sqlite3_column_text(st, rep ? 4 : 12);
            s = split_of_cluster(o, ckey, 16, cdate);
            c->undated += o->train_end && !cdate;
            if (rep) {
                dw_buf *cl = dw_ins_buf(ins);
                if (dw_ins_put_int(cl, aid) != 0 || dw_ins_put_int(cl, s) != 0 ||
                    dw_ins_put_blob(cl, ckey, 16) != 0) {
                    rc = dw_err_set(e, DW_ENOMEM, "out of memory");
                    break;
                }
                if ((rc = dw_ins_row(ins, e)) != DW_OK)
                    break;
            }
        }
        const char *kenc = (const char *)sqlite3_column_text(st, 14);
        int kr = split_keywords(&kws, kenc, (size_t)sqlite3_column_bytes(st, 14), &kwv, &kwcap);
        if (kr != 0) {
            rc = kr == -1 ? dw_err_set(e, DW_ENOMEM, "out of memory")
                          : dw_err_set(e, DW_EINTERNAL, "split: bad keywords of article %lld", (long long)aid);
            break;
        }
        const char *u = (const char *)sqlite3_column_text(st, 13);
        const char *src = (const char *)sqlite3_column_text(st, 3);
        const char *pub = (const char *)sqlite3_column_text(st, 4);
        const char *title = (const char *)sqlite3_column_text(st, 5);
        const char *body = (const char *)sqlite3_column_text(st, 6);
        size_t blen = (size_t)sqlite3_column_bytes(st, 6);
        int64_t nums[2] = {sqlite3_column_int64(st, 7), sqlite3_column_int64(st, 8)};
        /* stored hashes: a blob of whole hashes (a zero-length blob comes
         * back as a NULL pointer); anything else is hashed from the body */
        const char *g = NULL;
        size_t glen = 0;
        if (leak && s != DW_SPLIT_VALID && sqlite3_column_type(st, 10) == SQLITE_BLOB) {
            glen = (size_t)sqlite3_column_bytes(st, 10);
            g = glen % 8 ? NULL : glen ? (const char *)sqlite3_column_blob(st, 10) : "";
        }
        unsigned char sb = (unsigned char)s;
        /* text cells as C strings (to their first NUL), the body whole */
        if (pack_bytes(&batch, &sb, 1) < 0 || pack_bytes(&batch, hash, 16) < 0 || pack_bytes(&batch, ckey, 16) < 0 ||
            pack_bytes(&batch, nums, sizeof nums) < 0 || pack_str(&batch, src, src ? strlen(src) : 0) < 0 ||
            pack_str(&batch, pub, pub ? strlen(pub) : 0) < 0 || pack_str(&batch, title, title ? strlen(title) : 0) < 0 ||
            pack_str(&batch, body, blen) < 0 || pack_str(&batch, dw_buf_str(&kws), kws.len ? strlen(kws.data) : 0) < 0 ||
            pack_str(&batch, u, u ? strlen(u) : 0) < 0 || pack_str(&batch, g, glen) < 0) {
            rc = dw_err_set(e, DW_ENOMEM, "out of memory");
            break;
        }
        if (batch.len >= SPLIT_BATCH)
            rc = split_writer_put(&w, &batch, e);
    }
    if (rc == DW_OK && r != SQLITE_DONE)
        rc = dw_db_fail(c->db, e, "split: rows");
    if (rc == DW_OK)
        split_report(c, "writing", nread, 1, 1);
    if (rc == DW_OK && ins)
        rc = dw_ins_flush(ins, e);
    if (rc == DW_OK && batch.len)
        rc = split_writer_put(&w, &batch, e);
    /* the writer's error if the reading side had none */
    dw_rc wrc = split_writer_finish(&w, rc == DW_OK ? e : NULL);
    if (rc == DW_OK)
        rc = wrc;
    sqlite3_finalize(st);
    dw_ins_free(ins);
    free(kwv);
    dw_buf_free(&kws);
    dw_buf_free(&batch);
    return rc;
}

/* ---- leakage ---- */

/* Near-duplicate pairs whose two articles' clusters are in two splits. */
static dw_rc leak_pairs(split_ctx *c, int64_t *n, dw_err *e)
{
    return dw_db_int(c->db,
                     "SELECT count(*) FROM neardup_pairs p JOIN articles x ON x.id = p.a JOIN articles y ON y.id = p.b"
                     " JOIN temp.dw_split_clusters cx ON cx.rid = coalesce(x.cluster_id, x.id)"
                     " JOIN temp.dw_split_clusters cy ON cy.rid = coalesce(y.cluster_id, y.id)"
                     " WHERE cx.split <> cy.split",
                     n, e);
}

/* ---- output folder ---- */

/* Creates out, or checks that it holds only release files. */
static dw_rc split_prepare_out(const char *out, int force, dw_err *e)
{
    if (mkdir(out, 0777) == 0)
        return DW_OK;
    if (errno != EEXIST)
        return dw_err_set(e, DW_EIO, "cannot create %s: %s", out, strerror(errno));
    DIR *d = opendir(out);
    if (!d)
        return dw_err_set(e, DW_EIO, "cannot open %s: %s", out, strerror(errno));
    struct dirent *de;
    dw_rc rc = DW_OK;
    while (rc == DW_OK && !force && (de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        if (!dw_split_is_release_name(de->d_name))
            rc = dw_err_set(e, DW_EUSAGE, "%s holds %s, which is not part of a release (use --force)", out,
                            de->d_name);
    }
    closedir(d);
    return rc;
}

/* Removes the release files of out that are not in keep (names, n of them). */
static void split_remove_stale(const char *out, const char *const *keep, size_t n)
{
    DIR *d = opendir(out);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!dw_split_is_release_name(de->d_name))
            continue;
        int kept = 0;
        for (size_t i = 0; i < n && !kept; i++)
            kept = !strcmp(keep[i], de->d_name);
        char p[4096];
        if (!kept)
            unlink(split_path(p, sizeof p, out, de->d_name));
    }
    closedir(d);
}

/* Writes data (len bytes) as out/name through a temporary name; its size
 * and checksum go into the manifest entry meta (name, bytes, sha256). */
static dw_rc split_write_small(const char *out, const char *name, const char *data, size_t len, json_t *meta,
                               dw_err *e)
{
    char tmp[4096], fin[4096], tn[128];
    snprintf(tn, sizeof tn, ".diwan-tmp-%s", name);
    split_path(tmp, sizeof tmp, out, tn);
    split_path(fin, sizeof fin, out, name);
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return dw_err_set(e, DW_EIO, "cannot create %s: %s", tmp, strerror(errno));
    int bad = fwrite(data, 1, len, f) != len;
    bad |= fflush(f) != 0;
    bad |= fsync(fileno(f)) != 0;
    int err = errno;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, fin) != 0) {
        err = bad ? err : errno;
        unlink(tmp);
        return dw_err_set(e, DW_EIO, "cannot write %s: %s", fin, strerror(err));
    }
    if (meta) {
        dw_sha256 sh;
        char hex[65];
        dw_sha256_init(&sh);
        dw_sha256_update(&sh, data, len);
        dw_sha256_hex(&sh, hex);
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(name));
        json_object_set_new(o, "bytes", json_integer((json_int_t)len));
        json_object_set_new(o, "sha256", json_string(hex));
        json_array_append_new(meta, o);
    }
    return DW_OK;
}

/* ---- manifest ---- */

/* A JSON string or null. */
static json_t *json_str_or_null(const char *s) { return s ? json_string(s) : json_null(); }

/* The options as given, for the manifest. */
static json_t *split_options_json(const dw_split_opts *o)
{
    json_t *j = json_object();
    json_t *ratios = json_array();
    if (!o->train_end) {
        json_array_append_new(ratios, json_real(o->ratios[DW_SPLIT_TRAIN]));
        if (!o->two_way)
            json_array_append_new(ratios, json_real(o->ratios[DW_SPLIT_VALID]));
        json_array_append_new(ratios, json_real(o->ratios[DW_SPLIT_TEST]));
    }
    json_object_set_new(j, "ratios", o->train_end ? json_null() : ratios);
    if (o->train_end)
        json_decref(ratios);
    json_object_set_new(j, "seed", json_integer((json_int_t)o->seed));
    json_object_set_new(j, "stratify", o->stratify ? json_string("source") : json_null());
    json_t *bd = json_null();
    if (o->train_end) {
        bd = json_array();
        json_array_append_new(bd, json_string(o->train_end));
        if (o->valid_end)
            json_array_append_new(bd, json_string(o->valid_end));
    }
    json_object_set_new(j, "by_date", bd);
    json_t *src = json_array();
    for (size_t i = 0; i < o->nsources; i++)
        json_array_append_new(src, json_string(o->sources[i]));
    json_object_set_new(j, "source", src);
    json_object_set_new(j, "min_tokens", json_integer(o->min_tokens));
    json_object_set_new(j, "since", json_str_or_null(o->since));
    json_object_set_new(j, "until", json_str_or_null(o->until));
    json_object_set_new(j, "keep_duplicates", json_boolean(o->keep_duplicates));
    json_object_set_new(j, "shard_rows", json_integer(o->shard_rows));
    json_object_set_new(j, "level", json_integer(o->level));
    json_object_set_new(j, "leakage", json_boolean(o->leakage));
    json_object_set_new(j, "leak_cap", json_integer((json_int_t)o->leak_cap));
    json_object_set_new(j, "date", json_str_or_null(o->date));
    return j;
}

/* The column descriptions, for the manifest and the card. */
static json_t *split_columns_json(void)
{
    static const char *const types[NCOLS] = {"string", "string", "date",    "string",  "string", "string",
                                             "string", "integer", "integer", "string", "string"};
    static const char *const desc[NCOLS] = {
        "32 hex digits: XXH3-128 of the normalized body (stable)",
        "canonical outlet name, empty when unknown",
        "YYYY-MM-DD, empty when undated",
        "title as written by the source",
        "body as written by the source (lines separated by LF)",
        "distinct keywords as written, sorted by their normalized form, separated by ';'",
        "id of the cluster's representative (32 hex digits); equals id for the representative",
        "tokens of the normalized body",
        "code points of the normalized body",
        "URL of the first sighting that gives one, else empty",
        "train, validation or test"};
    json_t *a = json_array();
    for (size_t i = 0; i < NCOLS; i++) {
        json_t *c = json_object();
        json_object_set_new(c, "name", json_string(csv_columns[i]));
        json_object_set_new(c, "type", json_string(types[i]));
        json_object_set_new(c, "description", json_string(desc[i]));
        json_array_append_new(a, c);
    }
    return a;
}

/* Reads a meta value of the database into a JSON string (null if absent). */
static json_t *split_meta(dw_db *db, const char *key)
{
    char v[128];
    return dw_db_meta_get(db, key, v, sizeof v) == 1 ? json_string(v) : json_null();
}

/* Serializes j with sorted keys, two-space indent and a final newline.
 * Caller frees. */
static char *split_dump(const json_t *j)
{
    char *s = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(10));
    if (!s)
        return NULL;
    size_t n = strlen(s);
    char *t = realloc(s, n + 2);
    if (!t) {
        free(s);
        return NULL;
    }
    t[n] = '\n';
    t[n + 1] = '\0';
    return t;
}

dw_rc dw_split_run(dw_db *db, const dw_split_opts *o, const char *out, dw_split_summary *sum, dw_err *e)
{
    memset(sum, 0, sizeof *sum);
    split_ctx c = {db, o, out, NULL, dw_now_seconds(), 0, 0};
    split_out so[DW_SPLIT_N];
    memset(so, 0, sizeof so);
    XXH3_state_t *fp = XXH3_createState();
    json_t *man = json_object(), *files = json_array(), *metaf = json_array(), *splits = json_object();
    char *text = NULL;
    char **names = NULL;
    size_t nnames = 0;
    int in_tx = 0;
    dw_leak_run *leak = NULL;
    dw_rc rc = DW_OK;
    if (!fp || !man || !files || !metaf || !splits) {
        rc = dw_err_set(e, DW_ENOMEM, "out of memory");
        goto done;
    }
    for (int s = 0; s < DW_SPLIT_N; s++) {
        so[s].by_source = json_object();
        so[s].by_month = json_object();
    }
    XXH3_128bits_reset(fp);
    if ((rc = dw_db_exec(db, "BEGIN", e)) != DW_OK)
        goto done;
    in_tx = 1;
    if ((rc = split_sources(&c, e)) != DW_OK || (rc = split_prepare_out(out, o->force, e)) != DW_OK)
        goto done;
    if (o->stratify)
        split_report(&c, "assigning", 0, -1, 1);
    if ((rc = split_assign(&c, e)) != DW_OK)
        goto done;
    if (o->leakage) {
        char sp[4096];
        if ((rc = dw_leak_run_start(&leak, o->leak_cap, db->norm_flags, o->threads >= 2,
                                    split_path(sp, sizeof sp, out, ".diwan-tmp-leak"), e)) != DW_OK)
            goto done;
    }
    if ((rc = split_write_rows(&c, so, fp, leak, e)) != DW_OK)
        goto done;
    /* every split of the release has at least one file (maybe header only) */
    for (int s = 0; s < DW_SPLIT_N && rc == DW_OK; s++)
        if (!so[s].nfiles && !(s == DW_SPLIT_VALID && (o->two_way || (o->train_end && !o->valid_end))))
            rc = split_open_file(&c, &so[s], s, e);
    if (rc != DW_OK)
        goto done;
    split_report(&c, "finishing", 0, -1, 1);
    /* the files close while the figures are counted */
    split_closer closers[DW_SPLIT_N];
    split_close_start(closers, so, o->threads >= 2);
    /* figures */
    dw_buf q = DW_BUF_INIT;
    int64_t total = 0;
    sum->clusters = 0;
    rc = dw_db_int(db, "SELECT count(*) FROM temp.dw_split_clusters", &sum->clusters, e);
    if (rc == DW_OK)
        rc = dw_db_int(db, "SELECT count(*) FROM articles", &total, e);
    if (rc == DW_OK) {
        /* without filters, a scan of the covering index articles_cluster */
        sqlite3_stmt *st = NULL;
        rc = split_prepare(&c,
                           "SELECT count(*) FROM articles a CROSS JOIN temp.dw_split_clusters c"
                           " WHERE c.rid = coalesce(a.cluster_id, a.id) AND",
                           "a", "", &st, e);
        if (rc == DW_OK) {
            if (sqlite3_step(st) == SQLITE_ROW)
                sum->articles = sqlite3_column_int64(st, 0);
            else
                rc = dw_db_fail(db, e, "split: count");
            sqlite3_finalize(st);
        }
    }
    dw_buf_free(&q);
    if (rc == DW_OK)
        rc = leak_pairs(&c, &sum->pairs_across, e);
    dw_rc crc = split_close_wait(closers, rc == DW_OK ? e : NULL);
    if (rc == DW_OK)
        rc = crc;
    if (rc != DW_OK)
        goto done;
    if (leak) {
        rc = dw_leak_run_finish(leak, &sum->test_grams, &sum->test_grams_in_train, &sum->leak_k, e);
        if (rc != DW_OK)
            goto done;
        sum->leak_done = 1;
    }
    dw_db_exec(db, "COMMIT", e);
    in_tx = 0;
    sum->undated = c.undated;

    /* names of the files, now that the shard counts are known */
    size_t nall = 3;
    for (int s = 0; s < DW_SPLIT_N; s++)
        nall += so[s].nfiles;
    names = calloc(nall, sizeof *names);
    if (!names) {
        rc = dw_err_set(e, DW_ENOMEM, "out of memory");
        goto done;
    }
    for (int s = 0; s < DW_SPLIT_N; s++) {
        if (!so[s].nfiles)
            continue;
        json_t *sj = json_object(), *fl = json_array();
        for (size_t i = 0; i < so[s].nfiles; i++) {
            split_file *f = &so[s].files[i];
            if (o->shard_rows)
                snprintf(f->name, sizeof f->name, "%s-%05zu-of-%05zu.csv.zst", dw_split_name(s), i, so[s].nfiles);
            else
                snprintf(f->name, sizeof f->name, "%s.csv.zst", dw_split_name(s));
            json_t *fj = json_object();
            json_object_set_new(fj, "name", json_string(f->name));
            json_object_set_new(fj, "split", json_string(dw_split_name(s)));
            json_object_set_new(fj, "rows", json_integer(f->rows));
            json_object_set_new(fj, "bytes", json_integer((json_int_t)f->bytes));
            json_object_set_new(fj, "csv_bytes", json_integer((json_int_t)f->csv_bytes));
            json_object_set_new(fj, "sha256", json_string(f->sha256));
            json_array_append_new(files, fj);
            json_array_append_new(fl, json_string(f->name));
            names[nnames++] = f->name;
            sum->files++;
        }
        sum->rows[s] = so[s].rows;
        json_object_set_new(sj, "rows", json_integer(so[s].rows));
        json_object_set_new(sj, "files", fl);
        json_object_set_new(sj, "by_source", json_incref(so[s].by_source));
        json_object_set_new(sj, "by_month", json_incref(so[s].by_month));
        json_object_set_new(splits, dw_split_name(s), sj);
    }
    XXH128_hash_t fph = XXH3_128bits_digest(fp);
    char fphex[64];
    snprintf(fphex, sizeof fphex, "xxh3-128:%016llx%016llx", (unsigned long long)fph.high64,
             (unsigned long long)fph.low64);
    int64_t rows = sum->rows[0] + sum->rows[1] + sum->rows[2];
    json_t *tool = json_object();
    json_object_set_new(tool, "name", json_string("diwan"));
    json_object_set_new(tool, "version", json_string(DW_VERSION));
    json_object_set_new(man, "tool", tool);
    json_t *dbj = json_object();
    json_object_set_new(dbj, "schema_version", split_meta(db, "schema_version"));
    json_object_set_new(dbj, "norm_version", split_meta(db, "norm_version"));
    json_object_set_new(dbj, "teh_marbuta", split_meta(db, "teh_marbuta"));
    json_object_set_new(dbj, "articles", json_integer(total));
    json_object_set_new(dbj, "fingerprint", json_string(fphex));
    json_object_set_new(dbj, "fingerprint_of",
                        json_string("XXH3-128 over the rows in file order: content hash (16 bytes), cluster key "
                                    "(16 bytes), split (1 byte: 0 train, 1 validation, 2 test)"));
    json_object_set_new(man, "database", dbj);
    json_object_set_new(man, "options", split_options_json(o));
    json_object_set_new(man, "assignment",
                        json_string(o->train_end ? "date" : o->stratify ? "hash, stratified by source" : "hash"));
    json_t *dd = json_object();
    json_object_set_new(dd, "clusters", json_integer(sum->clusters));
    json_object_set_new(dd, "articles", json_integer(sum->articles));
    json_object_set_new(dd, "rows", json_integer(rows));
    json_object_set_new(dd, "duplicates_dropped", json_integer(sum->articles - rows));
    json_object_set_new(man, "dedup", dd);
    json_t *lk = json_object();
    json_object_set_new(lk, "near_duplicate_pairs_across_splits", json_integer(sum->pairs_across));
    if (sum->leak_done) {
        json_object_set_new(lk, "ngram", json_integer(DW_GRAMS_N));
        json_object_set_new(lk, "sample_modulus", json_integer((json_int_t)sum->leak_k));
        json_object_set_new(lk, "test_ngrams", json_integer(sum->test_grams));
        json_object_set_new(lk, "test_ngrams_in_train", json_integer(sum->test_grams_in_train));
        json_object_set_new(lk, "test_ngram_share_in_train",
                            json_real(sum->test_grams ? (double)sum->test_grams_in_train / (double)sum->test_grams : 0.0));
    }
    json_object_set_new(man, "leakage", lk);
    json_object_set_new(man, "columns", split_columns_json());
    json_t *fmt = json_object();
    json_object_set_new(fmt, "csv", json_string("RFC 4180, UTF-8 without BOM, header row, CRLF line ends, every "
                                                "text field quoted"));
    json_object_set_new(fmt, "compression", json_string(DW_ZOUT_FORMAT));
    json_object_set_new(fmt, "zstd_version", json_string(dw_zout_zstd_version()));
    json_object_set_new(fmt, "keywords_separator", json_string(";"));
    json_object_set_new(fmt, "row_order", json_string("by id (byte order of the content hash)"));
    json_object_set_new(man, "format", fmt);
    json_object_set_new(man, "files", files);
    files = NULL;
    json_object_set_new(man, "splits", splits);
    splits = NULL;
    if (o->date)
        json_object_set_new(man, "date", json_string(o->date));

    /* commit: old manifest out first, data files, card, croissant, manifest */
    char p1[4096], p2[4096];
    unlink(split_path(p1, sizeof p1, out, "manifest.json"));
    for (int s = 0; s < DW_SPLIT_N && rc == DW_OK; s++)
        for (size_t i = 0; i < so[s].nfiles && rc == DW_OK; i++)
            if (rename(split_path(p1, sizeof p1, out, so[s].files[i].tmp),
                       split_path(p2, sizeof p2, out, so[s].files[i].name)) != 0)
                rc = dw_err_set(e, DW_EIO, "cannot rename %s to %s: %s", p1, p2, strerror(errno));
            else
                so[s].files[i].tmp[0] = '\0';
    if (rc != DW_OK)
        goto done;
    json_t *cro = dw_card_croissant(man);
    text = cro ? split_dump(cro) : NULL;
    json_decref(cro);
    if (!text) {
        rc = dw_err_set(e, DW_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = split_write_small(out, "croissant.json", text, strlen(text), metaf, e)) != DW_OK)
        goto done;
    free(text);
    text = dw_card_readme(man);
    if (!text) {
        rc = dw_err_set(e, DW_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = split_write_small(out, "README.md", text, strlen(text), metaf, e)) != DW_OK)
        goto done;
    free(text);
    json_object_set_new(man, "metadata_files", metaf);
    metaf = NULL;
    text = split_dump(man);
    if (!text) {
        rc = dw_err_set(e, DW_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = split_write_small(out, "manifest.json", text, strlen(text), NULL, e)) != DW_OK)
        goto done;
    names[nnames++] = "croissant.json";
    names[nnames++] = "README.md";
    names[nnames++] = "manifest.json";
    split_remove_stale(out, (const char *const *)names, nnames);

done:
    if (in_tx)
        dw_db_exec(db, "ROLLBACK", NULL);
    for (int s = 0; s < DW_SPLIT_N; s++) {
        dw_zout_free(so[s].z);
        dw_buf_free(&so[s].pend);
        for (size_t i = 0; i < so[s].nfiles; i++)
            if (so[s].files[i].tmp[0]) {
                char p[4096];
                unlink(split_path(p, sizeof p, out, so[s].files[i].tmp));
            }
        free(so[s].files);
        json_decref(so[s].by_source);
        json_decref(so[s].by_month);
    }
    dw_leak_run_free(leak);
    free(names);
    free(text);
    free(c.src_ids);
    XXH3_freeState(fp);
    json_decref(man);
    json_decref(files);
    json_decref(metaf);
    json_decref(splits);
    return rc;
}
