/* main.c: diwan's entry point. Dispatches subcommands from a table (as git's
 * git.c does) and is the only place that exits. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"

/* A subcommand. */
typedef struct {
    const char *name;                 /* as typed */
    int (*fn)(int argc, char **argv); /* runs it; returns the exit status */
    const char *summary;              /* one line for `diwan --help` */
} command;

static const command commands[] = {
    {"ingest", cmd_ingest, "read pages, folders, .zst and JSON records into a database"},
    {"info", cmd_info, "summarize a database: files, pages, articles, duplicates, quarantine"},
    {"sources", cmd_sources, "list outlets, their aliases and article counts"},
    {"dups", cmd_dups, "list near-duplicate clusters (--update computes them)"},
    {"stats", cmd_stats, "count n-grams and co-occurrences into the database (--export, --merge)"},
    {"top", cmd_top, "most frequent terms, overall, per source or per month, or top pairs"},
    {"cooc", cmd_cooc, "the words that co-occur with a word"},
    {"split", cmd_split, "write a deterministic, leakage-free train/validation/test release"},
    {"verify", cmd_verify, "check a release: checksums, rows, zstd frames, no cluster in two splits"},
    {"report", cmd_report, "write the corpus report (HTML with plots, Markdown or JSON)"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: diwan COMMAND [options] DB ...\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'diwan COMMAND --help' describes a command's options.\n");
}

int main(int argc, char **argv)
{
    /* past a file size limit, writes fail with EFBIG (reported as a full
     * disk) instead of killing the process mid-transaction */
    signal(SIGXFSZ, SIG_IGN);
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("diwan %s\n", DW_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (strcmp(argv[1], commands[i].name) == 0) {
            int status = commands[i].fn(argc - 1, argv + 1);
            if (fflush(stdout) != 0 || ferror(stdout)) {
                fprintf(stderr, "diwan %s: cannot write standard output\n", argv[1]);
                status = status ? status : 5;
            }
            exit(status);
        }
    fprintf(stderr, "diwan: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
