/* zio.c: streaming input reader: plain files, stdin, memory, zstd frames
 * (detected by magic number) and iconv transcoding to UTF-8, in three stages:
 * raw bytes -> (zstd) decoded bytes -> (iconv) UTF-8 bytes. Every buffer has a
 * fixed size; the zstd window is capped at 2^DW_ZIO_WINDOW_LOG_MAX bytes. */
#define _GNU_SOURCE
#include "core/zio.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>
#include <zstd_errors.h>

/* Buffer sizes; the fuzz target may build with tiny ones. */
#ifndef DW_ZIO_TSRC_CAP
#define DW_ZIO_TSRC_CAP (64u << 10) /* transcoder input buffer */
#endif
#ifndef DW_ZIO_TOUT_CAP
#define DW_ZIO_TOUT_CAP (64u << 10) /* transcoder output buffer (UTF-8) */
#endif
#define DW_ZIO_PLAIN_CAP (64u << 10) /* first-read buffer of a plain input */

struct dw_reader {
    char *name;            /* path shown in messages ("stdin" for "-") */
    int fd;                /* input descriptor, -1 for memory input */
    int close_fd;          /* 1 when dw_reader_close closes fd (not stdin) */
    uint64_t raw_read;     /* bytes taken from the fd or memory so far */
    uint64_t raw_size;     /* size of a regular file, else 0 */

    unsigned char *raw_own; /* owned raw buffer (NULL for memory input) */
    const unsigned char *raw; /* raw bytes not yet consumed: raw[raw_pos..raw_len) */
    size_t raw_cap;        /* capacity of raw_own */
    size_t raw_pos;        /* first unconsumed byte of raw */
    size_t raw_len;        /* bytes valid in raw */
    int raw_eof;           /* 1 once the fd (or memory) is exhausted */

    ZSTD_DCtx *dctx;       /* zstd decoder, NULL for plain input */
    size_t zret;           /* last ZSTD_decompressStream result: 0 = frame done */
    uint64_t frame_start;  /* compressed offset of the current frame */

    iconv_t cd;            /* transcoder, (iconv_t)-1 when input is UTF-8 */
    char *enc;             /* encoding name as given by the caller */
    char *tsrc;            /* decoded bytes waiting for iconv */
    size_t tsrc_len;       /* bytes valid in tsrc */
    int src_eof;           /* 1 once the decoded stream is exhausted */
    int flushed;           /* 1 once iconv's final shift state was flushed */
    uint64_t src_off;      /* decoded bytes consumed by iconv so far */
    char *tout;            /* UTF-8 bytes produced by iconv */
    size_t tout_pos;       /* first byte of tout not yet given to the caller */
    size_t tout_len;       /* bytes valid in tout */

    size_t chunk;          /* dw_reader_set_chunk cap on each read step, 0: none */
    int failed;            /* 1 after an error: later reads repeat it */
    dw_err err;            /* the sticky error message */
};

/* Records a read error: fills e, makes the reader fail from now on. */
static ssize_t zio_fail(dw_reader *r, dw_err *e)
{
    r->failed = 1;
    if (e)
        *e = r->err;
    return -1;
}

/* Reads into buf from the fd, retrying on EINTR. Returns bytes, 0 or -1. */
static ssize_t zio_read_fd(dw_reader *r, void *buf, size_t cap)
{
    ssize_t n;
    do
        n = read(r->fd, buf, cap);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        dw_err_set(&r->err, DW_EINPUT, "%s: read error: %s", r->name, strerror(errno));
    else
        r->raw_read += (uint64_t)n;
    return n;
}

/* Refills the raw buffer once it is fully consumed. Returns bytes read, 0 at
 * the end of the input, -1 on error (r->err filled). */
static ssize_t zio_fill_raw(dw_reader *r)
{
    if (r->raw_eof || !r->raw_own)
        return 0;
    ssize_t n = zio_read_fd(r, r->raw_own, r->raw_cap);
    if (n < 0)
        return -1;
    r->raw_pos = 0;
    r->raw_len = (size_t)n;
    if (n == 0)
        r->raw_eof = 1;
    return n;
}

/* Offset in the raw input of the next byte zstd will consume. */
static uint64_t zio_zpos(const dw_reader *r)
{
    return r->raw_read - (r->raw_len - r->raw_pos);
}

/* Stage 1 for zstd input: decompresses into buf. Returns bytes, 0 at the end
 * of the input, -1 on error (r->err filled). */
