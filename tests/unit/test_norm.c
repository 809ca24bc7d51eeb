/* test_norm.c: tests of dw_norm_text and dw_norm_fold_cp. Cases come from
 * tests/data/norm.tsv; the fast path is proven byte-identical to the
 * reference path (and the reference path to utf8proc's own NFKC) over every
 * code point, every BMP code point followed by each Arabic mark, every
 * canonical decomposition and, when ../shared is present, real news text. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>
#include <zstd.h>

#include "core/buf.h"
#include "core/norm.h"
#include "core/utf8.h"
#include "helpers.h"
#include "tsvcase.h"

/* Normalizes s[0..n) into a fresh buffer (the caller frees it). */
static dw_buf norm_of(const char *s, size_t n, unsigned flags)
{
    dw_buf b = DW_BUF_INIT;
    cr_assert_eq(dw_norm_text(&b, s, n, flags), 0);
    return b;
}

static int norm_same(const dw_buf *a, const dw_buf *b)
{
    return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

/* Code points of a string as "U+0627 U+0644" for failure messages. */
static const char *norm_cps(const char *s, size_t n)
{
    static char out[8][512];
    static int slot;
    char *o = out[slot++ % 8];
    size_t k = 0;
    o[0] = '\0';
    for (size_t i = 0; i < n && k + 12 < sizeof out[0];) {
        int32_t cp;
        int ok;
        i += dw_utf8_next((const unsigned char *)s + i, n - i, &cp, &ok);
        k += (size_t)snprintf(o + k, sizeof out[0] - k, ok ? "U+%04X " : "<bad> ", (unsigned)cp);
    }
    return o;
}

/* Reference written independently of norm.c: utf8proc_map NFKC of the
 * repaired input, the fold, (when the fold changed anything but white
 * space) NFKC and the fold again, then white space collapsed and trimmed. */
static dw_buf norm_ref(const char *s, size_t n, unsigned flags)
{
    const utf8proc_option_t nfkc = UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT;
    dw_buf cur = DW_BUF_INIT, res = DW_BUF_INIT;
    cr_assert_neq(dw_utf8_repair(&cur, s, n, NULL), (size_t)-1);
    for (int round = 0; round < 2; round++) {
        utf8proc_uint8_t *y = NULL;
        utf8proc_ssize_t yl = utf8proc_map((const utf8proc_uint8_t *)dw_buf_str(&cur),
                                           (utf8proc_ssize_t)cur.len, &y, nfkc);
        cr_assert(yl >= 0, "utf8proc_map: %s", utf8proc_errmsg(yl));
        dw_buf_reset(&cur);
        int dirty = 0;
        for (utf8proc_ssize_t i = 0; i < yl;) {
            int32_t cp;
            i += utf8proc_iterate(y + i, yl - i, &cp);
            int32_t f = dw_norm_fold_cp(cp, flags);
            if (f != cp && f != ' ' && f != '\n')
                dirty = 1;
            if (f >= 0) {
                char u[4];
                dw_buf_append(&cur, u, dw_utf8_encode(f, u));
            }
        }
        free(y);
        if (!dirty)
            break;
    }
    int pending = 0, started = 0;
    for (size_t i = 0; i < cur.len; i++) {
        char c = cur.data[i];
        if (c == ' ' || c == '\n') {
            if (c == '\n' || !pending)
                pending = c == '\n' ? 2 : 1;
            continue;
        }
        if (pending && started)
            dw_buf_putc(&res, pending == 2 ? '\n' : ' ');
        pending = 0;
        started = 1;
        dw_buf_putc(&res, c);
    }
    dw_buf_free(&cur);
    return res;
}

/* What any output must satisfy: valid UTF-8, every code point a fixed point
 * of the fold, no leading, trailing or doubled white space. */
static void norm_check_output(const dw_buf *o, unsigned flags, const char *what)
{
    const unsigned char *s = (const unsigned char *)dw_buf_str(o);
    cr_assert_eq(dw_utf8_valid_prefix(s, o->len), o->len, "%s: invalid UTF-8 output", what);
    int prev_space = 1;
    for (size_t i = 0; i < o->len;) {
        int32_t cp;
        i += dw_utf8_next(s + i, o->len - i, &cp, NULL);
        cr_assert_eq(dw_norm_fold_cp(cp, flags), cp, "%s: U+%04X in the output is not folded", what,
                     (unsigned)cp);
        int space = cp == ' ' || cp == '\n';
        cr_assert(!(space && prev_space), "%s: leading or doubled white space", what);
        prev_space = space;
    }
    cr_assert(o->len == 0 || !prev_space, "%s: trailing white space", what);
}

/* Checks fast == reference path, idempotence and output invariants. */
static void norm_check_paths(const char *s, size_t n, unsigned flags, const char *what)
{
    dw_buf fast = norm_of(s, n, flags);
    dw_buf slow = norm_of(s, n, flags | DW_NORM_NO_FAST_PATH);
    cr_assert(norm_same(&fast, &slow), "%s: fast path [%s] != reference [%s] for [%s]", what,
              norm_cps(fast.data, fast.len), norm_cps(slow.data, slow.len), norm_cps(s, n));
    dw_buf again = norm_of(dw_buf_str(&fast), fast.len, flags);
    cr_assert(norm_same(&fast, &again), "%s: not idempotent: [%s] -> [%s] -> [%s]", what,
              norm_cps(s, n), norm_cps(fast.data, fast.len), norm_cps(again.data, again.len));
    norm_check_output(&fast, flags, what);
    dw_buf_free(&fast);
    dw_buf_free(&slow);
    dw_buf_free(&again);
}

static unsigned norm_parse_flags(const char *f, int line)
{
    unsigned flags = 0;
    char *copy = strdup(f), *save = NULL;
    for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
        if (!strcmp(w, "teh"))
            flags |= DW_NORM_TEH_MARBUTA;
        else if (!strcmp(w, "nonl"))
            flags |= DW_NORM_NO_NEWLINES;
        else
            cr_assert_fail("norm.tsv line %d: unknown flag %s", line, w);
    }
    free(copy);
    return flags;
}

