/* test_neardup.c: near-duplicate clusters: shingles and Jaccard on known
 * pairs, signature determinism and estimate, the representative rule, and
 * the stage end to end on generated stories (our own word list): clusters,
 * order independence (A then B, B then A, A and B together), incremental
 * runs, the short-article rule, boilerplate-only negatives, parameter
 * changes and the sample corpus' five near-copy pairs. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/db.h"
#include "helpers.h"
#include "ingest/ingest.h"
#include "ingest/neardup.h"

static char *tmp;

static void setup(void)
{
    tmp = dwt_tmpdir();
    cr_assert(tmp);
}

static void teardown(void)
{
    dwt_rmtree(tmp);
    free(tmp);
}

TestSuite(neardup, .init = setup, .fini = teardown, .timeout = 120);

static double jac_text(const char *a, const char *b, int k)
{
    uint64_t *x, *y;
    size_t nx, ny;
    cr_assert_eq(dw_neardup_shingles(a, strlen(a), 0, k, &x, &nx, NULL), 0);
    cr_assert_eq(dw_neardup_shingles(b, strlen(b), 0, k, &y, &ny, NULL), 0);
    double j = dw_neardup_jaccard(x, nx, y, ny);
    free(x);
    free(y);
    return j;
}

Test(neardup, jaccard_known_pairs)
{
    /* 5 words, last one differs: k=1 4/6, k=2 3/5, k=3 2/4 */
    const char *a = "شمس قمر نجم بحر نهر", *b = "شمس قمر نجم بحر جبل";
    cr_assert_float_eq(jac_text(a, b, 1), 4.0 / 6, 1e-12);
    cr_assert_float_eq(jac_text(a, b, 2), 3.0 / 5, 1e-12);
    cr_assert_float_eq(jac_text(a, b, 3), 2.0 / 4, 1e-12);
    /* spelling variants are the same tokens after normalization */
    cr_assert_float_eq(jac_text("ذهبَ الفتى إلى المدرسة", "ذهب الفتي الى المدرســة", 2), 1.0, 1e-12);
    /* punctuation and line breaks do not matter */
    cr_assert_float_eq(jac_text("شمس، قمر.\nنجم", "شمس قمر نجم", 2), 1.0, 1e-12);
    /* fewer tokens than k: one shingle of all tokens */
    uint64_t *x;
    size_t n, nt;
    cr_assert_eq(dw_neardup_shingles("شمس قمر", strlen("شمس قمر"), 0, 3, &x, &n, &nt), 0);
    cr_assert_eq(n, 1);
    cr_assert_eq(nt, 2);
    free(x);
    cr_assert_eq(dw_neardup_shingles(" ،. ", 5, 0, 3, &x, &n, &nt), 0);
    cr_assert_eq(n, 0);
    cr_assert_null(x);
    /* repeated shingles count once */
    cr_assert_eq(dw_neardup_shingles("شمس شمس شمس", strlen("شمس شمس شمس"), 0, 1, &x, &n, NULL), 0);
    cr_assert_eq(n, 1);
    free(x);
}

/* A generated story: n words drawn from a word list with an LCG seeded by
 * seed, a full stop every 12 words, a line break every 36. Caller frees. */
