/* test_zio.c: tests of the streaming reader (plain, stdin, memory, zstd,
 * iconv transcoding, error messages). zstd inputs are made here with libzstd;
 * transcoding cases come from tests/data/zio/encodings.tsv. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zstd.h>

#include "core/zio.h"
#include "helpers.h"

/* A byte string owned by the test. */
typedef struct {
    char *p;    /* bytes (malloc) */
    size_t n;   /* length */
    size_t cap; /* allocated, 0 when unknown (then realloc on every append) */
} tbytes;

static char *tmp_dir;

static void zio_setup(void)
{
    tmp_dir = dwt_tmpdir();
    cr_assert(tmp_dir != NULL);
}

static void zio_teardown(void)
{
    dwt_rmtree(tmp_dir);
    free(tmp_dir);
}

TestSuite(zio, .init = zio_setup, .fini = zio_teardown);

/* Writes n bytes to tmp_dir/name and returns the path (static slot). */
static const char *put_file(const char *name, const void *p, size_t n)
{
    static char slots[4][4096];
    static int next;
    char *path = slots[next++ & 3];
    snprintf(path, 4096, "%s/%s", tmp_dir, name);
    FILE *f = fopen(path, "wb");
    cr_assert(f != NULL, "cannot write %s", path);
    cr_assert_eq(fwrite(p, 1, n, f), n);
    fclose(f);
    return path;
}

/* Deterministic text-like bytes (so that zstd has something to do). */
static tbytes make_text(size_t n, unsigned seed)
{
    static const char *const words[] = {"news ", "خبر ", "riyadh ", "الرياض ", "\n", "2015 ",
                                        "اليوم ", "market "};
    tbytes t = {malloc(n + 16), 0, 0};
    uint32_t x = seed * 2654435761u + 1;
    while (t.n < n) {
        x = x * 1664525u + 1013904223u;
        const char *w = words[(x >> 24) & 7];
        size_t k = strlen(w);
        if (t.n + k > n)
            k = n - t.n;
        memcpy(t.p + t.n, w, k);
        t.n += k;
    }
    return t;
}

/* zstd frame of src at level 3 with a checksum. */
static tbytes zcompress(const void *src, size_t n)
{
    ZSTD_CCtx *c = ZSTD_createCCtx();
    tbytes t = {malloc(ZSTD_compressBound(n)), 0, 0};
    ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, 3);
    ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
    t.n = ZSTD_compress2(c, t.p, ZSTD_compressBound(n), src, n);
    cr_assert(!ZSTD_isError(t.n), "zstd: %s", ZSTD_getErrorName(t.n));
    ZSTD_freeCCtx(c);
    return t;
}

static void tcat(tbytes *a, const void *p, size_t n)
{
    if (a->n + n + 1 > a->cap) {
        a->cap = (a->n + n + 1) * 2;
        a->p = realloc(a->p, a->cap);
        cr_assert(a->p != NULL);
    }
    memcpy(a->p + a->n, p, n);
    a->n += n;
}

/* Reads all of r with reads of at most bufsize bytes. Returns 0, or -1 with e. */
static int read_all(dw_reader *r, size_t bufsize, tbytes *out, dw_err *e)
{
    char *buf = malloc(bufsize);
    out->p = malloc(1);
    out->n = 0;
    out->cap = 0;
    for (;;) {
        ssize_t n = dw_reader_read(r, buf, bufsize, e);
        if (n < 0) {
            free(buf);
            return -1;
        }
        if (n == 0)
            break;
        cr_assert_leq((size_t)n, bufsize);
        tcat(out, buf, (size_t)n);
    }
    free(buf);
    return 0;
}

/* Opens path and reads it all; asserts success. */
static tbytes slurp(const char *path, const char *enc, size_t bufsize)
{
    dw_reader *r = NULL;
    dw_err e = {{0}};
    tbytes out;
    cr_assert_eq(dw_reader_open(&r, path, enc, &e), DW_OK, "%s", e.msg);
    cr_assert_eq(read_all(r, bufsize, &out, &e), 0, "%s", e.msg);
    dw_reader_close(r);
    return out;
}

