/* top.c: `diwan top DB`: the most frequent terms (n-grams) overall, of one
 * source or of one month, or the top co-occurring pairs by PMI, NPMI or LLR. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/db.h"
#include "core/norm.h"

static const char usage_text[] =
    "usage: diwan top [options] DB\n"
    "\n"
    "Lists the most frequent terms counted by 'diwan stats', or the pairs with\n"
    "the highest association (--by pmi, npmi or llr).\n"
    "  --ngram N        terms of N words (default 1)\n"
    "  --source S       of outlet S (its name or any alias)\n"
    "  --month YYYY-MM  of one month\n"
    "  --by KEY         count (default), df, pmi, npmi or llr (the last three list\n"
    "                   co-occurring word pairs, over all articles)\n"
    "  --limit K        at most K rows (default 20, 0: all)\n"
    "  --format F       table (default), csv, json, or vocab: GloVe's vocabulary\n"
    "                   file ('word count' lines, count descending, ties in byte\n"
    "                   order), words only\n";

/* --format vocab: the lines of GloVe's vocab_count output. */
#define FMT_VOCAB 100

/* Name of the outlet that s names (its name, or an alias written any way),
 * into buf. 1 found, 0 not. */
static int find_source(dw_db *db, const char *s, char *buf, size_t cap)
{
    sqlite3_stmt *st = NULL;
    int found = 0;
    if (sqlite3_prepare_v2(db->h, "SELECT name FROM sources WHERE name = ?1 UNION ALL"
                                  " SELECT s.name FROM source_aliases a JOIN sources s ON s.id = a.source_id"
                                  " WHERE a.alias = ?2 LIMIT 1", -1, &st, NULL) != SQLITE_OK)
        return 0;
    dw_buf norm = DW_BUF_INIT;
    dw_norm_text(&norm, s, strlen(s), db->norm_flags | DW_NORM_NO_NEWLINES);
    sqlite3_bind_text(st, 1, s, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, dw_buf_str(&norm), -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        snprintf(buf, cap, "%s", (const char *)sqlite3_column_text(st, 0));
        found = 1;
    }
    sqlite3_finalize(st);
    dw_buf_free(&norm);
    return found;
}

/* A bucket that was not counted lists nothing: says why on stderr (no
 * article of that source or month was counted), naming the months that
 * were. */
static void note_missing_bucket(dw_db *db, const char *kind, const char *name)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->h, "SELECT EXISTS (SELECT 1 FROM stats_buckets WHERE kind = ?1 AND name = ?2),"
                                  " (SELECT min(name) FROM stats_buckets WHERE kind = 'month'),"
                                  " (SELECT max(name) FROM stats_buckets WHERE kind = 'month')",
                           -1, &st, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW && !sqlite3_column_int(st, 0)) {
        const char *lo = (const char *)sqlite3_column_text(st, 1), *hi = (const char *)sqlite3_column_text(st, 2);
        if (strcmp(kind, "source") == 0)
            cmd_error("top", "no article of %s was counted", name);
        else if (lo && hi)
            cmd_error("top", "no article dated %s was counted (months counted: %s to %s)", name, lo, hi);
        else
            cmd_error("top", "no article dated %s was counted (no dated article was)", name);
    }
    sqlite3_finalize(st);
}