static char *story(unsigned seed, int n)
{
    static const char *const w[] = {
        "المدينة", "الحكومة", "المشروع", "الطريق",  "الماء",   "الكهرباء", "المدرسة", "الطلاب",  "المعلمين",
        "السوق",   "الأسعار", "التجار",  "الميناء", "السفن",   "المطار",   "الرحلات", "المستشفى", "الأطباء",
        "المرضى",  "الوزارة", "الوزير",  "المجلس",  "البلدية", "السكان",   "الحي",    "الشارع",  "الحديقة",
        "المهرجان", "الفرق",  "الجمهور", "المباراة", "الفريق", "الملعب",   "الأمطار", "السيول",  "الرياح",
        "الغبار",  "الصيف",   "الشتاء",  "المزارع", "القمح",   "التمور",   "المصنع",  "العمال",  "الإنتاج",
        "التصدير", "الشركة",  "الموظفين", "الرواتب", "الميزانية", "العام",  "الشهر",   "الأسبوع", "اليوم",
        "أعلن",    "أكد",     "قال",     "افتتح",   "بدأ",     "أنهى",     "ارتفع",   "تراجع",   "وصل",
        "جديد",    "كبير",    "صغير",    "أول",     "آخر",     "ثلاثة",    "خمسة",    "عشرة",    "مئة"};
    const unsigned nw = sizeof w / sizeof *w;
    dw_buf b = DW_BUF_INIT;
    unsigned x = seed * 2654435761u + 12345u;
    for (int i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        dw_buf_puts(&b, w[(x >> 8) % nw]);
        dw_buf_puts(&b, (i + 1) % 36 == 0 ? ".\n" : (i + 1) % 12 == 0 ? ". " : " ");
    }
    return dw_buf_detach(&b, NULL);
}

Test(neardup, signature_determinism_and_estimate)
{
    char *a = story(1, 300), *b = strdup(a);
    /* change 10 words near the end: a near copy */
    char *p = b + strlen(b) / 2;
    for (int i = 0; i < 10 && (p = strchr(p + 1, ' ')); i++)
        memcpy(p + 1, "\xd9\x86", 2); /* first letter of a word becomes ن */
    uint64_t *x, *y;
    size_t nx, ny;
    cr_assert_eq(dw_neardup_shingles(a, strlen(a), 0, 2, &x, &nx, NULL), 0);
    cr_assert_eq(dw_neardup_shingles(b, strlen(b), 0, 2, &y, &ny, NULL), 0);
    uint32_t s1[100], s2[100], s3[100];
    dw_neardup_signature(x, nx, 100, s1);
    dw_neardup_signature(x, nx, 100, s2);
    cr_assert_eq(memcmp(s1, s2, sizeof s1), 0);
    /* the order of the shingles does not matter */
    uint64_t *r = malloc(nx * sizeof *r);
    for (size_t i = 0; i < nx; i++)
        r[i] = x[nx - 1 - i];
    dw_neardup_signature(r, nx, 100, s3);
    cr_assert_eq(memcmp(s1, s3, sizeof s1), 0);
    dw_neardup_signature(y, ny, 100, s2);
    double j = dw_neardup_jaccard(x, nx, y, ny), est = dw_neardup_estimate(s1, s2, 100);
    cr_assert(j > 0.8 && j < 0.99, "jaccard %g", j);
    cr_assert(est > j - DW_NEARDUP_MARGIN && est < j + DW_NEARDUP_MARGIN, "estimate %g for %g", est, j);
    cr_assert_float_eq(dw_neardup_estimate(s1, s1, 100), 1.0, 1e-12);
    /* band keys: equal signatures give equal keys, bands differ */
    cr_assert_eq(dw_neardup_band_key(s1, 3, 5), dw_neardup_band_key(s3, 3, 5));
    cr_assert_neq(dw_neardup_band_key(s1, 3, 5), dw_neardup_band_key(s1, 4, 5));
    /* the default curve: near-certain at the threshold, rare far below */
    cr_assert(dw_neardup_candidate_prob(0.8, DW_NEARDUP_BANDS, DW_NEARDUP_ROWS) > 0.999);
    cr_assert(dw_neardup_candidate_prob(0.3, DW_NEARDUP_BANDS, DW_NEARDUP_ROWS) < 0.05);
    free(a);
    free(b);
    free(x);
    free(y);
    free(r);
}

static dw_neardup_member mem(int64_t id, const char *date, int64_t n_chars, unsigned char h0)
{
    dw_neardup_member m;
    memset(&m, 0, sizeof m);
    m.id = id;
    snprintf(m.published, sizeof m.published, "%s", date);
    m.n_chars = n_chars;
    m.content_hash[0] = h0;
    return m;
}