/* Opens path, reads until the error, returns the message (static). */
static const char *read_error(const char *path, const char *enc, size_t bufsize, tbytes *got)
{
    static dw_err e;
    dw_reader *r = NULL;
    tbytes out;
    memset(&e, 0, sizeof e);
    cr_assert_eq(dw_reader_open(&r, path, enc, &e), DW_OK, "%s", e.msg);
    cr_assert_eq(read_all(r, bufsize, &out, &e), -1, "read of %s did not fail", path);
    /* the error is sticky */
    dw_err e2 = {{0}};
    char c;
    cr_assert_eq(dw_reader_read(r, &c, 1, &e2), -1);
    cr_assert_str_eq(e2.msg, e.msg);
    dw_reader_close(r);
    if (got)
        *got = out;
    else
        free(out.p);
    return e.msg;
}

static void assert_bytes(tbytes got, const void *want, size_t n, const char *what)
{
    cr_assert_eq(got.n, n, "%s: %zu bytes, want %zu", what, got.n, n);
    cr_assert(memcmp(got.p, want, n) == 0, "%s: bytes differ", what);
}

Test(zio, plain_file)
{
    tbytes t = make_text(300000, 1);
    const char *p = put_file("plain.txt", t.p, t.n);
    dw_reader *r = NULL;
    dw_err e = {{0}};
    tbytes got;
    cr_assert_eq(dw_reader_open(&r, p, NULL, &e), DW_OK);
    cr_assert_eq(dw_reader_is_zstd(r), 0);
    cr_assert_eq(dw_reader_raw_size(r), 300000);
    cr_assert_eq(read_all(r, 70000, &got, &e), 0);
    cr_assert_eq(dw_reader_raw_offset(r), 300000);
    assert_bytes(got, t.p, t.n, "plain");
    dw_reader_close(r);
    free(got.p);
    /* "" and "UTF-8" mean no transcoding: invalid UTF-8 passes unchanged */
    const char bad[] = "caf\xe9 \xff\n";
    p = put_file("bad.txt", bad, sizeof bad - 1);
    got = slurp(p, "", 3);
    assert_bytes(got, bad, sizeof bad - 1, "empty encoding");
    free(got.p);
    got = slurp(p, "utf-8", 3);
    assert_bytes(got, bad, sizeof bad - 1, "utf-8 encoding");
    free(got.p);
    free(t.p);
}

Test(zio, empty_and_tiny_files)
{
    static const char *const cases[] = {"", "a", "ab", "abc", "\x28\xb5\x2f"};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        size_t n = strlen(cases[i]);
        const char *p = put_file("tiny", cases[i], n);
        dw_reader *r = NULL;
        dw_err e = {{0}};
        tbytes got;
        cr_assert_eq(dw_reader_open(&r, p, NULL, &e), DW_OK);
        cr_assert_eq(dw_reader_is_zstd(r), 0, "3 bytes of magic are not zstd");
        cr_assert_eq(read_all(r, 1, &got, &e), 0);
        assert_bytes(got, cases[i], n, "tiny");
        char c;
        cr_assert_eq(dw_reader_read(r, &c, 1, &e), 0, "end stays the end");
        dw_reader_close(r);
        free(got.p);
    }
}

