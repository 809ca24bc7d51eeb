/* dbins.c: batched INSERTs through the eponymous virtual table dw_ins_rows
 * (see dbins.h). The table has DW_INS_MAXCOLS columns c0.. and a hidden
 * column p, the batch, bound with sqlite3_bind_pointer; a cursor decodes
 * the batch's rows in order.
 *
 * A cell in a buffer: a tag byte, then for INS_INT and INS_FLOAT 8 bytes
 * (the value's own bytes), for INS_TEXT and INS_BLOB a 4-byte length and
 * the bytes, for INS_NULL nothing. */
#include <stdlib.h>
#include <string.h>

#include "core/dbins.h"

#define DW_INS_PTYPE "dw_ins" /* pointer type of the bound batch */

enum { INS_NULL = 'n', INS_INT = 'i', INS_FLOAT = 'f', INS_TEXT = 't', INS_BLOB = 'b' };

struct dw_ins {
    dw_db *db;        /* the connection */
    sqlite3_stmt *st; /* INSERT INTO ... SELECT ... FROM dw_ins_rows(?1) */
    int ncols;        /* cells per row */
    dw_buf own;       /* the buffer of dw_ins_row */
};

/* A batch as bound to the statement. */
typedef struct {
    const dw_buf *rows; /* encoded rows */
    int ncols;          /* cells per row */
    int bad;            /* set by the cursor: rows do not decode */
} ins_batch;

/* ---- the virtual table ---- */

/* A decoded cell. */
typedef struct {
    char tag;        /* INS_* */
    int64_t i;       /* INS_INT */
    double d;        /* INS_FLOAT */
    const char *s;   /* INS_TEXT, INS_BLOB: bytes in the batch */
    uint32_t n;      /* and their length */
} ins_cell;

typedef struct {
    sqlite3_vtab base; /* must come first */
} ins_vtab;

typedef struct {
    sqlite3_vtab_cursor base;      /* must come first */
    ins_batch *b;                  /* the batch walked, or NULL */
    size_t off;                    /* offset of the row after the current one */
    int eof;                       /* 1: no current row */
    sqlite3_int64 row;             /* current row number */
    ins_cell cell[DW_INS_MAXCOLS]; /* the current row */
} ins_cursor;

static int ins_connect(sqlite3 *h, void *aux, int argc, const char *const *argv, sqlite3_vtab **out, char **err)
{
    (void)aux, (void)argc, (void)argv, (void)err;
    int rc = sqlite3_declare_vtab(h, "CREATE TABLE x(c0, c1, c2, c3, c4, c5, c6, c7, p HIDDEN)");
    if (rc != SQLITE_OK)
        return rc;
    ins_vtab *v = sqlite3_malloc(sizeof *v);
    if (!v)
        return SQLITE_NOMEM;
    memset(v, 0, sizeof *v);
    *out = &v->base;
    return SQLITE_OK;
}

static int ins_disconnect(sqlite3_vtab *v)
{
    sqlite3_free(v);
    return SQLITE_OK;
}

/* Only a scan with p = ? is possible. */
static int ins_best_index(sqlite3_vtab *v, sqlite3_index_info *ix)
{
    (void)v;
    for (int i = 0; i < ix->nConstraint; i++) {
        const struct sqlite3_index_constraint *c = &ix->aConstraint[i];
        if (c->iColumn == DW_INS_MAXCOLS && c->op == SQLITE_INDEX_CONSTRAINT_EQ) {
            if (!c->usable)
                return SQLITE_CONSTRAINT;
            ix->aConstraintUsage[i].argvIndex = 1;
            ix->aConstraintUsage[i].omit = 1;
            ix->estimatedCost = 1;
            return SQLITE_OK;
        }
    }
    return SQLITE_CONSTRAINT;
}

static int ins_open(sqlite3_vtab *v, sqlite3_vtab_cursor **out)
{
    (void)v;
    ins_cursor *c = sqlite3_malloc(sizeof *c);
    if (!c)
        return SQLITE_NOMEM;
    memset(c, 0, sizeof *c);
    *out = &c->base;
    return SQLITE_OK;
}

