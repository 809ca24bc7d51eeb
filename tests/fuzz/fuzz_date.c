/* fuzz_date.c: libFuzzer target for dw_date_parse (not built by default).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *     $(pkg-config --cflags libutf8proc) tests/fuzz/fuzz_date.c \
 *     src/ingest/date.c src/core/norm.c src/core/utf8.c src/core/buf.c \
 *     $(pkg-config --libs libutf8proc) -o fuzz_date
 *   ./fuzz_date -max_total_time=120 tests/fuzz/seeds/date
 *
 * Checks that the result is "" or a valid YYYY-MM-DD in 1900..2100, and that
 * parsing is deterministic. The input is copied to an exact-size buffer so
 * that any read past n is caught. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/date.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int valid_iso(const char *o)
{
    static const int dim[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (strlen(o) != 10 || o[4] != '-' || o[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (o[i] < '0' || o[i] > '9'))
            return 0;
    int y = atoi(o), m = atoi(o + 5), d = atoi(o + 8);
    if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1 || d > dim[m - 1])
        return 0;
    if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size ? size : 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    char a[11], b[11];
    memset(a, 'x', sizeof a);
    int ra = dw_date_parse(s, size, a);
    int rb = dw_date_parse(s, size, b);
    if (ra != rb || memchr(a, '\0', sizeof a) == NULL || strcmp(a, b) != 0)
        abort();
    if (ra ? !valid_iso(a) : a[0] != '\0')
        abort();
    free(s);
    return 0;
}
