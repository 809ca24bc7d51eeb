/* ingest.c: the ingest driver. Producers (one per --threads beyond the
 * first) read, parse, normalize and hash inputs into batches; the calling
 * thread is the only database writer and consumes the batches strictly in
 * input order, so the database does not depend on the thread count.
 *
 * Per input: stat and compare with the files table (unchanged inputs are
 * skipped), sniff the first bytes (empty, binary and non-UTF-8 inputs are
 * quarantined), detect the format (JSON records or pages, TREC included),
 * then stream. */
#define _GNU_SOURCE
#include "ingest/ingest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/db.h"
#include "core/grams.h"
#include "core/hash.h"
#include "core/norm.h"
#include "core/utf8.h"
#include "core/zio.h"
#include "ingest/jsonrec.h"
#include "ingest/neardup.h"
#include "ingest/page.h"
#include "ingest/registry.h"

#define SNIFF_BYTES (64u << 10)      /* bytes read before deciding what an input is */
#define BATCH_BYTES (1u << 20)       /* a batch is handed to the writer past this arena size */
#define BATCH_ITEMS 1024             /* ... or past this many items */
#define COMMIT_BYTES (8u << 20)      /* the writer commits past this much uncommitted text */
#define QUEUE_DEPTH 8                /* batches in flight per producer */
#define NONE ((size_t)-1)            /* absent string */
#define WHOLE ((uint64_t)-1)         /* issue offset meaning the whole input */

/* ---- batches --------------------------------------------------------- */

typedef enum {
    IT_ARTICLE = 0, /* an article sighting */
    IT_WARN,        /* a warning only (bad bytes) */
    IT_QUARANTINE,  /* a warning and a quarantine row */
    IT_FILE_END     /* the input's last item: its figures, and why it failed */
} item_kind;

/* A string inside a batch arena: offset and length; off == NONE if absent. */
typedef struct {
    size_t off; /* offset in the arena, or NONE */
    size_t n;   /* length in bytes */
} ref;

/* One event for the writer. */
typedef struct {
    item_kind kind;      /* what it is */
    size_t file;         /* index of the input in the input list */
    dw_role role;        /* article role */
    uint64_t page_no;    /* page or record number */
    uint64_t offset;     /* byte offset in the decoded input */
    ref title, body, source, src_norm, date_raw, url, ext_id; /* article strings */
    ref msg;             /* warning/quarantine reason */
    ref grams;           /* sampled 13-gram hashes of the normalized body (content_grams.grams) */
    char published[11];  /* YYYY-MM-DD or "" */
    unsigned char hash[16]; /* XXH3-128 of the normalized body */
    int64_t n_chars;     /* code points of the normalized body */
    int64_t n_tokens;    /* tokens of the normalized body */
    size_t kw_first;     /* first keyword in batch->kws */
    size_t n_kw;         /* number of keywords */
    /* IT_FILE_END only (msg: the error when failed): */
    uint64_t pages;      /* pages or records */
    uint64_t bad_bytes;  /* invalid bytes replaced */
    uint64_t raw_bytes;  /* bytes on disk read */
    uint64_t bytes;      /* decoded bytes read */
    const char *format;  /* "pages", "json" or "trec" (static) */
    int failed;          /* 1 if the input could not be read to the end */
} item;

/* A keyword: as written and normalized. */
typedef struct {
    ref raw;  /* as written */
    ref norm; /* normalized */
} kwref;

/* What producers hand the writer: the events of one or more consecutive
 * inputs of one producer (an input's events may span batches). */
typedef struct {
    dw_buf arena;        /* every string of the batch */
    item *items;         /* events in input order */
    size_t n, cap;       /* items used / allocated */
    kwref *kws;          /* keywords */
    size_t nkw, capkw;   /* keywords used / allocated */
    size_t cur_file;     /* input that new items belong to */
} batch;

static batch *batch_new(void)
{
    batch *b = calloc(1, sizeof *b);
    if (b && dw_buf_grow(&b->arena, BATCH_BYTES + BATCH_BYTES / 4) < 0) {
        free(b);
        return NULL;
    }
    return b;
}

static void batch_free(batch *b)
{
    if (!b)
        return;
    dw_buf_free(&b->arena);
    free(b->items);
    free(b->kws);
    free(b);
}

static ref put_str(batch *b, const char *p, size_t n, int *oom)
{
    ref r = {NONE, 0};
    if (!p)
        return r;
    r.off = b->arena.len;
    r.n = n;
    if (dw_buf_append(&b->arena, p, n) < 0 || dw_buf_putc(&b->arena, '\0') < 0)
        *oom = 1;
    return r;
}

static item *new_item(batch *b, item_kind kind, int *oom)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        item *it = realloc(b->items, cap * sizeof *it);
        if (!it) {
            *oom = 1;
            return NULL;
        }
        b->items = it;
        b->cap = cap;
    }
    item *it = &b->items[b->n++];
    memset(it, 0, sizeof *it);
    it->kind = kind;
    it->file = b->cur_file;
    it->title = it->body = it->source = it->src_norm = it->date_raw = it->url = it->ext_id = it->msg =
        (ref){NONE, 0};
    return it;
}

static const char *arena_str(const batch *b, ref r) { return r.off == NONE ? NULL : b->arena.data + r.off; }

/* ---- the queue between one producer and the writer -------------------- */

typedef struct {
    pthread_mutex_t mu;     /* guards everything below */
    pthread_cond_t cv;      /* signalled on push and pop */
    batch *slots[QUEUE_DEPTH]; /* ring of batches */
    size_t head, count;     /* ring position and fill */
    int stop;               /* writer asks producers to stop */
    int dead;               /* the producer failed: pop returns NULL when empty */
} queue;

static void queue_init(queue *q)
{
    memset(q, 0, sizeof *q);
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->cv, NULL);
}

static void queue_destroy(queue *q)
{
    while (q->count) {
        batch_free(q->slots[q->head]);
        q->head = (q->head + 1) % QUEUE_DEPTH;
        q->count--;
    }
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->cv);
}

/* Pushes b (ownership passes to the queue); returns -1 if the writer stopped. */
static int queue_push(queue *q, batch *b)
{
    pthread_mutex_lock(&q->mu);
    while (q->count == QUEUE_DEPTH && !q->stop)
        pthread_cond_wait(&q->cv, &q->mu);
    if (q->stop) {
        pthread_mutex_unlock(&q->mu);
        batch_free(b);
        return -1;
    }
    q->slots[(q->head + q->count) % QUEUE_DEPTH] = b;
    q->count++;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
    return 0;
}

/* Takes the next batch (the caller owns it), or NULL if the producer died. */
static batch *queue_pop(queue *q)
{
    pthread_mutex_lock(&q->mu);
    while (q->count == 0 && !q->dead)
        pthread_cond_wait(&q->cv, &q->mu);
    if (q->count == 0) {
        pthread_mutex_unlock(&q->mu);
        return NULL;
    }
    batch *b = q->slots[q->head];
    q->head = (q->head + 1) % QUEUE_DEPTH;
    q->count--;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
    return b;
}

static void queue_kill(queue *q)
{
    pthread_mutex_lock(&q->mu);
    q->dead = 1;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
}

static void queue_stop(queue *q)
{
    pthread_mutex_lock(&q->mu);
    q->stop = 1;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
}

/* ---- inputs ----------------------------------------------------------- */

/* One input to read. */
typedef struct {
    char *path;      /* path to open (the spool file for stdin) */
    char *label;     /* path as stored in the database */
    uint64_t size;   /* bytes on disk */
    int64_t mtime;   /* modification time */
    int64_t file_id; /* files.id when known */
    int todo;        /* 1 if it must be read in this run */
    int purge;       /* 1 if its earlier sightings must be replaced */
    int spooled;     /* 1 for standard input: the label (content hash) is its identity */
} input;

