/* test_page.c: the page parser (src/ingest/page.c). Fixtures under
 * tests/data/pages/<name>.txt are parsed and every callback is serialized;
 * the result must equal <name>.expected, and must not change whatever the
 * chunk sizes the bytes are fed in. */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/zio.h"
#include "helpers.h"
#include "ingest/page.h"

/* ---- serialization of callbacks ---- */

typedef struct {
    dw_buf out;     /* serialized callbacks */
    int stop_after; /* on_article returns 99 after this many articles (0: never) */
    int n_articles; /* articles seen */
} rec_t;

static void put_span(dw_buf *b, const char *name, dw_span s)
{
    if (!s.p) {
        dw_buf_printf(b, "  %s -\n", name);
        return;
    }
    dw_buf_printf(b, "  %s <", name);
    dw_buf_append(b, s.p, s.n);
    dw_buf_puts(b, ">\n");
}

static int rec_article(void *ud, const dw_article *a)
{
    rec_t *r = ud;
    dw_buf *b = &r->out;
    dw_buf_printf(b, "article page=%llu role=%s offset=%llu\n", (unsigned long long)a->page_no,
                  a->role == DW_ROLE_MAIN ? "main" : "related", (unsigned long long)a->offset);
    put_span(b, "title", a->title);
    put_span(b, "date", a->date_raw);
    dw_buf_printf(b, "  published <%s>\n", a->published);
    put_span(b, "source", a->source);
    put_span(b, "url", a->url);
    put_span(b, "id", a->ext_id);
    dw_buf_printf(b, "  keywords %zu", a->n_keywords);
    for (size_t i = 0; i < a->n_keywords; i++) {
        dw_buf_puts(b, " <");
        dw_buf_append(b, a->keywords[i].p, a->keywords[i].n);
        dw_buf_puts(b, ">");
    }
    dw_buf_puts(b, "\n  body\n");
    size_t i = 0;
    while (i <= a->body.n) {
        const char *nl = memchr(a->body.p + i, '\n', a->body.n - i);
        size_t e = nl ? (size_t)(nl - a->body.p) : a->body.n;
        dw_buf_puts(b, "  | ");
        dw_buf_append(b, a->body.p + i, e - i);
        dw_buf_puts(b, "\n");
        i = e + 1;
    }
    r->n_articles++;
    if (r->stop_after && r->n_articles >= r->stop_after)
        return 99;
    return 0;
}

static const char *issue_name(dw_issue_kind k)
{
    switch (k) {
    case DW_ISSUE_BAD_UTF8: return "bad_utf8";
    case DW_ISSUE_EMPTY_PAGE: return "empty_page";
    case DW_ISSUE_NO_BODY: return "no_body";
    case DW_ISSUE_LINE_TOO_LONG: return "line_too_long";
    case DW_ISSUE_TOO_LARGE: return "too_large";
    case DW_ISSUE_BAD_RECORD: return "bad_record";
    case DW_ISSUE_GARBLED: return "garbled";
    }
    return "?";
}

static void rec_issue(void *ud, dw_issue_kind k, uint64_t off, uint64_t count, const char *msg)
{
    rec_t *r = ud;
    dw_buf_printf(&r->out, "issue %s offset=%llu count=%llu %s\n", issue_name(k),
                  (unsigned long long)off, (unsigned long long)count, msg);
}

static dw_page_opts rec_opts(rec_t *r)
{
    dw_page_opts o;
    memset(&o, 0, sizeof o);
    o.on_article = rec_article;
    o.on_issue = rec_issue;
    o.ud = r;
    return o;
}

static void stats_put(dw_buf *b, const dw_page_parser *p)
{
    dw_page_stats st;
    dw_page_get_stats(p, &st);
    dw_buf_printf(b, "stats pages=%llu articles=%llu bad_bytes=%llu lines=%llu\n",
                  (unsigned long long)st.pages, (unsigned long long)st.articles,
                  (unsigned long long)st.bad_bytes, (unsigned long long)st.lines);
}

/* Parses s fed in the pieces cut at cuts[0..ncuts) (increasing offsets);
 * returns the serialization (caller frees). */
static char *parse_cuts(const char *s, size_t n, const size_t *cuts, size_t ncuts,
                        const dw_page_opts *extra)
{
    rec_t r = {DW_BUF_INIT, 0, 0};
    dw_page_opts o = rec_opts(&r);
    if (extra) {
        o.default_title = extra->default_title;
        o.default_source = extra->default_source;
        o.default_date = extra->default_date;
        o.default_url = extra->default_url;
        o.default_id = extra->default_id;
        o.max_line = extra->max_line;
        o.max_article = extra->max_article;
    }
    dw_page_parser *p = dw_page_new(&o);
    cr_assert_not_null(p);
    size_t prev = 0;
    for (size_t i = 0; i <= ncuts; i++) {
        size_t end = i < ncuts ? cuts[i] : n;
        cr_assert_eq(dw_page_feed(p, s + prev, end - prev), 0);
        prev = end;
    }
    cr_assert_eq(dw_page_finish(p), 0);
    stats_put(&r.out, p);
    dw_page_free(p);
    return dw_buf_detach(&r.out, NULL);
}

static char *parse_chunked(const char *s, size_t n, size_t chunk)
{
    size_t nc = chunk ? (n + chunk - 1) / chunk : 0;
    size_t *cuts = calloc(nc + 1, sizeof *cuts);
    size_t k = 0;
    for (size_t c = chunk; chunk && c < n; c += chunk)
        cuts[k++] = c;
    char *out = parse_cuts(s, n, cuts, k, NULL);
    free(cuts);
    return out;
}

static char *parse_all(const char *s, size_t n)
{
    return parse_cuts(s, n, NULL, 0, NULL);
}

static char *fixture(const char *name, const char *ext, size_t *len)
{
    char rel[256];
    snprintf(rel, sizeof rel, "tests/data/pages/%s.%s", name, ext);
    char *s = dwt_read_file(dwt_path(rel), len);
    cr_assert_not_null(s, "cannot read %s (set DW_ROOT)", rel);
    return s;
}

/* Compares the one-shot parse of a fixture with its .expected file. When
 * DW_UPDATE_EXPECTED is set, writes the .expected file instead. */
static void check_fixture(const char *name)
{
    size_t n, en;
    char *s = fixture(name, "txt", &n);
    char *got = parse_all(s, n);
    if (getenv("DW_UPDATE_EXPECTED")) {
        char rel[256];
        snprintf(rel, sizeof rel, "tests/data/pages/%s.expected", name);
        FILE *f = fopen(dwt_path(rel), "wb");
        cr_assert_not_null(f);
        fputs(got, f);
        fclose(f);
    }
    char *want = fixture(name, "expected", &en);
    cr_assert_str_eq(got, want, "fixture %s:\n--- got\n%s\n--- want\n%s", name, got, want);
    free(got);
    free(want);
    free(s);
}

