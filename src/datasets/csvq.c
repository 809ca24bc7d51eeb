/* csvq.c: CSV field quoting, byte for byte as libcsv's csv_write (see csvq.h). */
#include <string.h>

#include "datasets/csvq.h"

size_t dw_csv_quote(char *dst, const char *s, size_t n)
{
    char *d = dst;
    *d++ = '"';
    const char *end = s + n;
    while (s < end) {
        const char *q = memchr(s, '"', (size_t)(end - s));
        size_t run = q ? (size_t)(q - s) + 1 : (size_t)(end - s);
        memcpy(d, s, run);
        d += run;
        s += run;
        if (q)
            *d++ = '"'; /* the quote doubled */
    }
    *d++ = '"';
    return (size_t)(d - dst);
}
