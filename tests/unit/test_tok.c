/* test_tok.c: tests of the tokenizer. Cases (tokens and sentence starts)
 * come from tests/data/tok.tsv; plus: no token ever ends inside a character
 * whatever the cut, dw_tok_count agrees with dw_tok_next, and (when
 * ../shared is present) tokens of real normalized text are well formed. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "core/buf.h"
#include "core/norm.h"
#include "core/tok.h"
#include "core/utf8.h"
#include "helpers.h"
#include "tsvcase.h"

/* Tokens of s[0..n) as "^a | b | ^c" (^ marks sentence_start). */
static dw_buf tok_render(const char *s, size_t n, size_t *count)
{
    dw_buf b = DW_BUF_INIT;
    dw_tok t;
    dw_token k;
    *count = 0;
    dw_tok_init(&t, s, n);
    while (dw_tok_next(&t, &k)) {
        cr_assert_leq(k.off + k.len, n);
        cr_assert_gt(k.len, 0);
        if (*count)
            dw_buf_puts(&b, " | ");
        if (k.sentence_start)
            dw_buf_puts(&b, "^");
        dw_buf_append(&b, s + k.off, k.len);
        (*count)++;
    }
    dw_token again;
    cr_assert_eq(dw_tok_next(&t, &again), 0, "tokenizer restarted after its end");
    return b;
}

Test(tok, cases_from_tsv)
{
    dwt_case *c;
    size_t n = dwt_cases_load("tests/data/tok.tsv", &c);
    cr_assert_geq(n, 30, "tok.tsv has only %zu cases", n);
    for (size_t i = 0; i < n; i++) {
        size_t count;
        dw_buf got = tok_render(c[i].f[0], c[i].len[0], &count);
        cr_expect_str_eq(dw_buf_str(&got), c[i].f[1], "tok.tsv line %d: got [%s], expected [%s]", c[i].line,
                         dw_buf_str(&got), c[i].f[1]);
        cr_expect_eq(dw_tok_count(c[i].f[0], c[i].len[0]), count, "tok.tsv line %d: dw_tok_count",
                     c[i].line);
        dw_buf_free(&got);
    }
    dwt_cases_free(c, n);
}

/* Checks that every token of s[0..n) is valid UTF-8 made of whole
 * characters of the full text full[0..fn) (s is a prefix of it). */
static void tok_check_whole_chars(const char *s, size_t n, const char *full, size_t fn)
{
    /* character starts of the full text */
    char *start = calloc(fn + 1, 1);
    for (size_t i = 0; i < fn;)
        start[i] = 1, i += dw_utf8_next((const unsigned char *)full + i, fn - i, &(int32_t){0}, NULL);
    start[fn] = 1;
    dw_tok t;
    dw_token k;
    size_t count = 0, prev_end = 0;
    dw_tok_init(&t, s, n);
    while (dw_tok_next(&t, &k)) {
        cr_assert_geq(k.off, prev_end, "tokens overlap");
        cr_assert_leq(k.off + k.len, n, "token beyond the end");
        cr_assert(start[k.off] && start[k.off + k.len], "prefix %zu: token [%zu,+%zu) cuts a character", n,
                  k.off, k.len);
        cr_assert_eq(dw_utf8_valid_prefix((const unsigned char *)s + k.off, k.len), k.len,
                     "prefix %zu: token at %zu is not valid UTF-8", n, k.off);
        prev_end = k.off + k.len;
        count++;
    }
    cr_assert_eq(dw_tok_count(s, n), count, "prefix %zu: dw_tok_count", n);
    free(start);
}

Test(tok, every_prefix_keeps_whole_characters)
{
    static const char text[] = "مرحبًا بالعالم، héllo wörld 😀 ١٢٣ e\u0301te ΑΒΓ 日本語 🇪🇬 کوریا\u200Cی "
                               "1\uFE0F\u20E3 \U0001D400\U0001D401 z";
    size_t n = sizeof text - 1;
    for (size_t p = 0; p <= n; p++)
        tok_check_whole_chars(text, p, text, n);
    /* and every suffix, which starts with continuation bytes */
    for (size_t p = 0; p <= n; p++) {
        size_t count;
        dw_buf b = tok_render(text + p, n - p, &count);
        cr_assert_eq(dw_utf8_valid_prefix((const unsigned char *)b.data, b.len), b.len);
        dw_buf_free(&b);
    }
}