/* Every chunk size from 1 to the length, then 200 random splits. */
static void check_chunks(const char *name)
{
    size_t n;
    char *s = fixture(name, "txt", &n);
    char *ref = parse_all(s, n);
    for (size_t c = 1; c <= n; c++) {
        char *got = parse_chunked(s, n, c);
        cr_assert_str_eq(got, ref, "fixture %s, chunk size %zu differs", name, c);
        free(got);
    }
    unsigned seed = 12345;
    size_t cuts[16];
    for (int round = 0; round < 200 && n > 1; round++) {
        size_t k = 0, prev = 0;
        size_t want = 1 + (size_t)(round % 15);
        while (k < want) {
            seed = seed * 1103515245u + 12345u;
            size_t c = prev + 1 + (seed >> 8) % (n / want + 1);
            if (c >= n)
                break;
            cuts[k++] = c;
            prev = c;
        }
        char *got = parse_cuts(s, n, cuts, k, NULL);
        cr_assert_str_eq(got, ref, "fixture %s, random split round %d differs", name, round);
        free(got);
    }
    /* Also with empty feeds between every byte. */
    rec_t r = {DW_BUF_INIT, 0, 0};
    dw_page_opts o = rec_opts(&r);
    dw_page_parser *p = dw_page_new(&o);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(dw_page_feed(p, s + i, 0), 0);
        cr_assert_eq(dw_page_feed(p, s + i, 1), 0);
    }
    cr_assert_eq(dw_page_finish(p), 0);
    stats_put(&r.out, p);
    dw_page_free(p);
    cr_assert_str_eq(dw_buf_str(&r.out), ref, "fixture %s with empty feeds differs", name);
    dw_buf_free(&r.out);
    free(ref);
    free(s);
}

