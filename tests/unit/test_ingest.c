/* test_ingest.c: the ingest driver end to end on small fixtures: counts,
 * attribution, the primary-sighting rule, idempotent reruns, order and
 * thread-count independence, changed inputs, resuming after SIGKILL, and the
 * stored 13-gram samples (content_grams). */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <signal.h>
#include <sys/resource.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/grams.h"
#include "core/norm.h"
#include "helpers.h"
#include "ingest/ingest.h"

static char *tmp;
static char db[4200];

static void setup(void)
{
    tmp = dwt_tmpdir();
    cr_assert(tmp);
    snprintf(db, sizeof db, "%s/t.db", tmp);
}

static void teardown(void)
{
    dwt_rmtree(tmp);
    free(tmp);
}

TestSuite(ingest, .init = setup, .fini = teardown, .timeout = 120);

/* Ingests inputs with threads threads, reading unchanged inputs again when
 * reread; the run's figures in *st (may be NULL). */
static dw_rc ingest_run(const char *dbp, int threads, int reread, int n, const char *const *inputs,
                        dw_ingest_stats *st)
{
    dw_ingest_opts o;
    memset(&o, 0, sizeof o);
    o.threads = threads;
    o.reread = reread;
    dw_err e = {{0}};
    dw_ingest_stats local;
    dw_rc rc = dw_ingest_run(dbp, inputs, n, &o, st ? st : &local, &e);
    if (rc != DW_OK)
        cr_log_info("ingest: %s", e.msg);
    return rc;
}

static dw_rc ingest(const char *dbp, int threads, int n, const char *const *inputs, dw_ingest_stats *st)
{
    return ingest_run(dbp, threads, 0, n, inputs, st);
}

#define q1 dwt_q1

#define qs dwt_qs

/* The content of a database without its surrogate ids, in a stable order. */
static char *dump(const char *dbp, int with_ids)
{
    static const char *const q_noid[] = {
        "SELECT hex(a.content_hash), a.title, a.body, a.published, s.name, a.n_chars, a.n_tokens "
        "FROM articles a LEFT JOIN sources s ON s.id = a.source_id ORDER BY a.content_hash",
        "SELECT hex(a.content_hash), g.path, g.byte_offset, g.page_no, g.role, s.name, g.source_raw, "
        "g.published, g.title, g.url, g.ext_id, g.rank FROM sightings g JOIN articles a ON a.id = g.article_id "
        "LEFT JOIN sources s ON s.id = g.source_id ORDER BY g.path, g.page_no, g.byte_offset",
        "SELECT g.path, g.byte_offset, k.position, k.keyword, k.keyword_norm FROM keywords k "
        "JOIN sightings g ON g.id = k.sighting_id ORDER BY 1, 2, 3",
        "SELECT path, byte_offset, reason FROM quarantine ORDER BY 1, 2, 3",
        "SELECT path, status, pages, articles, bad_bytes, format FROM files ORDER BY path",
        "SELECT s.name, s.builtin, a.alias, a.written FROM source_aliases a JOIN sources s "
        "ON s.id = a.source_id ORDER BY a.alias",
        "SELECT hex(g.content_hash), hex(g.grams) FROM content_grams g ORDER BY 1, 2",
    };
    static const char *const q_id[] = {
        "SELECT * FROM articles ORDER BY id", "SELECT * FROM sightings ORDER BY id",
        "SELECT * FROM keywords ORDER BY sighting_id, position", "SELECT * FROM sources ORDER BY id",
        "SELECT id, path, status, pages, articles, bad_bytes FROM files ORDER BY id",
        "SELECT hex(content_hash), hex(grams) FROM content_grams ORDER BY content_hash",
    };
    const char *const *q = with_ids ? q_id : q_noid;
    size_t nq = with_ids ? sizeof q_id / sizeof *q_id : sizeof q_noid / sizeof *q_noid;
    return dwt_dump(dbp, q, nq, NULL);
}

static const char *fx(const char *name) { return dwt_path(name); }

/* Runs sql on the database at dbp; the sqlite3_exec result. */
static int exec_sql(const char *dbp, const char *sql)
{
    sqlite3 *h = NULL;
    int rc = sqlite3_open(dbp, &h);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(h, sql, NULL, NULL, NULL);
    sqlite3_close(h);
    return rc;
}

