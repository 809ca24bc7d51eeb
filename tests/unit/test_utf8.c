/* test_utf8.c: tests of UTF-8 decoding, encoding, validation, repair and
 * sniffing: Unicode's Table 3-7 edges (overlongs, surrogates, > U+10FFFF,
 * truncated sequences), the maximal-subpart examples of Unicode 3.9, and
 * encodings built here with iconv (Windows-1256, ISO-8859-1). */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "core/buf.h"
#include "core/utf8.h"
#include "helpers.h"

/* One decoding case: bytes, expected length (0 = invalid), code point,
 * and the length dw_utf8_next consumes. */
typedef struct {
    const char *s;  /* bytes */
    size_t n;       /* their number */
    size_t len;     /* dw_utf8_decode result */
    int32_t cp;     /* expected code point (U+FFFD when invalid) */
    size_t next;    /* dw_utf8_next result (maximal subpart when invalid) */
    const char *what;
} utf8_case;

#define C(str, len, cp, next, what) {str, sizeof(str) - 1, len, cp, next, what}

static const utf8_case utf8_cases[] = {
    C("A", 1, 0x41, 1, "ascii"),
    C("\x7F", 1, 0x7F, 1, "DEL"),
    C("\xC2\x80", 2, 0x80, 2, "smallest 2-byte"),
    C("\xDF\xBF", 2, 0x7FF, 2, "largest 2-byte"),
    C("\xD8\xA7", 2, 0x0627, 2, "arabic alef"),
    C("\xE0\xA0\x80", 3, 0x800, 3, "smallest 3-byte"),
    C("\xED\x9F\xBF", 3, 0xD7FF, 3, "just below the surrogates"),
    C("\xEE\x80\x80", 3, 0xE000, 3, "just above the surrogates"),
    C("\xEF\xBF\xBF", 3, 0xFFFF, 3, "largest 3-byte"),
    C("\xF0\x90\x80\x80", 4, 0x10000, 4, "smallest 4-byte"),
    C("\xF0\x9F\x98\x80", 4, 0x1F600, 4, "emoji"),
    C("\xF4\x8F\xBF\xBF", 4, 0x10FFFF, 4, "U+10FFFF"),
    /* overlong forms */
    C("\xC0\x80", 0, 0xFFFD, 1, "overlong NUL"),
    C("\xC0\xAF", 0, 0xFFFD, 1, "overlong slash"),
    C("\xC1\xBF", 0, 0xFFFD, 1, "overlong 2-byte"),
    C("\xE0\x80\x80", 0, 0xFFFD, 1, "overlong 3-byte NUL"),
    C("\xE0\x9F\xBF", 0, 0xFFFD, 1, "overlong U+07FF"),
    C("\xF0\x80\x80\x80", 0, 0xFFFD, 1, "overlong 4-byte NUL"),
    C("\xF0\x8F\xBF\xBF", 0, 0xFFFD, 1, "overlong U+FFFF"),
    /* surrogates */
    C("\xED\xA0\x80", 0, 0xFFFD, 1, "U+D800"),
    C("\xED\xBF\xBF", 0, 0xFFFD, 1, "U+DFFF"),
    C("\xED\xA0\x80\xED\xB0\x80", 0, 0xFFFD, 1, "CESU pair"),
    /* above U+10FFFF */
    C("\xF4\x90\x80\x80", 0, 0xFFFD, 1, "U+110000"),
    C("\xF5\x80\x80\x80", 0, 0xFFFD, 1, "F5 lead"),
    C("\xF7\xBF\xBF\xBF", 0, 0xFFFD, 1, "F7 lead"),
    C("\xF8\x88\x80\x80\x80", 0, 0xFFFD, 1, "5-byte form"),
    C("\xFC\x84\x80\x80\x80\x80", 0, 0xFFFD, 1, "6-byte form"),
    C("\xFE", 0, 0xFFFD, 1, "FE"),
    C("\xFF", 0, 0xFFFD, 1, "FF"),
    /* stray continuation bytes */
    C("\x80", 0, 0xFFFD, 1, "lone 80"),
    C("\xBF\x41", 0, 0xFFFD, 1, "lone BF"),
    /* truncated at the end of the buffer */
    C("\xD8", 0, 0xFFFD, 1, "cut 2-byte"),
    C("\xE2\x82", 0, 0xFFFD, 2, "cut 3-byte after 2"),
    C("\xE2", 0, 0xFFFD, 1, "cut 3-byte after 1"),
    C("\xF0\x9F\x98", 0, 0xFFFD, 3, "cut 4-byte after 3"),
    C("\xF0\x9F", 0, 0xFFFD, 2, "cut 4-byte after 2"),
    /* truncated inside the buffer */
    C("\xE2\x82\x41", 0, 0xFFFD, 2, "3-byte broken by A"),
    C("\xF0\x9F\x98\x41", 0, 0xFFFD, 3, "4-byte broken by A"),
    C("\xD8\xD8\xA7", 0, 0xFFFD, 1, "2-byte broken by a lead"),
    C("\xE0\xA0\xC0", 0, 0xFFFD, 2, "3-byte broken by C0"),
};