Test(neardup, representative_rule)
{
    dw_neardup_member dated = mem(9, "2015-07-22", 100, 9), earlier = mem(8, "2015-07-21", 50, 9),
                      undated = mem(1, "", 5000, 0), longer = mem(7, "2015-07-22", 200, 9),
                      lowhash = mem(6, "2015-07-22", 200, 1);
    cr_assert_lt(dw_neardup_rep_cmp(&dated, &undated), 0);       /* dated first */
    cr_assert_lt(dw_neardup_rep_cmp(&earlier, &dated), 0);       /* earliest */
    cr_assert_lt(dw_neardup_rep_cmp(&longer, &dated), 0);        /* longest */
    cr_assert_lt(dw_neardup_rep_cmp(&lowhash, &longer), 0);      /* lowest hash */
    cr_assert_gt(dw_neardup_rep_cmp(&undated, &earlier), 0);
    dw_neardup_member same = lowhash;
    same.id = 99;                                                /* the id is not looked at */
    cr_assert_eq(dw_neardup_rep_cmp(&same, &lowhash), 0);
}

/* Writes {tmp}/dir/name holding a page without markers: title line, body. */
static void put(const char *dir, const char *name, const char *title, const char *body)
{
    char p[4400];
    snprintf(p, sizeof p, "%s/%s", tmp, dir);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/%s/%s", tmp, dir, name);
    FILE *f = fopen(p, "w");
    cr_assert(f);
    fprintf(f, "%s\n%s\n", title, body);
    fclose(f);
}

/* Ingests inputs (paths under tmp) into db then runs the stage. */
static void ingest_nd(const char *db, int n, const char *const *rel, dw_neardup_stats *ns, const dw_neardup_opts *no)
{
    const char *in[8];
    char paths[8][4400];
    for (int i = 0; i < n; i++) {
        if (rel[i][0] == '/')
            snprintf(paths[i], sizeof paths[i], "%s", rel[i]);
        else
            snprintf(paths[i], sizeof paths[i], "%s/%s", tmp, rel[i]);
        in[i] = paths[i];
    }
    dw_ingest_opts o;
    memset(&o, 0, sizeof o);
    o.threads = 2;
    o.no_near_dup = 1; /* the stage runs below, with its figures checked */
    dw_ingest_stats st;
    dw_err e = {{0}};
    cr_assert_eq(dw_ingest_run(db, in, n, &o, &st, &e), DW_OK, "%s", e.msg);
    dw_db *h;
    cr_assert_eq(dw_db_open(&h, db, 0, 0, &e), DW_OK, "%s", e.msg);
    dw_neardup_opts d;
    dw_neardup_opts_init(&d);
    dw_neardup_stats local;
    cr_assert_eq(dw_neardup_run(h, no ? no : &d, ns ? ns : &local, &e), DW_OK, "%s", e.msg);
    dw_db_close(h);
}

/* The clusters of a database without ids: one line per article, sorted:
 * its body's first 24 bytes, its representative's, join, similarity. */
static char *clusters(const char *db)
{
    sqlite3 *h;
    sqlite3_stmt *st;
    cr_assert_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_prepare_v2(h,
                                    "SELECT hex(a.content_hash) || ' ' || hex(r.content_hash) || ' ' || a.cluster_join "
                                    "|| ' ' || printf('%.4f', a.cluster_similarity) AS l FROM articles a "
                                    "JOIN articles r ON r.id = a.cluster_id ORDER BY l",
                                    -1, &st, NULL),
                 SQLITE_OK);
    dw_buf b = DW_BUF_INIT;
    while (sqlite3_step(st) == SQLITE_ROW) {
        dw_buf_puts(&b, (const char *)sqlite3_column_text(st, 0));
        dw_buf_putc(&b, '\n');
    }
    sqlite3_finalize(st);
    sqlite3_close(h);
    return dw_buf_detach(&b, NULL);
}

#define q1 dwt_q1

/* Two inputs: A = stories 1..4 and a near copy of 5 (one word changed);
 * B = story 5, a near copy of 1 (last sentence removed), an exact copy of
 * 2 (diacritics), a near copy of the copy of 1 (chain), a short article and
 * its near copy, and two stories that share only a boilerplate paragraph. */
