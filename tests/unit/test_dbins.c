/* test_dbins.c: batched inserts through the dw_ins_rows virtual table give
 * the same rows, types and order as one bind/step per row, across several
 * batches; an empty text stays empty; a constraint failure is reported. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/db.h"
#include "core/dbins.h"
#include "helpers.h"

#define NROWS 20000 /* several batches of DW_INS_BATCH_BYTES, the last partial */

/* A database in a fresh folder (close it with close_db). */
static dw_db *open_db(char **dir)
{
    *dir = dwt_tmpdir();
    char p[4096];
    snprintf(p, sizeof p, "%s/t.db", *dir);
    dw_db *db = NULL;
    dw_err e;
    cr_assert_eq(dw_db_open(&db, p, DW_DB_CREATE, 0, &e), DW_OK, "%s", e.msg);
    return db;
}

/* A fresh database with the table create makes, and a dw_ins into it
 * (into, ncols as dw_ins_open). */
static dw_ins *open_ins(const char *create, const char *into, int ncols, dw_db **db, char **dir)
{
    *db = open_db(dir);
    dw_err e;
    cr_assert_eq(dw_db_exec(*db, create, &e), DW_OK, "%s", e.msg);
    dw_ins *ins = NULL;
    cr_assert_eq(dw_ins_open(*db, into, ncols, &ins, &e), DW_OK, "%s", e.msg);
    return ins;
}

static void close_db(dw_db *db, char *dir)
{
    dw_db_close(db);
    dwt_rmtree(dir);
    free(dir);
}

/* The cells of row i: a number, a fraction (NULL every 7th row), a text
 * (empty every 5th row, with a quote, a comma and Arabic) and a text
 * bound as a number of digits. */
static void row_cells(int i, int64_t *a, double *b, int *bnull, char *c, size_t cn)
{
    *a = (int64_t)i * 1000003 - 7;
    *b = i / 3.0;
    *bnull = i % 7 == 0;
    if (i % 5 == 0)
        c[0] = 0;
    else
        snprintf(c, cn, "كلمة \"%d\", %x", i, i);
}

Test(dbins, same_rows_as_bind_and_step)
{
    char *dir;
    dw_db *db;
    dw_ins *ins = open_ins("CREATE TABLE t(a INTEGER, b REAL, c TEXT, d); CREATE TABLE u(a INTEGER, b REAL, c TEXT, d)",
                           "t(a, b, c, d)", 4, &db, &dir);
    dw_err e;
    sqlite3_stmt *st = dw_db_prepare(db, "INSERT INTO u(a, b, c, d) VALUES (?1, ?2, ?3, ?4)", &e);
    cr_assert_not_null(st, "%s", e.msg);
    dw_buf *rows = dw_ins_buf(ins);
    int64_t seen = 0; /* rows in t while filling: batches go in whole */
    for (int i = 0; i < NROWS; i++) {
        int64_t a;
        double b;
        int bnull;
        char c[64];
        row_cells(i, &a, &b, &bnull, c, sizeof c);
        cr_assert_eq(dw_ins_put_int(rows, a), 0);
        cr_assert_eq(bnull ? dw_ins_put_null(rows) : dw_ins_put_double(rows, b), 0);
        cr_assert_eq(dw_ins_put_text(rows, c, strlen(c)), 0);
        cr_assert_eq(dw_ins_put_int(rows, i % 2 ? -i : i), 0);
        cr_assert_eq(dw_ins_row(ins, &e), DW_OK, "%s", e.msg);
        sqlite3_bind_int64(st, 1, a);
        if (bnull)
            sqlite3_bind_null(st, 2);
        else
            sqlite3_bind_double(st, 2, b);
        sqlite3_bind_text(st, 3, c, (int)strlen(c), SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, i % 2 ? -i : i);
        cr_assert_eq(sqlite3_step(st), SQLITE_DONE);
        sqlite3_reset(st);
        int64_t n = -1;
        cr_assert_eq(dw_db_int(db, "SELECT count(*) FROM t", &n, &e), DW_OK);
        cr_assert(n == seen || (n > seen && n == i + 1), "row %d: %lld rows in t after %lld", i, (long long)n,
                  (long long)seen);
        seen = n;
    }
    cr_assert(seen > 0 && seen < NROWS, "%lld rows inserted before the flush", (long long)seen);
    sqlite3_finalize(st);
    cr_assert_eq(dw_ins_flush(ins, &e), DW_OK, "%s", e.msg);
    dw_ins_free(ins);
    int64_t n = 0, diff = -1, empty = -1;
    cr_assert_eq(dw_db_int(db, "SELECT count(*) FROM t", &n, &e), DW_OK);
    cr_assert_eq(n, NROWS);
    /* same values, types and order (rowid) */
    cr_assert_eq(dw_db_int(db,
                           "SELECT count(*) FROM (SELECT rowid, a, typeof(a), b, typeof(b), c, typeof(c), d, typeof(d)"
                           " FROM t EXCEPT SELECT rowid, a, typeof(a), b, typeof(b), c, typeof(c), d, typeof(d) FROM u)",
                           &diff, &e),
                 DW_OK, "%s", e.msg);
    cr_assert_eq(diff, 0);
    cr_assert_eq(dw_db_int(db, "SELECT count(*) FROM t WHERE c = ''", &empty, &e), DW_OK);
    cr_assert_eq(empty, (NROWS + 4) / 5, "empty texts: %lld", (long long)empty);
    close_db(db, dir);
}

