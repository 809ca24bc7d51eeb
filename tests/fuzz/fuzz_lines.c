/* fuzz_lines.c: libFuzzer target for the report's repeated-lines counter
 * (src/report/lines.c; built by `make fuzz`, not by default).
 *
 * The input is a corpus: articles separated by NUL bytes. The first byte
 * sets the number of summary counters (1 to 16, so that the summary is
 * always full and decrements). The counter runs both passes; every line it
 * reports must be held by exactly the number of articles it says, counted
 * here naively (each article's lines split, trimmed of ASCII blanks, kept
 * when 1 to DW_REPORT_LINE_MAX bytes, compared byte for byte), and must come
 * most articles first, with 1 to 3 outlets (an article's outlet is its
 * length modulo 3) of which the first holds at least its share. Each
 * article is copied to an exact-size buffer so
 * that any read past its end is caught. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Calls fn(body, n, arg) for each NUL-separated article of data[0..size). */
static void each_article(const uint8_t *data, size_t size, void (*fn)(const char *, size_t, void *), void *arg)
{
    size_t i = 0;
    while (i <= size) {
        const uint8_t *z = i < size ? memchr(data + i, 0, size - i) : NULL;
        size_t end = z ? (size_t)(z - data) : size;
        char *a = malloc(end - i ? end - i : 1);
        if (!a)
            abort();
        memcpy(a, data + i, end - i);
        fn(a, end - i, arg);
        free(a);
        i = end + 1;
    }
}

static int blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

/* Whether body[0..n) holds the line s (trimmed as the counter trims). */
static int holds(const char *body, size_t n, const char *s)
{
    size_t sl = strlen(s);
    for (size_t i = 0; i < n;) {
        const char *nl = memchr(body + i, '\n', n - i);
        size_t end = nl ? (size_t)(nl - body) : n, a = i, b = end;
        i = end + 1;
        while (a < b && blank(body[a]))
            a++;
        while (b > a && blank(body[b - 1]))
            b--;
        if (b - a == sl && sl > 0 && sl <= DW_REPORT_LINE_MAX && memcmp(body + a, s, sl) == 0)
            return 1;
    }
    return 0;
}

typedef struct {
    dw_report_lines *l; /* the counter */
    int pass;           /* 1 or 2 */
    const char *line;   /* naive count: the line looked for */
    uint64_t count;     /* articles holding it */
} fz_ctx;

static void feed(const char *body, size_t n, void *arg)
{
    fz_ctx *c = arg;
    /* the outlet of an article: its length modulo 3 */
    int r = c->pass == 1 ? dw_report_lines_add(c->l, body, n) : dw_report_lines_recount(c->l, body, n, (int64_t)(n % 3));
    if (r != 0)
        abort();
}

static void naive(const char *body, size_t n, void *arg)
{
    fz_ctx *c = arg;
    c->count += (uint64_t)holds(body, n, c->line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t k = 1 + data[0] % 16;
    data++;
    size--;
    fz_ctx c = {dw_report_lines_new(k), 1, NULL, 0};
    if (!c.l)
        return 0;
    each_article(data, size, feed, &c);
    dw_report_lines_candidates(c.l, k);
    c.pass = 2;
    each_article(data, size, feed, &c);
    dw_report_line top[16];
    size_t got = dw_report_lines_top(c.l, 1, top, 16);
    for (size_t i = 0; i < got; i++) {
        if (i > 0 && top[i].articles > top[i - 1].articles)
            abort();
        c.line = top[i].text;
        c.count = 0;
        each_article(data, size, naive, &c);
        if (c.count != top[i].articles || top[i].outlets < 1 || top[i].outlets > 3 ||
            top[i].top_articles * top[i].outlets < top[i].articles || top[i].top_articles > top[i].articles)
            abort();
    }
    dw_report_lines_free(c.l);
    return 0;
}
