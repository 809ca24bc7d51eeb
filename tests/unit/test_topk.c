/* test_topk.c: the first k rows of a stream of terms in `diwan top`'s two
 * orders (stats/topk.h), checked against SQLite's ORDER BY ... LIMIT over
 * the whole stream: many ties in count and df, terms that are prefixes of
 * others or hold NUL bytes, huge terms replaced by small ones, k of 1, a
 * few, more than the stream, and one selection reused for several
 * streams. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/db.h"
#include "core/dbins.h"
#include "helpers.h"
#include "stats/topk.h"

/* Rows of a query, tab-separated, a line each (terms shown with NUL as \0). */
static char *dump(dw_db *db, const char *sql, int64_t bucket, int n, const char *by, long k)
{
    sqlite3_stmt *st;
    cr_assert_eq(sqlite3_prepare_v2(db->h, sql, -1, &st, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db->h));
    sqlite3_bind_int64(st, 1, bucket);
    sqlite3_bind_int(st, 2, n);
    sqlite3_bind_text(st, 3, by, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, k);
    dw_buf b = DW_BUF_INIT;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *t = sqlite3_column_blob(st, 0);
        int len = sqlite3_column_bytes(st, 0);
        for (int i = 0; i < len; i++)
            dw_buf_puts(&b, t[i] ? (char[2]){t[i], 0} : "\\0");
        dw_buf_printf(&b, "\t%lld\t%lld\n", (long long)sqlite3_column_int64(st, 1),
                      (long long)sqlite3_column_int64(st, 2));
    }
    sqlite3_finalize(st);
    return dw_buf_detach(&b, NULL);
}

Test(topk, first_rows_equal_sqlite_order_by, .timeout = 120)
{
    char *tmp = dwt_tmpdir();
    char path[4200];
    snprintf(path, sizeof path, "%s/t.db", tmp);
    dw_db *db = NULL;
    dw_err e = {{0}};
    cr_assert_eq(dw_db_open(&db, path, DW_DB_CREATE, 0, &e), DW_OK, "%s", e.msg);
    cr_assert_eq(sqlite3_exec(db->h, "CREATE TABLE stream(bucket, n, term BLOB, count, df)", NULL, NULL, NULL),
                 SQLITE_OK);
    static const size_t ks[] = {1, 3, 50, 1000};
    uint64_t st = 0x9E3779B97F4A7C15ull;
    for (size_t ki = 0; ki < sizeof ks / sizeof *ks; ki++) {
        dw_topk *t = dw_topk_new(ks[ki]);
        cr_assert_not_null(t);
        dw_buf rows = DW_BUF_INIT;
        sqlite3_stmt *ins;
        cr_assert_eq(sqlite3_prepare_v2(db->h, "INSERT INTO stream VALUES (?1, ?2, ?3, ?4, ?5)", -1, &ins, NULL), 0);
        for (int g = 0; g < 4; g++) { /* streams of 0, 7, 300 and 2500 terms */
            static const int sizes[] = {0, 7, 300, 2500};
            int64_t bucket = (int64_t)ki * 10 + g + 1;
            static char term[20032];
            for (int i = 0; i < sizes[g]; i++) {
                /* distinct terms: a prefix family with NUL bytes and tails,
                 * and now and then a huge one (its room is let go when a
                 * small term takes its place) */
                int len = snprintf(term, 32, "w%d", i / 3);
                if (i % 3 == 1)
                    term[len++] = '\0';
                else if (i % 3 == 2)
                    len += snprintf(term + len, 32 - (size_t)len, "x");
                if (i % 41 == 5) {
                    memset(term + len, 'y', 20000);
                    len += 20000;
                }
                st ^= st << 13, st ^= st >> 7, st ^= st << 17;
                int64_t count = (int64_t)(st % 7) + 1, df = (int64_t)((st >> 8) % 5) + 1;
                cr_assert_eq(dw_topk_add(t, term, (size_t)len, count, df), 0);
                sqlite3_bind_int64(ins, 1, bucket);
                sqlite3_bind_int(ins, 2, 2);
                sqlite3_bind_blob(ins, 3, term, len, SQLITE_TRANSIENT);
                sqlite3_bind_int64(ins, 4, count);
                sqlite3_bind_int64(ins, 5, df);
                cr_assert_eq(sqlite3_step(ins), SQLITE_DONE);
                sqlite3_reset(ins);
            }
            long got = dw_topk_put_rows(t, bucket, 2, &rows);
            long want = 2 * (sizes[g] < (int)ks[ki] ? sizes[g] : (long)ks[ki]);
            cr_assert_eq(got, want, "k %zu, stream %d: %ld rows", ks[ki], g, got);
        }
        sqlite3_finalize(ins);
        dw_ins *wr = NULL;
        cr_assert_eq(dw_ins_open(db, "stats_top(bucket, n, by, rank, term, count, df)", 7, &wr, &e), DW_OK, "%s",
                     e.msg);
        cr_assert_eq(dw_ins_exec(wr, &rows, &e), DW_OK, "%s", e.msg);
        dw_ins_free(wr);
        dw_buf_free(&rows);
        dw_topk_free(t);
        for (int g = 0; g < 4; g++) {
            int64_t bucket = (int64_t)ki * 10 + g + 1;
            for (int o = 0; o < 2; o++) {
                const char *by = o ? "df" : "count";
                char *want = dump(db,
                                  o ? "SELECT term, count, df FROM stream WHERE bucket = ?1 AND n = ?2 AND ?3 = 'df'"
                                      " ORDER BY df DESC, count DESC, term LIMIT ?4"
                                    : "SELECT term, count, df FROM stream WHERE bucket = ?1 AND n = ?2"
                                      " AND ?3 = 'count' ORDER BY count DESC, df DESC, term LIMIT ?4",
                                  bucket, 2, by, (long)ks[ki]);
                char *got = dump(db,
                                 "SELECT CAST(term AS BLOB), count, df FROM stats_top WHERE bucket = ?1 AND n = ?2"
                                 " AND by = ?3 AND rank <= ?4 ORDER BY rank",
                                 bucket, 2, by, (long)ks[ki]);
                cr_expect_str_eq(got, want, "k %zu, stream %d, by %s", ks[ki], g, by);
                free(want);
                free(got);
            }
        }
    }
    dw_db_close(db);
    dwt_rmtree(tmp);
    free(tmp);
}

Test(topk, zero_k_and_free_null)
{
    cr_expect_null(dw_topk_new(0));
    dw_topk_free(NULL);
}