Test(dbins, constraint_failure_is_reported)
{
    char *dir;
    dw_db *db;
    dw_ins *ins = open_ins("CREATE TABLE k(x TEXT PRIMARY KEY) WITHOUT ROWID", "k(x)", 1, &db, &dir);
    dw_err e;
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(dw_ins_put_text(dw_ins_buf(ins), "same", 4), 0);
        cr_assert_eq(dw_ins_row(ins, &e), DW_OK, "%s", e.msg);
    }
    cr_assert_eq(dw_ins_flush(ins, &e), DW_EDB);
    cr_assert(strstr(e.msg, "UNIQUE constraint failed") != NULL, "%s", e.msg);
    /* the batch is dropped: the next one goes in */
    cr_assert_eq(dw_ins_put_text(dw_ins_buf(ins), "other", 5), 0);
    cr_assert_eq(dw_ins_row(ins, &e), DW_OK, "%s", e.msg);
    cr_assert_eq(dw_ins_flush(ins, &e), DW_OK, "%s", e.msg);
    cr_assert_eq(dw_ins_flush(ins, &e), DW_OK, "%s", e.msg); /* nothing left: no-op */
    dw_ins_free(ins);
    dw_ins_free(NULL);
    int64_t n = 0;
    cr_assert_eq(dw_db_int(db, "SELECT count(*) FROM k WHERE x = 'other'", &n, &e), DW_OK);
    cr_assert_eq(n, 1);
    cr_assert_eq(dw_ins_open(db, "k(x)", DW_INS_MAXCOLS + 1, &ins, &e), DW_EINTERNAL);
    cr_assert_null(ins);
    close_db(db, dir);
}

Test(dbins, a_batch_of_partial_rows_is_refused)
{
    char *dir;
    dw_db *db;
    dw_ins *ins = open_ins("CREATE TABLE p(a, b)", "p(a, b)", 2, &db, &dir);
    dw_err e;
    /* rows built apart, as on another thread: two whole rows and a half */
    dw_buf rows = DW_BUF_INIT;
    for (int i = 0; i < 5; i++)
        cr_assert_eq(dw_ins_put_int(&rows, i), 0);
    cr_assert_eq(dw_ins_exec(ins, &rows, &e), DW_EINTERNAL);
    cr_assert(strstr(e.msg, "not whole rows of 2 cells") != NULL, "%s", e.msg);
    cr_assert_eq(rows.len, 0); /* dropped */
    /* bytes that are no cell at all */
    dw_buf_puts(&rows, "garbage");
    cr_assert_eq(dw_ins_exec(ins, &rows, &e), DW_EINTERNAL);
    /* and a good batch after */
    cr_assert_eq(dw_ins_put_text(&rows, "", 0), 0);
    cr_assert_eq(dw_ins_put_double(&rows, 0.5), 0);
    cr_assert_eq(dw_ins_exec(ins, &rows, &e), DW_OK, "%s", e.msg);
    int64_t n = -1;
    cr_assert_eq(dw_db_int(db, "SELECT count(*) FROM p WHERE a = '' AND b = 0.5", &n, &e), DW_OK);
    cr_assert_eq(n, 1);
    /* a blob stays a blob, bytes and all */
    cr_assert_eq(dw_ins_put_blob(&rows, "\0\1\2", 3), 0);
    cr_assert_eq(dw_ins_put_null(&rows), 0);
    cr_assert_eq(dw_ins_exec(ins, &rows, &e), DW_OK, "%s", e.msg);
    cr_assert_eq(dw_db_int(db, "SELECT count(*) FROM p WHERE typeof(a) = 'blob' AND a = x'000102' AND b IS NULL", &n,
                           &e),
                 DW_OK);
    cr_assert_eq(n, 1);
    dw_buf_free(&rows);
    dw_ins_free(ins);
    close_db(db, dir);
}

/* dw_ins_put_ratio: an integer cell over 1, a float one otherwise, exact
 * for counts that are multiples of 1/den (harmonic pair counts) */
Test(dbins, ratio_cells)
{
    char *dir;
    dw_db *db;
    dw_ins *ins = open_ins("CREATE TABLE r(x NUMERIC)", "r(x)", 1, &db, &dir);
    dw_err e;
    static const int64_t num[] = {7, 30, 1, 232792560};
    static const uint64_t den[] = {1, 20, 3, 232792560};
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(dw_ins_put_ratio(dw_ins_buf(ins), num[i], den[i]), 0);
        cr_assert_eq(dw_ins_row(ins, &e), DW_OK, "%s", e.msg);
    }
    cr_assert_eq(dw_ins_flush(ins, &e), DW_OK, "%s", e.msg);
    dw_ins_free(ins);
    sqlite3_stmt *st = dw_db_prepare(db, "SELECT typeof(x), x FROM r ORDER BY rowid", &e);
    cr_assert_not_null(st, "%s", e.msg);
    static const char *const want[] = {"integer 7", "real 1.5", "real 0.333333333333333", "integer 1"};
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
        char got[64];
        snprintf(got, sizeof got, "%s %s", (const char *)sqlite3_column_text(st, 0),
                 (const char *)sqlite3_column_text(st, 1));
        cr_expect_str_eq(got, want[i], "row %d", i);
    }
    sqlite3_finalize(st);
    close_db(db, dir);
}