static ssize_t zio_read_zstd(dw_reader *r, void *buf, size_t cap)
{
    for (;;) {
        if (r->raw_pos == r->raw_len && !r->raw_eof && zio_fill_raw(r) < 0)
            return -1;
        if (r->raw_pos == r->raw_len && r->raw_eof && r->zret == 0)
            return 0; /* every frame complete and flushed */
        if (r->zret == 0)
            r->frame_start = zio_zpos(r); /* between frames: the next starts here */
        size_t in_end = r->raw_len;
        if (r->chunk && in_end - r->raw_pos > r->chunk)
            in_end = r->raw_pos + r->chunk; /* feed zstd in small pieces too */
        ZSTD_inBuffer in = {r->raw, in_end, r->raw_pos};
        ZSTD_outBuffer out = {buf, cap, 0};
        size_t ret = ZSTD_decompressStream(r->dctx, &out, &in);
        r->raw_pos = in.pos;
        if (ZSTD_isError(ret)) {
            if (ZSTD_getErrorCode(ret) == ZSTD_error_frameParameter_windowTooLarge)
                dw_err_set(&r->err, DW_EINPUT,
                           "%s: zstd frame at compressed offset %llu needs a window over "
                           "%u MiB (limit windowLog %d): rejected to bound memory",
                           r->name, (unsigned long long)r->frame_start,
                           1u << (DW_ZIO_WINDOW_LOG_MAX - 20), DW_ZIO_WINDOW_LOG_MAX);
            else
                dw_err_set(&r->err, DW_EINPUT,
                           "%s: corrupt zstd data at compressed offset %llu: %s", r->name,
                           (unsigned long long)zio_zpos(r), ZSTD_getErrorName(ret));
            return -1;
        }
        r->zret = ret;
        if (out.pos > 0)
            return (ssize_t)out.pos;
        if (r->raw_pos == r->raw_len && r->raw_eof) {
            if (r->zret != 0) {
                dw_err_set(&r->err, DW_EINPUT,
                           "%s: truncated zstd frame at compressed offset %llu", r->name,
                           (unsigned long long)zio_zpos(r));
                return -1;
            }
            return 0;
        }
    }
}

/* Stage 1: raw or decompressed bytes. Returns bytes, 0 at the end, -1 on
 * error (r->err filled). */
static ssize_t zio_read_src(dw_reader *r, void *buf, size_t cap)
{
    if (cap == 0)
        return 0;
    if (r->chunk && cap > r->chunk)
        cap = r->chunk;
    if (r->dctx)
        return zio_read_zstd(r, buf, cap);
    if (r->raw_pos < r->raw_len) {
        size_t n = r->raw_len - r->raw_pos;
        if (n > cap)
            n = cap;
        memcpy(buf, r->raw + r->raw_pos, n);
        r->raw_pos += n;
        return (ssize_t)n;
    }
    if (r->raw_eof || r->fd < 0)
        return 0;
    ssize_t n = zio_read_fd(r, buf, cap);
    if (n == 0)
        r->raw_eof = 1;
    return n;
}

/* Stage 2: transcodes to UTF-8 through iconv. Same contract as zio_read_src. */
static ssize_t zio_read_iconv(dw_reader *r, char *buf, size_t cap)
{
    for (;;) {
        if (r->tout_pos < r->tout_len) {
            size_t n = r->tout_len - r->tout_pos;
            if (n > cap)
                n = cap;
            memcpy(buf, r->tout + r->tout_pos, n);
            r->tout_pos += n;
            return (ssize_t)n;
        }
        r->tout_pos = r->tout_len = 0;
        if (r->tsrc_len > 0) {
            char *ip = r->tsrc, *op = r->tout;
            size_t il = r->tsrc_len, ol = DW_ZIO_TOUT_CAP;
            size_t k = iconv(r->cd, &ip, &il, &op, &ol);
            int err = errno;
            size_t used = r->tsrc_len - il;
            r->src_off += used;
            memmove(r->tsrc, ip, il);
            r->tsrc_len = il;
            r->tout_len = DW_ZIO_TOUT_CAP - ol;
            if (r->tout_len > 0)
                continue; /* give what was converted before any error */
            if (k == (size_t)-1 && err == EILSEQ) {
                dw_err_set(&r->err, DW_EINPUT,
                           "%s: invalid byte sequence for encoding %s at decoded offset %llu",
                           r->name, r->enc, (unsigned long long)r->src_off);
                return -1;
            }
            if (k == (size_t)-1 && err != EINVAL && err != E2BIG) {
                dw_err_set(&r->err, DW_EINPUT, "%s: cannot convert from %s: %s", r->name,
                           r->enc, strerror(err));
                return -1;
            }
            /* EINVAL (incomplete sequence) or all consumed: need more input */
            if (used == 0 && r->tsrc_len == DW_ZIO_TSRC_CAP) {
                dw_err_set(&r->err, DW_EINTERNAL, "%s: iconv made no progress at decoded offset %llu",
                           r->name, (unsigned long long)r->src_off);
                return -1;
            }
        }
        if (r->src_eof) {
            if (r->tsrc_len > 0) {
                dw_err_set(&r->err, DW_EINPUT,
                           "%s: incomplete byte sequence for encoding %s at decoded offset %llu "
                           "(end of input)",
                           r->name, r->enc, (unsigned long long)r->src_off);
                return -1;
            }
            if (r->flushed)
                return 0;
            char *op = r->tout;
            size_t ol = DW_ZIO_TOUT_CAP;
            iconv(r->cd, NULL, NULL, &op, &ol);
            r->tout_len = DW_ZIO_TOUT_CAP - ol;
            r->flushed = 1;
            continue;
        }
        ssize_t n = zio_read_src(r, r->tsrc + r->tsrc_len, DW_ZIO_TSRC_CAP - r->tsrc_len);
        if (n < 0)
            return -1;
        if (n == 0)
            r->src_eof = 1;
        r->tsrc_len += (size_t)n;
    }
}