static void make_inputs(void)
{
    char *s[6];
    for (int i = 1; i <= 5; i++)
        s[i] = story((unsigned)i, 240);
    put("A", "1.txt", "خبر واحد", s[1]);
    put("A", "2.txt", "خبر اثنان", s[2]);
    put("A", "3.txt", "خبر ثلاثة", s[3]);
    put("A", "4.txt", "خبر أربعة", s[4]);
    char *c5 = strdup(s[5]);
    memcpy(strstr(c5, " ") + 1, "\xd9\x86", 2);
    put("A", "5b.txt", "عنوان آخر لخبر خمسة", c5);
    put("B", "5.txt", "خبر خمسة", s[5]);
    /* story 1 without its last 12 words (one sentence): J about 0.95 */
    char *c1 = strdup(s[1]);
    size_t cut = strlen(c1);
    for (int dots = 0; cut > 0; cut--)
        if (c1[cut - 1] == '.' && ++dots == 2)
            break;
    c1[cut] = 0;
    put("B", "1b.txt", "خبر واحد معدل", c1);
    /* and that copy with one more sentence removed at the start */
    put("B", "1c.txt", "خبر واحد مرة أخرى", strchr(c1, '.') + 2);
    char e2[8192];
    snprintf(e2, sizeof e2, "%s", s[2]);
    put("B", "2b.txt", "خبر اثنان", e2); /* exact copy: the same article */
    put("B", "short1.txt", "قصير", "أعلن الوزير افتتاح المشروع الجديد في المدينة اليوم");
    put("B", "short2.txt", "قصير", "أعلن الوزير افتتاح المشروع الكبير في المدينة اليوم");
    const char *boiler = "للاشتراك في النشرة أرسل بريدك إلى فريق التحرير وستصلك أهم العناوين كل صباح مع ملخص "
                         "للأحداث المحلية والدولية وتقارير خاصة يعدها مراسلونا في المناطق ويمكنك إلغاء الاشتراك "
                         "في أي وقت من صفحة الإعدادات وجميع الحقوق محفوظة للصحيفة";
    char *p1 = story(11, 30), *p2 = story(12, 30);
    char b1[8192], b2[8192];
    snprintf(b1, sizeof b1, "%s\n%s", p1, boiler);
    snprintf(b2, sizeof b2, "%s\n%s", p2, boiler);
    put("B", "boiler1.txt", "نشرة", b1);
    put("B", "boiler2.txt", "نشرة", b2);
    for (int i = 1; i <= 5; i++)
        free(s[i]);
    free(c5);
    free(c1);
    free(p1);
    free(p2);
}

