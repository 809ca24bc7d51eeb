/* bench-norm.c: throughput of dw_norm_text (fast path and reference path),
 * of utf8proc NFKC alone, and of the tokenizer over normalized text, on a
 * UTF-8 text file. Not a test: it only prints numbers.
 *
 * Build and run (from the repository root, after `make`):
 *   cc -O2 -std=gnu11 -Isrc scripts/bench-norm.c build/libdiwan.a \
 *      $(pkg-config --cflags --libs libutf8proc) -lpthread -o /tmp/bench-norm
 *   python3 -c 'import json,sys; print("\n\n".join(a["title"]+"\n"+a["content"]
 *      for a in json.load(sys.stdin)))' \
 *      < <(zstdcat ../shared/data/raw/saudinewsnet/2015-08-08.json.zst) > /tmp/snn.txt
 *   /tmp/bench-norm /tmp/snn.txt            # CPU time
 *   BENCH_WALL=1 /tmp/bench-norm /tmp/snn.txt # wall-clock time
 * The text is processed in chunks of about one article (4 KiB, cut at a
 * line end), as ingest does. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <utf8proc.h>

#include "core/buf.h"
#include "core/norm.h"
#include "core/tok.h"

/* Clock used for the rates: CPU time of the process by default (steadier on
 * a busy or virtualized machine), wall-clock time with BENCH_WALL=1. */
static double bench_now(void)
{
    static int wall = -1;
    struct timespec ts;
    if (wall < 0)
        wall = getenv("BENCH_WALL") && *getenv("BENCH_WALL") == '1';
    clock_gettime(wall ? CLOCK_MONOTONIC : CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Chunk boundaries: ~4 KiB pieces ending at a newline. */
static size_t bench_chunk(const char *s, size_t n, size_t i)
{
    size_t j = i + 4096 < n ? i + 4096 : n;
    while (j < n && s[j - 1] != '\n')
        j++;
    return j;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench-norm FILE [ROUNDS]\n");
        return 2;
    }
    int rounds = argc > 2 ? atoi(argv[2]) : 5;
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    dw_buf in = DW_BUF_INIT, out = DW_BUF_INIT;
    char tmp[65536];
    size_t got;
    while ((got = fread(tmp, 1, sizeof tmp, f)) > 0)
        dw_buf_append(&in, tmp, got);
    fclose(f);
    const char *s = dw_buf_str(&in);
    size_t n = in.len;
    double mb = (double)n * rounds / 1e6;
    printf("input: %zu bytes, %d rounds\n", n, rounds);

    static const struct {
        const char *name;
        unsigned flags;
    } modes[] = {{"dw_norm_text (fast path)", 0},
                 {"dw_norm_text (reference path)", DW_NORM_NO_FAST_PATH}};
    for (size_t m = 0; m < 2; m++) {
        double t0 = bench_now();
        for (int r = 0; r < rounds; r++)
            for (size_t i = 0, j; i < n; i = j) {
                j = bench_chunk(s, n, i);
                dw_buf_reset(&out);
                if (dw_norm_text(&out, s + i, j - i, modes[m].flags) < 0)
                    return 1;
            }
        printf("%-34s %8.1f MB/s\n", modes[m].name, mb / (bench_now() - t0));
    }

    double t0 = bench_now();
    for (int r = 0; r < rounds; r++)
        for (size_t i = 0, j; i < n; i = j) {
            j = bench_chunk(s, n, i);
            utf8proc_uint8_t *res = NULL;
            if (utf8proc_map((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(j - i), &res,
                             UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT) < 0) {
                fprintf(stderr, "utf8proc_map failed at chunk %zu\n", i);
                return 1;
            }
            free(res);
        }
    printf("%-34s %8.1f MB/s\n", "utf8proc_map NFKC alone", mb / (bench_now() - t0));

    dw_buf normed = DW_BUF_INIT;
    if (dw_norm_text(&normed, s, n, 0) < 0)
        return 1;
    double nmb = (double)normed.len * rounds / 1e6;
    size_t count = 0;
    t0 = bench_now();
    for (int r = 0; r < rounds; r++)
        count = dw_tok_count(normed.data, normed.len);
    printf("%-34s %8.1f MB/s (%zu tokens)\n", "dw_tok_count (normalized text)",
           nmb / (bench_now() - t0), count);
    size_t sents = 0;
    t0 = bench_now();
    for (int r = 0; r < rounds; r++) {
        dw_tok t;
        dw_token tk;
        sents = 0;
        dw_tok_init(&t, normed.data, normed.len);
        while (dw_tok_next(&t, &tk))
            sents += (size_t)tk.sentence_start;
    }
    printf("%-34s %8.1f MB/s (%zu sentences)\n", "dw_tok_next (normalized text)",
           nmb / (bench_now() - t0), sents);
    dw_buf_free(&normed);
    dw_buf_free(&in);
    dw_buf_free(&out);
    return 0;
}