Test(ingest, fixtures_counts_and_attribution)
{
    const char *in[] = {fx("tests/data/ingest/a.txt"), fx("tests/data/ingest/b.txt"),
                        fx("tests/data/ingest/c.jsonl")};
    dw_ingest_stats st;
    cr_assert_eq(ingest(db, 1, 3, in, &st), DW_OK);
    cr_expect_eq(st.inputs, 3);
    cr_expect_eq(st.files_done, 3);
    cr_expect_eq(st.sightings, 7);
    cr_expect_eq(st.new_articles, 5);
    cr_expect_eq(st.duplicates, 2);
    cr_expect_eq(st.quarantined, 0);
    cr_expect_eq(q1(db, "SELECT count(*) FROM articles"), 5);
    cr_expect_eq(q1(db, "SELECT count(*) FROM sightings"), 7);
    cr_expect_eq(q1(db, "SELECT count(*) FROM keywords"), 5);
    cr_expect_eq(q1(db, "SELECT count(DISTINCT source_id) FROM sightings"), 4);
    /* the main article of a.txt: Al-Yaman Al-Youm, dated */
    char *s = qs(db, "SELECT s.name || '|' || a.published FROM articles a JOIN sources s ON s.id = a.source_id "
                     "WHERE a.title LIKE 'ارتفاع أسعار القمح%'");
    cr_expect_str_eq(s, "Al-Yaman Al-Youm|2023-09-14");
    free(s);
    /* 15/09/2023 from b.txt, روسيا اليوم -> RT */
    s = qs(db, "SELECT s.name || '|' || a.published FROM articles a JOIN sources s ON s.id = a.source_id "
               "WHERE a.title LIKE 'فوز الفريق%'");
    cr_expect_str_eq(s, "RT|2023-09-15");
    free(s);
    /* the book fair is carried twice (ي and ى spellings): one article, two
     * sightings, both RT; the undated tie goes to the smaller outlet
     * spelling ("rt" < "ار تي"), i.e. a.txt's, whose title has ي */
    cr_expect_eq(q1(db, "SELECT count(*) FROM sightings g JOIN articles a ON a.id = g.article_id "
                        "WHERE a.title LIKE 'افتتاح معرض الكتاب%'"),
                 2);
    s = qs(db, "SELECT a.title FROM articles a WHERE a.title LIKE 'افتتاح معرض الكتاب%'");
    cr_expect_str_eq(s, "افتتاح معرض الكتاب السنوي بمشاركة واسعة");
    free(s);
    /* the heat wave: undated related article in b.txt, dated JSON record in
     * c.jsonl: the dated sighting is primary whatever the order */
    s = qs(db, "SELECT s.name || '|' || a.published FROM articles a JOIN sources s ON s.id = a.source_id "
               "WHERE a.title LIKE 'تحذير من موجة%'");
    cr_expect_str_eq(s, "صحيفة الشرق|2023-09-10");
    free(s);
    /* keywords as written and normalized */
    cr_expect_eq(q1(db, "SELECT count(*) FROM keywords WHERE keyword = 'الأسعار' AND keyword_norm = 'الاسعار'"), 1);
    cr_expect_eq(q1(db, "SELECT count(*) FROM keywords WHERE keyword = 'كرة القدم'"), 1);
    /* provenance of the JSON record */
    s = qs(db, "SELECT url || '|' || ext_id || '|' || page_no FROM sightings WHERE ext_id = 'r1'");
    cr_expect_str_eq(s, "https://example.org/r1|r1|0");
    free(s);
}