Test(utf8, decode_and_next_table)
{
    for (size_t i = 0; i < sizeof utf8_cases / sizeof utf8_cases[0]; i++) {
        const utf8_case *c = &utf8_cases[i];
        const unsigned char *u = (const unsigned char *)c->s;
        int32_t cp = -7;
        cr_expect_eq(dw_utf8_decode(u, c->n, &cp), c->len, "%s: decode length", c->what);
        cr_expect_eq(cp, c->cp, "%s: decoded U+%04X", c->what, (unsigned)cp);
        int ok = -1;
        cp = -7;
        cr_expect_eq(dw_utf8_next(u, c->n, &cp, &ok), c->next, "%s: next length", c->what);
        cr_expect_eq(cp, c->cp, "%s: next U+%04X", c->what, (unsigned)cp);
        cr_expect_eq(ok, c->len != 0, "%s: next ok", c->what);
        cr_expect_eq(dw_utf8_valid_prefix(u, c->n), c->len ? c->len : 0, "%s: valid prefix", c->what);
    }
}

Test(utf8, encode_decode_round_trip_every_scalar)
{
    for (int32_t cp = 0; cp <= 0x10FFFF; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        char b[4];
        size_t n = dw_utf8_encode(cp, b);
        size_t want = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        cr_assert_eq(n, want, "U+%04X encoded in %zu bytes", (unsigned)cp, n);
        int32_t back;
        cr_assert_eq(dw_utf8_decode((const unsigned char *)b, n, &back), n);
        cr_assert_eq(back, cp);
        /* every proper prefix is an incomplete tail, and invalid alone */
        for (size_t k = 1; k < n; k++) {
            cr_assert_eq(dw_utf8_incomplete_tail((const unsigned char *)b, k), k, "U+%04X cut at %zu",
                         (unsigned)cp, k);
            cr_assert_eq(dw_utf8_decode((const unsigned char *)b, k, &back), 0);
        }
        cr_assert_eq(dw_utf8_incomplete_tail((const unsigned char *)b, n), 0);
    }
}

Test(utf8, encode_non_scalars_as_replacement)
{
    static const int32_t bad[] = {0xD800, 0xDBFF, 0xDC00, 0xDFFF, 0x110000, 0x7FFFFFFF, -1};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char b[4];
        cr_assert_eq(dw_utf8_encode(bad[i], b), 3);
        cr_assert(!memcmp(b, "\xEF\xBF\xBD", 3), "0x%X not encoded as U+FFFD", (unsigned)bad[i]);
    }
}

