/* dw.c: error message helpers. */
#include "core/dw.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

dw_rc dw_err_set(dw_err *e, dw_rc rc, const char *fmt, ...)
{
    if (e) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
    }
    return rc;
}

void dw_err_prefix(dw_err *e, const char *fmt, ...)
{
    char head[DW_ERR_MAX];
    char old[DW_ERR_MAX];
    va_list ap;
    if (!e)
        return;
    va_start(ap, fmt);
    vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    memcpy(old, e->msg, sizeof old);
    size_t hl = strlen(head);
    memcpy(e->msg, head, hl + 1);
    if (hl < sizeof e->msg - 1) {
        size_t room = sizeof e->msg - 1 - hl;
        size_t ol = strlen(old);
        if (ol > room)
            ol = room;
        memcpy(e->msg + hl, old, ol);
        e->msg[hl + ol] = '\0';
    }
}