Test(norm, cases_from_tsv)
{
    dwt_case *c;
    size_t n = dwt_cases_load("tests/data/norm.tsv", &c);
    cr_assert_geq(n, 60, "norm.tsv has only %zu cases", n);
    for (size_t i = 0; i < n; i++) {
        unsigned flags = norm_parse_flags(c[i].f[2], c[i].line);
        dw_buf got = norm_of(c[i].f[0], c[i].len[0], flags);
        cr_expect(got.len == c[i].len[1] && !memcmp(dw_buf_str(&got), c[i].f[1], got.len),
                  "norm.tsv line %d: got \"%s\" [%s], expected \"%s\" [%s]", c[i].line,
                  dw_buf_str(&got), norm_cps(got.data, got.len), c[i].f[1],
                  norm_cps(c[i].f[1], c[i].len[1]));
        dw_buf ref = norm_ref(c[i].f[0], c[i].len[0], flags);
        cr_expect(norm_same(&got, &ref), "norm.tsv line %d: differs from the utf8proc reference [%s]",
                  c[i].line, norm_cps(ref.data, ref.len));
        dw_buf_free(&got);
        dw_buf_free(&ref);
    }
    dwt_cases_free(c, n);
}

Test(norm, idempotent_and_same_paths_on_tsv_inputs)
{
    dwt_case *c;
    size_t n = dwt_cases_load("tests/data/norm.tsv", &c);
    for (size_t i = 0; i < n; i++) {
        char what[64];
        snprintf(what, sizeof what, "norm.tsv line %d", c[i].line);
        unsigned flags = norm_parse_flags(c[i].f[2], c[i].line);
        norm_check_paths(c[i].f[0], c[i].len[0], flags, what);
        norm_check_paths(c[i].f[0], c[i].len[0], flags ^ DW_NORM_TEH_MARBUTA, what);
        norm_check_paths(c[i].f[0], c[i].len[0], flags ^ DW_NORM_NO_NEWLINES, what);
    }
    dwt_cases_free(c, n);
}

