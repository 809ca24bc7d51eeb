/* report.c: `diwan report DB --out PATH`: the statistics report of a
 * database as one HTML file (default), Markdown with SVG plots beside it, or
 * JSON. The file is written under a temporary name and renamed when
 * complete. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/db.h"
#include "report/report.h"

static const char usage_text[] =
    "usage: diwan report [options] DB --out PATH\n"
    "\n"
    "Writes a report on the corpus in DB: overview, outlets, articles per month,\n"
    "lengths, Zipf and Heaps plots, n-grams, collocations, the largest\n"
    "duplicate clusters and the most repeated body lines (boilerplate).\n"
    "Sections on terms need 'diwan stats DB' first.\n"
    "  -o, --out PATH      output file ('-': standard output)\n"
    "  --format F          html (default; one file, inline SVG), md (Markdown;\n"
    "                      plots as SVG files in PATH-without-.md + '-files/')\n"
    "                      or json; inferred from the extension of PATH\n"
    "  --limit K           rows per table (default 20)\n"
    "  --date YYYY-MM-DD   report date printed in the report (none by default)\n";

enum { FMT_HTML, FMT_MD, FMT_JSON };

/* Format named by s, or -1. */
static int parse_format(const char *s)
{
    if (strcmp(s, "html") == 0)
        return FMT_HTML;
    if (strcmp(s, "md") == 0 || strcmp(s, "markdown") == 0)
        return FMT_MD;
    if (strcmp(s, "json") == 0)
        return FMT_JSON;
    return -1;
}

/* 1 when path ends with suffix. */
static int ends_with(const char *path, const char *suffix)
{
    size_t n = strlen(path), k = strlen(suffix);
    return n >= k && strcmp(path + n - k, suffix) == 0;
}

/* Renders model m in format fmt to out (files_dir/files_rel: see
 * dw_report_write_md). */
static dw_rc render(const json_t *m, int fmt, FILE *out, const char *files_dir, const char *files_rel, dw_err *e)
{
    if (fmt == FMT_JSON)
        return dw_report_write_json(m, out, e);
    if (fmt == FMT_MD)
        return dw_report_write_md(m, out, files_dir, files_rel, e);
    return dw_report_write_html(m, out, e);
}

/* Writes the report to path through path.tmp, renamed when complete. */
static dw_rc write_file(const json_t *m, int fmt, const char *path, dw_err *e)
{
    char *tmp = malloc(strlen(path) + 8), *dir = NULL;
    if (!tmp)
        return dw_err_set(e, DW_ENOMEM, "out of memory");
    sprintf(tmp, "%s.tmp", path);
    const char *rel = NULL;
    if (fmt == FMT_MD) {
        /* report.md -> report-files/ beside it */
        size_t n = strlen(path) - (ends_with(path, ".md") ? 3 : 0);
        if (!(dir = malloc(n + 8))) {
            free(tmp);
            return dw_err_set(e, DW_ENOMEM, "out of memory");
        }
        snprintf(dir, n + 8, "%.*s-files", (int)n, path);
        const char *slash = strrchr(dir, '/');
        rel = slash ? slash + 1 : dir;
    }
    dw_rc rc;
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        rc = dw_err_set(e, DW_EIO, "cannot write %s: %s", tmp, strerror(errno));
    } else {
        rc = render(m, fmt, f, dir, rel, e);
        int bad = ferror(f);
        if (fclose(f) != 0 || bad) {
            if (rc == DW_OK)
                rc = dw_err_set(e, DW_EIO, "cannot write %s: %s", tmp, strerror(errno ? errno : EIO));
        }
        if (rc == DW_OK && rename(tmp, path) != 0)
            rc = dw_err_set(e, DW_EIO, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
        if (rc != DW_OK)
            remove(tmp);
    }
    free(tmp);
    free(dir);
    return rc;
}

int cmd_report(int argc, char **argv)
{
    enum { O_OUT = 256, O_FORMAT, O_LIMIT, O_DATE };
    static const struct option longopts[] = {{"out", required_argument, NULL, O_OUT},
                                             {"format", required_argument, NULL, O_FORMAT},
                                             {"limit", required_argument, NULL, O_LIMIT},
                                             {"date", required_argument, NULL, O_DATE},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    dw_report_opts o;
    dw_report_opts_init(&o);
    const char *out = NULL;
    int fmt = -1, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
        switch (c) {
        case O_OUT:
        case 'o': out = optarg; break;
        case O_FORMAT:
            if ((fmt = parse_format(optarg)) < 0)
                return cmd_usage_error("report", usage_text, "--format must be html, md or json");
            break;
        case O_LIMIT: {
            long long v = cmd_parse_int(optarg, 1, 100000);
            if (v < 0)
                return cmd_usage_error("report", usage_text, "--limit must be a number from 1 to 100000");
            o.limit = (int)v;
            break;
        }
        case O_DATE:
            if (!cmd_is_date(optarg))
                return cmd_usage_error("report", usage_text, "--date must be YYYY-MM-DD");
            o.date = optarg;
            break;
        case 'h': fputs(usage_text, stdout); return 0;
        case ':': return cmd_usage_error("report", usage_text, "option '%s' needs a value", argv[optind - 1]);
        default: return cmd_usage_error("report", usage_text, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != 1)
        return cmd_usage_error("report", usage_text, "expected one database");
    if (!out || !*out)
        return cmd_usage_error("report", usage_text, "--out PATH is required ('-' for standard output)");
    if (fmt < 0)
        fmt = ends_with(out, ".md") ? FMT_MD : ends_with(out, ".json") ? FMT_JSON : FMT_HTML;
    const char *path = argv[optind];
    const char *slash = strrchr(path, '/');
    o.db_label = slash && slash[1] ? slash + 1 : path;
    dw_db *db;
    dw_err e = {{0}};
    dw_rc rc = dw_db_open(&db, path, DW_DB_READONLY, 0, &e);
    if (rc != DW_OK) {
        cmd_error("report", "%s", e.msg);
        return cmd_exit_code(rc);
    }
    json_t *m = NULL;
    rc = dw_report_collect(db, &o, &m, &e);
    dw_db_close(db);
    if (rc == DW_OK) {
        if (strcmp(out, "-") == 0) {
            rc = render(m, fmt, stdout, NULL, NULL, &e);
            if (rc == DW_OK && fflush(stdout) != 0)
                rc = dw_err_set(&e, DW_EIO, "standard output: %s", strerror(errno));
        } else {
            rc = write_file(m, fmt, out, &e);
        }
    }
    json_decref(m);
    if (rc != DW_OK) {
        cmd_error("report", "%s", e.msg);
        return cmd_exit_code(rc);
    }
    return 0;
}
