/* ingest.c: `diwan ingest DB INPUT...`: options, progress bar and summary
 * around dw_ingest_run. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "core/norm.h"
#include "ingest/ingest.h"

static const char usage_text[] =
    "usage: diwan ingest [options] DB INPUT...\n"
    "\n"
    "INPUT is a page file, a folder (read recursively in name order), a .zst\n"
    "file, a JSON Lines or JSON array file, or - for standard input.\n"
    "\n"
    "  --encoding NAME       inputs are in NAME (e.g. windows-1256), not UTF-8\n"
    "  --sources FILE        extra outlet aliases: TSV alias<TAB>canonical name\n"
    "  --fold-teh-marbuta    fold ة to ه in the normalized form (new databases only)\n"
    "  --threads N           threads (default: number of cores, at most 8)\n"
    "  --strict              exit 1 if any input or part of one was quarantined\n"
    "  --tmpdir DIR          where standard input is spooled (default $TMPDIR or /tmp)\n"
    "  --progress            show a progress bar even when stderr is not a terminal\n"
    "  -q, --quiet           no progress, warnings or summary (errors are printed)\n"
    "  --json                print the summary as JSON\n"
    "  -h, --help            this help\n";

/* State shared with the callbacks. */
typedef struct {
    int quiet;      /* no warnings, no progress */
    int progress;   /* draw the progress bar */
    int drawn;      /* a bar is on screen (clear it before a warning) */
} ui;

static void clear_bar(ui *u)
{
    if (u->drawn) {
        fputs("\r\033[K", stderr);
        u->drawn = 0;
    }
}

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
    double frac = total > 0 ? mb / total : 0;
    if (frac > 1)
        frac = 1;
    char bar[21];
    int fill = (int)(frac * 20);
    for (int i = 0; i < 20; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[20] = '\0';
    double eta = frac > 0.001 ? s->seconds * (1 - frac) / frac : 0;
    fprintf(stderr, "\r\033[K[%s] files %llu/%llu  %.1f/%.1f MB  %llu articles (%.0f/s)  ETA %d:%02d", bar,
            (unsigned long long)(s->files_done + s->files_failed + s->files_skipped),
            (unsigned long long)s->inputs, mb, total, (unsigned long long)s->sightings, rate,
            (int)eta / 60, (int)eta % 60);
    u->drawn = 1;
}

static void print_json(const dw_ingest_stats *s, int status)
{
    json_t *o = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:f,s:i}", "inputs",
                          (json_int_t)s->inputs, "files_done", (json_int_t)s->files_done, "files_skipped",
                          (json_int_t)s->files_skipped, "files_failed", (json_int_t)s->files_failed, "bytes",
                          (json_int_t)s->bytes, "pages", (json_int_t)s->pages, "sightings",
                          (json_int_t)s->sightings, "new_articles", (json_int_t)s->new_articles, "duplicates",
                          (json_int_t)s->duplicates, "quarantined", (json_int_t)s->quarantined, "bad_bytes",
                          (json_int_t)s->bad_bytes, "seconds", s->seconds, "exit", status);
    if (o) {
        json_dumpf(o, stdout, JSON_PRESERVE_ORDER);
        fputc('\n', stdout);
        json_decref(o);
    }
}

int cmd_ingest(int argc, char **argv)
{
    enum { O_ENCODING = 256, O_SOURCES, O_FOLD, O_THREADS, O_STRICT, O_TMPDIR, O_PROGRESS, O_JSON };
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
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    dw_ingest_opts o;
    memset(&o, 0, sizeof o);
    ui u = {0, isatty(2), 0};
    int json = 0, c;
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
        case O_TMPDIR: o.tmpdir = optarg; break;
        case O_PROGRESS: u.progress = 1; break;
        case 'q': u.quiet = 1; break;
        case O_JSON: json = 1; break;
        case 'h': fputs(usage_text, stdout); return 0;
        case ':': return cmd_usage_error("ingest", usage_text, "option '%s' needs a value", argv[optind - 1]);
        default:
            return cmd_usage_error("ingest", usage_text, "unknown option '%s'", argv[optind - 1]);
        }
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
    return status;
}
