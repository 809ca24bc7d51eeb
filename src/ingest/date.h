/* date.h: publication dates as scraped pages write them, to ISO YYYY-MM-DD.
 * Accepts, with Arabic-Indic or Persian digits as well as ASCII:
 *   2023-09-14, 2023/09/14, 2015-08-08 06:01:36 (ISO date first)
 *   14/09/2023, 14-09-2023, 14.09.2023 (day first, as Arabic sites write)
 *   14th, September 2023 GMT; 14 Sep 2023; September 14, 2023
 *   Sun, 18 Feb 2018 18:06:52 GMT (RFC 822)
 *   14 سبتمبر 2023, ١٤ أيلول ٢٠٢٣, الأربعاء, 28-مارس-2012 (Egyptian, Levantine
 *   and Maghrebi month names; weekday names and "GMT"-like suffixes ignored)
 * Rejects impossible dates (2023-02-30) and years outside 1900..2100. */
#ifndef DW_DATE_H
#define DW_DATE_H

#include <stddef.h>

/* Parses s[0..n) (UTF-8). On success writes "YYYY-MM-DD" and a NUL into out
 * and returns 1; otherwise returns 0 and sets out to "". */
int dw_date_parse(const char *s, size_t n, char out[11]);

#endif
