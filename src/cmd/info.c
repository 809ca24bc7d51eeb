/* info.c: `diwan info DB`: what a database holds. Works while an ingest
 * writes to the database (WAL readers see the last commit). */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/db.h"
#include "core/figures.h"
#include "stats/stats.h"

static const char usage_text[] =
    "usage: diwan info [--json] DB\n"
    "\n"
    "Prints files, pages, articles, sightings, sources, duplicates,\n"
    "quarantined inputs and what the statistics hold of a database.\n";

#define NFIG DW_FIGURE_COUNT

/* What the statistics of a database hold (stats_info, stats_parts). */
typedef struct {
    long long articles;    /* articles counted */
    long long parts;       /* counting runs added up (0: an older diwan's) */
    long long ngram_max;   /* longest n-gram, 0: none */
    char per[32];          /* buckets besides 'all' */
    int cooc;              /* 1: pairs were counted */
    long long pairs;       /* pairs stored */
    long long window;      /* window in words */
    char scope[16];        /* window or article */
    long long min_count;   /* pairs kept */
} stats_facts;

/* Fills f from db's statistics. 1, or 0 when they cannot be read. */
static int read_stats(dw_db *db, stats_facts *f)
{
    char v[32];
    memset(f, 0, sizeof *f);
    cmd_stats_info(db, "articles", "0", v, sizeof v);
    f->articles = atoll(v);
    cmd_stats_info(db, "ngram_max", "0", v, sizeof v);
    f->ngram_max = atoll(v);
    cmd_stats_info(db, "per", "source,month", f->per, sizeof f->per);
    cmd_stats_info(db, "cooc", "1", v, sizeof v);
    f->cooc = strcmp(v, "0") != 0;
    cmd_stats_info(db, "window", "5", v, sizeof v);
    f->window = atoll(v);
    cmd_stats_info(db, "scope", "window", f->scope, sizeof f->scope);
    cmd_stats_info(db, "min_count", "0", v, sizeof v);
    f->min_count = atoll(v);
    dw_err e;
    int64_t n = 0;
    if (dw_db_has_table(db, "stats_parts") && dw_db_int(db, "SELECT count(*) FROM stats_parts", &n, &e) == DW_OK)
        f->parts = n;
    if (dw_db_int(db, "SELECT count(*) FROM stats_cooc", &n, &e) != DW_OK)
        return 0;
    f->pairs = n;
    return 1;
}

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
    stats_facts sf;
    int have_stats = rc == DW_OK && dw_stats_present(db) && read_stats(db, &sf);
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
        json_t *js = json_null();
        if (have_stats) {
            js = json_object();
            json_object_set_new(js, "articles", json_integer(sf.articles));
            json_object_set_new(js, "parts", json_integer(sf.parts));
            json_object_set_new(js, "ngram_max", json_integer(sf.ngram_max));
            json_object_set_new(js, "per", json_string(sf.per));
            json_object_set_new(js, "pairs", sf.cooc ? json_integer(sf.pairs) : json_null());
            json_object_set_new(js, "window", json_integer(sf.window));
            json_object_set_new(js, "scope", json_string(sf.scope));
            json_object_set_new(js, "min_count", json_integer(sf.min_count));
        }
        json_object_set_new(o, "statistics", js);
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
    if (!have_stats) {
        printf("statistics    none (diwan stats counts them)\n");
        return 0;
    }
    if (sf.parts)
        printf("statistics    %lld articles in %lld part%s; ", (long long)sf.articles, (long long)sf.parts,
               sf.parts == 1 ? "" : "s");
    else /* stats_parts came with 0.2.0 */
        printf("statistics    %lld articles (parts not recorded by the diwan that counted them); ",
               (long long)sf.articles);
    if (sf.ngram_max > 0 && strcmp(sf.per, "none") == 0)
        printf("n-grams of 1 to %lld words (overall only); ", (long long)sf.ngram_max);
    else if (sf.ngram_max > 0)
        printf("n-grams of 1 to %lld words (overall and per %s); ", (long long)sf.ngram_max, sf.per);
    else
        printf("no n-grams; ");
    if (!sf.cooc)
        printf("no pairs\n");
    else if (strcmp(sf.scope, "article") == 0)
        printf("%lld pairs within an article stored (min count %lld)\n", (long long)sf.pairs,
               (long long)sf.min_count);
    else
        printf("%lld pairs within %lld words stored (min count %lld)\n", (long long)sf.pairs, (long long)sf.window,
               (long long)sf.min_count);
    return 0;
}
