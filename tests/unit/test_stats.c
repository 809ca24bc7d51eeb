/* test_stats.c: the statistics stage: hand-counted n-grams, lengths and
 * co-occurrences (tests/data/stats), PMI/NPMI/LLR against values computed
 * independently in Python, identical tables with and without spilling and
 * whatever the thread count, merging shards equal to one run, and raw mode
 * against tr | sort | uniq -c on a shared collection. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/db.h"
#include "core/norm.h"
#include "helpers.h"
#include "stats/counter.h"
#include "stats/stats.h"

/* Creates a database at dir/name; caller closes. */
static dw_db *make_db(const char *dir, const char *name)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    dw_db *db = NULL;
    dw_err e = {{0}};
    cr_assert_eq(dw_db_open(&db, path, DW_DB_CREATE, 0, &e), DW_OK, "%s", e.msg);
    return db;
}

/* Adds an article (source and published may be NULL). */
static void add_article(dw_db *db, const char *source, const char *published, const char *body)
{
    static int seq;
    sqlite3_stmt *st;
    if (source) {
        cr_assert_eq(sqlite3_prepare_v2(db->h, "INSERT OR IGNORE INTO sources(name) VALUES (?1)", -1, &st, NULL), 0);
        sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
        cr_assert_eq(sqlite3_step(st), SQLITE_DONE);
        sqlite3_finalize(st);
    }
    cr_assert_eq(sqlite3_prepare_v2(db->h,
                                    "INSERT INTO articles(content_hash, title, body, published, source_id, n_chars,"
                                    " n_tokens) VALUES (?1, 't', ?2, ?3, (SELECT id FROM sources WHERE name = ?4), 0, 0)",
                                    -1, &st, NULL),
                 0);
    char h[32];
    snprintf(h, sizeof h, "h%d-%s", seq++, body);
    sqlite3_bind_blob(st, 1, h, (int)strlen(h), SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, body, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, published, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, source, -1, SQLITE_STATIC);
    cr_assert_eq(sqlite3_step(st), SQLITE_DONE, "%s", sqlite3_errmsg(db->h));
    sqlite3_finalize(st);
}

/* Loads tests/data/stats/articles.tsv into db. */
static void load_fixture(dw_db *db)
{
    char *text = dwt_read_file(dwt_path("tests/data/stats/articles.tsv"), NULL);
    cr_assert(text);
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#')
            continue;
        char *f[3] = {line, NULL, NULL};
        f[1] = strchr(f[0], '\t');
        cr_assert(f[1]);
        *f[1]++ = '\0';
        f[2] = strchr(f[1], '\t');
        cr_assert(f[2]);
        *f[2]++ = '\0';
        add_article(db, strcmp(f[0], "-") ? f[0] : NULL, strcmp(f[1], "-") ? f[1] : NULL, f[2]);
    }
    free(text);
}

/* Rows of sql joined as "a\tb\t...\n", into a malloc'd string. */
static char *dump(dw_db *db, const char *sql)
{
    sqlite3_stmt *st;
    cr_assert_eq(sqlite3_prepare_v2(db->h, sql, -1, &st, NULL), SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(db->h));
    dw_buf b = DW_BUF_INIT;
    while (sqlite3_step(st) == SQLITE_ROW) {
        for (int c = 0; c < sqlite3_column_count(st); c++) {
            const char *v = (const char *)sqlite3_column_text(st, c);
            dw_buf_printf(&b, "%s%s", c ? "\t" : "", v ? v : "");
        }
        dw_buf_putc(&b, '\n');
    }
    sqlite3_finalize(st);
    return dw_buf_detach(&b, NULL);
}

/* Expected rows of a data file (comment lines dropped). */
static char *expected(const char *rel)
{
    char *text = dwt_read_file(dwt_path(rel), NULL);
    cr_assert(text);
    dw_buf b = DW_BUF_INIT;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        if (line[0] != '#')
            dw_buf_printf(&b, "%s\n", line);
    free(text);
    return dw_buf_detach(&b, NULL);
}

static void run_stats(dw_db *db, const dw_stats_opts *o)
{
    dw_stats_summary s;
    dw_err e = {{0}};
    cr_assert_eq(dw_stats_run(db, o, &s, &e), DW_OK, "%s", e.msg);
}

Test(stats, measures_match_python)
{
    char *text = dwt_read_file(dwt_path("tests/data/stats/measures.tsv"), NULL);
    cr_assert(text);
    int n = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#')
            continue;
        double k, a, b, t, pmi, npmi, llr;
        cr_assert_eq(sscanf(line, "%lf %lf %lf %lf %lf %lf %lf", &k, &a, &b, &t, &pmi, &npmi, &llr), 7);
        cr_expect(fabs(dw_stats_pmi(k, a, b, t) - pmi) < 1e-9, "pmi %s: %.12f", line, dw_stats_pmi(k, a, b, t));
        cr_expect(fabs(dw_stats_npmi(k, a, b, t) - npmi) < 1e-9, "npmi %s: %.12f", line, dw_stats_npmi(k, a, b, t));
        cr_expect(fabs(dw_stats_llr(k, a, b, t) - llr) < 1e-9, "llr %s: %.12f", line, dw_stats_llr(k, a, b, t));
        n++;
    }
    cr_assert_eq(n, 5);
    free(text);
}

static const char ngrams_sql[] =
    "SELECT b.kind, b.name, g.n, g.term, g.count, g.df FROM stats_ngrams g JOIN stats_buckets b ON b.id = g.bucket"
    " ORDER BY b.kind, b.name, g.n, g.term";

Test(stats, hand_counted_ngrams)
{
    char *tmp = dwt_tmpdir();
    dw_db *db = make_db(tmp, "a.db");
    load_fixture(db);
    dw_stats_opts o;
    dw_stats_opts_default(&o);
    o.tmpdir = tmp;
    o.window = 2;
    o.keep_stopwords = 1;
    o.min_count = 1;
    run_stats(db, &o);
    char *got = dump(db, ngrams_sql), *want = expected("tests/data/stats/ngrams.tsv");
    cr_expect_str_eq(got, want, "n-grams:\n%s", got);
    free(got);
    free(want);
    got = dump(db, "SELECT unit, group_concat(length || ':' || articles, ' ') FROM"
                   " (SELECT * FROM stats_lengths ORDER BY unit, length) GROUP BY unit ORDER BY unit DESC");
    cr_expect_str_eq(got, "tokens\t2:1 3:1 5:1\nchars\t8:1 11:1 24:1\n");
    free(got);
    got = dump(db, "SELECT group_concat(term || ':' || count, ' ') FROM (SELECT * FROM stats_cooc_terms ORDER BY term)");
    cr_expect_str_eq(got, "احمد:4 كتابا:2 كتب:4\n");
    free(got);
    got = dump(db, "SELECT group_concat(n || ':' || types || '/' || tokens || '/' || hapax, ' ') FROM"
                   " (SELECT * FROM stats_summary WHERE bucket = 1 ORDER BY n)");
    cr_expect_str_eq(got, "1:3/10/1 2:4/6/2 3:2/2/2\n");
    free(got);
    got = dump(db, "SELECT kind, name, articles, tokens, chars FROM stats_buckets ORDER BY id");
    cr_expect_str_eq(got, "all\t\t3\t10\t43\nsource\tS1\t1\t5\t24\nmonth\t2023-01\t1\t5\t24\n"
                          "source\tS2\t1\t2\t8\nmonth\t2023-02\t1\t2\t8\n");
    free(got);
    got = dump(db, "SELECT 'none', term_a, term_b, count FROM stats_cooc ORDER BY term_a, term_b");
    want = expected("tests/data/stats/cooc.tsv");
    cr_expect(strncmp(want, got, strlen(got)) == 0, "pairs:\n%s", got);
    /* harmonic weighting: 1/d */
    o.harmonic = 1;
    run_stats(db, &o);
    free(got);
    got = dump(db, "SELECT 'harmonic', term_a, term_b, count FROM stats_cooc ORDER BY term_a, term_b");
    cr_expect(strstr(want, got) != NULL, "harmonic pairs:\n%s", got);
    free(got);
    free(want);
    dw_db_close(db);
    dwt_rmtree(tmp);
    free(tmp);
}

