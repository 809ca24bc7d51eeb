/* zout.h: a zstd-compressed output file written under a temporary name, with
 * the size and SHA-256 of the compressed bytes kept as they are written, so
 * that a release file is checksummed without being read again. The caller
 * renames the file to its final name once it is complete (dw_zout_commit). */
#ifndef DW_ZOUT_H
#define DW_ZOUT_H

#include <stdint.h>

#include "core/dw.h"

typedef struct dw_zout dw_zout;

/* The size of a zstd job with workers. zstd's default at level 3 is 8 MiB,
 * and each stream then holds some 50 MB of job buffers (a release writes
 * three streams at once), whose first touch cost more than the larger jobs
 * gain: with 2 MiB, split is 10% faster, its peak RSS 70 MB lower, its
 * files 0.5% larger (1 MiB: slower; 4 MiB: in between). Part of the
 * format: the manifest records it, and changing it changes every file. */
#define DW_ZOUT_JOB_BYTES (2u << 20)

/* What a manifest says of the compression (a static string), and the
 * version of the zstd library, which the bytes depend on too. */
#define DW_ZOUT_FORMAT "zstd, one frame per file, with content checksum, compressed in jobs of 2 MiB"
const char *dw_zout_zstd_version(void);

/* Creates path (truncated if present) for a zstd stream at level with frame
 * checksums; workers >= 1 compresses in that many threads, in jobs of 2 MiB
 * (the output is the same for any workers >= 1). On success *out owns the file (release with
 * dw_zout_commit or dw_zout_free). DW_EIO when the file cannot be created,
 * DW_ENOMEM. */
dw_rc dw_zout_open(dw_zout **out, const char *path, int level, int workers, dw_err *e);

/* Compresses and writes n bytes. DW_EIO naming the file on a write error. */
dw_rc dw_zout_write(dw_zout *z, const void *p, size_t n, dw_err *e);

/* Ends the frame, flushes and syncs the file and renames it to final_path
 * (NULL: leaves it where it is). Then *bytes and sha256 (64 hex digits) hold
 * the compressed size and checksum. DW_EIO on failure (the file is removed).
 * z is freed in every case. */
dw_rc dw_zout_commit(dw_zout *z, const char *final_path, uint64_t *bytes, char sha256[65], dw_err *e);

/* Uncompressed bytes given to dw_zout_write so far. */
uint64_t dw_zout_in_bytes(const dw_zout *z);

/* Abandons the file: closes and removes it, frees z. Accepts NULL. */
void dw_zout_free(dw_zout *z);

#endif
