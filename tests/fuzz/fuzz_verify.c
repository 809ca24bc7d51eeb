/* fuzz_verify.c: libFuzzer target for `diwan verify` (dw_verify_dir), which
 * reads releases downloaded from anywhere: a manifest (JSON) naming files,
 * zstd frames, CSV records. Built and run by `make fuzz FUZZ_TARGETS=verify`.
 *
 * The input is a manifest and a data file separated by the 4 bytes "\0\xffSP"
 * (no separator: all manifest). The data file is written as train.csv.zst:
 * as given when it starts with the zstd magic number, else compressed first
 * (so that the CSV parser sees the fuzzer's bytes). Both go into a private
 * folder made once per process and emptied after each input; then the
 * release is verified. The check must return (a problem count, never a
 * crash), and every problem must be reported as "NAME: reason". */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "datasets/verify.h"

static char dir[256];

static void report(const char *msg, void *arg)
{
    (void)arg;
    if (!strchr(msg, ':'))
        abort(); /* every problem names what it is about */
}

static void write_file(const char *name, const void *p, size_t n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    if (n && fwrite(p, 1, n, f) != n)
        abort();
    fclose(f);
}

static void empty_dir(void)
{
    static const char *const names[] = {"manifest.json", "train.csv.zst"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "%s/fuzz-verify.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        if (!mkdtemp(dir))
            abort();
    }
    const uint8_t *sep = NULL;
    for (size_t i = 0; i + 4 <= size; i++)
        if (data[i] == 0 && data[i + 1] == 0xff && data[i + 2] == 'S' && data[i + 3] == 'P') {
            sep = data + i;
            break;
        }
    size_t mlen = sep ? (size_t)(sep - data) : size;
    write_file("manifest.json", data, mlen);
    if (sep) {
        const uint8_t *d = sep + 4;
        size_t dlen = size - mlen - 4;
        if (dlen >= 4 && d[0] == 0x28 && d[1] == 0xb5 && d[2] == 0x2f && d[3] == 0xfd) {
            write_file("train.csv.zst", d, dlen);
        } else {
            size_t cap = ZSTD_compressBound(dlen);
            void *z = malloc(cap ? cap : 1);
            if (!z)
                abort();
            size_t zn = ZSTD_compress(z, cap, d, dlen, 1);
            if (ZSTD_isError(zn))
                abort();
            write_file("train.csv.zst", z, zn);
            free(z);
        }
    }
    int64_t problems = 0, files = 0;
    dw_err e = {{0}};
    dw_rc rc = dw_verify_dir(dir, report, NULL, &problems, &files, &e);
    if (rc != DW_OK && rc != DW_ENOMEM)
        abort();
    if (problems < 0 || files < 0)
        abort();
    empty_dir();
    return 0;
}