Test(stats, stopwords_and_min_count)
{
    char *tmp = dwt_tmpdir();
    dw_db *db = make_db(tmp, "a.db");
    add_article(db, NULL, NULL, "ذهب الولد إلى المدرسة، وذهب الولد إلى السوق");
    char sw[4200];
    snprintf(sw, sizeof sw, "%s/stop.txt", tmp);
    FILE *f = fopen(sw, "w");
    fputs("# my list\nالسوق\n", f);
    fclose(f);
    dw_stats_opts o;
    dw_stats_opts_default(&o);
    o.tmpdir = tmp;
    o.window = 1;
    o.min_count = 1;
    run_stats(db, &o); /* built-in list: إلى is a stop word */
    char *got = dump(db, "SELECT term_a, term_b, count FROM stats_cooc ORDER BY 1, 2");
    cr_expect_str_eq(got, "المدرسة\tوذهب\t1\nالولد\tذهب\t1\nالولد\tوذهب\t1\n");
    free(got);
    o.stopwords_path = sw;
    o.min_count = 2;
    run_stats(db, &o);
    got = dump(db, "SELECT term_a, term_b, count FROM stats_cooc ORDER BY 1, 2");
    cr_expect_str_eq(got, "الولد\tالي\t2\n");
    free(got);
    dw_db_close(db);
    dwt_rmtree(tmp);
    free(tmp);
}

/* A synthetic collection: Zipf-like words from a fixed generator. */
static void load_synthetic(dw_db *db, int from, int to)
{
    static const char *const w[] = {"في", "من", "سوق", "نفط", "سعر", "دولار", "بنك", "حكومة", "وزير", "مدينة",
                                    "شركة", "عام", "يوم", "شهر", "طريق", "ماء", "بحر", "جبل", "قمح", "ذهب"};
    uint64_t x = 88172645463325252ull;
    for (int a = 0; a < to; a++) {
        dw_buf b = DW_BUF_INIT;
        int n = 20 + a % 37;
        for (int i = 0; i < n; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            unsigned r = (unsigned)(x % 1000);
            /* a long tail: word + number makes many types */
            if (r < 600)
                dw_buf_printf(&b, "%s%s", w[r % 20], i % 9 == 8 ? ".\n" : " ");
            else
                dw_buf_printf(&b, "%s%u%s", w[r % 20], r, i % 9 == 8 ? ".\n" : " ");
        }
        char month[16];
        snprintf(month, sizeof month, "2024-%02d-01", 1 + a % 5);
        if (a >= from)
            add_article(db, a % 3 ? "S1" : "S2", a % 7 ? month : NULL, dw_buf_str(&b));
        dw_buf_free(&b);
    }
}

static const char *const dump_sql[] = {
    "SELECT b.kind, b.name, g.n, g.term, g.count, g.df FROM stats_ngrams g JOIN stats_buckets b ON b.id = g.bucket"
    " ORDER BY 1, 2, 3, 4",
    "SELECT b.kind, b.name, s.n, s.types, s.tokens, s.hapax FROM stats_summary s JOIN stats_buckets b"
    " ON b.id = s.bucket ORDER BY 1, 2, 3",
    "SELECT kind, name, articles, tokens, chars FROM stats_buckets ORDER BY 1, 2",
    "SELECT * FROM stats_lengths ORDER BY 1, 2",
    "SELECT term, count FROM stats_cooc_terms ORDER BY 1",
    "SELECT term_a, term_b, count, printf('%.17g %.17g %.17g', pmi, npmi, llr) FROM stats_cooc ORDER BY 1, 2",
    "SELECT key, value FROM stats_info ORDER BY 1",
    "SELECT b.kind, b.name, t.n, t.by, t.rank, t.term, t.count, t.df FROM stats_top t JOIN stats_buckets b"
    " ON b.id = t.bucket ORDER BY 1, 2, 3, 4, 5",
};

/* The results of the n queries sql[], one after the other (caller frees). */
static char *dump_queries(dw_db *db, const char *const *sql, size_t n)
{
    dw_buf b = DW_BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        char *d = dump(db, sql[i]);
        dw_buf_printf(&b, "-- %zu\n%s", i, d);
        free(d);
    }
    return dw_buf_detach(&b, NULL);
}

static char *dump_all(dw_db *db) { return dump_queries(db, dump_sql, sizeof dump_sql / sizeof *dump_sql); }

Test(stats, same_tables_with_spills_and_threads, .timeout = 120)
{
    char *tmp = dwt_tmpdir();
    dw_db *db = make_db(tmp, "a.db");
    load_synthetic(db, 0, 3000);
    dw_stats_opts o;
    dw_stats_opts_default(&o);
    o.tmpdir = tmp;
    o.min_count = 2;
    o.harmonic = 1;
    o.threads = 1;
    dw_stats_summary s;
    dw_err e = {{0}};
    cr_assert_eq(dw_stats_run(db, &o, &s, &e), DW_OK, "%s", e.msg);
    cr_assert_eq(s.runs, 0);
    cr_assert_gt(s.pairs_stored, 100);
    char *whole = dump_all(db);
    /* a budget so small that both counters spill many runs (more than the fan-in) */
    o.budget_bytes = 600 << 10;
    o.threads = 4;
    cr_assert_eq(dw_stats_run(db, &o, &s, &e), DW_OK, "%s", e.msg);
    cr_assert_gt(s.runs, 2 * DW_COUNTER_FANIN, "runs %u", s.runs);
    char *spilled = dump_all(db);
    cr_expect(strcmp(whole, spilled) == 0, "tables differ after spilling");
    /* without pairs, the n-gram table spills on a thread of its own: the
     * n-gram rows, summaries, buckets and lengths are those of the first run */
    o.cooc = 0;
    cr_assert_eq(dw_stats_run(db, &o, &s, &e), DW_OK, "%s", e.msg);
    cr_assert_gt(s.runs, 2 * DW_COUNTER_FANIN, "runs %u", s.runs);
    char *ng_bg = dump_queries(db, dump_sql, 4);
    char *ng_ref = strndup(whole, (size_t)(strstr(whole, "-- 4\n") - whole));
    cr_expect(strcmp(ng_ref, ng_bg) == 0, "n-gram tables differ with background spills");
    free(ng_ref);
    free(ng_bg);
    free(whole);
    free(spilled);
    dw_db_close(db);
    dwt_rmtree(tmp);
    free(tmp);
}

/* stats_top holds, for every bucket and n, the first DW_STATS_TOP_K rows of
 * stats_ngrams in the two orders of `diwan top` (checked here with SQL's
 * window functions), on one thread and with spills on several */
Test(stats, top_rows_equal_order_by, .timeout = 120)
{
    char *tmp = dwt_tmpdir();
    dw_db *db = make_db(tmp, "a.db");
    load_synthetic(db, 0, 3000);
    static const char check_sql[] =
        "WITH r AS (SELECT bucket, n, term, count, df,"
        " row_number() OVER (PARTITION BY bucket, n ORDER BY count DESC, df DESC, term) AS rc,"
        " row_number() OVER (PARTITION BY bucket, n ORDER BY df DESC, count DESC, term) AS rd FROM stats_ngrams),"
        " want AS (SELECT bucket, n, 'count' AS by, rc AS rank, term, count, df FROM r WHERE rc <= %d UNION ALL"
        " SELECT bucket, n, 'df', rd, term, count, df FROM r WHERE rd <= %d)"
        " SELECT (SELECT count(*) FROM want), (SELECT count(*) FROM stats_top),"
        " (SELECT count(*) FROM want w JOIN stats_top t USING (bucket, n, by, rank, term, count, df)),"
        " (SELECT max(c) FROM (SELECT count(*) AS c FROM stats_ngrams GROUP BY bucket, n)),"
        " (SELECT value FROM stats_info WHERE key = 'top_k')";
    char sql[1200];
    snprintf(sql, sizeof sql, check_sql, DW_STATS_TOP_K, DW_STATS_TOP_K);
    for (int v = 0; v < 2; v++) {
        dw_stats_opts o;
        dw_stats_opts_default(&o);
        o.tmpdir = tmp;
        o.cooc = 0;
        o.threads = v ? 3 : 1;
        o.budget_bytes = v ? 600u << 10 : 0;
        run_stats(db, &o);
        char *got = dump(db, sql);
        long want = 0, top = 0, same = 0, biggest = 0, k = 0;
        cr_assert_eq(sscanf(got, "%ld\t%ld\t%ld\t%ld\t%ld", &want, &top, &same, &biggest, &k), 5, "%s", got);
        cr_expect_gt(biggest, DW_STATS_TOP_K, "no group beyond the first rows: %s", got);
        cr_expect_gt(want, 1000);
        cr_expect_eq(top, want, "variant %d: %s", v, got);
        cr_expect_eq(same, want, "variant %d: %s", v, got);
        cr_expect_eq(k, DW_STATS_TOP_K);
        free(got);
    }
    dw_db_close(db);
    dwt_rmtree(tmp);
    free(tmp);
}

