/* kmerge.c: adding the statistics of other databases (dw_stats_merge) by
 * a k-way merge of sorted streams. Every statistics table is stored in its
 * key order (WITHOUT ROWID), so the merged tables are written in one pass,
 * in key order, into new tables that replace the old ones: each database
 * of a group is read once, front to back, through a connection of its own
 * (no ATTACH, whose limit is 10), instead of one B-tree look-up per row of
 * each (an UPSERT a row was 15 times a counting run's time on 12 shards).
 * The summary, stats_top and the measures are made on the way. The
 * merging runs on a thread of its own, reading main's tables as committed
 * through a second connection, while the calling thread inserts the rows
 * it hands over (37 s against 46 s single-threaded for 8 shards of the
 * bench collection). */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "stats/stats.h"

#include "core/bqueue.h"
#include "core/dbins.h"
#include "core/heap.h"
#include "core/strmap.h"
#include "stats/topk.h"

/* The counting options that two statistics must share to be merged. */
static const char *const same_keys[] = {"ngram_max", "cooc", "window", "scope", "weighting", "tokenizer",
                                        "normalize", "all_copies", "per", "stopwords", "unit"};

/* A database of a group: its connection and what the merge maps. */
typedef struct {
    const char *path;      /* as given (not owned) */
    dw_db *db;             /* read-only connection, in a read transaction (owned); NULL: main */
    int skip;              /* 1: its statistics are in already (skipped[] of the caller) */
    uint32_t *bmap;        /* bmap[its bucket id] = the merged bucket id (owned) */
    size_t nb;             /* entries in bmap */
    uint32_t *own;         /* own[merged bucket id] = its bucket id, 0: none (owned) */
} msrc;

/* A cursor over one source's rows in key order, for the k-way merge. */
typedef struct {
    sqlite3_stmt *st;      /* the query, stepped */
    /* the current row's key, read once a row (valid until the next step) */
    int64_t n;             /* column 0 when it is an integer (n-grams) */
    const unsigned char *t[2]; /* the text key columns */
    int tl[2];             /* and their lengths */
} mcur;

static int64_t info_int(dw_db *db, const char *key)
{
    char v[64];
    dw_err e;
    return dw_stats_info(db, key, v, sizeof v, &e) == 1 ? atoll(v) : 0;
}

/* Adds the part names of db to sum (two halves, modulo 2^64) and counts
 * them in *n, and those also in main in *in (main may be NULL). */
static dw_rc parts_read(dw_db *db, dw_db *main, uint64_t sum[2], int64_t *n, int64_t *in, dw_err *e)
{
    *n = *in = 0;
    if (!dw_db_has_table(db, "stats_parts"))
        return DW_OK;
    sqlite3_stmt *st = dw_db_prepare(db, "SELECT part FROM stats_parts", e);
    sqlite3_stmt *q = st && main ? dw_db_prepare(main, "SELECT 1 FROM stats_parts WHERE part = ?1", e) : NULL;
    if (!st || (main && !q)) {
        sqlite3_finalize(st);
        return DW_EDB;
    }
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        const char *p = (const char *)sqlite3_column_text(st, 0);
        char half[17];
        for (int h = 0; p && strlen(p) == 32 && h < 2; h++) {
            memcpy(half, p + 16 * h, 16);
            half[16] = '\0';
            sum[h] += strtoull(half, NULL, 16);
        }
        ++*n;
        if (q) {
            sqlite3_bind_text(q, 1, p, -1, SQLITE_STATIC);
            *in += sqlite3_step(q) == SQLITE_ROW;
            sqlite3_reset(q);
        }
    }
    sqlite3_finalize(st);
    sqlite3_finalize(q);
    return s == SQLITE_DONE ? DW_OK : dw_db_fail(db, e, "read statistics");
}

/* Runs insert (ncols parameters) on to for each row of select on from
 * (ncols columns): the rows of a small table copied between connections. */
static dw_rc copy_rows(dw_db *from, const char *select, dw_db *to, const char *insert, int ncols, dw_err *e)
{
    sqlite3_stmt *st = dw_db_prepare(from, select, e);
    sqlite3_stmt *ins = st ? dw_db_prepare(to, insert, e) : NULL;
    if (!ins) {
        sqlite3_finalize(st);
        return DW_EDB;
    }
    dw_rc rc = DW_OK;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        for (int c = 0; c < ncols; c++)
            sqlite3_bind_value(ins, c + 1, sqlite3_column_value(st, c));
        if (sqlite3_step(ins) != SQLITE_DONE) {
            rc = dw_db_fail(to, e, "merge statistics");
            break;
        }
        sqlite3_reset(ins);
    }
    if (rc == DW_OK && r != SQLITE_DONE)
        rc = dw_db_fail(from, e, "read statistics");
    sqlite3_finalize(st);
    sqlite3_finalize(ins);
    return rc;
}

/* Opens the database at path for a merge: a diwan database with
 * statistics, read in one read transaction with a small page cache. */
static dw_rc open_src(msrc *s, dw_err *e)
{
    struct stat sb;
    if (stat(s->path, &sb) != 0)
        return dw_err_set(e, DW_EDB, "cannot open database %s: %s", s->path, strerror(errno));
    dw_rc rc = dw_db_open(&s->db, s->path, DW_DB_READONLY, 0, e);
    if (rc != DW_OK)
        return rc;
    if (!dw_stats_present(s->db))
        return dw_err_set(e, DW_EDB, "%s: no statistics (run diwan stats on it first)", s->path);
    /* read front to back once: little cache (many may be open) */
    sqlite3_exec(s->db->h, "PRAGMA cache_size=-1024", NULL, NULL, NULL);
    return dw_db_exec(s->db, "BEGIN", e);
}

