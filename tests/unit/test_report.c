/* test_report.c: `diwan report`. The sample corpus is ingested and counted
 * with the binary under test; the report's JSON form must carry the numbers
 * that `diwan info`, `sources`, `top`, `cooc` and `dups` print, and the HTML
 * form the same values; the HTML is checked for structure (Python's
 * html.parser), rendered with headless Chromium (scripts/render-report) and
 * checked as an image; output is byte-identical across runs; the escaping,
 * the fits and the Heaps tracker are tested directly. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "core/buf.h"
#include "core/db.h"
#include "helpers.h"
#include "report/render.h"
#include "report/report.h"

/* Runs argv[0] (argv NULL-terminated) with stdout to out_path (or /dev/null)
 * and stderr to /dev/null; returns the exit status (-1 when killed). */
static int run(const char *out_path, const char *const *argv)
{
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        int fd = open(out_path ? out_path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int nul = open("/dev/null", O_RDWR);
        if (fd < 0 || nul < 0)
            _exit(127);
        dup2(nul, 0);
        dup2(fd, 1);
        dup2(nul, 2);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    int st;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Runs `diwan ARGS...` (NULL-terminated) with stdout to out_path. */
#define DIWAN(out, ...) run(out, (const char *const[]){dwt_bin(), __VA_ARGS__, NULL})

/* The sample database in tmp/r.db (counted by `diwan stats` when stats). */
static char *sample_db(const char *tmp, int stats)
{
    char *db;
    cr_assert(asprintf(&db, "%s/r.db", tmp) > 0);
    char pages[4096], extra[4096];
    snprintf(pages, sizeof pages, "%s/sample/pages", dwt_root());
    snprintf(extra, sizeof extra, "%s/sample/extra", dwt_root());
    cr_assert_eq(DIWAN(NULL, "ingest", "-q", db, pages, extra), 0);
    if (stats)
        cr_assert_eq(DIWAN(NULL, "stats", db), 0);
    return db;
}

/* Runs diwan with stdout to tmp/NAME and parses it as JSON. */
static json_t *json_of(const char *tmp, const char *name, const char *const *args, size_t nargs)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", tmp, name);
    const char *argv[16] = {dwt_bin()};
    for (size_t i = 0; i < nargs && i < 14; i++)
        argv[i + 1] = args[i];
    cr_assert_eq(run(path, argv), 0, "%s failed", name);
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    cr_assert_not_null(j, "%s: %s", name, je.text);
    return j;
}

/* The report of db as JSON (--limit limit). */
static json_t *report_json(const char *tmp, const char *db, const char *limit)
{
    char out[4096];
    snprintf(out, sizeof out, "%s/report.json", tmp);
    cr_assert_eq(DIWAN(NULL, "report", db, "--out", out, "--limit", limit), 0);
    json_error_t je;
    json_t *j = json_load_file(out, 0, &je);
    cr_assert_not_null(j, "report.json: %s", je.text);
    return j;
}

static int contains(const char *hay, const char *needle) { return strstr(hay, needle) != NULL; }

/* HTML escaping of s, for searching the report (caller frees). */
static char *esc(const char *s)
{
    dw_buf b = DW_BUF_INIT;
    cr_assert_eq(dw_report_esc_html(&b, s, strlen(s)), 0);
    return dw_buf_detach(&b, NULL);
}

Test(report, numbers_equal_info_sources_top_cooc_dups, .timeout = 120)
{
    char *tmp = dwt_tmpdir();
    char *db = sample_db(tmp, 1);
    json_t *rep = report_json(tmp, db, "20");
    char html_path[4096];
    snprintf(html_path, sizeof html_path, "%s/report.html", tmp);
    cr_assert_eq(DIWAN(NULL, "report", db, "--out", html_path), 0);
    char *html = dwt_read_file(html_path, NULL);
    cr_assert_not_null(html);

    /* info: every figure, same value; the HTML shows each in its row */
    json_t *info = json_of(tmp, "info.json", (const char *[]){"info", "--json", db}, 3);
    json_t *ov = json_object_get(rep, "overview");
    const char *key;
    json_t *v;
    size_t nfig = 0;
    json_object_foreach(info, key, v)
    {
        /* what the statistics hold has sections of its own */
        if (!strcmp(key, "database") || !strcmp(key, "schema_version") || !strcmp(key, "statistics"))
            continue;
        cr_assert(json_equal(v, json_object_get(ov, key)), "overview.%s differs from info", key);
        char cell[256];
        if (json_is_integer(v))
            snprintf(cell, sizeof cell, "<code>%s</code></td><td class=\"n\" dir=\"ltr\">%lld</td>", key,
                     (long long)json_integer_value(v));
        else if (json_is_string(v))
            snprintf(cell, sizeof cell, "<code>%s</code></td><td class=\"t\" dir=\"auto\">%s</td>", key,
                     json_string_value(v));
        else
            continue;
        cr_assert(contains(html, cell), "HTML lacks %s", cell);
        nfig++;
    }
    cr_assert_eq(nfig, 22);
    cr_assert_eq(json_integer_value(json_object_get(ov, "sightings")), 106);
    cr_assert_eq(json_integer_value(json_object_get(ov, "articles")), 60);
    cr_assert_float_eq(json_real_value(json_object_get(ov, "exact_duplicate_rate")), 46.0 / 106.0, 1e-12);
    cr_assert_float_eq(json_real_value(json_object_get(ov, "near_duplicate_rate")), 5.0 / 60.0, 1e-12);
    cr_assert(contains(html, ">43.4%<") && contains(html, ">8.3%<"));
    json_t *q = json_object_get(ov, "quarantine");
    cr_assert_eq(json_array_size(q), 1);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(q, 0), "reason")), "record 5: empty text");
    cr_assert(contains(html, "record 5: empty text"));

    /* sources: same outlets in the same order, same articles and sightings;
     * per outlet, top terms as `diwan top --source` */
    json_t *srcs = json_of(tmp, "sources.json", (const char *[]){"sources", "--json", db}, 3);
    json_t *rs = json_object_get(rep, "sources");
    cr_assert_eq(json_array_size(rs), json_array_size(srcs));
    cr_assert_eq(json_array_size(rs), 4);
    for (size_t i = 0; i < json_array_size(srcs); i++) {
        json_t *a = json_array_get(srcs, i), *b = json_array_get(rs, i);
        const char *name = json_string_value(json_object_get(a, "source"));
        cr_assert_str_eq(name, json_string_value(json_object_get(b, "name")));
        cr_assert(json_equal(json_object_get(a, "articles"), json_object_get(b, "articles")));
        cr_assert(json_equal(json_object_get(a, "sightings"), json_object_get(b, "sightings")));
        json_t *top = json_of(tmp, "top-src.json", (const char *[]){"top", db, "--source", name, "--format", "json"}, 6);
        cr_assert(json_equal(top, json_object_get(b, "top_terms")), "top terms of %s differ", name);
        cr_assert_eq(json_array_size(top), 20);
        /* the HTML names the outlet and lists its first term */
        char *en = esc(name), *et = esc(json_string_value(json_object_get(json_array_get(top, 0), "term")));
        cr_assert(contains(html, en) && contains(html, et));
        free(en);
        free(et);
        cr_assert_eq(json_array_size(json_object_get(b, "distinctive_terms")), 20);
        json_decref(top);
    }
    /* RT: 18 articles, 38 sightings of 19 distinct articles, 2 carried by another outlet too */
    json_t *rt = json_array_get(rs, 0);
    cr_assert_str_eq(json_string_value(json_object_get(rt, "name")), "RT");
    cr_assert_eq(json_integer_value(json_object_get(rt, "carried_articles")), 19);
    cr_assert_eq(json_integer_value(json_object_get(rt, "cross_outlet_articles")), 2);
    cr_assert_str_eq(json_string_value(json_object_get(rt, "first_date")), "2023-09-05");

    /* n-grams, collocations: as `diwan top` */
    json_t *st = json_object_get(rep, "stats");
    static const char *const ns[] = {"1", "2", "3"};
    for (int n = 0; n < 3; n++) {
        json_t *top = json_of(tmp, "top.json", (const char *[]){"top", db, "--ngram", ns[n], "--format", "json"}, 6);
        cr_assert(json_equal(top, json_object_get(json_object_get(st, "ngrams"), ns[n])), "n-grams %s differ", ns[n]);
        cr_assert_eq(json_array_size(top), 20);
        for (size_t i = 0; i < json_array_size(top); i++) {
            char *et = esc(json_string_value(json_object_get(json_array_get(top, i), "term")));
            cr_assert(contains(html, et), "HTML lacks n-gram %s", et);
            free(et);
        }
        json_decref(top);
    }
    static const char *const by[] = {"pmi", "llr"};
    for (int k = 0; k < 2; k++) {
        json_t *top = json_of(tmp, "pairs.json", (const char *[]){"top", db, "--by", by[k], "--format", "json"}, 6);
        cr_assert(json_equal(top, json_object_get(json_object_get(st, "collocations"), by[k])), "%s differs", by[k]);
        cr_assert_eq(json_array_size(top), 8);
        json_decref(top);
    }
    /* neighbours: as `diwan cooc WORD` (the word given normalized, as stored) */
    json_t *nb = json_object_get(st, "neighbours");
    cr_assert_eq(json_array_size(nb), 10);
    size_t with_pairs = 0;
    for (size_t i = 0; i < json_array_size(nb); i++) {
        json_t *o = json_array_get(nb, i);
        const char *w = json_string_value(json_object_get(o, "term"));
        json_t *co = json_of(tmp, "cooc.json", (const char *[]){"cooc", db, w, "--limit", "10", "--format", "json"}, 7);
        json_t *mine = json_object_get(o, "neighbours");
        cr_assert_eq(json_array_size(co), json_array_size(mine), "neighbours of %s", w);
        for (size_t j = 0; j < json_array_size(co); j++) {
            json_t *a = json_array_get(co, j), *b = json_array_get(mine, j);
            cr_assert(json_equal(json_object_get(a, "term_b"), json_object_get(b, "term")));
            static const char *const f[] = {"count", "pmi", "npmi", "llr"};
            for (int k = 0; k < 4; k++)
                cr_assert(json_equal(json_object_get(a, f[k]), json_object_get(b, f[k])));
        }
        with_pairs += json_array_size(co) > 0;
        json_decref(co);
    }
    cr_assert(with_pairs > 0);

    /* clusters: as `diwan dups` */
    json_t *dups = json_of(tmp, "dups.json", (const char *[]){"dups", "--json", db}, 3);
    json_t *cl = json_object_get(rep, "clusters");
    cr_assert_eq(json_array_size(dups), 5);
    cr_assert_eq(json_array_size(cl), json_array_size(dups));
    for (size_t i = 0; i < json_array_size(dups); i++) {
        json_t *a = json_array_get(dups, i), *b = json_array_get(cl, i);
        static const char *const f[] = {"cluster", "articles", "sightings"};
        for (int k = 0; k < 3; k++)
            cr_assert(json_equal(json_object_get(a, f[k]), json_object_get(b, f[k])));
        json_t *ma = json_object_get(a, "members"), *mb = json_object_get(b, "members");
        cr_assert_eq(json_array_size(ma), json_array_size(mb));
        for (size_t j = 0; j < json_array_size(ma); j++) {
            json_t *x = json_array_get(ma, j), *y = json_array_get(mb, j);
            static const char *const g[] = {"article", "join", "date", "source", "sightings", "title"};
            for (int k = 0; k < 6; k++)
                cr_assert(json_equal(json_object_get(x, g[k]), json_object_get(y, g[k])), "cluster member %s", g[k]);
            cr_assert_float_eq(json_real_value(json_object_get(x, "similarity")),
                               json_real_value(json_object_get(y, "similarity")), 5e-5);
            char *et = esc(json_string_value(json_object_get(x, "title")));
            cr_assert(contains(html, et));
            free(et);
        }
    }

    /* the vocabulary-growth stream ends where the statistics do */
    json_t *h = json_object_get(rep, "heaps"), *s1 = json_array_get(json_object_get(st, "summary"), 0);
    cr_assert_eq(json_integer_value(json_object_get(s1, "n")), 1);
    cr_assert_eq(json_integer_value(json_object_get(h, "tokens")), json_integer_value(json_object_get(s1, "tokens")));
    cr_assert_eq(json_integer_value(json_object_get(h, "types")), json_integer_value(json_object_get(s1, "types")));
    cr_assert_eq(json_integer_value(json_object_get(h, "types")), 2442);
    cr_assert_eq(json_integer_value(json_object_get(h, "articles")), 55);
    /* Zipf: the distribution of the 'all' bucket */
    json_t *z = json_object_get(st, "zipf");
    cr_assert_eq(json_integer_value(json_object_get(z, "types")), 2442);
    cr_assert_eq(json_integer_value(json_object_get(z, "tokens")), 4851);
    double ex = json_real_value(json_object_get(json_object_get(z, "fit"), "exponent"));
    cr_assert(ex > 0.5 && ex < 1.5, "zipf exponent %g", ex);
    double beta = json_real_value(json_object_get(json_object_get(h, "fit"), "beta"));
    cr_assert(beta > 0.4 && beta < 1.0, "heaps beta %g", beta);
    /* lengths: the articles counted */
    json_t *lt = json_object_get(json_object_get(st, "lengths"), "tokens");
    cr_assert_eq(json_integer_value(json_object_get(lt, "articles")), 55);
    json_int_t sum = 0;
    for (size_t i = 0; i < json_array_size(json_object_get(lt, "bins")); i++)
        sum += json_integer_value(json_object_get(json_array_get(json_object_get(lt, "bins"), i), "articles"));
    cr_assert_eq(sum, 55);

    json_decref(rep);
    json_decref(info);
    json_decref(srcs);
    json_decref(dups);
    free(html);
    free(db);
    dwt_rmtree(tmp);
    free(tmp);
}