Test(ingest, a_long_source_value_is_not_an_outlet)
{
    /* a closing source line of 9 words (a citation, not an outlet's name):
     * kept as written, outlet unknown; one of 8 words is an outlet */
    char in[4300];
    snprintf(in, sizeof in, "%s/long.txt", tmp);
    FILE *f = fopen(in, "w");
    cr_assert_not_null(f);
    fputs("فضل الصبر\nالصبر خلق عظيم حث عليه الدين.\n"
          "المصدر: موسوعة الأخلاق الكبرى الجزء الثالث الصفحة مئة وعشرون تقريبا\n"
          "\f\nخبر قصير\nنص الخبر القصير.\nالمصدر: وكالة الأنباء الوطنية في الجزء الجنوبي من البلاد\n",
          f);
    fclose(f);
    const char *inputs[] = {in};
    cr_assert_eq(ingest(db, 1, 1, inputs, NULL), DW_OK);
    cr_expect_eq(q1(db, "SELECT count(*) FROM sightings WHERE source_id IS NULL AND source_raw = "
                        "'موسوعة الأخلاق الكبرى الجزء الثالث الصفحة مئة وعشرون تقريبا'"),
                 1);
    cr_expect_eq(q1(db, "SELECT count(*) FROM articles a JOIN sightings g ON g.article_id = a.id "
                        "WHERE g.source_raw LIKE 'موسوعة%' AND a.source_id IS NULL"),
                 1);
    cr_expect_eq(q1(db, "SELECT count(*) FROM sources WHERE name LIKE 'موسوعة%'"), 0);
    cr_expect_eq(q1(db, "SELECT count(*) FROM sources WHERE name = 'وكالة الأنباء الوطنية في الجزء الجنوبي من البلاد'"),
                 1);
    /* a database where an older diwan made the citation an outlet ('seen'):
     * read again, the citation is no outlet there either */
    const char *cite = "موسوعة الأخلاق الكبرى الجزء الثالث الصفحة مئة وعشرون تقريبا";
    char sql[1024];
    snprintf(sql, sizeof sql,
             "INSERT INTO sources(id, name, builtin) VALUES (900, '%s', 0);"
             "INSERT INTO source_aliases(alias, source_id, written) VALUES ('%s', 900, '%s');"
             "UPDATE sightings SET source_id = 900 WHERE source_raw = '%s';"
             "UPDATE articles SET source_id = 900 WHERE id IN (SELECT article_id FROM sightings WHERE source_id = 900)",
             cite, "موسوعة الاخلاق الكبري الجزء الثالث الصفحة مئة وعشرون تقريبا", cite, cite);
    cr_assert_eq(exec_sql(db, sql), SQLITE_OK);
    cr_assert_eq(q1(db, "SELECT count(*) FROM articles WHERE source_id = 900"), 1);
    cr_assert_eq(ingest_run(db, 1, 1, 1, inputs, NULL), DW_OK);
    cr_expect_eq(q1(db, "SELECT count(*) FROM articles WHERE source_id = 900"), 0);
    cr_expect_eq(q1(db, "SELECT count(*) FROM sightings WHERE source_id IS NULL AND source_raw LIKE 'موسوعة%'"), 1);
}

Test(ingest, rerun_changes_nothing)
{
    const char *in[] = {fx("tests/data/ingest/a.txt"), fx("tests/data/ingest/b.txt"),
                        fx("tests/data/ingest/c.jsonl")};
    cr_assert_eq(ingest(db, 1, 3, in, NULL), DW_OK);
    char *before = dump(db, 1);
    dw_ingest_stats st;
    cr_assert_eq(ingest(db, 2, 3, in, &st), DW_OK);
    cr_expect_eq(st.files_skipped, 3);
    cr_expect_eq(st.sightings, 0);
    char *after = dump(db, 1);
    cr_expect_str_eq(after, before);
    free(before);
    free(after);
}

Test(ingest, reread_reads_unchanged_inputs_again)
{
    const char *in[] = {fx("tests/data/ingest/a.txt"), fx("tests/data/ingest/b.txt"),
                        fx("tests/data/ingest/c.jsonl")};
    cr_assert_eq(ingest(db, 1, 3, in, NULL), DW_OK);
    char *before = dump(db, 0);
    dw_ingest_stats st;
    cr_assert_eq(ingest_run(db, 2, 1, 3, in, &st), DW_OK);
    cr_expect_eq(st.files_skipped, 0);
    cr_expect_eq(st.files_done, 3);
    cr_expect_eq(st.sightings, 7, "every article found again");
    cr_expect_eq(q1(db, "SELECT count(*) FROM sightings"), 7, "and replacing what the inputs gave");
    char *after = dump(db, 0);
    cr_expect_str_eq(after, before);
    free(before);
    free(after);
}

