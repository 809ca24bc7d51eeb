/* dups.c: `diwan dups DB`: near-duplicate clusters, largest first, or the
 * cluster of one article; `--update` runs the near-dup stage first. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "core/db.h"
#include "core/table.h"
#include "ingest/neardup.h"

static const char usage_text[] =
    "usage: diwan dups [options] DB\n"
    "\n"
    "Lists near-duplicate clusters (two or more articles), largest first: each\n"
    "member's article id, how it joined (representative, near), its Jaccard\n"
    "similarity to the representative, date, outlet, sightings (exact copies\n"
    "included) and title.\n"
    "  --article ID              show the cluster of article ID (even a singleton)\n"
    "  --limit N                 at most N clusters (default 20, 0: all)\n"
    "  --json                    print JSON\n"
    "  --update                  run the near-dup stage first (signs the articles\n"
    "                            that have no signature yet, then re-clusters)\n"
    "  --near-dup-threshold T    with --update: Jaccard threshold (default 0.8)\n"
    "  --shingle K, --bands B, --rows R, --min-tokens N\n"
    "                            with --update: tuning (defaults 2, 20, 5, 20);\n"
    "                            a change re-signs every article\n";


static const char members_sql[] =
    "SELECT a.id, a.cluster_join, a.cluster_similarity, a.published, s.name,"
    " (SELECT count(*) FROM sightings g WHERE g.article_id = a.id), a.title"
    " FROM articles a LEFT JOIN sources s ON s.id = a.source_id WHERE a.cluster_id = ?1"
    " ORDER BY a.cluster_join = 'near', a.cluster_similarity DESC, a.id";

/* Adds the members of cluster cid to the text table t or the JSON array arr. */
static dw_rc add_cluster(dw_db *db, sqlite3_stmt *st, int64_t cid, dw_table *t, json_t *arr, dw_err *e)
{
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, cid);
    json_t *members = arr ? json_array() : NULL;
    int64_t n = 0, sightings = 0;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        char id[24], sim[16], cl[24], cnt[24];
        snprintf(cl, sizeof cl, "%lld", (long long)cid);
        snprintf(id, sizeof id, "%lld", (long long)sqlite3_column_int64(st, 0));
        snprintf(sim, sizeof sim, "%.3f", sqlite3_column_double(st, 2));
        snprintf(cnt, sizeof cnt, "%lld", (long long)sqlite3_column_int64(st, 5));
        n++;
        sightings += sqlite3_column_int64(st, 5);
        const char *cells[8] = {cl,
                                id,
                                (const char *)sqlite3_column_text(st, 1),
                                sim,
                                (const char *)sqlite3_column_text(st, 3),
                                (const char *)sqlite3_column_text(st, 4),
                                cnt,
                                (const char *)sqlite3_column_text(st, 6)};
        if (t && dw_table_add(t, cells) < 0)
            return dw_err_set(e, DW_ENOMEM, "out of memory");
        if (members) {
            json_t *o = json_object();
            json_object_set_new(o, "article", json_integer(sqlite3_column_int64(st, 0)));
            json_object_set_new(o, "join", json_string(cells[2]));
            json_object_set_new(o, "similarity", json_real(sqlite3_column_double(st, 2)));
            json_object_set_new(o, "date", cells[4] ? json_string(cells[4]) : json_null());
            json_object_set_new(o, "source", cells[5] ? json_string(cells[5]) : json_null());
            json_object_set_new(o, "sightings", json_integer(sqlite3_column_int64(st, 5)));
            json_object_set_new(o, "title", json_string(cells[7] ? cells[7] : ""));
            json_array_append_new(members, o);
        }
    }
    sqlite3_reset(st);
    if (r != SQLITE_DONE) {
        json_decref(members);
        return dw_db_fail(db, e, "dups");
    }
    if (arr) {
        json_t *c = json_object();
        json_object_set_new(c, "cluster", json_integer(cid));
        json_object_set_new(c, "articles", json_integer(n));
        json_object_set_new(c, "sightings", json_integer(sightings));
        json_object_set_new(c, "members", members);
        json_array_append_new(arr, c);
    }
    return DW_OK;
}