Test(tok, every_code_point_is_classified_like_its_category)
{
    for (int32_t cp = 0; cp <= 0x10FFFF; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        char s[8] = "a ";
        size_t n = 2 + dw_utf8_encode(cp, s + 2);
        s[n++] = 'b';
        utf8proc_category_t cat = utf8proc_category(cp);
        int word = (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) ||
                   (cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO);
        int mark = cat >= UTF8PROC_CATEGORY_MN && cat <= UTF8PROC_CATEGORY_ME;
        /* "a X" then "b": a letter or digit X starts the token "Xb"; a mark
         * with no letter before it, or a separator, does not */
        cr_assert_eq(dw_tok_count(s, n), 2, "U+%04X", (unsigned)cp);
        dw_tok t;
        dw_token k;
        dw_tok_init(&t, s, n);
        cr_assert(dw_tok_next(&t, &k) && dw_tok_next(&t, &k));
        if (word)
            cr_assert_eq(k.off, 2, "U+%04X should start a token", (unsigned)cp);
        else
            cr_assert_eq(k.off, n - 1, "U+%04X should not start a token", (unsigned)cp);
        /* "aX": a letter, digit or mark continues the token */
        char j[8] = "a";
        size_t jn = 1 + dw_utf8_encode(cp, j + 1);
        cr_assert_eq(dw_tok_count(j, jn), 1, "U+%04X", (unsigned)cp);
        dw_tok_init(&t, j, jn);
        cr_assert(dw_tok_next(&t, &k));
        cr_assert_eq(k.len, (word || mark) ? jn : 1, "U+%04X after a letter", (unsigned)cp);
    }
}

Test(tok, sentence_starts_count_newlines_and_ends)
{
    static const char s[] = "first line\n\nsecond. third! fourth? fifth؟ sixth؛ seventh; 3.5 a.b end";
    dw_tok t;
    dw_token k;
    size_t starts = 0, tokens = 0;
    dw_tok_init(&t, s, sizeof s - 1);
    while (dw_tok_next(&t, &k)) {
        starts += (size_t)k.sentence_start;
        tokens++;
    }
    cr_assert_eq(tokens, 13);
    cr_assert_eq(starts, 8);
}

Test(tok, real_normalized_text, .timeout = 300)
{
    const char *sh = dwt_shared();
    if (!sh)
        cr_skip_test("../shared not found: real-text tokenizer test skipped");
    char path[4096];
    snprintf(path, sizeof path, "%s/seeds/000_ed7c3fead92d0ce9.txt", sh);
    size_t n;
    char *raw = dwt_read_file(path, &n);
    cr_assert(raw != NULL, "cannot read %s", path);
    dw_buf norm = DW_BUF_INIT;
    cr_assert_eq(dw_norm_text(&norm, raw, n, 0), 0);
    dw_tok t;
    dw_token k;
    size_t tokens = 0, starts = 0;
    dw_tok_init(&t, norm.data, norm.len);
    while (dw_tok_next(&t, &k)) {
        for (size_t i = k.off; i < k.off + k.len;) {
            int32_t cp;
            int ok;
            i += dw_utf8_next((const unsigned char *)norm.data + i, k.off + k.len - i, &cp, &ok);
            cr_assert(ok);
            utf8proc_category_t cat = utf8proc_category(cp);
            cr_assert(cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_NO, "U+%04X in a token",
                      (unsigned)cp);
        }
        tokens++;
        starts += (size_t)k.sentence_start;
    }
    cr_assert_eq(dw_tok_count(norm.data, norm.len), tokens);
    cr_assert_gt(tokens, 100);
    cr_assert_gt(starts, 5);
    dw_buf_free(&norm);
    free(raw);
}
