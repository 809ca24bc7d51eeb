/* stats.c: `diwan stats DB`: counts n-grams, lengths and co-occurrences into
 * the database (src/stats), merges another database's statistics, exports
 * the tables as zstd-compressed CSV. */
#include <errno.h>
#include <getopt.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "core/db.h"
#include "stats/stats.h"

static const char usage_text[] =
    "usage: diwan stats [options] DB\n"
    "\n"
    "Counts, over the tokens of the cluster representatives' bodies, n-grams\n"
    "(count and document frequency, overall, per source and per month), article\n"
    "lengths and co-occurrences (count, PMI, NPMI, log-likelihood ratio), and\n"
    "replaces the statistics tables of DB.\n"
    "  --ngram-max N        longest n-gram (default 3; 0: none)\n"
    "  --window N           co-occurrence window, words each side (default 5)\n"
    "  --scope S            window (default) or article: pairs within one article\n"
    "  --harmonic           a pair d words apart counts 1/d\n"
    "  --min-count N        store pairs counted at least N times (default 5; 0: every\n"
    "                       pair, as shards to be merged need)\n"
    "  --no-cooc            no co-occurrences\n"
    "  --stopwords FILE     stop words left out of co-occurrences, one a line\n"
    "                       (default: the built-in Arabic list)\n"
    "  --keep-stopwords     stop words take part in co-occurrences\n"
    "  --tokenizer T        words (default) or whitespace: whitespace-separated runs\n"
    "  --no-normalize       count the stored text, not its normalized form\n"
    "  --all-copies         count every article, not only cluster representatives\n"    "  --shard K/N          count only the articles whose id is K modulo N (shards\n"
    "                       of one database, to be merged with --merge)\n"
    "  --per LIST           n-grams also per source, per month, or both (default\n"
    "                       source,month; none: overall only)\n"
    "  --memory-mb N        memory budget (default 1024); past it counts spill\n"
    "                       to compressed temporary files\n"
    "  --tmpdir DIR         where they spill, and where SQLite sorts the pairs'\n"
    "                       index (default $TMPDIR or /tmp)\n"
    "  --threads N          threads normalizing and tokenizing, and as many counting\n"
    "                       co-occurrences (default: cores, at most 8)\n"
    "  --merge OTHER        add the statistics of database OTHER instead of counting\n"
    "                       (repeatable; statistics already in are skipped)\n"
    "  --merge-batch N      databases merged in one pass and transaction (default\n"
    "                       32; each holds a file open)\n"
    "  --no-count           do not count (with --export: export what is stored)\n"
    "  --export DIR         write the tables as DIR/TABLE.csv.zst\n"
    "  --progress           show progress even when stderr is not a terminal\n"
    "  -q, --quiet          no progress, no summary\n";

/* Draws a run's progress (dw_stats_opts.on_progress); ud: the cmd_progress. */
static void on_progress(void *ud, const dw_stats_progress *p)
{
    if (strcmp(p->phase, "counting") == 0)
        cmd_progress_draw(ud, p->phase, p->frac, p->seconds, "%llu articles", (unsigned long long)p->done);
    else if (p->done)
        cmd_progress_draw(ud, p->phase, -1, p->seconds, "%llu rows", (unsigned long long)p->done);
    else
        cmd_progress_draw(ud, p->phase, -1, p->seconds, "%s", "");
}


/* cmd_stats with room for the --merge values (argc entries: each is an
 * argument). */