/* A structure checker run with /usr/bin/python3: every tag it opens is
 * closed in order (void elements aside), prints the section ids, and flags
 * scripts and external resources. */
static const char html_check_py[] =
    "import sys, html.parser\n"
    "VOID = {'meta','br','img','hr','input','link','area','base','col','embed','source','track','wbr'}\n"
    "class P(html.parser.HTMLParser):\n"
    "    def __init__(s):\n"
    "        super().__init__(convert_charrefs=True); s.stack=[]; s.ids=[]; s.bad=[]\n"
    "    def handle_starttag(s, t, a):\n"
    "        d = dict(a)\n"
    "        if t == 'section': s.ids.append(d.get('id'))\n"
    "        if t in ('script', 'iframe', 'object', 'link'): s.bad.append(t)\n"
    "        for k in ('src', 'href'):\n"
    "            v = d.get(k) or ''\n"
    "            if k in d and not v.startswith('#'): s.bad.append(k + '=' + v)\n"
    "        if t not in VOID: s.stack.append(t)\n"
    "    def handle_startendtag(s, t, a):\n"
    "        for k in ('src', 'href'):\n"
    "            if k in dict(a): s.bad.append(k)\n"
    "    def handle_endtag(s, t):\n"
    "        if not s.stack or s.stack[-1] != t: s.bad.append('close ' + t + ' in ' + '/'.join(s.stack))\n"
    "        else: s.stack.pop()\n"
    "p = P(); p.feed(open(sys.argv[1], encoding='utf-8').read()); p.close()\n"
    "if p.stack: p.bad.append('unclosed ' + '/'.join(p.stack))\n"
    "print(' '.join(p.ids)); print('bad: ' + '; '.join(p.bad[:5]))\n";

