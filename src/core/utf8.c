/* utf8.c: UTF-8 decoding, encoding, validation, repair and input sniffing.
 * Well-formedness is Unicode's Table 3-7 (shortest form, no surrogates,
 * nothing above U+10FFFF); repair replaces each maximal subpart of an
 * ill-formed sequence by one U+FFFD (Unicode 3.9, "U+FFFD Substitution of
 * Maximal Subparts"), as browsers and Python do. */
#include "core/utf8.h"

#include <string.h>

/* Scans the sequence at s[0..n), n > 0. Returns its length (1..4) and
 * stores the code point in *cp when it is well formed; otherwise returns 0
 * and stores in *sub the length of the maximal subpart (1..3): the longest
 * prefix that could still begin a well-formed sequence, at least one byte. */
static inline size_t utf8_scan(const unsigned char *s, size_t n, int32_t *cp, size_t *sub)
{
    unsigned c = s[0];
    unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    size_t need;
    int32_t v;

    if (c < 0x80) {
        *cp = (int32_t)c;
        return 1;
    }
    if (c < 0xC2) { /* continuation byte, or C0/C1 (overlong 2-byte lead) */
        *sub = 1;
        return 0;
    }
    if (c < 0xE0) {
        need = 2;
        v = (int32_t)(c & 0x1F);
    } else if (c < 0xF0) {
        need = 3;
        v = (int32_t)(c & 0x0F);
        if (c == 0xE0)
            lo = 0xA0; /* overlong below U+0800 */
        else if (c == 0xED)
            hi = 0x9F; /* surrogates U+D800..U+DFFF */
    } else if (c < 0xF5) {
        need = 4;
        v = (int32_t)(c & 0x07);
        if (c == 0xF0)
            lo = 0x90; /* overlong below U+10000 */
        else if (c == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    } else { /* F5..FF never occur */
        *sub = 1;
        return 0;
    }
    size_t k = 1;
    if (n > 1 && s[1] >= lo && s[1] <= hi) {
        v = (v << 6) | (s[1] & 0x3F);
        k = 2;
        while (k < need && k < n && (s[k] & 0xC0) == 0x80) {
            v = (v << 6) | (s[k] & 0x3F);
            k++;
        }
    }
    if (k == need) {
        *cp = v;
        return need;
    }
    *sub = k;
    return 0;
}

size_t dw_utf8_decode(const unsigned char *s, size_t n, int32_t *cp)
{
    size_t sub = 1; /* set by utf8_scan whenever it returns 0 */
    size_t len = utf8_scan(s, n, cp, &sub);
    if (!len)
        *cp = DW_UTF8_REPLACEMENT;
    return len;
}

size_t dw_utf8_next(const unsigned char *s, size_t n, int32_t *cp, int *ok)
{
    size_t sub = 1; /* set by utf8_scan whenever it returns 0 */
    size_t len = utf8_scan(s, n, cp, &sub);
    if (ok)
        *ok = len != 0;
    if (len)
        return len;
    *cp = DW_UTF8_REPLACEMENT;
    return sub;
}

size_t dw_utf8_encode(int32_t cp, char out[4])
{
    if (cp < 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = DW_UTF8_REPLACEMENT;
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Length of the run of ASCII bytes at s[0..n), eight bytes at a time. */
static inline size_t utf8_ascii_run(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i + 8 <= n) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (w & 0x8080808080808080ull)
            break;
        i += 8;
    }
    while (i < n && s[i] < 0x80)
        i++;
    return i;
}

size_t dw_utf8_valid_prefix(const unsigned char *s, size_t n)
{
    /* hot path of every input line: ASCII eight bytes at a time, two-byte
     * sequences (Arabic, Latin-1) inline, the rest through utf8_scan */
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c < 0x80) {
            if (i + 8 <= n) {
                i += utf8_ascii_run(s + i, n - i);
                continue;
            }
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            if (i + 1 < n && (s[i + 1] & 0xC0) == 0x80) {
                i += 2;
                continue;
            }
            break;
        }
        int32_t cp;
        size_t sub;
        size_t len = utf8_scan(s + i, n - i, &cp, &sub);
        if (!len)
            break;
        i += len;
    }
    return i;
}

