/* test_shared.c: the public collections under ../shared/data/raw ingested
 * end to end, with figures computed independently (a Python model reading
 * the raw JSON/TREC files, see the closing note of the ingest issue):
 * records, unique articles after exact dedup, outlets and dates.
 * Skipped with a message when ../shared is absent. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"
#include "ingest/ingest.h"

static char *tmp;
static char db[4200];

static void setup(void)
{
    tmp = dwt_tmpdir();
    snprintf(db, sizeof db, "%s/s.db", tmp);
}
static void teardown(void)
{
    dwt_rmtree(tmp);
    free(tmp);
}
TestSuite(shared, .init = setup, .fini = teardown, .timeout = 600);

static const char *need_shared(void)
{
    const char *s = dwt_shared();
    if (!s)
        cr_skip_test("../shared not found beside the repository: collections not tested");
    return s;
}

static int64_t q1(const char *sql) { return dwt_q1(db, sql); }

static char *qs(const char *sql) { return dwt_qs(db, sql); }

static void run_ingest(const char *encoding, int n, const char *const *in, dw_ingest_stats *st)
{
    dw_ingest_opts o;
    memset(&o, 0, sizeof o);
    o.threads = 2;
    o.encoding = encoding;
    dw_err e = {{0}};
    cr_assert_eq(dw_ingest_run(db, in, n, &o, st, &e), DW_OK, "%s", e.msg);
}

static void untar(const char *archive, const char *dir)
{
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        execlp("tar", "tar", "--zstd", "-xf", archive, "-C", dir, (char *)NULL);
        _exit(127);
    }
    int ws;
    waitpid(pid, &ws, 0);
    cr_assert(WIFEXITED(ws) && WEXITSTATUS(ws) == 0, "tar --zstd -xf %s failed", archive);
}

/* outlet -> sightings, from the JSON "source" field of non-empty records */
static const struct {
    const char *name;
    int64_t sightings;
} snn_outlets[] = {
    {"Al Riyadh", 4815}, {"Al Jazirah", 3605}, {"Al Yaum", 3046},  {"Asharq Al-Awsat", 2947},
    {"Al Eqtisadiah", 2894}, {"Okaz", 2846}, {"Al Watan", 2269}, {"Al Madina", 2170},
    {"Al Weeam", 2090}, {"Ain Alyoum", 2080}, {"Sabq", 1409}, {"Saudi Press Agency", 369},
    {"Arreyadi", 84}, {"Arriyadiyah", 52},
};

Test(shared, saudinewsnet)
{
    const char *sh = need_shared();
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/data/raw/saudinewsnet", sh);
    /* the 18 daily files (the folder also holds SOURCE.md) */
    struct dirent **ents;
    int ne = scandir(dir, &ents, NULL, alphasort);
    cr_assert(ne > 0);
    char *paths[32];
    const char *in[32];
    int n = 0;
    for (int i = 0; i < ne; i++) {
        size_t l = strlen(ents[i]->d_name);
        if (n < 32 && l > 9 && strcmp(ents[i]->d_name + l - 9, ".json.zst") == 0) {
            cr_assert(asprintf(&paths[n], "%s/%s", dir, ents[i]->d_name) > 0);
            in[n] = paths[n];
            n++;
        }
        free(ents[i]);
    }
    free(ents);
    cr_assert_eq(n, 18);
    dw_ingest_stats st;
    run_ingest(NULL, n, in, &st);
    cr_expect_eq(st.pages, 31030);      /* records */
    cr_expect_eq(st.sightings, 30676);  /* records whose content is not blank */
    cr_expect_eq(st.quarantined, 354);  /* blank content */
    cr_expect_eq(st.new_articles, 29944); /* distinct normalized content */
    cr_expect_eq(q1("SELECT count(*) FROM quarantine WHERE reason LIKE 'record %: empty text'"), 354);
    cr_expect_eq(q1("SELECT count(*) FROM articles WHERE published IS NULL"), 0);
    char *d = qs("SELECT min(published) || ' ' || max(published) FROM articles");
    cr_expect_str_eq(d, "2015-07-21 2015-08-11");
    free(d);
    for (size_t i = 0; i < sizeof snn_outlets / sizeof *snn_outlets; i++) {
        char sql[512];
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM sightings g JOIN sources s ON s.id = g.source_id WHERE s.name = '%s'",
                 snn_outlets[i].name);
        cr_expect_eq(q1(sql), snn_outlets[i].sightings, "%s", snn_outlets[i].name);
    }
    /* the same wire story carried by several outlets */
    cr_expect_eq(q1("SELECT count(*) FROM (SELECT article_id FROM sightings GROUP BY article_id "
                    "HAVING count(DISTINCT source_id) > 1)"),
                 154);
    for (int i = 0; i < n; i++)
        free(paths[i]);
}

