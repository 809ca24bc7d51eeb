/* text.c: `diwan text DB`: writes the tokens the statistics count, one
 * article (or sentence) a line, for other tools (src/stats/text.c). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/db.h"
#include "stats/stats.h"

static const char usage_text[] =
    "usage: diwan text [options] DB\n"
    "\n"
    "Writes to standard output the tokens 'diwan stats' counts with the same\n"
    "options: the same articles (cluster representatives) in the same order,\n"
    "normalized and tokenized the same way, separated by one space, one article\n"
    "a line. For GloVe, word2vec, fastText, or 'tr | sort | uniq -c'.\n"
    "  --sentences          one sentence a line (n-grams and co-occurrence\n"
    "                       windows stop at these lines' ends)\n"
    "  --tokenizer T        words (default) or whitespace: whitespace-separated runs\n"
    "  --no-normalize       the stored text, not its normalized form\n"
    "  --all-copies         every article, not only cluster representatives\n"    "  --shard K/N          only the articles whose id is K modulo N\n"
    "  -q, --quiet          no summary on stderr\n";

/* Writes a block to stdout (dw_text_writer). */
static int write_stdout(void *ud, const void *p, size_t n)
{
    (void)ud;
    return fwrite(p, 1, n, stdout) == n ? 0 : -1;
}

int cmd_text(int argc, char **argv)
{
    enum { O_SENT = 256 };
    static const struct option longopts[] = {
        {"sentences", no_argument, NULL, O_SENT}, CMD_TEXT_LONGOPTS,
        {"quiet", no_argument, NULL, 'q'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    dw_stats_opts o;
    dw_stats_opts_default(&o);
    int sentences = 0, quiet = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":qh", longopts, NULL)) != -1) {
        switch (c) {
        case O_SENT: sentences = 1; break;
        case CMD_O_TOKENIZER:
        case CMD_O_NO_NORMALIZE:
        case CMD_O_ALL_COPIES:
        case CMD_O_SHARD:
            if (cmd_text_option("text", usage_text, c, optarg, &o) != 0)
                return 2;
            break;
        case 'q': quiet = 1; break;
        case 'h': fputs(usage_text, stdout); return 0;
        case ':': return cmd_usage_error("text", usage_text, "option '%s' needs a value", argv[optind - 1]);
        default: return cmd_usage_error("text", usage_text, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != 1)
        return cmd_usage_error("text", usage_text, "expected one database");
    dw_err e = {{0}};
    dw_db *db;
    dw_rc rc = dw_db_open(&db, argv[optind], DW_DB_READONLY, 0, &e);
    if (rc != DW_OK) {
        cmd_error("text", "%s", e.msg);
        return cmd_exit_code(rc);
    }
    dw_stats_text_summary sum;
    rc = dw_stats_text(db, &o, sentences, write_stdout, NULL, &sum, &e);
    dw_db_close(db);
    if (rc == DW_OK && fflush(stdout) != 0)
        rc = dw_err_set(&e, DW_EIO, "cannot write output");
    if (rc != DW_OK) {
        cmd_error("text", "%s", e.msg);
        return cmd_exit_code(rc);
    }
    if (!quiet)
        fprintf(stderr, "%llu articles: %llu tokens in %llu lines\n", (unsigned long long)sum.articles,
                (unsigned long long)sum.tokens, (unsigned long long)sum.lines);
    return 0;
}