typedef struct {
    input *v;      /* inputs, in order */
    size_t n, cap; /* used / allocated */
} input_list;

static int inputs_add(input_list *l, const char *path, const char *label)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        input *v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return -1;
        l->v = v;
        l->cap = cap;
    }
    input *in = &l->v[l->n];
    memset(in, 0, sizeof *in);
    in->path = strdup(path);
    in->label = strdup(label);
    if (!in->path || !in->label) {
        free(in->path);
        free(in->label);
        return -1;
    }
    l->n++;
    return 0;
}

static void inputs_free(input_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].path);
        free(l->v[i].label);
    }
    free(l->v);
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists dir recursively in byte order of names, skipping hidden entries. */
static dw_rc walk_dir(input_list *l, const char *dir, int depth, dw_err *e)
{
    if (depth > 64)
        return dw_err_set(e, DW_EINPUT, "%s: folders nested too deep (symbolic link loop?)", dir);
    DIR *d = opendir(dir);
    if (!d)
        return dw_err_set(e, DW_EINPUT, "cannot read folder %s: %s", dir, strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    dw_rc rc = DW_OK;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn) {
                rc = dw_err_set(e, DW_ENOMEM, "out of memory");
                break;
            }
            names = nn;
        }
        if (!(names[n] = strdup(de->d_name))) {
            rc = dw_err_set(e, DW_ENOMEM, "out of memory");
            break;
        }
        n++;
    }
    closedir(d);
    if (rc == DW_OK && n > 1)
        qsort(names, n, sizeof *names, cmp_name);
    for (size_t i = 0; i < n; i++) {
        if (rc == DW_OK) {
            char *p = NULL;
            struct stat st;
            size_t dl = strlen(dir);
            if (asprintf(&p, "%s%s%s", dir, (dl && dir[dl - 1] == '/') ? "" : "/", names[i]) < 0) {
                rc = dw_err_set(e, DW_ENOMEM, "out of memory");
            } else if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
                rc = walk_dir(l, p, depth + 1, e);
            } else if (inputs_add(l, p, p) < 0) {
                rc = dw_err_set(e, DW_ENOMEM, "out of memory");
            }
            free(p);
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

/* Copies stdin to a temporary file, naming it by the hash of its content so
 * that the same bytes ingested twice are recognized. */
static dw_rc spool_stdin(input_list *l, const char *tmpdir, char **spool, dw_err *e)
{
    const char *base = tmpdir ? tmpdir : getenv("TMPDIR");
    char *path = NULL;
    if (asprintf(&path, "%s/diwan-stdin-XXXXXX", base && *base ? base : "/tmp") < 0)
        return dw_err_set(e, DW_ENOMEM, "out of memory");
    int fd = mkstemp(path);
    if (fd < 0) {
        dw_rc rc = dw_err_set(e, DW_EIO, "cannot create %s: %s", path, strerror(errno));
        free(path);
        return rc;
    }
    static char buf[1 << 16];
    ssize_t got;
    uint64_t h = 0x9e3779b97f4a7c15ull;
    dw_rc rc = DW_OK;
    while ((got = read(0, buf, sizeof buf)) != 0) {
        if (got < 0) {
            if (errno == EINTR)
                continue;
            rc = dw_err_set(e, DW_EINPUT, "cannot read standard input: %s", strerror(errno));
            break;
        }
        h = dw_hash64_of(buf, (size_t)got, h);
        for (ssize_t off = 0; off < got;) {
            ssize_t w = write(fd, buf + off, (size_t)(got - off));
            if (w < 0) {
                rc = dw_err_set(e, DW_EIO, "cannot write %s: %s", path, strerror(errno));
                break;
            }
            off += w;
        }
        if (rc != DW_OK)
            break;
    }
    if (close(fd) != 0 && rc == DW_OK)
        rc = dw_err_set(e, DW_EIO, "cannot write %s: %s", path, strerror(errno));
    char label[64];
    snprintf(label, sizeof label, "stdin:%016llx", (unsigned long long)h);
    if (rc == DW_OK && inputs_add(l, path, label) < 0)
        rc = dw_err_set(e, DW_ENOMEM, "out of memory");
    if (rc == DW_OK)
        l->v[l->n - 1].spooled = 1;
    if (rc != DW_OK) {
        unlink(path);
        free(path);
        return rc;
    }
    *spool = path;
    return DW_OK;
}

/* ---- producing -------------------------------------------------------- */

typedef struct run run;

/* One producer's state: the batch it fills, and the input it reads. */
typedef struct {
    run *R;            /* the run */
    batch *b;          /* batch being filled */
    queue *q;          /* where batches go (NULL: written inline) */
    dw_buf norm;       /* normalization scratch */
    dw_buf grams;      /* sampled 13-gram hashes of the body being read */
    char *head;        /* read buffer (SNIFF_BYTES) */
    int oom;           /* allocation failed */
    int stopped;       /* the writer stopped (error) */
    /* the current input: */
    dw_reader *rd;     /* open reader */
    uint64_t dec;      /* decoded bytes read so far */
    uint64_t record;   /* current JSON record number */
    int in_record;     /* parsing a JSON record */
    uint64_t rec_offset; /* offset of the current JSON record */
    uint64_t records;  /* JSON records read */
    uint64_t bad_bytes; /* invalid bytes replaced */
} producer;

struct run {
    const dw_ingest_opts *o;  /* options */
    input_list in;            /* inputs */
    unsigned norm_flags;      /* normalization flags of the database */
    dw_db *db;                /* the database (writer only) */
    dw_registry *reg;         /* outlets (writer only) */
    dw_ingest_stats *st;      /* running figures (writer only) */
    queue *queues;            /* one per producer */
    int n_prod;               /* producers (0: inline) */
    /* prepared statements (writer) */
    sqlite3_stmt *q_art_find, *q_art_ins, *q_grams_ins, *q_art_upd, *q_min_rank, *q_sight_ins, *q_kw_ins,
        *q_quar_ins, *q_file_get, *q_file_upsert, *q_file_done, *q_src_ins, *q_src_id, *q_alias_ins,
        *q_alias_get;
    uint64_t uncommitted;     /* bytes written since the last commit */
    int in_tx;                /* a transaction is open */
    dw_rc rc;                 /* first fatal error */
    dw_err err;               /* its message */
    dw_rc input_rc;           /* DW_EINPUT once an input could not be read (the run goes on) */
    double t0;                /* start time */
    double last_progress;     /* time of the last progress callback */
    double last_commit;       /* time of the last commit */
    size_t aliases_synced;    /* registry aliases already stored */
    dw_buf scratch;           /* writer scratch (rank strings, messages) */
};

static int write_item(run *R, const batch *b, const item *it);

/* Hands the current batch over (to the queue, or to the writer inline) and
 * starts a new one. */
static int flush_batch(producer *P)
{
    batch *b = P->b;
    size_t cur = b->cur_file;
    P->b = NULL;
    if (P->q) {
        if (queue_push(P->q, b) < 0) {
            P->stopped = 1;
            return -1;
        }
    } else {
        int r = 0;
        for (size_t i = 0; i < b->n && r == 0; i++)
            r = write_item(P->R, b, &b->items[i]);
        batch_free(b);
        if (r < 0) {
            P->stopped = 1;
            return -1;
        }
    }
    if (!(P->b = batch_new())) {
        P->oom = 1;
        return -1;
    }
    P->b->cur_file = cur;
    return 0;
}

static int maybe_flush(producer *P)
{
    if (P->b->arena.len >= BATCH_BYTES || P->b->n >= BATCH_ITEMS)
        return flush_batch(P);
    return 0;
}

static void add_issue(producer *P, item_kind kind, uint64_t offset, const char *msg)
{
    item *it = new_item(P->b, kind, &P->oom);
    if (!it)
        return;
    it->offset = offset;
    it->msg = put_str(P->b, msg, strlen(msg), &P->oom);
}

static int on_article(void *ud, const dw_article *a)
{
    producer *P = ud;
    batch *b = P->b;
    unsigned nf = P->R->norm_flags;
    item *it = new_item(b, IT_ARTICLE, &P->oom);
    if (!it)
        return DW_ENOMEM;
    size_t idx = b->n - 1;
    it->role = a->role;
    it->page_no = P->in_record ? P->record : a->page_no;
    it->offset = a->offset;
    memcpy(it->published, a->published, sizeof it->published);
    it->title = put_str(b, a->title.p, a->title.n, &P->oom);
    it->body = put_str(b, a->body.p, a->body.n, &P->oom);
    it->source = put_str(b, a->source.p, a->source.n, &P->oom);
    it->date_raw = put_str(b, a->date_raw.p, a->date_raw.n, &P->oom);
    it->url = put_str(b, a->url.p, a->url.n, &P->oom);
    it->ext_id = put_str(b, a->ext_id.p, a->ext_id.n, &P->oom);
    if (a->source.p) {
        dw_buf_reset(&P->norm);
        if (dw_norm_text(&P->norm, a->source.p, a->source.n, nf | DW_NORM_NO_NEWLINES) < 0)
            P->oom = 1;
        it->src_norm = put_str(b, dw_buf_str(&P->norm), P->norm.len, &P->oom);
    }
    dw_buf_reset(&P->norm);
    if (dw_norm_text(&P->norm, a->body.p, a->body.n, nf) < 0)
        P->oom = 1;
    dw_hash128 h = dw_hash128_of(dw_buf_str(&P->norm), P->norm.len);
    b->items[idx].n_chars = (int64_t)dw_utf8_count(dw_buf_str(&P->norm), P->norm.len);
    /* one tokenization counts the tokens and hashes the 13-grams */
    size_t ntok = 0;
    dw_buf_reset(&P->grams);
    if (dw_grams_sample(dw_buf_str(&P->norm), P->norm.len, &P->grams, &ntok) < 0)
        P->oom = 1;
    b->items[idx].n_tokens = (int64_t)ntok;
    /* never absent, so that an article without 13-grams stores an empty blob */
    b->items[idx].grams = put_str(b, dw_buf_str(&P->grams), P->grams.len, &P->oom);
    dw_hash128_bytes(h, b->items[idx].hash);
    b->items[idx].kw_first = b->nkw;
    for (size_t k = 0; k < a->n_keywords; k++) {
        if (b->nkw == b->capkw) {
            size_t cap = b->capkw ? b->capkw * 2 : 64;
            kwref *kw = realloc(b->kws, cap * sizeof *kw);
            if (!kw) {
                P->oom = 1;
                break;
            }
            b->kws = kw;
            b->capkw = cap;
        }
        dw_buf_reset(&P->norm);
        if (dw_norm_text(&P->norm, a->keywords[k].p, a->keywords[k].n, nf | DW_NORM_NO_NEWLINES) < 0)
            P->oom = 1;
        if (!P->norm.len)
            continue;
        kwref *kw = &b->kws[b->nkw++];
        kw->raw = put_str(b, a->keywords[k].p, a->keywords[k].n, &P->oom);
        kw->norm = put_str(b, dw_buf_str(&P->norm), P->norm.len, &P->oom);
        b->items[idx].n_kw++;
    }
    if (P->oom)
        return DW_ENOMEM;
    return maybe_flush(P) < 0 ? (P->oom ? DW_ENOMEM : DW_EDB) : 0;
}

static void on_page_issue(void *ud, dw_issue_kind kind, uint64_t offset, uint64_t count, const char *msg)
{
    producer *P = ud;
    char text[512];
    if (kind == DW_ISSUE_BAD_UTF8) {
        P->bad_bytes += count;
        snprintf(text, sizeof text, "%llu invalid UTF-8 byte%s replaced by U+FFFD", (unsigned long long)count,
                 count == 1 ? "" : "s");
        add_issue(P, IT_WARN, P->in_record ? P->rec_offset : offset, text);
        return;
    }
    if (P->in_record)
        snprintf(text, sizeof text, "record %llu: %s", (unsigned long long)P->record + 1,
                 kind == DW_ISSUE_EMPTY_PAGE ? "empty text" : msg);
    else
        snprintf(text, sizeof text, "%s", msg);
    add_issue(P, IT_QUARANTINE, P->in_record ? P->rec_offset : offset, text);
}

static int on_record(void *ud, const dw_json_record *r)
{
    producer *P = ud;
    dw_page_opts po;
    memset(&po, 0, sizeof po);
    po.on_article = on_article;
    po.on_issue = on_page_issue;
    po.ud = P;
    po.default_title = r->title;
    po.default_source = r->source;
    po.default_date = r->date;
    po.default_url = r->url;
    po.default_id = r->id;
    po.is_record = 1;
    P->record = r->index;
    P->records++;
    P->rec_offset = r->offset;
    P->in_record = 1;
    int rc = dw_page_parse_text(&po, r->text.p, r->text.n, r->offset);
    P->in_record = 0;
    if (P->oom)
        return DW_ENOMEM;
    return rc;
}

static void on_json_issue(void *ud, uint64_t offset, uint64_t line, const char *msg)
{
    producer *P = ud;
    char text[512];
    snprintf(text, sizeof text, "line %llu: %s", (unsigned long long)line, msg);
    add_issue(P, IT_QUARANTINE, offset, text);
}

/* Reads one input into batches. Returns -1 only when the writer stopped or
 * memory ran out; input problems travel in the batches. */
/* Reads input `file` into P's batches, ending with its IT_FILE_END item.
 * Returns -1 only when the writer stopped or memory ran out; problems with
 * the input itself travel in the items. */
static int produce_file(producer *P, size_t file)
{
    run *R = P->R;
    const input *in = &R->in.v[file];
    dw_err e = {{0}};
    char *head = P->head;
    size_t hn = 0;
    ssize_t got = 0;
    dw_page_parser *pp = NULL;
    const char *format = "pages";
    int failed = 0;
    char error[DW_ERR_MAX] = "";
    uint64_t pages = 0;

    P->b->cur_file = file;
    P->rd = NULL;
    P->dec = P->records = P->bad_bytes = 0;
    P->in_record = 0;
    if (dw_reader_open(&P->rd, in->path, R->o->encoding, &e) != DW_OK) {
        failed = 1;
        snprintf(error, sizeof error, "%s", e.msg);
        goto done;
    }
    while (hn < SNIFF_BYTES && (got = dw_reader_read(P->rd, head + hn, SNIFF_BYTES - hn, &e)) > 0)
        hn += (size_t)got;
    P->dec = hn;
    if (got < 0) {
        failed = 1;
        snprintf(error, sizeof error, "%s", e.msg);
        goto done;
    }
    dw_sniff sn = dw_text_sniff(head, hn);
    if (sn == DW_SNIFF_EMPTY) {
        add_issue(P, IT_QUARANTINE, WHOLE, hn ? "no text (only whitespace)" : "empty input");
        goto done;
    }
    if (sn == DW_SNIFF_BINARY) {
        add_issue(P, IT_QUARANTINE, WHOLE, "binary data, not text");
        goto done;
    }
    if (sn == DW_SNIFF_NOT_UTF8) {
        add_issue(P, IT_QUARANTINE, WHOLE,
                  R->o->encoding ? "not valid text in the given encoding"
                                 : "not UTF-8 (a legacy encoding? try --encoding windows-1256)");
        goto done;
    }
    if (dw_json_sniff(head, hn)) {
        dw_json_opts jo = {on_record, on_json_issue, P};
        format = "json";
        int rc = dw_json_read(P->rd, head, hn, &jo, &e);
        if (rc == DW_EINPUT) {
            failed = 1;
            snprintf(error, sizeof error, "%s", e.msg);
        } else if (rc == DW_ENOMEM) {
            P->oom = 1;
        }
        pages = P->records;
        goto done;
    }
    dw_page_opts po;
    memset(&po, 0, sizeof po);
    po.on_article = on_article;
    po.on_issue = on_page_issue;
    po.ud = P;
    if (!(pp = dw_page_new(&po))) {
        P->oom = 1;
        goto done;
    }
    {
        size_t k = 0;
        while (k < hn && (head[k] == ' ' || head[k] == '\n' || head[k] == '\r' || head[k] == '\t'))
            k++;
        if (hn - k >= 5 && memcmp(head + k, "<DOC>", 5) == 0)
            format = "trec";
    }
    int rc = dw_page_feed(pp, head, hn);
    while (rc == 0 && !P->oom && (got = dw_reader_read(P->rd, head, SNIFF_BYTES, &e)) > 0) {
        P->dec += (uint64_t)got;
        rc = dw_page_feed(pp, head, (size_t)got);
    }
    if (rc == 0 && got < 0) {
        /* the last article may be cut: it is not flushed */
        failed = 1;
        snprintf(error, sizeof error, "%s", e.msg);
    } else if (rc == 0) {
        rc = dw_page_finish(pp);
    }
    if (rc == DW_ENOMEM)
        P->oom = 1;
    dw_page_stats ps;
    dw_page_get_stats(pp, &ps);
    pages = ps.pages;
    dw_page_free(pp);
done:
    if (!P->oom && !P->stopped) {
        item *it = new_item(P->b, IT_FILE_END, &P->oom);
        if (it) {
            it->pages = pages;
            it->bad_bytes = P->bad_bytes;
            it->raw_bytes = P->rd ? dw_reader_raw_offset(P->rd) : 0;
            it->bytes = P->dec;
            it->format = format;
            it->failed = failed;
            it->offset = WHOLE;
            if (failed)
                it->msg = put_str(P->b, error, strlen(error), &P->oom);
        }
    }
    dw_reader_close(P->rd);
    P->rd = NULL;
    if (P->oom || P->stopped)
        return -1;
    return maybe_flush(P);
}

/* Creates a producer writing to q (NULL: inline). NULL when out of memory. */
static producer *producer_new(run *R, queue *q)
{
    producer *P = calloc(1, sizeof *P);
    if (!P)
        return NULL;
    P->R = R;
    P->q = q;
    P->head = malloc(SNIFF_BYTES);
    P->b = batch_new();
    if (!P->head || !P->b) {
        free(P->head);
        batch_free(P->b);
        free(P);
        return NULL;
    }
    return P;
}

/* Hands over what is left (unless the run stopped) and frees P. Returns -1
 * when the hand-over failed. */
static int producer_finish(producer *P)
{
    int r = 0;
    if (!P->oom && !P->stopped && P->b->n)
        r = flush_batch(P);
    if (P->oom || P->stopped)
        r = -1;
    batch_free(P->b);
    free(P->head);
    dw_buf_free(&P->norm);
    dw_buf_free(&P->grams);
    free(P);
    return r;
}

/* ---- writing ---------------------------------------------------------- */

static int step_done(run *R, sqlite3_stmt *st, const char *what)
{
    int r = sqlite3_step(st);
    sqlite3_reset(st);
    if (r != SQLITE_DONE && r != SQLITE_ROW) {
        R->rc = dw_db_fail(R->db, &R->err, what);
        return -1;
    }
    return 0;
}

static void bind_ref(sqlite3_stmt *st, int i, const batch *b, ref r)
{
    if (r.off == NONE)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_text(st, i, b->arena.data + r.off, (int)r.n, SQLITE_STATIC);
}

static int tx_begin(run *R)
{
    if (R->in_tx)
        return 0;
    if (dw_db_exec(R->db, "BEGIN IMMEDIATE", &R->err) != DW_OK) {
        R->rc = DW_EDB;
        return -1;
    }
    R->in_tx = 1;
    return 0;
}

static int tx_commit(run *R)
{
    if (!R->in_tx)
        return 0;
    R->in_tx = 0;
    R->uncommitted = 0;
    R->last_commit = dw_now_seconds();
    dw_rc rc = dw_db_exec(R->db, "COMMIT", &R->err);
    if (rc != DW_OK) {
        R->rc = rc;
        sqlite3_exec(R->db->h, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    return 0;
}

static void say(run *R, int is_error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(run *R, int is_error, const char *fmt, ...)
{
    if (!R->o->on_message)
        return;
    va_list ap;
    va_start(ap, fmt);
    dw_buf_reset(&R->scratch);
    dw_buf_vprintf(&R->scratch, fmt, ap);
    va_end(ap);
    R->o->on_message(R->o->ud, is_error, dw_buf_str(&R->scratch));
}

/* Records an input that cannot be read; the run goes on. */
static void input_failed(run *R, const char *msg)
{
    R->st->files_failed++;
    R->input_rc = DW_EINPUT;
    say(R, 1, "%s", msg);
}

static int quarantine(run *R, const char *path, int64_t offset, const char *reason)
{
    sqlite3_stmt *st = R->q_quar_ins;
    sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, offset);
    sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
    if (step_done(R, st, "quarantine") < 0)
        return -1;
    R->st->quarantined++;
    return 0;
}

/* Makes sure outlet idx has a database id (inserting it with its aliases). */
static int64_t outlet_id(run *R, int idx)
{
    int64_t id = dw_registry_db_id(R->reg, idx);
    if (id)
        return id;
    const char *name = dw_registry_name(R->reg, idx);
    sqlite3_bind_text(R->q_src_ins, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int(R->q_src_ins, 2, (int)dw_registry_origin(R->reg, idx));
    if (step_done(R, R->q_src_ins, "sources") < 0)
        return -1;
    sqlite3_bind_text(R->q_src_id, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(R->q_src_id) == SQLITE_ROW)
        id = sqlite3_column_int64(R->q_src_id, 0);
    sqlite3_reset(R->q_src_id);
    if (!id) {
        R->rc = dw_db_fail(R->db, &R->err, "sources");
        return -1;
    }
    dw_registry_set_db_id(R->reg, idx, id);
    return id;
}

/* Moves the sightings and articles of outlet `from` (first seen in the
 * input) to outlet `to`, once an alias of `from` names `to`, and drops `from`
 * when no alias names it any more. */
static int reattribute(run *R, int64_t from, int64_t to)
{
    static const char *const sql[] = {
        "UPDATE sightings SET source_id = ?2 WHERE source_id = ?1",
        "UPDATE articles SET source_id = ?2 WHERE source_id = ?1",
        ("DELETE FROM sources WHERE id = ?1 AND builtin = 0 AND NOT EXISTS "
         "(SELECT 1 FROM source_aliases WHERE source_id = ?1)"),
    };
    for (size_t i = 0; i < sizeof sql / sizeof *sql; i++) {
        sqlite3_stmt *st = dw_db_prepare(R->db, sql[i], &R->err);
        if (!st) {
            R->rc = DW_EDB;
            return -1;
        }
        sqlite3_bind_int64(st, 1, from);
        sqlite3_bind_int64(st, 2, to);
        int r = sqlite3_step(st);
        sqlite3_finalize(st);
        if (r != SQLITE_DONE) {
            R->rc = dw_db_fail(R->db, &R->err, "sources");
            return -1;
        }
    }
    return 0;
}

/* Stores every alias not yet in the database (registry order); an alias that
 * now names another outlet than the stored one moves it (see reattribute). */
static int sync_aliases(run *R)
{
    size_t n = dw_registry_alias_count(R->reg);
    for (size_t i = R->aliases_synced; i < n; i++) {
        const char *norm, *written;
        int idx;
        dw_registry_alias(R->reg, i, &norm, &written, &idx);
        int64_t id = outlet_id(R, idx);
        if (id < 0)
            return -1;
        int64_t old = 0, old_builtin = -1;
        sqlite3_bind_text(R->q_alias_get, 1, norm, -1, SQLITE_STATIC);
        if (sqlite3_step(R->q_alias_get) == SQLITE_ROW) {
            old = sqlite3_column_int64(R->q_alias_get, 0);
            old_builtin = sqlite3_column_int64(R->q_alias_get, 1);
        }
        sqlite3_reset(R->q_alias_get);
        sqlite3_bind_text(R->q_alias_ins, 1, norm, -1, SQLITE_STATIC);
        sqlite3_bind_int64(R->q_alias_ins, 2, id);
        sqlite3_bind_text(R->q_alias_ins, 3, written, -1, SQLITE_STATIC);
        if (step_done(R, R->q_alias_ins, "source_aliases") < 0)
            return -1;
        if (old && old != id && old_builtin == DW_ORIGIN_SEEN && reattribute(R, old, id) < 0)
            return -1;
    }
    R->aliases_synced = n;
    return 0;
}

/* Number of space-separated words of a normalized string (single spaces). */
static size_t norm_words(const char *s, size_t n)
{
    size_t w = n > 0;
    for (size_t i = 0; i < n; i++)
        w += s[i] == ' ';
    return w;
}

static int write_article(run *R, const batch *b, const item *it, const input *in)
{
    int64_t src_id = 0;
    if (it->source.off != NONE && it->src_norm.n) {
        const char *src = arena_str(b, it->source);
        int idx = dw_registry_lookup(R->reg, src, it->source.n);
        /* a value of more than DW_PAGE_OUTLET_MAX_WORDS words that no
         * built-in or --sources alias names is a citation or a sentence,
         * not an outlet's name (not even when an older diwan made it one):
         * the outlet is unknown, the line stays in the sighting as written */
        int outlet = (idx >= 0 && dw_registry_origin(R->reg, idx) != DW_ORIGIN_SEEN) ||
                     norm_words(arena_str(b, it->src_norm), it->src_norm.n) <= DW_PAGE_OUTLET_MAX_WORDS;
        if (idx < 0 && outlet) {
            idx = dw_registry_add(R->reg, src, it->source.n, src, DW_ORIGIN_SEEN);
            if (idx < 0 || sync_aliases(R) < 0) {
                if (R->rc == DW_OK)
                    R->rc = dw_err_set(&R->err, DW_ENOMEM, "out of memory");
                return -1;
            }
        }
        if (outlet && (src_id = outlet_id(R, idx)) < 0)
            return -1;
    }
    /* rank: see schema.sql */
    dw_buf *rk = &R->scratch;
    dw_buf_reset(rk);
    dw_buf_printf(rk, "%c%s|%c%s|%s|%020llu", it->published[0] ? '0' : '1', it->published,
                  src_id ? '0' : '1', it->src_norm.off != NONE ? arena_str(b, it->src_norm) : "", in->label,
                  (unsigned long long)it->offset);
    int64_t aid = 0;
    int fresh = 0;
    sqlite3_bind_blob(R->q_art_find, 1, it->hash, 16, SQLITE_STATIC);
    int r = sqlite3_step(R->q_art_find);
    if (r == SQLITE_ROW)
        aid = sqlite3_column_int64(R->q_art_find, 0);
    sqlite3_reset(R->q_art_find);
    if (r != SQLITE_ROW && r != SQLITE_DONE) {
        R->rc = dw_db_fail(R->db, &R->err, "articles");
        return -1;
    }
    char cur_rank[1024] = "";
    if (!aid) {
        sqlite3_stmt *st = R->q_art_ins;
        sqlite3_bind_blob(st, 1, it->hash, 16, SQLITE_STATIC);
        bind_ref(st, 2, b, it->title);
        bind_ref(st, 3, b, it->body);
        if (it->published[0])
            sqlite3_bind_text(st, 4, it->published, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, 4);
        if (src_id)
            sqlite3_bind_int64(st, 5, src_id);
        else
            sqlite3_bind_null(st, 5);
        sqlite3_bind_int64(st, 6, it->n_chars);
        sqlite3_bind_int64(st, 7, it->n_tokens);
        if (step_done(R, st, "articles") < 0)
            return -1;
        aid = sqlite3_last_insert_rowid(R->db->h);
        fresh = 1;
        /* its 13-gram sample, in the same transaction (an empty blob when
         * none: the arena pointer is never NULL) */
        sqlite3_stmt *g = R->q_grams_ins;
        sqlite3_bind_blob(g, 1, it->hash, 16, SQLITE_STATIC);
        sqlite3_bind_blob(g, 2, arena_str(b, it->grams), (int)it->grams.n, SQLITE_STATIC);
        if (step_done(R, g, "content_grams") < 0)
            return -1;
    } else {
        sqlite3_bind_int64(R->q_min_rank, 1, aid);
        if (sqlite3_step(R->q_min_rank) == SQLITE_ROW && sqlite3_column_text(R->q_min_rank, 0))
            snprintf(cur_rank, sizeof cur_rank, "%s", (const char *)sqlite3_column_text(R->q_min_rank, 0));
        sqlite3_reset(R->q_min_rank);
    }
    sqlite3_stmt *st = R->q_sight_ins;
    sqlite3_bind_int64(st, 1, aid);
    sqlite3_bind_int64(st, 2, in->file_id);
    sqlite3_bind_text(st, 3, in->label, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, (int64_t)it->offset);
    sqlite3_bind_int64(st, 5, (int64_t)it->page_no);
    sqlite3_bind_text(st, 6, it->role == DW_ROLE_MAIN ? "main" : "related", -1, SQLITE_STATIC);
    if (src_id)
        sqlite3_bind_int64(st, 7, src_id);
    else
        sqlite3_bind_null(st, 7);
    bind_ref(st, 8, b, it->source);
    if (it->published[0])
        sqlite3_bind_text(st, 9, it->published, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 9);
    bind_ref(st, 10, b, it->date_raw);
    bind_ref(st, 11, b, it->title);
    bind_ref(st, 12, b, it->url);
    bind_ref(st, 13, b, it->ext_id);
    sqlite3_bind_text(st, 14, dw_buf_str(rk), (int)rk->len, SQLITE_STATIC);
    if (step_done(R, st, "sightings") < 0)
        return -1;
    if (sqlite3_changes(R->db->h) == 0)
        return 0; /* seen in an earlier (interrupted) run */
    int64_t sid = sqlite3_last_insert_rowid(R->db->h);
    R->st->sightings++;
    if (fresh) {
        R->st->new_articles++;
    } else {
        R->st->duplicates++;
        if (strcmp(dw_buf_str(rk), cur_rank) < 0) {
            sqlite3_stmt *u = R->q_art_upd;
            bind_ref(u, 1, b, it->title);
            bind_ref(u, 2, b, it->body);
            if (it->published[0])
                sqlite3_bind_text(u, 3, it->published, -1, SQLITE_STATIC);
            else
                sqlite3_bind_null(u, 3);
            if (src_id)
                sqlite3_bind_int64(u, 4, src_id);
            else
                sqlite3_bind_null(u, 4);
            sqlite3_bind_int64(u, 5, aid);
            if (step_done(R, u, "articles") < 0)
                return -1;
        }
    }
    for (size_t k = 0; k < it->n_kw; k++) {
        const kwref *kw = &b->kws[it->kw_first + k];
        sqlite3_stmt *q = R->q_kw_ins;
        sqlite3_bind_int64(q, 1, aid);
        sqlite3_bind_int64(q, 2, sid);
        sqlite3_bind_int64(q, 3, (int64_t)k);
        bind_ref(q, 4, b, kw->raw);
        bind_ref(q, 5, b, kw->norm);
        if (step_done(R, q, "keywords") < 0)
            return -1;
    }
    R->uncommitted += it->body.n + it->title.n;
    return 0;
}

/* Forgets what an earlier ingest of a changed input stored. */
static int purge_file(run *R, const input *in)
{
    static const char *const sql[] = {
        "CREATE TEMP TABLE IF NOT EXISTS dw_affected(id INTEGER PRIMARY KEY)",
        "DELETE FROM dw_affected",
        "INSERT OR IGNORE INTO dw_affected SELECT article_id FROM sightings WHERE file_id = ?1",
        "DELETE FROM keywords WHERE sighting_id IN (SELECT id FROM sightings WHERE file_id = ?1)",
        "DELETE FROM sightings WHERE file_id = ?1",
        "DELETE FROM quarantine WHERE path = ?2",
        /* the 13-gram rows of the articles about to go (before them: keyed
         * by their content hash) */
        ("DELETE FROM content_grams WHERE content_hash IN (SELECT a.content_hash FROM articles a WHERE a.id IN "
         "(SELECT id FROM dw_affected) AND NOT EXISTS (SELECT 1 FROM sightings s WHERE s.article_id = a.id))"),
        ("DELETE FROM articles WHERE id IN (SELECT id FROM dw_affected) AND NOT EXISTS "
         "(SELECT 1 FROM sightings s WHERE s.article_id = articles.id)"),
        /* the new primary sighting gives title, date and outlet; the body
         * stays the stored one (bodies are not kept per sighting) */
        ("UPDATE articles SET (title, published, source_id) = (SELECT s.title, s.published, s.source_id "
         "FROM sightings s WHERE s.article_id = articles.id ORDER BY s.rank LIMIT 1) "
         "WHERE id IN (SELECT id FROM dw_affected)"),
    };
    for (size_t i = 0; i < sizeof sql / sizeof *sql; i++) {
        sqlite3_stmt *st = dw_db_prepare(R->db, sql[i], &R->err);
        if (!st) {
            R->rc = DW_EDB;
            return -1;
        }
        if (sqlite3_bind_parameter_count(st) >= 1)
            sqlite3_bind_int64(st, 1, in->file_id);
        if (sqlite3_bind_parameter_count(st) >= 2)
            sqlite3_bind_text(st, 2, in->label, -1, SQLITE_STATIC);
        int r = sqlite3_step(st);
        sqlite3_finalize(st);
        if (r != SQLITE_DONE) {
            R->rc = dw_db_fail(R->db, &R->err, "replacing a changed input");
            return -1;
        }
    }
    return 0;
}

/* Starts writing input in: purges a changed input and marks it partial. */
static int begin_file(run *R, input *in)
{
    if (tx_begin(R) < 0)
        return -1;
    if (in->purge && in->file_id && purge_file(R, in) < 0)
        return -1;
    sqlite3_stmt *st = R->q_file_upsert;
    sqlite3_bind_text(st, 1, in->label, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (int64_t)in->size);
    sqlite3_bind_int64(st, 3, in->mtime);
    if (R->o->encoding)
        sqlite3_bind_text(st, 4, R->o->encoding, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 4);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        in->file_id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (r != SQLITE_ROW) {
        R->rc = dw_db_fail(R->db, &R->err, "files");
        return -1;
    }
    return 0;
}

static void progress(run *R, const char *path, int force)
{
    if (!R->o->on_progress || !dw_progress_due(&R->last_progress, force))
        return;
    R->st->seconds = R->last_progress - R->t0;
    R->o->on_progress(R->o->ud, R->st, path);
}

/* Writes one item; the first item of an input starts it (begin_file), its
 * IT_FILE_END ends it. Returns -1 on a fatal (database) error. */
static int write_item(run *R, const batch *b, const item *it)
{
    input *in = &R->in.v[it->file];
    if (R->rc != DW_OK)
        return -1;
    if (in->todo == 1) { /* the input's first item */
        if (begin_file(R, in) < 0)
            return -1;
        in->todo = 2;
        in->purge = 0;
    }
    if (tx_begin(R) < 0)
        return -1;
    if (it->kind == IT_ARTICLE)
        return write_article(R, b, it, in);
    const char *msg = arena_str(b, it->msg);
    if (it->kind != IT_FILE_END) {
        if (it->offset == WHOLE)
            say(R, 0, "%s: %s", in->label, msg);
        else
            say(R, 0, "%s:%llu: %s", in->label, (unsigned long long)it->offset, msg);
        if (it->kind == IT_QUARANTINE &&
            quarantine(R, in->label, it->offset == WHOLE ? -1 : (int64_t)it->offset, msg) < 0)
            return -1;
        return 0;
    }
    R->st->raw_bytes += it->raw_bytes;
    R->st->bytes += it->bytes;
    R->st->pages += it->pages;
    R->st->bad_bytes += it->bad_bytes;
    if (it->failed) {
        input_failed(R, msg);
        if (quarantine(R, in->label, -1, msg) < 0)
            return -1;
    } else {
        R->st->files_done++;
    }
    sqlite3_stmt *st = R->q_file_done;
    sqlite3_bind_int64(st, 1, (int64_t)it->pages);
    sqlite3_bind_int64(st, 2, (int64_t)it->bad_bytes);
    sqlite3_bind_text(st, 3, it->failed ? "partial" : "done", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, it->format, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, in->file_id);
    if (step_done(R, st, "files") < 0)
        return -1;
    /* many small inputs share a transaction; an input's 'done' mark is always
     * committed with its last articles */
    if (R->uncommitted >= COMMIT_BYTES || dw_now_seconds() - R->last_commit >= 1.0) {
        if (tx_commit(R) < 0)
            return -1;
    }
    progress(R, in->label, 0);
    return 0;
}

/* ---- producers' threads ----------------------------------------------- */

typedef struct {
    run *R;  /* the run */
    int w;   /* producer number */
} worker_arg;

static void *worker_main(void *p)
{
    worker_arg *a = p;
    run *R = a->R;
    queue *q = &R->queues[a->w];
    producer *P = producer_new(R, q);
    int r = P ? 0 : -1;
    for (size_t i = (size_t)a->w; i < R->in.n && r == 0; i += (size_t)R->n_prod)
        if (R->in.v[i].todo)
            r = produce_file(P, i);
    if (P && producer_finish(P) < 0)
        r = -1;
    if (r < 0)
        queue_kill(q); /* out of memory (or the writer stopped): the writer must not wait */
    return NULL;
}

/* The writer's side in threaded mode: consumes the inputs in order, input i
 * from producer i % n_prod, whose batches hold its inputs in order. */
static void write_threaded(run *R)
{
    batch **cur = calloc((size_t)R->n_prod, sizeof *cur);
    size_t *pos = calloc((size_t)R->n_prod, sizeof *pos);
    if (!cur || !pos) {
        R->rc = dw_err_set(&R->err, DW_ENOMEM, "out of memory");
        free(cur);
        free(pos);
        return;
    }
    for (size_t i = 0; i < R->in.n && R->rc == DW_OK; i++) {
        if (!R->in.v[i].todo)
            continue;
        int w = (int)(i % (size_t)R->n_prod);
        for (;;) {
            if (!cur[w] || pos[w] == cur[w]->n) {
                batch_free(cur[w]);
                pos[w] = 0;
                if (!(cur[w] = queue_pop(&R->queues[w]))) {
                    R->rc = dw_err_set(&R->err, DW_ENOMEM, "out of memory");
                    break;
                }
                continue;
            }
            const item *it = &cur[w]->items[pos[w]++];
            if (write_item(R, cur[w], it) < 0 || it->kind == IT_FILE_END)
                break;
        }
    }
    for (int w = 0; w < R->n_prod; w++)
        batch_free(cur[w]);
    free(cur);
    free(pos);
}

/* ---- the run ---------------------------------------------------------- */

static const char *const SQL_ART_FIND = "SELECT id FROM articles WHERE content_hash = ?1";
static const char *const SQL_ART_INS =
    "INSERT INTO articles(content_hash, title, body, published, source_id, n_chars, n_tokens) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
/* keyed by content: a row already there (left by a purge of an older diwan)
 * holds the same hashes */
static const char *const SQL_GRAMS_INS = "INSERT OR REPLACE INTO content_grams(content_hash, grams) VALUES (?1, ?2)";
static const char *const SQL_ART_UPD =
    "UPDATE articles SET title = ?1, body = ?2, published = ?3, source_id = ?4 WHERE id = ?5";
static const char *const SQL_MIN_RANK = "SELECT min(rank) FROM sightings WHERE article_id = ?1";
static const char *const SQL_SIGHT_INS =
    "INSERT OR IGNORE INTO sightings(article_id, file_id, path, byte_offset, page_no, role, source_id, "
    "source_raw, published, date_raw, title, url, ext_id, rank) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";
static const char *const SQL_KW_INS =
    "INSERT OR IGNORE INTO keywords(article_id, sighting_id, position, keyword, keyword_norm) "
    "VALUES (?1, ?2, ?3, ?4, ?5)";
static const char *const SQL_QUAR_INS =
    "INSERT OR IGNORE INTO quarantine(path, byte_offset, reason) VALUES (?1, ?2, ?3)";
static const char *const SQL_FILE_GET =
    "SELECT id, size, mtime, status, coalesce(encoding, '') FROM files WHERE path = ?1";
static const char *const SQL_FILE_UPSERT =
    "INSERT INTO files(path, size, mtime, encoding, status) VALUES (?1, ?2, ?3, ?4, 'partial') "
    "ON CONFLICT(path) DO UPDATE SET size = excluded.size, mtime = excluded.mtime, "
    "encoding = excluded.encoding, status = 'partial' RETURNING id";
static const char *const SQL_FILE_DONE =
    "UPDATE files SET pages = ?1, bad_bytes = ?2, status = ?3, format = ?4, "
    "articles = (SELECT count(*) FROM sightings WHERE file_id = ?5) WHERE id = ?5";
static const char *const SQL_SRC_INS =
    "INSERT INTO sources(name, builtin) VALUES (?1, ?2) "
    "ON CONFLICT(name) DO UPDATE SET builtin = max(builtin, excluded.builtin)";
static const char *const SQL_SRC_ID = "SELECT id FROM sources WHERE name = ?1";
static const char *const SQL_ALIAS_GET =
    "SELECT a.source_id, s.builtin FROM source_aliases a JOIN sources s ON s.id = a.source_id "
    "WHERE a.alias = ?1";
static const char *const SQL_ALIAS_INS =
    "INSERT INTO source_aliases(alias, source_id, written) VALUES (?1, ?2, ?3) "
    "ON CONFLICT(alias) DO UPDATE SET source_id = excluded.source_id "
    "WHERE source_id <> excluded.source_id";

static int prepare_all(run *R)
{
    struct {
        sqlite3_stmt **st;
        const char *sql;
    } t[] = {
        {&R->q_art_find, SQL_ART_FIND}, {&R->q_art_ins, SQL_ART_INS},     {&R->q_grams_ins, SQL_GRAMS_INS},
        {&R->q_art_upd, SQL_ART_UPD},
        {&R->q_min_rank, SQL_MIN_RANK}, {&R->q_sight_ins, SQL_SIGHT_INS}, {&R->q_kw_ins, SQL_KW_INS},
        {&R->q_quar_ins, SQL_QUAR_INS}, {&R->q_file_get, SQL_FILE_GET},   {&R->q_file_upsert, SQL_FILE_UPSERT},
        {&R->q_file_done, SQL_FILE_DONE}, {&R->q_src_ins, SQL_SRC_INS},   {&R->q_src_id, SQL_SRC_ID},
        {&R->q_alias_ins, SQL_ALIAS_INS}, {&R->q_alias_get, SQL_ALIAS_GET},
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        if (!(*t[i].st = dw_db_prepare(R->db, t[i].sql, &R->err))) {
            R->rc = DW_EDB;
            return -1;
        }
    }
    return 0;
}

static void finalize_all(run *R)
{
    sqlite3_stmt *all[] = {R->q_art_find, R->q_art_ins,  R->q_grams_ins, R->q_art_upd,     R->q_min_rank, R->q_sight_ins,
                           R->q_kw_ins,   R->q_quar_ins, R->q_file_get,    R->q_file_upsert,
                           R->q_file_done, R->q_src_ins, R->q_src_id,      R->q_alias_ins,
                           R->q_alias_get};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        sqlite3_finalize(all[i]);
}

/* Loads the registry: database rows, then built-ins, then the user's file;
 * stores what is new and re-attributes outlets whose aliases moved. */
static int load_registry(run *R)
{
    sqlite3_stmt *st = dw_db_prepare(R->db,
                                     "SELECT a.written, s.name, s.builtin, s.id FROM source_aliases a "
                                     "JOIN sources s ON s.id = a.source_id ORDER BY s.builtin, a.alias",
                                     &R->err);
    if (!st) {
        R->rc = DW_EDB;
        return -1;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *w = (const char *)sqlite3_column_text(st, 0);
        int idx = dw_registry_add(R->reg, w, strlen(w), (const char *)sqlite3_column_text(st, 1),
                                  (dw_origin)sqlite3_column_int(st, 2));
        if (idx >= 0)
            dw_registry_set_db_id(R->reg, idx, sqlite3_column_int64(st, 3));
    }
    sqlite3_finalize(st);
    if (dw_registry_load_tsv(R->reg, dw_sources_tsv, strlen(dw_sources_tsv), "built-in sources",
                             DW_ORIGIN_BUILTIN, &R->err) != DW_OK) {
        R->rc = DW_EINTERNAL;
        return -1;
    }
    if (R->o->sources_file) {
        dw_rc rc = dw_registry_load_file(R->reg, R->o->sources_file, DW_ORIGIN_USER, &R->err);
        if (rc != DW_OK) {
            R->rc = rc;
            return -1;
        }
    }
    if (tx_begin(R) < 0)
        return -1;
    /* aliases loaded from the database may now name another outlet: the
     * whole registry is synced once */
    R->aliases_synced = 0;
    if (sync_aliases(R) < 0)
        return -1;
    return tx_commit(R);
}

/* Decides which inputs must be read: unchanged inputs already done are
 * skipped; unreadable ones are reported. */
static int plan_inputs(run *R)
{
    for (size_t i = 0; i < R->in.n; i++) {
        input *in = &R->in.v[i];
        struct stat st;
        if (stat(in->path, &st) != 0 || access(in->path, R_OK) != 0) {
            char msg[DW_ERR_MAX];
            snprintf(msg, sizeof msg, "cannot read %s: %s", in->label, strerror(errno));
            input_failed(R, msg);
            if (tx_begin(R) < 0 || quarantine(R, in->label, -1, msg) < 0)
                return -1;
            continue;
        }
        if (S_ISDIR(st.st_mode))
            continue;
        in->size = (uint64_t)st.st_size;
        in->mtime = in->spooled ? 0 : (int64_t)st.st_mtime;
        sqlite3_stmt *q = R->q_file_get;
        sqlite3_bind_text(q, 1, in->label, -1, SQLITE_STATIC);
        int r = sqlite3_step(q);
        in->todo = 1;
        if (r == SQLITE_ROW) {
            int same = (uint64_t)sqlite3_column_int64(q, 1) == in->size &&
                       sqlite3_column_int64(q, 2) == in->mtime &&
                       strcmp((const char *)sqlite3_column_text(q, 4), R->o->encoding ? R->o->encoding : "") == 0 &&
                       !R->o->reread;
            const char *status = (const char *)sqlite3_column_text(q, 3);
            in->file_id = sqlite3_column_int64(q, 0);
            if (same && strcmp(status, "done") == 0) {
                in->todo = 0;
                R->st->files_skipped++;
            } else if (!same) {
                in->purge = 1;
            }
        } else if (r != SQLITE_DONE) {
            sqlite3_reset(q);
            R->rc = dw_db_fail(R->db, &R->err, "files");
            return -1;
        }
        sqlite3_reset(q);
        if (in->todo)
            R->st->raw_total += in->size;
    }
    return 0;
}

dw_rc dw_ingest_run(const char *db_path, const char *const *inputs, int n_inputs, const dw_ingest_opts *o,
                    dw_ingest_stats *stats, dw_err *e)
{
    run R;
    memset(&R, 0, sizeof R);
    memset(stats, 0, sizeof *stats);
    R.o = o;
    R.st = stats;
    R.t0 = dw_now_seconds();
    R.last_commit = R.t0;
    char *spool = NULL;
    dw_rc rc = DW_OK;
    int have_stdin = 0;

    for (int i = 0; i < n_inputs && rc == DW_OK; i++) {
        struct stat st;
        if (strcmp(inputs[i], "-") == 0) {
            if (have_stdin++)
                continue;
            rc = spool_stdin(&R.in, o->tmpdir, &spool, e);
        } else if (stat(inputs[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            rc = walk_dir(&R.in, inputs[i], 0, e);
            if (rc == DW_EINPUT) {
                /* an unreadable folder is an input error: go on */
                input_failed(&R, e->msg);
                rc = DW_OK;
            }
        } else if (inputs_add(&R.in, inputs[i], inputs[i]) < 0) {
            rc = dw_err_set(e, DW_ENOMEM, "out of memory");
        }
    }
    if (rc != DW_OK)
        goto out;
    stats->inputs = R.in.n;

    if (o->encoding) {
        /* an unknown encoding is a usage error, before anything is read */
        dw_reader *probe = NULL;
        rc = dw_reader_open_mem(&probe, "", 0, "--encoding", o->encoding, e);
        dw_reader_close(probe);
        if (rc != DW_OK)
            goto out;
    }
    if ((rc = dw_db_open(&R.db, db_path, DW_DB_CREATE, o->norm_flags, e)) != DW_OK)
        goto out;
    if ((rc = dw_db_lock_writer(R.db, e)) != DW_OK)
        goto out;
    R.norm_flags = R.db->norm_flags;
    if (!(R.reg = dw_registry_new(R.norm_flags))) {
        rc = dw_err_set(e, DW_ENOMEM, "out of memory");
        goto out;
    }
    if (prepare_all(&R) < 0 || load_registry(&R) < 0 || plan_inputs(&R) < 0) {
        rc = R.rc;
        *e = R.err;
        goto out;
    }

    R.n_prod = o->threads > 1 ? o->threads - 1 : 0;
    if ((size_t)R.n_prod > R.in.n)
        R.n_prod = (int)R.in.n;
    if (R.n_prod == 0) {
        producer *P = producer_new(&R, NULL);
        int r = P ? 0 : -1;
        for (size_t i = 0; i < R.in.n && r == 0 && R.rc == DW_OK; i++)
            if (R.in.v[i].todo)
                r = produce_file(P, i);
        if (P && producer_finish(P) < 0)
            r = -1;
        if (r < 0 && R.rc == DW_OK)
            R.rc = dw_err_set(&R.err, DW_ENOMEM, "out of memory");
    } else {
        pthread_t *tids = calloc((size_t)R.n_prod, sizeof *tids);
        worker_arg *args = calloc((size_t)R.n_prod, sizeof *args);
        R.queues = calloc((size_t)R.n_prod, sizeof *R.queues);
        if (!tids || !args || !R.queues) {
            free(tids);
            free(args);
            free(R.queues);
            R.queues = NULL;
            rc = dw_err_set(e, DW_ENOMEM, "out of memory");
            goto out;
        }
        int started = 0;
        for (int w = 0; w < R.n_prod; w++)
            queue_init(&R.queues[w]);
        int terr = 0;
        for (int w = 0; w < R.n_prod; w++) {
            args[w] = (worker_arg){&R, w};
            if ((terr = pthread_create(&tids[w], NULL, worker_main, &args[w])) != 0)
                break;
            started++;
        }
        if (started < R.n_prod) /* EAGAIN: no memory for a thread's stack */
            R.rc = dw_err_set(&R.err, DW_ENOMEM, "out of memory: cannot start threads (%s)", strerror(terr));
        if (started == R.n_prod)
            write_threaded(&R);
        for (int w = 0; w < R.n_prod; w++)
            queue_stop(&R.queues[w]);
        for (int w = 0; w < started; w++)
            pthread_join(tids[w], NULL);
        for (int w = 0; w < R.n_prod; w++)
            queue_destroy(&R.queues[w]);
        free(R.queues);
        free(tids);
        free(args);
    }
    if (R.rc == DW_OK)
        tx_commit(&R);
    if (R.rc == DW_OK && !o->no_near_dup) {
        /* after the last commit, outside any transaction, still holding the
         * writer lock; it also finishes the work of a killed earlier run */
        dw_neardup_opts no;
        dw_neardup_stats nds;
        dw_neardup_opts_init(&no);
        no.threads = o->threads > 1 ? o->threads : 1;
        if (o->near_dup_threshold > 0)
            no.threshold = o->near_dup_threshold;
        dw_rc nrc = dw_neardup_run(R.db, &no, &nds, &R.err);
        if (nrc != DW_OK) {
            R.rc = nrc;
        } else {
            stats->near_dup_ran = 1;
            stats->nd_pairs = nds.pairs;
            stats->nd_clusters = nds.clusters;
            stats->nd_clustered = nds.clustered;
            stats->nd_seconds = nds.seconds;
        }
    }
    if (R.rc != DW_OK) {
        if (R.in_tx)
            sqlite3_exec(R.db->h, "ROLLBACK", NULL, NULL, NULL);
        rc = R.rc;
        *e = R.err;
    } else if (R.input_rc != DW_OK) {
        rc = dw_err_set(e, DW_EINPUT, "%llu input%s could not be read", (unsigned long long)stats->files_failed,
                        stats->files_failed == 1 ? "" : "s");
    }
    progress(&R, "", 1);

out:
    stats->seconds = dw_now_seconds() - R.t0;
    if (R.db) {
        finalize_all(&R);
        if (rc == DW_OK || rc == DW_EINPUT)
            sqlite3_exec(R.db->h, "PRAGMA optimize", NULL, NULL, NULL);
    }
    dw_registry_free(R.reg);
    dw_db_close(R.db);
    inputs_free(&R.in);
    dw_buf_free(&R.scratch);
    if (spool) {
        unlink(spool);
        free(spool);
    }
    return rc;
}
