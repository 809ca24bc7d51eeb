/* cooc.c: `diwan cooc DB WORD`: the words that co-occur with WORD (written
 * any way: it is normalized as the statistics were). */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/db.h"

static const char usage_text[] =
    "usage: diwan cooc [options] DB WORD\n"
    "\n"
    "Lists the neighbours of WORD counted by 'diwan stats' (pairs stored at or\n"
    "above --min-count): term_a is WORD as counted, term_b the neighbour.\n"
    "WORD is normalized and tokenized as the counted text was.\n"
    "  --by KEY     count (default), pmi, npmi or llr\n"
    "  --limit K    at most K rows (default 20, 0: all)\n"
    "  --format F   table (default), csv or json\n";

/* 1 when the query sql (?1 = word) gives a row. */
static int cooc_any(dw_db *db, const char *sql, const char *word)
{
    sqlite3_stmt *st = NULL;
    int found = sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) == SQLITE_OK &&
                sqlite3_bind_text(st, 1, word, -1, SQLITE_STATIC) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

/* 1 when word is in a stored pair. */
static int cooc_has_pairs(dw_db *db, const char *word)
{
    return cooc_any(db, "SELECT 1 FROM stats_cooc WHERE term_a = ?1 UNION ALL SELECT 1 FROM stats_cooc WHERE term_b = ?1 LIMIT 1", word);
}

/* 1 when word was in a pair counted (stored or not). */
static int cooc_in_terms(dw_db *db, const char *word)
{
    return cooc_any(db, "SELECT 1 FROM stats_cooc_terms WHERE term = ?1", word);
}

/* Occurrences of word in the counted text (the unigrams of bucket 'all'):
 * 0 when it is not there, -2 when unigrams were not counted. */
static long long cooc_occurrences(dw_db *db, const char *word)
{
    char v[32];
    cmd_stats_info(db, "ngram_max", "0", v, sizeof v);
    if (atoi(v) < 1)
        return -2;
    sqlite3_stmt *st = NULL;
    long long n = -2;
    if (sqlite3_prepare_v2(db->h, "SELECT coalesce((SELECT g.count FROM stats_ngrams g JOIN stats_buckets b"
                                  " ON b.id = g.bucket WHERE b.kind = 'all' AND g.n = 1 AND g.term = ?1), 0)",
                           -1, &st, NULL) == SQLITE_OK &&
        sqlite3_bind_text(st, 1, word, -1, SQLITE_STATIC) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

int cmd_cooc(int argc, char **argv)
{
    enum { O_BY = 256, O_LIMIT, O_FORMAT };
    static const struct option longopts[] = {
        {"by", required_argument, NULL, O_BY}, {"limit", required_argument, NULL, O_LIMIT},
        {"format", required_argument, NULL, O_FORMAT}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int fmt = CMD_FMT_TABLE, c;
    long long limit = 20;
    const char *by = "count";
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case O_BY:
            if (strcmp(optarg, "count") && strcmp(optarg, "pmi") && strcmp(optarg, "npmi") && strcmp(optarg, "llr"))
                return cmd_usage_error("cooc", usage_text, "--by must be count, pmi, npmi or llr");
            by = optarg;
            break;
        case O_LIMIT:
            if ((limit = cmd_parse_int(optarg, 0, LLONG_MAX)) < 0)
                return cmd_usage_error("cooc", usage_text, "--limit must be a number");
            break;
        case O_FORMAT:
            if ((fmt = cmd_stats_format(optarg)) < 0)
                return cmd_usage_error("cooc", usage_text, "--format must be table, csv or json");
            break;
        case 'h': fputs(usage_text, stdout); return 0;
        case ':': return cmd_usage_error("cooc", usage_text, "option '%s' needs a value", argv[optind - 1]);
        default: return cmd_usage_error("cooc", usage_text, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != 2)
        return cmd_usage_error("cooc", usage_text, "expected a database and a word");
    dw_db *db;
    int status = cmd_stats_open("cooc", argv[optind], &db);
    if (status)
        return status;
    if ((status = cmd_stats_need_pairs("cooc", db)) != 0) {
        dw_db_close(db);
        return status;
    }
    int nwords;
    char *word = cmd_stats_term(db, argv[optind + 1], &nwords);
    if (!word) {
        dw_db_close(db);
        cmd_error("cooc", "out of memory");
        return 6;
    }
    if (nwords != 1) { /* pairs are of single words */
        cmd_error("cooc", "'%s' is not one word as the statistics count words: give one word", argv[optind + 1]);
        free(word);
        dw_db_close(db);
        return 2;
    }
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT ?1, nb, count, pmi, npmi, llr FROM ("
             " SELECT term_b AS nb, count, pmi, npmi, llr FROM stats_cooc WHERE term_a = ?1 UNION ALL"
             " SELECT term_a, count, pmi, npmi, llr FROM stats_cooc WHERE term_b = ?1)"
             " ORDER BY %s DESC, nb LIMIT ?2",
             by);
    dw_err e = {{0}};
    sqlite3_stmt *st = dw_db_prepare(db, sql, &e);
    if (!st) {
        cmd_error("cooc", "%s", e.msg);
        free(word);
        dw_db_close(db);
        return 4;
    }
    sqlite3_bind_text(st, 1, word, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, limit ? limit : -1);
    static const char *const cols[] = {"term_a", "term_b", "#count", "#pmi", "#npmi", "#llr"};
    if (cmd_stats_print(st, 6, cols, fmt, stdout) != SQLITE_OK) {
        dw_db_fail(db, &e, "read statistics");
        cmd_error("cooc", "%s", e.msg);
        status = 4;
    } else if (fmt == CMD_FMT_TABLE && !cooc_has_pairs(db, word)) {
        /* why the table is empty, for a reader (csv and json stay empty) */
        char mc[32];
        cmd_stats_info(db, "min_count", "?", mc, sizeof mc);
        long long n = cooc_in_terms(db, word) ? -1 : cooc_occurrences(db, word);
        if (n < 0)
            cmd_error("cooc", "'%s' has no pair counted at least %s times (--min-count)", word, mc);
        else if (n > 0)
            cmd_error("cooc", "'%s' occurs %lld times but is in no pair: a stop word (diwan stats"
                      " --keep-stopwords pairs them), or never within --window of another word", word, n);
        else if (n == 0)
            cmd_error("cooc", "'%s' is not in the counted text", word);
        else
            cmd_error("cooc", "'%s' is in no pair: not in the counted text, or a stop word", word);
    }
    sqlite3_finalize(st);
    free(word);
    dw_db_close(db);
    return status;
}