static const char all_sections[] = "overview sources time lengths zipf heaps ngrams collocations neighbours clusters lines\n"
                                   "bad: \n";

/* Runs the checker on path; returns its output (caller frees). */
static char *check_html(const char *tmp, const char *path)
{
    char out[4096];
    snprintf(out, sizeof out, "%s/check.txt", tmp);
    cr_assert_eq(run(out, (const char *const[]){"/usr/bin/python3", "-c", html_check_py, path, NULL}), 0);
    return dwt_read_file(out, NULL);
}

/* One term of a source, as the test below ranks them. */
typedef struct {
    char *term;   /* (owned) */
    long long count, df;
    double z;
} dterm;

static int cmp_dt(const void *pa, const void *pb)
{
    const dterm *a = pa, *b = pb;
    if (a->z != b->z)
        return a->z > b->z ? -1 : 1;
    return strcmp(a->term, b->term);
}

/* the distinctive terms of each outlet (merged in one pass over the
 * sources' and the corpus' unigrams) are the first of all its terms ranked
 * here one by one through a join, at a limit below and above the number of
 * terms of the smaller outlets */
Test(report, distinctive_terms_rank_every_term, .timeout = 120)
{
    char *tmp = dwt_tmpdir();
    char *db = sample_db(tmp, 1);
    sqlite3 *h;
    cr_assert_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    static const char *const limits[] = {"5", "900"};
    for (int li = 0; li < 2; li++) {
        size_t limit = (size_t)atoi(limits[li]);
        json_t *rep = report_json(tmp, db, limits[li]);
        json_t *rs = json_object_get(rep, "sources");
        cr_assert_eq(json_array_size(rs), 4);
        size_t short_lists = 0;
        for (size_t i = 0; i < json_array_size(rs); i++) {
            json_t *src = json_array_get(rs, i);
            sqlite3_stmt *st;
            cr_assert_eq(sqlite3_prepare_v2(h,
                                            "SELECT s.term, s.count, s.df, a.count,"
                                            " (SELECT tokens FROM stats_summary WHERE bucket = b.id AND n = 1),"
                                            " (SELECT tokens FROM stats_summary WHERE bucket = 1 AND n = 1)"
                                            " FROM stats_buckets b JOIN stats_ngrams s ON s.bucket = b.id AND s.n = 1"
                                            " JOIN stats_ngrams a ON a.bucket = 1 AND a.n = 1 AND a.term = s.term"
                                            " WHERE b.kind = 'source' AND b.name = ?1",
                                            -1, &st, NULL),
                         SQLITE_OK, "%s", sqlite3_errmsg(h));
            sqlite3_bind_text(st, 1, json_string_value(json_object_get(src, "name")), -1, SQLITE_STATIC);
            dterm *v = NULL;
            size_t n = 0;
            while (sqlite3_step(st) == SQLITE_ROW) {
                v = realloc(v, (n + 1) * sizeof *v);
                double yi = sqlite3_column_double(st, 1), ya = sqlite3_column_double(st, 3);
                double ni = sqlite3_column_double(st, 4), a0 = sqlite3_column_double(st, 5);
                double yj = ya - yi, nj = a0 - ni;
                double li2 = log((yi + ya) / (ni + a0 - yi - ya)), lj = log((yj + ya) / (nj + a0 - yj - ya));
                v[n] = (dterm){strdup((const char *)sqlite3_column_text(st, 0)), sqlite3_column_int64(st, 1),
                               sqlite3_column_int64(st, 2), (li2 - lj) / sqrt(1.0 / (yi + ya) + 1.0 / (yj + ya))};
                n++;
            }
            sqlite3_finalize(st);
            cr_assert_gt(n, 20u);
            qsort(v, n, sizeof *v, cmp_dt);
            json_t *dt = json_object_get(src, "distinctive_terms");
            size_t want = n < limit ? n : limit;
            short_lists += n < limit;
            cr_assert_eq(json_array_size(dt), want, "%zu terms for %zu", json_array_size(dt), want);
            for (size_t k = 0; k < want; k++) {
                json_t *o = json_array_get(dt, k);
                cr_expect_str_eq(json_string_value(json_object_get(o, "term")), v[k].term, "rank %zu", k + 1);
                cr_expect_eq(json_integer_value(json_object_get(o, "count")), v[k].count);
                cr_expect_eq(json_integer_value(json_object_get(o, "df")), v[k].df);
                cr_expect_float_eq(json_real_value(json_object_get(o, "z")), round(v[k].z * 1000.0) / 1000.0, 1e-9);
            }
            for (size_t k = 0; k < n; k++)
                free(v[k].term);
            free(v);
        }
        if (li == 1)
            cr_expect_gt(short_lists, 0u, "no outlet with fewer terms than the limit");
        json_decref(rep);
    }
    sqlite3_close(h);
    free(db);
    dwt_rmtree(tmp);
    free(tmp);
}