Test(neardup, clusters_and_order_independence)
{
    make_inputs();
    char ab[4400], ba[4400], both[4400];
    snprintf(ab, sizeof ab, "%s/ab.db", tmp);
    snprintf(ba, sizeof ba, "%s/ba.db", tmp);
    snprintf(both, sizeof both, "%s/both.db", tmp);
    const char *A[] = {"A"}, *B[] = {"B"}, *AB[] = {"A", "B"}, *BA[] = {"B", "A"};
    dw_neardup_stats s1, s2;
    ingest_nd(ab, 1, A, &s1, NULL);
    cr_assert_eq(s1.articles, 5);
    cr_assert_eq(s1.clusters, 0);
    ingest_nd(ab, 1, B, &s2, NULL);
    /* incremental: only B's new articles are signed (the exact copy of 2 is not new) */
    cr_assert_eq(s2.articles, 7);
    cr_assert_eq(s2.short_articles, 2);
    cr_assert_eq(q1(ab, "SELECT count(*) FROM neardup_sigs"), 12);
    ingest_nd(ba, 1, B, NULL, NULL);
    ingest_nd(ba, 1, A, NULL, NULL);
    ingest_nd(both, 2, BA, NULL, NULL);
    char *x = clusters(ab), *y = clusters(ba), *z = clusters(both);
    cr_assert_str_eq(x, y);
    cr_assert_str_eq(x, z);
    /* A and B together in the other order too, signed by 3 threads in
     * batches of 2 (pairs inside a batch and across batches) */
    char both2[4400];
    snprintf(both2, sizeof both2, "%s/both2.db", tmp);
    dw_neardup_opts par;
    dw_neardup_opts_init(&par);
    par.threads = 3;
    par.batch = 2;
    ingest_nd(both2, 2, AB, NULL, &par);
    char *w = clusters(both2);
    cr_assert_str_eq(x, w);
    /* the clusters: {1, 1b, 1c} and {5, 5b}; everything else alone */
    cr_assert_eq(q1(ab, "SELECT count(*) FROM articles WHERE cluster_id IS NULL"), 0);
    cr_assert_eq(q1(ab, "SELECT count(*) FROM (SELECT cluster_id FROM articles GROUP BY cluster_id HAVING count(*) > 1)"),
                 2);
    cr_assert_eq(q1(ab, "SELECT count(*) FROM articles WHERE cluster_join = 'near'"), 3);
    cr_assert_eq(q1(ab, "SELECT count(*) FROM articles a JOIN articles r ON r.id = a.cluster_id "
                        "WHERE a.title LIKE 'خبر واحد%' AND r.title = 'خبر واحد'"),
                 3);
    /* 1c joined through 1b (a chain): its similarity to the representative is below 1b's */
    cr_assert_eq(q1(ab, "SELECT (SELECT cluster_similarity FROM articles WHERE title = 'خبر واحد مرة أخرى') < "
                        "(SELECT cluster_similarity FROM articles WHERE title = 'خبر واحد معدل')"),
                 1);
    /* representative: longest (none dated): story 1 itself, and the member cluster_id is its id */
    cr_assert_eq(q1(ab, "SELECT count(*) FROM articles WHERE cluster_join = 'representative' AND cluster_id != id"), 0);
    /* short articles and boilerplate-only pairs stay alone */
    cr_assert_eq(q1(ab, "SELECT count(*) FROM articles a WHERE (a.title IN ('قصير', 'نشرة')) AND "
                        "(SELECT count(*) FROM articles b WHERE b.cluster_id = a.cluster_id) > 1"),
                 0);
    /* the exact copy of story 2 shows as an 'exact' sighting */
    cr_assert_eq(q1(ab, "SELECT count(*) FROM cluster_sightings WHERE cluster_join = 'exact'"), 1);
    free(x);
    free(y);
    free(z);
    free(w);
}

Test(neardup, rerun_and_parameter_change)
{
    make_inputs();
    char db[4400];
    snprintf(db, sizeof db, "%s/t.db", tmp);
    const char *AB[] = {"A", "B"};
    ingest_nd(db, 2, AB, NULL, NULL);
    char *x = clusters(db);
    dw_err e = {{0}};
    dw_db *h;
    cr_assert_eq(dw_db_open(&h, db, 0, 0, &e), DW_OK);
    dw_neardup_opts o;
    dw_neardup_opts_init(&o);
    dw_neardup_stats st;
    /* a rerun signs nothing and changes nothing */
    cr_assert_eq(dw_neardup_run(h, &o, &st, &e), DW_OK, "%s", e.msg);
    cr_assert_eq(st.articles, 0);
    cr_assert_eq(st.changed, 0);
    cr_assert_eq(st.clusters, 2);
    /* losing signatures (as after a kill before a commit) gives them back */
    cr_assert_eq(dw_db_exec(h, "DELETE FROM neardup_sigs WHERE article_id > 6", &e), DW_OK);
    cr_assert_eq(dw_neardup_run(h, &o, &st, &e), DW_OK, "%s", e.msg);
    cr_assert_eq(st.articles, 6);
    /* another shingle size re-signs everything */
    o.shingle = 3;
    cr_assert_eq(dw_neardup_run(h, &o, &st, &e), DW_OK, "%s", e.msg);
    cr_assert_eq(st.reset, 1);
    cr_assert_eq(st.articles, 12);
    o.shingle = 2;
    cr_assert_eq(dw_neardup_run(h, &o, &st, &e), DW_OK, "%s", e.msg);
    /* a bad threshold is a usage error */
    o.threshold = 1.5;
    cr_assert_eq(dw_neardup_run(h, &o, &st, &e), DW_EUSAGE);
    cr_assert_str_eq(e.msg, "near-dup threshold must be in (0, 1], not 1.5");
    dw_db_close(h);
    char *y = clusters(db);
    cr_assert_str_eq(x, y);
    free(x);
    free(y);
}

