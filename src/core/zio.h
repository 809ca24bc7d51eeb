/* zio.h: streaming input: plain files, stdin ("-") and zstd frames (detected
 * by their magic number, whatever the file name), with optional transcoding
 * from a legacy encoding to UTF-8 through iconv. Memory is bounded: one
 * decompression window and fixed buffers, whatever the input size, so a zstd
 * bomb cannot exhaust memory.
 *
 * Offsets given to users are offsets in the decoded stream (after
 * decompression and transcoding), which is what a user sees after
 * `zstdcat | iconv -t UTF-8`. UTF-8 input is passed through unchecked (the
 * parsers repair or reject invalid UTF-8). */
#ifndef DW_ZIO_H
#define DW_ZIO_H

#include <stdint.h>
#include <sys/types.h>

#include "core/dw.h"

/* Largest zstd window accepted (2^27 = 128 MiB, what `zstd --long=27` makes;
 * `zstd -19` uses at most 8 MiB). A frame declaring a larger window is
 * rejected at its header with a clear message, so a zstd bomb or a hostile
 * header cannot make the decoder allocate more. */
#ifndef DW_ZIO_WINDOW_LOG_MAX /* the fuzz target lowers it (>= 20) */
#define DW_ZIO_WINDOW_LOG_MAX 27
#endif

typedef struct dw_reader dw_reader;

/* Opens path for reading ("-" reads stdin, which is not closed by
 * dw_reader_close and is named "stdin" in messages). The first bytes are read
 * at once to detect zstd (frame or skippable-frame magic; the file name does
 * not matter); concatenated frames are read one after the other.
 * encoding is NULL or "" (or "UTF-8") for UTF-8 input, otherwise an iconv
 * name such as "WINDOWS-1256" (any case; "cp1256" and "windows-1256" are
 * aliases of each other). On success *out owns the reader (close it with
 * dw_reader_close). On failure *out is NULL and the result is DW_EINPUT
 * ("cannot open PATH: reason", "PATH: is a directory", read error),
 * DW_EUSAGE ("unknown encoding NAME") or DW_ENOMEM. */
dw_rc dw_reader_open(dw_reader **out, const char *path, const char *encoding, dw_err *e);

/* As dw_reader_open, over len bytes at data (raw input: zstd is detected the
 * same way). data is NOT copied: it must outlive the reader. name (NULL:
 * "memory") is used in messages. Used by tests and the fuzz targets. */
dw_rc dw_reader_open_mem(dw_reader **out, const void *data, size_t len, const char *name,
                         const char *encoding, dw_err *e);

/* Reads up to cap decoded bytes into buf (UTF-8 when an encoding was given;
 * any cap >= 1 works). Returns the number read, 0 at the end of input, or -1
 * with e filled. Messages:
 *   "PATH: corrupt zstd data at compressed offset N: <zstd reason>"
 *   "PATH: truncated zstd frame at compressed offset N"
 *   "PATH: zstd frame at compressed offset N needs a window over 128 MiB ..."
 *   "PATH: read error: <strerror>"
 *   "PATH: invalid byte sequence for encoding ENC at decoded offset N"
 *   "PATH: incomplete byte sequence for encoding ENC at decoded offset N ..."
 * where a compressed offset counts bytes of the file and a decoded offset
 * bytes after decompression, before transcoding. Data before the error are
 * returned first. After an error, every later call fails the same way. */
ssize_t dw_reader_read(dw_reader *r, void *buf, size_t cap, dw_err *e);

/* Caps the bytes produced by each internal read step, and so by each
 * dw_reader_read call, at max (0: no cap). Decompressed or raw bytes reach
 * the transcoder in pieces of at most max bytes too. Tests use it to cut the
 * stream at every possible place; it changes no byte of the output. */
void dw_reader_set_chunk(dw_reader *r, size_t max);

/* Bytes consumed from the underlying file so far (compressed bytes for a
 * .zst), for progress reporting. */
uint64_t dw_reader_raw_offset(const dw_reader *r);
/* Size of the underlying file, or 0 if unknown (stdin, pipes). */
uint64_t dw_reader_raw_size(const dw_reader *r);
/* 1 if the input is zstd-compressed. */
int dw_reader_is_zstd(const dw_reader *r);

/* Closes the reader; accepts NULL. */
void dw_reader_close(dw_reader *r);

#endif