Test(ingest, order_independent)
{
    const char *ab[] = {fx("tests/data/ingest/a.txt"), fx("tests/data/ingest/b.txt"),
                        fx("tests/data/ingest/c.jsonl")};
    const char *ba[] = {fx("tests/data/ingest/c.jsonl"), fx("tests/data/ingest/b.txt"),
                        fx("tests/data/ingest/a.txt")};
    char db2[4300];
    snprintf(db2, sizeof db2, "%s/u.db", tmp);
    cr_assert_eq(ingest(db, 1, 3, ab, NULL), DW_OK);
    /* one at a time, reversed */
    for (int i = 0; i < 3; i++)
        cr_assert_eq(ingest(db2, 1, 1, ba + i, NULL), DW_OK);
    char *x = dump(db, 0), *y = dump(db2, 0);
    cr_expect_str_eq(x, y);
    free(x);
    free(y);
}

Test(ingest, thread_count_does_not_change_the_database)
{
    const char *in[] = {fx("tests/data/ingest/a.txt"), fx("tests/data/ingest/b.txt"),
                        fx("tests/data/ingest/c.jsonl"), fx("tests/data/ingest")};
    char db2[4300], db3[4300];
    snprintf(db2, sizeof db2, "%s/u.db", tmp);
    snprintf(db3, sizeof db3, "%s/v.db", tmp);
    cr_assert_eq(ingest(db, 1, 4, in, NULL), DW_OK);
    cr_assert_eq(ingest(db2, 2, 4, in, NULL), DW_OK);
    cr_assert_eq(ingest(db3, 5, 4, in, NULL), DW_OK);
    char *x = dump(db, 1), *y = dump(db2, 1), *z = dump(db3, 1);
    cr_expect_str_eq(x, y);
    cr_expect_str_eq(x, z);
    free(x);
    free(y);
    free(z);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    cr_assert(f);
    fputs(text, f);
    fclose(f);
}

/* Checks that every article of dbp has a content_grams row (and no row is
 * left without its article) holding the sampled 13-gram hashes of its stored
 * body normalized with flags, and that n_tokens counts the body's tokens.
 * Returns the number of articles and (in *nhashes) of hashes. */
static int64_t check_grams(const char *dbp, unsigned flags, int64_t *nhashes)
{
    cr_assert_eq(q1(dbp, "SELECT count(*) FROM content_grams g LEFT JOIN articles a ON a.content_hash = g.content_hash "
                         "WHERE a.id IS NULL"),
                 0, "content_grams rows without their article");
    sqlite3 *h;
    sqlite3_stmt *st;
    cr_assert_eq(sqlite3_open_v2(dbp, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_prepare_v2(h,
                                    "SELECT a.id, a.body, a.n_tokens, g.grams, typeof(g.grams) FROM articles a "
                                    "LEFT JOIN content_grams g ON g.content_hash = a.content_hash ORDER BY a.id",
                                    -1, &st, NULL),
                 SQLITE_OK, "%s", sqlite3_errmsg(h));
    int64_t n = 0;
    *nhashes = 0;
    dw_buf norm = DW_BUF_INIT, want = DW_BUF_INIT;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        cr_assert_str_eq((const char *)sqlite3_column_text(st, 4), "blob", "article %lld: grams not a blob",
                         (long long)id);
        const char *body = (const char *)sqlite3_column_text(st, 1);
        dw_buf_reset(&norm);
        dw_buf_reset(&want);
        cr_assert_eq(dw_norm_text(&norm, body, (size_t)sqlite3_column_bytes(st, 1), flags), 0);
        size_t ntok = 0;
        cr_assert_eq(dw_grams_sample(dw_buf_str(&norm), norm.len, &want, &ntok), 0);
        cr_assert_eq(sqlite3_column_int64(st, 2), (int64_t)ntok, "article %lld: n_tokens", (long long)id);
        size_t glen = (size_t)sqlite3_column_bytes(st, 3);
        const void *g = sqlite3_column_blob(st, 3);
        cr_assert_eq(glen, want.len, "article %lld: %zu bytes of grams, want %zu", (long long)id, glen, want.len);
        cr_assert(glen == 0 || memcmp(g, want.data, glen) == 0, "article %lld: other grams", (long long)id);
        for (size_t i = 0; i < glen / 8; i++)
            cr_assert_eq(dw_grams_at(g, i) % DW_GRAMS_MODULUS, 0);
        *nhashes += (int64_t)(glen / 8);
        n++;
    }
    sqlite3_finalize(st);
    sqlite3_close(h);
    dw_buf_free(&norm);
    dw_buf_free(&want);
    return n;
}