/* The output of a shell command (caller frees). */
static char *run_out(const char *cmd)
{
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p, "%s", cmd);
    dw_buf b = DW_BUF_INIT;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
        dw_buf_append(&b, chunk, n);
    cr_assert_eq(pclose(p), 0, "%s", cmd);
    return dw_buf_detach(&b, NULL);
}

/* `diwan top` reads its rows from stats_top when the limit fits in it, from
 * every n-gram otherwise (--limit 0, a limit beyond top_k, statistics of a
 * version without stats_top): the same rows, in every order and bucket */
Test(stats, top_command_same_rows_kept_or_scanned, .timeout = 120)
{
    char *tmp = dwt_tmpdir();
    dw_db *db = make_db(tmp, "a.db");
    load_synthetic(db, 0, 3000);
    dw_stats_opts o;
    dw_stats_opts_default(&o);
    o.tmpdir = tmp;
    o.cooc = 0;
    run_stats(db, &o);
    char *month = dump(db, "SELECT name FROM stats_buckets WHERE kind = 'month' ORDER BY articles DESC LIMIT 1");
    month[strcspn(month, "\n")] = '\0';
    static const char *const args[] = {"--ngram 1 --limit 20", "--ngram 2 --by df --limit 1000",
                                       "--ngram 3 --limit 7 --format csv", "--ngram 2 --limit 50 --month"};
    char *kept[4], *all = NULL;
    char cmd[8192], a[256];
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) /* statistics as a version without stats_top wrote them */
            cr_assert_eq(sqlite3_exec(db->h, "DELETE FROM stats_top; DELETE FROM stats_info WHERE key = 'top_k'",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
        for (int i = 0; i < 4; i++) {
            snprintf(a, sizeof a, "%s%s%s", args[i], i == 3 ? " " : "", i == 3 ? month : "");
            snprintf(cmd, sizeof cmd, "'%s' top %s '%s/a.db'", dwt_bin(), a, tmp);
            char *out = run_out(cmd);
            cr_assert_gt(strlen(out), 20, "%s", cmd);
            if (pass == 0)
                kept[i] = out;
            else {
                cr_expect_str_eq(out, kept[i], "%s", a);
                free(out);
                free(kept[i]);
            }
        }
        /* --limit 1001: beyond what is kept */
        snprintf(cmd, sizeof cmd, "'%s' top --ngram 2 --limit 1001 '%s/a.db'", dwt_bin(), tmp);
        char *out = run_out(cmd);
        if (pass == 0)
            all = out;
        else {
            cr_expect_str_eq(out, all);
            free(out);
            free(all);
        }
    }
    free(month);
    dw_db_close(db);
    dwt_rmtree(tmp);
    free(tmp);
}

/* a unigram-only run folds each article's tokens into its distinct words
 * before counting (group_art): its unigram rows, summaries, buckets and
 * lengths are those of a run that also counts bigrams and pairs token by
 * token, normalized or raw, on one thread or several, spilled or not */
Test(stats, unigram_only_runs_equal_the_unigrams_of_full_runs, .timeout = 120)
{
    static const char *const sql[] = {
        "SELECT b.kind, b.name, g.term, g.count, g.df FROM stats_ngrams g JOIN stats_buckets b ON b.id = g.bucket"
        " WHERE g.n = 1 ORDER BY 1, 2, 3",
        "SELECT b.kind, b.name, s.types, s.tokens, s.hapax FROM stats_summary s JOIN stats_buckets b"
        " ON b.id = s.bucket WHERE s.n = 1 ORDER BY 1, 2",
        "SELECT kind, name, articles, tokens, chars FROM stats_buckets ORDER BY 1, 2",
        "SELECT unit, length, articles FROM stats_lengths ORDER BY 1, 2"};
    char *tmp = dwt_tmpdir();
    dw_db *db = make_db(tmp, "a.db");
    load_synthetic(db, 0, 900);
    for (int raw = 0; raw < 2; raw++) {
        dw_stats_opts o;
        dw_stats_opts_default(&o);
        o.tmpdir = tmp;
        o.whitespace = raw;
        o.normalize = !raw;
        o.ngram_max = 2;
        o.min_count = 1;
        run_stats(db, &o);
        char *full = dump_queries(db, sql, sizeof sql / sizeof *sql);
        cr_assert_gt(strlen(full), 5000u);
        for (int v = 0; v < 3; v++) {
            o.ngram_max = 1;
            o.cooc = 0;
            o.threads = v == 0 ? 1 : 3;
            o.budget_bytes = v == 2 ? 64u << 10 : 0; /* spills */
            dw_stats_summary sum;
            dw_err e = {{0}};
            cr_assert_eq(dw_stats_run(db, &o, &sum, &e), DW_OK, "%s", e.msg);
            if (v == 2)
                cr_expect_gt(sum.runs, 1u, "no spill");
            char *got = dump_queries(db, sql, sizeof sql / sizeof *sql);
            cr_expect(strcmp(full, got) == 0, "unigram-only run differs (raw %d, variant %d)", raw, v);
            free(got);
        }
        free(full);
    }
    dw_db_close(db);
    dwt_rmtree(tmp);
    free(tmp);
}

/* A database tmp/name into which `diwan ingest` read inputs (quoted
 * shell words), opened (caller closes). */
static dw_db *ingested_db(const char *tmp, const char *name, const char *inputs)
{
    char cmd[16384];
    snprintf(cmd, sizeof cmd, "'%s' ingest -q '%s/%s' %s", dwt_bin(), tmp, name, inputs);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    snprintf(cmd, sizeof cmd, "%s/%s", tmp, name);
    dw_db *db = NULL;
    dw_err e = {{0}};
    cr_assert_eq(dw_db_open(&db, cmd, 0, 0, &e), DW_OK, "%s", e.msg);
    return db;
}

/* One token of the naive count below: its bytes and its article. */
typedef struct {
    char *s;  /* the token (owned by the test) */
    int art;  /* its article */
} raw_tok;

static int cmp_raw_tok(const void *a, const void *b)
{
    const raw_tok *x = a, *y = b;
    int c = strcmp(x->s, y->s);
    return c ? c : (x->art > y->art) - (x->art < y->art);
}

/* the whitespace tokenizer reads eight bytes at a time: it splits exactly
 * where a byte-by-byte reading does, and counts the same characters, on
 * bodies of every length up to 60 bytes drawn from the six white-space
 * bytes, other control bytes, '!', DEL, Arabic letters and stray UTF-8
 * bytes (counted naively here: tokens, df, the overall bucket's tokens and
 * characters) */
Test(stats, raw_tokens_split_as_byte_by_byte, .timeout = 120)
{
    static const char *const pick[] = {" ", "\t", "\n", "\v", "\f", "\r", "\x01", "\x1F", "!", "\x7F",
                                       "a", "z", "\xD8\xA8", "\xD9\x85", "\x80", "\xFF", "\xD9", "  "};
    char *tmp = dwt_tmpdir();
    dw_db *db = make_db(tmp, "a.db");
    raw_tok *toks = NULL;
    size_t ntok = 0, cap = 0, chars = 0;
    uint32_t x = 7;
    int art = 0;
    for (int round = 0; round < 6; round++)
        for (size_t len = 0; len <= 60; len++, art++) {
            char body[128];
            size_t n = 0;
            while (n < len) { /* pieces until len bytes or a little more */
                x = x * 1103515245u + 12345u;
                const char *p = pick[(x >> 16) % (sizeof pick / sizeof *pick)];
                memcpy(body + n, p, strlen(p));
                n += strlen(p);
            }
            body[n] = '\0';
            add_article(db, NULL, NULL, body);
            for (size_t i = 0; i < n; i++)
                chars += ((unsigned char)body[i] & 0xC0) != 0x80;
            for (size_t i = 0; i < n;) { /* byte by byte */
                if (strchr(" \t\n\v\f\r", body[i])) {
                    i++;
                    continue;
                }
                size_t st = i;
                while (i < n && !strchr(" \t\n\v\f\r", body[i]))
                    i++;
                if (ntok == cap) {
                    cap = cap ? 2 * cap : 256;
                    toks = realloc(toks, cap * sizeof *toks);
                    cr_assert(toks);
                }
                toks[ntok].s = strndup(body + st, i - st);
                toks[ntok++].art = art;
            }
        }
    qsort(toks, ntok, sizeof *toks, cmp_raw_tok);
    dw_buf want = DW_BUF_INIT;
    for (size_t i = 0; i < ntok;) {
        size_t j = i, df = 0;
        for (; j < ntok && strcmp(toks[j].s, toks[i].s) == 0; j++)
            df += j == i || toks[j].art != toks[j - 1].art;
        dw_buf_printf(&want, "%s\t%zu\t%zu\n", toks[i].s, j - i, df);
        i = j;
    }
    dw_stats_opts o;
    dw_stats_opts_default(&o);
    o.tmpdir = tmp;
    o.whitespace = 1;
    o.normalize = 0;
    o.ngram_max = 1;
    o.cooc = 0;
    for (int threads = 1; threads <= 2; threads++) {
        o.threads = threads;
        run_stats(db, &o);
        char *got = dump(db, "SELECT g.term, g.count, g.df FROM stats_ngrams g JOIN stats_buckets b ON b.id = g.bucket"
                             " WHERE b.kind = 'all' AND g.n = 1 ORDER BY g.term");
        cr_expect(strcmp(got, dw_buf_str(&want)) == 0, "raw tokens differ from a byte-by-byte split (threads %d)",
                  threads);
        char *totals = dump(db, "SELECT articles, tokens, chars FROM stats_buckets WHERE kind = 'all'");
        char line[96];
        snprintf(line, sizeof line, "%d\t%zu\t%zu\n", art, ntok, chars);
        cr_expect_str_eq(totals, line);
        free(got);
        free(totals);
    }
    for (size_t i = 0; i < ntok; i++)
        free(toks[i].s);
    free(toks);
    dw_buf_free(&want);
    dw_db_close(db);
    dwt_rmtree(tmp);
    free(tmp);
}

