/* cmd.h: the subcommands main.c dispatches to, one file each (as git's
 * builtin/). Each returns the process exit status (see README "Exit codes");
 * only main.c exits. */
#ifndef DW_CMD_H
#define DW_CMD_H

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>

#include "core/db.h"
#include "core/dw.h"
#include "stats/stats.h"

int cmd_ingest(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_sources(int argc, char **argv);
int cmd_dups(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_cooc(int argc, char **argv);
int cmd_text(int argc, char **argv);
int cmd_split(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_report(int argc, char **argv);

/* Parses an option value that must be a whole number in [lo, hi] (lo >= 0);
 * returns it, or -1 when the value is not such a number. */
long long cmd_parse_int(const char *s, long long lo, long long hi);
/* The options that choose the text the statistics count, shared by
 * `stats` and `text`: getopt_long values (above any command's own) and
 * their entries for a longopts table. */
enum { CMD_O_TOKENIZER = 1000, CMD_O_NO_NORMALIZE, CMD_O_ALL_COPIES, CMD_O_SHARD };
#define CMD_TEXT_LONGOPTS                                                                                      \
    {"tokenizer", required_argument, NULL, CMD_O_TOKENIZER},                                                  \
        {"no-normalize", no_argument, NULL, CMD_O_NO_NORMALIZE},                                              \
        {"all-copies", no_argument, NULL, CMD_O_ALL_COPIES}, {"shard", required_argument, NULL, CMD_O_SHARD}
/* Applies option c (a CMD_O_* value) with its value arg to o: 0, or the
 * exit status 2 after printing cmd's usage error for a bad value. */
int cmd_text_option(const char *cmd, const char *usage, int c, const char *arg, dw_stats_opts *o);
/* 1 when s is a month YYYY-MM (01 to 12). */
int cmd_is_month(const char *s);
/* 1 when s is a calendar date YYYY-MM-DD (2024-02-29 is one, 2023-02-29
 * and 2024-04-31 are not). */
int cmd_is_date(const char *s);
/* Exit status for a result code. */
int cmd_exit_code(dw_rc rc);
/* Prints "diwan CMD: MSG", the first line of usage and a pointer to --help
 * on stderr; returns 2, the exit status of usage errors. */
int cmd_usage_error(const char *cmd, const char *usage, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Prints "diwan CMD: MSG" on stderr. */
void cmd_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A progress line on stderr, redrawn in place. Zero-initialize. */
typedef struct {
    int drawn;          /* 1: a line is on screen */
    char phase[32];     /* phase of that line */
    double t_phase;     /* when that phase started (seconds of the run) */
} cmd_progress;
/* Draws "PHASE: TEXT" over the previous line: with frac in [0, 1] after a
 * bar, the share done and the time the phase still needs; with frac < 0
 * (share unknown) followed by the run's time so far. seconds: since the
 * run started. */
void cmd_progress_draw(cmd_progress *p, const char *phase, double frac, double seconds, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Clears the line of p, if one is drawn (before a message or the summary). */
void cmd_progress_clear(cmd_progress *p);

/* Output formats of `diwan top` and `diwan cooc` (statsout.c). */
enum { CMD_FMT_TABLE, CMD_FMT_CSV, CMD_FMT_JSON };
/* CMD_FMT_* of "table", "csv" or "json"; -1 for anything else. */
int cmd_stats_format(const char *s);
/* Prints the rows of st (ncols columns named by names; a name starting with
 * '#' is a number column, printed without the '#') in format fmt. Returns
 * SQLITE_OK or the failing sqlite3_step code. */
int cmd_stats_print(sqlite3_stmt *st, int ncols, const char *const *names, int fmt, FILE *out);
/* Opens the database at path read-only for `top` and `cooc` and checks that
 * it holds statistics; returns 0 and *out (close with dw_db_close), or prints
 * the error and returns the exit status. */
int cmd_stats_open(const char *cmd, const char *path, dw_db **out);
/* The value of key in stats_info into buf (dflt when absent). */
void cmd_stats_info(dw_db *db, const char *key, const char *dflt, char *buf, size_t cap);
/* 0 when db's statistics counted co-occurrences; else prints why there
 * are no pairs (on behalf of cmd) and returns 2. */
int cmd_stats_need_pairs(const char *cmd, dw_db *db);
/* A word given on the command line as the statistics store it (normalized
 * unless they were counted with --no-normalize): the first token their
 * tokenizer finds in it ("" when none), with *nwords the tokens found (0,
 * 1, or 2 for two or more). Caller frees; NULL when out of memory. */
char *cmd_stats_term(dw_db *db, const char *word, int *nwords);

#endif
