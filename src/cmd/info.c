/* info.c: `diwan info DB`: what a database holds. Works while an ingest
 * writes to the database (WAL readers see the last commit). */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/db.h"
#include "core/figures.h"

static const char usage_text[] =
    "usage: diwan info [--json] DB\n"
    "\n"
    "Prints files, pages, articles, sightings, sources, duplicates and\n"
    "quarantined inputs of a database.\n";

#define NFIG DW_FIGURE_COUNT

int cmd_info(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int json = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        if (c == 'j')
            json = 1;
        else if (c == 'h') {
            fputs(usage_text, stdout);
            return 0;
        } else {
            return cmd_usage_error("info", usage_text, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != 1) {
        return cmd_usage_error("info", usage_text, "expected one database");
    }
    dw_db *db;
    dw_err e = {{0}};
    dw_rc rc = dw_db_open(&db, argv[optind], DW_DB_READONLY, 0, &e);
    if (rc != DW_OK) {
        cmd_error("info", "%s", e.msg);
        return cmd_exit_code(rc);
    }
    int64_t v[NFIG];
    /* one read transaction: every figure from the same snapshot */
    rc = dw_db_exec(db, "BEGIN", &e);
    for (size_t i = 0; i < NFIG && rc == DW_OK; i++)
        rc = dw_db_int(db, dw_figures()[i].sql, &v[i], &e);
    if (rc == DW_OK)
        rc = dw_db_exec(db, "COMMIT", &e);
    char date_min[16] = "", date_max[16] = "";
    if (rc == DW_OK) {
        sqlite3_stmt *st = dw_db_prepare(db, "SELECT min(published), max(published) FROM articles", &e);
        if (st && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
            snprintf(date_min, sizeof date_min, "%s", (const char *)sqlite3_column_text(st, 0));
            snprintf(date_max, sizeof date_max, "%s", (const char *)sqlite3_column_text(st, 1));
        }
        sqlite3_finalize(st);
    }
    char teh[16] = "keep";
    dw_db_meta_get(db, "teh_marbuta", teh, sizeof teh);
    dw_db_close(db);
    if (rc != DW_OK) {
        cmd_error("info", "%s", e.msg);
        return cmd_exit_code(rc);
    }
    if (json) {
        json_t *o = json_object();
        json_object_set_new(o, "database", json_string(argv[optind]));
        json_object_set_new(o, "schema_version", json_integer(DW_SCHEMA_VERSION));
        for (size_t i = 0; i < NFIG; i++)
            json_object_set_new(o, dw_figures()[i].key, json_integer(v[i]));
        json_object_set_new(o, "first_date", date_min[0] ? json_string(date_min) : json_null());
        json_object_set_new(o, "last_date", date_max[0] ? json_string(date_max) : json_null());
        json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', stdout);
        json_decref(o);
        return 0;
    }
    enum { F_FILES, F_DONE, F_PARTIAL, F_PAGES, F_ART, F_SIGHT, F_MAIN, F_REL, F_DUPS, F_DUPART, F_CROSS,
           F_SRC, F_UNK, F_DATED, F_KW, F_NDC, F_NDA, F_NDU, F_QUAR, F_BAD };
    printf("database      %s (schema %d, teh marbuta %s)\n", argv[optind], DW_SCHEMA_VERSION,
           strcmp(teh, "fold") == 0 ? "folded" : "kept");
    printf("files         %lld (%lld done, %lld partial)\n", (long long)v[F_FILES], (long long)v[F_DONE],
           (long long)v[F_PARTIAL]);
    printf("pages         %lld\n", (long long)v[F_PAGES]);
    printf("articles      %lld unique (%lld dated, %lld without a source)\n", (long long)v[F_ART],
           (long long)v[F_DATED], (long long)v[F_UNK]);
    printf("sightings     %lld (%lld main, %lld related)\n", (long long)v[F_SIGHT], (long long)v[F_MAIN],
           (long long)v[F_REL]);
    printf("duplicates    %lld sightings of %lld articles seen more than once (%lld across outlets)\n",
           (long long)v[F_DUPS], (long long)v[F_DUPART], (long long)v[F_CROSS]);
    printf("near dups     %lld clusters, %lld articles joined a cluster as near-duplicates", (long long)v[F_NDC],
           (long long)v[F_NDA]);
    if (v[F_NDU])
        printf(" (%lld articles not clustered yet: diwan dups --update)", (long long)v[F_NDU]);
    printf("\n");
    printf("sources       %lld\n", (long long)v[F_SRC]);
    if (date_min[0])
        printf("dates         %s to %s\n", date_min, date_max);
    else
        printf("dates         none\n");
    printf("keywords      %lld distinct\n", (long long)v[F_KW]);
    printf("quarantined   %lld\n", (long long)v[F_QUAR]);
    printf("invalid bytes %lld\n", (long long)v[F_BAD]);
    return 0;
}
