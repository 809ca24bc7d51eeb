/* common.c: helpers shared by the subcommands. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"

int cmd_exit_code(dw_rc rc) { return (int)rc; }

void cmd_progress_draw(cmd_progress *p, const char *phase, double frac, double seconds, const char *fmt, ...)
{
    if (strncmp(p->phase, phase, sizeof p->phase - 1) != 0) {
        snprintf(p->phase, sizeof p->phase, "%s", phase);
        p->t_phase = seconds;
    }
    fputs("\r\033[K", stderr);
    if (frac >= 0) {
        if (frac > 1)
            frac = 1;
        char bar[21];
        int fill = (int)(frac * 20);
        for (int i = 0; i < 20; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[20] = '\0';
        double took = seconds - p->t_phase;
        int left = frac > 0.001 ? (int)(took * (1 - frac) / frac) : 0;
        fprintf(stderr, "[%s] %3d%%  ETA %d:%02d  ", bar, (int)(frac * 100), left / 60, left % 60);
    }
    char text[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s%s%s", phase, *text ? ": " : "", text);
    if (frac < 0)
        fprintf(stderr, "  %d:%02d", (int)seconds / 60, (int)seconds % 60);
    fflush(stderr);
    p->drawn = 1;
}

void cmd_progress_clear(cmd_progress *p)
{
    if (p->drawn)
        fputs("\r\033[K", stderr);
    p->drawn = 0;
}

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

/* 1 when s[0..n) are decimal digits. */
static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

int cmd_is_month(const char *s)
{
    if (strlen(s) != 7 || s[4] != '-' || !all_digits(s, 4) || !all_digits(s + 5, 2))
        return 0;
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    return m >= 1 && m <= 12;
}

int cmd_is_date(const char *s)
{
    static const int days[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (strlen(s) != 10 || s[7] != '-' || !all_digits(s + 8, 2))
        return 0;
    char month[8];
    memcpy(month, s, 7);
    month[7] = '\0';
    if (!cmd_is_month(month))
        return 0;
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d >= 1 && d <= (m == 2 && !leap ? 28 : days[m - 1]);
}

/* Parses K/N (0 <= K < N <= 65536) into *shard and *shards; 0, or -1
 * when s is not that. */
static int parse_shard(const char *s, uint32_t *shard, uint32_t *shards)
{
    const char *slash = strchr(s, '/');
    if (!slash || slash == s || slash - s > 15)
        return -1;
    char k[16];
    memcpy(k, s, (size_t)(slash - s));
    k[slash - s] = '\0';
    long long a = cmd_parse_int(k, 0, 65535), n = cmd_parse_int(slash + 1, 1, 65536);
    if (a < 0 || n < 0 || a >= n)
        return -1;
    *shard = (uint32_t)a;
    *shards = (uint32_t)n;
    return 0;
}

int cmd_text_option(const char *cmd, const char *usage, int c, const char *arg, dw_stats_opts *o)
{
    switch (c) {
    case CMD_O_TOKENIZER:
        if (strcmp(arg, "words") != 0 && strcmp(arg, "whitespace") != 0)
            return cmd_usage_error(cmd, usage, "--tokenizer must be words or whitespace");
        o->whitespace = strcmp(arg, "whitespace") == 0;
        return 0;
    case CMD_O_NO_NORMALIZE: o->normalize = 0; return 0;
    case CMD_O_ALL_COPIES: o->all_copies = 1; return 0;
    case CMD_O_SHARD:
        if (parse_shard(arg, &o->shard, &o->shards) != 0)
            return cmd_usage_error(cmd, usage, "--shard must be K/N with 0 <= K < N <= 65536");
        return 0;
    default: return cmd_usage_error(cmd, usage, "internal: option %d is not a text option", c);
    }
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