Test(utf8, valid_prefix)
{
    static const struct {
        const char *s;
        size_t want;
    } t[] = {
        {"", 0},
        {"plain ascii text longer than eight bytes", 40},
        {"\xD8\xB3\xD9\x84\xD8\xA7\xD9\x85", 8},
        {"abcdefgh\xD8\xA7ijklmnop\xFF", 18},
        {"abc\xE2\x82", 3},
        {"abc\xED\xA0\x80xyz", 3},
        {"\xF0\x9F\x98\x80\xF4\x90\x80\x80", 4},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        cr_expect_eq(dw_utf8_valid_prefix((const unsigned char *)t[i].s, strlen(t[i].s)), t[i].want,
                     "case %zu", i);
}

/* dw_utf8_count (eight bytes at a time) against a byte-by-byte count, on
 * random bytes weighted towards continuation and lead bytes, for every
 * length up to 80 at every alignment */
Test(utf8, count_matches_byte_by_byte)
{
    static const unsigned char pick[] = {'a', ' ', 0x7F, 0x80, 0xBF, 0xA7, 0xC0, 0xD8, 0xD9, 0xE2, 0xF0, 0xFF, 0x40};
    unsigned char buf[96];
    uint32_t x = 12345;
    for (int round = 0; round < 50; round++)
        for (size_t n = 0; n <= 80; n++)
            for (size_t at = 0; at < 8; at++) {
                for (size_t i = 0; i < n; i++) {
                    x = x * 1103515245u + 12345u;
                    buf[at + i] = pick[(x >> 16) % sizeof pick];
                }
                size_t want = 0;
                for (size_t i = 0; i < n; i++)
                    want += (buf[at + i] & 0xC0) != 0x80;
                cr_assert_eq(dw_utf8_count((const char *)buf + at, n), want, "length %zu at %zu", n, at);
            }
    cr_expect_eq(dw_utf8_count("\xD8\xB3\xD9\x84\xD8\xA7\xD9\x85 abc\xF0\x9F\x98\x80", 16), 9u);
}

Test(utf8, incomplete_tail)
{
    static const struct {
        const char *s;
        size_t want;
    } t[] = {
        {"", 0},
        {"abc", 0},
        {"ab\xD8", 1},
        {"ab\xD8\xA7", 0},
        {"\xE2\x82", 2},
        {"\xE2\x82\xAC", 0},
        {"x\xF0\x9F\x98", 3},
        {"\xF0\x9F\x98\x80", 0},
        {"\xF0", 1},
        {"\xC0", 0},         /* never valid */
        {"\xC1", 0},         /* never valid */
        {"\xF5", 0},         /* never valid */
        {"\xFF", 0},         /* never valid */
        {"a\x80", 0},        /* stray continuation */
        {"\xE0\x80", 0},     /* overlong prefix */
        {"\xE0\xA0", 2},     /* good prefix */
        {"\xED\xA0", 0},     /* surrogate prefix */
        {"\xED\x9F", 2},     /* U+D7xx prefix */
        {"\xF4\x90", 0},     /* > U+10FFFF prefix */
        {"\xF4\x8F\xBF", 3}, /* U+10FFFF prefix */
        {"\xE2\x41\x82", 0}, /* broken, not incomplete */
        {"\x80\x80\x80", 0}, /* continuation bytes only */
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        cr_expect_eq(dw_utf8_incomplete_tail((const unsigned char *)t[i].s, strlen(t[i].s)), t[i].want,
                     "case %zu", i);
}

/* Unicode 15, section 3.9, Tables 3-8 to 3-11 (U+FFFD for maximal subparts). */
Test(utf8, repair_maximal_subparts)
{
    static const struct {
        const char *in;
        size_t n;
        const char *out;
        size_t count, first;
    } t[] = {
        {"\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64", 13,
         "a\uFFFD\uFFFD\uFFFDb\uFFFDc\uFFFD\uFFFDd", 6, 1},
        {"\xC0\xAF\xE0\x80\xBF\xF0\x81\x82\x41", 9,
         "\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFDA", 8, 0},
        {"\xED\xA0\x80\xED\xBF\xBF\xED\xAF\x41", 9,
         "\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFDA", 8, 0},
        {"\xF4\x91\x92\x93\xFF\x41\x80\xBF\x42", 9, "\uFFFD\uFFFD\uFFFD\uFFFD\uFFFDA\uFFFD\uFFFDB", 7, 0},
        {"\xE1\x80\xE2\xF0\x91\x92\xF1\xBF\x41", 9, "\uFFFD\uFFFD\uFFFD\uFFFDA", 4, 0},
        {"\xD8\xB3\xD9\x84\xD8", 5, "\xD8\xB3\xD9\x84\uFFFD", 1, 4},
        {"ok \xF0\x9F\x98\x80", 7, "ok \xF0\x9F\x98\x80", 0, (size_t)-1},
        {"", 0, "", 0, (size_t)-1},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        dw_buf b = DW_BUF_INIT;
        size_t first = 12345;
        cr_expect_eq(dw_utf8_repair(&b, t[i].in, t[i].n, &first), t[i].count, "case %zu count", i);
        cr_expect_eq(first, t[i].first, "case %zu first bad %zu", i, first);
        cr_expect_str_eq(dw_buf_str(&b), t[i].out, "case %zu", i);
        cr_expect_eq(dw_utf8_valid_prefix((const unsigned char *)dw_buf_str(&b), b.len), b.len);
        dw_buf_free(&b);
    }
    /* appends, and first_bad may be NULL */
    dw_buf b = DW_BUF_INIT;
    dw_buf_puts(&b, "x");
    cr_assert_eq(dw_utf8_repair(&b, "\xFFy", 2, NULL), 1);
    cr_assert_str_eq(dw_buf_str(&b), "x\uFFFDy");
    dw_buf_free(&b);
}

/* Converts UTF-8 text to another encoding with iconv (caller frees). */
static char *utf8_iconv(const char *to, const char *s, size_t *outlen)
{
    iconv_t cd = iconv_open(to, "UTF-8");
    cr_assert(cd != (iconv_t)-1, "iconv cannot convert to %s", to);
    size_t inleft = strlen(s), cap = inleft * 4 + 16, outleft = cap;
    char *out = malloc(cap), *in = (char *)s, *o = out;
    cr_assert(iconv(cd, &in, &inleft, &o, &outleft) != (size_t)-1, "iconv to %s failed", to);
    iconv_close(cd);
    *outlen = cap - outleft;
    return out;
}

static const char utf8_arabic[] =
    "ذهب الطلاب إلى المكتبة صباح يوم الخميس لقراءة الكتب الجديدة، ثم عادوا إلى "
    "بيوتهم بعد الظهر. قال المعلم إن القراءة تفتح أبواب المعرفة أمام الجميع.\n";

Test(utf8, sniff_empty_and_binary)
{
    cr_expect_eq(dw_text_sniff("", 0), DW_SNIFF_EMPTY);
    cr_expect_eq(dw_text_sniff(" \t\r\n\f\v ", 7), DW_SNIFF_EMPTY);
    cr_expect_eq(dw_text_sniff("\xEF\xBB\xBF \xC2\xA0\xE3\x80\x80\n", 10), DW_SNIFF_EMPTY);
    cr_expect_eq(dw_text_sniff(" x ", 3), DW_SNIFF_TEXT);
    cr_expect_eq(dw_text_sniff("abc\0def", 7), DW_SNIFF_BINARY);
    cr_expect_eq(dw_text_sniff("\0\0\0\0", 4), DW_SNIFF_BINARY);
    cr_expect_eq(dw_text_sniff("\0\0\0\0x", 5), DW_SNIFF_BINARY);
    /* NUL padding at the end is tolerated */
    cr_expect_eq(dw_text_sniff("text\r\n\0", 7), DW_SNIFF_TEXT);
    cr_expect_eq(dw_text_sniff(" \n\0\0", 4), DW_SNIFF_EMPTY);
    /* UTF-16 has NUL bytes */
    cr_expect_eq(dw_text_sniff("h\0e\0l\0l\0o\0", 10), DW_SNIFF_BINARY);
    /* C0 controls: 10% is tolerated, more is binary; \t \n \r \f do not count */
    char b[100];
    memset(b, 'a', sizeof b);
    for (int i = 0; i < 10; i++)
        b[i * 10] = '\x1B';
    cr_expect_eq(dw_text_sniff(b, 100), DW_SNIFF_TEXT);
    b[5] = '\x01';
    cr_expect_eq(dw_text_sniff(b, 100), DW_SNIFF_BINARY);
    memset(b, '\t', 50);
    memset(b + 50, '\n', 25);
    memset(b + 75, '\f', 5);
    memset(b + 80, '\r', 10);
    memset(b + 90, 'z', 10);
    cr_expect_eq(dw_text_sniff(b, 100), DW_SNIFF_TEXT);
    /* a PNG header */
    cr_expect_eq(dw_text_sniff("\x89PNG\r\n\x1A\n\0\0\0\rIHDR", 16), DW_SNIFF_BINARY);
}

Test(utf8, sniff_utf8_arabic_is_text)
{
    size_t n = strlen(utf8_arabic);
    cr_expect_eq(dw_text_sniff(utf8_arabic, n), DW_SNIFF_TEXT);
    /* cut inside its last character (and inside other ones) */
    for (size_t k = n - 6; k < n; k++)
        cr_expect_eq(dw_text_sniff(utf8_arabic, k), DW_SNIFF_TEXT, "cut at %zu", k);
    cr_expect_eq(dw_text_sniff("ok \xF0\x9F\x98", 6), DW_SNIFF_TEXT); /* cut emoji */
    /* one or two stray invalid bytes stay TEXT */
    dw_buf b = DW_BUF_INIT;
    size_t cut = (size_t)(strchr(utf8_arabic + 30, ' ') - utf8_arabic); /* a character boundary */
    dw_buf_append(&b, utf8_arabic, cut);
    dw_buf_puts(&b, "\xFF");
    dw_buf_puts(&b, utf8_arabic + cut);
    cr_expect_eq(dw_text_sniff(b.data, b.len), DW_SNIFF_TEXT, "one stray byte");
    dw_buf_puts(&b, "\xC3 and ");
    dw_buf_puts(&b, utf8_arabic);
    cr_expect_eq(dw_text_sniff(b.data, b.len), DW_SNIFF_TEXT, "two stray bytes");
    /* even in a short text */
    cr_expect_eq(dw_text_sniff("\xD9\x86\xD8\xB5 \xFF", 6), DW_SNIFF_TEXT);
    dw_buf_free(&b);
}

Test(utf8, sniff_windows_1256_is_not_utf8)
{
    size_t n;
    char *cp = utf8_iconv("WINDOWS-1256", utf8_arabic, &n);
    cr_assert_lt(n, strlen(utf8_arabic)); /* one byte per letter */
    cr_expect_eq(dw_text_sniff(cp, n), DW_SNIFF_NOT_UTF8);
    for (size_t k = 1; k <= 4; k++) /* cut anywhere */
        cr_expect_eq(dw_text_sniff(cp, n - k), DW_SNIFF_NOT_UTF8);
    free(cp);
    /* a short title, and one Arabic word in an English sentence */
    cp = utf8_iconv("WINDOWS-1256", "عاجل", &n);
    cr_expect_eq(n, 4);
    cr_expect_eq(dw_text_sniff(cp, n), DW_SNIFF_NOT_UTF8);
    free(cp);
    cp = utf8_iconv("WINDOWS-1256", "The minister said: مرحبا to the press.", &n);
    cr_expect_eq(dw_text_sniff(cp, n), DW_SNIFF_NOT_UTF8);
    free(cp);
    /* Latin-1 French */
    cp = utf8_iconv("ISO-8859-1", "Le député a présenté le rapport à l'Assemblée générale.", &n);
    cr_expect_eq(dw_text_sniff(cp, n), DW_SNIFF_NOT_UTF8);
    free(cp);
}

Test(utf8, sniff_thresholds)
{
    /* 200 Arabic letters: 2 bad stay TEXT; 3 bad (> 1%) are NOT_UTF8 */
    dw_buf b = DW_BUF_INIT;
    for (int i = 0; i < 200; i++)
        dw_buf_puts(&b, i % 10 == 9 ? " " : "\xD8\xA8");
    size_t letters = 180;
    cr_assert_eq(b.len, letters * 2 + 20);
    dw_buf_puts(&b, "\x80 \x80");
    cr_expect_eq(dw_text_sniff(b.data, b.len), DW_SNIFF_TEXT);
    dw_buf_puts(&b, " \x80");
    cr_expect_eq(dw_text_sniff(b.data, b.len), DW_SNIFF_NOT_UTF8);
    /* 600 letters: 5 bad (< 1%) stay TEXT; 9 bad are NOT_UTF8 whatever the size */
    dw_buf_reset(&b);
    for (int i = 0; i < 600; i++)
        dw_buf_puts(&b, "\xD8\xA8");
    for (int i = 0; i < 5; i++)
        dw_buf_puts(&b, " \xFE");
    cr_expect_eq(dw_text_sniff(b.data, b.len), DW_SNIFF_TEXT);
    for (int i = 0; i < 4; i++)
        dw_buf_puts(&b, " \xFE");
    cr_expect_eq(dw_text_sniff(b.data, b.len), DW_SNIFF_NOT_UTF8);
    dw_buf_free(&b);
}

/* Reads a whole .zst file (caller frees). */
static char *utf8_unzstd(const char *path, size_t *len)
{
    size_t zn;
    char *z = dwt_read_file(path, &zn);
    cr_assert(z != NULL, "cannot read %s", path);
    dw_buf raw = DW_BUF_INIT;
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
    return dw_buf_detach(&raw, len);
}

/* Every article of the Windows-1256 corpus (each ends with a NUL byte) sniffs
 * NOT_UTF8 (first 32 KiB), and TEXT once converted to UTF-8. */
Test(utf8, sniff_real_cp1256_corpus, .timeout = 300)
{
    const char *sh = dwt_shared();
    if (!sh)
        cr_skip_test("../shared not found: real cp1256 sniffing test skipped");
    char path[4096];
    snprintf(path, sizeof path, "%s/data/raw/arabic-newspapers-cp1256/arabic_newspapers_corpus.tar.zst", sh);
    size_t n, files = 0, not_utf8 = 0;
    char *tar = utf8_unzstd(path, &n);
    iconv_t cd = iconv_open("UTF-8", "WINDOWS-1256");
    cr_assert(cd != (iconv_t)-1);
    for (size_t off = 0; off + 512 <= n;) {
        const char *h = tar + off;
        if (!h[0])
            break;
        size_t size = strtoul(h + 124, NULL, 8);
        off += 512;
        cr_assert_leq(off + size, n, "truncated tar");
        if ((h[156] == '0' || h[156] == '\0') && size > 0) {
            size_t m = size < 32768 ? size : 32768;
            size_t high = 0;
            for (size_t i = 0; i < m; i++)
                high += (unsigned char)tar[off + i] >= 0x80;
            /* two files are '?' mojibake with 2 bytes >= 0x80 left: TEXT */
            cr_expect_eq(dw_text_sniff(tar + off, m), high > 2 ? DW_SNIFF_NOT_UTF8 : DW_SNIFF_TEXT,
                         "%.100s", h);
            not_utf8 += high > 2;
            char *out = malloc(m * 3 + 4), *in = tar + off, *o = out;
            size_t inleft = m, outleft = m * 3 + 4;
            iconv(cd, NULL, NULL, NULL, NULL);
            iconv(cd, &in, &inleft, &o, &outleft); /* a cut last byte is fine */
            cr_expect_eq(dw_text_sniff(out, (size_t)(o - out)), DW_SNIFF_TEXT, "%.100s as UTF-8", h);
            free(out);
            files++;
        }
        off += (size + 511) / 512 * 512;
    }
    iconv_close(cd);
    free(tar);
    cr_expect_eq(files, 2910);
    cr_expect_geq(not_utf8, 2900);
}

/* The hand-tuned valid_prefix agrees with decoding one code point at a time,
 * on random mixtures of ASCII, Arabic, other multi-byte and invalid bytes. */
Test(utf8, valid_prefix_matches_decoder_on_random_input)
{
    static const char *const pieces[] = {"a", "abcdefgh", " ", "\xd8\xa7", "\xd9\x8b", "\xc3\xa9", "\xe2\x80\x8f",
                                         "\xf0\x9f\x98\x80", "\xc0\xaf", "\xed\xa0\x80", "\xff", "\xd8", "\x80",
                                         "\xe2\x80", "\xf4\x90\x80\x80"};
    unsigned seed = 12345;
    for (int round = 0; round < 20000; round++) {
        unsigned char buf[256];
        size_t n = 0;
        int k = (int)((seed = seed * 1103515245u + 12345u) >> 16) % 24;
        for (int j = 0; j < k; j++) {
            seed = seed * 1103515245u + 12345u;
            const char *p = pieces[(seed >> 16) % (sizeof pieces / sizeof *pieces)];
            size_t l = strlen(p);
            memcpy(buf + n, p, l);
            n += l;
        }
        size_t want = 0;
        while (want < n) {
            int32_t cp;
            size_t l = dw_utf8_decode(buf + want, n - want, &cp);
            if (!l)
                break;
            want += l;
        }
        cr_assert_eq(dw_utf8_valid_prefix(buf, n), want, "round %d", round);
    }
}
