/* zout.c: streaming zstd output under a temporary name (see zout.h). Input
 * is gathered in a buffer of ZSTD_CStreamInSize bytes before each
 * compression call (larger writes go to zstd directly); compressed bytes go
 * through stdio, counted and hashed, and handed to the kernel's writeback
 * every ZOUT_SYNC_STEP bytes so that the fsync of the commit has little left
 * to wait for. */
#define _GNU_SOURCE /* sync_file_range */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "datasets/sha256.h"
#include "datasets/zout.h"

struct dw_zout {
    FILE *f;          /* the file being written */
    char *path;       /* its path (owned) */
    ZSTD_CCtx *cctx;  /* compression context */
    char *in;         /* pending uncompressed input */
    size_t nin;       /* bytes pending in in */
    size_t incap;     /* capacity of in */
    char *outb;       /* compressed output buffer */
    size_t outcap;    /* its capacity */
    uint64_t bytes;   /* compressed bytes written */
    uint64_t in_bytes; /* uncompressed bytes given */
    uint64_t synced;  /* compressed bytes already handed to writeback */
    dw_sha256 sha;    /* hash of the compressed bytes */
};

#define ZOUT_SYNC_STEP (8u << 20) /* bytes written between two writeback starts */

/* Starts the writeback of the bytes written since the last start, once they
 * reach ZOUT_SYNC_STEP; does not wait for it. Advisory: a failure shows at
 * the fsync of the commit. */
static void zout_start_writeback(dw_zout *z)
{
#ifdef SYNC_FILE_RANGE_WRITE
    if (z->bytes - z->synced < ZOUT_SYNC_STEP || fflush(z->f) != 0)
        return;
    sync_file_range(fileno(z->f), (off_t)z->synced, (off_t)(z->bytes - z->synced), SYNC_FILE_RANGE_WRITE);
    z->synced = z->bytes;
#else
    (void)z;
#endif
}

const char *dw_zout_zstd_version(void) { return ZSTD_versionString(); }

dw_rc dw_zout_open(dw_zout **out, const char *path, int level, int workers, dw_err *e)
{
    *out = NULL;
    dw_zout *z = calloc(1, sizeof *z);
    if (!z)
        return dw_err_set(e, DW_ENOMEM, "out of memory");
    z->incap = ZSTD_CStreamInSize();
    z->outcap = ZSTD_CStreamOutSize();
    z->path = strdup(path);
    z->in = malloc(z->incap);
    z->outb = malloc(z->outcap);
    z->cctx = ZSTD_createCCtx();
    if (!z->path || !z->in || !z->outb || !z->cctx) {
        dw_zout_free(z);
        return dw_err_set(e, DW_ENOMEM, "out of memory");
    }
    ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_compressionLevel, level);
    ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_checksumFlag, 1);
    if (workers >= 1) {
        ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_nbWorkers, workers); /* ignored without MT support */
        ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_jobSize, DW_ZOUT_JOB_BYTES);
    }
    z->f = fopen(path, "wb");
    if (!z->f) {
        int err = errno;
        dw_zout_free(z);
        return dw_err_set(e, DW_EIO, "cannot create %s: %s", path, strerror(err));
    }
    dw_sha256_init(&z->sha);
    *out = z;
    return DW_OK;
}

/* Compresses src[0..n) with mode (continue or end); writes output. */
static dw_rc zout_compress(dw_zout *z, const void *src, size_t n, ZSTD_EndDirective mode, dw_err *e)
{
    ZSTD_inBuffer ib = {src, n, 0};
    for (;;) {
        ZSTD_outBuffer ob = {z->outb, z->outcap, 0};
        size_t left = ZSTD_compressStream2(z->cctx, &ob, &ib, mode);
        if (ZSTD_isError(left))
            return dw_err_set(e, DW_EINTERNAL, "%s: zstd: %s", z->path, ZSTD_getErrorName(left));
        if (ob.pos) {
            if (fwrite(z->outb, 1, ob.pos, z->f) != ob.pos)
                return dw_err_set(e, DW_EIO, "cannot write %s: %s", z->path, strerror(errno));
            dw_sha256_update(&z->sha, z->outb, ob.pos);
            z->bytes += ob.pos;
            zout_start_writeback(z);
        }
        if (mode == ZSTD_e_end ? left == 0 : ib.pos == ib.size)
            break;
    }
    return DW_OK;
}

/* Compresses what is pending with mode (continue or end); writes output. */
static dw_rc zout_pump(dw_zout *z, ZSTD_EndDirective mode, dw_err *e)
{
    dw_rc rc = zout_compress(z, z->in, z->nin, mode, e);
    z->nin = 0;
    return rc;
}

dw_rc dw_zout_write(dw_zout *z, const void *p, size_t n, dw_err *e)
{
    const char *c = p;
    z->in_bytes += n;
    /* large writes with nothing pending go to zstd without the copy (the
     * frame does not depend on how the input is cut into calls) */
    if (!z->nin && n >= z->incap)
        return zout_compress(z, p, n, ZSTD_e_continue, e);
    while (n) {
        size_t take = z->incap - z->nin < n ? z->incap - z->nin : n;
        memcpy(z->in + z->nin, c, take);
        z->nin += take;
        c += take;
        n -= take;
        if (z->nin == z->incap) {
            dw_rc rc = zout_pump(z, ZSTD_e_continue, e);
            if (rc != DW_OK)
                return rc;
        }
    }
    return DW_OK;
}

dw_rc dw_zout_commit(dw_zout *z, const char *final_path, uint64_t *bytes, char sha256[65], dw_err *e)
{
    dw_rc rc = zout_pump(z, ZSTD_e_end, e);
    if (rc == DW_OK && (fflush(z->f) != 0 || fsync(fileno(z->f)) != 0))
        rc = dw_err_set(e, DW_EIO, "cannot write %s: %s", z->path, strerror(errno));
    if (rc == DW_OK) {
        int r = fclose(z->f);
        z->f = NULL;
        if (r != 0)
            rc = dw_err_set(e, DW_EIO, "cannot write %s: %s", z->path, strerror(errno));
    }
    if (rc == DW_OK && final_path && rename(z->path, final_path) != 0)
        rc = dw_err_set(e, DW_EIO, "cannot rename %s to %s: %s", z->path, final_path, strerror(errno));
    if (rc != DW_OK) {
        dw_zout_free(z);
        return rc;
    }
    *bytes = z->bytes;
    dw_sha256_hex(&z->sha, sha256);
    if (final_path) {
        free(z->path);
        z->path = NULL; /* nothing to remove any more */
    }
    ZSTD_freeCCtx(z->cctx);
    free(z->in);
    free(z->outb);
    free(z->path);
    free(z);
    return DW_OK;
}

uint64_t dw_zout_in_bytes(const dw_zout *z) { return z->in_bytes; }

void dw_zout_free(dw_zout *z)
{
    if (!z)
        return;
    if (z->f)
        fclose(z->f);
    if (z->path)
        unlink(z->path);
    ZSTD_freeCCtx(z->cctx);
    free(z->in);
    free(z->outb);
    free(z->path);
    free(z);
}