int cmd_dups(int argc, char **argv)
{
    enum { O_JSON = 256, O_ARTICLE, O_LIMIT, O_UPDATE, O_THRESHOLD, O_SHINGLE, O_BANDS, O_ROWS, O_MINTOK };
    static const struct option longopts[] = {{"json", no_argument, NULL, O_JSON},
                                             {"article", required_argument, NULL, O_ARTICLE},
                                             {"limit", required_argument, NULL, O_LIMIT},
                                             {"update", no_argument, NULL, O_UPDATE},
                                             {"near-dup-threshold", required_argument, NULL, O_THRESHOLD},
                                             {"shingle", required_argument, NULL, O_SHINGLE},
                                             {"bands", required_argument, NULL, O_BANDS},
                                             {"rows", required_argument, NULL, O_ROWS},
                                             {"min-tokens", required_argument, NULL, O_MINTOK},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    int json = 0, update = 0, c;
    long article = -1, limit = 20;
    dw_neardup_opts no;
    dw_neardup_opts_init(&no);
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    no.threads = ncpu < 1 ? 1 : ncpu > 8 ? 8 : (int)ncpu;
    optind = 1;
    opterr = 0;
    int li = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, &li)) != -1) {
        long v = 0;
        if (c == O_ARTICLE || c == O_LIMIT || c == O_SHINGLE || c == O_BANDS || c == O_ROWS || c == O_MINTOK) {
            v = (long)cmd_parse_int(optarg, 0, 1000000000L);
            if (v < 0)
                return cmd_usage_error("dups", usage_text, "bad value '%s' for --%s", optarg, longopts[li].name);
        }
        switch (c) {
        case O_JSON: json = 1; break;
        case O_ARTICLE: article = v; break;
        case O_LIMIT: limit = v; break;
        case O_UPDATE: update = 1; break;
        case O_SHINGLE: no.shingle = (int)v; break;
        case O_BANDS: no.bands = (int)v; break;
        case O_ROWS: no.rows = (int)v; break;
        case O_MINTOK: no.min_tokens = (int)v; break;
        case O_THRESHOLD: {
            char *end;
            no.threshold = strtod(optarg, &end);
            if (end == optarg || *end || !(no.threshold > 0.0 && no.threshold <= 1.0))
                return cmd_usage_error("dups", usage_text, "bad value '%s' for --near-dup-threshold (0 < T <= 1)",
                                       optarg);
            break;
        }
        case 'h': fputs(usage_text, stdout); return 0;
        case ':':
            return cmd_usage_error("dups", usage_text, "option '%s' needs a value", argv[optind - 1]);
        default: return cmd_usage_error("dups", usage_text, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != 1)
        return cmd_usage_error("dups", usage_text, "expected one database");
    const char *path = argv[optind];
    dw_db *db;
    dw_err e = {{0}};
    dw_rc rc = dw_db_open(&db, path, update ? 0 : DW_DB_READONLY, 0, &e);
    if (rc == DW_OK && update)
        rc = dw_db_lock_writer(db, &e);
    dw_neardup_stats ns;
    if (rc == DW_OK && update)
        rc = dw_neardup_run(db, &no, &ns, &e);
    if (rc != DW_OK) {
        cmd_error("dups", "%s", e.msg);
        dw_db_close(db);
        return cmd_exit_code(rc);
    }
    if (update && !json)
        printf("near-dup: %llu articles signed (%llu short), %llu candidate pairs (%llu exact checks), "
               "%llu pairs stored; %llu clusters of %llu articles\n",
               (unsigned long long)ns.articles, (unsigned long long)ns.short_articles,
               (unsigned long long)ns.candidates, (unsigned long long)ns.exact_checks,
               (unsigned long long)ns.pairs, (unsigned long long)ns.clusters, (unsigned long long)ns.clustered);
    static const char *const cols[] = {"#cluster", "#article", "join",       "similarity",
                                       "date",     "source",   "#sightings", "title"};
    dw_table *t = json ? NULL : dw_table_new(8, cols);
    json_t *arr = json ? json_array() : NULL;
    sqlite3_stmt *mem = dw_db_prepare(db, members_sql, &e);
    sqlite3_stmt *q = NULL;
    int64_t unclustered = 0, shown = 0;
    if (!mem || (!t && !arr)) {
        rc = mem ? dw_err_set(&e, DW_ENOMEM, "out of memory") : DW_EDB;
        goto out;
    }
    if ((rc = dw_db_exec(db, "BEGIN", &e)) != DW_OK)
        goto out;
    if (article >= 0) {
        q = dw_db_prepare(db, "SELECT cluster_id FROM articles WHERE id = ?1", &e);
        if (!q) {
            rc = DW_EDB;
            goto out;
        }
        sqlite3_bind_int64(q, 1, article);
        int r = sqlite3_step(q);
        if (r == SQLITE_ROW && sqlite3_column_type(q, 0) == SQLITE_NULL)
            rc = dw_err_set(&e, DW_EUSAGE, "%s: article %ld has no cluster yet (run 'diwan dups --update')", path,
                            article);
        else if (r == SQLITE_ROW)
            rc = add_cluster(db, mem, sqlite3_column_int64(q, 0), t, arr, &e);
        else if (r == SQLITE_DONE)
            rc = dw_err_set(&e, DW_EUSAGE, "%s: no article %ld", path, article);
        else
            rc = dw_db_fail(db, &e, "dups");
    } else {
        q = dw_db_prepare(db,
                          "SELECT cluster_id, count(*) AS n FROM articles WHERE cluster_id IS NOT NULL"
                          " GROUP BY cluster_id HAVING n > 1 ORDER BY n DESC, cluster_id LIMIT ?1",
                          &e);
        if (!q || (rc = dw_db_int(db, "SELECT count(*) FROM articles WHERE cluster_id IS NULL", &unclustered, &e)) !=
                      DW_OK) {
            rc = DW_EDB;
            goto out;
        }
        sqlite3_bind_int64(q, 1, limit ? limit : -1);
        int r;
        while (rc == DW_OK && (r = sqlite3_step(q)) == SQLITE_ROW) {
            rc = add_cluster(db, mem, sqlite3_column_int64(q, 0), t, arr, &e);
            shown++;
        }
        if (rc == DW_OK && r != SQLITE_DONE)
            rc = dw_db_fail(db, &e, "dups");
    }
    if (rc == DW_OK)
        rc = dw_db_exec(db, "COMMIT", &e);
out:
    sqlite3_finalize(q);
    sqlite3_finalize(mem);
    dw_db_close(db);
    if (rc != DW_OK) {
        cmd_error("dups", "%s", e.msg);
        dw_table_free(t);
        json_decref(arr);
        return cmd_exit_code(rc);
    }
    if (json) {
        json_dumpf(arr, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(4));
        fputc('\n', stdout);
        json_decref(arr);
    } else {
        if (article < 0 && shown == 0)
            printf("no near-duplicate clusters\n");
        else
            dw_table_print_text(t, stdout);
        if (article < 0 && unclustered > 0)
            printf("%lld articles not clustered yet (run 'diwan dups --update')\n", (long long)unclustered);
        dw_table_free(t);
    }
    return 0;
}
