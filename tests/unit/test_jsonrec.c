/* test_jsonrec.c: tests of the streaming JSON record reader. Each input
 * tests/data/json/NAME has its expected records and issues in
 * NAME.expected (one line per callback, fields tab-separated, see render);
 * every case is also read through zstd, small reader chunks and sniff heads. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "core/zio.h"
#include "helpers.h"
#include "ingest/jsonrec.h"

/* Growable text owned by the test. */
typedef struct {
    char *p;    /* bytes (malloc), NUL-terminated */
    size_t n;   /* length */
    size_t cap; /* allocated */
} tbuf;

static void tb_add(tbuf *b, const void *p, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        cr_assert(b->p != NULL);
    }
    memcpy(b->p + b->n, p, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void tb_printf(tbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tb_printf(tbuf *b, const char *fmt, ...)
{
    char tmp[4096];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    cr_assert(k >= 0 && (size_t)k < sizeof tmp);
    tb_add(b, tmp, (size_t)k);
}

/* Appends a span, escaping \n \t \r and backslash. */
static void tb_span(tbuf *b, const char *name, dw_span s)
{
    if (!s.p)
        return;
    tb_printf(b, "\t%s=", name);
    for (size_t i = 0; i < s.n; i++) {
        char c = s.p[i];
        if (c == '\n')
            tb_add(b, "\\n", 2);
        else if (c == '\t')
            tb_add(b, "\\t", 2);
        else if (c == '\r')
            tb_add(b, "\\r", 2);
        else if (c == '\\')
            tb_add(b, "\\\\", 2);
        else
            tb_add(b, &c, 1);
    }
}

/* Callback state: the rendering, and an optional stop. */
typedef struct {
    tbuf out;           /* one line per callback */
    uint64_t stop_at;   /* on_record returns 7 at this index, 0: never */
    uint64_t n_records; /* records seen */
    uint64_t n_issues;  /* issues seen */
} tsink;

static int on_record(void *ud, const dw_json_record *r)
{
    tsink *s = ud;
    tb_printf(&s->out, "rec\t%llu\toff=%llu\tline=%llu", (unsigned long long)r->index,
              (unsigned long long)r->offset, (unsigned long long)r->line);
    cr_assert(r->text.p != NULL, "text is never absent");
    tb_span(&s->out, "id", r->id);
    tb_span(&s->out, "title", r->title);
    tb_span(&s->out, "source", r->source);
    tb_span(&s->out, "date", r->date);
    tb_span(&s->out, "url", r->url);
    tb_span(&s->out, "text", r->text);
    tb_add(&s->out, "\n", 1);
    s->n_records++;
    return s->stop_at && r->index == s->stop_at ? 7 : 0;
}

static void on_issue(void *ud, uint64_t off, uint64_t line, const char *msg)
{
    tsink *s = ud;
    tb_printf(&s->out, "issue\toff=%llu\tline=%llu\t%s\n", (unsigned long long)off,
              (unsigned long long)line, msg);
    s->n_issues++;
}

/* Reads r (with head) into a fresh sink; asserts the result code. */
static tsink run(dw_reader *r, const char *head, size_t head_len, int want_rc)
{
    tsink s;
    memset(&s, 0, sizeof s);
    tb_add(&s.out, "", 0);
    dw_json_opts o = {on_record, on_issue, &s};
    dw_err e = {{0}};
    int rc = dw_json_read(r, head, head_len, &o, &e);
    cr_assert_eq(rc, want_rc, "dw_json_read gave %d (%s)", rc, e.msg);
    return s;
}

/* Reads len bytes from memory: head = first hl bytes, reader = the rest
 * (compressed when z), with reads capped at chunk bytes (0: none). */
static tsink run_mem(const char *data, size_t len, size_t hl, int z, size_t chunk)
{
    char *zbuf = NULL;
    const char *src = data + hl;
    size_t n = len - hl;
    if (z) {
        zbuf = malloc(ZSTD_compressBound(n));
        n = ZSTD_compress(zbuf, ZSTD_compressBound(n), src, n, 3);
        cr_assert(!ZSTD_isError(n));
        src = zbuf;
    }
    dw_reader *r = NULL;
    dw_err e = {{0}};
    cr_assert_eq(dw_reader_open_mem(&r, src, n, "mem", NULL, &e), DW_OK, "%s", e.msg);
    dw_reader_set_chunk(r, chunk);
    tsink s = run(r, data, hl, DW_OK);
    dw_reader_close(r);
    free(zbuf);
    return s;
}

Test(jsonrec, sniff)
{
    cr_assert_eq(dw_json_sniff("{", 1), 1);
    cr_assert_eq(dw_json_sniff(" \r\n\t[{}]", 8), 1);
    cr_assert_eq(dw_json_sniff("[ \n {\"text\": 1}]", 17), 1);
    cr_assert_eq(dw_json_sniff("[]", 2), 1);
    cr_assert_eq(dw_json_sniff("{}", 2), 1);
    /* pages whose title starts with a bracket */
    cr_assert_eq(dw_json_sniff("[فيديو] عنوان\n", strlen("[فيديو] عنوان\n")), 0);
    cr_assert_eq(dw_json_sniff("{هامتون كورت}.. عنوان\n", strlen("{هامتون كورت}.. عنوان\n")), 0);
    cr_assert_eq(dw_json_sniff("[1]", 3), 0);
    cr_assert_eq(dw_json_sniff("\xef\xbb\xbf  {\"a\":1}", 12), 1);
    cr_assert_eq(dw_json_sniff("\xef\xbb\xbf", 3), 0);
    cr_assert_eq(dw_json_sniff("", 0), 0);
    cr_assert_eq(dw_json_sniff("   \n", 4), 0);
    cr_assert_eq(dw_json_sniff("عنوان\n{", 11), 0);
    cr_assert_eq(dw_json_sniff("\"x\"", 3), 0);
    cr_assert_eq(dw_json_sniff("{", 0), 0, "n bounds the look");
}

Test(jsonrec, cases_from_data_dir)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", dwt_path("tests/data/json"));
    DIR *d = opendir(dir);
    cr_assert(d != NULL, "%s not found (set DW_ROOT)", dir);
    struct dirent *de;
    int cases = 0;
    while ((de = readdir(d)) != NULL) {
        size_t nl = strlen(de->d_name);
        if (nl < 10 || strcmp(de->d_name + nl - 9, ".expected") != 0)
            continue;
        char in_path[8192], exp_path[8192];
        snprintf(exp_path, sizeof exp_path, "%s/%s", dir, de->d_name);
        snprintf(in_path, sizeof in_path, "%s/%.*s", dir, (int)(nl - 9), de->d_name);
        size_t len, elen;
        char *data = dwt_read_file(in_path, &len);
        char *want = dwt_read_file(exp_path, &elen);
        cr_assert(data && want, "cannot read %s", in_path);

        /* the file through dw_reader_open, no head */
        dw_reader *r = NULL;
        dw_err e = {{0}};
        cr_assert_eq(dw_reader_open(&r, in_path, NULL, &e), DW_OK, "%s", e.msg);
        tsink s = run(r, "", 0, DW_OK);
        dw_reader_close(r);
        cr_assert_str_eq(s.out.p, want, "%s", de->d_name);
        free(s.out.p);

        /* the same with a sniff head of every size, through zstd and small
         * reader chunks */
        for (size_t hl = 0; hl <= len && hl <= 40; hl++) {
            for (int z = 0; z < 2; z++) {
                size_t chunk = 1 + (hl * 7 + (size_t)z * 3) % 64;
                s = run_mem(data, len, hl, z, chunk);
                cr_assert_str_eq(s.out.p, want, "%s head %zu zstd %d chunk %zu", de->d_name, hl, z,
                                 chunk);
                free(s.out.p);
            }
        }
        for (size_t chunk = 1; chunk <= 64; chunk++) {
            s = run_mem(data, len, 0, chunk & 1, chunk);
            cr_assert_str_eq(s.out.p, want, "%s chunk %zu", de->d_name, chunk);
            free(s.out.p);
        }
        free(data);
        free(want);
        cases++;
    }
    closedir(d);
    cr_assert_eq(cases, 19, "number of .expected files in tests/data/json");
}

Test(jsonrec, callback_stops)
{
    const char *js = "[{\"text\":\"a\"},{\"text\":\"b\"},{\"text\":\"c\"}]";
    tsink s;
    dw_reader *r = NULL;
    dw_err e = {{0}};
    cr_assert_eq(dw_reader_open_mem(&r, js, strlen(js), NULL, NULL, &e), DW_OK);
    memset(&s, 0, sizeof s);
    s.stop_at = 1;
    dw_json_opts o = {on_record, on_issue, &s};
    cr_assert_eq(dw_json_read(r, "", 0, &o, &e), 7);
    cr_assert_eq(s.n_records, 2);
    free(s.out.p);
    dw_reader_close(r);
}

Test(jsonrec, reader_error_is_returned)
{
    /* a truncated zstd frame in the middle of a record */
    const char *js = "{\"text\":\"a\"}\n{\"text\":\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\"}\n";
    char z[256];
    size_t zn = ZSTD_compress(z, sizeof z, js, strlen(js), 1);
    cr_assert(!ZSTD_isError(zn));
    dw_reader *r = NULL;
    dw_err e = {{0}};
    cr_assert_eq(dw_reader_open_mem(&r, z, zn - 3, "cut.zst", NULL, &e), DW_OK);
    tsink s;
    memset(&s, 0, sizeof s);
    dw_json_opts o = {on_record, on_issue, &s};
    cr_assert_eq(dw_json_read(r, "", 0, &o, &e), DW_EINPUT);
    char want[128];
    snprintf(want, sizeof want, "cut.zst: truncated zstd frame at compressed offset %zu", zn - 3);
    cr_assert_str_eq(e.msg, want);
    free(s.out.p);
    dw_reader_close(r);
}

Test(jsonrec, broken_multiline_value_is_read_once)
{
    /* an unclosed value kept open by 200000 lines, broken at line 200002:
     * reading resumes at the error's line instead of re-parsing from every
     * line in between (which would be quadratic) */
    tbuf js;
    memset(&js, 0, sizeof js);
    const char *first = "{\"text\": [\n", *bad = "x\n", *last = "{\"text\": \"z\"}\n";
    tb_add(&js, first, strlen(first));
    for (int i = 0; i < 200000; i++)
        tb_add(&js, "1,\n", 3);
    tb_add(&js, bad, strlen(bad));
    tb_add(&js, last, strlen(last));
    dw_reader *r = NULL;
    dw_err e = {{0}};
    cr_assert_eq(dw_reader_open_mem(&r, js.p, js.n, NULL, NULL, &e), DW_OK);
    tsink s = run(r, "", 0, DW_OK);
    cr_assert_str_eq(s.out.p, "issue\toff=0\tline=1\tinvalid json: invalid token near 'x' at line "
                              "200002 column 1\n"
                              "issue\toff=600011\tline=200002\tinvalid json: invalid token near 'x' "
                              "at line 200002 column 1\n"
                              "rec\t2\toff=600013\tline=200003\ttext=z\n");
    free(s.out.p);
    free(js.p);
    dw_reader_close(r);
}

/* Deterministic pseudo-random generator for the generated inputs. */
static uint32_t rnd(uint32_t *x)
{
    *x = *x * 1664525u + 1013904223u;
    return *x >> 8;
}

/* Appends a JSON string body (no quotes) of about n bytes mixing ASCII,
 * Arabic, escapes and astral characters; adds the decoded text to plain. */
static void gen_string(tbuf *js, tbuf *plain, size_t n, uint32_t *x)
{
    static const char *const enc[] = {"abc ", "\\u0627\\u0644", "\\\"", "\\n", "خبر ", "😀",
                                      "\\ud83d\\ude00", "12345 ", "\\\\", "\\t"};
    static const char *const dec[] = {"abc ", "ال", "\"", "\n", "خبر ", "😀", "😀", "12345 ", "\\",
                                      "\t"};
    size_t start = js->n;
    while (js->n - start < n) {
        unsigned k = rnd(x) % 10;
        tb_add(js, enc[k], strlen(enc[k]));
        tb_add(plain, dec[k], strlen(dec[k]));
    }
}

/* A generated input: JSON text and the expected texts joined by '\x01'. */
typedef struct {
    tbuf js;        /* the JSON input */
    tbuf texts;     /* decoded text of each record, each followed by \x01 */
    uint64_t n;     /* number of records */
} tgen;

static tgen gen_input(int array, size_t n_rec, size_t avg, uint32_t seed)
{
    tgen g;
    memset(&g, 0, sizeof g);
    uint32_t x = seed;
    tb_add(&g.js, array ? "[\n" : "", array ? 2 : 0);
    tb_add(&g.texts, "", 0);
    for (size_t i = 0; i < n_rec; i++) {
        if (array && i > 0)
            tb_add(&g.js, ",\n", 2);
        tb_printf(&g.js, "%s{\"id\": %zu, \"n\": %u.5e3, \"text\": \"", array ? "    " : "", i,
                  rnd(&x) % 1000);
        gen_string(&g.js, &g.texts, 1 + rnd(&x) % (2 * avg), &x);
        tb_add(&g.texts, "\x01", 1);
        tb_printf(&g.js, "\", \"flag\": %s, \"z\": null}", rnd(&x) & 1 ? "true" : "false");
        tb_add(&g.js, array ? "" : "\n", array ? 0 : 1);
        g.n++;
    }
    tb_add(&g.js, array ? "\n]\n" : "", array ? 3 : 0);
    return g;
}

/* Collects texts joined by \x01 and checks ids. */
typedef struct {
    tbuf texts;   /* received texts */
    uint64_t n;   /* records received */
    uint64_t bad; /* issues */
} tcollect;

static int collect_rec(void *ud, const dw_json_record *r)
{
    tcollect *c = ud;
    char id[32];
    snprintf(id, sizeof id, "%llu", (unsigned long long)c->n);
    cr_assert(r->id.n == strlen(id) && memcmp(r->id.p, id, r->id.n) == 0, "id of record %llu",
              (unsigned long long)c->n);
    cr_assert_eq(r->index, c->n);
    tb_add(&c->texts, r->text.p, r->text.n);
    tb_add(&c->texts, "\x01", 1);
    c->n++;
    return 0;
}

static void collect_issue(void *ud, uint64_t off, uint64_t line, const char *msg)
{
    tcollect *c = ud;
    c->bad++;
    cr_log_error("issue at %llu line %llu: %s", (unsigned long long)off, (unsigned long long)line,
                 msg);
}

/* Reads g through memory with head hl and chunk cap; asserts every text. */
static void check_gen(const tgen *g, size_t hl, size_t chunk, int z)
{
    char *zbuf = NULL;
    const char *src = g->js.p + hl;
    size_t n = g->js.n - hl;
    if (z) {
        zbuf = malloc(ZSTD_compressBound(n));
        n = ZSTD_compress(zbuf, ZSTD_compressBound(n), src, n, 1);
        src = zbuf;
    }
    dw_reader *r = NULL;
    dw_err e = {{0}};
    cr_assert_eq(dw_reader_open_mem(&r, src, n, "gen", NULL, &e), DW_OK);
    dw_reader_set_chunk(r, chunk);
    tcollect c;
    memset(&c, 0, sizeof c);
    tb_add(&c.texts, "", 0);
    dw_json_opts o = {collect_rec, collect_issue, &c};
    cr_assert_eq(dw_json_read(r, g->js.p, hl, &o, &e), DW_OK, "%s", e.msg);
    cr_assert_eq(c.bad, 0);
    cr_assert_eq(c.n, g->n);
    cr_assert_eq(c.texts.n, g->texts.n);
    cr_assert(memcmp(c.texts.p, g->texts.p, g->texts.n) == 0, "texts differ (head %zu)", hl);
    free(c.texts.p);
    dw_reader_close(r);
    free(zbuf);
}

Test(jsonrec, generated_window_boundaries)
{
    /* ~2.5 MiB inputs: the 1 MiB read boundaries fall inside every kind of
     * token as the head size shifts them */
    for (int array = 0; array < 2; array++) {
        tgen g = gen_input(array, 10500, 150, 42u + (uint32_t)array);
        cr_assert_gt(g.js.n, 2u << 20);
        for (size_t hl = 0; hl < 24; hl++)
            check_gen(&g, hl, 0, 0);
        check_gen(&g, 0, 0, 1);
        check_gen(&g, 0, 4093, 1);
        free(g.js.p);
        free(g.texts.p);
    }
}

Test(jsonrec, large_records)
{
    /* records of 3 MiB and 6 MiB (over the 1 MiB read size) */
    for (int array = 0; array < 2; array++) {
        tgen g;
        memset(&g, 0, sizeof g);
        uint32_t x = 7;
        tb_add(&g.texts, "", 0);
        tb_add(&g.js, array ? "[" : "", array ? 1 : 0);
        size_t sizes[] = {10, 3u << 20, 5, 6u << 20, 1};
        for (size_t i = 0; i < 5; i++) {
            tb_printf(&g.js, "%s{\"id\":%zu,\"text\":\"", i && array ? "," : "", i);
            gen_string(&g.js, &g.texts, sizes[i], &x);
            tb_add(&g.texts, "\x01", 1);
            tb_add(&g.js, "\"}\n", 3);
            g.n++;
        }
        tb_add(&g.js, array ? "]" : "", array ? 1 : 0);
        check_gen(&g, 0, 0, 0);
        check_gen(&g, 0, 0, 1);
        free(g.js.p);
        free(g.texts.p);
    }
}

Test(jsonrec, record_over_the_limit)
{
    /* JSONL: the big line is reported and skipped; array: reading stops */
    size_t big = DW_JSON_MAX_RECORD + 100;
    for (int array = 0; array < 2; array++) {
        tbuf js;
        memset(&js, 0, sizeof js);
        const char *open = array ? "[{\"text\":\"a\"},\n{\"text\":\"" : "{\"text\":\"a\"}\n{\"text\":\"";
        tb_add(&js, open, strlen(open));
        size_t at = js.n;
        tb_add(&js, "", 0);
        js.p = realloc(js.p, js.n + big + 64);
        memset(js.p + at, 'x', big);
        js.n += big;
        const char *close = array ? "\"},\n{\"text\":\"c\"}]" : "\"}\n{\"text\":\"c\"}\n";
        memcpy(js.p + js.n, close, strlen(close) + 1);
        js.n += strlen(close);
        dw_reader *r = NULL;
        dw_err e = {{0}};
        cr_assert_eq(dw_reader_open_mem(&r, js.p, js.n, NULL, NULL, &e), DW_OK);
        tsink s = run(r, "", 0, DW_OK);
        const char *want = array ? "rec\t0\toff=1\tline=1\ttext=a\n"
                                   "issue\toff=15\tline=2\trecord 2: larger than 64 MiB\n"
                                 : "rec\t0\toff=0\tline=1\ttext=a\n"
                                   "issue\toff=13\tline=2\trecord 2: larger than 64 MiB\n"
                                   "rec\t2\toff=67108989\tline=3\ttext=c\n";
        cr_assert_str_eq(s.out.p, want);
        free(s.out.p);
        dw_reader_close(r);
        free(js.p);
    }
}

/* Counts records per source for the SaudiNewsNet test. */
typedef struct {
    uint64_t n;            /* records */
    uint64_t issues;       /* issues */
    uint64_t text_bytes;   /* total text bytes */
    uint64_t empty_text;   /* records with an empty text */
    uint64_t last_off;     /* offset of the last record */
    uint64_t last_line;    /* line of the last record */
    uint64_t no_meta;      /* records missing title, source, date or url */
    char sources[16][32];  /* distinct sources, in order of appearance */
    int n_sources;         /* number of distinct sources */
} tsnn;

static int snn_rec(void *ud, const dw_json_record *r)
{
    tsnn *t = ud;
    t->n++;
    t->text_bytes += r->text.n;
    t->empty_text += r->text.n == 0;
    t->last_off = r->offset;
    t->last_line = r->line;
    t->no_meta += !r->title.p || !r->source.p || !r->date.p || !r->url.p || r->id.p != NULL;
    int i;
    for (i = 0; i < t->n_sources; i++)
        if (strlen(t->sources[i]) == r->source.n && memcmp(t->sources[i], r->source.p, r->source.n) == 0)
            break;
    if (i == t->n_sources) {
        cr_assert_lt(t->n_sources, 16);
        cr_assert_lt(r->source.n, 32u);
        memcpy(t->sources[i], r->source.p, r->source.n);
        t->sources[i][r->source.n] = '\0';
        t->n_sources++;
    }
    return 0;
}

static void snn_issue(void *ud, uint64_t off, uint64_t line, const char *msg)
{
    tsnn *t = ud;
    t->issues++;
    cr_log_error("issue at %llu line %llu: %s", (unsigned long long)off, (unsigned long long)line,
                 msg);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(a, b);
}

Test(jsonrec, shared_saudinewsnet_day)
{
    const char *sh = dwt_shared();
    if (!sh)
        cr_skip_test("../shared not found: skipping the SaudiNewsNet JSON test");
    char path[4200];
    snprintf(path, sizeof path, "%s/data/raw/saudinewsnet/2015-08-08.json.zst", sh);
    dw_reader *r = NULL;
    dw_err e = {{0}};
    cr_assert_eq(dw_reader_open(&r, path, NULL, &e), DW_OK, "%s", e.msg);
    /* as the ingest driver does: sniff a head, then hand it over */
    char head[4096];
    ssize_t hn = dw_reader_read(r, head, sizeof head, &e);
    cr_assert_gt(hn, 0);
    cr_assert(dw_json_sniff(head, (size_t)hn));
    tsnn t;
    memset(&t, 0, sizeof t);
    dw_json_opts o = {snn_rec, snn_issue, &t};
    cr_assert_eq(dw_json_read(r, head, (size_t)hn, &o, &e), DW_OK, "%s", e.msg);
    dw_reader_close(r);
    /* expected values counted independently with Python's json module */
    cr_assert_eq(t.issues, 0);
    cr_assert_eq(t.n, 1348);
    cr_assert_eq(t.text_bytes, 4212119);
    cr_assert_eq(t.empty_text, 5);
    cr_assert_eq(t.last_off, 4699957);
    cr_assert_eq(t.last_line, 10778);
    cr_assert_eq(t.no_meta, 0);
    qsort(t.sources, (size_t)t.n_sources, sizeof t.sources[0], cmp_str);
    tbuf all;
    memset(&all, 0, sizeof all);
    for (int i = 0; i < t.n_sources; i++)
        tb_printf(&all, "%s%s", i ? "," : "", t.sources[i]);
    cr_assert_str_eq(all.p, "3alyoum,aawsat,aleqtisadiya,aljazirah,almadina,alriyadh,alwatan,"
                            "alweeam,alyaum,okaz");
    free(all.p);
}
