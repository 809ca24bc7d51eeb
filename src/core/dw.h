/* dw.h: result codes and the error message buffer shared by every diwan module.
 * Library code never exits or prints: it returns a dw_rc and fills a dw_err,
 * as sqlite3_exec fills its errmsg. Messages are lowercase, no final full stop. */
#ifndef DW_DW_H
#define DW_DW_H

#include <stddef.h>
#include <stdint.h>

/* Result codes. Numbering is part of the CLI contract (see main.c exit codes). */
typedef enum {
    DW_OK = 0,       /* success */
    DW_EUSAGE = 2,   /* bad command line or option value */
    DW_EINPUT = 3,   /* input unreadable, corrupt or rejected (strict mode) */
    DW_EDB = 4,      /* database cannot be opened, written or is incompatible */
    DW_EIO = 5,      /* output or temporary file I/O failure (disk full, ...) */
    DW_ENOMEM = 6,   /* allocation failure */
    DW_EINTERNAL = 70 /* a bug: an invariant did not hold */
} dw_rc;

#define DW_ERR_MAX 1024

/* An error message. Zero-initialize; dw_err_set overwrites. */
typedef struct {
    char msg[DW_ERR_MAX]; /* NUL-terminated, lowercase, no final full stop */
} dw_err;

/* Formats a message into e (may be NULL) and returns rc, so that callers can
 * write `return dw_err_set(e, DW_EIO, "cannot write %s: %s", p, strerror(errno));` */
dw_rc dw_err_set(dw_err *e, dw_rc rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefixes the existing message of e with a formatted context ("file.txt: ..."). */
void dw_err_prefix(dw_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Seconds on the monotonic clock: for progress and timings, never for
 * anything written to an output. */
double dw_now_seconds(void);

/* Progress reports come at most every 0.25 s: 1 when one is due (force, or
 * 0.25 s since *last), with *last set to now; else 0. */
int dw_progress_due(double *last, int force);

#endif
