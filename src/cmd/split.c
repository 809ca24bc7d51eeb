/* split.c: `diwan split DB --out DIR`: writes a dataset release (train,
 * validation and test CSV files, manifest, Croissant description, dataset
 * card); the work is in src/datasets/split.c. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "core/db.h"
#include "datasets/split.h"

static const char usage_text[] =
    "usage: diwan split [options] DB --out DIR\n"
    "\n"
    "Writes a dataset release into DIR: train.csv.zst, validation.csv.zst and\n"
    "test.csv.zst (one row per near-duplicate cluster, its representative),\n"
    "manifest.json, croissant.json and a dataset card README.md. A cluster's\n"
    "split depends only on the seed and its representative's content hash, so\n"
    "near-duplicates never straddle splits. Same database and options give\n"
    "byte-identical files.\n"
    "  -o, --out DIR        output folder (created; if it exists it may only hold\n"
    "                       an earlier release, unless --force)\n"
    "  --ratios R,R[,R]     train,test or train,validation,test shares summing to 1\n"
    "                       (default 0.8,0.1,0.1)\n"
    "  --seed N             seed of the assignment (default 0)\n"
    "  --stratify source    keep each outlet's proportions (largest remainder)\n"
    "  --by-date T[,V]      time split on the representative's date: up to T train,\n"
    "                       up to V validation, later test; undated: train\n"
    "  --source NAME        only this outlet (canonical name or alias; repeatable)\n"
    "  --min-tokens N       only articles of at least N tokens\n"
    "  --since DATE, --until DATE\n"
    "                       only articles published in [DATE, DATE] (YYYY-MM-DD;\n"
    "                       undated articles are then left out)\n"
    "  --keep-duplicates    every member of a cluster, in its cluster's split\n"
    "  --shard-rows N       at most N rows per file: train-00000-of-00004.csv.zst\n"
    "  --level N            zstd level 1-19 (default 3)\n"
    "  --threads N          threads writing, compressing and checking leakage\n"
    "                       (default: cores, at most 8); the output does not\n"
    "                       depend on it\n"
    "  --no-leakage         skip the 13-gram overlap of test with train\n"
    "  --leak-cap N         most train 13-gram hashes held (default 4194304); beyond,\n"
    "                       only hashes divisible by a power of two are kept\n"
    "  --date YYYY-MM-DD    release date written in the manifest and card (default:\n"
    "                       none, no clock is read)\n"
    "  --force              write into DIR even if it holds other files\n"
    "  --progress           show progress even when stderr is not a terminal\n"
    "  -q, --quiet          no progress, no summary\n";

/* Draws a run's progress (dw_split_opts.on_progress); ud: the cmd_progress. */
static void split_on_progress(void *ud, const dw_split_progress *p)
{
    if (p->frac >= 0)
        cmd_progress_draw(ud, p->phase, p->frac, p->seconds, "%lld rows", (long long)p->rows);
    else
        cmd_progress_draw(ud, p->phase, -1, p->seconds, "%s", "");
}

/* Parses --ratios into o; returns 0 or -1. */
static int split_parse_ratios(const char *s, dw_split_opts *o)
{
    double v[4];
    int n = 0;
    const char *p = s;
    while (n < 4) {
        char *end;
        v[n] = strtod(p, &end);
        if (end == p || !(v[n] >= 0.0 && v[n] <= 1.0))
            return -1;
        n++;
        if (*end == '\0')
            break;
        if (*end != ',')
            return -1;
        p = end + 1;
    }
    if (n < 2 || n > 3)
        return -1;
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += v[i];
    if (sum < 1.0 - 1e-9 || sum > 1.0 + 1e-9)
        return -1;
    o->two_way = n == 2;
    o->ratios[DW_SPLIT_TRAIN] = v[0];
    o->ratios[DW_SPLIT_VALID] = n == 3 ? v[1] : 0.0;
    o->ratios[DW_SPLIT_TEST] = v[n - 1];
    return 0;
}

