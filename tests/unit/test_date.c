/* test_date.c: dw_date_parse against tests/data/dates.tsv. */
#include <criterion/criterion.h>

#include <string.h>

#include "helpers.h"
#include "ingest/date.h"
#include "tsvcase.h"

Test(date, table)
{
    dwt_case *c;
    size_t n = dwt_cases_load("tests/data/dates.tsv", &c);
    cr_assert_geq(n, 60, "dates.tsv holds %zu cases", n);
    size_t fails = 0;
    for (size_t i = 0; i < n; i++) {
        char out[11];
        memset(out, 'x', sizeof out);
        int ok = dw_date_parse(c[i].f[0], c[i].len[0], out);
        /* empty fields: use the lengths (tsvcase.h leaves them unterminated) */
        int want_ok = c[i].len[1] > 0;
        const char *want = want_ok ? c[i].f[1] : "";
        if (ok != want_ok || strlen(out) != c[i].len[1] || strncmp(out, want, c[i].len[1]) != 0) {
            cr_log_error("dates.tsv:%d: <%.*s> gave %d <%s>, want <%s>", c[i].line,
                         (int)c[i].len[0], c[i].f[0], ok, out, want);
            fails++;
        }
    }
    dwt_cases_free(c, n);
    cr_assert_eq(fails, 0, "%zu of %zu date cases failed", fails, n);
}

Test(date, not_nul_terminated)
{
    char out[11];
    const char s[] = "2023-09-149999";
    /* only the first 10 bytes are the input */
    cr_assert_eq(dw_date_parse(s, 10, out), 1);
    cr_assert_str_eq(out, "2023-09-14");
    cr_assert_eq(dw_date_parse(s, 9, out), 1); /* 2023-09-1 */
    cr_assert_str_eq(out, "2023-09-01");
    cr_assert_eq(dw_date_parse(NULL, 0, out), 0);
    cr_assert_str_eq(out, "");
}

Test(date, long_input)
{
    char buf[4096];
    memset(buf, ' ', sizeof buf);
    memcpy(buf, "14 سبتمبر 2023", strlen("14 سبتمبر 2023"));
    char out[11];
    cr_assert_eq(dw_date_parse(buf, sizeof buf, out), 1);
    cr_assert_str_eq(out, "2023-09-14");
    /* a date past the looked-at prefix is not found */
    memset(buf, 'a', sizeof buf);
    memcpy(buf + 3000, " 2023-09-14 ", 12);
    cr_assert_eq(dw_date_parse(buf, sizeof buf, out), 0);
    /* invalid UTF-8 does not stop the scan */
    const char bad[] = "\xff\xfe 2023-09-14";
    cr_assert_eq(dw_date_parse(bad, sizeof bad - 1, out), 1);
    cr_assert_str_eq(out, "2023-09-14");
}