/* Checks source s against main (same options; its parts: all in main,
 * skipped; some, or the same articles cut otherwise, refused), then adds
 * its parts to main so that a later source of the group holding them is
 * skipped. */
static dw_rc check_src(dw_db *main, msrc *s, dw_err *e)
{
    char a[128], b[128];
    dw_rc rc = DW_OK;
    for (size_t i = 0; rc == DW_OK && i < sizeof same_keys / sizeof *same_keys; i++) {
        if (dw_stats_info(main, same_keys[i], a, sizeof a, e) < 0 ||
            dw_stats_info(s->db, same_keys[i], b, sizeof b, e) < 0) {
            rc = DW_EDB;
            break;
        }
        if (strcmp(a, b) != 0)
            rc = dw_err_set(e, DW_EUSAGE, "%s: statistics counted with %s %s, %s with %s %s: cannot merge", s->path,
                            same_keys[i], b, main->path, same_keys[i], a);
    }
    if (rc != DW_OK)
        return rc;
    uint64_t so[2] = {0, 0}, sm[2] = {0, 0};
    int64_t total, in, mn, unused;
    if ((rc = parts_read(s->db, main, so, &total, &in, e)) != DW_OK ||
        (rc = parts_read(main, NULL, sm, &mn, &unused, e)) != DW_OK)
        return rc;
    if (total > 0 && in == total) {
        s->skip = 1;
        return DW_OK;
    }
    if (in > 0)
        return dw_err_set(e, DW_EUSAGE, "%s: %lld of its %lld parts are in the statistics of %s already: cannot merge",
                          s->path, (long long)in, (long long)total, main->path);
    /* parts are sums of their articles' hashes: statistics of the same
     * articles cut in other parts (one run over what was merged from
     * shards) have the same sum */
    if (total > 0 && mn > 0 && so[0] == sm[0] && so[1] == sm[1])
        return dw_err_set(e, DW_EUSAGE, "%s: counts the same articles as the statistics of %s: cannot merge", s->path,
                          main->path);
    if (total == 0)
        return DW_OK;
    return copy_rows(s->db, "SELECT part, articles FROM stats_parts", main,
                     "INSERT INTO stats_parts(part, articles) VALUES (?1, ?2)", 2, e);
}

/* ---- buckets ---- */

/* A merged bucket. */
typedef struct {
    char *kind, *name;     /* (owned) */
    int64_t articles, tokens, chars;
} mbucket;

typedef struct {
    mbucket *v;            /* v[id - 1] (owned) */
    size_t n, cap;
    dw_strmap ids;         /* "kind\0name" -> id */
} mbuckets;

static void mbuckets_free(mbuckets *b)
{
    for (size_t i = 0; i < b->n; i++) {
        free(b->v[i].kind);
        free(b->v[i].name);
    }
    free(b->v);
    dw_strmap_free(&b->ids);
}

/* Reads db's buckets and adds them to b: with keep_ids (main's), at
 * their own ids; else a new kind and name gets the next id after the
 * largest, in db's id order, as an INSERT of them would. Fills *map (owned
 * by the caller) with db's id -> merged id. */