size_t dw_utf8_count(const char *s, size_t n)
{
    const uint64_t hi = 0x8080808080808080ull, ones = 0x0101010101010101ull;
    const unsigned char *u = (const unsigned char *)s;
    size_t cont = 0, i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x;
        memcpy(&x, u + i, 8);
        /* a continuation byte has bit 7 set and bit 6 clear; the byte
         * count of the marks is the sum of their bits, by a multiply */
        uint64_t c = x & ~(x << 1) & hi;
        cont += (size_t)(((c >> 7) * ones) >> 56);
    }
    for (; i < n; i++)
        cont += (u[i] & 0xC0) == 0x80;
    return n - cont;
}

size_t dw_utf8_incomplete_tail(const unsigned char *s, size_t n)
{
    for (size_t k = 1; k <= 3 && k <= n; k++) {
        unsigned c = s[n - k];
        if (c < 0x80)
            return 0;
        if (c >= 0xC0) { /* the last lead byte: is s[n-k..n) a cut sequence? */
            if (c < 0xC2 || c > 0xF4)
                return 0;
            int32_t cp;
            size_t sub = 0;
            size_t len = utf8_scan(s + n - k, k, &cp, &sub);
            return (!len && sub == k) ? k : 0;
        }
    }
    return 0;
}

size_t dw_utf8_repair(dw_buf *out, const char *s, size_t n, size_t *first_bad)
{
    static const char rep[3] = {'\xEF', '\xBF', '\xBD'};
    const unsigned char *u = (const unsigned char *)s;
    size_t count = 0, run = 0, i = 0;

    if (first_bad)
        *first_bad = (size_t)-1;
    if (dw_buf_grow(out, n) < 0)
        return (size_t)-1;
    while (i < n) {
        i += utf8_ascii_run(u + i, n - i);
        if (i >= n)
            break;
        int32_t cp;
        size_t sub;
        size_t len = utf8_scan(u + i, n - i, &cp, &sub);
        if (len) {
            i += len;
            continue;
        }
        if (dw_buf_append(out, s + run, i - run) < 0 || dw_buf_append(out, rep, 3) < 0)
            return (size_t)-1;
        if (!count && first_bad)
            *first_bad = i;
        count++;
        i += sub;
        run = i;
    }
    if (dw_buf_append(out, s + run, n - run) < 0)
        return (size_t)-1;
    return count;
}

/* Unicode White_Space, plus U+FEFF (a BOM is not content either). */
static int utf8_is_space(int32_t cp)
{
    switch (cp) {
    case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D: case 0x20:
    case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029:
    case 0x202F: case 0x205F: case 0x3000: case 0xFEFF:
        return 1;
    default:
        return cp >= 0x2000 && cp <= 0x200A;
    }
}

dw_sniff dw_text_sniff(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    if (n == 0)
        return DW_SNIFF_EMPTY;
    while (n > 0 && u[n - 1] == 0) /* NUL padding at the end (C-string dumps) */
        n--;
    if (n == 0)
        return DW_SNIFF_BINARY;
    size_t tail = dw_utf8_incomplete_tail(u, n);
    size_t m = n - tail;
    size_t nul = 0, ctrl = 0, nonascii = 0, bad = 0;
    int content = tail > 0; /* a cut character is content */

    for (size_t i = 0; i < m;) {
        unsigned c = u[i];
        if (c < 0x80) {
            if (c < 0x20) {
                if (c == 0) {
                    nul++;
                    content = 1;
                } else if (c != '\t' && c != '\n' && c != '\r' && c != '\f') {
                    ctrl++;
                    content |= c != '\v';
                }
            } else if (c != ' ') {
                content = 1;
            }
            i++;
            continue;
        }
        nonascii++;
        /* two-byte sequences inline (Arabic); U+0085 and U+00A0 are spaces */
        if (c >= 0xC2 && c <= 0xDF && i + 1 < m && (u[i + 1] & 0xC0) == 0x80) {
            if (!(c == 0xC2 && (u[i + 1] == 0x85 || u[i + 1] == 0xA0)))
                content = 1;
            i += 2;
            continue;
        }
        int32_t cp;
        int ok;
        i += dw_utf8_next(u + i, m - i, &cp, &ok);
        if (!ok)
            bad++;
        if (!content && (!ok || !utf8_is_space(cp)))
            content = 1;
    }
    if (!content)
        return DW_SNIFF_EMPTY;
    if (nul || ctrl * 10 > n)
        return DW_SNIFF_BINARY;
    if (bad > 8 || (bad > 2 && bad * 100 > nonascii))
        return DW_SNIFF_NOT_UTF8;
    return DW_SNIFF_TEXT;
}
