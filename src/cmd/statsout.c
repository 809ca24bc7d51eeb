/* statsout.c: printing the rows of a statistics query for `diwan top` and
 * `diwan cooc`: aligned text (Arabic by display width), CSV (text fields
 * quoted by libcsv) or JSON (numbers as numbers). */
#include <csv.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/buf.h"
#include "core/db.h"
#include "core/norm.h"
#include "core/table.h"
#include "stats/stats.h"

int cmd_stats_format(const char *s)
{
    if (strcmp(s, "table") == 0)
        return CMD_FMT_TABLE;
    if (strcmp(s, "csv") == 0)
        return CMD_FMT_CSV;
    if (strcmp(s, "json") == 0)
        return CMD_FMT_JSON;
    return -1;
}

/* Text of a number cell: integers as they are, reals with 4 decimals in a
 * table and 17 significant digits in CSV. */
static void num_text(sqlite3_stmt *st, int c, int fmt, char *buf, size_t cap)
{
    if (sqlite3_column_type(st, c) == SQLITE_INTEGER)
        snprintf(buf, cap, "%lld", (long long)sqlite3_column_int64(st, c));
    else if (sqlite3_column_type(st, c) == SQLITE_NULL)
        buf[0] = '\0';
    else if (fmt == CMD_FMT_TABLE)
        snprintf(buf, cap, "%.4f", sqlite3_column_double(st, c));
    else
        snprintf(buf, cap, "%.17g", sqlite3_column_double(st, c));
}

int cmd_stats_print(sqlite3_stmt *st, int ncols, const char *const *names, int fmt, FILE *out)
{
    dw_table *t = NULL;
    json_t *arr = NULL;
    if (fmt == CMD_FMT_TABLE) {
        if (!(t = dw_table_new(ncols, names)))
            return SQLITE_NOMEM;
    } else if (fmt == CMD_FMT_JSON) {
        arr = json_array();
    } else {
        for (int c = 0; c < ncols; c++)
            fprintf(out, "%s%s", c ? "," : "", names[c][0] == '#' ? names[c] + 1 : names[c]);
        fputc('\n', out);
    }
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        char num[16][64];
        const char *cells[16];
        json_t *o = arr ? json_object() : NULL;
        for (int c = 0; c < ncols && c < 16; c++) {
            int isnum = names[c][0] == '#';
            const char *name = isnum ? names[c] + 1 : names[c];
            if (isnum)
                num_text(st, c, fmt, num[c], sizeof num[c]);
            const char *v = isnum ? num[c] : (const char *)sqlite3_column_text(st, c);
            if (fmt == CMD_FMT_TABLE) {
                cells[c] = v;
            } else if (o) {
                json_t *jv;
                if (!isnum)
                    jv = v ? json_string(v) : json_null();
                else if (sqlite3_column_type(st, c) == SQLITE_INTEGER)
                    jv = json_integer(sqlite3_column_int64(st, c));
                else
                    jv = json_real(sqlite3_column_double(st, c));
                json_object_set_new(o, name, jv ? jv : json_null());
            } else {
                if (c)
                    fputc(',', out);
                if (isnum)
                    fputs(v, out);
                else if (v)
                    csv_fwrite(out, v, strlen(v));
            }
        }
        if (t && dw_table_add(t, cells) != 0) {
            dw_table_free(t);
            return SQLITE_NOMEM;
        }
        if (o)
            json_array_append_new(arr, o);
        else if (fmt == CMD_FMT_CSV)
            fputc('\n', out);
    }
    if (t) {
        dw_table_print_text(t, out);
        dw_table_free(t);
    }
    if (arr) {
        json_dumpf(arr, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
        fputc('\n', out);
        json_decref(arr);
    }
    return s == SQLITE_DONE ? SQLITE_OK : s;
}

int cmd_stats_open(const char *cmd, const char *path, dw_db **out)
{
    dw_err e = {{0}};
    dw_rc rc = dw_db_open(out, path, DW_DB_READONLY, 0, &e);
    if (rc != DW_OK) {
        cmd_error(cmd, "%s", e.msg);
        return cmd_exit_code(rc);
    }
    if (!dw_stats_present(*out)) {
        cmd_error(cmd, "%s: no statistics (run 'diwan stats %s' first)", path, path);
        dw_db_close(*out);
        *out = NULL;
        return 4;
    }
    return 0;
}

void cmd_stats_info(dw_db *db, const char *key, const char *dflt, char *buf, size_t cap)
{
    dw_err e;
    if (dw_stats_info(db, key, buf, cap, &e) != 1)
        snprintf(buf, cap, "%s", dflt);
}

int cmd_stats_need_pairs(const char *cmd, dw_db *db)
{
    char v[8];
    cmd_stats_info(db, "cooc", "1", v, sizeof v);
    if (strcmp(v, "0") != 0)
        return 0;
    cmd_error(cmd, "co-occurrences were not counted (diwan stats ran with --no-cooc)");
    return 2;
}

char *cmd_stats_term(dw_db *db, const char *word, int *nwords)
{
    char v[32];
    dw_buf b = DW_BUF_INIT;
    cmd_stats_info(db, "normalize", "", v, sizeof v);
    int r = strcmp(v, "none") == 0 ? dw_buf_puts(&b, word)
                                   : dw_norm_text(&b, word, strlen(word), db->norm_flags | DW_NORM_NO_NEWLINES);
    if (r != 0) {
        dw_buf_free(&b);
        return NULL;
    }
    size_t len;
    char *s = dw_buf_detach(&b, &len);
    if (!s)
        return NULL;
    /* the words the statistics' tokenizer finds in it; the first is the term */
    cmd_stats_info(db, "tokenizer", "words", v, sizeof v);
    size_t off, n, words = dw_stats_first_token(s, len, strcmp(v, "whitespace") == 0, &off, &n);
    memmove(s, s + off, n);
    s[n] = '\0';
    *nwords = words > 2 ? 2 : (int)words;
    return s;
}
