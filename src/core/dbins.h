/* dbins.h: batched INSERTs through a virtual table. Rows are written into a
 * buffer (a dw_buf of encoded cells) and handed to SQLite a batch at a time
 * by one `INSERT INTO t(cols) SELECT c0, c1, ... FROM dw_ins_rows(?1)`,
 * which walks the batch: one statement execution per batch instead of one
 * bind, step and reset per row (about half the cost of a row for the
 * statistics tables). The rows, their values and their order are exactly
 * those given.
 *
 * Rows can be built on another thread than the one inserting them (a
 * buffer is plain bytes: pass it through core/bqueue), or with the
 * dw_ins's own buffer:
 *
 *     dw_ins_open(db, "t(a, b)", 2, &ins, e);
 *     per row: dw_ins_put_int(dw_ins_buf(ins), 1); dw_ins_put_text(...);
 *              dw_ins_row(ins, e);      (inserts when the buffer is full)
 *     dw_ins_flush(ins, e); dw_ins_free(ins);
 *
 * Memory: a buffer of about DW_INS_BATCH_BYTES. Not thread-safe: one
 * thread uses a dw_ins (and its connection) at a time. */
#ifndef DW_DBINS_H
#define DW_DBINS_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/db.h"
#include "core/dw.h"

#define DW_INS_MAXCOLS 8                /* most columns of a row */
#define DW_INS_BATCH_BYTES (256u << 10) /* dw_ins_row inserts a buffer this full */

typedef struct dw_ins dw_ins;

/* Registers the virtual table on a connection (dw_db_open does, once).
 * Returns SQLite's result code. */
int dw_ins_register(sqlite3 *h);

/* Prepares the insert into `into`, a table name followed by its ncols
 * columns in parentheses ("stats_cooc(term_a, term_b, count)"); 1 <= ncols
 * <= DW_INS_MAXCOLS. Returns DW_OK and *out (free with dw_ins_free), or
 * DW_EDB / DW_ENOMEM / DW_EINTERNAL with a message. */
dw_rc dw_ins_open(dw_db *db, const char *into, int ncols, dw_ins **out, dw_err *e);

/* Append one cell to a buffer of rows: a row is ncols cells in column
 * order. Text is copied. Return 0, or -1 when out of memory (the buffer is
 * then unusable: reset it). */
int dw_ins_put_int(dw_buf *b, int64_t v);
int dw_ins_put_double(dw_buf *b, double v);
/* num / den (den >= 1): an integer cell when den is 1, else a float one
 * (counts kept as whole multiples of 1/den, written as SQLite would read
 * them back). */
int dw_ins_put_ratio(dw_buf *b, int64_t num, uint64_t den);
int dw_ins_put_text(dw_buf *b, const char *s, size_t n);
int dw_ins_put_blob(dw_buf *b, const void *p, size_t n);
int dw_ins_put_null(dw_buf *b);

/* Inserts the whole rows of rows (ncols cells each), then resets rows.
 * DW_OK, or DW_EDB with SQLite's message (constraint, disk full...), or
 * DW_EINTERNAL when rows does not hold whole rows; the batch is dropped
 * either way, partly inserted as SQLite left it (the caller rolls back). */
dw_rc dw_ins_exec(dw_ins *ins, dw_buf *rows, dw_err *e);

/* The dw_ins's own buffer, for dw_ins_row / dw_ins_flush. */
dw_buf *dw_ins_buf(dw_ins *ins);
/* Ends a row of the own buffer; inserts the buffer once it holds
 * DW_INS_BATCH_BYTES. DW_OK or as dw_ins_exec. */
dw_rc dw_ins_row(dw_ins *ins, dw_err *e);
/* Inserts what the own buffer holds. DW_OK or as dw_ins_exec. */
dw_rc dw_ins_flush(dw_ins *ins, dw_err *e);

/* Finalizes the statement and frees ins with its buffer (rows not inserted
 * are dropped); accepts NULL. */
void dw_ins_free(dw_ins *ins);

#endif