/* --per none and --per month count the same overall (and monthly) n-grams
 * as the default, without the other buckets; also with no normalization and
 * the whitespace tokenizer (the body is counted in place, not copied) */
Test(stats, per_bucket_choice_keeps_overall_counts, .timeout = 120)
{
    static const char overall_sql[] =
        "SELECT g.n, g.term, g.count, g.df FROM stats_ngrams g JOIN stats_buckets b"
        " ON b.id = g.bucket WHERE b.kind = 'all' ORDER BY 1, 2";
    char *tmp = dwt_tmpdir();
    dw_db *db = make_db(tmp, "a.db");
    load_synthetic(db, 0, 600);
    for (int raw = 0; raw < 2; raw++) {
        dw_stats_opts o;
        dw_stats_opts_default(&o);
        o.tmpdir = tmp;
        o.cooc = 0;
        o.whitespace = raw;
        o.normalize = !raw;
        run_stats(db, &o);
        const char *sql = overall_sql;
        char *all = dump(db, sql);
        char *month = dump(db, "SELECT b.name, g.n, g.term, g.count, g.df FROM stats_ngrams g JOIN stats_buckets b"
                               " ON b.id = g.bucket WHERE b.kind = 'month' ORDER BY 1, 2, 3");
        cr_assert_gt(strlen(all), 1000);
        cr_assert_gt(strlen(month), 1000);
        o.per_source = o.per_month = 0;
        run_stats(db, &o);
        char *all2 = dump(db, sql);
        cr_expect(strcmp(all, all2) == 0, "overall n-grams differ with --per none (raw %d)", raw);
        char *kinds = dump(db, "SELECT group_concat(DISTINCT kind) FROM stats_buckets");
        cr_expect_str_eq(kinds, "all\n");
        char *per = dump(db, "SELECT value FROM stats_info WHERE key = 'per'");
        cr_expect_str_eq(per, "none\n");
        o.per_month = 1;
        run_stats(db, &o);
        char *month2 = dump(db, "SELECT b.name, g.n, g.term, g.count, g.df FROM stats_ngrams g JOIN stats_buckets b"
                                " ON b.id = g.bucket WHERE b.kind = 'month' ORDER BY 1, 2, 3");
        cr_expect(strcmp(month, month2) == 0, "monthly n-grams differ with --per month (raw %d)", raw);
        free(all);
        free(all2);
        free(month);
        free(month2);
        free(kinds);
        free(per);
    }
    dw_db_close(db);
    dwt_rmtree(tmp);
    free(tmp);
}

/* a killed run leaves its spill folder; the next run removes it (and only
 * folders of processes that no longer exist) */
Test(stats, stale_spill_folders_are_removed)
{
    char *tmp = dwt_tmpdir();
    dw_db *db = make_db(tmp, "a.db");
    load_fixture(db);
    pid_t child = fork();
    if (child == 0)
        _exit(0);
    waitpid(child, NULL, 0);
    char dead[4200], live[4200], f[4300];
    snprintf(dead, sizeof dead, "%s/diwan-stats.%ld.AbCdEf", tmp, (long)child);
    snprintf(live, sizeof live, "%s/diwan-stats.%ld.GhIjKl", tmp, (long)getppid());
    cr_assert_eq(mkdir(dead, 0700), 0);
    cr_assert_eq(mkdir(live, 0700), 0);
    snprintf(f, sizeof f, "%s/run-0x1-000000.zst", dead);
    FILE *fp = fopen(f, "w");
    cr_assert(fp);
    fclose(fp);
    dw_stats_opts o;
    dw_stats_opts_default(&o);
    o.tmpdir = tmp;
    run_stats(db, &o);
    struct stat sb;
    cr_expect_neq(stat(dead, &sb), 0, "the dead run's folder is still there");
    cr_expect_eq(stat(live, &sb), 0, "a live process's folder was removed");
    dw_db_close(db);
    dwt_rmtree(tmp);
    free(tmp);
}

/* dw_stats_merge with batch and min_count, no progress. */
static dw_rc merge_into(dw_db *db, const char *const *others, size_t n, size_t batch, int64_t min_count, int *skipped,
                        dw_err *e)
{
    dw_stats_merge_opts o = {batch, min_count, NULL, NULL};
    return dw_stats_merge(db, others, n, &o, skipped, e);
}

/* Writes the first difference of two dumps to /tmp for a look, and
 * returns its offset (strlen when equal). */
static size_t first_diff(const char *one, const char *merged)
{
    size_t at = 0;
    while (one[at] && one[at] == merged[at])
        at++;
    if (one[at] != merged[at]) {
        FILE *f1 = fopen("/tmp/dw-merge-one.txt", "w"), *f2 = fopen("/tmp/dw-merge-merged.txt", "w");
        if (f1 && f2) {
            fputs(one, f1);
            fputs(merged, f2);
        }
        if (f1)
            fclose(f1);
        if (f2)
            fclose(f2);
    }
    return at;
}

/* ten shards (articles 0-119, 120-239, ...) merged into the first in one
 * call (groups of 4, 4 and 1: three k-way merges) equal one run over
 * the 1200 articles, harmonic counts and --min-count included; merging
 * again adds nothing (every shard skipped), as does a merge resumed after
 * its first batch; statistics of the same articles cut otherwise, or
 * holding some of the parts already, or counted with other options, are
 * refused */