Test(shared, ant_april_trec_records)
{
    const char *sh = need_shared();
    char tar[4200], dir[4300];
    snprintf(tar, sizeof tar, "%s/data/raw/ant-multisource/ant_v2.1_2018-04.tar.zst", sh);
    snprintf(dir, sizeof dir, "%s/ant", tmp);
    cr_assert_eq(mkdir(dir, 0755), 0);
    untar(tar, dir);
    const char *in[] = {dir};
    dw_ingest_stats st;
    run_ingest(NULL, 1, in, &st);
    cr_expect_eq(st.inputs, 4798);
    cr_expect_eq(st.sightings, 4798);
    cr_expect_eq(st.new_articles, 4586); /* distinct normalized <TEXT> */
    cr_expect_eq(st.quarantined, 0);
    cr_expect_eq(q1("SELECT count(*) FROM files WHERE format = 'trec'"), 4798);
    static const struct {
        const char *name;
        int64_t n;
    } outlets[] = {{"Sky News Arabia", 2115}, {"Al Arabiya", 864}, {"France 24", 722},
                   {"CNN Arabic", 570}, {"BBC Arabic", 527}};
    for (size_t i = 0; i < sizeof outlets / sizeof *outlets; i++) {
        char sql[512];
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM sightings g JOIN sources s ON s.id = g.source_id WHERE s.name = '%s'",
                 outlets[i].name);
        cr_expect_eq(q1(sql), outlets[i].n, "%s", outlets[i].name);
    }
    char *d = qs("SELECT min(published) || ' ' || max(published) FROM articles");
    cr_expect_str_eq(d, "2018-04-01 2018-04-30");
    free(d);
    cr_expect_eq(q1("SELECT count(*) FROM sightings WHERE ext_id IS NULL OR url IS NULL"), 0);
}

Test(shared, cp1256_newspapers)
{
    const char *sh = need_shared();
    char tar[4200], dir[4300];
    snprintf(tar, sizeof tar, "%s/data/raw/arabic-newspapers-cp1256/arabic_newspapers_corpus.tar.zst", sh);
    snprintf(dir, sizeof dir, "%s/cp", tmp);
    cr_assert_eq(mkdir(dir, 0755), 0);
    untar(tar, dir);
    const char *in[] = {dir};
    dw_ingest_stats st;
    /* read as UTF-8, the files are quarantined: 2908 as not UTF-8, and two
     * that were garbled upstream (mostly '?', e.g. سياسيه/DZP18.txt) and
     * read as text as garbled articles */
    run_ingest(NULL, 1, in, &st);
    cr_expect_eq(st.inputs, 2910);
    cr_expect_eq(st.quarantined, 2910);
    cr_expect_eq(st.sightings, 0);
    cr_expect_eq(q1("SELECT count(*) FROM quarantine WHERE reason LIKE 'article text is garbled: %'"), 2);
    /* with its encoding, the files replace their quarantine entries */
    run_ingest("windows-1256", 1, in, &st);
    cr_expect_eq(st.files_done, 2910);
    cr_expect_eq(q1("SELECT count(*) FROM quarantine WHERE reason LIKE 'not UTF-8%'"), 0);
    /* one article per file: the 8 whose title is followed by an المصدر:
     * byline (an outlet, a date, nothing, or a paragraph after the label)
     * keep their title and body instead of being split at the byline */
    cr_expect_eq(q1("SELECT count(*) FROM sightings WHERE role = 'main'"), 2888);
    cr_expect_eq(q1("SELECT count(*) FROM sightings WHERE role = 'related'"), 0);
    /* the 22 Algerian politics files garbled upstream: over half of their
     * characters are '?' whatever the encoding */
    cr_expect_eq(q1("SELECT count(*) FROM quarantine"), 22);
    cr_expect_eq(q1("SELECT count(*) FROM quarantine WHERE reason LIKE 'article text is garbled: %'"
                    " AND path LIKE '%/DZP%.txt'"),
                 22);
    cr_expect_eq(q1("SELECT count(*) FROM sightings WHERE source_raw = 'وكالات خارجية'"), 4);
    /* dates: 85 from labeled lines and bylines, the rest from unlabeled
     * datelines under the title (الجمعة 06/07/2012); SOURCE.md: mostly 2012 */
    cr_expect_eq(q1("SELECT count(*) FROM articles WHERE published IS NOT NULL"), 370);
    cr_expect_eq(q1("SELECT count(*) FROM articles WHERE published < '2011-12-01' OR published > '2012-12-31'"), 0);
    /* 10 groups of exact duplicates (SOURCE.md) */
    cr_expect_eq(q1("SELECT count(*) FROM (SELECT article_id FROM sightings GROUP BY article_id "
                    "HAVING count(*) > 1)"),
                 10);
    /* every file ends with a NUL byte, dropped */
    cr_expect_eq(q1("SELECT count(*) FROM articles WHERE instr(body, char(0)) > 0"), 0);
    cr_expect_eq(q1("SELECT sum(bad_bytes) FROM files"), 0);
}