Test(report, html_structure_and_determinism, .timeout = 120)
{
    if (access("/usr/bin/python3", X_OK) != 0)
        cr_skip_test("/usr/bin/python3 not found: HTML structure not checked");
    char *tmp = dwt_tmpdir();
    char *db = sample_db(tmp, 1);
    char a[4096], b[4096];
    snprintf(a, sizeof a, "%s/a.html", tmp);
    snprintf(b, sizeof b, "%s/b.html", tmp);
    cr_assert_eq(DIWAN(NULL, "report", db, "--out", a, "--date", "2026-01-31"), 0);
    cr_assert_eq(DIWAN(NULL, "report", "--date", "2026-01-31", "--format", "html", "--out", b, db), 0);
    size_t na, nb;
    char *ha = dwt_read_file(a, &na), *hb = dwt_read_file(b, &nb);
    cr_assert(na == nb && memcmp(ha, hb, na) == 0, "two runs differ");
    cr_assert(contains(ha, "<html lang=\"en\" dir=\"ltr\">"));
    cr_assert(contains(ha, "2026-01-31"));
    cr_assert(!contains(ha, "<script"));
    cr_assert(!contains(ha, "needs the statistics"));
    /* Arabic isolated: outlet names in dir=auto cells, titles of headings in <bdi> */
    cr_assert(contains(ha, "<td class=\"t\" dir=\"auto\">صحيفة الشرق اليومية</td>"));
    cr_assert(contains(ha, "<h3><bdi>صحيفة الشرق اليومية</bdi></h3>"));
    cr_assert(contains(ha, "Noto Naskh Arabic"));
    char *chk = check_html(tmp, a);
    cr_assert_str_eq(chk, all_sections);
    free(chk);
    /* JSON twice: byte-identical; without --date no date at all */
    char j1[4096], j2[4096];
    snprintf(j1, sizeof j1, "%s/a.json", tmp);
    snprintf(j2, sizeof j2, "%s/b.json", tmp);
    cr_assert_eq(DIWAN(NULL, "report", db, "--out", j1), 0);
    cr_assert_eq(DIWAN(j2, "report", db, "--out", "-", "--format", "json"), 0);
    char *ja = dwt_read_file(j1, &na), *jb = dwt_read_file(j2, &nb);
    cr_assert(na == nb && memcmp(ja, jb, na) == 0, "two JSON runs differ");
    cr_assert(contains(ja, "\"date\": null"));
    free(ha);
    free(hb);
    free(ja);
    free(jb);
    free(db);
    dwt_rmtree(tmp);
    free(tmp);
}

Test(report, without_stats_renders_ingest_sections, .timeout = 120)
{
    char *tmp = dwt_tmpdir();
    char *db = sample_db(tmp, 0);
    json_t *rep = report_json(tmp, db, "5");
    cr_assert(json_is_null(json_object_get(rep, "stats")));
    cr_assert_eq(json_array_size(json_object_get(json_object_get(rep, "report"), "needs_stats")), 7);
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(rep, "overview"), "articles")), 60);
    cr_assert_eq(json_array_size(json_object_get(rep, "clusters")), 5);
    cr_assert(json_is_null(json_object_get(json_array_get(json_object_get(rep, "sources"), 0), "top_terms")));
    /* the growth curve needs no statistics */
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(rep, "heaps"), "types")), 2442);
    char out[4096];
    snprintf(out, sizeof out, "%s/r.html", tmp);
    cr_assert_eq(DIWAN(NULL, "report", db, "--out", out), 0);
    char *html = dwt_read_file(out, NULL);
    cr_assert(contains(html, "This section needs the statistics tables: run <code>diwan stats r.db</code> first."));
    cr_assert(contains(html, "id=\"clusters\""));
    free(html);
    if (access("/usr/bin/python3", X_OK) == 0) {
        char *chk = check_html(tmp, out);
        cr_assert_str_eq(chk, all_sections);
        free(chk);
    }
    json_decref(rep);
    free(db);
    dwt_rmtree(tmp);
    free(tmp);
}

/* statistics counted with --no-cooc: the pair sections say so, in HTML and
 * Markdown, instead of empty tables; the n-gram sections are there */