static dw_rc buckets_add(mbuckets *b, dw_db *db, int keep_ids, uint32_t **map, size_t *nmap, dw_err *e)
{
    sqlite3_stmt *st = dw_db_prepare(db, "SELECT id, kind, name, articles, tokens, chars FROM stats_buckets ORDER BY id", e);
    if (!st)
        return DW_EDB;
    dw_rc rc = DW_OK;
    int s;
    while (rc == DW_OK && (s = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        const char *kind = (const char *)sqlite3_column_text(st, 1), *name = (const char *)sqlite3_column_text(st, 2);
        if (!kind || !name || id < 1 || id >= (int64_t)UINT32_MAX) {
            rc = dw_err_set(e, DW_EDB, "%s: a statistics bucket without kind or name", db->path);
            break;
        }
        size_t kl = strlen(kind), nl = strlen(name);
        char *key = malloc(kl + nl + 1);
        if (!key) {
            rc = dw_err_set(e, DW_ENOMEM, "out of memory");
            break;
        }
        memcpy(key, kind, kl + 1);
        memcpy(key + kl + 1, name, nl);
        int64_t mid;
        if (!dw_strmap_get(&b->ids, key, kl + 1 + nl, &mid)) {
            mid = keep_ids ? id : (int64_t)b->n + 1; /* b->n: the largest id */
            if ((size_t)mid > b->cap) {
                size_t nc = b->cap ? 2 * b->cap : 64;
                while (nc < (size_t)mid)
                    nc *= 2;
                mbucket *nv = realloc(b->v, nc * sizeof *nv);
                if (!nv) {
                    free(key);
                    rc = dw_err_set(e, DW_ENOMEM, "out of memory");
                    break;
                }
                memset(nv + b->cap, 0, (nc - b->cap) * sizeof *nv);
                b->v = nv;
                b->cap = nc;
            }
            if ((size_t)mid > b->n)
                b->n = (size_t)mid;
            mbucket *nb = &b->v[mid - 1];
            nb->kind = strdup(kind);
            nb->name = strdup(name);
            if (!nb->kind || !nb->name || dw_strmap_put(&b->ids, key, kl + 1 + nl, mid) != 0) {
                free(key);
                rc = dw_err_set(e, DW_ENOMEM, "out of memory");
                break;
            }
        }
        free(key);
        mbucket *m = &b->v[mid - 1];
        m->articles += sqlite3_column_int64(st, 3);
        m->tokens += sqlite3_column_int64(st, 4);
        m->chars += sqlite3_column_int64(st, 5);
        if ((size_t)id >= *nmap) {
            size_t nn = (size_t)id + 16;
            uint32_t *nm = realloc(*map, nn * sizeof *nm);
            if (!nm) {
                rc = dw_err_set(e, DW_ENOMEM, "out of memory");
                break;
            }
            memset(nm + *nmap, 0, (nn - *nmap) * sizeof *nm);
            *map = nm;
            *nmap = nn;
        }
        (*map)[id] = (uint32_t)mid;
    }
    if (rc == DW_OK && s != SQLITE_DONE)
        rc = dw_db_fail(db, e, "read statistics");
    sqlite3_finalize(st);
    return rc;
}

/* Writes the merged buckets over main's (ids kept, gaps too). */
static dw_rc buckets_write(dw_db *main, const mbuckets *b, dw_err *e)
{
    dw_rc rc = dw_db_exec(main, "DELETE FROM stats_buckets", e);
    sqlite3_stmt *st = rc == DW_OK ? dw_db_prepare(main,
                                                   "INSERT INTO stats_buckets(id, kind, name, articles, tokens, chars)"
                                                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6)", e)
                                   : NULL;
    if (rc == DW_OK && !st)
        rc = DW_EDB;
    for (size_t i = 0; rc == DW_OK && i < b->n; i++) {
        const mbucket *m = &b->v[i];
        if (!m->kind)
            continue;
        sqlite3_bind_int64(st, 1, (int64_t)i + 1);
        sqlite3_bind_text(st, 2, m->kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, m->name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, m->articles);
        sqlite3_bind_int64(st, 5, m->tokens);
        sqlite3_bind_int64(st, 6, m->chars);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = dw_db_fail(main, e, "merge statistics");
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return rc;
}

/* ---- the k-way merge ---- */

/* Replaces table name of main by name_m (made by the merge): drops the
 * old one (its indexes with it) and renames the new one. */
static dw_rc swap_table(dw_db *main, const char *name, dw_err *e)
{
    char sql[256];
    snprintf(sql, sizeof sql, "DROP TABLE %s; ALTER TABLE %s_m RENAME TO %s", name, name, name);
    return dw_db_exec(main, sql, e);
}

/* Compares the current rows of two cursors by their first nkeys columns:
 * integers, or text in SQLite's BINARY order (memcmp, shorter first). */
typedef struct {
    mcur *cur;             /* the cursors */
    int nkeys;             /* key columns */
    int int0;              /* 1: column 0 is an integer (n), the rest text */
} mcmp_ctx;

static int key_cmp(const mcur *x, const mcur *y, const mcmp_ctx *c)
{
    if (c->int0 && x->n != y->n)
        return x->n < y->n ? -1 : 1;
    for (int k = 0; k < c->nkeys - c->int0; k++) {
        int la = x->tl[k], lb = y->tl[k], m = la < lb ? la : lb, r = m ? memcmp(x->t[k], y->t[k], (size_t)m) : 0;
        if (r)
            return r;
        if (la != lb)
            return la < lb ? -1 : 1;
    }
    return 0;
}

static int heap_cmp(const void *a, const void *b, void *ctx)
{
    const mcmp_ctx *c = ctx;
    int r = key_cmp(&c->cur[*(const int *)a], &c->cur[*(const int *)b], c);
    return r ? r : (*(const int *)a > *(const int *)b) - (*(const int *)a < *(const int *)b);
}

/* A k-way merge: the cursors whose statement has a row, in a heap. */
typedef struct {
    mcur *cur;             /* one cursor per source (owned) */
    dw_db **db;            /* db[i]: cursor i's connection (owned array) */
    size_t ncur;           /* cursors */
    int *heap;             /* cursor indices (owned) */
    size_t n;              /* in the heap */
    int *same;             /* the cursors on the current key (owned) */
    int nsame;             /* how many */
    mcmp_ctx cmp;          /* order */
} kway;

/* Steps cursor i and puts it in the heap when it has a row. SQLITE_ROW,
 * SQLITE_DONE or an error code. */
static int kway_push(kway *k, int i)
{
    mcur *c = &k->cur[i];
    int s = sqlite3_step(c->st);
    if (s == SQLITE_ROW) {
        int col = 0;
        if (k->cmp.int0)
            c->n = sqlite3_column_int64(c->st, col++);
        for (int j = 0; j < k->cmp.nkeys - k->cmp.int0; j++, col++) {
            c->t[j] = sqlite3_column_text(c->st, col); /* text, as stored */
            c->tl[j] = sqlite3_column_bytes(c->st, col);
        }
        k->heap[k->n] = i;
        dw_heap_up(k->heap, sizeof *k->heap, k->n++, heap_cmp, &k->cmp);
    }
    return s;
}

/* Takes the cursor with the first row out of the heap: its index, or -1
 * when none is left. */
static int kway_pop(kway *k)
{
    if (!k->n)
        return -1;
    int top = k->heap[0];
    k->heap[0] = k->heap[--k->n];
    dw_heap_down(k->heap, k->n, sizeof *k->heap, 0, heap_cmp, &k->cmp);
    return top;
}

/* A merge over ncur cursors on nkeys key columns (int0: the first an
 * integer). 0, or -1 when out of memory (free with kway_free). */
static int kway_init(kway *k, size_t ncur, int nkeys, int int0)
{
    memset(k, 0, sizeof *k);
    k->ncur = ncur;
    k->cur = calloc(ncur, sizeof *k->cur);
    k->db = calloc(ncur, sizeof *k->db);
    k->heap = calloc(ncur, sizeof *k->heap);
    k->same = calloc(ncur, sizeof *k->same);
    k->cmp = (mcmp_ctx){k->cur, nkeys, int0};
    return k->cur && k->db && k->heap && k->same ? 0 : -1;
}

static void kway_free(kway *k)
{
    for (size_t i = 0; k->cur && i < k->ncur; i++)
        sqlite3_finalize(k->cur[i].st);
    free(k->cur);
    free(k->db);
    free(k->heap);
    free(k->same);
}

/* Prepares cursor i's query on db; with start, runs it to its first row. */
static dw_rc kway_open(kway *k, int i, dw_db *db, const char *sql, int start, dw_err *e)
{
    k->db[i] = db;
    if (!(k->cur[i].st = dw_db_prepare(db, sql, e)))
        return DW_EDB;
    int s = start ? kway_push(k, i) : SQLITE_DONE;
    return s == SQLITE_ROW || s == SQLITE_DONE ? DW_OK : dw_db_fail(db, e, "read statistics");
}

/* The next key: the cursor holding its first row (its index; -1 when the
 * merge is over), with the others on the same key taken out of the heap
 * into k->same (their rows stay valid until kway_advance). */
static int kway_next(kway *k)
{
    int c = kway_pop(k);
    k->nsame = 0;
    while (c >= 0 && k->n && key_cmp(&k->cur[k->heap[0]], &k->cur[c], &k->cmp) == 0)
        k->same[k->nsame++] = kway_pop(k);
    return c;
}

/* Steps cursor c and those in k->same past the key they were on. */
static dw_rc kway_advance(kway *k, int c, dw_err *e)
{
    for (int j = -1; j < k->nsame; j++) {
        int d = j < 0 ? c : k->same[j];
        int s = kway_push(k, d);
        if (s != SQLITE_ROW && s != SQLITE_DONE)
            return dw_db_fail(k->db[d], e, "read statistics");
    }
    return DW_OK;
}

/* The merge's state for one group. */
typedef struct {
    dw_db *main;           /* the database merged into */
    msrc *src;             /* src[0]: main (db NULL); then the group's databases */
    size_t nsrc;
    mbuckets b;            /* merged buckets */
    uint64_t unit;         /* co-occurrence counts are multiples of 1/unit */
    int64_t min_count;     /* pairs kept, on the last group; else every pair */
    int last;              /* 1: the command's last group */
    dw_strmap marg;        /* term -> co-occurrence marginal in 1/unit */
    int64_t pair_total;    /* twice the pair total, in 1/unit */
    const dw_stats_merge_opts *o; /* options (progress) */
    double t0, t_report;   /* when the merge started, and last reported */
    _Atomic uint64_t rows; /* rows made in the phase (by the merging thread) */
    dw_db *mainr;          /* a read-only connection to main: its tables as committed, read
                              by the merging thread while this one inserts (owned) */
} mrun;

/* Reports progress (o->on_progress): at most every 0.25 s, or now with
 * force. */
static void mreport(mrun *m, const char *phase, int force)
{
    if (!m->o->on_progress || !dw_progress_due(&m->t_report, force))
        return;
    dw_stats_progress p = {phase, atomic_load(&m->rows), -1, m->t_report - m->t0};
    m->o->on_progress(m->o->progress_ud, &p);
}

static dw_db *src_db(const mrun *m, size_t i) { return i ? m->src[i].db : m->mainr; }

/* A count read back in 1/unit: stored as an integer, or as units/unit. */
static int64_t units_of(sqlite3_stmt *st, int col, uint64_t unit)
{
    if (sqlite3_column_type(st, col) == SQLITE_INTEGER)
        return sqlite3_column_int64(st, col) * (int64_t)unit;
    return (int64_t)llround(sqlite3_column_double(st, col) * (double)unit);
}

/* ---- the pipe: rows made on a thread, inserted on the calling one ---- */

#define SINK_TABLES 3 /* tables a phase writes: its new table, stats_summary, stats_top */

/* Where the merging thread puts rows: one buffer per table, handed over
 * full (with a tag byte: the table) through a queue to the calling
 * thread, which inserts them (its connection is main's, written). */
typedef struct {
    dw_buf buf[SINK_TABLES]; /* rows being built, per table (dbins cells) */
    dw_bq q;               /* full blocks, tagged */
} msink;

/* Ends a row of table t: hands the buffer over once it is full. DW_OK, or
 * DW_EINTERNAL when the inserting side stopped. */
static dw_rc sink_row(mrun *m, msink *k, int t, dw_err *e)
{
    if (t == 0) /* the phase's rows, for progress */
        atomic_fetch_add_explicit(&m->rows, 1, memory_order_relaxed);
    if (k->buf[t].len < DW_INS_BATCH_BYTES)
        return DW_OK;
    if (dw_buf_putc(&k->buf[t], (char)t) != 0 || dw_bq_put(&k->q, &k->buf[t]) != 0)
        return dw_err_set(e, DW_EINTERNAL, "merge: writing stopped");
    return DW_OK;
}

/* Hands over what is left of every table. */
static dw_rc sink_flush(msink *k, dw_err *e)
{
    for (int t = 0; t < SINK_TABLES; t++)
        if (k->buf[t].len && (dw_buf_putc(&k->buf[t], (char)t) != 0 || dw_bq_put(&k->q, &k->buf[t]) != 0))
            return dw_err_set(e, DW_EINTERNAL, "merge: writing stopped");
    return DW_OK;
}

/* A phase's merging, run on a thread of its own. */
typedef struct {
    mrun *m;               /* the group */
    msink *sink;           /* where its rows go */
    kway *k;               /* its cursors */
    dw_rc (*make)(mrun *m, kway *k, msink *sink, dw_err *e); /* the merge loop */
    dw_rc rc;              /* its result */
    dw_err err;            /* and message */
} mjob;

static void *mjob_main(void *arg)
{
    mjob *j = arg;
    j->rc = j->make(j->m, j->k, j->sink, &j->err);
    if (j->rc == DW_OK)
        j->rc = sink_flush(j->sink, &j->err);
    dw_bq_close(&j->sink->q);
    return NULL;
}

/* Runs make on a thread while this one inserts the blocks it hands over
 * into ins[tag] (ins[t] may be NULL for a table make never writes),
 * reporting progress as phase. */
static dw_rc run_pipe(mrun *m, kway *k, dw_ins *const ins[SINK_TABLES], const char *phase,
                      dw_rc (*make)(mrun *m, kway *k, msink *sink, dw_err *e), dw_err *e)
{
    msink sink;
    memset(&sink, 0, sizeof sink);
    dw_bq_init(&sink.q, 4);
    mjob j = {m, &sink, k, make, DW_OK, {{0}}};
    atomic_store(&m->rows, 0);
    pthread_t th;
    dw_rc rc = DW_OK;
    if (pthread_create(&th, NULL, mjob_main, &j) != 0) {
        dw_bq_free(&sink.q);
        return dw_err_set(e, DW_ENOMEM, "merge: cannot start a thread");
    }
    dw_buf work = DW_BUF_INIT;
    while (dw_bq_take(&sink.q, &work)) {
        int t = work.len ? work.data[work.len - 1] : -1;
        if (work.len)
            work.len--;
        if (rc == DW_OK && (t < 0 || t >= SINK_TABLES || !ins[t]))
            rc = dw_err_set(e, DW_EINTERNAL, "merge: rows for no table");
        if (rc == DW_OK && (rc = dw_ins_exec(ins[t], &work, e)) != DW_OK)
            dw_bq_stop(&sink.q); /* the merging thread ends at its next block */
        mreport(m, phase, 0);
    }
    pthread_join(th, NULL);
    if (rc == DW_OK && j.rc != DW_OK)
        rc = dw_err_set(e, j.rc, "%s", j.err.msg);
    dw_buf_free(&work);
    for (int t = 0; t < SINK_TABLES; t++)
        dw_buf_free(&sink.buf[t]);
    dw_bq_free(&sink.q);
    mreport(m, phase, 1);
    return rc;
}

/* Starts the merge of one table into its new copy NAME_m: creates it
 * (create: its columns and key), opens *ins on it (into: "NAME_m(cols)",
 * ncols) and a cursor per source on select (its key: nkeys columns, int0
 * as kway_init), run to its first row with start. *k and *ins are to be
 * given to mtable_end, whatever the result. */
static dw_rc mtable_begin(mrun *m, const char *name, const char *create, const char *into, int ncols,
                          const char *select, int nkeys, int int0, int start, kway *k, dw_ins **ins, dw_err *e)
{
    *ins = NULL;
    char *sql = NULL;
    dw_rc rc = asprintf(&sql, "DROP TABLE IF EXISTS %s_m; CREATE TABLE %s_m (%s) WITHOUT ROWID", name, name, create) < 0
                   ? dw_err_set(e, DW_ENOMEM, "out of memory")
                   : dw_db_exec(m->main, sql, e);
    free(sql);
    if (kway_init(k, m->nsrc, nkeys, int0) != 0 && rc == DW_OK)
        rc = dw_err_set(e, DW_ENOMEM, "out of memory");
    if (rc == DW_OK)
        rc = dw_ins_open(m->main, into, ncols, ins, e);
    for (size_t i = 0; rc == DW_OK && i < m->nsrc; i++)
        if (!m->src[i].skip)
            rc = kway_open(k, (int)i, src_db(m, i), select, start, e);
    return rc;
}

/* Ends what mtable_begin started: with rc DW_OK, the rows left are
 * inserted and NAME_m replaces NAME. Returns the result. */
static dw_rc mtable_end(mrun *m, dw_rc rc, const char *name, kway *k, dw_ins *ins, dw_err *e)
{
    if (rc == DW_OK)
        rc = dw_ins_flush(ins, e);
    kway_free(k);
    dw_ins_free(ins);
    if (rc == DW_OK)
        rc = swap_table(m->main, name, e);
    return rc;
}

/* n-grams: per merged bucket, the rows of every source holding it merged
 * by (n, term) into stats_ngrams_m, with stats_summary and stats_top of
 * each (bucket, n) made on the way (the merging thread's loop). */
static dw_rc make_ngrams(mrun *m, kway *k, msink *sink, dw_err *e)
{
    dw_topk *tk = dw_topk_new(DW_STATS_TOP_K);
    dw_rc rc = tk ? DW_OK : dw_err_set(e, DW_ENOMEM, "out of memory");
    for (size_t bid = 1; rc == DW_OK && bid <= m->b.n; bid++) {
        k->n = 0;
        for (size_t i = 0; rc == DW_OK && i < m->nsrc; i++) {
            uint32_t own = m->src[i].skip ? 0 : m->src[i].own[bid]; /* its id of the merged bucket */
            if (!own)
                continue;
            sqlite3_reset(k->cur[i].st);
            sqlite3_bind_int64(k->cur[i].st, 1, (int64_t)own);
            int st = kway_push(k, (int)i);
            if (st != SQLITE_ROW && st != SQLITE_DONE)
                rc = dw_db_fail(k->db[i], e, "read statistics");
        }
        int64_t gn = 0, types = 0, tokens = 0, hapax = 0;
        for (;;) {
            int c = rc == DW_OK ? kway_next(k) : -1;
            int64_t n = c >= 0 ? k->cur[c].n : 0;
            if (gn && (c < 0 || n != gn)) { /* a (bucket, n) group ends */
                dw_buf *sb = &sink->buf[1];
                if (dw_ins_put_int(sb, (int64_t)bid) != 0 || dw_ins_put_int(sb, gn) != 0 ||
                    dw_ins_put_int(sb, types) != 0 || dw_ins_put_int(sb, tokens) != 0 ||
                    dw_ins_put_int(sb, hapax) != 0 || dw_topk_put_rows(tk, (int64_t)bid, (int)gn, &sink->buf[2]) < 0)
                    rc = dw_err_set(e, DW_ENOMEM, "out of memory");
                if (rc == DW_OK && (rc = sink_row(m, sink, 1, e)) == DW_OK)
                    rc = sink_row(m, sink, 2, e);
                types = tokens = hapax = 0;
            }
            if (c < 0 || rc != DW_OK)
                break;
            gn = n;
            const char *term = (const char *)k->cur[c].t[0];
            size_t tl = (size_t)k->cur[c].tl[0];
            int64_t count = sqlite3_column_int64(k->cur[c].st, 2), df = sqlite3_column_int64(k->cur[c].st, 3);
            for (int j = 0; j < k->nsame; j++) {
                count += sqlite3_column_int64(k->cur[k->same[j]].st, 2);
                df += sqlite3_column_int64(k->cur[k->same[j]].st, 3);
            }
            types++;
            tokens += count;
            hapax += count == 1;
            dw_buf *rb = &sink->buf[0];
            if (dw_ins_put_int(rb, (int64_t)bid) != 0 || dw_ins_put_int(rb, n) != 0 ||
                dw_ins_put_text(rb, term ? term : "", tl) != 0 || dw_ins_put_int(rb, count) != 0 ||
                dw_ins_put_int(rb, df) != 0 || dw_topk_add(tk, term ? term : "", tl, count, df) != 0)
                rc = dw_err_set(e, DW_ENOMEM, "out of memory");
            if (rc == DW_OK && (rc = sink_row(m, sink, 0, e)) == DW_OK) /* the row is copied */
                rc = kway_advance(k, c, e);
        }
    }
    dw_topk_free(tk);
    return rc;
}

/* Co-occurrence marginals: the sources' stats_cooc_terms merged by term
 * into stats_cooc_terms_m, and kept in m->marg for the measures (the
 * merging thread's loop). */
static dw_rc make_terms(mrun *m, kway *k, msink *sink, dw_err *e)
{
    dw_rc rc = DW_OK;
    int c;
    while (rc == DW_OK && (c = kway_next(k)) >= 0) {
        const char *term = (const char *)k->cur[c].t[0];
        size_t tl = (size_t)k->cur[c].tl[0];
        int64_t units = units_of(k->cur[c].st, 1, m->unit);
        for (int j = 0; j < k->nsame; j++)
            units += units_of(k->cur[k->same[j]].st, 1, m->unit);
        dw_buf *rb = &sink->buf[0];
        if (dw_ins_put_text(rb, term ? term : "", tl) != 0 || dw_ins_put_ratio(rb, units, m->unit) != 0 ||
            dw_strmap_put(&m->marg, term ? term : "", tl, units) != 0)
            rc = dw_err_set(e, DW_ENOMEM, "out of memory");
        if (rc == DW_OK && (rc = sink_row(m, sink, 0, e)) == DW_OK)
            rc = kway_advance(k, c, e);
    }
    return rc;
}

/* Pairs: merged by (term_a, term_b) into stats_cooc_m with their measures
 * from the merged marginals; on the last group only those counted at
 * least min_count times (the merging thread's loop). */
static dw_rc make_pairs(mrun *m, kway *k, msink *sink, dw_err *e)
{
    dw_rc rc = DW_OK;
    double u = (double)m->unit, t = (double)m->pair_total / u;
    int c;
    while (rc == DW_OK && (c = kway_next(k)) >= 0) {
        const mcur *x = &k->cur[c];
        int64_t units = units_of(x->st, 2, m->unit);
        for (int j = 0; j < k->nsame; j++)
            units += units_of(k->cur[k->same[j]].st, 2, m->unit);
        double kk = (double)units / u;
        if (!m->last || kk >= (double)m->min_count) {
            const char *a = (const char *)x->t[0], *b = (const char *)x->t[1];
            size_t la = (size_t)x->tl[0], lb = (size_t)x->tl[1];
            int64_t ua = 0, ub = 0;
            dw_strmap_get(&m->marg, a ? a : "", la, &ua);
            dw_strmap_get(&m->marg, b ? b : "", lb, &ub);
            double ca = (double)ua / u, cb = (double)ub / u;
            dw_buf *rb = &sink->buf[0];
            if (dw_ins_put_text(rb, a ? a : "", la) != 0 || dw_ins_put_text(rb, b ? b : "", lb) != 0 ||
                dw_ins_put_ratio(rb, units, m->unit) != 0 || dw_ins_put_double(rb, dw_stats_pmi(kk, ca, cb, t)) != 0 ||
                dw_ins_put_double(rb, dw_stats_npmi(kk, ca, cb, t)) != 0 ||
                dw_ins_put_double(rb, dw_stats_llr(kk, ca, cb, t)) != 0)
                rc = dw_err_set(e, DW_ENOMEM, "out of memory");
            if (rc == DW_OK)
                rc = sink_row(m, sink, 0, e);
        }
        if (rc == DW_OK)
            rc = kway_advance(k, c, e);
    }
    return rc;
}

/* A table merged: its new copy's columns, the rows read from each source
 * (in key order: nkeys columns, the first an integer with int0), and the
 * loop making the merged rows. */
typedef struct {
    const char *name;      /* the table */
    const char *create;    /* columns and key of NAME_m */
    const char *into;      /* NAME_m(cols) for dw_ins_open */
    int ncols;             /* its columns */
    const char *select;    /* a source's rows (?1: a bucket, without start) */
    int nkeys, int0;       /* the key, as kway_init */
    int start;             /* 1: the cursors start at once; 0: make binds and starts them */
    int extras;            /* 1: stats_summary and stats_top are written too */
    const char *phase;     /* for progress */
    dw_rc (*make)(mrun *m, kway *k, msink *sink, dw_err *e); /* the loop */
} mtable;

static const mtable mtables[] = {
    {"stats_ngrams",
     "bucket INTEGER NOT NULL, n INTEGER NOT NULL, term TEXT NOT NULL, count INTEGER NOT NULL,"
     " df INTEGER NOT NULL, PRIMARY KEY (bucket, n, term)",
     "stats_ngrams_m(bucket, n, term, count, df)", 5,
     "SELECT n, term, count, df FROM stats_ngrams WHERE bucket = ?1 ORDER BY n, term", 2, 1, 0, 1,
     "merging n-grams", make_ngrams},
    {"stats_cooc_terms", "term TEXT PRIMARY KEY, count NUMERIC NOT NULL", "stats_cooc_terms_m(term, count)", 2,
     "SELECT term, count FROM stats_cooc_terms ORDER BY term", 1, 0, 1, 0, "merging pairs", make_terms},
    {"stats_cooc",
     "term_a TEXT NOT NULL, term_b TEXT NOT NULL, count NUMERIC NOT NULL, pmi REAL NOT NULL,"
     " npmi REAL NOT NULL, llr REAL NOT NULL, PRIMARY KEY (term_a, term_b)",
     "stats_cooc_m(term_a, term_b, count, pmi, npmi, llr)", 6,
     "SELECT term_a, term_b, count FROM stats_cooc ORDER BY term_a, term_b", 2, 0, 1, 0, "merging pairs",
     make_pairs},
};

/* Merges table t of the group into its new copy, which then replaces it. */
static dw_rc merge_table(mrun *m, const mtable *t, dw_err *e)
{
    dw_ins *ins[SINK_TABLES] = {NULL, NULL, NULL};
    kway k;
    dw_rc rc = mtable_begin(m, t->name, t->create, t->into, t->ncols, t->select, t->nkeys, t->int0, t->start, &k,
                            &ins[0], e);
    if (rc == DW_OK && t->extras) { /* made with the n-grams */
        rc = dw_db_exec(m->main, "DELETE FROM stats_summary; DELETE FROM stats_top", e);
        if (rc == DW_OK)
            rc = dw_ins_open(m->main, "stats_summary(bucket, n, types, tokens, hapax)", 5, &ins[1], e);
        if (rc == DW_OK)
            rc = dw_ins_open(m->main, "stats_top(bucket, n, by, rank, term, count, df)", 7, &ins[2], e);
    }
    if (rc == DW_OK)
        rc = run_pipe(m, &k, ins, t->phase, t->make, e);
    dw_ins_free(ins[1]);
    dw_ins_free(ins[2]);
    return mtable_end(m, rc, t->name, &k, ins[0], e);
}

/* Lengths (a few thousand rows): summed through SQL, source by source. */
static dw_rc merge_lengths(mrun *m, dw_err *e)
{
    dw_rc rc = DW_OK;
    for (size_t i = 1; rc == DW_OK && i < m->nsrc; i++)
        if (!m->src[i].skip)
            rc = copy_rows(m->src[i].db, "SELECT unit, length, articles FROM stats_lengths", m->main,
                           "INSERT INTO stats_lengths(unit, length, articles) VALUES (?1, ?2, ?3)"
                           " ON CONFLICT(unit, length) DO UPDATE SET articles = articles + excluded.articles",
                           3, e);
    return rc;
}

/* stats_info: the totals summed; min_count on the last group. */
static dw_rc merge_info(mrun *m, int64_t articles, dw_err *e)
{
    char sql[320];
    snprintf(sql, sizeof sql,
             "UPDATE stats_info SET value = '%lld' WHERE key = 'pair_total';"
             "UPDATE stats_info SET value = '%lld' WHERE key = 'articles';",
             (long long)m->pair_total, (long long)articles);
    dw_rc rc = dw_db_exec(m->main, sql, e);
    if (rc == DW_OK && m->last) {
        snprintf(sql, sizeof sql, "UPDATE stats_info SET value = '%lld' WHERE key = 'min_count'",
                 (long long)m->min_count);
        rc = dw_db_exec(m->main, sql, e);
    }
    return rc;
}

/* Merges the databases at paths[0..n) into main in one transaction (see
 * dw_stats_merge); skipped[i] as there. */
static dw_rc merge_group(dw_db *main, const char *const *paths, size_t n, const dw_stats_merge_opts *o,
                         int64_t min_count, int last, double t0, int *skipped, dw_err *e)
{
    mrun m;
    memset(&m, 0, sizeof m);
    m.main = main;
    m.o = o;
    m.t0 = t0;
    m.min_count = min_count;
    m.last = last;
    m.nsrc = n + 1;
    m.src = calloc(m.nsrc, sizeof *m.src);
    if (!m.src)
        return dw_err_set(e, DW_ENOMEM, "out of memory");
    dw_rc rc = DW_OK;
    struct stat self, *sb = calloc(n + 1, sizeof *sb);
    int self_ok = stat(main->path, &self) == 0;
    if (!sb)
        rc = dw_err_set(e, DW_ENOMEM, "out of memory");
    /* the database itself, or a file named before in the group: its
     * statistics are in already (and it is never opened twice) */
    for (size_t i = 0; rc == DW_OK && i < n; i++) {
        msrc *s = &m.src[i + 1];
        s->path = paths[i];
        if (stat(paths[i], &sb[i]) == 0) {
            s->skip = self_ok && sb[i].st_dev == self.st_dev && sb[i].st_ino == self.st_ino;
            for (size_t j = 0; j < i && !s->skip; j++)
                s->skip = sb[j].st_dev == sb[i].st_dev && sb[j].st_ino == sb[i].st_ino;
        }
        if (!s->skip)
            rc = open_src(s, e);
    }
    free(sb);
    /* main's tables as committed, for the merging thread: a read snapshot
     * taken before this connection's write transaction starts */
    if (rc == DW_OK && (rc = dw_db_open(&m.mainr, main->path, DW_DB_READONLY, 0, e)) == DW_OK) {
        sqlite3_exec(m.mainr->h, "PRAGMA cache_size=-8192", NULL, NULL, NULL);
        int64_t pin;
        if ((rc = dw_db_exec(m.mainr, "BEGIN", e)) == DW_OK)
            rc = dw_db_int(m.mainr, "SELECT count(*) FROM stats_info", &pin, e);
    }
    /* the old tables are dropped whole: their pages need not be
     * overwritten with zeros (Debian's sqlite has SECURE_DELETE on) */
    sqlite3_exec(main->h, "PRAGMA secure_delete=OFF", NULL, NULL, NULL);
    if (rc == DW_OK)
        rc = dw_db_exec(main, "BEGIN IMMEDIATE", e);
    int in_txn = rc == DW_OK;
    size_t merged = 0;
    for (size_t i = 1; rc == DW_OK && i < m.nsrc; i++)
        if (!m.src[i].skip && (rc = check_src(main, &m.src[i], e)) == DW_OK)
            merged += !m.src[i].skip;
    if (rc == DW_OK && merged) {
        m.unit = (uint64_t)info_int(main, "unit");
        if (m.unit < 1)
            m.unit = 1;
        int64_t articles = info_int(main, "articles");
        m.pair_total = info_int(main, "pair_total");
        for (size_t i = 0; rc == DW_OK && i < m.nsrc; i++) {
            msrc *s = &m.src[i];
            if (s->skip)
                continue;
            rc = buckets_add(&m.b, src_db(&m, i), i == 0, &s->bmap, &s->nb, e);
            if (i) {
                articles += info_int(s->db, "articles");
                m.pair_total += info_int(s->db, "pair_total");
            }
        }
        /* each source's id of every merged bucket */
        for (size_t i = 0; rc == DW_OK && i < m.nsrc; i++) {
            msrc *s = &m.src[i];
            if (s->skip)
                continue;
            if (!(s->own = calloc(m.b.n + 1, sizeof *s->own))) {
                rc = dw_err_set(e, DW_ENOMEM, "out of memory");
                break;
            }
            for (size_t j = 1; j < s->nb; j++)
                if (s->bmap[j])
                    s->own[s->bmap[j]] = (uint32_t)j;
        }
        if (rc == DW_OK)
            rc = merge_table(&m, &mtables[0], e);
        if (rc == DW_OK)
            rc = buckets_write(main, &m.b, e);
        if (rc == DW_OK)
            rc = merge_lengths(&m, e);
        if (rc == DW_OK)
            rc = merge_table(&m, &mtables[1], e);
        if (rc == DW_OK && (rc = merge_table(&m, &mtables[2], e)) == DW_OK)
            rc = dw_db_exec(main, "CREATE INDEX IF NOT EXISTS stats_cooc_b ON stats_cooc(term_b)", e);
        if (rc == DW_OK)
            rc = merge_info(&m, articles, e);
    } else if (rc == DW_OK && last) { /* nothing new: the pairs kept, as asked */
        char sql[200];
        snprintf(sql, sizeof sql,
                 "DELETE FROM stats_cooc WHERE count < %lld;"
                 "UPDATE stats_info SET value = '%lld' WHERE key = 'min_count'",
                 (long long)min_count, (long long)min_count);
        rc = dw_db_exec(main, sql, e);
    }
    atomic_store(&m.rows, 0);
    mreport(&m, "committing", 1);
    if (rc == DW_OK && in_txn)
        rc = dw_db_exec(main, "COMMIT", e);
    else if (in_txn)
        sqlite3_exec(main->h, "ROLLBACK", NULL, NULL, NULL);
    for (size_t i = 1; i < m.nsrc; i++) {
        skipped[i - 1] = m.src[i].skip;
        if (m.src[i].db) {
            sqlite3_exec(m.src[i].db->h, "COMMIT", NULL, NULL, NULL);
            dw_db_close(m.src[i].db);
        }
    }
    if (m.mainr) {
        sqlite3_exec(m.mainr->h, "COMMIT", NULL, NULL, NULL);
        dw_db_close(m.mainr);
    }
    for (size_t i = 0; i < m.nsrc; i++) {
        free(m.src[i].bmap);
        free(m.src[i].own);
    }
    free(m.src);
    mbuckets_free(&m.b);
    dw_strmap_free(&m.marg);
    return rc;
}

dw_rc dw_stats_merge(dw_db *db, const char *const *others, size_t n, const dw_stats_merge_opts *o, int *skipped,
                     dw_err *e)
{
    if (!dw_stats_present(db))
        return dw_err_set(e, DW_EDB, "%s: no statistics (run diwan stats on it first)", db->path);
    size_t batch = o->batch ? o->batch : DW_STATS_MERGE_BATCH;
    /* db's own, read once: a group changes it only at the end */
    int64_t min_count = o->min_count >= 0 ? o->min_count : info_int(db, "min_count");
    for (size_t i = 0; i < n; i++)
        skipped[i] = 0;
    double t0 = dw_now_seconds();
    dw_rc rc = DW_OK;
    for (size_t at = 0; rc == DW_OK && at < n; at += batch) {
        size_t k = n - at < batch ? n - at : batch;
        rc = merge_group(db, others + at, k, o, min_count, at + k >= n, t0, skipped + at, e);
    }
    return rc;
}