Test(zio, stdin_pipe)
{
    /* stdin is a pipe fed one byte at a time by a child; the reader must not
     * close it (each Criterion test runs in its own process) */
    tbytes t = make_text(5000, 2);
    tbytes z = zcompress(t.p, t.n);
    for (int zst = 0; zst < 2; zst++) {
        tbytes src = zst ? z : t;
        int fds[2];
        cr_assert_eq(pipe(fds), 0);
        pid_t pid = fork();
        cr_assert(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            for (size_t i = 0; i < src.n; i++)
                if (write(fds[1], src.p + i, 1) != 1)
                    _exit(1);
            _exit(0);
        }
        close(fds[1]);
        cr_assert_eq(dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
        close(fds[0]);
        dw_reader *r = NULL;
        dw_err e = {{0}};
        tbytes got;
        cr_assert_eq(dw_reader_open(&r, "-", NULL, &e), DW_OK, "%s", e.msg);
        cr_assert_eq(dw_reader_is_zstd(r), zst);
        cr_assert_eq(dw_reader_raw_size(r), 0, "a pipe has no size");
        cr_assert_eq(read_all(r, 4096, &got, &e), 0, "%s", e.msg);
        cr_assert_eq(dw_reader_raw_offset(r), src.n);
        dw_reader_close(r);
        cr_assert_neq(fcntl(STDIN_FILENO, F_GETFD), -1, "stdin was closed");
        assert_bytes(got, t.p, t.n, zst ? "stdin zstd" : "stdin plain");
        free(got.p);
        int st;
        waitpid(pid, &st, 0);
        cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    free(t.p);
    free(z.p);
}

Test(zio, stdin_error_names_stdin)
{
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    static const unsigned char junk[] = {0x28, 0xb5, 0x2f, 0xfd, 0x00};
    cr_assert_eq(write(fds[1], junk, sizeof junk), (ssize_t)sizeof junk);
    close(fds[1]);
    cr_assert_eq(dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
    close(fds[0]);
    dw_reader *r = NULL;
    dw_err e = {{0}};
    tbytes got;
    cr_assert_eq(dw_reader_open(&r, "-", NULL, &e), DW_OK);
    cr_assert_eq(read_all(r, 16, &got, &e), -1);
    cr_assert_str_eq(e.msg, "stdin: truncated zstd frame at compressed offset 5");
    dw_reader_close(r);
    free(got.p);
}

Test(zio, zstd_single_frame)
{
    tbytes t = make_text(1000000, 3);
    tbytes z = zcompress(t.p, t.n);
    const char *p = put_file("one.bin", z.p, z.n); /* no .zst suffix: magic decides */
    dw_reader *r = NULL;
    dw_err e = {{0}};
    tbytes got;
    cr_assert_eq(dw_reader_open(&r, p, NULL, &e), DW_OK);
    cr_assert_eq(dw_reader_is_zstd(r), 1);
    cr_assert_eq(dw_reader_raw_size(r), z.n);
    cr_assert_eq(read_all(r, 1 << 16, &got, &e), 0, "%s", e.msg);
    cr_assert_eq(dw_reader_raw_offset(r), z.n);
    assert_bytes(got, t.p, t.n, "single frame");
    dw_reader_close(r);
    free(got.p);
    free(t.p);
    free(z.p);
}

/* Three frames (one empty) with a skippable frame in front and between. */
static tbytes make_multi(tbytes *plain)
{
    static const unsigned char skip[] = {0x5e, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 'x', 'y', 'z'};
    tbytes z = {malloc(1), 0, 0};
    *plain = (tbytes){malloc(1), 0, 0};
    tcat(&z, skip, sizeof skip);
    for (unsigned i = 0; i < 3; i++) {
        tbytes t = make_text(i == 1 ? 0 : 150000 + i * 7, 10 + i);
        tbytes f = zcompress(t.p, t.n);
        tcat(&z, f.p, f.n);
        tcat(plain, t.p, t.n);
        if (i == 0)
            tcat(&z, skip, sizeof skip);
        free(t.p);
        free(f.p);
    }
    return z;
}

Test(zio, zstd_multiple_frames_and_skippable)
{
    tbytes t;
    tbytes z = make_multi(&t);
    const char *p = put_file("multi.zst", z.p, z.n);
    dw_reader *r = NULL;
    dw_err e = {{0}};
    cr_assert_eq(dw_reader_open(&r, p, NULL, &e), DW_OK);
    cr_assert_eq(dw_reader_is_zstd(r), 1, "a skippable frame first is zstd");
    dw_reader_close(r);
    tbytes got = slurp(p, NULL, 100000);
    assert_bytes(got, t.p, t.n, "multiple frames");
    free(got.p);
    free(t.p);
    free(z.p);
}

Test(zio, every_buffer_size_gives_the_same_bytes)
{
    tbytes t;
    tbytes z = make_multi(&t);
    /* keep it small enough for 64 passes with 1-byte reads */
    const char *pz = put_file("multi.zst", z.p, z.n);
    const char *pp = put_file("multi.txt", t.p, t.n);
    for (size_t bs = 1; bs <= 64; bs++) {
        tbytes a = slurp(pz, NULL, bs), b = slurp(pp, NULL, bs);
        assert_bytes(a, t.p, t.n, "zstd, small buffer");
        assert_bytes(b, t.p, t.n, "plain, small buffer");
        free(a.p);
        free(b.p);
        /* same through memory input and a capped internal chunk (zstd is
         * then fed a few compressed bytes at a time) */
        dw_reader *r = NULL;
        dw_err e = {{0}};
        cr_assert_eq(dw_reader_open_mem(&r, z.p, z.n, "mem", NULL, &e), DW_OK);
        dw_reader_set_chunk(r, bs);
        cr_assert_eq(read_all(r, 4096, &a, &e), 0, "%s", e.msg);
        assert_bytes(a, t.p, t.n, "memory zstd, chunk");
        cr_assert_eq(dw_reader_raw_offset(r), z.n);
        dw_reader_close(r);
        free(a.p);
    }
    free(t.p);
    free(z.p);
}

Test(zio, zstd_truncated)
{
    tbytes t = make_text(200000, 4);
    tbytes z = zcompress(t.p, t.n);
    size_t cuts[] = {4, 5, 9, z.n / 2, z.n - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++) {
        const char *p = put_file("cut.zst", z.p, cuts[i]);
        char want[4200];
        snprintf(want, sizeof want, "%s: truncated zstd frame at compressed offset %zu", p, cuts[i]);
        for (size_t bs = 1; bs <= 1 << 16; bs <<= 8) {
            tbytes got;
            cr_assert_str_eq(read_error(p, NULL, bs, &got), want);
            cr_assert_leq(got.n, t.n);
            cr_assert(memcmp(got.p, t.p, got.n) == 0, "bytes before the error are right");
            free(got.p);
        }
    }
    /* a complete frame followed by a cut one */
    tbytes two = {malloc(1), 0, 0};
    tcat(&two, z.p, z.n);
    tcat(&two, z.p, 20);
    const char *p = put_file("two.zst", two.p, two.n);
    char want[4200];
    snprintf(want, sizeof want, "%s: truncated zstd frame at compressed offset %zu", p, two.n);
    tbytes got;
    cr_assert_str_eq(read_error(p, NULL, 65536, &got), want);
    cr_assert_geq(got.n, t.n, "the first frame is delivered");
    free(got.p);
    free(two.p);
    free(t.p);
    free(z.p);
}

Test(zio, zstd_corrupt)
{
    tbytes t = make_text(200000, 5);
    tbytes z = zcompress(t.p, t.n);
    /* wrong checksum: reported at the checksum (the last 4 bytes) */
    z.p[z.n - 1] ^= 0x55;
    const char *p = put_file("badsum.zst", z.p, z.n);
    char want[4200];
    snprintf(want, sizeof want,
             "%s: corrupt zstd data at compressed offset %zu: Restored data doesn't match checksum",
             p, z.n - 4);
    cr_assert_str_eq(read_error(p, NULL, 65536, NULL), want);
    z.p[z.n - 1] ^= 0x55;
    /* garbage after a complete frame: not a frame, reported where it starts */
    tbytes g = {malloc(1), 0, 0};
    tcat(&g, z.p, z.n);
    tcat(&g, "garbage!", 8);
    p = put_file("trail.zst", g.p, g.n);
    snprintf(want, sizeof want, "%s: corrupt zstd data at compressed offset %zu: Unknown frame descriptor",
             p, z.n);
    tbytes got;
    cr_assert_str_eq(read_error(p, NULL, 65536, &got), want);
    assert_bytes(got, t.p, t.n, "frame before the garbage");
    free(got.p);
    free(g.p);
    /* flipped bytes in the middle of the blocks: some error, no crash */
    const char *prefix = "corrupt zstd data at compressed offset ";
    for (size_t at = 40; at < z.n - 8; at += z.n / 7) {
        for (int k = 0; k < 8; k++)
            z.p[at + (size_t)k] ^= (char)0xA5;
        p = put_file("flip.zst", z.p, z.n);
        const char *msg = read_error(p, NULL, 4096, NULL);
        cr_assert(strncmp(msg, p, strlen(p)) == 0 && strstr(msg, prefix) != NULL, "%s", msg);
        for (int k = 0; k < 8; k++)
            z.p[at + (size_t)k] ^= (char)0xA5;
    }
    free(t.p);
    free(z.p);
}

Test(zio, zstd_huge_window_rejected)
{
    /* streamed with an unknown size, the frame keeps its 1 GiB window */
    tbytes t = make_text(1000, 6);
    ZSTD_CCtx *c = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(c, ZSTD_c_windowLog, 30);
    char zbuf[4096];
    ZSTD_outBuffer out = {zbuf, sizeof zbuf, 0};
    ZSTD_inBuffer in = {t.p, t.n, 0};
    cr_assert(!ZSTD_isError(ZSTD_compressStream2(c, &out, &in, ZSTD_e_continue)));
    ZSTD_inBuffer none = {NULL, 0, 0};
    cr_assert_eq(ZSTD_compressStream2(c, &out, &none, ZSTD_e_end), 0);
    ZSTD_freeCCtx(c);
    /* frame header: magic, descriptor (no single-segment flag), then the
     * window descriptor byte: windowLog = 10 + exponent (high 5 bits) */
    cr_assert_eq((unsigned char)zbuf[4] & 0x20, 0, "the test frame must have a window descriptor");
    cr_assert_eq((unsigned char)zbuf[5], 20 << 3, "the test frame must declare a 1 GiB window");
    /* after a good frame, so the offset is not 0 */
    tbytes good = zcompress("hello\n", 6);
    tcat(&good, zbuf, out.pos);
    const char *p = put_file("bomb.zst", good.p, good.n);
    char want[4200];
    snprintf(want, sizeof want,
             "%s: zstd frame at compressed offset %zu needs a window over 128 MiB "
             "(limit windowLog 27): rejected to bound memory",
             p, good.n - out.pos);
    tbytes got;
    cr_assert_str_eq(read_error(p, NULL, 65536, &got), want);
    assert_bytes(got, "hello\n", 6, "data before the bomb");
    free(got.p);
    free(good.p);
    free(t.p);
}

Test(zio, open_errors)
{
    dw_reader *r = (dw_reader *)&r;
    dw_err e = {{0}};
    char path[4200];
    snprintf(path, sizeof path, "%s/no-such-file.json", tmp_dir);
    cr_assert_eq(dw_reader_open(&r, path, NULL, &e), DW_EINPUT);
    cr_assert_null(r);
    char want[4300];
    snprintf(want, sizeof want, "cannot open %s: No such file or directory", path);
    cr_assert_str_eq(e.msg, want);

    cr_assert_eq(dw_reader_open(&r, tmp_dir, NULL, &e), DW_EINPUT);
    snprintf(want, sizeof want, "%s: is a directory", tmp_dir);
    cr_assert_str_eq(e.msg, want);

    const char *p = put_file("x.txt", "x", 1);
    cr_assert_eq(dw_reader_open(&r, p, "klingon-9", &e), DW_EUSAGE);
    cr_assert_null(r);
    cr_assert_str_eq(e.msg, "unknown encoding klingon-9");
    cr_assert_eq(dw_reader_open_mem(&r, "x", 1, NULL, "cp99999", &e), DW_EUSAGE);
    cr_assert_str_eq(e.msg, "unknown encoding cp99999");
    dw_reader_close(NULL);
}

/* Converts UTF-8 text to enc with iconv(3). */
static tbytes to_encoding(const char *text, const char *enc)
{
    iconv_t cd = iconv_open(enc, "UTF-8");
    cr_assert(cd != (iconv_t)-1, "iconv does not know %s", enc);
    size_t il = strlen(text), ol = il * 4 + 16;
    tbytes t = {malloc(ol), 0, 0};
    char *ip = (char *)text, *op = t.p;
    cr_assert_neq(iconv(cd, &ip, &il, &op, &ol), (size_t)-1, "cannot convert to %s", enc);
    t.n = (size_t)(op - t.p);
    iconv_close(cd);
    return t;
}

Test(zio, transcoding_cases_from_tsv)
{
    size_t len;
    char *tsv = dwt_read_file(dwt_path("tests/data/zio/encodings.tsv"), &len);
    cr_assert(tsv != NULL, "tests/data/zio/encodings.tsv not found (set DW_ROOT)");
    int cases = 0;
    for (char *line = strtok(tsv, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#')
            continue;
        char *make = line, *open_as = strchr(make, '\t');
        cr_assert(open_as != NULL);
        *open_as++ = '\0';
        char *text = strchr(open_as, '\t');
        cr_assert(text != NULL);
        *text++ = '\0';
        /* repeated so that the input spans many internal buffers */
        tbytes utf8 = {malloc(1), 0, 0};
        for (int i = 0; i < 3000; i++)
            tcat(&utf8, text, strlen(text));
        tcat(&utf8, "", 1);
        tbytes enc = to_encoding(utf8.p, make);
        utf8.n--;
        cr_assert_neq(enc.n, utf8.n, "%s: the legacy bytes differ from UTF-8", make);
        const char *p = put_file("enc.txt", enc.p, enc.n);
        for (size_t bs = 1; bs <= 1 << 16; bs *= 4) {
            tbytes got = slurp(p, open_as, bs);
            assert_bytes(got, utf8.p, utf8.n, open_as);
            free(got.p);
        }
        /* compressed, and cut into small pieces at every stage */
        tbytes z = zcompress(enc.p, enc.n);
        for (size_t chunk = 1; chunk <= 7; chunk++) {
            dw_reader *r = NULL;
            dw_err e = {{0}};
            tbytes got;
            cr_assert_eq(dw_reader_open_mem(&r, z.p, z.n, "m", open_as, &e), DW_OK, "%s", e.msg);
            dw_reader_set_chunk(r, chunk);
            cr_assert_eq(read_all(r, 1, &got, &e), 0, "%s", e.msg);
            assert_bytes(got, utf8.p, utf8.n, open_as);
            dw_reader_close(r);
            free(got.p);
        }
        free(z.p);
        free(enc.p);
        free(utf8.p);
        cases++;
    }
    cr_assert_eq(cases, 7);
    free(tsv);
}

Test(zio, transcoding_errors)
{
    /* 0xA1 is not assigned in ISO-8859-6 */
    const char bad[] = "\xc7\xe4\xd9\xd1\xc8\xea\xc9 ok \xa1 rest";
    const char *p = put_file("bad-8859-6.txt", bad, sizeof bad - 1);
    char want[4200];
    snprintf(want, sizeof want, "%s: invalid byte sequence for encoding ISO-8859-6 at decoded offset 11",
             p);
    for (size_t bs = 1; bs <= 64; bs *= 2) {
        tbytes got;
        cr_assert_str_eq(read_error(p, "ISO-8859-6", bs, &got), want);
        assert_bytes(got, "العربية ok ", 18, "text before the bad byte");
        free(got.p);
    }
    /* UTF-16 cut in the middle of a surrogate pair at the end */
    const char cut[] = "a\0\x3d\xd8";
    p = put_file("cut16.txt", cut, 4);
    snprintf(want, sizeof want,
             "%s: incomplete byte sequence for encoding UTF-16LE at decoded offset 2 (end of input)", p);
    tbytes got;
    cr_assert_str_eq(read_error(p, "UTF-16LE", 7, &got), want);
    assert_bytes(got, "a", 1, "text before the cut");
    free(got.p);
}

Test(zio, shared_saudinewsnet_day)
{
    const char *sh = dwt_shared();
    if (!sh)
        cr_skip_test("../shared not found: skipping the SaudiNewsNet decompression test");
    char path[4200];
    snprintf(path, sizeof path, "%s/data/raw/saudinewsnet/2015-08-08.json.zst", sh);
    dw_reader *r = NULL;
    dw_err e = {{0}};
    cr_assert_eq(dw_reader_open(&r, path, NULL, &e), DW_OK, "%s", e.msg);
    cr_assert_eq(dw_reader_is_zstd(r), 1);
    uint64_t total = 0;
    char buf[65536];
    ssize_t n;
    unsigned char first = 0, last = 0;
    while ((n = dw_reader_read(r, buf, sizeof buf, &e)) > 0) {
        if (total == 0)
            first = (unsigned char)buf[0];
        last = (unsigned char)buf[n - 1];
        total += (uint64_t)n;
    }
    cr_assert_eq(n, 0, "%s", e.msg);
    /* size of the uncompressed 2015-08-08.json (the frame's XXH64 checksum
     * is verified by libzstd as it decodes) */
    cr_assert_eq(total, 4701066);
    cr_assert_eq(first, '[');
    cr_assert_eq(last, ']');
    cr_assert_eq(dw_reader_raw_offset(r), dw_reader_raw_size(r));
    dw_reader_close(r);
}
