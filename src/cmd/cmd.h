/* cmd.h: the subcommands main.c dispatches to, one file each (as git's
 * builtin/). Each returns the process exit status (see README "Exit codes");
 * only main.c exits. */
#ifndef DW_CMD_H
#define DW_CMD_H

#include "core/dw.h"

int cmd_ingest(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_sources(int argc, char **argv);

/* Exit status for a result code. */
int cmd_exit_code(dw_rc rc);
/* Prints "diwan CMD: MSG", the first line of usage and a pointer to --help
 * on stderr; returns 2, the exit status of usage errors. */
int cmd_usage_error(const char *cmd, const char *usage, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Prints "diwan CMD: MSG" on stderr. */
void cmd_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
