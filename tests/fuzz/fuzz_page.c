/* fuzz_page.c: libFuzzer target for the page parser (not built by default).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *     $(pkg-config --cflags libutf8proc) tests/fuzz/fuzz_page.c \
 *     src/ingest/page.c src/ingest/date.c src/core/norm.c src/core/utf8.c \
 *     src/core/buf.c $(pkg-config --libs libutf8proc) -o fuzz_page
 *   ./fuzz_page -max_total_time=120 tests/fuzz/seeds/page
 *
 * The first two bytes choose the limits (small, so that the too-long and
 * too-large paths run) and a chunk size; the rest is the input. The input is
 * parsed in one call and again in chunks (with a dw_page_break at a point the
 * input chooses, and defaults set), and the serialized callbacks of both runs
 * must be identical: any difference aborts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "ingest/page.h"

static void put_span(dw_buf *b, char tag, dw_span s)
{
    dw_buf_printf(b, "%c%zu:", tag, s.p ? s.n : (size_t)-1);
    if (s.p)
        dw_buf_append(b, s.p, s.n);
}

static int on_article(void *ud, const dw_article *a)
{
    dw_buf *b = ud;
    dw_buf_printf(b, "\nA%d/%llu/%llu/%s", (int)a->role, (unsigned long long)a->page_no,
                  (unsigned long long)a->offset, a->published);
    if (!a->title.p || a->title.n == 0 || !a->body.p || a->body.n == 0)
        abort(); /* contract: title and body never empty */
    put_span(b, 't', a->title);
    put_span(b, 'b', a->body);
    put_span(b, 's', a->source);
    put_span(b, 'd', a->date_raw);
    put_span(b, 'u', a->url);
    put_span(b, 'i', a->ext_id);
    for (size_t i = 0; i < a->n_keywords; i++)
        put_span(b, 'k', a->keywords[i]);
    if (a->n_keywords > DW_PAGE_MAX_KEYWORDS)
        abort();
    return 0;
}

static void on_issue(void *ud, dw_issue_kind k, uint64_t off, uint64_t count, const char *msg)
{
    dw_buf *b = ud;
    dw_buf_printf(b, "\nI%d/%llu/%llu/%s", (int)k, (unsigned long long)off,
                  (unsigned long long)count, msg);
}

static void run(const uint8_t *data, size_t n, size_t chunk, size_t brk, size_t max_line,
                size_t max_article, dw_buf *out)
{
    dw_page_opts o;
    memset(&o, 0, sizeof o);
    o.on_article = on_article;
    o.on_issue = on_issue;
    o.ud = out;
    o.max_line = max_line;
    o.max_article = max_article;
    o.default_title = (dw_span){"T", 1};
    o.default_id = (dw_span){"id", 2};
    dw_page_parser *p = dw_page_new(&o);
    if (!p)
        abort();
    const char *s = (const char *)data;
    size_t part[2] = {brk, n - brk};
    for (int k = 0; k < 2; k++) {
        for (size_t i = 0; i < part[k]; i += chunk) {
            size_t m = part[k] - i < chunk ? part[k] - i : chunk;
            if (dw_page_feed(p, s + i, m) != 0)
                abort();
        }
        s += part[k];
        if (k == 0) {
            dw_page_opts d;
            memset(&d, 0, sizeof d);
            d.default_source = (dw_span){"S", 1};
            d.default_date = (dw_span){"2020-01-02", 10};
            if (dw_page_break(p, &d) != 0)
                abort();
        }
    }
    if (dw_page_finish(p) != 0)
        abort();
    dw_page_stats st;
    dw_page_get_stats(p, &st);
    dw_buf_printf(out, "\nS%llu/%llu/%llu/%llu", (unsigned long long)st.pages,
                  (unsigned long long)st.articles, (unsigned long long)st.bad_bytes,
                  (unsigned long long)st.lines);
    dw_page_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t max_line = 8 + (data[0] & 0x3F) * 4;     /* 8..260 */
    size_t max_article = 16 + (data[0] >> 6) * 200; /* 16..616 */
    size_t chunk = 1 + data[1] % 17;
    data += 2;
    size = size - 2;
    size_t brk = size ? (size_t)data[0] * 7 % (size + 1) : 0;
    if (size > 1 && (data[1] & 1)) /* sometimes the default limits */
        max_line = max_article = 0;
    dw_buf a = DW_BUF_INIT, b = DW_BUF_INIT;
    run(data, size, size ? size : 1, brk, max_line, max_article, &a);
    run(data, size, chunk, brk, max_line, max_article, &b);
    if (a.len != b.len || memcmp(dw_buf_str(&a), dw_buf_str(&b), a.len) != 0) {
        fprintf(stderr, "one-shot:%s\n---\nchunk %zu:%s\n", dw_buf_str(&a), chunk, dw_buf_str(&b));
        abort();
    }
    dw_buf_free(&a);
    dw_buf_free(&b);
    return 0;
}
