/* csvq.h: the quoting of one CSV field on the hot path of `diwan split`:
 * the same bytes as libcsv's csv_write (RFC 4180: the field in double
 * quotes, each quote doubled), found with memchr so that runs without
 * quotes are copied whole. Tested against csv_write in tests/unit/test_split.c. */
#ifndef DW_CSVQ_H
#define DW_CSVQ_H

#include <stddef.h>

/* Writes s[0..n) quoted into dst, which has room for 2 * n + 2 bytes; returns
 * the bytes written (no NUL is added). */
size_t dw_csv_quote(char *dst, const char *s, size_t n);

#endif