Test(neardup, sample_near_copies)
{
    char db[4400];
    snprintf(db, sizeof db, "%s/s.db", tmp);
    char p1[4200], p2[4200];
    snprintf(p1, sizeof p1, "%s/sample/pages", dwt_root());
    snprintf(p2, sizeof p2, "%s/sample/extra", dwt_root());
    const char *in[] = {p1, p2};
    dw_neardup_stats st;
    ingest_nd(db, 2, in, &st, NULL);
    /* the five pairs A-E of sample/README.md, and nothing else */
    cr_assert_eq(st.clusters, 5);
    cr_assert_eq(st.clustered, 10);
    cr_assert_eq(q1(db, "SELECT count(*) FROM articles a JOIN articles r ON r.id = a.cluster_id "
                        "WHERE a.cluster_join = 'near' AND r.published < a.published"),
                 5);
}

/* Containment: a truncated copy or a copy with a paragraph added joins the
 * cluster even below the Jaccard threshold; a short text inside a long one
 * (shared boilerplate) does not. */
Test(neardup, containment_rule)
{
    uint64_t a[100], b[100];
    for (int i = 0; i < 100; i++)
        a[i] = (uint64_t)i * 7;
    /* 80% truncation: J = 0.8 (at the edge), contained */
    cr_expect(dw_neardup_contained(a, 80, a, 100));
    cr_expect(dw_neardup_contained(a, 100, a, 80));
    /* 70% of the longer: size ratio below 0.75 */
    cr_expect(!dw_neardup_contained(a, 70, a, 100));
    /* 85 shared of 88: 96.6% of the shorter */
    for (int i = 0; i < 88; i++)
        b[i] = i < 85 ? a[i] : 10000 + (uint64_t)i;
    cr_expect(dw_neardup_contained(a, 100, b, 88));
    /* 75 shared of 88: 85% only */
    for (int i = 0; i < 88; i++)
        b[i] = i < 75 ? a[i] : 10000 + (uint64_t)i;
    cr_expect(!dw_neardup_contained(a, 100, b, 88));
    cr_expect(!dw_neardup_contained(a, 0, b, 0));
}

/* the AVX-512 MinHash (where the CPU has it) gives the portable loop's
 * signatures, for every number of hashes around the vector width */
Test(neardup, vector_signature_equals_portable)
{
    static const int nhashes[] = {1, 5, 7, 8, 9, 16, 100, 101, DW_NEARDUP_MAX_HASHES};
    static const size_t counts[] = {0, 1, 3, 17, 1000};
    uint64_t *sh = malloc(1000 * sizeof *sh), st = 99;
    cr_assert(sh);
    for (size_t i = 0; i < 1000; i++) {
        st = st * 6364136223846793005ull + 1442695040888963407ull;
        sh[i] = st ^ (st >> 29);
    }
    uint32_t a[DW_NEARDUP_MAX_HASHES], b[DW_NEARDUP_MAX_HASHES];
    for (size_t k = 0; k < sizeof nhashes / sizeof *nhashes; k++)
        for (size_t c = 0; c < sizeof counts / sizeof *counts; c++) {
            memset(a, 0, sizeof a);
            memset(b, 1, sizeof b);
            dw_neardup_signature_impl(sh, counts[c], nhashes[k], a, 1);
            dw_neardup_signature_impl(sh, counts[c], nhashes[k], b, 0);
            cr_expect_eq(memcmp(a, b, (size_t)nhashes[k] * sizeof *a), 0, "nhash %d, %zu shingles", nhashes[k],
                         counts[c]);
            if (counts[c] == 0)
                cr_expect_eq(a[0], 0xffffffffu);
        }
    free(sh);
}
