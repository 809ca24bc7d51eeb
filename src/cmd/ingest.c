/* ingest.c: `diwan ingest DB INPUT...`: options, progress bar and summary
 * around dw_ingest_run. */
#include <getopt.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "core/norm.h"
#include "ingest/ingest.h"

static const char usage_text[] =
    "usage: diwan ingest [options] DB INPUT...\n"
    "       diwan ingest --backfill DB\n"
    "\n"
    "INPUT is a page file, a folder (read recursively in name order), a .zst\n"
    "file, a JSON Lines or JSON array file, or - for standard input.\n"
    "\n"
    "  --encoding NAME       inputs are in NAME (e.g. windows-1256), not UTF-8\n"
    "  --sources FILE        extra outlet aliases: TSV alias<TAB>canonical name\n"
    "  --fold-teh-marbuta    fold ة to ه in the normalized form (new databases only)\n"
    "  --threads N           threads (default: number of cores, at most 8)\n"
    "  --strict              exit 1 if any input or part of one was quarantined\n"
    "  --no-near-dup         skip the near-duplicate stage (diwan dups --update runs it later)\n"
    "  --reread              read inputs again even when unchanged (after an upgrade)\n"
    "  --near-dup-threshold T  Jaccard similarity of near-duplicates (default 0.8)\n"
    "  --tmpdir DIR          where standard input is spooled (default $TMPDIR or /tmp)\n"
    "  --progress            show a progress bar even when stderr is not a terminal\n"
    "  -q, --quiet           no progress, warnings or summary (errors are printed)\n"
    "  --json                print the summary as JSON\n"
    "  --backfill            store the 13-gram samples (content_grams) of articles\n"
    "                        ingested by an older diwan, which diwan split reads\n"
    "  -h, --help            this help\n";

/* State shared with the callbacks. */
typedef struct {
    int quiet;      /* no warnings, no progress */
    int progress;   /* draw the progress bar */
    cmd_progress bar; /* the progress line (cleared before a warning) */
} ui;

static void clear_bar(ui *u) { cmd_progress_clear(&u->bar); }

static void on_message(void *ud, int is_error, const char *msg)
{
    ui *u = ud;
    if (u->quiet && !is_error)
        return;
    clear_bar(u);
    fprintf(stderr, "diwan ingest: %s: %s\n", is_error ? "error" : "warning", msg);
}

static void on_progress(void *ud, const dw_ingest_stats *s, const char *path)
{
    ui *u = ud;
    (void)path;
    if (!u->progress)
        return;
    double mb = (double)s->raw_bytes / 1e6, total = (double)s->raw_total / 1e6;
    double rate = s->seconds > 0 ? (double)s->sightings / s->seconds : 0;
    cmd_progress_draw(&u->bar, "files", total > 0 ? mb / total : 0, s->seconds,
                      "%llu/%llu  %.1f/%.1f MB  %llu articles (%.0f/s)",
                      (unsigned long long)(s->files_done + s->files_failed + s->files_skipped),
                      (unsigned long long)s->inputs, mb, total, (unsigned long long)s->sightings, rate);
}

static void print_json(const dw_ingest_stats *s, int status)
{
    json_t *o = json_object();
    const struct {
        const char *key; /* JSON key */
        uint64_t v;      /* figure */
    } f[] = {
        {"inputs", s->inputs},         {"files_done", s->files_done}, {"files_skipped", s->files_skipped},
        {"files_failed", s->files_failed}, {"bytes", s->bytes},     {"pages", s->pages},
        {"sightings", s->sightings},   {"new_articles", s->new_articles}, {"duplicates", s->duplicates},
        {"quarantined", s->quarantined}, {"bad_bytes", s->bad_bytes},
    };
    for (size_t i = 0; i < sizeof f / sizeof *f; i++)
        json_object_set_new(o, f[i].key, json_integer((json_int_t)f[i].v));
    if (s->near_dup_ran) {
        json_object_set_new(o, "near_dup_pairs", json_integer((json_int_t)s->nd_pairs));
        json_object_set_new(o, "near_dup_clusters", json_integer((json_int_t)s->nd_clusters));
        json_object_set_new(o, "near_dup_clustered", json_integer((json_int_t)s->nd_clustered));
        json_object_set_new(o, "near_dup_seconds", json_real(s->nd_seconds));
    }
    json_object_set_new(o, "seconds", json_real(s->seconds));
    json_object_set_new(o, "exit", json_integer(status));
    json_dumpf(o, stdout, JSON_PRESERVE_ORDER);
    fputc('\n', stdout);
    json_decref(o);
}

