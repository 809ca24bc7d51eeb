/* db.h: opening a diwan database and small SQLite helpers. The schema itself
 * lives in schema.sql (embedded as dw_schema_sql); this module applies it,
 * checks the schema and normalization versions in meta, and sets the pragmas
 * every connection needs (WAL, busy timeout). */
#ifndef DW_DB_H
#define DW_DB_H

#include <sqlite3.h>
#include <stdint.h>

#include "core/dw.h"

#define DW_SCHEMA_VERSION 1

extern const char dw_schema_sql[];

enum {
    DW_DB_READONLY = 1u << 0, /* open an existing database read-only */
    DW_DB_CREATE = 1u << 1    /* create it (and the schema) when missing */
};

typedef struct {
    sqlite3 *h;         /* the connection (owned) */
    char *path;         /* database path (owned) */
    unsigned norm_flags; /* normalization flags fixed when the database was created */
    int lock_fd;        /* writer lock file descriptor, or -1 */
} dw_db;

/* Opens path. With DW_DB_CREATE a missing database is created with the
 * schema, and norm_flags are recorded; an existing database keeps the flags it
 * was created with (db->norm_flags). Readers get DW_DB_READONLY and never
 * create anything. Returns DW_OK and a db to close with dw_db_close, or
 * DW_EDB with a message naming path and cause (not a database, newer schema,
 * other normalization version). */
dw_rc dw_db_open(dw_db **out, const char *path, unsigned flags, unsigned norm_flags, dw_err *e);

/* Closes the connection (checkpointing the WAL) and frees db; accepts NULL. */
void dw_db_close(dw_db *db);

/* Takes the writer lock (a flock on "<path>.lock"): two writers on one
 * database fail clearly instead of interleaving. DW_EDB when it is held. */
dw_rc dw_db_lock_writer(dw_db *db, dw_err *e);

/* Runs SQL without results; DW_EDB with sqlite's message on failure. */
dw_rc dw_db_exec(dw_db *db, const char *sql, dw_err *e);

/* Prepares sql; on failure returns NULL and fills e. Caller finalizes. */
sqlite3_stmt *dw_db_prepare(dw_db *db, const char *sql, dw_err *e);

/* Fills e with "<what>: <sqlite message>" and returns DW_EDB (or DW_EIO for
 * a full disk or I/O error, DW_ENOMEM for out of memory). */
dw_rc dw_db_fail(dw_db *db, dw_err *e, const char *what);

/* Reads meta key into buf (NUL-terminated). 1 if found, 0 if not, -1 error. */
int dw_db_meta_get(dw_db *db, const char *key, char *buf, size_t cap);
dw_rc dw_db_meta_set(dw_db *db, const char *key, const char *value, dw_err *e);

/* Runs a query returning one integer (first column of first row); 0 when no
 * row. Returns DW_OK or DW_EDB. */
dw_rc dw_db_int(dw_db *db, const char *sql, int64_t *out, dw_err *e);

/* 1 when the database has a table of that name (a database written by an
 * older diwan and opened read-only may lack the newer ones), else 0. */
int dw_db_has_table(dw_db *db, const char *name);

#endif