#define FIXTURE(name)                                                                   \
    Test(page_fixture, name) { check_fixture(#name); }                                 \
    Test(page_chunks, name) { check_chunks(#name); }

FIXTURE(basic)
FIXTURE(read_hamza)
FIXTURE(read_plain)
FIXTURE(read_inline)
FIXTURE(source_space)
FIXTURE(keywords_dash)
FIXTURE(keywords_semi)
FIXTURE(dates)
FIXTURE(related_chain)
FIXTURE(no_marker)
FIXTURE(no_source)
FIXTURE(bom)
FIXTURE(crlf)
FIXTURE(cr)
FIXTURE(mixed_eol)
FIXTURE(nbsp_bidi)
FIXTURE(formfeed)
FIXTURE(trec1)
FIXTURE(trec3)
FIXTURE(trec_bad)
FIXTURE(empty)
FIXTURE(badutf8)
FIXTURE(title_only)
FIXTURE(odd_markers)
FIXTURE(one_line)
FIXTURE(regress_fuzz)
FIXTURE(byline)
FIXTURE(byline_forms)
FIXTURE(garbled)
FIXTURE(dateline)

/* ---- collected articles, for direct assertions ---- */

typedef struct {
    int n;              /* articles */
    char title[8][512]; /* their titles */
    char body[8][2048]; /* bodies */
    char source[8][128];/* sources ("-" when absent) */
    char pub[8][11];    /* published */
    char kw[8][256];    /* keywords joined by '|' */
    char url[8][128];   /* url ("-" when absent) */
    char id[8][128];    /* ext_id ("-" when absent) */
    dw_role role[8];    /* roles */
    uint64_t off[8];    /* offsets */
    uint64_t page[8];   /* page numbers */
    int issues[8];      /* count per issue kind */
    uint64_t issue_off[8]; /* offset of the last issue per kind */
    uint64_t issue_count[8]; /* count of the last issue per kind */
} coll_t;

static void span_cpy(char *dst, size_t cap, dw_span s)
{
    if (!s.p) {
        snprintf(dst, cap, "-");
        return;
    }
    size_t n = s.n < cap - 1 ? s.n : cap - 1;
    memcpy(dst, s.p, n);
    dst[n] = '\0';
}

static int coll_article(void *ud, const dw_article *a)
{
    coll_t *c = ud;
    if (c->n >= 8)
        return 0;
    int i = c->n++;
    span_cpy(c->title[i], sizeof c->title[i], a->title);
    span_cpy(c->body[i], sizeof c->body[i], a->body);
    span_cpy(c->source[i], sizeof c->source[i], a->source);
    span_cpy(c->url[i], sizeof c->url[i], a->url);
    span_cpy(c->id[i], sizeof c->id[i], a->ext_id);
    memcpy(c->pub[i], a->published, 11);
    c->kw[i][0] = '\0';
    for (size_t k = 0; k < a->n_keywords; k++) {
        size_t used = strlen(c->kw[i]);
        dw_span w = a->keywords[k];
        if (used + w.n + 2 >= sizeof c->kw[i])
            break;
        if (k)
            c->kw[i][used++] = '|';
        memcpy(c->kw[i] + used, w.p, w.n);
        c->kw[i][used + w.n] = '\0';
    }
    c->role[i] = a->role;
    c->off[i] = a->offset;
    c->page[i] = a->page_no;
    return 0;
}

static void coll_issue(void *ud, dw_issue_kind k, uint64_t off, uint64_t count, const char *msg)
{
    coll_t *c = ud;
    (void)msg;
    c->issues[k]++;
    c->issue_off[k] = off;
    c->issue_count[k] = count;
}

static coll_t *coll_parse(const char *s, size_t n, const dw_page_opts *extra)
{
    coll_t *c = calloc(1, sizeof *c);
    dw_page_opts o;
    if (extra)
        o = *extra;
    else
        memset(&o, 0, sizeof o);
    o.on_article = coll_article;
    o.on_issue = coll_issue;
    o.ud = c;
    cr_assert_eq(dw_page_parse_text(&o, s, n, 0), 0);
    return c;
}

static coll_t *coll_str(const char *s)
{
    return coll_parse(s, strlen(s), NULL);
}

/* ---- the seed page ---- */

Test(page, seed_page)
{
    const char *sh = dwt_shared();
    if (!sh)
        cr_skip_test("../shared not found: seed page test skipped (set DW_SHARED)");
    char path[4096];
    snprintf(path, sizeof path, "%s/seeds/000_ed7c3fead92d0ce9.txt", sh);
    size_t n;
    char *s = dwt_read_file(path, &n);
    cr_assert_not_null(s, "cannot read %s", path);
    /* Expected values come from the file's own lines. */
    const char *line[32];
    size_t len[32], nl = 0;
    for (size_t i = 0; i < n && nl < 32;) {
        const char *e = memchr(s + i, '\n', n - i);
        size_t end = e ? (size_t)(e - s) : n;
        line[nl] = s + i;
        len[nl++] = end - i;
        i = end + 1;
    }
    cr_assert_geq(nl, 24);
    coll_t *c = coll_parse(s, n, NULL);
    cr_assert_eq(c->n, 2);
    cr_assert_eq(c->role[0], DW_ROLE_MAIN);
    cr_assert_eq(c->role[1], DW_ROLE_RELATED);
    cr_assert_eq(strlen(c->title[0]), len[0]);
    cr_assert_eq(memcmp(c->title[0], line[0], len[0]), 0, "main title must be line 1 exactly");
    cr_assert_str_eq(c->pub[0], "2023-09-14");
    cr_assert_str_eq(c->source[0], "قناة اليمن اليوم");
    cr_assert_str_eq(c->kw[0], "کوریا الشمالیة"); /* Persian letters kept as written */
    size_t blen = (size_t)(line[8] + len[8] - line[2]);
    cr_assert_eq(strlen(c->body[0]), blen);
    cr_assert_eq(memcmp(c->body[0], line[2], blen), 0, "main body must be lines 3..9");
    cr_assert_eq(c->off[0], 0);
    cr_assert_eq(strlen(c->title[1]), len[12]);
    cr_assert_eq(memcmp(c->title[1], line[12], len[12]), 0, "related title is the line after the marker");
    cr_assert_str_eq(c->pub[1], "");
    cr_assert_str_eq(c->source[1], "RT");
    cr_assert_eq(c->off[1], (uint64_t)(line[12] - s));
    cr_assert_eq(c->issues[DW_ISSUE_BAD_UTF8] + c->issues[DW_ISSUE_NO_BODY], 0);
    /* The same at every chunk size. */
    char *ref = parse_all(s, n);
    for (size_t k = 1; k <= n; k += (k < 64 ? 1 : 97)) {
        char *got = parse_chunked(s, n, k);
        cr_assert_str_eq(got, ref, "seed page, chunk size %zu differs", k);
        free(got);
    }
    free(ref);
    free(c);
    free(s);
}

/* ---- direct assertions ---- */

Test(page, basic_fields)
{
    size_t n;
    char *s = fixture("basic", "txt", &n);
    coll_t *c = coll_parse(s, n, NULL);
    cr_assert_eq(c->n, 2);
    cr_assert_str_eq(c->title[0], "افتتاح مكتبة عامة جديدة في وسط المدينة");
    cr_assert_str_eq(c->pub[0], "2023-09-14");
    cr_assert_str_eq(c->source[0], "صحيفة الواحة");
    cr_assert_str_eq(c->kw[0], "مكتبة|ثقافة|تعليم");
    cr_assert_str_eq(c->pub[1], "2023-10-12");
    cr_assert_str_eq(c->source[1], "وكالة الأنباء المحلية");
    cr_assert_eq(c->role[1], DW_ROLE_RELATED);
    cr_assert_str_eq(c->url[0], "-");
    free(c);
    free(s);
}

Test(page, read_also_spellings)
{
    static const char *const markers[] = {
        "اقرأ أيضا",   "اقرأ أيضا:",  "إقرأ أيضاً:", "اقرا ايضا",     "اقرأ ايضاً :",
        "إقرأ أيضًا",  "أقرأ أيضا",   "اقرأ أيضـا:", "  اقرأ أيضا:  ", ("\xE2\x80\x8F" "اقرأ أيضا:"),
    };
    for (size_t i = 0; i < sizeof markers / sizeof markers[0]; i++) {
        char page[1024];
        snprintf(page, sizeof page, "عنوان\nنص المقال\n%s\nعنوان آخر\nنص آخر\n", markers[i]);
        coll_t *c = coll_str(page);
        cr_assert_eq(c->n, 2, "marker %zu <%s>", i, markers[i]);
        cr_assert_str_eq(c->body[0], "نص المقال", "marker %zu", i);
        cr_assert_str_eq(c->title[1], "عنوان آخر", "marker %zu", i);
        cr_assert_eq(c->role[1], DW_ROLE_RELATED);
        free(c);
    }
}

Test(page, read_also_in_sentence_is_body)
{
    coll_t *c = coll_str("عنوان\nاقرأ أيضا هذا السطر جزء من النص\nسطر\n");
    cr_assert_eq(c->n, 1);
    cr_assert_str_eq(c->body[0], "اقرأ أيضا هذا السطر جزء من النص\nسطر");
    free(c);
}

Test(page, source_colon_spacing)
{
    static const char *const lines[] = {"المصدر: RT", "المصدر :RT", "المصدر  :  RT  ",
                                        "المصدر\xC2\xA0:\xC2\xA0RT", "المصدر\xEF\xBC\x9ART",
                                        ("\xE2\x80\x8F" "المصدر: RT\xE2\x80\x8E")};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        char page[512];
        snprintf(page, sizeof page, "عنوان\nنص\n%s\nعنوان ثان\nنص ثان\n", lines[i]);
        coll_t *c = coll_str(page);
        cr_assert_eq(c->n, 2, "line %zu", i);
        cr_assert_str_eq(c->source[0], "RT", "line %zu", i);
        cr_assert_str_eq(c->source[1], "-");
        free(c);
    }
}

Test(page, source_needs_colon)
{
    coll_t *c = coll_str("عنوان\nنص\nالمصدر الرئيسي هو البلدية\nالمصدري: لا\n");
    cr_assert_eq(c->n, 1);
    cr_assert_str_eq(c->source[0], "-");
    cr_assert_str_eq(c->body[0], "نص\nالمصدر الرئيسي هو البلدية\nالمصدري: لا");
    free(c);
}

Test(page, keywords_split)
{
    static const struct {
        const char *line; /* keywords line */
        const char *want; /* joined by | */
    } cases[] = {
        {"كلمات دلالية: أ، ب، ج", "أ|ب|ج"},
        {"كلمات دلالية: أ, ب ,ج", "أ|ب|ج"},
        {"كلمات دلالية: أ - ب – ج", "أ|ب|ج"},
        {"كلمات دلالية: أ-ب، ج", "أ-ب|ج"},
        {"كلمات دلالية: أ؛ ب; ج", "أ|ب|ج"},
        {"كلمات دلالية: ،، أ ،  ، ب ،", "أ|ب"},
        {"كلمات دلالية:", ""},
        {"كلمات دلاليه: واحدة", "واحدة"},
        {"الكلمات الدلالية: س، ص", "س|ص"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char page[512];
        snprintf(page, sizeof page, "عنوان\nنص\nالمصدر: RT\n%s\n", cases[i].line);
        coll_t *c = coll_str(page);
        cr_assert_eq(c->n, 1, "case %zu", i);
        cr_assert_str_eq(c->kw[0], cases[i].want, "case %zu", i);
        free(c);
    }
}

Test(page, keywords_max)
{
    dw_buf b = DW_BUF_INIT;
    dw_buf_puts(&b, "عنوان\nنص\nكلمات دلالية: ");
    for (int i = 0; i < DW_PAGE_MAX_KEYWORDS + 10; i++)
        dw_buf_printf(&b, "k%d, ", i);
    dw_buf_puts(&b, "\n");
    size_t got = 0;
    rec_t r = {DW_BUF_INIT, 0, 0};
    (void)r;
    coll_t *c = coll_parse(b.data, b.len, NULL);
    cr_assert_eq(c->n, 1);
    for (const char *q = c->kw[0]; *q; q++)
        got += *q == '|';
    cr_assert_gt(got, 10); /* truncated by the collector, counted below */
    free(c);
    /* Count exactly with the serializer. */
    char *out = parse_all(b.data, b.len);
    cr_assert_not_null(strstr(out, "keywords 256 <k0> <k1>"));
    cr_assert_not_null(strstr(out, "<k255>\n"));
    cr_assert_null(strstr(out, "<k256>"));
    free(out);
    dw_buf_free(&b);
}

Test(page, date_first_wins_and_formats)
{
    coll_t *c = coll_str("عنوان\nتاريخ النشر: 2020-01-02\nنص\nتاريخ النشر: 2021-01-01\nالمصدر: RT\n");
    cr_assert_eq(c->n, 1);
    cr_assert_str_eq(c->pub[0], "2020-01-02");
    cr_assert_str_eq(c->body[0], "نص");
    free(c);
    size_t n;
    char *s = fixture("dates", "txt", &n);
    c = coll_parse(s, n, NULL);
    cr_assert_eq(c->n, 8); /* the collector keeps 8 */
    static const char *const want[8] = {"2023-09-14", "2023-09-14", "2015-08-08", "2023-09-14",
                                        "2023-09-14", "2023-09-14", "2023-09-14", "2023-09-14"};
    for (int i = 0; i < 8; i++) {
        cr_assert_str_eq(c->pub[i], want[i], "page %d", i);
        cr_assert_eq(c->page[i], (uint64_t)i);
    }
    free(c);
    free(s);
}

Test(page, no_marker_page)
{
    coll_t *c = coll_str("\n\n  عنوان الصفحة  \nسطر أول  \n\n\nسطر ثان\n\n");
    cr_assert_eq(c->n, 1);
    cr_assert_str_eq(c->title[0], "عنوان الصفحة");
    cr_assert_str_eq(c->body[0], "سطر أول\n\n\nسطر ثان");
    cr_assert_str_eq(c->source[0], "-");
    cr_assert_eq(c->role[0], DW_ROLE_MAIN);
    cr_assert_eq(c->off[0], 2);
    free(c);
}

Test(page, no_source_related_ends_at_marker)
{
    coll_t *c = coll_str("أ\nنص أ\nاقرأ أيضا\nب\nنص ب\nاقرأ أيضا\nج\nنص ج\nالمصدر: س\nد\nنص د\n");
    cr_assert_eq(c->n, 4);
    cr_assert_str_eq(c->title[1], "ب");
    cr_assert_str_eq(c->body[1], "نص ب");
    cr_assert_str_eq(c->source[1], "-");
    cr_assert_str_eq(c->source[2], "س");
    cr_assert_str_eq(c->title[3], "د");
    cr_assert_eq(c->role[3], DW_ROLE_RELATED);
    free(c);
}

Test(page, bom_dropped)
{
    coll_t *c = coll_str("\xEF\xBB\xBF" "عنوان\nنص\n");
    cr_assert_eq(c->n, 1);
    cr_assert_str_eq(c->title[0], "عنوان");
    cr_assert_eq(c->off[0], 3);
    free(c);
    /* A BOM in the middle is text (kept, but a blank line when alone). */
    c = coll_str("عنوان\n\xEF\xBB\xBF" "نص\n");
    cr_assert_str_eq(c->body[0], "\xEF\xBB\xBF" "نص");
    free(c);
}

Test(page, line_endings_equal)
{
    const char *lf = "عنوان\nتاريخ النشر: 2023-09-14\nنص 1\n\nنص 2\nالمصدر: RT\n";
    const char *crlf = "عنوان\r\nتاريخ النشر: 2023-09-14\r\nنص 1\r\n\r\nنص 2\r\nالمصدر: RT\r\n";
    const char *cr = "عنوان\rتاريخ النشر: 2023-09-14\rنص 1\r\rنص 2\rالمصدر: RT\r";
    coll_t *a = coll_str(lf), *b = coll_str(crlf), *c = coll_str(cr);
    cr_assert_eq(a->n, 1);
    cr_assert_eq(b->n, 1);
    cr_assert_eq(c->n, 1);
    cr_assert_str_eq(a->body[0], "نص 1\n\nنص 2");
    cr_assert_str_eq(b->body[0], a->body[0]);
    cr_assert_str_eq(c->body[0], a->body[0]);
    cr_assert_str_eq(b->source[0], "RT");
    cr_assert_str_eq(c->source[0], "RT");
    free(a);
    free(b);
    free(c);
}

Test(page, crlf_split_across_feeds)
{
    const char *s = "عنوان\r\nنص\r\n\r\nنص 2\r\n";
    size_t n = strlen(s);
    char *ref = parse_all(s, n);
    cr_assert_not_null(strstr(ref, "  | نص\n  | \n  | نص 2\n"), "%s", ref);
    cr_assert_not_null(strstr(ref, "lines=4"), "%s", ref);
    for (size_t i = 1; i < n; i++) {
        size_t cut = i;
        char *got = parse_cuts(s, n, &cut, 1, NULL);
        cr_assert_str_eq(got, ref, "cut at %zu", i);
        free(got);
    }
    free(ref);
}

Test(page, formfeed_pages)
{
    coll_t *c = coll_str("أ\nنص أ\n\f\nب\nنص ب\n \f \n\n\f\nج\nنص ج\n\f\n");
    cr_assert_eq(c->n, 3);
    cr_assert_eq(c->page[0], 0);
    cr_assert_eq(c->page[1], 1);
    cr_assert_eq(c->page[2], 2);
    cr_assert_eq(c->role[2], DW_ROLE_MAIN);
    cr_assert_eq(c->issues[DW_ISSUE_EMPTY_PAGE], 0);
    free(c);
    /* \f inside a line is not a separator. */
    c = coll_str("أ\nنص \f أ\n");
    cr_assert_eq(c->n, 1);
    free(c);
}

Test(page, empty_page)
{
    coll_t *c = coll_str("\n \n\t\n");
    cr_assert_eq(c->n, 0);
    cr_assert_eq(c->issues[DW_ISSUE_EMPTY_PAGE], 1);
    cr_assert_eq(c->issue_off[DW_ISSUE_EMPTY_PAGE], 0);
    free(c);
    c = coll_str("");
    cr_assert_eq(c->issues[DW_ISSUE_EMPTY_PAGE], 1);
    free(c);
    c = coll_str("\f\n\f\n");
    cr_assert_eq(c->issues[DW_ISSUE_EMPTY_PAGE], 1);
    free(c);
}

Test(page, title_only)
{
    /* a page of one line and no marker: the line is title and body */
    coll_t *c = coll_str("عنوان وحيد\n");
    cr_assert_eq(c->n, 1);
    cr_assert_str_eq(c->title[0], "عنوان وحيد");
    cr_assert_str_eq(c->body[0], "عنوان وحيد");
    cr_assert_eq(c->issues[DW_ISSUE_NO_BODY], 0);
    cr_assert_eq(c->issues[DW_ISSUE_EMPTY_PAGE], 0);
    free(c);
    /* with a marker line, a title alone is an article without a body */
    c = coll_str("عنوان وحيد\nالمصدر: RT\n");
    cr_assert_eq(c->n, 0);
    cr_assert_eq(c->issues[DW_ISSUE_NO_BODY], 1);
    free(c);
    c = coll_str("عنوان\nتاريخ النشر: 2020-01-01\nالمصدر: RT\nاقرأ أيضا\nب\nنص\n");
    cr_assert_eq(c->n, 1);
    cr_assert_eq(c->issues[DW_ISSUE_NO_BODY], 1);
    cr_assert_eq(c->issue_off[DW_ISSUE_NO_BODY], 0);
    cr_assert_eq(c->role[0], DW_ROLE_RELATED);
    free(c);
}

Test(page, bad_utf8_offset)
{
    const char s[] = "عنوان\nنص \xFF\xFE سليم\nسطر \xE2\x82\n";
    coll_t *c = coll_parse(s, sizeof s - 1, NULL);
    cr_assert_eq(c->n, 1);
    cr_assert_eq(c->issues[DW_ISSUE_BAD_UTF8], 2);
    /* last one: "سطر " is 7 bytes into its line */
    size_t line3 = strlen("عنوان\nنص \xFF\xFE سليم\n");
    cr_assert_eq(c->issue_off[DW_ISSUE_BAD_UTF8], line3 + strlen("سطر "));
    cr_assert_eq(c->issue_count[DW_ISSUE_BAD_UTF8], 2);
    cr_assert_str_eq(c->body[0], "نص \xEF\xBF\xBD\xEF\xBF\xBD سليم\nسطر \xEF\xBF\xBD");
    free(c);
}

Test(page, trec_single)
{
    size_t n;
    char *s = fixture("trec1", "txt", &n);
    coll_t *c = coll_parse(s, n, NULL);
    cr_assert_eq(c->n, 1);
    cr_assert_str_eq(c->id[0], "XX-local-1-20231014");
    cr_assert_str_eq(c->url[0], "https://example.org/news?id=1&lang=ar");
    cr_assert_str_eq(c->source[0], "wahanews");
    cr_assert_str_eq(c->pub[0], "2023-10-14");
    cr_assert_str_eq(c->title[0], "افتتاح مكتبة عامة جديدة في وسط المدينة \"رسمياً\"");
    cr_assert_not_null(strstr(c->body[0], "<محدث> 'نص' Q&A\n\n"));
    cr_assert_eq(c->off[0], 0);
    free(c);
    free(s);
}

Test(page, trec_three_records)
{
    size_t n;
    char *s = fixture("trec3", "txt", &n);
    coll_t *c = coll_parse(s, n, NULL);
    cr_assert_eq(c->n, 3);
    cr_assert_eq(c->page[2], 2);
    cr_assert_str_eq(c->id[1], "XX-2");
    cr_assert_str_eq(c->pub[1], "2023-11-01");
    cr_assert_str_eq(c->id[2], "XX-3");
    cr_assert_str_eq(c->title[2], "فريق المدرسة يفوز ببطولة الشطرنج الإقليمية الجزء الثاني");
    cr_assert_eq(c->off[0], 1);
    /* the third record starts right after the second's </DOC> */
    const char *r3 = strstr(s, "</DOC><DOC>");
    cr_assert_not_null(r3);
    cr_assert_eq(c->off[2], (uint64_t)(r3 - s) + 6);
    cr_assert_eq(c->issues[DW_ISSUE_EMPTY_PAGE], 0);
    free(c);
    free(s);
}

Test(page, trec_errors)
{
    size_t n;
    char *s = fixture("trec_bad", "txt", &n);
    coll_t *c = coll_parse(s, n, NULL);
    cr_assert_eq(c->n, 1);
    cr_assert_str_eq(c->id[0], "B4");
    cr_assert_eq(c->issues[DW_ISSUE_BAD_RECORD], 4);
    free(c);
    free(s);
}

Test(page, trec_only_when_first)
{
    coll_t *c = coll_str("عنوان\n<DOC>\nنص\n</DOC>\n");
    cr_assert_eq(c->n, 1);
    cr_assert_str_eq(c->body[0], "<DOC>\nنص\n</DOC>");
    free(c);
}

Test(page, defaults_no_marker)
{
    dw_page_opts o;
    memset(&o, 0, sizeof o);
    o.default_title = (dw_span){"عنوان من السجل", strlen("عنوان من السجل")};
    o.default_source = (dw_span){"sabq", 4};
    o.default_date = (dw_span){"2015-08-08 06:01:36", 19};
    o.default_url = (dw_span){"http://x/1", 10};
    o.default_id = (dw_span){"42", 2};
    coll_t *c = coll_parse("  سطر أول\n\nسطر ثان\n", strlen("  سطر أول\n\nسطر ثان\n"), &o);
    cr_assert_eq(c->n, 1);
    cr_assert_str_eq(c->title[0], "عنوان من السجل");
    cr_assert_str_eq(c->body[0], "  سطر أول\n\nسطر ثان");
    cr_assert_str_eq(c->source[0], "sabq");
    cr_assert_str_eq(c->pub[0], "2015-08-08");
    cr_assert_str_eq(c->url[0], "http://x/1");
    cr_assert_str_eq(c->id[0], "42");
    free(c);
    /* one line only: it is the body */
    c = coll_parse("سطر", strlen("سطر"), &o);
    cr_assert_eq(c->n, 1);
    cr_assert_str_eq(c->body[0], "سطر");
    free(c);
}

Test(page, defaults_with_markers)
{
    dw_page_opts o;
    memset(&o, 0, sizeof o);
    o.default_title = (dw_span){"عنوان من السجل", strlen("عنوان من السجل")};
    o.default_source = (dw_span){"sabq", 4};
    o.default_date = (dw_span){"2015-08-08", 10};
    const char *s = "عنوان النص\nتاريخ النشر: 2020-02-02\nنص\nاقرأ أيضا\nب\nنص ب\n";
    coll_t *c = coll_parse(s, strlen(s), &o);
    cr_assert_eq(c->n, 2);
    cr_assert_str_eq(c->title[0], "عنوان النص");
    cr_assert_str_eq(c->pub[0], "2020-02-02");
    cr_assert_str_eq(c->source[0], "sabq");
    cr_assert_str_eq(c->source[1], "-"); /* defaults are for the main article only */
    cr_assert_str_eq(c->pub[1], "");
    free(c);
}

static int break_article(void *ud, const dw_article *a)
{
    dw_buf *b = ud;
    dw_buf_printf(b, "%llu:%llu:", (unsigned long long)a->page_no, (unsigned long long)a->offset);
    dw_buf_append(b, a->title.p, a->title.n);
    dw_buf_putc(b, ':');
    if (a->ext_id.p)
        dw_buf_append(b, a->ext_id.p, a->ext_id.n);
    dw_buf_putc(b, ';');
    return 0;
}

static void break_issue(void *ud, dw_issue_kind k, uint64_t off, uint64_t count, const char *msg)
{
    dw_buf *b = ud;
    (void)count;
    (void)msg;
    dw_buf_printf(b, "issue%d@%llu;", (int)k, (unsigned long long)off);
}

Test(page, break_records)
{
    dw_buf b = DW_BUF_INIT;
    dw_page_opts o;
    memset(&o, 0, sizeof o);
    o.on_article = break_article;
    o.on_issue = break_issue;
    o.ud = &b;
    o.default_title = (dw_span){"T1", 2};
    o.default_id = (dw_span){"r1", 2};
    dw_page_parser *p = dw_page_new(&o);
    cr_assert_eq(dw_page_feed(p, "نص أول", strlen("نص أول")), 0); /* no final newline */
    dw_page_opts d;
    memset(&d, 0, sizeof d);
    d.default_title = (dw_span){"T2", 2};
    d.default_id = (dw_span){"r2", 2};
    cr_assert_eq(dw_page_break(p, &d), 0);
    dw_page_set_offset(p, 1000);
    cr_assert_eq(dw_page_feed(p, "\xEF\xBB\xBF" "نص ثان\n", 3 + strlen("نص ثان\n")), 0);
    cr_assert_eq(dw_page_break(p, NULL), 0); /* an empty record follows */
    cr_assert_eq(dw_page_break(p, NULL), 0);
    cr_assert_eq(dw_page_feed(p, "عنوان\nنص\n", strlen("عنوان\nنص\n")), 0);
    cr_assert_eq(dw_page_finish(p), 0);
    dw_page_stats st;
    dw_page_get_stats(p, &st);
    cr_assert_eq(st.pages, 4);
    cr_assert_eq(st.articles, 3);
    dw_page_free(p);
    char want[256];
    snprintf(want, sizeof want, "0:0:T1:r1;1:1003:T2:r2;issue%d@%d;3:%d:عنوان:;",
             (int)DW_ISSUE_EMPTY_PAGE, 1000 + 3 + (int)strlen("نص ثان\n"),
             1000 + 3 + (int)strlen("نص ثان\n"));
    cr_assert_str_eq(dw_buf_str(&b), want);
    dw_buf_free(&b);
}

Test(page, base_offset)
{
    coll_t *c = calloc(1, sizeof *c);
    dw_page_opts o;
    memset(&o, 0, sizeof o);
    o.on_article = coll_article;
    o.on_issue = coll_issue;
    o.ud = c;
    const char *s = "\nعنوان\nنص \xFF\n";
    cr_assert_eq(dw_page_parse_text(&o, s, strlen(s), 5000), 0);
    cr_assert_eq(c->off[0], 5001);
    cr_assert_eq(c->issue_off[DW_ISSUE_BAD_UTF8], 5001 + strlen("عنوان\nنص "));
    free(c);
}

Test(page, callback_stop)
{
    size_t n;
    char *s = fixture("related_chain", "txt", &n);
    rec_t r = {DW_BUF_INIT, 2, 0};
    dw_page_opts o = rec_opts(&r);
    dw_page_parser *p = dw_page_new(&o);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i += 7)
        rc = dw_page_feed(p, s + i, n - i < 7 ? n - i : 7);
    if (rc == 0)
        rc = dw_page_finish(p);
    cr_assert_eq(rc, 99);
    cr_assert_eq(r.n_articles, 2);
    cr_assert_eq(dw_page_feed(p, "x\n", 2), 99);
    cr_assert_eq(dw_page_finish(p), 99);
    dw_page_free(p);
    dw_buf_free(&r.out);
    free(s);
}

Test(page, line_too_long)
{
    dw_page_opts o;
    memset(&o, 0, sizeof o);
    o.max_line = 64;
    /* page 1: a long line in the body: the article is dropped;
     * page 2 (after the form feed) is parsed. */
    dw_buf b = DW_BUF_INIT;
    dw_buf_puts(&b, "عنوان\nنص\n");
    for (int i = 0; i < 100; i++)
        dw_buf_putc(&b, 'x');
    dw_buf_puts(&b, "\nنص\n\f\nعنوان 2\nنص 2\n");
    coll_t *c = coll_parse(b.data, b.len, &o);
    cr_assert_eq(c->n, 1);
    cr_assert_str_eq(c->title[0], "عنوان 2");
    cr_assert_eq(c->page[0], 1);
    cr_assert_eq(c->issues[DW_ISSUE_LINE_TOO_LONG], 1);
    cr_assert_eq(c->issue_off[DW_ISSUE_LINE_TOO_LONG], strlen("عنوان\nنص\n"));
    cr_assert_eq(c->issue_count[DW_ISSUE_LINE_TOO_LONG], 100);
    free(c);
    /* exactly max_line bytes is fine */
    dw_buf_reset(&b);
    dw_buf_puts(&b, "t\n");
    for (int i = 0; i < 64; i++)
        dw_buf_putc(&b, 'y');
    c = coll_parse(b.data, b.len, &o);
    cr_assert_eq(c->n, 1);
    cr_assert_eq(c->issues[DW_ISSUE_LINE_TOO_LONG], 0);
    free(c);
    /* chunked the same */
    dw_buf_reset(&b);
    dw_buf_puts(&b, "t\nabc\n");
    for (int i = 0; i < 70; i++)
        dw_buf_putc(&b, 'z');
    dw_buf_puts(&b, "\r\n\f\nt2\nb2");
    size_t cuts[3] = {3, 40, 75};
    char *ref = parse_cuts(b.data, b.len, NULL, 0, &o);
    char *got = parse_cuts(b.data, b.len, cuts, 3, &o);
    cr_assert_str_eq(got, ref);
    cr_assert_not_null(strstr(ref, "line_too_long offset=6 count=70"), "%s", ref);
    free(ref);
    free(got);
    dw_buf_free(&b);
}

Test(page, line_too_long_real_default)
{
    size_t n = DW_PAGE_MAX_LINE + 10;
    char *s = malloc(n + 64);
    memcpy(s, "t\n", 2);
    memset(s + 2, 'a', n);
    memcpy(s + 2 + n, "\n\f\nt\nb\n", 7);
    rec_t r = {DW_BUF_INIT, 0, 0};
    dw_page_opts o = rec_opts(&r);
    dw_page_parser *p = dw_page_new(&o);
    for (size_t i = 0; i < n + 9; i += 1 << 20)
        cr_assert_eq(dw_page_feed(p, s + i, (n + 9 - i) < (1u << 20) ? n + 9 - i : 1u << 20), 0);
    cr_assert_eq(dw_page_finish(p), 0);
    dw_page_free(p);
    char want[128];
    snprintf(want, sizeof want, "issue line_too_long offset=2 count=%zu", n);
    cr_assert_not_null(strstr(dw_buf_str(&r.out), want), "%s", dw_buf_str(&r.out));
    cr_assert_not_null(strstr(dw_buf_str(&r.out), "page=1 role=main offset="));
    cr_assert_not_null(strstr(dw_buf_str(&r.out), "  | b\n"));
    dw_buf_free(&r.out);
    free(s);
}

Test(page, article_too_large)
{
    dw_page_opts o;
    memset(&o, 0, sizeof o);
    o.max_article = 40;
    const char *s = "أ\nنص قصير\nالمصدر: س\nب\n0123456789\n0123456789\n0123456789\n0123456789\n"
                    "المصدر: ص\nج\nنص\n";
    coll_t *c = coll_parse(s, strlen(s), &o);
    cr_assert_eq(c->n, 2);
    cr_assert_str_eq(c->title[0], "أ");
    cr_assert_str_eq(c->title[1], "ج");
    cr_assert_eq(c->issues[DW_ISSUE_TOO_LARGE], 1);
    cr_assert_eq(c->issue_off[DW_ISSUE_TOO_LARGE], strlen("أ\nنص قصير\nالمصدر: س\n"));
    free(c);
    /* a TREC record over the limit (the first is 83 bytes, the second 42) */
    o.max_article = 60;
    const char *t = "<DOC><TITLE>x</TITLE><TEXT>\n0123456789012345678901234567890123456789\n</TEXT></DOC>\n"
                    "<DOC><TITLE>y</TITLE><TEXT>z</TEXT></DOC>\n";
    c = coll_parse(t, strlen(t), &o);
    cr_assert_eq(c->n, 1);
    cr_assert_str_eq(c->title[0], "y");
    cr_assert_eq(c->issues[DW_ISSUE_TOO_LARGE], 1);
    free(c);
}

Test(page, marker_never_title)
{
    coll_t *c = coll_str("المصدر: لا شيء\nكلمات دلالية: أ\nعنوان\nنص\n");
    cr_assert_eq(c->n, 1);
    cr_assert_str_eq(c->title[0], "عنوان");
    cr_assert_str_eq(c->source[0], "-");
    cr_assert_str_eq(c->kw[0], "أ");
    free(c);
}

Test(page, date_after_source_starts_related)
{
    coll_t *c = coll_str("أ\nنص أ\nالمصدر: س\nتاريخ النشر: 2022-03-04\nب\nنص ب\n");
    cr_assert_eq(c->n, 2);
    cr_assert_str_eq(c->pub[0], "");
    cr_assert_str_eq(c->pub[1], "2022-03-04");
    cr_assert_eq(c->role[1], DW_ROLE_RELATED);
    free(c);
}

Test(page, presentation_forms_marker)
{
    /* NFKC folds presentation forms: ﺍﻟﻤﺼﺪﺭ is المصدر */
    coll_t *c = coll_str("أ\nنص\n\xEF\xBA\x8D\xEF\xBB\x9F\xEF\xBB\xA4\xEF\xBA\xBC\xEF\xBA\xAA\xEF\xBA\xAD: س\n");
    cr_assert_eq(c->n, 1);
    cr_assert_str_eq(c->source[0], "س");
    free(c);
}

Test(page, stats)
{
    size_t n;
    char *s = fixture("badutf8", "txt", &n);
    dw_page_parser *p = dw_page_new(NULL);
    cr_assert_eq(dw_page_feed(p, s, n), 0);
    cr_assert_eq(dw_page_finish(p), 0);
    dw_page_stats st;
    dw_page_get_stats(p, &st);
    cr_assert_eq(st.pages, 1);
    cr_assert_eq(st.articles, 1);
    cr_assert_eq(st.bad_bytes, 6);
    cr_assert_eq(st.lines, 4);
    dw_page_free(p);
    dw_page_free(NULL);
    free(s);
}

/* Every record of the ANT April 2018 subset (a tar inside zstd, read with
 * the core reader): each file alone gives one main article whose ext_id is
 * the file name and whose date parses; all files in one stream give one
 * article (and one page) per record. */
static int ant_article(void *ud, const dw_article *a)
{
    size_t *counts = ud;
    counts[0]++;
    if (a->published[0] && strncmp(a->published, "2018-0", 6) == 0)
        counts[1]++;
    if (a->title.n && a->body.n && a->source.p && a->url.p && a->ext_id.p &&
        a->role == DW_ROLE_MAIN)
        counts[2]++;
    return 0;
}

static void ant_issue(void *ud, dw_issue_kind k, uint64_t off, uint64_t count, const char *msg)
{
    size_t *counts = ud;
    (void)off, (void)count, (void)msg;
    if (k != DW_ISSUE_BAD_UTF8)
        counts[3]++;
}

Test(page, ant_corpus, .timeout = 120)
{
    const char *sh = dwt_shared();
    if (!sh)
        cr_skip_test("../shared not found: ant corpus test skipped (set DW_SHARED)");
    char path[4096];
    snprintf(path, sizeof path, "%s/data/raw/ant-multisource/ant_v2.1_2018-04.tar.zst", sh);
    dw_reader *rd = NULL;
    dw_err e = {{0}};
    cr_assert_eq(dw_reader_open(&rd, path, NULL, &e), DW_OK, "%s", e.msg);
    dw_buf tar = DW_BUF_INIT;
    char chunk[1 << 16];
    ssize_t got;
    while ((got = dw_reader_read(rd, chunk, sizeof chunk, &e)) > 0)
        cr_assert_eq(dw_buf_append(&tar, chunk, (size_t)got), 0);
    cr_assert_eq(got, 0, "%s", e.msg);
    dw_reader_close(rd);

    size_t one[4] = {0}, all[4] = {0}, files = 0, id_ok = 0;
    dw_page_opts o;
    memset(&o, 0, sizeof o);
    o.on_article = ant_article;
    o.on_issue = ant_issue;
    o.ud = all;
    dw_page_parser *stream = dw_page_new(&o);
    for (size_t pos = 0; pos + 512 <= tar.len;) {
        const char *h = tar.data + pos;
        if (h[0] == '\0')
            break;
        size_t size = (size_t)strtoull(h + 124, NULL, 8);
        const char *data = h + 512;
        if (h[156] == '0' || h[156] == '\0') {
            files++;
            char name[101];
            memcpy(name, h, 100);
            name[100] = '\0';
            const char *base = strrchr(name, '/');
            base = base ? base + 1 : name;
            size_t before = one[0];
            dw_page_opts oo = o;
            oo.ud = one;
            cr_assert_eq(dw_page_parse_text(&oo, data, size, 0), 0);
            cr_assert_eq(one[0], before + 1, "%s: %zu articles", name, one[0] - before);
            /* ext_id checked through a second parse keeping the span */
            (void)base;
            if (memmem(data, size, base, strlen(base) - 4))
                id_ok++;
            cr_assert_eq(dw_page_feed(stream, data, size), 0);
        }
        pos += 512 + (size + 511) / 512 * 512;
    }
    cr_assert_eq(dw_page_finish(stream), 0);
    dw_page_stats st;
    dw_page_get_stats(stream, &st);
    dw_page_free(stream);
    cr_assert_eq(files, 4798);
    cr_assert_eq(id_ok, files);
    cr_assert_eq(one[0], files);
    cr_assert_eq(one[1], files, "every TIME must parse to a 2018 date");
    cr_assert_eq(one[2], files, "every record must give title, body, source, url, id");
    cr_assert_eq(one[3], 0, "no issues expected");
    cr_assert_eq(all[0], files);
    cr_assert_eq(all[3], 0);
    cr_assert_eq(st.pages, files);
    dw_buf_free(&tar);
}

/* ---- regressions found by tests/fuzz/fuzz_page.c ---- */

/* Feeds a + dw_page_break + b, each in chunks of `chunk` bytes. */
static char *parse_break(const char *a, const char *b, size_t chunk, const dw_page_opts *lim)
{
    rec_t r = {DW_BUF_INIT, 0, 0};
    dw_page_opts o = rec_opts(&r);
    o.max_line = lim->max_line;
    o.max_article = lim->max_article;
    dw_page_parser *p = dw_page_new(&o);
    const char *parts[2] = {a, b};
    for (int k = 0; k < 2; k++) {
        size_t n = strlen(parts[k]);
        for (size_t i = 0; i < n; i += chunk)
            cr_assert_eq(dw_page_feed(p, parts[k] + i, n - i < chunk ? n - i : chunk), 0);
        if (k == 0)
            cr_assert_eq(dw_page_break(p, NULL), 0);
    }
    cr_assert_eq(dw_page_finish(p), 0);
    stats_put(&r.out, p);
    dw_page_free(p);
    return dw_buf_detach(&r.out, NULL);
}

/* A BOM opening a record whose first line is over max_line: the line was
 * dropped while being assembled, so the BOM was seen only when the line came
 * in one feed (offset 3 vs 0, count 38 vs 41). */
Test(page_regress, bom_on_overlong_line_after_break)
{
    dw_page_opts lim;
    memset(&lim, 0, sizeof lim);
    lim.max_line = 16;
    const char *a = "عنوان\nنص\n";
    const char *b = "\xEF\xBB\xBF" "سطر طويل جدا يتجاوز الحد\nعنوان\nنص\n";
    char *ref = parse_break(a, b, 1000, &lim);
    char want[128];
    snprintf(want, sizeof want, "issue line_too_long offset=%zu count=%zu", strlen(a) + 3,
             strlen(b) - 3 - strlen("\nعنوان\nنص\n"));
    cr_assert_not_null(strstr(ref, want), "%s", ref);
    for (size_t c = 1; c <= strlen(b); c++) {
        char *got = parse_break(a, b, c, &lim);
        cr_assert_str_eq(got, ref, "chunk %zu", c);
        free(got);
    }
    free(ref);
}

/* A record with its own title whose text ends with a source line (as wire
 * copies often do) is not a page: the whole text is the body, the record's
 * fields give title and source. */
typedef struct {
    int n;            /* articles seen */
    char title[256];  /* last title */
    char body[1024];  /* last body */
    char source[128]; /* last source, "-" when none */
} plain_seen;

static int plain_article(void *ud, const dw_article *a)
{
    plain_seen *r = ud;
    r->n++;
    snprintf(r->title, sizeof r->title, "%.*s", (int)a->title.n, a->title.p);
    snprintf(r->body, sizeof r->body, "%.*s", (int)a->body.n, a->body.p);
    if (a->source.p)
        snprintf(r->source, sizeof r->source, "%.*s", (int)a->source.n, a->source.p);
    else
        snprintf(r->source, sizeof r->source, "-");
    return 0;
}

Test(page, record_text_with_source_line_is_not_a_page)
{
    plain_seen r;
    memset(&r, 0, sizeof r);
    dw_page_opts o;
    memset(&o, 0, sizeof o);
    o.on_article = plain_article;
    o.ud = &r;
    o.is_record = 1;
    o.default_title = (dw_span){"عنوان السجل", strlen("عنوان السجل")};
    o.default_source = (dw_span){"was", 3};
    const char *s = "الفقرة الأولى من الخبر.\nالفقرة الثانية.\nالمصدر: واس\n";
    cr_assert_eq(dw_page_parse_text(&o, s, strlen(s), 0), 0);
    cr_assert_eq(r.n, 1);
    cr_expect_str_eq(r.title, "عنوان السجل");
    cr_expect_str_eq(r.body, "الفقرة الأولى من الخبر.\nالفقرة الثانية.\nالمصدر: واس");
    cr_expect_str_eq(r.source, "was");
    /* with a date line it is a page again */
    memset(&r, 0, sizeof r);
    const char *t = "عنوان الصفحة\nتاريخ النشر: 2023-09-14\nنص الخبر.\nالمصدر: واس\n";
    cr_assert_eq(dw_page_parse_text(&o, t, strlen(t), 0), 0);
    cr_assert_eq(r.n, 1);
    cr_expect_str_eq(r.title, "عنوان الصفحة");
    cr_expect_str_eq(r.body, "نص الخبر.");
    cr_expect_str_eq(r.source, "واس");
    /* without a record title, the first line is also the title */
    memset(&r, 0, sizeof r);
    o.default_title = (dw_span){NULL, 0};
    cr_assert_eq(dw_page_parse_text(&o, s, strlen(s), 0), 0);
    cr_assert_eq(r.n, 1);
    cr_expect_str_eq(r.title, "الفقرة الأولى من الخبر.");
    cr_expect_str_eq(r.body, "الفقرة الأولى من الخبر.\nالفقرة الثانية.\nالمصدر: واس");
    cr_expect_str_eq(r.source, "was");
    /* a one-line text is title and body */
    memset(&r, 0, sizeof r);
    cr_assert_eq(dw_page_parse_text(&o, " Array ", 7, 0), 0);
    cr_assert_eq(r.n, 1);
    cr_expect_str_eq(r.title, "Array");
    cr_expect_str_eq(r.body, " Array");
}
