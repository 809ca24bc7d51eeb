/* fuzz_json.c: libFuzzer target for the JSON record reader and the stream
 * reader under it (not built by default).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *     -DJR_CHUNK=64 -DJR_FIRST_CAP=16 -DJR_MIN_READ=8 \
 *     -DDW_ZIO_TSRC_CAP=16 -DDW_ZIO_TOUT_CAP=16 -DDW_ZIO_WINDOW_LOG_MAX=20 \
 *     $(pkg-config --cflags libzstd jansson) tests/fuzz/fuzz_json.c \
 *     src/ingest/jsonrec.c src/core/zio.c src/core/dw.c \
 *     $(pkg-config --libs libzstd jansson) -o fuzz_json
 *   ./fuzz_json -max_total_time=120 -dict=tests/fuzz/json.dict \
 *     corpus-json tests/fuzz/seeds/json
 *
 * The input goes through dw_reader_open_mem (so inputs starting with the zstd
 * magic exercise the decoder; one size in seven is read as UTF-16LE and one
 * in seven as cp1256 to exercise iconv). It is read once in one piece, then
 * again with a sniff head and small reader chunks chosen from the input size:
 * both runs must give identical callbacks and result (else abort), offsets
 * must grow and lines must be >= 1.
 *
 * When the reader fails (corrupt zstd, bad bytes for the encoding), what was
 * delivered before the failure depends on buffering (even which error comes
 * first: zstd's or iconv's, or none if the JSON reader stops first): the
 * decoded streams are then prefixes of one another, and the shorter log must
 * be a prefix of the longer one.
 *
 * The -D options shrink the internal buffers so that small inputs slide and
 * grow the windows, and lower the zstd window limit so that a 20-byte frame
 * cannot make every run allocate and clear 128 MiB (the limit is exercised
 * all the same). Without them the target still works, more slowly. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/zio.h"
#include "ingest/jsonrec.h"

/* Serialized callbacks of one run. */
typedef struct {
    char *p;          /* bytes */
    size_t n;         /* length */
    size_t cap;       /* allocated */
    uint64_t last;    /* offset of the last callback */
    int any;          /* 1 once a callback came */
    int rc;           /* result of dw_json_read */
    char msg[DW_ERR_MAX]; /* its error message when rc is DW_EINPUT */
} fz_log;

static void fz_add(fz_log *l, const void *p, size_t n)
{
    if (l->n + n > l->cap) {
        l->cap = (l->n + n) * 2 + 64;
        l->p = realloc(l->p, l->cap);
        if (!l->p)
            abort();
    }
    memcpy(l->p + l->n, p, n);
    l->n += n;
}

static void fz_num(fz_log *l, uint64_t v)
{
    char t[32];
    int k = snprintf(t, sizeof t, "%llu,", (unsigned long long)v);
    fz_add(l, t, (size_t)k);
}

static void fz_span(fz_log *l, dw_span s)
{
    fz_num(l, s.p ? s.n : (uint64_t)-1);
    if (s.p)
        fz_add(l, s.p, s.n);
}

/* Offsets never go back; lines start at 1. */
static void fz_check_pos(fz_log *l, uint64_t off, uint64_t line)
{
    if (line == 0 || (l->any && off < l->last))
        abort();
    l->last = off;
    l->any = 1;
}

static int fz_record(void *ud, const dw_json_record *r)
{
    fz_log *l = ud;
    fz_check_pos(l, r->offset, r->line);
    if (!r->text.p)
        abort();
    fz_add(l, "R", 1);
    fz_num(l, r->index);
    fz_num(l, r->offset);
    fz_num(l, r->line);
    fz_span(l, r->text);
    fz_span(l, r->title);
    fz_span(l, r->source);
    fz_span(l, r->date);
    fz_span(l, r->url);
    fz_span(l, r->id);
    return r->index == 100000 ? 9 : 0; /* exercise the stop path */
}

static void fz_issue(void *ud, uint64_t off, uint64_t line, const char *msg)
{
    fz_log *l = ud;
    fz_check_pos(l, off, line);
    fz_add(l, "I", 1);
    fz_num(l, off);
    fz_num(l, line);
    fz_add(l, msg, strlen(msg));
}

/* One run: head of hl bytes, then the reader over the rest with chunk cap. */
static void fz_run(const uint8_t *data, size_t size, size_t hl, size_t chunk, const char *enc,
                   fz_log *l)
{
    dw_reader *r = NULL;
    dw_err e = {{0}};
    char head[64];
    if (dw_reader_open_mem(&r, data, size, "fuzz", enc, &e) != DW_OK)
        abort();
    dw_reader_set_chunk(r, chunk);
    /* the head is read from the reader, as the ingest driver does */
    size_t got = 0;
    while (got < hl) {
        ssize_t n = dw_reader_read(r, head + got, hl - got, &e);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    (void)dw_json_sniff(head, got);
    dw_json_opts o = {fz_record, fz_issue, l};
    l->rc = dw_json_read(r, head, got, &o, &e);
    if (l->rc == DW_EINPUT)
        memcpy(l->msg, e.msg, sizeof l->msg);
    dw_reader_close(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *enc = size % 7 == 3 ? "UTF-16LE" : size % 7 == 5 ? "cp1256" : NULL;
    size_t hl = size % 41;
    if (hl > 64)
        hl = 64;
    size_t chunk = 1 + (size * 2654435761u >> 7) % 19;
    static fz_log a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    fz_run(data, size, 0, 0, enc, &a);
    fz_run(data, size, hl, chunk, enc, &b);
    int same;
    if (a.rc == DW_EINPUT || b.rc == DW_EINPUT) {
        /* the decoded streams are prefixes of one another: so are the logs */
        size_t m = a.n < b.n ? a.n : b.n;
        same = m == 0 || memcmp(a.p, b.p, m) == 0;
    } else {
        same = a.rc == b.rc && a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
    }
    if (!same) {
        fprintf(stderr, "rc %d / %d: %s / %s\n", a.rc, b.rc, a.msg, b.msg);
        fprintf(stderr, "runs differ (head %zu chunk %zu)\n--- one piece:\n%.*s\n--- chunked:\n%.*s\n",
                hl, chunk, (int)a.n, a.p, (int)b.n, b.p);
        abort();
    }
    free(a.p);
    free(b.p);
    return 0;
}