Test(stats, merged_shards_equal_one_run, .timeout = 120)
{
    char *tmp = dwt_tmpdir();
    dw_db *all = make_db(tmp, "all.db");
    load_synthetic(all, 0, 1200);
    dw_db_close(all);
    /* the shards: copies of the articles (same content hashes) */
    char allp[4200], cmd[9000];
    snprintf(allp, sizeof allp, "%s/all.db", tmp);
    char paths[10][4200];
    const char *others[10];
    dw_err e = {{0}};
    dw_stats_opts o;
    dw_stats_opts_default(&o);
    o.tmpdir = tmp;
    o.harmonic = 1;
    o.min_count = 0; /* shards keep every pair, harmonic fractions below 1 too */
    for (int k = 0; k < 10; k++) {
        snprintf(paths[k], sizeof paths[k], "%s/s%d.db", tmp, k);
        others[k] = paths[k];
        snprintf(cmd, sizeof cmd, "cp '%.4190s' '%.4190s'", allp, paths[k]);
        cr_assert_eq(system(cmd), 0);
        dw_db *s = NULL;
        cr_assert_eq(dw_db_open(&s, paths[k], 0, 0, &e), DW_OK, "%s", e.msg);
        snprintf(cmd, sizeof cmd, "DELETE FROM articles WHERE (id - 1) / 120 <> %d", k);
        cr_assert_eq(sqlite3_exec(s->h, cmd, NULL, NULL, NULL), SQLITE_OK);
        run_stats(s, &o);
        dw_db_close(s);
    }
    cr_assert_eq(dw_db_open(&all, allp, 0, 0, &e), DW_OK, "%s", e.msg);
    o.min_count = 3;
    run_stats(all, &o);
    /* a copy of shard 0 for the resumed merge */
    snprintf(cmd, sizeof cmd, "cp '%s' '%s/r.db'", paths[0], tmp);
    cr_assert_eq(system(cmd), 0);
    int skipped[10];
    dw_db *a = NULL;
    cr_assert_eq(dw_db_open(&a, paths[0], 0, 0, &e), DW_OK, "%s", e.msg);
    cr_assert_eq(merge_into(a, others + 1, 9, 4, 3, skipped, &e), DW_OK, "%s", e.msg);
    for (int k = 0; k < 9; k++)
        cr_expect_eq(skipped[k], 0);
    char *one = dump_all(all), *merged = dump_all(a);
    size_t at = first_diff(one, merged);
    cr_expect(one[at] == merged[at], "merged tables differ from one run at byte %zu: ...%.80s", at,
              one + (at > 40 ? at - 40 : 0));
    cr_expect_eq(dwt_q1(paths[0], "SELECT count(*) FROM stats_parts"), 10);
    /* again: every shard is in already */
    cr_assert_eq(merge_into(a, others, 10, 0, 3, skipped, &e), DW_OK, "%s", e.msg);
    for (int k = 0; k < 10; k++)
        cr_expect_eq(skipped[k], 1, "shard %d merged twice", k);
    char *again = dump_all(a);
    cr_expect_str_eq(again, merged);
    free(again);
    /* resumed: the first batch in (pairs kept), then the whole list */
    dw_db *r = NULL;
    snprintf(cmd, sizeof cmd, "%s/r.db", tmp);
    cr_assert_eq(dw_db_open(&r, cmd, 0, 0, &e), DW_OK, "%s", e.msg);
    cr_assert_eq(merge_into(r, others + 1, 4, 4, 0, skipped, &e), DW_OK, "%s", e.msg);
    cr_assert_eq(merge_into(r, others + 1, 9, 4, 3, skipped, &e), DW_OK, "%s", e.msg);
    cr_expect_eq(skipped[3], 1);
    cr_expect_eq(skipped[4], 0);
    char *resumed = dump_all(r);
    at = first_diff(one, resumed);
    cr_expect(one[at] == resumed[at], "resumed merge differs from one run at byte %zu: ...%.80s", at,
              one + (at > 40 ? at - 40 : 0));
    free(resumed);
    /* the one run's articles are the merged statistics' (the sum of the
     * parts), and the merged statistics hold shard 1's part */
    dw_db_close(all);
    const char *one_run[1] = {allp};
    cr_assert_eq(merge_into(a, one_run, 1, 0, -1, skipped, &e), DW_EUSAGE);
    cr_expect(strstr(e.msg, "counts the same articles") != NULL, "%s", e.msg);
    dw_db *s1 = NULL;
    cr_assert_eq(dw_db_open(&s1, paths[1], 0, 0, &e), DW_OK, "%s", e.msg);
    const char *merged_p[1] = {paths[0]};
    cr_assert_eq(merge_into(s1, merged_p, 1, 0, -1, skipped, &e), DW_EUSAGE);
    cr_expect(strstr(e.msg, "1 of its 10 parts are in the statistics") != NULL, "%s", e.msg);
    dw_db_close(s1);
    free(one);
    free(merged);
    /* other counting options: refused */
    all = NULL;
    cr_assert_eq(dw_db_open(&all, allp, 0, 0, &e), DW_OK, "%s", e.msg);
    o.window = 3;
    run_stats(all, &o);
    dw_db_close(all);
    cr_assert_eq(merge_into(r, one_run, 1, 0, -1, skipped, &e), DW_EUSAGE);
    cr_expect(strstr(e.msg, "window 3") != NULL, "%s", e.msg);
    dw_db_close(r);
    dw_db_close(a);
    dwt_rmtree(tmp);
    free(tmp);
}

/* The normalized form of s (caller frees). */
static char *norm_word(const char *s)
{
    dw_buf b = DW_BUF_INIT;
    cr_assert_eq(dw_norm_text(&b, s, strlen(s), DW_NORM_NO_NEWLINES), 0);
    return dw_buf_detach(&b, NULL);
}

/* The first field of each line of a public list (tab-separated, '#'
 * comments, skip header lines first), normalized; single words only.
 * Returns their number; *out holds them (caller frees each and it). */
static size_t read_list(const char *path, int skip, char ***out)
{
    char *text = dwt_read_file(path, NULL);
    cr_assert_not_null(text, "%s", path);
    char **v = NULL;
    size_t n = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#')
            continue;
        if (skip) {
            skip--;
            continue;
        }
        line[strcspn(line, "\t\r")] = '\0';
        char *w = norm_word(line);
        if (!*w || strchr(w, ' ')) {
            free(w);
            continue;
        }
        v = realloc(v, (n + 1) * sizeof *v);
        v[n++] = w;
    }
    free(text);
    *out = v;
    return n;
}

static int in_list(char *const *v, size_t n, const char *w)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], w) == 0)
            return 1;
    return 0;
}

/* the built-in stop words against the public lists of ../shared/data/lexicons
 * (normalized as the run normalizes both): they hold 88 of the 100 most
 * frequent stop words of Arabic Wikipedia (linuxscout's frequency list;
 * the 12 others are lone letters, بن and مرة, content in news) and 163 of
 * the first 200; and 95% of the built-in entries are in linuxscout's list
 * of inflected forms or in mohataher's list (the others are reporting verbs
 * of news: قالت, أضاف, أشار ...) */
Test(stats, stopwords_against_public_lists)
{
    const char *shared = dwt_shared();
    if (!shared)
        cr_skip_test("../shared not found: stop words not compared with the public lists");
    char path[4200];
    char **wiki, **forms, **mo;
    snprintf(path, sizeof path, "%s/data/lexicons/linuxscout-arabicstopwords/wiki_stopwords_frequency.csv", shared);
    size_t nwiki = read_list(path, 0, &wiki);
    snprintf(path, sizeof path, "%s/data/lexicons/linuxscout-arabicstopwords/stopwordsallforms.csv", shared);
    size_t nforms = read_list(path, 1, &forms); /* after the comments, a header row */
    snprintf(path, sizeof path, "%s/data/lexicons/mohataher-arabic-stop-words/list.txt", shared);
    size_t nmo = read_list(path, 0, &mo);
    cr_assert_gt(nwiki, 2000u);
    cr_assert_gt(nforms, 20000u);
    cr_assert_gt(nmo, 700u);
    size_t nb;
    const char *const *b = dw_stats_stopwords(&nb);
    char **bi = malloc(nb * sizeof *bi);
    for (size_t i = 0; i < nb; i++)
        bi[i] = norm_word(b[i]);
    size_t top100 = 0, top200 = 0, known = 0;
    for (size_t i = 0; i < 200; i++) {
        int in = in_list(bi, nb, wiki[i]);
        top100 += i < 100 && in;
        top200 += in;
    }
    for (size_t i = 0; i < nb; i++)
        known += in_list(forms, nforms, bi[i]) || in_list(mo, nmo, bi[i]);
    cr_expect_geq(top100, 88u, "%zu of the 100 most frequent", top100);
    cr_expect_geq(top200, 163u, "%zu of the 200 most frequent", top200);
    cr_expect_geq(known * 100, nb * 95, "%zu of %zu built-in entries in a public list", known, nb);
    for (size_t i = 0; i < nb; i++)
        free(bi[i]);
    free(bi);
    char **lists[] = {wiki, forms, mo};
    size_t ns[] = {nwiki, nforms, nmo};
    for (int l = 0; l < 3; l++) {
        for (size_t i = 0; i < ns[l]; i++)
            free(lists[l][i]);
        free(lists[l]);
    }
}

/* a connection that already has a temporary database (SQLite then refuses
 * to change temp_store, which the run sets for the pair index) still runs
 * the statistics, with the same tables */
Test(stats, runs_on_a_connection_with_temp_tables, .timeout = 60)
{
    char *tmp = dwt_tmpdir();
    dw_db *db = make_db(tmp, "a.db");
    load_synthetic(db, 0, 300);
    dw_stats_opts o;
    dw_stats_opts_default(&o);
    o.tmpdir = tmp;
    o.min_count = 1;
    run_stats(db, &o);
    char *before = dump_all(db);
    cr_assert_eq(sqlite3_exec(db->h, "CREATE TEMP TABLE t(x); INSERT INTO t VALUES (1)", NULL, NULL, NULL), SQLITE_OK);
    run_stats(db, &o);
    char *after = dump_all(db);
    cr_expect(strcmp(before, after) == 0, "tables differ with a temporary database open");
    free(before);
    free(after);
    dw_db_close(db);
    dwt_rmtree(tmp);
    free(tmp);
}

