/* buf.c: growable byte buffer. */
#include "core/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int dw_buf_grow(dw_buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need < b->len)
        return -1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) {
        if (cap > ((size_t)-1) / 2)
            return -1;
        cap *= 2;
    }
    char *p = realloc(b->data, cap);
    if (!p)
        return -1;
    b->data = p;
    b->cap = cap;
    b->data[b->len] = '\0';
    return 0;
}

int dw_buf_append(dw_buf *b, const void *p, size_t n)
{
    if (dw_buf_grow(b, n) < 0)
        return -1;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int dw_buf_putc(dw_buf *b, char c) { return dw_buf_append(b, &c, 1); }

int dw_buf_puts(dw_buf *b, const char *s) { return dw_buf_append(b, s, strlen(s)); }

int dw_buf_vprintf(dw_buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0 || dw_buf_grow(b, (size_t)n) < 0)
        return -1;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int dw_buf_printf(dw_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = dw_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return r;
}

void dw_buf_reset(dw_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void dw_buf_consume(dw_buf *b, size_t n)
{
    if (n >= b->len) {
        dw_buf_reset(b);
        return;
    }
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
    b->data[b->len] = '\0';
}

void dw_buf_free(dw_buf *b)
{
    if (!b)
        return;
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

char *dw_buf_detach(dw_buf *b, size_t *len)
{
    if (!b->data && dw_buf_grow(b, 0) < 0)
        return NULL;
    char *p = b->data;
    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

const char *dw_buf_str(const dw_buf *b) { return b->data ? b->data : ""; }