Test(report, without_pairs_says_so, .timeout = 120)
{
    char *tmp = dwt_tmpdir();
    char *db = sample_db(tmp, 0);
    cr_assert_eq(DIWAN(NULL, "stats", "-q", "--no-cooc", db), 0);
    char html_p[4096], md_p[4096];
    snprintf(html_p, sizeof html_p, "%s/r.html", tmp);
    snprintf(md_p, sizeof md_p, "%s/r.md", tmp);
    cr_assert_eq(DIWAN(NULL, "report", db, "--out", html_p), 0);
    cr_assert_eq(DIWAN(md_p, "report", db, "-o", "-", "--format", "md"), 0);
    char *html = dwt_read_file(html_p, NULL), *md = dwt_read_file(md_p, NULL);
    const char *hn = "Co-occurrences were not counted (<code>diwan stats</code> ran with <code>--no-cooc</code>).";
    const char *mn = "> Co-occurrences were not counted (`diwan stats` ran with `--no-cooc`).";
    cr_assert(contains(html, hn));
    cr_assert(contains(strstr(html, hn) + 1, hn), "both pair sections carry the note");
    cr_assert(contains(md, mn));
    cr_assert(contains(strstr(md, mn) + 1, mn));
    cr_expect(!contains(md, "### By PMI"));
    cr_expect(contains(md, "### Bigrams"));
    free(html);
    free(md);
    free(db);
    dwt_rmtree(tmp);
    free(tmp);
}

Test(report, neighbours_need_a_stored_pair, .timeout = 120)
{
    char *tmp = dwt_tmpdir();
    char *db = sample_db(tmp, 0);
    char html_p[4096], md_p[4096];
    snprintf(html_p, sizeof html_p, "%s/r.html", tmp);
    snprintf(md_p, sizeof md_p, "%s/r.md", tmp);
    /* at --min-count 8 a few words keep a pair: only they are listed,
     * more frequent words without one are skipped */
    cr_assert_eq(DIWAN(NULL, "stats", "-q", "--min-count", "8", db), 0);
    json_t *rep = report_json(tmp, db, "20");
    json_t *nb = json_object_get(json_object_get(rep, "stats"), "neighbours");
    cr_assert_gt(json_array_size(nb), 0);
    cr_assert_lt(json_array_size(nb), 10);
    for (size_t i = 0; i < json_array_size(nb); i++) {
        json_t *na = json_object_get(json_array_get(nb, i), "neighbours");
        cr_assert_gt(json_array_size(na), 0, "a listed word has a neighbour");
        for (size_t j = 0; j < json_array_size(na); j++)
            cr_assert_geq(json_integer_value(json_object_get(json_array_get(na, j), "count")), 8);
    }
    json_decref(rep);
    /* at a --min-count no pair reaches, the section says so */
    cr_assert_eq(DIWAN(NULL, "stats", "-q", "--min-count", "1000", db), 0);
    cr_assert_eq(DIWAN(NULL, "report", db, "--out", html_p), 0);
    cr_assert_eq(DIWAN(md_p, "report", db, "-o", "-", "--format", "md"), 0);
    char *html = dwt_read_file(html_p, NULL), *md = dwt_read_file(md_p, NULL);
    cr_assert(contains(html, "<p>No pair was counted at least <code>--min-count</code> (1000) times.</p>"));
    cr_assert(contains(md, "## Neighbours of the most frequent content words\n\n"
                           "No pair was counted at least `--min-count` (1000) times.\n"));
    cr_expect(!contains(md, "| word | count | neighbours"));
    free(html);
    free(md);
    free(db);
    dwt_rmtree(tmp);
    free(tmp);
}

Test(report, repeated_lines_of_a_corpus, .timeout = 120)
{
    /* three articles sharing a sign-off (with different spacing), two a
     * byline; the near-duplicate stage off, so every article counts */
    char *tmp = dwt_tmpdir();
    char db[4096], dir[4096], p[4200];
    snprintf(db, sizeof db, "%s/l.db", tmp);
    snprintf(dir, sizeof dir, "%s/pages", tmp);
    cr_assert_eq(mkdir(dir, 0755), 0);
    static const char *const pages[] = {
        "افتتاح مكتبة\nمن مراسلنا في المدينة\nافتتحت المكتبة العامة أبوابها.\nتابعونا على تويتر\n",
        "مهرجان التمور\nمن مراسلنا في المدينة\nبدأ مهرجان التمور السنوي.\n  تابعونا على تويتر \n",
        "مباراة الفريق\nفاز الفريق المحلي بهدفين.\nتابعونا على تويتر\n",
    };
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s/%d.txt", dir, i);
        FILE *f = fopen(p, "w");
        cr_assert_not_null(f);
        fputs(pages[i], f);
        fclose(f);
    }
    cr_assert_eq(DIWAN(NULL, "ingest", "-q", "--no-near-dup", db, dir), 0);
    json_t *rep = report_json(tmp, db, "20");
    json_t *rl = json_object_get(rep, "repeated_lines"), *ls = json_object_get(rl, "lines");
    cr_assert_eq(json_integer_value(json_object_get(rl, "articles")), 3);
    cr_assert_eq(json_array_size(ls), 2);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(ls, 0), "line")), "تابعونا على تويتر");
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(ls, 0), "articles")), 3);
    cr_assert_float_eq(json_real_value(json_object_get(json_array_get(ls, 0), "share")), 1.0, 1e-9);
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(ls, 0), "outlets")), 1);
    cr_assert(json_is_null(json_object_get(json_array_get(ls, 0), "top_outlet")), "no outlet named: null");
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(ls, 0), "top_outlet_articles")), 3);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(ls, 1), "line")), "من مراسلنا في المدينة");
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(ls, 1), "articles")), 2);
    json_decref(rep);
    char html_p[4096];
    snprintf(html_p, sizeof html_p, "%s/r.html", tmp);
    cr_assert_eq(DIWAN(NULL, "report", db, "--out", html_p), 0);
    char *html = dwt_read_file(html_p, NULL);
    cr_assert(contains(html, "<td class=\"t\" dir=\"auto\">تابعونا على تويتر</td><td class=\"n\" dir=\"ltr\">3</td>"));
    cr_assert(contains(html, "<td class=\"t\" dir=\"auto\">(unknown outlet) <span dir=\"ltr\">(3)</span></td>"));
    free(html);
    dwt_rmtree(tmp);
    free(tmp);
}

