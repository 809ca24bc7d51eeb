/* tsvcase.h: loader for test-case files tests/data/<name>.tsv: one case per
 * line, fields separated by TAB, blank lines and lines starting with # are
 * ignored. Fields may use escapes so that invisible characters stay
 * readable: \t \n \r \\ \uXXXX \UXXXXXXXX (a code point, in UTF-8) and \xHH
 * (a raw byte, for invalid UTF-8). Header-only (static inline) so that each
 * test file can include it. */
#ifndef DW_TEST_TSVCASE_H
#define DW_TEST_TSVCASE_H

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/utf8.h"
#include "helpers.h"

#define DWT_CASE_FIELDS 3

/* One line of a case file. */
typedef struct {
    char *f[DWT_CASE_FIELDS];     /* unescaped fields (malloc, NUL-terminated), "" when absent */
    size_t len[DWT_CASE_FIELDS];  /* their lengths in bytes (may contain NUL) */
    int line;                     /* line number in the file, for messages */
} dwt_case;

static inline int dwt_hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Unescapes s[0..n) into a new string; *len receives its length. Fails the
 * test on a malformed escape. */
static inline char *dwt_unescape(const char *s, size_t n, size_t *len, int line)
{
    dw_buf b = DW_BUF_INIT;
    cr_assert_eq(dw_buf_grow(&b, n), 0);
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\\' || i + 1 >= n) {
            dw_buf_putc(&b, s[i]);
            continue;
        }
        char e = s[++i];
        size_t digits = e == 'u' ? 4 : e == 'U' ? 8 : e == 'x' ? 2 : 0;
        if (!digits) {
            char c = e == 't' ? '\t' : e == 'n' ? '\n' : e == 'r' ? '\r' : e == '\\' ? '\\' : 0;
            cr_assert(c != 0, "line %d: unknown escape \\%c", line, e);
            dw_buf_putc(&b, c);
            continue;
        }
        cr_assert(i + digits < n, "line %d: truncated \\%c escape", line, e);
        long v = 0;
        for (size_t k = 1; k <= digits; k++) {
            int h = dwt_hexval((unsigned char)s[i + k]);
            cr_assert(h >= 0, "line %d: bad hex digit in \\%c escape", line, e);
            v = v * 16 + h;
        }
        i += digits;
        if (e == 'x') {
            dw_buf_putc(&b, (char)v);
        } else {
            char u[4];
            dw_buf_append(&b, u, dw_utf8_encode((int32_t)v, u));
        }
    }
    b.data[b.len] = '\0'; /* dw_buf_grow alone does not terminate */
    *len = b.len;
    return dw_buf_detach(&b, NULL);
}

/* Loads the cases of the root-relative file rel; returns their number and
 * stores them in *cases (free with dwt_cases_free). */
static inline size_t dwt_cases_load(const char *rel, dwt_case **cases)
{
    size_t n;
    char *text = dwt_read_file(dwt_path(rel), &n);
    cr_assert(text != NULL, "%s not found (run from the repository or set DW_ROOT)", rel);
    size_t count = 0, cap = 64;
    dwt_case *c = calloc(cap, sizeof *c);
    int line = 0;
    for (char *p = text, *end = text + n; p < end;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *eol = nl ? nl : end;
        line++;
        if (eol > p && *p != '#') {
            if (count == cap) {
                cap *= 2;
                c = realloc(c, cap * sizeof *c);
                cr_assert(c != NULL);
            }
            dwt_case *k = &c[count++];
            k->line = line;
            char *f = p;
            for (int i = 0; i < DWT_CASE_FIELDS; i++) {
                char *tab = f ? memchr(f, '\t', (size_t)(eol - f)) : NULL;
                char *fe = tab ? tab : eol;
                if (f)
                    k->f[i] = dwt_unescape(f, (size_t)(fe - f), &k->len[i], line);
                else
                    k->f[i] = strdup(""), k->len[i] = 0;
                f = tab ? tab + 1 : NULL;
            }
        }
        p = eol + 1;
    }
    free(text);
    *cases = c;
    return count;
}

static inline void dwt_cases_free(dwt_case *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < DWT_CASE_FIELDS; k++)
            free(c[i].f[k]);
    free(c);
}

#endif