Test(ingest, changed_input_replaces_its_sightings)
{
    char p[4300];
    snprintf(p, sizeof p, "%s/page.txt", tmp);
    write_file(p, "عنوان أول\nنص الخبر الأول في سطر واحد.\nالمصدر: RT\n");
    const char *in[] = {p};
    cr_assert_eq(ingest(db, 1, 1, in, NULL), DW_OK);
    cr_expect_eq(q1(db, "SELECT count(*) FROM articles"), 1);
    sleep(1); /* a new mtime */
    write_file(p, "عنوان ثان\nنص مختلف تماما عن الخبر الأول.\nالمصدر: RT\n");
    dw_ingest_stats st;
    cr_assert_eq(ingest(db, 1, 1, in, &st), DW_OK);
    cr_expect_eq(st.files_done, 1);
    cr_expect_eq(q1(db, "SELECT count(*) FROM articles"), 1);
    cr_expect_eq(q1(db, "SELECT count(*) FROM sightings"), 1);
    char *t = qs(db, "SELECT title FROM articles");
    cr_expect_str_eq(t, "عنوان ثان");
    free(t);
    /* the replaced article's 13-gram row went with it */
    int64_t nh = 0;
    cr_expect_eq(check_grams(db, 0, &nh), 1);
    cr_expect_eq(q1(db, "SELECT count(*) FROM content_grams"), 1);
}

