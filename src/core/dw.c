/* dw.c: error message helpers, the monotonic clock. */
#include "core/dw.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

double dw_now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int dw_progress_due(double *last, int force)
{
    double t = dw_now_seconds();
    if (!force && t - *last < 0.25)
        return 0;
    *last = t;
    return 1;
}

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