int cmd_split(int argc, char **argv)
{
    enum {
        O_OUT = 256, O_RATIOS, O_SEED, O_STRATIFY, O_BYDATE, O_SOURCE, O_MINTOK, O_SINCE, O_UNTIL, O_KEEP,
        O_SHARD, O_LEVEL, O_THREADS, O_NOLEAK, O_LEAKCAP, O_DATE, O_FORCE, O_PROGRESS
    };
    static const struct option longopts[] = {{"out", required_argument, NULL, O_OUT},
                                             {"ratios", required_argument, NULL, O_RATIOS},
                                             {"seed", required_argument, NULL, O_SEED},
                                             {"stratify", required_argument, NULL, O_STRATIFY},
                                             {"by-date", required_argument, NULL, O_BYDATE},
                                             {"source", required_argument, NULL, O_SOURCE},
                                             {"min-tokens", required_argument, NULL, O_MINTOK},
                                             {"since", required_argument, NULL, O_SINCE},
                                             {"until", required_argument, NULL, O_UNTIL},
                                             {"keep-duplicates", no_argument, NULL, O_KEEP},
                                             {"shard-rows", required_argument, NULL, O_SHARD},
                                             {"level", required_argument, NULL, O_LEVEL},
                                             {"threads", required_argument, NULL, O_THREADS},
                                             {"no-leakage", no_argument, NULL, O_NOLEAK},
                                             {"leak-cap", required_argument, NULL, O_LEAKCAP},
                                             {"date", required_argument, NULL, O_DATE},
                                             {"force", no_argument, NULL, O_FORCE},
                                             {"quiet", no_argument, NULL, 'q'},
                                             {"progress", no_argument, NULL, O_PROGRESS},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    dw_split_opts o;
    dw_split_opts_init(&o);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    o.threads = cores < 1 ? 1 : cores > 8 ? 8 : (int)cores;
    const char *out = NULL;
    int quiet = 0, ratios_given = 0, progress = isatty(2), c, li = 0;
    cmd_progress bar = {0};
    char **sources = calloc((size_t)argc + 1, sizeof *sources);
    char datebuf[2][11];
    if (!sources) {
        cmd_error("split", "out of memory");
        return 6;
    }
    optind = 1;
    opterr = 0;
    int status = -1;
    while (status < 0 && (c = getopt_long(argc, argv, ":hqo:", longopts, &li)) != -1) {
        long long v = 0;
        if (c == O_SEED || c == O_MINTOK || c == O_SHARD || c == O_LEVEL || c == O_THREADS || c == O_LEAKCAP) {
            long long hi = c == O_LEVEL ? 19 : c == O_THREADS ? 256 : 9223372036854775807LL;
            long long lo = c == O_LEVEL || c == O_THREADS || c == O_SHARD || c == O_LEAKCAP ? 1 : 0;
            v = cmd_parse_int(optarg, lo, hi);
            if (v < 0) {
                status = cmd_usage_error("split", usage_text, "bad value '%s' for --%s", optarg, longopts[li].name);
                break;
            }
        }
        if ((c == O_SINCE || c == O_UNTIL || c == O_DATE) && !cmd_is_date(optarg)) {
            status = cmd_usage_error("split", usage_text, "bad date '%s' for --%s (YYYY-MM-DD)", optarg,
                                     longopts[li].name);
            break;
        }
        switch (c) {
        case O_OUT:
        case 'o': out = optarg; break;
        case O_RATIOS:
            ratios_given = 1;
            if (split_parse_ratios(optarg, &o) < 0)
                status = cmd_usage_error("split", usage_text,
                                         "bad value '%s' for --ratios (2 or 3 shares in [0, 1] summing to 1)", optarg);
            break;
        case O_SEED: o.seed = (uint64_t)v; break;
        case O_STRATIFY:
            if (strcmp(optarg, "source") != 0)
                status = cmd_usage_error("split", usage_text, "bad value '%s' for --stratify (only 'source')", optarg);
            o.stratify = 1;
            break;
        case O_BYDATE: {
            const char *comma = strchr(optarg, ',');
            size_t l1 = comma ? (size_t)(comma - optarg) : strlen(optarg);
            if (l1 == 10 && (!comma || strlen(comma + 1) == 10)) {
                memcpy(datebuf[0], optarg, 10);
                datebuf[0][10] = '\0';
                if (comma)
                    memcpy(datebuf[1], comma + 1, 11);
            }
            if (l1 != 10 || !cmd_is_date(datebuf[0]) || (comma && (strlen(comma + 1) != 10 || !cmd_is_date(datebuf[1]) ||
                                                                     strcmp(datebuf[0], datebuf[1]) > 0))) {
                status = cmd_usage_error("split", usage_text,
                                         "bad value '%s' for --by-date (TRAIN_END[,VALID_END], YYYY-MM-DD, in order)",
                                         optarg);
                break;
            }
            o.train_end = datebuf[0];
            o.valid_end = comma ? datebuf[1] : NULL;
            break;
        }
        case O_SOURCE: sources[o.nsources++] = optarg; break;
        case O_MINTOK: o.min_tokens = v; break;
        case O_SINCE: o.since = optarg; break;
        case O_UNTIL: o.until = optarg; break;
        case O_KEEP: o.keep_duplicates = 1; break;
        case O_SHARD: o.shard_rows = v; break;
        case O_LEVEL: o.level = (int)v; break;
        case O_THREADS: o.threads = (int)v; break;
        case O_NOLEAK: o.leakage = 0; break;
        case O_LEAKCAP: o.leak_cap = (size_t)v; break;
        case O_DATE: o.date = optarg; break;
        case O_FORCE: o.force = 1; break;
        case 'q': quiet = 1; break;
        case O_PROGRESS: progress = 1; break;
        case 'h': fputs(usage_text, stdout); status = 0; break;
        case ':': status = cmd_usage_error("split", usage_text, "option '%s' needs a value", argv[optind - 1]); break;
        default: status = cmd_usage_error("split", usage_text, "unknown option '%s'", argv[optind - 1]); break;
        }
    }
    if (status < 0 && argc - optind != 1)
        status = cmd_usage_error("split", usage_text, "expected one database");
    else if (status < 0 && !out)
        status = cmd_usage_error("split", usage_text, "--out DIR is required");
    else if (status < 0 && o.train_end && (ratios_given || o.stratify))
        status = cmd_usage_error("split", usage_text, "--by-date excludes --ratios and --stratify");
    if (status >= 0) {
        free(sources);
        return status;
    }
    o.sources = (const char *const *)sources;
    dw_db *db = NULL;
    dw_err e = {{0}};
    dw_split_summary sum;
    dw_rc rc = dw_db_open(&db, argv[optind], DW_DB_READONLY, 0, &e);
    if (progress && !quiet) {
        o.on_progress = split_on_progress;
        o.progress_ud = &bar;
    }
    if (rc == DW_OK)
        rc = dw_split_run(db, &o, out, &sum, &e);
    cmd_progress_clear(&bar);
    dw_db_close(db);
    free(sources);
    if (rc != DW_OK) {
        cmd_error("split", "%s", e.msg);
        return cmd_exit_code(rc);
    }
    if (!quiet) {
        printf("%s: ", out);
        for (int s = 0; s < DW_SPLIT_N; s++)
            if (s != DW_SPLIT_VALID || !(o.two_way || (o.train_end && !o.valid_end)))
                printf("%s%s %lld", s ? ", " : "", dw_split_name(s), (long long)sum.rows[s]);
        printf(" rows in %lld files; %lld clusters, %lld articles, %lld duplicates dropped\n", (long long)sum.files,
               (long long)sum.clusters, (long long)sum.articles,
               (long long)(sum.articles - sum.rows[0] - sum.rows[1] - sum.rows[2]));
        printf("leakage: %lld near-duplicate pairs across splits", (long long)sum.pairs_across);
        if (sum.leak_done)
            printf("; %lld of %lld test 13-grams in train (%.2f%%%s)", (long long)sum.test_grams_in_train,
                   (long long)sum.test_grams,
                   sum.test_grams ? 100.0 * (double)sum.test_grams_in_train / (double)sum.test_grams : 0.0,
                   sum.leak_k > 1 ? ", sampled" : "");
        printf("\n");
        if (sum.undated)
            printf("undated: %lld rows in train (--by-date puts clusters without a date there)\n",
                   (long long)sum.undated);
    }
    return 0;
}