static int stats_main(int argc, char **argv, char **merge)
{
    enum { O_NGRAM = 256, O_WINDOW, O_SCOPE, O_HARMONIC, O_MIN, O_NOCOOC, O_STOP, O_KEEPSTOP, O_MEM, O_TMP,
           O_THREADS, O_MERGE, O_MBATCH, O_NOCOUNT, O_EXPORT, O_PER, O_PROGRESS };
    static const struct option longopts[] = {
        {"ngram-max", required_argument, NULL, O_NGRAM}, {"window", required_argument, NULL, O_WINDOW},
        {"scope", required_argument, NULL, O_SCOPE}, {"harmonic", no_argument, NULL, O_HARMONIC},
        {"min-count", required_argument, NULL, O_MIN}, {"no-cooc", no_argument, NULL, O_NOCOOC},
        {"stopwords", required_argument, NULL, O_STOP}, {"keep-stopwords", no_argument, NULL, O_KEEPSTOP},
        CMD_TEXT_LONGOPTS,
        {"memory-mb", required_argument, NULL, O_MEM},
        {"tmpdir", required_argument, NULL, O_TMP}, {"threads", required_argument, NULL, O_THREADS},
        {"merge", required_argument, NULL, O_MERGE}, {"merge-batch", required_argument, NULL, O_MBATCH},
        {"no-count", no_argument, NULL, O_NOCOUNT},
        {"export", required_argument, NULL, O_EXPORT}, {"quiet", no_argument, NULL, 'q'},
        {"per", required_argument, NULL, O_PER}, {"progress", no_argument, NULL, O_PROGRESS},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    dw_stats_opts o;
    dw_stats_opts_default(&o);
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    o.threads = ncpu < 1 ? 1 : ncpu > 8 ? 8 : (int)ncpu;
    size_t nmerge = 0, merge_batch = DW_STATS_MERGE_BATCH;
    const char *export_dir = NULL;
    int quiet = 0, nocount = 0, min_given = 0, progress = isatty(2), c;
    cmd_progress bar = {0};
    long long v;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":qh", longopts, NULL)) != -1) {
        switch (c) {
        case O_NGRAM:
            if ((v = cmd_parse_int(optarg, 0, DW_STATS_NGRAM_MAX)) < 0)
                return cmd_usage_error("stats", usage_text, "--ngram-max must be 0 to %d", DW_STATS_NGRAM_MAX);
            o.ngram_max = (int)v;
            break;
        case O_WINDOW:
            if ((v = cmd_parse_int(optarg, 1, DW_STATS_WINDOW_MAX)) < 0)
                return cmd_usage_error("stats", usage_text, "--window must be 1 to %d", DW_STATS_WINDOW_MAX);
            o.window = (int)v;
            break;
        case O_SCOPE:
            if (strcmp(optarg, "window") != 0 && strcmp(optarg, "article") != 0)
                return cmd_usage_error("stats", usage_text, "--scope must be window or article");
            o.scope_article = strcmp(optarg, "article") == 0;
            break;
        case O_HARMONIC: o.harmonic = 1; break;
        case O_MIN:
            if ((v = cmd_parse_int(optarg, 0, 1000000000000LL)) < 0)
                return cmd_usage_error("stats", usage_text, "--min-count must be a number");
            o.min_count = v;
            min_given = 1;
            break;
        case O_NOCOOC: o.cooc = 0; break;
        case O_STOP: o.stopwords_path = optarg; break;
        case O_KEEPSTOP: o.keep_stopwords = 1; break;
        case CMD_O_TOKENIZER:
        case CMD_O_NO_NORMALIZE:
        case CMD_O_ALL_COPIES:
        case CMD_O_SHARD:
            if (cmd_text_option("stats", usage_text, c, optarg, &o) != 0)
                return 2;
            break;
        case O_MEM:
            if ((v = cmd_parse_int(optarg, 32, 1 << 22)) < 0)
                return cmd_usage_error("stats", usage_text, "--memory-mb must be a number of MiB, at least 32");
            o.memory_mb = (size_t)v;
            break;
        case O_TMP: o.tmpdir = optarg; break;
        case O_PER: {
            o.per_source = o.per_month = 0;
            if (strcmp(optarg, "none") != 0) {
                char list[64];
                snprintf(list, sizeof list, "%s", optarg);
                for (char *save = NULL, *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                    if (strcmp(t, "source") == 0)
                        o.per_source = 1;
                    else if (strcmp(t, "month") == 0)
                        o.per_month = 1;
                    else
                        return cmd_usage_error("stats", usage_text, "--per takes source, month, both (source,month) or none");
                }
            }
            break;
        }
        case O_THREADS:
            if ((v = cmd_parse_int(optarg, 1, 256)) < 0)
                return cmd_usage_error("stats", usage_text, "--threads must be 1 to 256");
            o.threads = (int)v;
            break;
        case O_MERGE: merge[nmerge++] = optarg; break;
        case O_MBATCH:
            if ((v = cmd_parse_int(optarg, 1, 1000)) < 0)
                return cmd_usage_error("stats", usage_text, "--merge-batch must be 1 to 1000");
            merge_batch = (size_t)v;
            break;
        case O_NOCOUNT: nocount = 1; break;
        case O_EXPORT: export_dir = optarg; break;
        case 'q': quiet = 1; break;
        case O_PROGRESS: progress = 1; break;
        case 'h': fputs(usage_text, stdout); return 0;
        case ':': return cmd_usage_error("stats", usage_text, "option '%s' needs a value", argv[optind - 1]);
        default: return cmd_usage_error("stats", usage_text, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != 1)
        return cmd_usage_error("stats", usage_text, "expected one database");
    if (o.harmonic && o.scope_article)
        return cmd_usage_error("stats", usage_text, "--harmonic needs a window, not --scope article");
    const char *path = argv[optind];
    /* SQLite's own temporary files (the sort of an index) go there too; set
     * before any connection, as SQLite asks */
    if (o.tmpdir) {
        size_t n = strlen(o.tmpdir) + 1;
        char *t = sqlite3_malloc64(n); /* SQLite's allocator, as it asks */
        if (!t) {
            cmd_error("stats", "out of memory");
            return cmd_exit_code(DW_ENOMEM);
        }
        memcpy(t, o.tmpdir, n);
        sqlite3_temp_directory = t;
    }
    dw_db *db;
    dw_err e = {{0}};
    int writes = !nocount || nmerge;
    dw_rc rc = dw_db_open(&db, path, writes ? 0 : DW_DB_READONLY, 0, &e);
    if (rc == DW_OK && writes)
        rc = dw_db_lock_writer(db, &e);
    if (rc == DW_OK && nmerge) {
        int *skipped = calloc(nmerge, sizeof *skipped);
        dw_stats_merge_opts mo = {merge_batch, min_given ? o.min_count : -1, NULL, NULL};
        if (progress && !quiet) {
            mo.on_progress = on_progress;
            mo.progress_ud = &bar;
        }
        rc = skipped ? dw_stats_merge(db, (const char *const *)merge, nmerge, &mo, skipped, &e)
                     : dw_err_set(&e, DW_ENOMEM, "out of memory");
        cmd_progress_clear(&bar);
        for (size_t i = 0; rc == DW_OK && !quiet && i < nmerge; i++)
            if (skipped[i])
                printf("%s: its statistics are in %s already: skipped\n", merge[i], path);
            else
                printf("merged the statistics of %s into %s\n", merge[i], path);
        free(skipped);
    } else if (rc == DW_OK && !nocount) {
        dw_stats_summary s;
        if (progress && !quiet) {
            o.on_progress = on_progress;
            o.progress_ud = &bar;
        }
        rc = dw_stats_run(db, &o, &s, &e);
        cmd_progress_clear(&bar);
        if (rc == DW_OK && !quiet)
            printf("%llu articles: %llu tokens, %llu types, %llu hapax; %llu n-gram rows; %llu pairs, %llu "
                   "stored; %u runs spilled\n",
                   (unsigned long long)s.articles, (unsigned long long)s.tokens, (unsigned long long)s.types,
                   (unsigned long long)s.hapax, (unsigned long long)s.ngrams, (unsigned long long)s.pairs,
                   (unsigned long long)s.pairs_stored, s.runs);
    }
    if (rc == DW_OK && export_dir) {
        if (!dw_stats_present(db))
            rc = dw_err_set(&e, DW_EDB, "%s: no statistics to export (run diwan stats first)", path);
        else
            rc = dw_stats_export(db, export_dir, &e);
    }
    dw_db_close(db);
    if (rc != DW_OK) {
        if (rc == DW_EUSAGE)
            return cmd_usage_error("stats", usage_text, "%s", e.msg);
        cmd_error("stats", "%s", e.msg);
        return cmd_exit_code(rc);
    }
    return 0;
}

int cmd_stats(int argc, char **argv)
{
    char **merge = calloc((size_t)argc + 1, sizeof *merge); /* at most one --merge per argument */
    if (!merge) {
        cmd_error("stats", "out of memory");
        return cmd_exit_code(DW_ENOMEM);
    }
    int status = stats_main(argc, argv, merge);
    free(merge);
    return status;
}
