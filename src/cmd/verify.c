/* verify.c: `diwan verify DIR`: checks a release against its manifest
 * (src/datasets/verify.c); exit 0 when everything holds, 1 otherwise. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "datasets/verify.h"

static const char usage_text[] =
    "usage: diwan verify [options] DIR\n"
    "\n"
    "Checks a release written by 'diwan split' against DIR/manifest.json: every\n"
    "listed file present, with its size, sha256 and row count; every zstd frame\n"
    "decodes (checksums included) and every CSV record has the manifest's\n"
    "columns; no cluster_id in two splits; no file in DIR that is not listed.\n"
    "Prints one line per problem ('train.csv.zst: sha256 mismatch') and exits 1\n"
    "when there is any, 0 otherwise.\n"
    "  -q, --quiet    no summary line when everything holds\n";

/* Prints a problem on stderr. */
static void verify_print(const char *msg, void *arg)
{
    (void)arg;
    cmd_error("verify", "%s", msg);
}

int cmd_verify(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"quiet", no_argument, NULL, 'q'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int quiet = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":hq", longopts, NULL)) != -1) {
        switch (c) {
        case 'q': quiet = 1; break;
        case 'h': fputs(usage_text, stdout); return 0;
        case ':': return cmd_usage_error("verify", usage_text, "option '%s' needs a value", argv[optind - 1]);
        default: return cmd_usage_error("verify", usage_text, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != 1)
        return cmd_usage_error("verify", usage_text, "expected one folder");
    int64_t problems = 0, files = 0;
    dw_err e = {{0}};
    dw_rc rc = dw_verify_dir(argv[optind], verify_print, NULL, &problems, &files, &e);
    if (rc != DW_OK) {
        cmd_error("verify", "%s", e.msg);
        return cmd_exit_code(rc);
    }
    if (problems) {
        cmd_error("verify", "%s: %lld problem%s", argv[optind], (long long)problems, problems == 1 ? "" : "s");
        return 1;
    }
    if (!quiet)
        printf("%s: %lld files verified\n", argv[optind], (long long)files);
    return 0;
}
