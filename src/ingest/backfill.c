/* backfill.c: `diwan ingest --backfill`: the stored 13-gram samples
 * (content_grams) of articles ingested by a diwan that did not store them,
 * computed from their stored bodies as ingest computes them (see
 * ingest.h). */
#include <sqlite3.h>
#include <stdlib.h>

#include "core/buf.h"
#include "core/db.h"
#include "core/grams.h"
#include "core/norm.h"
#include "ingest/ingest.h"

#define BACKFILL_CHUNK 1000 /* articles per transaction */

/* Backfills up to BACKFILL_CHUNK articles with ids above *last, in one
 * transaction; advances *last and *added; *more = 0 when none was left. */
static dw_rc backfill_chunk(dw_db *db, int64_t *last, uint64_t *added, int *more, dw_buf *norm, dw_buf *grams,
                            dw_err *e)
{
    dw_rc rc = dw_db_exec(db, "BEGIN IMMEDIATE", e);
    if (rc != DW_OK)
        return rc;
    sqlite3_stmt *q = dw_db_prepare(db,
                                    "SELECT a.id, a.content_hash, a.body FROM articles a WHERE a.id > ?1 AND NOT EXISTS"
                                    " (SELECT 1 FROM content_grams g WHERE g.content_hash = a.content_hash)"
                                    " ORDER BY a.id LIMIT ?2",
                                    e);
    sqlite3_stmt *ins = q ? dw_db_prepare(db, "INSERT OR IGNORE INTO content_grams(content_hash, grams) VALUES (?1, ?2)",
                                          e)
                          : NULL;
    rc = ins ? DW_OK : DW_EDB;
    *more = 0;
    if (rc == DW_OK) {
        sqlite3_bind_int64(q, 1, *last);
        sqlite3_bind_int(q, 2, BACKFILL_CHUNK);
    }
    int r = SQLITE_DONE;
    while (rc == DW_OK && (r = sqlite3_step(q)) == SQLITE_ROW) {
        *more = 1;
        *last = sqlite3_column_int64(q, 0);
        const char *body = (const char *)sqlite3_column_text(q, 2);
        size_t blen = (size_t)sqlite3_column_bytes(q, 2);
        dw_buf_reset(norm); /* dw_norm_text appends */
        dw_buf_reset(grams);
        if (dw_norm_text(norm, body ? body : "", blen, db->norm_flags) < 0 ||
            dw_grams_sample(dw_buf_str(norm), norm->len, grams, NULL) < 0) {
            rc = dw_err_set(e, DW_ENOMEM, "out of memory");
            break;
        }
        sqlite3_bind_value(ins, 1, sqlite3_column_value(q, 1));
        /* a zero-length blob, not a NULL, when no 13-gram was sampled */
        sqlite3_bind_blob(ins, 2, grams->len ? grams->data : "", (int)grams->len, SQLITE_STATIC);
        if (sqlite3_step(ins) != SQLITE_DONE)
            rc = dw_db_fail(db, e, "backfill content_grams");
        else
            *added += (uint64_t)sqlite3_changes(db->h);
        sqlite3_reset(ins);
    }
    if (rc == DW_OK && r != SQLITE_DONE)
        rc = dw_db_fail(db, e, "backfill: read articles");
    sqlite3_finalize(q);
    sqlite3_finalize(ins);
    if (rc == DW_OK)
        return dw_db_exec(db, "COMMIT", e);
    sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

dw_rc dw_ingest_backfill(const char *db_path, uint64_t *added, dw_err *e)
{
    *added = 0;
    dw_db *db = NULL;
    dw_rc rc = dw_db_open(&db, db_path, 0, 0, e);
    if (rc == DW_OK)
        rc = dw_db_lock_writer(db, e);
    dw_buf norm = DW_BUF_INIT, grams = DW_BUF_INIT;
    int64_t last = 0;
    int more = 1;
    while (rc == DW_OK && more)
        rc = backfill_chunk(db, &last, added, &more, &norm, &grams, e);
    dw_buf_free(&norm);
    dw_buf_free(&grams);
    dw_db_close(db);
    return rc;
}