Test(ingest, stores_the_13_gram_sample_of_every_article)
{
    const char *in[] = {dwt_path("sample/pages"), dwt_path("sample/extra")};
    cr_assert_eq(ingest(db, 2, 2, in, NULL), DW_OK);
    int64_t nh = 0;
    cr_assert_eq(check_grams(db, 0, &nh), 60);
    cr_assert_eq(nh, 286); /* about (5318 tokens - 12 per article) / 16 */
    cr_assert_eq(q1(db, "SELECT sum(n_tokens) FROM articles"), 5318);
    /* teh marbuta folded: other hashes, the same agreement */
    char db2[4300];
    snprintf(db2, sizeof db2, "%s/u.db", tmp);
    dw_ingest_opts o;
    memset(&o, 0, sizeof o);
    o.threads = 1;
    o.norm_flags = DW_NORM_TEH_MARBUTA;
    dw_err e = {{0}};
    dw_ingest_stats st;
    cr_assert_eq(dw_ingest_run(db2, in, 2, &o, &st, &e), DW_OK, "%s", e.msg);
    int64_t nh2 = 0;
    cr_assert_eq(check_grams(db2, DW_NORM_TEH_MARBUTA, &nh2), 60);
    cr_assert_gt(nh2, 200);
    /* a database from before content_grams: the next read-write open
     * creates the table, and the articles ingested then get their rows */
    sqlite3 *h;
    cr_assert_eq(sqlite3_open(db, &h), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(h, "DROP TABLE content_grams", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
    char p[4300];
    snprintf(p, sizeof p, "%s/late.txt", tmp);
    write_file(p, "عنوان متأخر\nواحد اثنان ثلاثة أربعة خمسة ستة سبعة ثمانية تسعة عشرة أحد عشر اثنا عشر ثلاثة "
                  "عشر أربعة عشر خمسة عشر ستة عشر سبعة عشر ثمانية عشر تسعة عشر عشرون واحد وعشرون.\nالمصدر: RT\n");
    const char *late[] = {p};
    cr_assert_eq(ingest(db, 1, 1, late, NULL), DW_OK);
    cr_assert_eq(q1(db, "SELECT count(*) FROM articles"), 61);
    cr_assert_eq(q1(db, "SELECT count(*) FROM content_grams"), 1);
    cr_assert_eq(q1(db, "SELECT count(*) FROM content_grams g JOIN articles a ON a.content_hash = g.content_hash "
                        "WHERE a.title = 'عنوان متأخر'"),
                 1);
    /* the backfill gives the older articles the rows ingest would have
     * stored (check_grams recomputes each from its body), once */
    uint64_t added = 0;
    cr_assert_eq(dw_ingest_backfill(db, &added, &e), DW_OK, "%s", e.msg);
    cr_assert_eq(added, 60);
    cr_assert_eq(check_grams(db, 0, &nh), 61);
    cr_assert_eq(nh, 286 + 1);
    cr_assert_eq(dw_ingest_backfill(db, &added, &e), DW_OK, "%s", e.msg);
    cr_assert_eq(added, 0);
    /* and the rows of the folded database, deleted, come back the same */
    char *before = dwt_qs(db2, "SELECT group_concat(hex(content_hash) || hex(grams), ',') FROM "
                               "(SELECT * FROM content_grams ORDER BY content_hash)");
    cr_assert_eq(sqlite3_open(db2, &h), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(h, "DELETE FROM content_grams WHERE hex(content_hash) < '8'", NULL,
                              NULL, NULL),
                 SQLITE_OK);
    sqlite3_close(h);
    cr_assert_lt(q1(db2, "SELECT count(*) FROM content_grams"), 50);
    cr_assert_eq(dw_ingest_backfill(db2, &added, &e), DW_OK, "%s", e.msg);
    cr_assert_gt(added, 10);
    char *after = dwt_qs(db2, "SELECT group_concat(hex(content_hash) || hex(grams), ',') FROM "
                              "(SELECT * FROM content_grams ORDER BY content_hash)");
    cr_assert_str_eq(after, before);
    free(before);
    free(after);
    /* a database that is not there is not created */
    char gone[4300];
    snprintf(gone, sizeof gone, "%s/gone.db", tmp);
    cr_assert_eq(dw_ingest_backfill(gone, &added, &e), DW_EDB);
    cr_assert(strstr(e.msg, "No such file") != NULL, "%s", e.msg);
    cr_assert_eq(access(gone, F_OK), -1);
}

Test(ingest, quarantine_and_bad_bytes)
{
    char e[4300], bin[4300], bad[4300], legacy[4300];
    snprintf(e, sizeof e, "%s/empty.txt", tmp);
    snprintf(bin, sizeof bin, "%s/x.bin", tmp);
    snprintf(bad, sizeof bad, "%s/bad.txt", tmp);
    snprintf(legacy, sizeof legacy, "%s/legacy.txt", tmp);
    write_file(e, "");
    FILE *f = fopen(bin, "wb");
    for (int i = 0; i < 300; i++)
        fputc(i % 7 ? i & 0xff : 0, f);
    fclose(f);
    write_file(bad, "عنوان\nنص فيه بايت \xff خاطئ.\nالمصدر: RT\n");
    /* "خبر عاجل من المدينة" and more in Windows-1256 */
    f = fopen(legacy, "wb");
    for (int i = 0; i < 40; i++)
        fputs("\xce\xc8\xd1 \xda\xc7\xcc\xe1 \xe3\xe4 \xc7\xe1\xe3\xcf\xed\xe4\xc9\r\n", f);
    fclose(f);
    const char *in[] = {e, bin, bad, legacy};
    dw_ingest_stats st;
    cr_assert_eq(ingest(db, 1, 4, in, &st), DW_OK);
    cr_expect_eq(st.quarantined, 3);
    cr_expect_eq(st.bad_bytes, 1);
    cr_expect_eq(q1(db, "SELECT count(*) FROM quarantine WHERE byte_offset = -1"), 3);
    cr_expect_eq(q1(db, "SELECT count(*) FROM quarantine WHERE reason LIKE 'not UTF-8%'"), 1);
    cr_expect_eq(q1(db, "SELECT count(*) FROM quarantine WHERE reason = 'binary data, not text'"), 1);
    cr_expect_eq(q1(db, "SELECT count(*) FROM quarantine WHERE reason = 'empty input'"), 1);
    cr_expect_eq(q1(db, "SELECT bad_bytes FROM files WHERE path LIKE '%bad.txt'"), 1);
    char *body = qs(db, "SELECT body FROM articles");
    cr_expect_str_eq(body, "نص فيه بايت \xef\xbf\xbd خاطئ.");
    free(body);
    /* the legacy file ingests with --encoding */
    dw_ingest_opts o;
    memset(&o, 0, sizeof o);
    o.threads = 1;
    o.encoding = "windows-1256";
    dw_err er = {{0}};
    const char *l1[] = {legacy};
    cr_assert_eq(dw_ingest_run(db, l1, 1, &o, &st, &er), DW_OK, "%s", er.msg);
    cr_expect_eq(st.sightings, 1);
    char *t = qs(db, "SELECT a.title FROM articles a JOIN sightings s ON s.article_id = a.id WHERE s.path LIKE '%legacy.txt'");
    cr_expect_str_eq(t, "خبر عاجل من المدينة");
    free(t);
    cr_expect_eq(q1(db, "SELECT count(*) FROM quarantine WHERE path LIKE '%legacy.txt'"), 0);
}

Test(ingest, unreadable_and_missing_inputs_go_on)
{
    char missing[4300];
    snprintf(missing, sizeof missing, "%s/nope.txt", tmp);
    const char *in[] = {missing, fx("tests/data/ingest/a.txt")};
    dw_ingest_stats st;
    cr_expect_eq(ingest(db, 1, 2, in, &st), DW_EINPUT);
    cr_expect_eq(st.files_failed, 1);
    cr_expect_eq(st.files_done, 1);
    cr_expect_eq(q1(db, "SELECT count(*) FROM articles"), 2);
}

Test(ingest, database_that_is_not_a_database)
{
    write_file(db, "this is not a database, just some text that is long enough to be read.\n");
    const char *in[] = {fx("tests/data/ingest/a.txt")};
    dw_ingest_opts o;
    memset(&o, 0, sizeof o);
    o.threads = 1;
    dw_err e = {{0}};
    dw_ingest_stats st;
    cr_expect_eq(dw_ingest_run(db, in, 1, &o, &st, &e), DW_EDB);
    cr_expect(strstr(e.msg, "file is not a database") != NULL, "%s", e.msg);
}

/* A corpus big enough that a kill lands in the middle of it. */
static void make_corpus(const char *dir, int pages)
{
    char p[4400];
    for (int i = 0; i < pages; i++) {
        snprintf(p, sizeof p, "%s/p%04d.txt", dir, i);
        FILE *f = fopen(p, "wb");
        cr_assert(f);
        fprintf(f, "خبر رقم %d عن المدينة\nتاريخ النشر: 2023-%02d-%02d\n", i, 1 + i % 12, 1 + i % 28);
        for (int l = 0; l < 20; l++)
            fprintf(f, "هذا السطر %d من الخبر %d يروي تفاصيل الحدث بكلمات كثيرة ومتنوعة للاختبار.\n", l, i);
        fprintf(f, "المصدر: %s\nكلمات دلالية: مدينة، خبر %d\nإقرأ أيضاً:\n", i % 3 ? "RT" : "اليمن اليوم", i % 5);
        fprintf(f, "خبر مرتبط رقم %d\nنص الخبر المرتبط رقم %d يتكرر في صفحات كثيرة.\nالمصدر: صحيفة %d\n", i % 17,
                i % 17, i % 4);
        fclose(f);
    }
}

Test(ingest, killed_at_any_moment_then_rerun_gives_the_same_database, .timeout = 300)
{
    char corpus[4300], ref[4300];
    snprintf(corpus, sizeof corpus, "%s/corpus", tmp);
    snprintf(ref, sizeof ref, "%s/ref.db", tmp);
    cr_assert_eq(mkdir(corpus, 0755), 0);
    make_corpus(corpus, 1500);
    const char *in[] = {corpus};
    cr_assert_eq(ingest(ref, 2, 1, in, NULL), DW_OK);
    char *want = dump(ref, 0);
    srand(7);
    for (int k = 0; k < 6; k++) {
        pid_t pid = fork();
        cr_assert(pid >= 0);
        if (pid == 0) {
            dw_ingest_stats st;
            _exit(ingest(db, 2, 1, in, &st) == DW_OK ? 0 : 1);
        }
        struct timespec ts = {0, (long)(rand() % 400 + 20) * 1000000L};
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        int ws;
        waitpid(pid, &ws, 0);
        if (access(db, F_OK) == 0) {
            char *ok = qs(db, "PRAGMA quick_check");
            cr_expect_str_eq(ok, "ok", "after kill %d", k);
            free(ok);
        }
    }
    cr_assert_eq(ingest(db, 2, 1, in, NULL), DW_OK);
    char *ok = qs(db, "PRAGMA integrity_check");
    cr_expect_str_eq(ok, "ok");
    free(ok);
    char *got = dump(db, 0);
    cr_expect_str_eq(got, want);
    free(got);
    free(want);
}

Test(ingest, full_disk_fails_cleanly_and_keeps_what_was_stored, .timeout = 300)
{
    char corpus[4300];
    snprintf(corpus, sizeof corpus, "%s/corpus", tmp);
    cr_assert_eq(mkdir(corpus, 0755), 0);
    make_corpus(corpus, 400);
    const char *first[] = {fx("tests/data/ingest/a.txt")};
    cr_assert_eq(ingest(db, 1, 1, first, NULL), DW_OK);
    char *before = dump(db, 0);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        /* a disk that is full after 1 MB more */
        struct rlimit rl = {1 << 20, 1 << 20};
        signal(SIGXFSZ, SIG_IGN);
        setrlimit(RLIMIT_FSIZE, &rl);
        const char *in[] = {corpus};
        dw_ingest_opts o;
        memset(&o, 0, sizeof o);
        o.threads = 2;
        dw_err e = {{0}};
        dw_ingest_stats st;
        dw_rc rc = dw_ingest_run(db, in, 1, &o, &st, &e);
        _exit(rc == DW_EIO && strstr(e.msg, "file size limit reached") ? 0 : 10 + (int)rc);
    }
    int ws;
    waitpid(pid, &ws, 0);
    cr_assert(WIFEXITED(ws));
    cr_expect_eq(WEXITSTATUS(ws), 0, "exit %d", WEXITSTATUS(ws));
    char *ok = qs(db, "PRAGMA integrity_check");
    cr_expect_str_eq(ok, "ok");
    free(ok);
    /* what was stored before is intact; a rerun with room finishes the job */
    cr_expect_eq(q1(db, "SELECT count(*) FROM files WHERE path LIKE '%a.txt' AND status = 'done'"), 1);
    const char *both[] = {fx("tests/data/ingest/a.txt"), corpus};
    cr_assert_eq(ingest(db, 2, 2, both, NULL), DW_OK);
    char ref[4300];
    snprintf(ref, sizeof ref, "%s/ref.db", tmp);
    cr_assert_eq(ingest(ref, 1, 2, both, NULL), DW_OK);
    char *x = dump(db, 0), *y = dump(ref, 0);
    cr_expect_str_eq(x, y);
    free(x);
    free(y);
    free(before);
}

Test(ingest, readers_work_while_an_ingest_writes, .timeout = 300)
{
    char corpus[4300];
    snprintf(corpus, sizeof corpus, "%s/corpus", tmp);
    cr_assert_eq(mkdir(corpus, 0755), 0);
    make_corpus(corpus, 1500);
    const char *first[] = {fx("tests/data/ingest/a.txt")};
    cr_assert_eq(ingest(db, 1, 1, first, NULL), DW_OK);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        const char *in[] = {corpus};
        _exit(ingest(db, 2, 1, in, NULL) == DW_OK ? 0 : 1);
    }
    int reads = 0, ws = 0;
    int64_t last = 0;
    while (waitpid(pid, &ws, WNOHANG) == 0) {
        sqlite3 *h;
        sqlite3_stmt *st;
        cr_assert_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
        sqlite3_busy_timeout(h, 10000); /* as diwan's readers do (sqlite3: .timeout 10000) */
        cr_assert_eq(sqlite3_prepare_v2(h,
                                        "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM sightings "
                                        "WHERE article_id NOT IN (SELECT id FROM articles))",
                                        -1, &st, NULL),
                     SQLITE_OK, "%s", sqlite3_errmsg(h));
        cr_assert_eq(sqlite3_step(st), SQLITE_ROW, "%s", sqlite3_errmsg(h));
        int64_t n = sqlite3_column_int64(st, 0);
        cr_expect_eq(sqlite3_column_int64(st, 1), 0, "a reader saw sightings without their article");
        cr_expect_geq(n, last, "the article count went down");
        last = n;
        sqlite3_finalize(st);
        sqlite3_close(h);
        reads++;
        usleep(20000);
    }
    cr_assert(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
    cr_expect_gt(reads, 0);
}