static int ins_close(sqlite3_vtab_cursor *c)
{
    sqlite3_free(c);
    return SQLITE_OK;
}

/* Decodes the row at c->off into c->cell; sets eof at the end, and the
 * batch's bad flag (and eof) when the bytes are not whole rows. */
static void ins_decode(ins_cursor *c)
{
    const dw_buf *r = c->b ? c->b->rows : NULL;
    if (!r || c->off >= r->len) {
        c->eof = 1;
        return;
    }
    const unsigned char *p = (const unsigned char *)r->data;
    size_t off = c->off, len = r->len;
    for (int i = 0; i < c->b->ncols; i++) {
        ins_cell *x = &c->cell[i];
        if (off >= len)
            goto bad;
        x->tag = (char)p[off++];
        switch (x->tag) {
        case INS_NULL: break;
        case INS_INT:
        case INS_FLOAT:
            if (len - off < 8)
                goto bad;
            if (x->tag == INS_INT)
                memcpy(&x->i, p + off, 8);
            else
                memcpy(&x->d, p + off, 8);
            off += 8;
            break;
        case INS_TEXT:
        case INS_BLOB:
            if (len - off < 4)
                goto bad;
            memcpy(&x->n, p + off, 4);
            off += 4;
            if (len - off < x->n)
                goto bad;
            x->s = (const char *)p + off;
            off += x->n;
            break;
        default: goto bad;
        }
    }
    c->off = off;
    return;
bad:
    c->b->bad = 1;
    c->eof = 1;
}

static int ins_filter(sqlite3_vtab_cursor *cur, int idx, const char *idxs, int argc, sqlite3_value **argv)
{
    (void)idx, (void)idxs;
    ins_cursor *c = (ins_cursor *)cur;
    c->b = argc >= 1 ? sqlite3_value_pointer(argv[0], DW_INS_PTYPE) : NULL;
    c->off = 0;
    c->eof = 0;
    c->row = 0;
    ins_decode(c);
    return SQLITE_OK;
}

static int ins_next(sqlite3_vtab_cursor *cur)
{
    ins_cursor *c = (ins_cursor *)cur;
    c->row++;
    ins_decode(c);
    return SQLITE_OK;
}

static int ins_eof(sqlite3_vtab_cursor *cur) { return ((const ins_cursor *)cur)->eof; }

static int ins_column(sqlite3_vtab_cursor *cur, sqlite3_context *cx, int col)
{
    const ins_cursor *c = (const ins_cursor *)cur;
    if (col >= c->b->ncols)
        return SQLITE_OK; /* NULL */
    const ins_cell *x = &c->cell[col];
    switch (x->tag) {
    case INS_INT: sqlite3_result_int64(cx, x->i); break;
    case INS_FLOAT: sqlite3_result_double(cx, x->d); break;
    case INS_TEXT:
        /* the batch does not change while the statement runs; a NULL
         * pointer would make the empty text a NULL */
        sqlite3_result_text64(cx, x->n ? x->s : "", x->n, SQLITE_STATIC, SQLITE_UTF8);
        break;
    case INS_BLOB: sqlite3_result_blob64(cx, x->n ? x->s : "", x->n, SQLITE_STATIC); break;
    default: break;
    }
    return SQLITE_OK;
}

static int ins_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *id)
{
    *id = ((const ins_cursor *)cur)->row;
    return SQLITE_OK;
}

static const sqlite3_module ins_module = {
    .iVersion = 0,
    .xCreate = NULL, /* eponymous only */
    .xConnect = ins_connect,
    .xBestIndex = ins_best_index,
    .xDisconnect = ins_disconnect,
    .xOpen = ins_open,
    .xClose = ins_close,
    .xFilter = ins_filter,
    .xNext = ins_next,
    .xEof = ins_eof,
    .xColumn = ins_column,
    .xRowid = ins_rowid,
};

int dw_ins_register(sqlite3 *h) { return sqlite3_create_module(h, "dw_ins_rows", &ins_module, NULL); }

/* ---- cells ---- */