/* --stopwords with a public list as published (mohataher's: an empty first
 * line, diacritics, both hamza spellings, entries of several words): no
 * stored pair has one of its words, where the built-in list leaves some */
Test(stats, stopwords_file_public_list, .timeout = 120)
{
    const char *shared = dwt_shared();
    if (!shared)
        cr_skip_test("../shared not found: --stopwords with a public list not tested");
    char *tmp = dwt_tmpdir();
    char inputs[8400];
    snprintf(inputs, sizeof inputs, "'%s/sample/pages' '%s/sample/extra'", dwt_root(), dwt_root());
    dw_db *db = ingested_db(tmp, "p.db", inputs);
    char list[4200];
    snprintf(list, sizeof list, "%s/data/lexicons/mohataher-arabic-stop-words/list.txt", shared);
    char **mo;
    size_t nmo = read_list(list, 0, &mo);
    cr_assert_eq(sqlite3_exec(db->h, "CREATE TABLE sw(term TEXT PRIMARY KEY)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_stmt *ins;
    cr_assert_eq(sqlite3_prepare_v2(db->h, "INSERT OR IGNORE INTO sw VALUES (?1)", -1, &ins, NULL), SQLITE_OK);
    for (size_t i = 0; i < nmo; i++) {
        sqlite3_bind_text(ins, 1, mo[i], -1, SQLITE_STATIC);
        cr_assert_eq(sqlite3_step(ins), SQLITE_DONE);
        sqlite3_reset(ins);
        free(mo[i]);
    }
    sqlite3_finalize(ins);
    free(mo);
    static const char q[] = "SELECT count(*) FROM stats_cooc WHERE term_a IN sw OR term_b IN sw";
    dw_stats_opts o;
    dw_stats_opts_default(&o);
    o.tmpdir = tmp;
    o.min_count = 1;
    run_stats(db, &o); /* the built-in list */
    char *builtin = dump(db, q), *hash_builtin = dump(db, "SELECT value FROM stats_info WHERE key = 'stopwords'");
    o.stopwords_path = list;
    run_stats(db, &o);
    char *with_list = dump(db, q), *hash_list = dump(db, "SELECT value FROM stats_info WHERE key = 'stopwords'");
    char *pairs = dump(db, "SELECT count(*) > 100 FROM stats_cooc");
    cr_expect_neq(atoi(builtin), 0, "the built-in list already leaves out every word of the public one");
    cr_expect_str_eq(with_list, "0\n");
    cr_expect_str_eq(pairs, "1\n");
    cr_expect_str_neq(hash_builtin, hash_list);
    free(builtin);
    free(with_list);
    free(hash_builtin);
    free(hash_list);
    free(pairs);
    dw_db_close(db);
    dwt_rmtree(tmp);
    free(tmp);
}

Test(stats, raw_mode_equals_sort_uniq, .timeout = 300)
{
    const char *shared = dwt_shared();
    if (!shared)
        cr_skip_test("../shared not found: raw mode check skipped");
    char *tmp = dwt_tmpdir();
    char cmd[16384];
    snprintf(cmd, sizeof cmd, "'%s/data/raw/saudinewsnet/2015-08-10.json.zst'", shared);
    dw_db *db = ingested_db(tmp, "r.db", cmd);
    dw_stats_opts o;
    dw_stats_opts_default(&o);
    o.tmpdir = tmp;
    o.whitespace = 1;
    o.normalize = 0;
    o.ngram_max = 1;
    o.cooc = 0;
    o.all_copies = 1;
    run_stats(db, &o);
    /* the bodies, each ending with a newline, counted by coreutils */
    char *bodies = dump(db, "SELECT body FROM articles ORDER BY id");
    snprintf(cmd, sizeof cmd, "%s/bodies.txt", tmp);
    FILE *f = fopen(cmd, "wb");
    fputs(bodies, f);
    fclose(f);
    free(bodies);
    snprintf(cmd, sizeof cmd,
             "tr -s ' \\t\\n\\r\\v\\f' '\\n' < '%s/bodies.txt' | grep -v '^$' | LC_ALL=C sort | LC_ALL=C uniq -c"
             " | sed 's/^ *//' > '%s/uniq.txt'",
             tmp, tmp);
    cr_assert_eq(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "%s/uniq.txt", tmp);
    char *want = dwt_read_file(cmd, NULL);
    char *got = dump(db, "SELECT count || ' ' || term FROM stats_ngrams WHERE bucket = 1 AND n = 1 ORDER BY term");
    cr_assert(want && got);
    cr_expect(strlen(got) > 100000, "%zu bytes", strlen(got));
    cr_expect(strcmp(got, want) == 0, "raw unigram counts differ from sort | uniq -c");
    free(want);
    free(got);
    /* top --format vocab: GloVe's vocabulary file, the same counts in its
     * order (count descending, ties in byte order) */
    snprintf(cmd, sizeof cmd,
             "awk '{print $2\" \"$1}' '%s/uniq.txt' | LC_ALL=C sort -t ' ' -k2,2nr -k1,1 > '%s/vocab-want.txt' &&"
             " '%s' top --format vocab --limit 0 '%s/r.db' > '%s/vocab-got.txt'",
             tmp, tmp, dwt_bin(), tmp, tmp);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    snprintf(cmd, sizeof cmd, "%s/vocab-want.txt", tmp);
    want = dwt_read_file(cmd, NULL);
    snprintf(cmd, sizeof cmd, "%s/vocab-got.txt", tmp);
    got = dwt_read_file(cmd, NULL);
    cr_assert(want && got);
    cr_expect(strlen(got) > 100000, "%zu bytes", strlen(got));
    cr_expect(strcmp(got, want) == 0, "top --format vocab differs from sort | uniq -c in GloVe's order");
    free(want);
    free(got);
    dw_db_close(db);
    dwt_rmtree(tmp);
    free(tmp);
}

/* Progress reports of a run, as on_progress receives them. */
typedef struct {
    char phase[64][32];  /* phase of each report (at most 64 kept, then counted) */
    uint64_t done[64];   /* its done */
    double frac[64];     /* its frac */
    double seconds[64];  /* its seconds */
    int n;               /* reports received */
} progress_log;

static void log_progress(void *ud, const dw_stats_progress *p)
{
    progress_log *l = ud;
    int i = l->n < 64 ? l->n : 63; /* the last one always lands in the last slot */
    snprintf(l->phase[i], sizeof l->phase[i], "%s", p->phase);
    l->done[i] = p->done;
    l->frac[i] = p->frac;
    l->seconds[i] = p->seconds;
    l->n++;
}

/* Rank of a phase in the order a run goes through them; -1 unknown. */
static int phase_rank(const char *p)
{
    static const char *const order[] = {"counting", "writing n-grams", "merging pairs", "writing pairs",
                                        "indexing pairs", "committing"};
    for (int i = 0; i < 6; i++)
        if (strcmp(p, order[i]) == 0)
            return i;
    return -1;
}

/* on_progress hears every phase in order, starting from 0 articles, ending
 * with the run's own figures (articles, n-gram rows, pairs stored); on one
 * thread (rows made where they are inserted) and several (rows made on a
 * thread of their own, reported by the inserting one) */
Test(stats, progress_reports_every_phase_in_order, .timeout = 120)
{
    char *tmp = dwt_tmpdir();
    dw_db *db = make_db(tmp, "p.db");
    load_synthetic(db, 0, 2000);
    for (int threads = 1; threads <= 2; threads++) {
        progress_log *l = calloc(1, sizeof *l);
        dw_stats_opts o;
        dw_stats_opts_default(&o);
        o.tmpdir = tmp;
        o.min_count = 1;
        o.threads = threads;
        o.on_progress = log_progress;
        o.progress_ud = l;
        dw_stats_summary s;
        dw_err e = {{0}};
        cr_assert_eq(dw_stats_run(db, &o, &s, &e), DW_OK, "%s", e.msg);
        cr_assert_lt(l->n, 64, "%d reports of a run of 2000 articles", l->n);
        cr_expect_str_eq(l->phase[0], "counting");
        cr_expect_eq(l->done[0], 0);
        int seen[6] = {0}, last_rank = 0;
        uint64_t last_done[6] = {0};
        double last_frac[6] = {0};
        for (int i = 0; i < l->n; i++) {
            const char *p = l->phase[i];
            int rk = phase_rank(p);
            cr_assert_geq(rk, last_rank, "report %d: %s after another phase", i, p);
            cr_expect_geq(l->seconds[i], i ? l->seconds[i - 1] : 0);
            if (rk == last_rank && seen[rk])
                cr_expect_geq(l->done[i], last_done[rk], "%s: done went back", p);
            last_rank = rk;
            seen[rk]++;
            last_done[rk] = l->done[i];
            last_frac[rk] = l->frac[i];
        }
        for (int k = 0; k < 6; k++)
            cr_expect(seen[k], "threads %d: phase %d never reported", threads, k);
        cr_expect_eq(last_done[0], s.articles);
        cr_expect_eq(last_frac[0], 1.0);
        cr_expect_eq(last_done[1], s.ngrams, "n-gram rows %llu, reported %llu", (unsigned long long)s.ngrams,
                     (unsigned long long)last_done[1]);
        cr_expect_eq(last_done[3], s.pairs_stored);
        cr_expect_gt(s.pairs_stored, 100);
        free(l);
    }
    dw_db_close(db);
    dwt_rmtree(tmp);
    free(tmp);
}

/* dw_stats_text's writer: appends to a dw_buf; fails once ud's limit, if
 * any, is passed (a full disk). */
typedef struct {
    dw_buf out;    /* bytes written */
    size_t limit;  /* 0: none */
} text_sink;

static int sink_write(void *ud, const void *p, size_t n)
{
    text_sink *s = ud;
    if (s->limit && s->out.len + n > s->limit)
        return -1;
    return dw_buf_append(&s->out, p, n);
}

/* The n-grams (n = 1..3, within a line) of text, counted independently of
 * the statistics (SQLite GROUP BY over the words of each line), with the
 * lines they are in as df: rows "n\tterm\tcount\tdf\n" in n, term order. */
static char *count_lines(const char *text)
{
    sqlite3 *m;
    sqlite3_stmt *ins;
    cr_assert_eq(sqlite3_open(":memory:", &m), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(m, "CREATE TABLE g(n, term, line)", NULL, NULL, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_prepare_v2(m, "INSERT INTO g VALUES (?1, ?2, ?3)", -1, &ins, NULL), SQLITE_OK);
    sqlite3_exec(m, "BEGIN", NULL, NULL, NULL);
    char *copy = strdup(text), *save = NULL;
    int line = 0;
    for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save), line++) {
        char *w[4096];
        int nw = 0;
        char *s2 = NULL;
        for (char *t = strtok_r(l, " ", &s2); t && nw < 4096; t = strtok_r(NULL, " ", &s2))
            w[nw++] = t;
        for (int n = 1; n <= 3; n++)
            for (int i = 0; i + n <= nw; i++) {
                dw_buf term = DW_BUF_INIT;
                for (int k = 0; k < n; k++)
                    dw_buf_printf(&term, "%s%s", k ? " " : "", w[i + k]);
                sqlite3_bind_int(ins, 1, n);
                sqlite3_bind_text(ins, 2, dw_buf_str(&term), (int)term.len, SQLITE_TRANSIENT);
                sqlite3_bind_int(ins, 3, line);
                cr_assert_eq(sqlite3_step(ins), SQLITE_DONE);
                sqlite3_reset(ins);
                dw_buf_free(&term);
            }
    }
    free(copy);
    sqlite3_finalize(ins);
    sqlite3_exec(m, "COMMIT", NULL, NULL, NULL);
    sqlite3_stmt *q;
    cr_assert_eq(sqlite3_prepare_v2(m, "SELECT n, term, count(*), count(DISTINCT line) FROM g GROUP BY n, term"
                                       " ORDER BY n, CAST(term AS BLOB)", -1, &q, NULL), SQLITE_OK);
    dw_buf b = DW_BUF_INIT;
    while (sqlite3_step(q) == SQLITE_ROW)
        dw_buf_printf(&b, "%d\t%s\t%lld\t%lld\n", sqlite3_column_int(q, 0), (const char *)sqlite3_column_text(q, 1),
                      (long long)sqlite3_column_int64(q, 2), (long long)sqlite3_column_int64(q, 3));
    sqlite3_finalize(q);
    sqlite3_close(m);
    return dw_buf_detach(&b, NULL);
}

/* Keeps the columns of rows "n\tterm\tcount\tdf\n" that the comparison
 * uses: count only (n-grams of one-sentence lines: their df counts
 * sentences) or count and df (one-article lines). */
static char *cut_df(const char *rows, int keep_df)
{
    dw_buf b = DW_BUF_INIT;
    const char *p = rows;
    while (*p) {
        const char *nl = strchr(p, '\n'), *tab = nl;
        for (const char *q = nl; q > p; q--)
            if (q[-1] == '\t') {
                tab = q - 1;
                break;
            }
        dw_buf_append(&b, p, (size_t)((keep_df ? nl : tab) - p));
        dw_buf_putc(&b, '\n');
        p = nl + 1;
    }
    return dw_buf_detach(&b, NULL);
}

/* diwan text writes what the statistics count: the n-grams of its
 * one-sentence lines, counted by a GROUP BY, are the stored 1- to 3-grams
 * of the overall bucket, and its one-article lines give the unigrams'
 * document frequencies; with and without normalization, both tokenizers,
 * representatives or every copy (the sample pages have near-duplicates) */
Test(stats, text_is_what_is_counted, .timeout = 120)
{
    char *tmp = dwt_tmpdir();
    char inputs[8400];
    snprintf(inputs, sizeof inputs, "'%s/sample/pages' '%s/sample/extra'", dwt_root(), dwt_root());
    dw_db *db = ingested_db(tmp, "t.db", inputs);
    for (int mode = 0; mode < 4; mode++) {
        dw_stats_opts o;
        dw_stats_opts_default(&o);
        o.tmpdir = tmp;
        o.cooc = 0;
        o.per_source = o.per_month = 0;
        o.whitespace = mode & 1;
        o.normalize = !(mode & 1);
        o.all_copies = mode >> 1;
        run_stats(db, &o);
        char *stored = dump(db, "SELECT g.n, g.term, g.count, g.df FROM stats_ngrams g JOIN stats_buckets b"
                                " ON b.id = g.bucket WHERE b.kind = 'all' ORDER BY g.n, CAST(g.term AS BLOB)");
        dw_err e = {{0}};
        dw_stats_text_summary sum[2];
        char *got[2];
        for (int sentences = 0; sentences < 2; sentences++) {
            text_sink s = {DW_BUF_INIT, 0};
            cr_assert_eq(dw_stats_text(db, &o, sentences, sink_write, &s, &sum[sentences], &e), DW_OK, "%s", e.msg);
            got[sentences] = count_lines(dw_buf_str(&s.out));
            dw_buf_free(&s.out);
        }
        char *want_counts = cut_df(stored, 0), *got_counts = cut_df(got[1], 0);
        cr_expect(strcmp(got_counts, want_counts) == 0, "mode %d: n-grams of the sentence lines differ", mode);
        /* df: unigrams of the article lines (the first rows, n = 1) */
        char *want_uni = strdup(stored), *got_uni = strdup(got[0]);
        char *cut = strstr(want_uni, "\n2\t");
        if (cut)
            cut[1] = '\0';
        cut = strstr(got_uni, "\n2\t");
        if (cut)
            cut[1] = '\0';
        cr_expect(strcmp(got_uni, want_uni) == 0, "mode %d: unigram counts or df of the article lines differ", mode);
        char *totals = dump(db, "SELECT articles, tokens FROM stats_buckets WHERE kind = 'all'");
        char line[96];
        snprintf(line, sizeof line, "%llu\t%llu\n", (unsigned long long)sum[0].articles,
                 (unsigned long long)sum[0].tokens);
        cr_expect_str_eq(totals, line, "mode %d", mode);
        cr_expect_eq(sum[1].tokens, sum[0].tokens);
        cr_expect_gt(sum[1].lines, sum[0].lines, "mode %d: sentences are more lines than articles", mode);
        free(want_counts);
        free(got_counts);
        free(want_uni);
        free(got_uni);
        free(totals);
        free(got[0]);
        free(got[1]);
        free(stored);
    }
    /* a writer that fails stops the run with DW_EIO */
    dw_stats_opts o;
    dw_stats_opts_default(&o);
    text_sink s = {DW_BUF_INIT, 100};
    dw_stats_text_summary sum;
    dw_err e = {{0}};
    cr_expect_eq(dw_stats_text(db, &o, 0, sink_write, &s, &sum, &e), DW_EIO);
    cr_expect_str_eq(e.msg, "cannot write output");
    dw_buf_free(&s.out);
    dw_db_close(db);
    dwt_rmtree(tmp);
    free(tmp);
}

/* 1 when /usr/bin/python3 imports pandas (Debian's, as users load files). */
static int have_pandas(void)
{
    return access("/usr/bin/python3", X_OK) == 0 &&
           system("/usr/bin/python3 -c 'import pandas, zstandard' >/dev/null 2>&1") == 0;
}

/* stats --export: every table as a .csv.zst that pandas loads (terms kept
 * as text), cell for cell the database's rows (tests/data/stats/
 * check_export.py); after a merge too (two parts) */
Test(stats, export_loads_in_pandas_as_the_tables, .timeout = 120)
{
    if (!have_pandas())
        cr_skip_test("/usr/bin/python3 with pandas and zstandard not found: exports not checked");
    char *tmp = dwt_tmpdir();
    char inputs[8400];
    snprintf(inputs, sizeof inputs, "'%s/sample/pages' '%s/sample/extra'", dwt_root(), dwt_root());
    dw_db *db = ingested_db(tmp, "x.db", inputs);
    dw_stats_opts o;
    dw_stats_opts_default(&o);
    o.tmpdir = tmp;
    o.min_count = 2;
    o.harmonic = 1; /* fractional counts in cooc and cooc_terms */
    run_stats(db, &o);
    for (int round = 0; round < 2; round++) {
        char dir[4200], cmd[12800];
        snprintf(dir, sizeof dir, "%s/exp%d", tmp, round);
        dw_err e = {{0}};
        cr_assert_eq(dw_stats_export(db, dir, &e), DW_OK, "%s", e.msg);
        snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s' '%s' '%s/x.db' > '%s/check.out' 2>&1",
                 dwt_path("tests/data/stats/check_export.py"), dir, tmp, tmp);
        int st = system(cmd);
        snprintf(cmd, sizeof cmd, "%s/check.out", tmp);
        char *out = dwt_read_file(cmd, NULL);
        cr_expect_eq(st, 0, "%s", out ? out : "");
        cr_expect(out && strncmp(out, "ok 8 ", 5) == 0, "round %d: %s", round, out ? out : "");
        free(out);
        if (round == 0) { /* a shard of other articles merged in: two parts */
            dw_db *s = make_db(tmp, "y.db");
            add_article(s, "RT", "2024-05-01", "null NA nan None خبر عاجل من المدينة null NA");
            add_article(s, "RT", "2024-05-02", "null NA nan None خبر عاجل من المدينة");
            run_stats(s, &o);
            dw_db_close(s);
            snprintf(cmd, sizeof cmd, "%s/y.db", tmp);
            const char *others[1] = {cmd};
            int skipped;
            cr_assert_eq(merge_into(db, others, 1, 0, 0, &skipped, &e), DW_OK, "%s", e.msg);
            snprintf(cmd, sizeof cmd, "%s/x.db", tmp);
            cr_expect_eq(dwt_q1(cmd, "SELECT count(*) FROM stats_parts"), 2);
            cr_expect_eq(dwt_q1(cmd, "SELECT count(*) FROM stats_ngrams WHERE term = 'null'"), 3);
        }
    }
    dw_db_close(db);
    dwt_rmtree(tmp);
    free(tmp);
}

