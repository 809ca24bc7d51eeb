/* test_db.c: opening databases: creation, versions, read-only, locks. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/db.h"
#include "core/norm.h"
#include "helpers.h"

static char *tmp;
static char path[4200];

static void setup(void)
{
    tmp = dwt_tmpdir();
    snprintf(path, sizeof path, "%s/x.db", tmp);
}
static void teardown(void)
{
    dwt_rmtree(tmp);
    free(tmp);
}
TestSuite(db, .init = setup, .fini = teardown);

Test(db, create_records_versions_and_flags)
{
    dw_db *db;
    dw_err e = {{0}};
    cr_assert_eq(dw_db_open(&db, path, DW_DB_CREATE, DW_NORM_TEH_MARBUTA, &e), DW_OK, "%s", e.msg);
    char v[32];
    cr_expect_eq(dw_db_meta_get(db, "schema_version", v, sizeof v), 1);
    cr_expect_str_eq(v, "1");
    cr_expect_eq(dw_db_meta_get(db, "teh_marbuta", v, sizeof v), 1);
    cr_expect_str_eq(v, "fold");
    int64_t n = -1;
    cr_expect_eq(dw_db_int(db, "PRAGMA journal_mode", &n, &e), DW_OK);
    dw_db_close(db);
    /* reopened without the flag: the database keeps its own */
    cr_assert_eq(dw_db_open(&db, path, DW_DB_CREATE, 0, &e), DW_OK, "%s", e.msg);
    cr_expect_eq(db->norm_flags & DW_NORM_TEH_MARBUTA, DW_NORM_TEH_MARBUTA);
    dw_db_close(db);
    dw_db_close(NULL);
}

Test(db, readonly_never_creates)
{
    dw_db *db;
    dw_err e = {{0}};
    cr_expect_eq(dw_db_open(&db, path, DW_DB_READONLY, 0, &e), DW_EDB);
    char want[4300];
    snprintf(want, sizeof want, "cannot open database %s: No such file or directory", path);
    cr_expect_str_eq(e.msg, want);
    FILE *f = fopen(path, "r");
    cr_expect_null(f);
}

Test(db, other_versions_are_refused)
{
    dw_db *db;
    dw_err e = {{0}};
    cr_assert_eq(dw_db_open(&db, path, DW_DB_CREATE, 0, &e), DW_OK);
    cr_assert_eq(dw_db_meta_set(db, "norm_version", "999", &e), DW_OK);
    dw_db_close(db);
    cr_expect_eq(dw_db_open(&db, path, DW_DB_READONLY, 0, &e), DW_EDB);
    cr_expect(strstr(e.msg, "normalization version 999") != NULL, "%s", e.msg);
    cr_assert_eq(dw_db_open(&db, path, DW_DB_CREATE, 0, &e), DW_EDB);
}

Test(db, second_writer_is_refused)
{
    dw_db *a, *b;
    dw_err e = {{0}};
    cr_assert_eq(dw_db_open(&a, path, DW_DB_CREATE, 0, &e), DW_OK);
    cr_assert_eq(dw_db_lock_writer(a, &e), DW_OK);
    cr_assert_eq(dw_db_open(&b, path, DW_DB_CREATE, 0, &e), DW_OK);
    cr_expect_eq(dw_db_lock_writer(b, &e), DW_EDB);
    char want[4300];
    snprintf(want, sizeof want, "%s: another diwan process is writing to this database", path);
    cr_expect_str_eq(e.msg, want);
    dw_db_close(b);
    dw_db_close(a);
}

Test(db, directory_is_not_a_database)
{
    dw_db *db;
    dw_err e = {{0}};
    cr_expect_eq(dw_db_open(&db, tmp, DW_DB_CREATE, 0, &e), DW_EDB);
    cr_expect(strstr(e.msg, "is a directory") != NULL);
}