static int ins_put(dw_buf *b, char tag, const void *p, size_t n)
{
    if (dw_buf_grow(b, 1 + n) < 0)
        return -1;
    b->data[b->len++] = tag;
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
    return 0;
}

int dw_ins_put_int(dw_buf *b, int64_t v) { return ins_put(b, INS_INT, &v, 8); }

int dw_ins_put_double(dw_buf *b, double v) { return ins_put(b, INS_FLOAT, &v, 8); }

int dw_ins_put_ratio(dw_buf *b, int64_t num, uint64_t den)
{
    return den == 1 ? dw_ins_put_int(b, num) : dw_ins_put_double(b, (double)num / (double)den);
}

int dw_ins_put_null(dw_buf *b) { return ins_put(b, INS_NULL, "", 0); }

/* A cell of n bytes with its length. */
static int ins_put_bytes(dw_buf *b, char tag, const void *s, size_t n)
{
    uint32_t len = (uint32_t)n;
    if (n > UINT32_MAX || dw_buf_grow(b, 5 + n) < 0)
        return -1;
    ins_put(b, tag, &len, 4); /* room made above */
    if (n)
        memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = 0;
    return 0;
}

int dw_ins_put_text(dw_buf *b, const char *s, size_t n) { return ins_put_bytes(b, INS_TEXT, s, n); }

int dw_ins_put_blob(dw_buf *b, const void *p, size_t n) { return ins_put_bytes(b, INS_BLOB, p, n); }

/* ---- batches ---- */

dw_rc dw_ins_open(dw_db *db, const char *into, int ncols, dw_ins **out, dw_err *e)
{
    *out = NULL;
    if (ncols < 1 || ncols > DW_INS_MAXCOLS)
        return dw_err_set(e, DW_EINTERNAL, "insert into %s: %d columns", into, ncols);
    dw_buf sql = DW_BUF_INIT;
    int bad = dw_buf_printf(&sql, "INSERT INTO %s SELECT ", into) < 0;
    for (int i = 0; i < ncols && !bad; i++)
        bad = dw_buf_printf(&sql, "%sc%d", i ? ", " : "", i) < 0;
    bad = bad || dw_buf_puts(&sql, " FROM dw_ins_rows(?1)") < 0;
    dw_ins *ins = bad ? NULL : calloc(1, sizeof *ins);
    if (!ins) {
        dw_buf_free(&sql);
        return dw_err_set(e, DW_ENOMEM, "out of memory");
    }
    ins->db = db;
    ins->ncols = ncols;
    ins->st = dw_db_prepare(db, sql.data, e);
    dw_buf_free(&sql);
    if (!ins->st) {
        dw_ins_free(ins);
        return DW_EDB;
    }
    *out = ins;
    return DW_OK;
}

dw_rc dw_ins_exec(dw_ins *ins, dw_buf *rows, dw_err *e)
{
    if (!rows->len)
        return DW_OK;
    ins_batch b = {rows, ins->ncols, 0};
    sqlite3_bind_pointer(ins->st, 1, &b, DW_INS_PTYPE, NULL);
    dw_rc rc = sqlite3_step(ins->st) == SQLITE_DONE ? DW_OK : dw_db_fail(ins->db, e, "insert");
    sqlite3_reset(ins->st);
    sqlite3_bind_null(ins->st, 1);
    if (rc == DW_OK && b.bad)
        rc = dw_err_set(e, DW_EINTERNAL, "insert: a batch of %zu bytes is not whole rows of %d cells", rows->len,
                        ins->ncols);
    dw_buf_reset(rows);
    return rc;
}

dw_buf *dw_ins_buf(dw_ins *ins) { return &ins->own; }

dw_rc dw_ins_row(dw_ins *ins, dw_err *e)
{
    return ins->own.len >= DW_INS_BATCH_BYTES ? dw_ins_exec(ins, &ins->own, e) : DW_OK;
}

dw_rc dw_ins_flush(dw_ins *ins, dw_err *e) { return dw_ins_exec(ins, &ins->own, e); }

void dw_ins_free(dw_ins *ins)
{
    if (!ins)
        return;
    sqlite3_finalize(ins->st);
    dw_buf_free(&ins->own);
    free(ins);
}