/* a merge reports its phases in order (merging n-grams, merging pairs,
 * committing), each phase's last report with the rows it wrote: the
 * merged n-gram and pair rows */
Test(stats, merge_progress_reports_its_phases, .timeout = 120)
{
    char *tmp = dwt_tmpdir();
    dw_db *a = make_db(tmp, "a.db"), *b = make_db(tmp, "b.db");
    load_synthetic(a, 0, 300);
    load_synthetic(b, 300, 600);
    dw_stats_opts o;
    dw_stats_opts_default(&o);
    o.tmpdir = tmp;
    o.min_count = 0;
    run_stats(a, &o);
    run_stats(b, &o);
    dw_db_close(b);
    char bp[4200];
    snprintf(bp, sizeof bp, "%s/b.db", tmp);
    const char *others[1] = {bp};
    progress_log log;
    memset(&log, 0, sizeof log);
    dw_stats_merge_opts mo = {0, 0, log_progress, &log};
    int skipped;
    dw_err e = {{0}};
    cr_assert_eq(dw_stats_merge(a, others, 1, &mo, &skipped, &e), DW_OK, "%s", e.msg);
    cr_assert_lt(log.n, 64, "more reports than the log holds");
    static const char *const order[] = {"merging n-grams", "merging pairs", "committing"};
    int at = 0;
    uint64_t last_rows[3] = {0, 0, 0};
    for (int i = 0; i < log.n; i++) {
        while (at < 3 && strcmp(log.phase[i], order[at]) != 0)
            at++;
        cr_assert_lt(at, 3, "phase %s out of order", log.phase[i]);
        last_rows[at] = log.done[i];
    }
    cr_expect_eq(strcmp(log.phase[log.n - 1], "committing"), 0);
    snprintf(bp, sizeof bp, "%s/a.db", tmp);
    cr_expect_eq((int64_t)last_rows[0], dwt_q1(bp, "SELECT count(*) FROM stats_ngrams"));
    cr_expect_eq((int64_t)last_rows[1], dwt_q1(bp, "SELECT count(*) FROM stats_cooc"));
    cr_expect_gt(last_rows[1], 0);
    dw_db_close(a);
    dwt_rmtree(tmp);
    free(tmp);
}

