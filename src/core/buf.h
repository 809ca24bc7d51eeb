/* buf.h: a growable byte buffer, always NUL-terminated (like git's strbuf).
 *
 * Ownership: a dw_buf owns its data. dw_buf_free releases it and leaves an
 * empty buffer that may be reused. dw_buf_detach hands the data to the caller,
 * who frees it with free(). Functions returning int give 0, or -1 when out
 * of memory (the buffer is then unchanged). */
#ifndef DW_BUF_H
#define DW_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct {
    char *data; /* NUL-terminated bytes, NULL until first growth */
    size_t len; /* bytes used, not counting the terminating NUL */
    size_t cap; /* bytes allocated */
} dw_buf;

#define DW_BUF_INIT {NULL, 0, 0}

/* Ensures room for `extra` more bytes plus NUL. Returns 0 or -1 (no memory). */
int dw_buf_grow(dw_buf *b, size_t extra);
int dw_buf_append(dw_buf *b, const void *p, size_t n);
int dw_buf_putc(dw_buf *b, char c);
int dw_buf_puts(dw_buf *b, const char *s);
int dw_buf_printf(dw_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int dw_buf_vprintf(dw_buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Sets len to 0, keeps the allocation. */
void dw_buf_reset(dw_buf *b);
/* Drops the first n bytes (memmove), for sliding input windows. */
void dw_buf_consume(dw_buf *b, size_t n);
/* Frees the data; accepts an empty buffer. */
void dw_buf_free(dw_buf *b);
/* Returns the data (caller frees with free()) and leaves b empty. Never NULL
 * unless out of memory. */
char *dw_buf_detach(dw_buf *b, size_t *len);
/* Returns data or "" for an empty buffer (never NULL). */
const char *dw_buf_str(const dw_buf *b);

#endif