/* Opens an iconv descriptor to UTF-8, trying common aliases (cp1256 <->
 * windows-1256, any case). Returns (iconv_t)-1 when unknown. */
static iconv_t zio_iconv_open(const char *enc)
{
    char up[64], alt[80];
    iconv_t cd = iconv_open("UTF-8", enc);
    if (cd != (iconv_t)-1 || strlen(enc) >= sizeof up)
        return cd;
    size_t i;
    for (i = 0; enc[i]; i++)
        up[i] = (char)toupper((unsigned char)enc[i]);
    up[i] = '\0';
    if ((cd = iconv_open("UTF-8", up)) != (iconv_t)-1)
        return cd;
    if (strncmp(up, "CP", 2) == 0)
        snprintf(alt, sizeof alt, "WINDOWS-%s", up + 2);
    else if (strncmp(up, "WINDOWS-", 8) == 0)
        snprintf(alt, sizeof alt, "CP%s", up + 8);
    else if (strncmp(up, "WINDOWS", 7) == 0)
        snprintf(alt, sizeof alt, "CP%s", up + 7);
    else
        return (iconv_t)-1;
    return iconv_open("UTF-8", alt);
}

/* 1 when enc names UTF-8 itself (no transcoding needed). */
static int zio_is_utf8(const char *enc)
{
    return strcasecmp(enc, "UTF-8") == 0 || strcasecmp(enc, "UTF8") == 0;
}

/* 1 when the first bytes start a zstd frame or a skippable frame. */
static int zio_is_zstd_magic(const unsigned char *p, size_t n)
{
    if (n < 4)
        return 0;
    uint32_t m = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    return m == ZSTD_MAGICNUMBER || (m & 0xFFFFFFF0u) == ZSTD_MAGIC_SKIPPABLE_START;
}

/* Common tail of the open functions: encoding, magic detection, zstd setup.
 * Consumes r (closes it) on failure. */
static dw_rc zio_setup(dw_reader *r, const char *encoding, dw_reader **out, dw_err *e)
{
    dw_rc rc;
    if (encoding && *encoding && !zio_is_utf8(encoding)) {
        r->cd = zio_iconv_open(encoding);
        if (r->cd == (iconv_t)-1) {
            rc = dw_err_set(e, DW_EUSAGE, "unknown encoding %s", encoding);
            goto fail;
        }
        r->enc = strdup(encoding);
        r->tsrc = malloc(DW_ZIO_TSRC_CAP);
        r->tout = malloc(DW_ZIO_TOUT_CAP);
        if (!r->enc || !r->tsrc || !r->tout) {
            rc = dw_err_set(e, DW_ENOMEM, "%s: out of memory", r->name);
            goto fail;
        }
    }
    /* read until 4 bytes are known (pipes may give fewer) to see the magic */
    while (r->raw_own && r->raw_len < 4 && !r->raw_eof) {
        ssize_t n = zio_read_fd(r, r->raw_own + r->raw_len, r->raw_cap - r->raw_len);
        if (n < 0) {
            rc = DW_EINPUT;
            if (e)
                *e = r->err;
            goto fail;
        }
        if (n == 0)
            r->raw_eof = 1;
        r->raw_len += (size_t)n;
    }
    if (zio_is_zstd_magic(r->raw + r->raw_pos, r->raw_len - r->raw_pos)) {
        r->dctx = ZSTD_createDCtx();
        if (!r->dctx) {
            rc = dw_err_set(e, DW_ENOMEM, "%s: out of memory", r->name);
            goto fail;
        }
        size_t z = ZSTD_DCtx_setParameter(r->dctx, ZSTD_d_windowLogMax, DW_ZIO_WINDOW_LOG_MAX);
        if (ZSTD_isError(z)) {
            rc = dw_err_set(e, DW_EINTERNAL, "%s: zstd: %s", r->name, ZSTD_getErrorName(z));
            goto fail;
        }
    }
    *out = r;
    return DW_OK;
fail:
    dw_reader_close(r);
    return rc;
}

