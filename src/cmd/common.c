/* common.c: helpers shared by the subcommands. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"

int cmd_exit_code(dw_rc rc) { return (int)rc; }

void cmd_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "diwan %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cmd_usage_error(const char *cmd, const char *usage, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "diwan %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    const char *nl = strchr(usage, '\n');
    fprintf(stderr, "\n%.*s\n(see 'diwan %s --help')\n", (int)(nl ? nl - usage : (long)strlen(usage)), usage, cmd);
    return 2;
}

long long cmd_parse_int(const char *s, long long lo, long long hi)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    return v;
}
