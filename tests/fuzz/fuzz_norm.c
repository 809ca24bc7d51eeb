/* fuzz_norm.c: libFuzzer target for the normalizer (dw_norm_text) and the
 * tokenizer (dw_tok_*). Built and run by `make fuzz` (see the Makefile), or:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *     $(pkg-config --cflags libutf8proc) tests/fuzz/fuzz_norm.c \
 *     src/core/norm.c src/core/tok.c src/core/utf8.c src/core/buf.c \
 *     $(pkg-config --libs libutf8proc) -o fuzz_norm
 *   ./fuzz_norm -max_total_time=120 -dict=tests/fuzz/norm.dict tests/fuzz/seeds/norm
 *
 * The first byte chooses the flags (teh marbuta fold, newlines kept or not);
 * the rest is the text, copied to an exact-size buffer so that a read past
 * its end is caught. Checks, any failure aborts:
 *   - the fast path and the reference path (DW_NORM_NO_FAST_PATH) agree;
 *   - the output is valid UTF-8, holds no NUL that was not in the input, no
 *     leading or trailing space and no run of two spaces;
 *   - normalization is idempotent: normalizing the output gives the output;
 *   - on the raw input and on the output, every token lies within the text,
 *     is not empty, starts after the previous one ends, starts and ends on a
 *     UTF-8 character boundary, and dw_tok_count counts as many tokens. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/norm.h"
#include "core/tok.h"
#include "core/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 1 when byte i of s starts a character or is the end of s: not a UTF-8
 * continuation byte following a lead byte whose sequence covers it. A token
 * may not end or start in the middle of a valid multi-byte sequence. */
static int fz_on_boundary(const unsigned char *s, size_t n, size_t i)
{
    if (i == 0 || i >= n)
        return 1;
    /* walk back to the start of the sequence covering byte i, if any */
    for (size_t k = 1; k <= 3 && k <= i; k++) {
        size_t st = i - k;
        if ((s[st] & 0xC0) == 0x80)
            continue; /* another continuation byte */
        int32_t cp;
        int ok;
        size_t len = dw_utf8_next(s + st, n - st, &cp, &ok);
        return !(ok && len > k);
    }
    return 1;
}

static void fz_check_tokens(const char *s, size_t n)
{
    dw_tok t;
    dw_token tk;
    size_t count = 0, end = 0;
    dw_tok_init(&t, s, n);
    while (dw_tok_next(&t, &tk)) {
        if (tk.len == 0 || tk.off < end || tk.off > n || tk.len > n - tk.off) {
            fprintf(stderr, "token %zu+%zu out of bounds (n %zu, previous end %zu)\n", tk.off, tk.len, n, end);
            abort();
        }
        if (!fz_on_boundary((const unsigned char *)s, n, tk.off) ||
            !fz_on_boundary((const unsigned char *)s, n, tk.off + tk.len)) {
            fprintf(stderr, "token %zu+%zu splits a UTF-8 character\n", tk.off, tk.len);
            abort();
        }
        end = tk.off + tk.len;
        if (++count > n)
            abort();
    }
    if (dw_tok_count(s, n) != count) {
        fprintf(stderr, "dw_tok_count %zu, dw_tok_next %zu\n", dw_tok_count(s, n), count);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned flags = 0;
    if (data[0] & 1)
        flags |= DW_NORM_TEH_MARBUTA;
    if (data[0] & 2)
        flags |= DW_NORM_NO_NEWLINES;
    data++;
    size--;
    char *s = malloc(size ? size : 1);
    if (!s)
        return 0;
    memcpy(s, data, size);

    dw_buf a = DW_BUF_INIT, b = DW_BUF_INIT, c = DW_BUF_INIT;
    if (dw_norm_text(&a, s, size, flags) != 0 || dw_norm_text(&b, s, size, flags | DW_NORM_NO_FAST_PATH) != 0)
        abort();
    if (a.len != b.len || memcmp(dw_buf_str(&a), dw_buf_str(&b), a.len) != 0) {
        fprintf(stderr, "fast path and reference path differ\n");
        abort();
    }
    const unsigned char *o = (const unsigned char *)dw_buf_str(&a);
    if (dw_utf8_valid_prefix(o, a.len) != a.len) {
        fprintf(stderr, "output is not valid UTF-8\n");
        abort();
    }
    if (a.len && (o[0] == ' ' || o[a.len - 1] == ' ' || memmem(o, a.len, "  ", 2)))
        abort(); /* white space runs collapse and the ends are trimmed */
    if (memchr(o, '\0', a.len) && !memchr(s, '\0', size))
        abort();
    if (dw_norm_text(&c, dw_buf_str(&a), a.len, flags) != 0)
        abort();
    if (c.len != a.len || memcmp(dw_buf_str(&c), dw_buf_str(&a), a.len) != 0) {
        fprintf(stderr, "not idempotent:\n%s\n---\n%s\n", dw_buf_str(&a), dw_buf_str(&c));
        abort();
    }

    /* tokens of the output, then of the raw input (invalid bytes included),
     * each over an exact-size copy */
    char *on = malloc(a.len ? a.len : 1);
    if (on) {
        memcpy(on, dw_buf_str(&a), a.len);
        fz_check_tokens(on, a.len);
        free(on);
    }
    fz_check_tokens(s, size);

    dw_buf_free(&a);
    dw_buf_free(&b);
    dw_buf_free(&c);
    free(s);
    return 0;
}