Test(report, no_article_at_all, .timeout = 120)
{
    /* a database whose only input was quarantined (empty), counted too */
    char *tmp = dwt_tmpdir();
    char db[4096], in[4096], out[4096];
    snprintf(db, sizeof db, "%s/e.db", tmp);
    snprintf(in, sizeof in, "%s/empty.txt", tmp);
    FILE *f = fopen(in, "w");
    cr_assert_not_null(f);
    fclose(f);
    cr_assert_eq(DIWAN(NULL, "ingest", "-q", db, in), 0);
    cr_assert_eq(DIWAN(NULL, "stats", db), 0);
    json_t *rep = report_json(tmp, db, "20");
    json_t *ov = json_object_get(rep, "overview");
    cr_assert_eq(json_integer_value(json_object_get(ov, "articles")), 0);
    cr_assert_eq(json_integer_value(json_object_get(ov, "quarantined")), 1);
    cr_assert_float_eq(json_real_value(json_object_get(ov, "exact_duplicate_rate")), 0.0, 1e-12);
    cr_assert_eq(json_array_size(json_object_get(rep, "sources")), 0);
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(rep, "heaps"), "tokens")), 0);
    cr_assert(json_is_null(json_object_get(json_object_get(json_object_get(json_object_get(rep, "stats"), "zipf"),
                                                           "fit"),
                                           "exponent")));
    snprintf(out, sizeof out, "%s/e.html", tmp);
    cr_assert_eq(DIWAN(NULL, "report", db, "--out", out), 0);
    snprintf(out, sizeof out, "%s/e.md", tmp);
    cr_assert_eq(DIWAN(NULL, "report", db, "--out", out), 0);
    if (access("/usr/bin/python3", X_OK) == 0) {
        snprintf(out, sizeof out, "%s/e.html", tmp);
        char *chk = check_html(tmp, out);
        cr_assert_str_eq(chk, all_sections);
        free(chk);
    }
    json_decref(rep);
    dwt_rmtree(tmp);
    free(tmp);
}

Test(report, markdown_with_svg_files, .timeout = 120)
{
    char *tmp = dwt_tmpdir();
    char *db = sample_db(tmp, 1);
    char out[4096];
    snprintf(out, sizeof out, "%s/report.md", tmp);
    cr_assert_eq(DIWAN(NULL, "report", db, "--out", out, "--limit", "3"), 0);
    char *md = dwt_read_file(out, NULL);
    cr_assert_not_null(md);
    static const char *const plots[] = {"months", "lengths-tokens", "lengths-chars", "zipf", "heaps"};
    for (size_t i = 0; i < 5; i++) {
        char link[128], path[4096];
        snprintf(link, sizeof link, "](report-files/%s.svg)", plots[i]);
        cr_assert(contains(md, link), "no link %s", link);
        snprintf(path, sizeof path, "%s/report-files/%s.svg", tmp, plots[i]);
        size_t n;
        char *svg = dwt_read_file(path, &n);
        cr_assert_not_null(svg, "%s missing", path);
        cr_assert(n > 500 && strncmp(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\"", 39) == 0);
        cr_assert_str_eq(svg + n - 7, "</svg>\n");
        free(svg);
    }
    cr_assert(contains(md, "| figure | value |\n|---|--:|\n| `files` | 47 |\n"));
    cr_assert(contains(md, "| `near_duplicate_rate` | 8.3% |\n"));
    /* a pipe table row per top word, with the counts of `diwan top` */
    cr_assert(contains(md, "### Words\n\n| # | term | count | df |\n|--:|---|--:|--:|\n| 1 | في | "));
    cr_assert(contains(md, "## Largest duplicate clusters\n"));
    free(md);
    free(db);
    dwt_rmtree(tmp);
    free(tmp);
}

/* Big-endian 32-bit integer at p. */
static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

Test(report, renders_in_chromium, .timeout = 180)
{
    if (access("/usr/bin/chromium", X_OK) != 0 && access("/usr/bin/chromium-browser", X_OK) != 0)
        cr_skip_test("chromium not found: the report was not rendered (apt-get install chromium)");
    char *tmp = dwt_tmpdir();
    char *db = sample_db(tmp, 1);
    char html[4096], png[4096], script[4096];
    snprintf(html, sizeof html, "%s/report.html", tmp);
    snprintf(png, sizeof png, "%s/report.png", tmp);
    snprintf(script, sizeof script, "%s/scripts/render-report", dwt_root());
    cr_assert_eq(DIWAN(NULL, "report", db, "--out", html), 0);
    cr_assert_eq(run(NULL, (const char *const[]){script, html, png, "1200", "3000", NULL}), 0);
    size_t n;
    unsigned char *p = (unsigned char *)dwt_read_file(png, &n);
    cr_assert_not_null(p, "no PNG written");
    cr_assert(n > 24 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0 && memcmp(p + 12, "IHDR", 4) == 0, "not a PNG");
    cr_assert_eq(be32(p + 16), 1200);
    cr_assert_eq(be32(p + 20), 3000);
    /* a blank 1200x3000 page compresses to a few KB; tables, text and charts do not */
    cr_assert(n > 100000, "PNG of %zu bytes: blank page?", n);
    free(p);
    free(db);
    dwt_rmtree(tmp);
    free(tmp);
}

Test(report, escaping)
{
    dw_buf b = DW_BUF_INIT;
    const char s[] = "a<b>&\"c'\x01\tمن\n";
    cr_assert_eq(dw_report_esc_html(&b, s, sizeof s - 1), 0);
    cr_assert_str_eq(dw_buf_str(&b), "a&lt;b&gt;&amp;&quot;c&#39;\xEF\xBF\xBD\tمن\n");
    dw_buf_reset(&b);
    cr_assert_eq(dw_report_esc_md(&b, "a|b*c_[x](y) <i> & `z`\nمن"), 0);
    cr_assert_str_eq(dw_buf_str(&b), "a\\|b\\*c\\_\\[x\\](y) \\<i\\> &amp; \\`z\\` من");
    dw_buf_free(&b);
}