int cmd_top(int argc, char **argv)
{
    enum { O_NGRAM = 256, O_SOURCE, O_MONTH, O_BY, O_LIMIT, O_FORMAT };
    static const struct option longopts[] = {
        {"ngram", required_argument, NULL, O_NGRAM}, {"source", required_argument, NULL, O_SOURCE},
        {"month", required_argument, NULL, O_MONTH}, {"by", required_argument, NULL, O_BY},
        {"limit", required_argument, NULL, O_LIMIT}, {"format", required_argument, NULL, O_FORMAT},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int ngram = 1, ngram_given = 0, fmt = CMD_FMT_TABLE, c;
    long long limit = 20;
    const char *source = NULL, *month = NULL, *by = "count";
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case O_NGRAM:
            if ((ngram = (int)cmd_parse_int(optarg, 1, 7)) < 0)
                return cmd_usage_error("top", usage_text, "--ngram must be a number of words");
            ngram_given = 1;
            break;
        case O_SOURCE: source = optarg; break;
        case O_MONTH:
            if (!cmd_is_month(optarg))
                return cmd_usage_error("top", usage_text, "--month must be YYYY-MM");
            month = optarg;
            break;
        case O_BY:
            if (strcmp(optarg, "count") && strcmp(optarg, "df") && strcmp(optarg, "pmi") && strcmp(optarg, "npmi") &&
                strcmp(optarg, "llr"))
                return cmd_usage_error("top", usage_text, "--by must be count, df, pmi, npmi or llr");
            by = optarg;
            break;
        case O_LIMIT:
            if ((limit = cmd_parse_int(optarg, 0, LLONG_MAX)) < 0)
                return cmd_usage_error("top", usage_text, "--limit must be a number");
            break;
        case O_FORMAT:
            if ((fmt = strcmp(optarg, "vocab") == 0 ? FMT_VOCAB : cmd_stats_format(optarg)) < 0)
                return cmd_usage_error("top", usage_text, "--format must be table, csv, json or vocab");
            break;
        case 'h': fputs(usage_text, stdout); return 0;
        case ':': return cmd_usage_error("top", usage_text, "option '%s' needs a value", argv[optind - 1]);
        default: return cmd_usage_error("top", usage_text, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != 1)
        return cmd_usage_error("top", usage_text, "expected one database");
    if (source && month)
        return cmd_usage_error("top", usage_text, "--source and --month are separate buckets: give one");
    int pairs = strcmp(by, "pmi") == 0 || strcmp(by, "npmi") == 0 || strcmp(by, "llr") == 0;
    if (pairs && (source || month))
        return cmd_usage_error("top", usage_text, "pairs are counted over all articles: no --source or --month with --by %s", by);
    if (pairs && ngram_given && ngram != 1)
        return cmd_usage_error("top", usage_text, "--by %s ranks co-occurring word pairs: no --ngram", by);
    if (fmt == FMT_VOCAB && (ngram != 1 || strcmp(by, "count") != 0))
        return cmd_usage_error("top", usage_text, "--format vocab lists words by count: no --ngram or --by");
    dw_db *db;
    int status = cmd_stats_open("top", argv[optind], &db);
    if (status)
        return status;
    char name[1024] = "";
    const char *kind = "all";
    if (source) {
        kind = "source";
        if (!find_source(db, source, name, sizeof name)) {
            cmd_error("top", "unknown source '%s'", source);
            dw_db_close(db);
            return 2;
        }
    } else if (month) {
        kind = "month";
        snprintf(name, sizeof name, "%s", month);
    }
    if (source || month) { /* were n-grams counted per source (month)? */
        char per[64];
        cmd_stats_info(db, "per", "source,month", per, sizeof per);
        if (!strstr(per, kind)) {
            cmd_error("top", "n-grams were counted with --per %s: none per %s (rerun diwan stats)", per, kind);
            dw_db_close(db);
            return 2;
        }
    }
    if (source || month)
        note_missing_bucket(db, kind, name);
    if (pairs && (status = cmd_stats_need_pairs("top", db)) != 0) {
        dw_db_close(db);
        return status;
    }
    /* the first rows of a bucket are kept in stats_top (up to its top_k):
     * read there, not sorted out of every n-gram of the bucket */
    char tk[32];
    cmd_stats_info(db, "top_k", "0", tk, sizeof tk);
    int kept = !pairs && fmt != FMT_VOCAB && limit > 0 && limit <= atoll(tk);
    char sql[512];
    if (pairs)
        snprintf(sql, sizeof sql,
                 "SELECT term_a, term_b, count, pmi, npmi, llr FROM stats_cooc ORDER BY %s DESC, term_a, term_b"
                 " LIMIT ?3",
                 by);
    else if (kept)
        snprintf(sql, sizeof sql,
                 "SELECT t.term, t.count, t.df FROM stats_top t JOIN stats_buckets b ON b.id = t.bucket"
                 " WHERE b.kind = ?1 AND b.name = ?2 AND t.n = ?4 AND t.by = '%s' AND t.rank <= ?3 ORDER BY t.rank",
                 strcmp(by, "df") == 0 ? "df" : "count");
    else if (fmt == FMT_VOCAB) /* GloVe's order: count, then the words' bytes */
        snprintf(sql, sizeof sql,
                 "SELECT g.term, g.count FROM stats_ngrams g JOIN stats_buckets b ON b.id = g.bucket"
                 " WHERE b.kind = ?1 AND b.name = ?2 AND g.n = ?4 ORDER BY g.count DESC, g.term LIMIT ?3");
    else
        snprintf(sql, sizeof sql,
                 "SELECT g.term, g.count, g.df FROM stats_ngrams g JOIN stats_buckets b ON b.id = g.bucket"
                 " WHERE b.kind = ?1 AND b.name = ?2 AND g.n = ?4 ORDER BY %s DESC, %s DESC, g.term LIMIT ?3",
                 strcmp(by, "df") == 0 ? "g.df" : "g.count", strcmp(by, "df") == 0 ? "g.count" : "g.df");
    dw_err e = {{0}};
    sqlite3_stmt *st = dw_db_prepare(db, sql, &e);
    if (!st) {
        cmd_error("top", "%s", e.msg);
        dw_db_close(db);
        return 4;
    }
    if (!pairs) {
        sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 4, ngram);
    }
    sqlite3_bind_int64(st, 3, limit ? limit : -1);
    static const char *const term_cols[] = {"term", "#count", "#df"};
    static const char *const pair_cols[] = {"term_a", "term_b", "#count", "#pmi", "#npmi", "#llr"};
    int r;
    if (fmt == FMT_VOCAB) {
        while ((r = sqlite3_step(st)) == SQLITE_ROW) {
            fwrite(sqlite3_column_text(st, 0), 1, (size_t)sqlite3_column_bytes(st, 0), stdout);
            printf(" %lld\n", (long long)sqlite3_column_int64(st, 1));
        }
        r = r == SQLITE_DONE ? SQLITE_OK : r;
    } else {
        r = pairs ? cmd_stats_print(st, 6, pair_cols, fmt, stdout) : cmd_stats_print(st, 3, term_cols, fmt, stdout);
    }
    if (r != SQLITE_OK) {
        dw_db_fail(db, &e, "read statistics");
        cmd_error("top", "%s", e.msg);
        status = 4;
    }
    sqlite3_finalize(st);
    dw_db_close(db);
    return status;
}
