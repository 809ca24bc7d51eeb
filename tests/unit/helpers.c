/* helpers.c: shared helpers for the Criterion test suite. */
#define _GNU_SOURCE
#include "core/buf.h"
#include "helpers.h"

#include <criterion/criterion.h>
#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *dwt_root(void)
{
    const char *r = getenv("DW_ROOT");
    return r && *r ? r : ".";
}

const char *dwt_shared(void)
{
    static char path[4096];
    struct stat st;
    const char *env = getenv("DW_SHARED");
    if (env && *env)
        snprintf(path, sizeof path, "%s", env);
    else
        snprintf(path, sizeof path, "%s/../shared", dwt_root());
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return path;
    return NULL;
}

const char *dwt_bin(void)
{
    const char *b = getenv("DW_BIN");
    return b && *b ? b : "build/diwan";
}

const char *dwt_bin_plain(void)
{
    const char *b = getenv("DW_BIN_PLAIN");
    return b && *b && access(b, X_OK) == 0 ? b : NULL;
}

char *dwt_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *nb = realloc(buf, cap * 2 + 1);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (!buf)
        return NULL;
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

const char *dwt_path(const char *rel)
{
    static char slots[8][4096];
    static int next;
    char *p = slots[next++ & 7];
    snprintf(p, 4096, "%s/%s", dwt_root(), rel);
    return p;
}

char *dwt_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char tmpl[4096];
    snprintf(tmpl, sizeof tmpl, "%s/diwan-test-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmpl))
        return NULL;
    return strdup(tmpl);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void dwt_rmtree(const char *dir)
{
    if (dir)
        nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Runs sql read-only on dbp and leaves the statement on its first row. */
static sqlite3_stmt *q_first(const char *dbp, const char *sql, sqlite3 **h)
{
    sqlite3_stmt *st;
    cr_assert_eq(sqlite3_open_v2(dbp, h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK, "cannot open %s", dbp);
    sqlite3_busy_timeout(*h, 10000);
    cr_assert_eq(sqlite3_prepare_v2(*h, sql, -1, &st, NULL), SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(*h));
    return st;
}

int64_t dwt_q1(const char *dbp, const char *sql)
{
    sqlite3 *h;
    sqlite3_stmt *st = q_first(dbp, sql, &h);
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    sqlite3_close(h);
    return v;
}

char *dwt_qs(const char *dbp, const char *sql)
{
    sqlite3 *h;
    sqlite3_stmt *st = q_first(dbp, sql, &h);
    char *v = NULL;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        v = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(h);
    return v;
}

char *dwt_dump(const char *dbp, const char *const *sql, size_t n, const char *bind1)
{
    sqlite3 *h;
    dw_buf b = DW_BUF_INIT;
    cr_assert_eq(sqlite3_open_v2(dbp, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK, "cannot open %s", dbp);
    sqlite3_busy_timeout(h, 10000);
    for (size_t i = 0; i < n; i++) {
        sqlite3_stmt *st;
        cr_assert_eq(sqlite3_prepare_v2(h, sql[i], -1, &st, NULL), SQLITE_OK, "%s", sqlite3_errmsg(h));
        if (bind1 && sqlite3_bind_parameter_count(st) >= 1)
            sqlite3_bind_text(st, 1, bind1, -1, SQLITE_STATIC);
        while (sqlite3_step(st) == SQLITE_ROW) {
            for (int c = 0; c < sqlite3_column_count(st); c++) {
                const unsigned char *t = sqlite3_column_text(st, c);
                dw_buf_printf(&b, "%s\t", t ? (const char *)t : "NULL");
            }
            dw_buf_putc(&b, '\n');
        }
        sqlite3_finalize(st);
        dw_buf_puts(&b, "--\n");
    }
    sqlite3_close(h);
    return dw_buf_detach(&b, NULL);
}
