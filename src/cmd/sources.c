/* sources.c: `diwan sources DB`: the outlet registry with article counts. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/db.h"
#include "core/table.h"

static const char usage_text[] =
    "usage: diwan sources [--all] [--json] DB\n"
    "\n"
    "Lists the outlets seen in the database: canonical name, articles whose\n"
    "primary sighting names it, sightings naming it, and its aliases.\n"
    "  --all    also list registry outlets never seen in the input\n"
    "  --json   print JSON\n";

static const char sql[] =
    "SELECT s.name, s.builtin,"
    " (SELECT count(*) FROM articles a WHERE a.source_id = s.id) AS articles,"
    " (SELECT count(*) FROM sightings g WHERE g.source_id = s.id) AS sightings,"
    " (SELECT group_concat(written, ' | ') FROM (SELECT written FROM source_aliases x"
    "   WHERE x.source_id = s.id ORDER BY x.alias)) AS aliases"
    " FROM sources s WHERE ?1 OR EXISTS (SELECT 1 FROM sightings g WHERE g.source_id = s.id)"
    " ORDER BY articles DESC, sightings DESC, s.name";

int cmd_sources(int argc, char **argv)
{
    static const struct option longopts[] = {{"json", no_argument, NULL, 'j'},
                                             {"all", no_argument, NULL, 'a'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    int json = 0, all = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        if (c == 'j')
            json = 1;
        else if (c == 'a')
            all = 1;
        else if (c == 'h') {
            fputs(usage_text, stdout);
            return 0;
        } else {
            return cmd_usage_error("sources", usage_text, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != 1) {
        return cmd_usage_error("sources", usage_text, "expected one database");
    }
    dw_db *db;
    dw_err e = {{0}};
    dw_rc rc = dw_db_open(&db, argv[optind], DW_DB_READONLY, 0, &e);
    if (rc != DW_OK) {
        cmd_error("sources", "%s", e.msg);
        return cmd_exit_code(rc);
    }
    static const char *const cols[] = {"source", "origin", "#articles", "#sightings", "aliases"};
    dw_table *t = dw_table_new(5, cols);
    sqlite3_stmt *st = dw_db_prepare(db, sql, &e);
    int r = SQLITE_DONE;
    if (st && t) {
        sqlite3_bind_int(st, 1, all);
        static const char *const origin[] = {"seen", "built-in", "user"};
        while ((r = sqlite3_step(st)) == SQLITE_ROW) {
            int o = sqlite3_column_int(st, 1);
            const char *cells[5] = {(const char *)sqlite3_column_text(st, 0),
                                    o >= 0 && o <= 2 ? origin[o] : "?",
                                    (const char *)sqlite3_column_text(st, 2),
                                    (const char *)sqlite3_column_text(st, 3),
                                    (const char *)sqlite3_column_text(st, 4)};
            if (dw_table_add(t, cells) < 0)
                break;
        }
        if (r != SQLITE_DONE)
            rc = dw_db_fail(db, &e, "sources");
    } else {
        rc = st ? DW_ENOMEM : DW_EDB;
    }
    sqlite3_finalize(st);
    dw_db_close(db);
    if (rc != DW_OK) {
        cmd_error("sources", "%s", rc == DW_ENOMEM ? "out of memory" : e.msg);
        dw_table_free(t);
        return cmd_exit_code(rc);
    }
    if (json)
        dw_table_print_json(t, stdout);
    else
        dw_table_print_text(t, stdout);
    dw_table_free(t);
    return 0;
}