int cmd_ingest(int argc, char **argv)
{
    enum { O_ENCODING = 256, O_SOURCES, O_FOLD, O_THREADS, O_STRICT, O_TMPDIR, O_PROGRESS, O_JSON, O_NONEAR,
           O_NEARTHR, O_BACKFILL, O_REREAD };
    static const struct option longopts[] = {
        {"encoding", required_argument, NULL, O_ENCODING},
        {"sources", required_argument, NULL, O_SOURCES},
        {"fold-teh-marbuta", no_argument, NULL, O_FOLD},
        {"threads", required_argument, NULL, O_THREADS},
        {"strict", no_argument, NULL, O_STRICT},
        {"tmpdir", required_argument, NULL, O_TMPDIR},
        {"progress", no_argument, NULL, O_PROGRESS},
        {"quiet", no_argument, NULL, 'q'},
        {"json", no_argument, NULL, O_JSON},
        {"no-near-dup", no_argument, NULL, O_NONEAR},
        {"near-dup-threshold", required_argument, NULL, O_NEARTHR},
        {"backfill", no_argument, NULL, O_BACKFILL},
        {"reread", no_argument, NULL, O_REREAD},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    dw_ingest_opts o;
    memset(&o, 0, sizeof o);
    ui u = {0, isatty(2), {0}};
    int json = 0, backfill = 0, c;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    o.threads = ncpu < 1 ? 1 : ncpu > 8 ? 8 : (int)ncpu;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":qh", longopts, NULL)) != -1) {
        switch (c) {
        case O_ENCODING: o.encoding = optarg; break;
        case O_SOURCES: o.sources_file = optarg; break;
        case O_FOLD: o.norm_flags |= DW_NORM_TEH_MARBUTA; break;
        case O_THREADS: {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || n < 1 || n > 256) {
                return cmd_usage_error("ingest", usage_text, "--threads: expected a number from 1 to 256, got '%s'",
                                       optarg);
            }
            o.threads = (int)n;
            break;
        }
        case O_STRICT: o.strict = 1; break;
        case O_NONEAR: o.no_near_dup = 1; break;
        case O_REREAD: o.reread = 1; break;
        case O_NEARTHR: {
            char *end;
            double t = strtod(optarg, &end);
            if (*end || !(t > 0 && t <= 1))
                return cmd_usage_error("ingest", usage_text,
                                       "--near-dup-threshold: expected a number above 0 and at most 1, got '%s'",
                                       optarg);
            o.near_dup_threshold = t;
            break;
        }
        case O_TMPDIR: o.tmpdir = optarg; break;
        case O_PROGRESS: u.progress = 1; break;
        case 'q': u.quiet = 1; break;
        case O_JSON: json = 1; break;
        case O_BACKFILL: backfill = 1; break;
        case 'h': fputs(usage_text, stdout); return 0;
        case ':': return cmd_usage_error("ingest", usage_text, "option '%s' needs a value", argv[optind - 1]);
        default:
            return cmd_usage_error("ingest", usage_text, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (backfill) {
        if (argc - optind != 1)
            return cmd_usage_error("ingest", usage_text, "--backfill: expected a database and no input");
        uint64_t added = 0;
        dw_err e = {{0}};
        dw_rc rc = dw_ingest_backfill(argv[optind], &added, &e);
        if (rc != DW_OK) {
            cmd_error("ingest", "%s", e.msg);
            return cmd_exit_code(rc);
        }
        if (!u.quiet)
            printf("%llu article%s given a 13-gram sample\n", (unsigned long long)added, added == 1 ? "" : "s");
        return 0;
    }
    if (argc - optind < 2) {
        return cmd_usage_error("ingest", usage_text, "expected a database and at least one input");
    }
    if (o.encoding && (!*o.encoding || strcasecmp(o.encoding, "utf-8") == 0 || strcasecmp(o.encoding, "utf8") == 0))
        o.encoding = NULL;
    if (u.quiet)
        u.progress = 0;
    o.on_message = on_message;
    o.on_progress = on_progress;
    o.ud = &u;
    dw_ingest_stats s;
    dw_err e = {{0}};
    dw_rc rc = dw_ingest_run(argv[optind], (const char *const *)argv + optind + 1, argc - optind - 1, &o, &s, &e);
    clear_bar(&u);
    int status = cmd_exit_code(rc);
    if (rc != DW_OK)
        cmd_error("ingest", "%s", e.msg);
    else if (o.strict && (s.quarantined || s.bad_bytes)) {
        cmd_error("ingest", "--strict: %llu input part%s quarantined, %llu invalid byte%s replaced",
                  (unsigned long long)s.quarantined, s.quarantined == 1 ? "" : "s",
                  (unsigned long long)s.bad_bytes, s.bad_bytes == 1 ? "" : "s");
        status = 1;
    }
    int fatal = rc != DW_OK && rc != DW_EINPUT;
    if (json)
        print_json(&s, status);
    else if (!u.quiet && !fatal)
        printf("%llu input%s: %llu read, %llu unchanged, %llu failed; %llu page%s, %llu article%s found "
               "(%llu new, %llu duplicate%s); %llu quarantined; %llu invalid byte%s replaced\n",
               (unsigned long long)s.inputs, s.inputs == 1 ? "" : "s", (unsigned long long)s.files_done,
               (unsigned long long)s.files_skipped, (unsigned long long)s.files_failed, (unsigned long long)s.pages,
               s.pages == 1 ? "" : "s", (unsigned long long)s.sightings, s.sightings == 1 ? "" : "s",
               (unsigned long long)s.new_articles, (unsigned long long)s.duplicates, s.duplicates == 1 ? "" : "s",
               (unsigned long long)s.quarantined, (unsigned long long)s.bad_bytes, s.bad_bytes == 1 ? "" : "s");
    if (!json && !u.quiet && !fatal && s.near_dup_ran)
        printf("near-duplicates: %llu new pair%s; %llu cluster%s of %llu articles in the database\n",
               (unsigned long long)s.nd_pairs, s.nd_pairs == 1 ? "" : "s", (unsigned long long)s.nd_clusters,
               s.nd_clusters == 1 ? "" : "s", (unsigned long long)s.nd_clustered);
    return status;
}