Test(report, svg_labels_fit)
{
    dw_buf b = DW_BUF_INIT;
    /* a legend name longer than its column: cut with an ellipsis, whole in
     * the tooltip */
    const char *name = "موسوعة نضرة النعيم في مكارم الأخلاق والآداب";
    json_t *time = json_pack("{s:[s], s:[{s:s, s:[i], s:i}]}", "months", "2024-01", "series", "source", name, "counts",
                             3, "articles", 3);
    cr_assert_eq(rp_svg_months(&b, time), 0);
    char title[512], cut[512];
    snprintf(title, sizeof title, "<title>%s</title>", name);
    snprintf(cut, sizeof cut, "%s</title>موسوعة نضرة النعيم في مكارم الأ… (3)</text>", name);
    cr_assert(contains(dw_buf_str(&b), title), "%s", dw_buf_str(&b));
    cr_assert(contains(dw_buf_str(&b), cut), "%s", dw_buf_str(&b));
    json_decref(time);
    /* a histogram of 30 bins: the last, open bin's label ends at the plot's
     * edge and the labels before it keep their distance */
    json_t *bins = json_array();
    for (int i = 0; i < 30; i++)
        json_array_append_new(bins, i < 29 ? json_pack("{s:i, s:i, s:i}", "from", i * 500, "to", (i + 1) * 500,
                                                       "articles", i + 1)
                                           : json_pack("{s:i, s:n, s:i}", "from", i * 500, "to", "articles", 2));
    json_t *len = json_pack("{s:o}", "bins", bins);
    dw_buf_reset(&b);
    cr_assert_eq(rp_svg_hist(&b, len, "characters"), 0);
    const char *svg = dw_buf_str(&b);
    cr_assert(contains(svg, "text-anchor=\"end\" fill=\"#444444\">≥14500</text>"), "%s", svg);
    cr_assert(contains(svg, ">10000</text>"));
    cr_assert(!contains(svg, ">12000</text>") && !contains(svg, ">14000</text>"), "%s", svg);
    json_decref(len);
    dw_buf_free(&b);
}

/* Feeds the synthetic corpus of repeated_lines to pass 1 or 2. */
static void feed_lines(dw_report_lines *l, int pass)
{
    char long_line[260];
    memset(long_line, 'x', sizeof long_line - 1);
    long_line[sizeof long_line - 1] = '\0';
    for (int i = 0; i < 1000; i++) {
        char body[1024];
        snprintf(body, sizeof body, "خبر رقم %d في الصفحة\n  تابعونا على الشبكات  \r\n%s%s%s\n   \n%s",
                 i, i % 10 < 3 ? "حقوق النشر محفوظة\n" : "", i % 20 == 0 ? "اعلان: اشترك الآن\nاعلان: اشترك الآن\n" : "",
                 i % 2 ? long_line : "", i % 20 == 0 ? "تابعونا على الشبكات" : "");
        /* outlets: 7 for articles i % 3 == 0, 9 for the others */
        int r = pass == 1 ? dw_report_lines_add(l, body, strlen(body))
                          : dw_report_lines_recount(l, body, strlen(body), i % 3 == 0 ? 7 : 9);
        cr_assert_eq(r, 0);
    }
}

Test(report, repeated_lines)
{
    /* a line in every article (with blanks around it, and twice in some),
     * one in 300, one in 50 (twice in each), a long line in 500 (ignored)
     * and one unique line per article; 64 counters */
    dw_report_lines *l = dw_report_lines_new(64);
    cr_assert_not_null(l);
    feed_lines(l, 1);
    cr_assert_eq(dw_report_lines_articles(l), 1000);
    cr_assert_eq(dw_report_lines_candidates(l, 100) > 0, 1);
    feed_lines(l, 2);
    dw_report_line top[10];
    size_t k = dw_report_lines_top(l, 2, top, 10);
    cr_assert_eq(k, 3, "only the repeated lines: %zu", k);
    cr_assert_str_eq(top[0].text, "تابعونا على الشبكات");
    cr_assert_eq(top[0].articles, 1000);
    cr_assert_eq(top[0].outlets, 2);
    cr_assert_eq(top[0].top_outlet, 9);
    cr_assert_eq(top[0].top_articles, 666);
    cr_assert_str_eq(top[1].text, "حقوق النشر محفوظة");
    cr_assert_eq(top[1].articles, 300);
    cr_assert_eq(top[1].outlets, 2);
    cr_assert_eq(top[1].top_outlet, 9);
    cr_assert_eq(top[1].top_articles, 200);
    cr_assert_str_eq(top[2].text, "اعلان: اشترك الآن");
    cr_assert_eq(top[2].articles, 50, "counted once per article");
    cr_assert_eq(dw_report_lines_top(l, 60, top, 10), 2, "min_articles");
    dw_report_lines_free(l);
    /* 4 counters: the line in every article is still found (it holds more
     * than a fifth of the distinct lines), counted exactly */
    l = dw_report_lines_new(4);
    feed_lines(l, 1);
    dw_report_lines_candidates(l, 4);
    feed_lines(l, 2);
    k = dw_report_lines_top(l, 2, top, 10);
    cr_assert_geq(k, 1);
    cr_assert_str_eq(top[0].text, "تابعونا على الشبكات");
    cr_assert_eq(top[0].articles, 1000);
    dw_report_lines_free(l);
    dw_report_lines_free(NULL);
    /* one article of 200,000 distinct short lines (a scan per line was
     * quadratic): each counted once, none repeated */
    dw_buf big = DW_BUF_INIT;
    for (int i = 0; i < 200000; i++)
        cr_assert_eq(dw_buf_printf(&big, "سطر %d\n", i), 0);
    l = dw_report_lines_new(0);
    cr_assert_eq(dw_report_lines_add(l, big.data, big.len), 0);
    dw_report_lines_candidates(l, 100);
    cr_assert_eq(dw_report_lines_recount(l, big.data, big.len, 0), 0);
    cr_assert_eq(dw_report_lines_top(l, 2, top, 10), 0);
    dw_report_lines_free(l);
    dw_buf_free(&big);
}

Test(report, fits)
{
    /* y = 3 - 1.25 x exactly */
    double x[5] = {0, 1, 2, 3, 4}, y[5];
    for (int i = 0; i < 5; i++)
        y[i] = 3 - 1.25 * x[i];
    double a, b;
    cr_assert_eq(dw_report_fit_line(x, y, 5, &a, &b), 0);
    cr_assert_float_eq(a, 3.0, 1e-12);
    cr_assert_float_eq(b, -1.25, 1e-12);
    cr_assert_eq(dw_report_fit_line(x, y, 1, &a, &b), -1);
    double same[3] = {2, 2, 2};
    cr_assert_eq(dw_report_fit_line(same, y, 3, &a, &b), -1);
}