Test(norm, fold_cp_rules)
{
    static const struct {
        int32_t in, out;
        unsigned flags;
    } t[] = {
        {0x064B, -1, 0},     {0x065F, -1, 0},     {0x0670, -1, 0},     {0x0640, -1, 0},
        {0x064A, 0x064A, 0}, {0x0660, '0', 0},    {0x0669, '9', 0},    {0x06F0, '0', 0},
        {0x06F9, '9', 0},    {0x0622, 0x0627, 0}, {0x0623, 0x0627, 0}, {0x0624, 0x0624, 0},
        {0x0625, 0x0627, 0}, {0x0626, 0x0626, 0}, {0x0671, 0x0627, 0}, {0x0649, 0x064A, 0},
        {0x06A9, 0x0643, 0}, {0x06CC, 0x064A, 0}, {0x0629, 0x0629, 0},
        {0x0629, 0x0647, DW_NORM_TEH_MARBUTA},    {0x060C, ',', 0},    {0x061B, ';', 0},
        {0x061F, '?', 0},    {0x066A, '%', 0},    {0x00AB, '"', 0},    {0x00BB, '"', 0},
        {0x201C, '"', 0},    {0x201D, '"', 0},    {0x200B, -1, 0},     {0x200F, -1, 0},
        {0x202A, -1, 0},     {0x202E, -1, 0},     {0x2066, -1, 0},     {0x2069, -1, 0},
        {0xFEFF, -1, 0},     {0x061C, -1, 0},     {0x00A0, ' ', 0},    {'\t', ' ', 0},
        {'\r', '\n', 0},     {'\r', ' ', DW_NORM_NO_NEWLINES},         {0x2029, '\n', 0},
        {'A', 'a', 0},       {0x00C9, 0x00E9, 0}, {0x0416, 0x0436, 0}, {0x00DF, 0x00DF, 0},
        {0x0627, 0x0627, 0}, {0x1F600, 0x1F600, 0}, {0x2010, 0x2010, 0},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        cr_expect_eq(dw_norm_fold_cp(t[i].in, t[i].flags), t[i].out, "fold(U+%04X, %u) = %d, expected %d",
                     (unsigned)t[i].in, t[i].flags, dw_norm_fold_cp(t[i].in, t[i].flags), t[i].out);
}

Test(norm, appends_to_the_buffer)
{
    dw_buf b = DW_BUF_INIT;
    dw_buf_puts(&b, "x:");
    cr_assert_eq(dw_norm_text(&b, "", 0, 0), 0);
    cr_assert_str_eq(dw_buf_str(&b), "x:");
    cr_assert_eq(dw_norm_text(&b, " Aأ ", 5, 0), 0);
    cr_assert_str_eq(dw_buf_str(&b), "x:aا");
    cr_assert_eq(dw_norm_text(&b, "\xEF\xBB\xBF \xD9\x80", 6, 0), 0); /* BOM, space, tatweel */
    cr_assert_str_eq(dw_buf_str(&b), "x:aا");
    dw_buf_free(&b);
}

/* Every code point alone: fast path == reference path == utf8proc reference,
 * idempotent, invariants hold. */
Test(norm, every_code_point_alone, .timeout = 600)
{
    for (int32_t cp = 0; cp <= 0x10FFFF; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        char s[4];
        size_t n = dw_utf8_encode(cp, s);
        char what[32];
        snprintf(what, sizeof what, "U+%04X", (unsigned)cp);
        norm_check_paths(s, n, 0, what);
        dw_buf got = norm_of(s, n, 0), ref = norm_ref(s, n, 0);
        cr_assert(norm_same(&got, &ref), "U+%04X: [%s], utf8proc reference [%s]", (unsigned)cp,
                  norm_cps(got.data, got.len), norm_cps(ref.data, ref.len));
        dw_buf_free(&got);
        dw_buf_free(&ref);
    }
}

/* Every BMP code point c followed by each Arabic mark m (U+064B..U+065F,
 * U+0670), also with a tatweel in between and with a composing hamza after
 * the mark: "c m", "c ـ m", "c m ٔ". Batched per c, groups separated by a
 * space (a safe split point for both paths). */
Test(norm, bmp_pairs_with_arabic_marks, .timeout = 600)
{
    int32_t marks[22];
    size_t nm = 0;
    for (int32_t m = 0x064B; m <= 0x065F; m++)
        marks[nm++] = m;
    marks[nm++] = 0x0670;
    dw_buf s = DW_BUF_INIT;
    for (int32_t c = 0; c <= 0xFFFF; c++) {
        if (c >= 0xD800 && c <= 0xDFFF)
            continue;
        char u[4];
        size_t cl = dw_utf8_encode(c, u);
        dw_buf_reset(&s);
        for (size_t k = 0; k < nm; k++) {
            char mu[4];
            size_t ml = dw_utf8_encode(marks[k], mu);
            dw_buf_append(&s, u, cl);
            dw_buf_append(&s, mu, ml);
            dw_buf_puts(&s, " ");
            dw_buf_append(&s, u, cl);
            dw_buf_puts(&s, "\xD9\x80"); /* tatweel */
            dw_buf_append(&s, mu, ml);
            dw_buf_puts(&s, " ");
            dw_buf_append(&s, u, cl);
            dw_buf_append(&s, mu, ml);
            dw_buf_puts(&s, "\xD9\x94 "); /* hamza above */
        }
        char what[48];
        snprintf(what, sizeof what, "U+%04X with Arabic marks", (unsigned)c);
        norm_check_paths(s.data, s.len, 0, what);
    }
    dw_buf_free(&s);
}

/* Every code point with a decomposition, fully decomposed (canonically and
 * compatibly), alone and after an alef and an 'e': the fast path must not cut
 * between the parts of a composition. */
Test(norm, every_decomposition, .timeout = 600)
{
    static const utf8proc_option_t opts[2] = {UTF8PROC_DECOMPOSE,
                                              UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT};
    dw_buf s = DW_BUF_INIT;
    size_t tested = 0;
    for (int32_t cp = 0; cp <= 0x10FFFF; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        for (int o = 0; o < 2; o++) {
            int32_t d[32];
            utf8proc_ssize_t dl = utf8proc_decompose_char(cp, d, 32, opts[o], NULL);
            cr_assert(dl > 0 && dl <= 32);
            if (dl == 1 && d[0] == cp)
                continue;
            dw_buf_reset(&s);
            for (int pre = 0; pre < 3; pre++) {
                dw_buf_puts(&s, pre == 0 ? "" : pre == 1 ? "\xD8\xA7" : "e");
                for (utf8proc_ssize_t k = 0; k < dl; k++) {
                    char u[4];
                    dw_buf_append(&s, u, dw_utf8_encode(d[k], u));
                }
                dw_buf_puts(&s, " ");
            }
            char what[48];
            snprintf(what, sizeof what, "decomposition of U+%04X", (unsigned)cp);
            norm_check_paths(s.data, s.len, 0, what);
            tested++;
        }
    }
    cr_assert_gt(tested, 5000);
    dw_buf_free(&s);
}

/* Decompresses a .zst file and returns the titles and contents of its JSON
 * articles, joined by blank lines (caller frees). */
static char *norm_load_news(const char *path, size_t *len)
{
    size_t zn;
    char *z = dwt_read_file(path, &zn);
    cr_assert(z != NULL, "cannot read %s", path);
    dw_buf raw = DW_BUF_INIT, text = DW_BUF_INIT;
    ZSTD_DStream *ds = ZSTD_createDStream();
    ZSTD_inBuffer in = {z, zn, 0};
    char tmp[1 << 16];
    while (in.pos < in.size) {
        ZSTD_outBuffer out = {tmp, sizeof tmp, 0};
        size_t r = ZSTD_decompressStream(ds, &out, &in);
        cr_assert(!ZSTD_isError(r), "%s: %s", path, ZSTD_getErrorName(r));
        dw_buf_append(&raw, tmp, out.pos);
    }
    ZSTD_freeDStream(ds);
    free(z);
    json_error_t je;
    json_t *arr = json_loadb(raw.data, raw.len, 0, &je);
    cr_assert(json_is_array(arr), "%s: %s", path, je.text);
    size_t i;
    json_t *a;
    json_array_foreach(arr, i, a)
    {
        dw_buf_printf(&text, "%s\n%s\n\n", json_string_value(json_object_get(a, "title")) ?: "",
                      json_string_value(json_object_get(a, "content")) ?: "");
    }
    json_decref(arr);
    dw_buf_free(&raw);
    return dw_buf_detach(&text, len);
}

Test(norm, real_news_text, .timeout = 600)
{
    const char *sh = dwt_shared();
    if (!sh)
        cr_skip_test("../shared not found: real-text normalization test skipped");
    char path[4096];
    snprintf(path, sizeof path, "%s/data/raw/saudinewsnet/2015-08-08.json.zst", sh);
    size_t n;
    char *text = norm_load_news(path, &n);
    cr_assert_gt(n, 1000000);
    /* Whole text, then article-sized pieces cut anywhere (even inside a
     * character), as a chunked reader might produce. */
    norm_check_paths(text, n, 0, "saudinewsnet 2015-08-08");
    norm_check_paths(text, n, DW_NORM_TEH_MARBUTA | DW_NORM_NO_NEWLINES, "saudinewsnet (flags)");
    for (size_t i = 0, step = 3001; i < n; i += step)
        norm_check_paths(text + i, i + step < n ? step : n - i, 0, "saudinewsnet piece");
    dw_buf o = norm_of(text, n, 0);
    cr_assert_lt(o.len, n, "normalization should shrink diacritized Arabic text");
    dw_buf_free(&o);
    free(text);
}

/* A long run of alternating marks (230, 220) must be put in canonical order
 * in O(n log n), not O(n^2): 'a' + (U+0301 U+0316) x 100000 becomes
 * U+00E1 + U+0316 x 100000 + U+0301 x 99999. */
Test(norm, long_mark_runs, .timeout = 120)
{
    const size_t pairs = 100000;
    dw_buf s = DW_BUF_INIT, want = DW_BUF_INIT;
    dw_buf_puts(&s, "a");
    for (size_t i = 0; i < pairs; i++)
        dw_buf_puts(&s, "\xCC\x81\xCC\x96");
    dw_buf_puts(&want, "\xC3\xA1");
    for (size_t i = 0; i < pairs; i++)
        dw_buf_puts(&want, "\xCC\x96");
    for (size_t i = 1; i < pairs; i++)
        dw_buf_puts(&want, "\xCC\x81");
    dw_buf got = norm_of(s.data, s.len, 0);
    cr_assert(norm_same(&got, &want), "long mark run: %zu bytes, expected %zu", got.len, want.len);
    norm_check_paths(s.data, s.len, 0, "long mark run");
    dw_buf_free(&got);
    dw_buf_free(&s);
    dw_buf_free(&want);
}
