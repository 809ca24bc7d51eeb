/* test_grams.c: tests of the 13-gram hashing (core/grams.h): the rolling
 * value equals a direct computation of every window, short texts have no
 * 13-gram, sampling keeps the hashes with h % 16 == 0 and nothing else, the
 * tokens (hence the hashes) do not depend on DW_NORM_NO_NEWLINES, and a
 * pinned value guards the definition (it is stored in databases). */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "core/buf.h"
#include "core/grams.h"
#include "core/norm.h"
#include "core/tok.h"
#include "helpers.h"

/* Collected hashes. */
typedef struct {
    uint64_t *h; /* hashes, in order */
    size_t n;    /* how many */
    size_t cap;  /* allocated */
} hvec;

static void hvec_push(uint64_t h, void *arg)
{
    hvec *v = arg;
    if (v->n == v->cap) {
        v->cap = v->cap ? 2 * v->cap : 64;
        v->h = realloc(v->h, v->cap * sizeof *v->h);
        cr_assert_not_null(v->h);
    }
    v->h[v->n++] = h;
}

/* The hash of every 13-gram of norm[0..n) computed window by window from the
 * definition in grams.h (no rolling). */
static hvec direct_grams(const char *norm, size_t n)
{
    hvec toks = {0}, out = {0};
    dw_tok t;
    dw_token k;
    dw_tok_init(&t, norm, n);
    while (dw_tok_next(&t, &k))
        hvec_push(XXH3_64bits(norm + k.off, k.len), &toks);
    for (size_t i = 0; i + DW_GRAMS_N <= toks.n; i++) {
        uint64_t h = 0;
        for (size_t j = 0; j < DW_GRAMS_N; j++) {
            uint64_t w = 1; /* B^(12-j) */
            for (size_t p = 0; p < DW_GRAMS_N - 1 - j; p++)
                w *= DW_GRAMS_BASE;
            h += toks.h[i + j] * w;
        }
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdull;
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53ull;
        h ^= h >> 33;
        hvec_push(h ? h : 1, &out);
    }
    free(toks.h);
    return out;
}

/* Normalized text of s with flags (caller frees). */
static dw_buf norm_of(const char *s, size_t n, unsigned flags)
{
    dw_buf b = DW_BUF_INIT;
    cr_assert_eq(dw_norm_text(&b, s, n, flags), 0);
    return b;
}

static const char *const text47 =
    "قال وزير الخارجية في مؤتمر صحفي عقده اليوم إن المحادثات مع الجانب الآخر\n"
    "ستستأنف الأسبوع المقبل، وأضاف أن الحكومة ملتزمة بالحل السلمي للأزمة التي\n"
    "تشهدها المنطقة منذ أشهر. The minister said talks would resume next week in Geneva, "
    "with 3.5 percent growth expected; وأكد أن 2024 عام";

Test(grams, rolling_equals_direct)
{
    dw_buf nb = norm_of(text47, strlen(text47), 0);
    size_t ntok = dw_tok_count(nb.data, nb.len);
    cr_assert_geq(ntok, 40, "the text has %zu tokens", ntok);
    hvec got = {0};
    cr_assert_eq(dw_grams_hash(nb.data, nb.len, hvec_push, &got), ntok);
    hvec want = direct_grams(nb.data, nb.len);
    cr_assert_eq(got.n, ntok - 12);
    cr_assert_eq(want.n, got.n);
    for (size_t i = 0; i < got.n; i++)
        cr_assert_eq(got.h[i], want.h[i], "window %zu: %016llx, direct %016llx", i, (unsigned long long)got.h[i],
                     (unsigned long long)want.h[i]);
    /* distinct windows, distinct hashes (no degenerate rolling) */
    for (size_t i = 0; i < got.n; i++)
        for (size_t j = i + 1; j < got.n; j++)
            cr_assert_neq(got.h[i], got.h[j]);
    free(got.h);
    free(want.h);
    dw_buf_free(&nb);
}

Test(grams, pinned_value)
{
    /* the stored format: changing the definition changes this value, and
     * databases ingested before would disagree with the new code */
    const char *t = "one two three four five six seven eight nine ten eleven twelve thirteen";
    hvec got = {0};
    cr_assert_eq(dw_grams_hash(t, strlen(t), hvec_push, &got), 13);
    cr_assert_eq(got.n, 1);
    cr_assert_eq(got.h[0], 0x585d7723f51bc98dull, "hash %016llx", (unsigned long long)got.h[0]);
    free(got.h);
}

Test(grams, short_texts)
{
    hvec got = {0};
    const char *t12 = "a b c d e f g h i j k l";
    cr_assert_eq(dw_grams_hash(t12, strlen(t12), hvec_push, &got), 12);
    cr_assert_eq(got.n, 0);
    cr_assert_eq(dw_grams_hash("", 0, hvec_push, &got), 0);
    cr_assert_eq(dw_grams_hash(NULL, 0, hvec_push, &got), 0);
    cr_assert_eq(got.n, 0);
    const char *t13 = "a b c d e f g h i j k l m";
    cr_assert_eq(dw_grams_hash(t13, strlen(t13), hvec_push, &got), 13);
    cr_assert_eq(got.n, 1);
    dw_buf s = DW_BUF_INIT;
    size_t nt = 99;
    cr_assert_eq(dw_grams_sample(t12, strlen(t12), &s, &nt), 0);
    cr_assert_eq(nt, 12);
    cr_assert_eq(s.len, 0);
    free(got.h);
    dw_buf_free(&s);
}