Test(report, heaps_curve)
{
    dw_report_heaps *h = dw_report_heaps_new(0, 0);
    cr_assert_not_null(h);
    /* "أ" and "ا" are one word once normalized; tokens: a b a c (a = ا) */
    const char t1[] = "أ ب", t2[] = "ا، ج";
    cr_assert_eq(dw_report_heaps_add(h, t1, sizeof t1 - 1), 0);
    cr_assert_eq(dw_report_heaps_add(h, t2, sizeof t2 - 1), 0);
    size_t n;
    int trunc;
    const dw_report_heaps_point *p = dw_report_heaps_points(h, &n, &trunc);
    /* samples at ceil(10^(k/10)) tokens: 1, 2, 3, 4 */
    cr_assert_eq(n, 4);
    cr_assert_eq(trunc, 0);
    const uint64_t want[4][2] = {{1, 1}, {2, 2}, {3, 2}, {4, 3}};
    for (size_t i = 0; i < 4; i++) {
        cr_assert_eq(p[i].tokens, want[i][0]);
        cr_assert_eq(p[i].types, want[i][1]);
    }
    dw_report_heaps_free(h);
    /* the cap stops the curve */
    h = dw_report_heaps_new(2, 0);
    const char t3[] = "x y x z w";
    cr_assert_eq(dw_report_heaps_add(h, t3, sizeof t3 - 1), 1);
    p = dw_report_heaps_points(h, &n, &trunc);
    cr_assert_eq(trunc, 1);
    cr_assert_eq(p[n - 1].tokens, 3);
    cr_assert_eq(p[n - 1].types, 2);
    dw_report_heaps_free(h);
    /* many tokens: points are log-spaced, 10 per decade */
    h = dw_report_heaps_new(0, 0);
    dw_buf big = DW_BUF_INIT;
    for (int i = 0; i < 10000; i++)
        dw_buf_printf(&big, "w%d ", i % 1000);
    cr_assert_eq(dw_report_heaps_add(h, big.data, big.len), 0);
    p = dw_report_heaps_points(h, &n, &trunc);
    cr_assert_eq(p[n - 1].tokens, 10000);
    cr_assert_eq(p[n - 1].types, 1000);
    cr_assert(n >= 35 && n <= 45, "%zu points", n);
    dw_buf_free(&big);
    dw_report_heaps_free(h);
    dw_report_heaps_free(NULL);
}

/* The report reads the bodies once for the Heaps curve and the first pass
 * of the repeated lines: a Heaps tracker that fills up stops taking bodies
 * where it would reading alone (the articles it took, counted here by
 * feeding a tracker of the same cap the same query), and the repeated lines
 * are those of a report whose tracker never fills */
Test(report, full_heaps_tracker_leaves_repeated_lines, .timeout = 120)
{
    /* the sample corpus and six pages sharing a sign-off */
    char *tmp = dwt_tmpdir();
    char dbp[4096], dir[4096], pages[4096], p[4200];
    snprintf(dbp, sizeof dbp, "%s/h.db", tmp);
    snprintf(dir, sizeof dir, "%s/pages", tmp);
    snprintf(pages, sizeof pages, "%s/sample/pages", dwt_root());
    cr_assert_eq(mkdir(dir, 0755), 0);
    static const char *const towns[] = {"النخيلة", "وادي السدر", "مرسى الريح", "تل الورد", "عين الصفا", "جبل الكحل"};
    for (int i = 0; i < 6; i++) {
        snprintf(p, sizeof p, "%s/%d.txt", dir, i);
        FILE *f = fopen(p, "w");
        cr_assert_not_null(f);
        fprintf(f, "خبر من %s\nافتتحت بلدية %s سوقا جديدة للخضار في اليوم %d من الشهر.\nتابعونا على تويتر\n",
                towns[i], towns[i], i + 1);
        fclose(f);
    }
    cr_assert_eq(DIWAN(NULL, "ingest", "-q", dbp, pages, dir), 0);
    cr_assert_eq(DIWAN(NULL, "stats", "-q", dbp), 0);
    dw_db *db = NULL;
    dw_err e = {{0}};
    cr_assert_eq(dw_db_open(&db, dbp, DW_DB_READONLY, 0, &e), DW_OK, "%s", e.msg);
    json_t *m[2];
    for (int i = 0; i < 2; i++) {
        dw_report_opts o;
        dw_report_opts_init(&o);
        o.heaps_max_types = i ? 300 : 0;
        cr_assert_eq(dw_report_collect(db, &o, &m[i], &e), DW_OK, "%s", e.msg);
    }
    json_t *h0 = json_object_get(m[0], "heaps"), *h1 = json_object_get(m[1], "heaps");
    cr_expect(!json_is_true(json_object_get(h0, "truncated")));
    cr_expect(json_is_true(json_object_get(h1, "truncated")));
    /* the articles a tracker of 300 types takes, fed alone */
    dw_report_heaps *h = dw_report_heaps_new(300, db->norm_flags);
    sqlite3_stmt *st;
    cr_assert_eq(sqlite3_prepare_v2(db->h, "SELECT body FROM articles WHERE cluster_join IS NULL"
                                           " OR cluster_join <> 'near' ORDER BY content_hash", -1, &st, NULL), SQLITE_OK);
    long long took = 0;
    while (sqlite3_step(st) == SQLITE_ROW &&
           dw_report_heaps_add(h, (const char *)sqlite3_column_text(st, 0), (size_t)sqlite3_column_bytes(st, 0)) == 0)
        took++;
    sqlite3_finalize(st);
    dw_report_heaps_free(h);
    cr_expect_eq(json_integer_value(json_object_get(h1, "articles")), took);
    cr_expect_lt(took, json_integer_value(json_object_get(h0, "articles")));
    char *l0 = json_dumps(json_object_get(m[0], "repeated_lines"), JSON_SORT_KEYS);
    char *l1 = json_dumps(json_object_get(m[1], "repeated_lines"), JSON_SORT_KEYS);
    cr_expect_str_eq(l1, l0);
    json_t *first = json_array_get(json_object_get(json_object_get(m[0], "repeated_lines"), "lines"), 0);
    cr_expect_str_eq(json_string_value(json_object_get(first, "line")), "تابعونا على تويتر");
    cr_expect_eq(json_integer_value(json_object_get(first, "articles")), 6);
    free(l0);
    free(l1);
    json_decref(m[0]);
    json_decref(m[1]);
    dw_db_close(db);
    dwt_rmtree(tmp);
    free(tmp);
}