/* Allocates a reader with no input attached. NULL when out of memory. */
static dw_reader *zio_new(const char *name)
{
    dw_reader *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->fd = -1;
    r->cd = (iconv_t)-1;
    r->name = strdup(name);
    if (!r->name) {
        free(r);
        return NULL;
    }
    return r;
}

dw_rc dw_reader_open(dw_reader **out, const char *path, const char *encoding, dw_err *e)
{
    *out = NULL;
    int is_stdin = strcmp(path, "-") == 0;
    dw_reader *r = zio_new(is_stdin ? "stdin" : path);
    if (!r)
        return dw_err_set(e, DW_ENOMEM, "%s: out of memory", path);
    if (is_stdin) {
        r->fd = STDIN_FILENO;
    } else {
        do
            r->fd = open(path, O_RDONLY | O_CLOEXEC);
        while (r->fd < 0 && errno == EINTR);
        if (r->fd < 0) {
            dw_rc rc = dw_err_set(e, DW_EINPUT, "cannot open %s: %s", path, strerror(errno));
            dw_reader_close(r);
            return rc;
        }
        r->close_fd = 1;
    }
    struct stat st;
    if (fstat(r->fd, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            dw_rc rc = dw_err_set(e, DW_EINPUT, "%s: is a directory", r->name);
            dw_reader_close(r);
            return rc;
        }
        if (S_ISREG(st.st_mode))
            r->raw_size = (uint64_t)st.st_size;
    }
    size_t zin = ZSTD_DStreamInSize();
    r->raw_cap = zin > DW_ZIO_PLAIN_CAP ? zin : DW_ZIO_PLAIN_CAP;
    r->raw_own = malloc(r->raw_cap);
    if (!r->raw_own) {
        dw_reader_close(r);
        return dw_err_set(e, DW_ENOMEM, "%s: out of memory", path);
    }
    r->raw = r->raw_own;
    return zio_setup(r, encoding, out, e);
}

dw_rc dw_reader_open_mem(dw_reader **out, const void *data, size_t len, const char *name,
                         const char *encoding, dw_err *e)
{
    *out = NULL;
    dw_reader *r = zio_new(name ? name : "memory");
    if (!r)
        return dw_err_set(e, DW_ENOMEM, "%s: out of memory", name ? name : "memory");
    r->raw = data;
    r->raw_len = len;
    r->raw_eof = 1;
    r->raw_read = len;
    r->raw_size = len;
    return zio_setup(r, encoding, out, e);
}

ssize_t dw_reader_read(dw_reader *r, void *buf, size_t cap, dw_err *e)
{
    if (r->failed)
        return zio_fail(r, e);
    if (cap == 0)
        return 0;
    if (r->chunk && cap > r->chunk)
        cap = r->chunk;
    ssize_t n = r->cd != (iconv_t)-1 ? zio_read_iconv(r, buf, cap) : zio_read_src(r, buf, cap);
    if (n < 0)
        return zio_fail(r, e);
    return n;
}

void dw_reader_set_chunk(dw_reader *r, size_t max)
{
    r->chunk = max;
}

uint64_t dw_reader_raw_offset(const dw_reader *r)
{
    if (r->fd < 0)
        return r->raw_pos; /* memory input: bytes consumed */
    return r->raw_read;
}

uint64_t dw_reader_raw_size(const dw_reader *r)
{
    return r->raw_size;
}

int dw_reader_is_zstd(const dw_reader *r)
{
    return r->dctx != NULL;
}

void dw_reader_close(dw_reader *r)
{
    if (!r)
        return;
    if (r->close_fd && r->fd >= 0)
        close(r->fd);
    if (r->cd != (iconv_t)-1)
        iconv_close(r->cd);
    ZSTD_freeDCtx(r->dctx);
    free(r->raw_own);
    free(r->tsrc);
    free(r->tout);
    free(r->enc);
    free(r->name);
    free(r);
}
