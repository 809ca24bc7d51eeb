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
    {"text", cmd_text, "write the tokens the statistics count, one article or sentence a line"},
    {"split", cmd_split, "write a deterministic, leakage-free train/validation/test release"},
    {"verify", cmd_verify, "check a release: checksums, rows, zstd frames, no cluster in two splits"},
    {"report", cmd_report, "write the corpus report (HTML with plots, Markdown or JSON)"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: diwan COMMAND [options] DB ...\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'diwan COMMAND --help' (or 'diwan help COMMAND') describes a command's options.\n");
}

static const command *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (strcmp(name, commands[i].name) == 0)
            return &commands[i];
    return NULL;
}

/* Edit distance of a and b (Levenshtein), capped: names are short. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), row[33];
    if (la > 32 || lb > 32)
        return 99;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* Says name is no command, suggests the nearest ones (as git does), and
 * prints the usage. */
static void unknown_command(const char *name)
{
    fprintf(stderr, "diwan: unknown command '%s'\n", name);
    size_t limit = strlen(name) >= 5 ? 2 : 1, best = limit + 1; /* edits */
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++) {
        size_t d = edit_distance(name, commands[i].name);
        if (d < best)
            best = d;
    }
    for (size_t i = 0; best <= limit && i < sizeof commands / sizeof *commands; i++)
        if (edit_distance(name, commands[i].name) == best)
            fprintf(stderr, "did you mean '%s'?\n", commands[i].name);
    usage(stderr);
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
    if (strcmp(argv[1], "help") == 0 && argc >= 3) { /* diwan help CMD: CMD --help */
        const command *c = find_command(argv[2]);
        if (!c) {
            unknown_command(argv[2]);
            return 2;
        }
        char help[] = "--help";
        char *hargv[] = {argv[2], help, NULL};
        return c->fn(2, hargv);
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("diwan %s\n", DW_VERSION);
        return 0;
    }
    const command *c = find_command(argv[1]);
    if (c) {
        int status = c->fn(argc - 1, argv + 1);
        if (fflush(stdout) != 0 || ferror(stdout)) {
            fprintf(stderr, "diwan %s: cannot write standard output\n", argv[1]);
            status = status ? status : 5;
        }
        exit(status);
    }
    unknown_command(argv[1]);
    return 2;
}