/* --shard K/N: three copies of one database, each counting the articles
 * whose id is K modulo 3, merged into the first, equal one run over every
 * article; their parts add up to the one run's, so merging that run in as
 * well is refused; the counted text of the shards is the whole's, cut */
Test(stats, shards_of_one_database_merge_into_one_run, .timeout = 120)
{
    char *tmp = dwt_tmpdir();
    dw_db *all = make_db(tmp, "all.db");
    load_synthetic(all, 0, 900);
    dw_db_close(all);
    char allp[4200], paths[3][4200], cmd[9000];
    snprintf(allp, sizeof allp, "%s/all.db", tmp);
    const char *others[3];
    dw_err e = {{0}};
    dw_stats_opts o;
    dw_stats_opts_default(&o);
    o.tmpdir = tmp;
    o.min_count = 0;
    size_t text_bytes = 0;
    for (uint32_t k = 0; k < 3; k++) {
        snprintf(paths[k], sizeof paths[k], "%s/s%u.db", tmp, k);
        others[k] = paths[k];
        snprintf(cmd, sizeof cmd, "cp '%.4190s' '%.4190s'", allp, paths[k]);
        cr_assert_eq(system(cmd), 0);
        dw_db *s = NULL;
        cr_assert_eq(dw_db_open(&s, paths[k], 0, 0, &e), DW_OK, "%s", e.msg);
        o.shards = 3;
        o.shard = k;
        run_stats(s, &o);
        text_sink t = {DW_BUF_INIT, 0};
        dw_stats_text_summary ts;
        cr_assert_eq(dw_stats_text(s, &o, 0, sink_write, &t, &ts, &e), DW_OK, "%s", e.msg);
        cr_expect_eq(ts.articles, 300, "shard %u", k);
        text_bytes += t.out.len;
        dw_buf_free(&t.out);
        dw_db_close(s);
    }
    cr_assert_eq(dw_db_open(&all, allp, 0, 0, &e), DW_OK, "%s", e.msg);
    o.shards = o.shard = 0;
    o.min_count = 4;
    run_stats(all, &o);
    text_sink t = {DW_BUF_INIT, 0};
    dw_stats_text_summary ts;
    cr_assert_eq(dw_stats_text(all, &o, 0, sink_write, &t, &ts, &e), DW_OK, "%s", e.msg);
    cr_expect_eq(t.out.len, text_bytes);
    dw_buf_free(&t.out);
    dw_db *m = NULL;
    int skipped[2];
    cr_assert_eq(dw_db_open(&m, paths[0], 0, 0, &e), DW_OK, "%s", e.msg);
    cr_assert_eq(merge_into(m, others + 1, 2, 0, 4, skipped, &e), DW_OK, "%s", e.msg);
    char *one = dump_all(all), *merged = dump_all(m);
    size_t at = first_diff(one, merged);
    cr_expect(one[at] == merged[at], "merged shards differ from one run at byte %zu: ...%.80s", at,
              one + (at > 40 ? at - 40 : 0));
    free(one);
    free(merged);
    dw_db_close(all);
    const char *one_run[1] = {allp};
    cr_expect_eq(merge_into(m, one_run, 1, 0, -1, skipped, &e), DW_EUSAGE);
    cr_expect(strstr(e.msg, "counts the same articles") != NULL, "%s", e.msg);
    dw_db_close(m);
    dwt_rmtree(tmp);
    free(tmp);
}