Test(grams, sampling)
{
    cr_assert_eq(dw_grams_sampled(0x10), 1);
    cr_assert_eq(dw_grams_sampled(0xabcdef00), 1);
    for (uint64_t low = 1; low < 16; low++)
        cr_assert_eq(dw_grams_sampled(0x1230 | low), 0);
    /* a long text of 20000 tokens drawn from 500 words */
    dw_buf text = DW_BUF_INIT;
    uint64_t x = 12345;
    for (int i = 0; i < 20000; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        dw_buf_printf(&text, "w%u ", (unsigned)(x >> 33) % 500);
    }
    hvec all = {0};
    cr_assert_eq(dw_grams_hash(text.data, text.len, hvec_push, &all), 20000);
    dw_buf s = DW_BUF_INIT;
    size_t nt = 0;
    cr_assert_eq(dw_grams_sample(text.data, text.len, &s, &nt), 0);
    cr_assert_eq(nt, 20000);
    cr_assert_eq(s.len % 8, 0);
    /* the sample is exactly the hashes with h % 16 == 0, in text order,
     * 8 bytes little-endian each */
    size_t k = 0;
    for (size_t i = 0; i < all.n; i++) {
        if (all.h[i] % 16)
            continue;
        cr_assert_lt(k, s.len / 8);
        const unsigned char *p = (const unsigned char *)s.data + 8 * k;
        cr_assert_eq(p[0], all.h[i] & 0xff);
        cr_assert_eq(p[7], all.h[i] >> 56);
        cr_assert_eq(dw_grams_at(s.data, k), all.h[i]);
        k++;
    }
    cr_assert_eq(k, s.len / 8);
    /* about one in 16 (19988 windows: 1249 expected, sd 34) */
    cr_assert_gt(k, 1100);
    cr_assert_lt(k, 1400);
    free(all.h);
    dw_buf_free(&s);
    dw_buf_free(&text);
}

/* Tokens of norm[0..n) joined by U+001F. */
static dw_buf tokens_of(const dw_buf *norm)
{
    dw_buf out = DW_BUF_INIT;
    dw_tok t;
    dw_token k;
    dw_tok_init(&t, dw_buf_str(norm), norm->len);
    while (dw_tok_next(&t, &k)) {
        dw_buf_append(&out, norm->data + k.off, k.len);
        dw_buf_putc(&out, '\x1f');
    }
    return out;
}

/* Checks that s[0..n) has the same tokens and 13-gram hashes normalized
 * with and without DW_NORM_NO_NEWLINES (both teh marbuta settings). */
static void check_newlines(const char *what, const char *s, size_t n)
{
    for (unsigned f = 0; f <= DW_NORM_TEH_MARBUTA; f += DW_NORM_TEH_MARBUTA) {
        dw_buf a = norm_of(s, n, f), b = norm_of(s, n, f | DW_NORM_NO_NEWLINES);
        dw_buf ta = tokens_of(&a), tb = tokens_of(&b);
        cr_assert_eq(ta.len, tb.len, "%s: tokens differ with DW_NORM_NO_NEWLINES", what);
        cr_assert(ta.len == 0 || memcmp(ta.data, tb.data, ta.len) == 0, "%s: tokens differ", what);
        dw_buf ga = DW_BUF_INIT, gb = DW_BUF_INIT;
        cr_assert_eq(dw_grams_sample(dw_buf_str(&a), a.len, &ga, NULL), 0);
        cr_assert_eq(dw_grams_sample(dw_buf_str(&b), b.len, &gb, NULL), 0);
        cr_assert_eq(ga.len, gb.len, "%s: samples differ", what);
        cr_assert(ga.len == 0 || memcmp(ga.data, gb.data, ga.len) == 0, "%s: samples differ", what);
        dw_buf_free(&a);
        dw_buf_free(&b);
        dw_buf_free(&ta);
        dw_buf_free(&tb);
        dw_buf_free(&ga);
        dw_buf_free(&gb);
    }
}

Test(grams, newlines_do_not_matter)
{
    static const char *const cases[] = {
        "a\nb", "a\n\nb", "a \n b", "a\r\nb", "a\vb\fc", "a\xc2\x85" "b", "a\xe2\x80\xa8" "b\xe2\x80\xa9" "c",
        "a\n\xcc\x81" "b",           /* a combining mark after a newline */
        "e\n\xd9\x80\xcc\x81",       /* tatweel (dropped) then a mark, after a newline */
        "\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7\n\xd9\x8e\xd8\xa8\xd9\x83", /* a diacritic after a newline */
        "x.\ny", "3\n.5", "\n\nlead and trail\n\n", "\xc2\xa0\n\xc2\xa0word\xe2\x80\x8b\nword",
        "one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\neleven\ntwelve\nthirteen\nfourteen",
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        check_newlines(cases[i], cases[i], strlen(cases[i]));
    check_newlines("text47", text47, strlen(text47));
}

/* check_newlines on every regular file of dir (up to max files). */
static size_t check_dir(const char *dir, size_t max)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *de;
    size_t done = 0;
    while (done < max && (de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        size_t n;
        char *s = dwt_read_file(p, &n);
        if (!s)
            continue;
        check_newlines(p, s, n);
        free(s);
        done++;
    }
    closedir(d);
    return done;
}

Test(grams, newlines_do_not_matter_in_the_corpora)
{
    char d[4096];
    snprintf(d, sizeof d, "%s/sample/pages", dwt_root());
    cr_assert_geq(check_dir(d, 1000), 40);
    if (!dwt_shared())
        cr_skip_test("../shared not found: the seeds were not checked");
    snprintf(d, sizeof d, "%s/seeds", dwt_shared());
    cr_assert_gt(check_dir(d, 300), 0);
}
