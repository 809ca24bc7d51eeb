/* test_hostile.c: hostile input across the stages (issue 7): metadata that
 * looks like paths or SQL never makes an output leave its --out folder nor
 * changes a statement, and the sources never run a shell. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/buf.h"
#include "helpers.h"

/* Appends every path under dir (relative to root), one a line, sorted by
 * the walk's byte order. */
static void list_tree(dw_buf *out, const char *root, const char *rel)
{
    char path[8192];
    snprintf(path, sizeof path, "%s%s%s", root, *rel ? "/" : "", rel);
    struct dirent **ents;
    int n = scandir(path, &ents, NULL, alphasort);
    for (int i = 0; i < n; i++) {
        const char *name = ents[i]->d_name;
        if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0) {
            char sub[8192], full[16384];
            snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", name);
            snprintf(full, sizeof full, "%s/%s", root, sub);
            struct stat sb;
            dw_buf_printf(out, "%s\n", sub);
            if (lstat(full, &sb) == 0 && S_ISDIR(sb.st_mode))
                list_tree(out, root, sub);
        }
        free(ents[i]);
    }
    free(ents);
}

/* Runs the diwan binary with argv (NULL-terminated, argv[0] ignored) in dir,
 * output to /dev/null; returns its exit status. */
static int run_in(const char *dir, char *const *argv)
{
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        FILE *devnull = freopen("/dev/null", "w", stdout);
        (void)devnull;
        if (chdir(dir) != 0)
            _exit(127);
        execv(dwt_bin(), argv);
        _exit(127);
    }
    int ws;
    cr_assert_eq(waitpid(pid, &ws, 0), pid);
    return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128;
}

/* Records whose outlet, title, id, url and keywords look like paths, shell
 * and SQL: ingest, stats, split and a Markdown report (which writes plot
 * files) create files only in the database's folder, --out and the
 * report's folder. */
Test(hostile, outputs_stay_inside_their_folders, .timeout = 120)
{
    char *tmp = dwt_tmpdir();
    char work[4200], rec[4300];
    snprintf(work, sizeof work, "%s/w", tmp);
    cr_assert_eq(mkdir(work, 0755), 0);
    snprintf(rec, sizeof rec, "%s/in.jsonl", work);
    FILE *f = fopen(rec, "w");
    cr_assert(f);
    static const char *const evil[] = {"../../escape", "/etc/passwd", "$(touch pwned)", "x'; DROP TABLE articles; --",
                                       "a/b\\\\c", "..", "train.csv.zst", "report-files/../../up"};
    for (int i = 0; i < 16; i++) {
        const char *ev = evil[i % 8];
        fprintf(f,
                "{\"id\": \"%s%d\", \"url\": \"file://%s\", \"source\": \"%s\", \"date\": \"2024-0%d-1%d\","
                " \"title\": \"%s\", \"keywords\": \"%s, ../k\", \"text\": \"خبر رقم %d عن %s يذكر المدينة والسوق"
                " والطلاب والجامعة والمطار والرحلات والأسعار والنفط والطاقة الشمسية والمياه والزراعة %d.\"}\n",
                ev, i, ev, ev, 1 + i % 8, i % 10, ev, ev, i, ev, i * 7);
    }
    fclose(f);
    dw_buf before = DW_BUF_INIT, after = DW_BUF_INIT;
    list_tree(&before, tmp, "");
    char *ingest[] = {"diwan", "ingest", "-q", "w/h.db", "w/in.jsonl", NULL};
    cr_assert_eq(run_in(tmp, ingest), 0);
    char *stats[] = {"diwan", "stats", "-q", "--min-count", "1", "w/h.db", NULL};
    cr_assert_eq(run_in(tmp, stats), 0);
    char *split[] = {"diwan", "split", "-q", "w/h.db", "--out", "w/rel", "--seed", "3", NULL};
    cr_assert_eq(run_in(tmp, split), 0);
    char *verify[] = {"diwan", "verify", "-q", "w/rel", NULL};
    cr_assert_eq(run_in(tmp, verify), 0);
    char *report[] = {"diwan", "report", "w/h.db", "--out", "w/rep/report.md", NULL};
    char repdir[4300];
    snprintf(repdir, sizeof repdir, "%s/rep", work);
    cr_assert_eq(mkdir(repdir, 0755), 0);
    cr_assert_eq(run_in(tmp, report), 0);
    list_tree(&after, tmp, "");
    /* every new path is the database's, or under w/rel or w/rep */
    char *save = NULL;
    for (char *l = strtok_r(after.data, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        char needle[8300];
        snprintf(needle, sizeof needle, "\n%s\n", l);
        dw_buf b2 = DW_BUF_INIT;
        dw_buf_printf(&b2, "\n%s", before.data ? before.data : "");
        int old = strstr(b2.data, needle) != NULL;
        dw_buf_free(&b2);
        if (old)
            continue;
        int ok = strncmp(l, "w/h.db", 6) == 0 || strcmp(l, "w/rel") == 0 || strncmp(l, "w/rel/", 6) == 0 ||
                 strcmp(l, "w/rep") == 0 || strncmp(l, "w/rep/", 6) == 0;
        cr_expect(ok, "a file outside the output folders: %s", l);
    }
    /* nothing was executed, no table was dropped */
    char pw[4300];
    snprintf(pw, sizeof pw, "%s/pwned", tmp);
    cr_expect_neq(access(pw, F_OK), 0);
    char db[4300];
    snprintf(db, sizeof db, "%s/h.db", work);
    cr_expect_eq(dwt_q1(db, "SELECT count(*) FROM articles"), 16);
    cr_expect_eq(dwt_q1(db, "SELECT count(*) FROM sources WHERE name = 'x''; DROP TABLE articles; --'"), 1);
    dw_buf_free(&before);
    dw_buf_free(&after);
    dwt_rmtree(tmp);
    free(tmp);
}

/* Reads every .c file under src/ (relative to the project root) into one
 * buffer, each preceded by "== path\n". */
static void read_sources(dw_buf *all, const char *dir)
{
    struct dirent **ents;
    int n = scandir(dir, &ents, NULL, alphasort);
    for (int i = 0; i < n; i++) {
        const char *name = ents[i]->d_name;
        char p[8192];
        snprintf(p, sizeof p, "%s/%s", dir, name);
        struct stat sb;
        if (name[0] != '.' && stat(p, &sb) == 0) {
            if (S_ISDIR(sb.st_mode)) {
                read_sources(all, p);
            } else if (strlen(name) > 2 && strcmp(name + strlen(name) - 2, ".c") == 0) {
                size_t len;
                char *text = dwt_read_file(p, &len);
                cr_assert(text, "cannot read %s", p);
                dw_buf_printf(all, "== %s\n", p);
                dw_buf_append(all, text, len);
                free(text);
            }
        }
        free(ents[i]);
    }
    free(ents);
}

/* No shell, no process started, no SQL built by quoting text: the calls
 * that would do it do not occur in the sources. */
Test(hostile, no_shell_and_no_quoted_sql_in_sources)
{
    char src[4200];
    snprintf(src, sizeof src, "%s/src", dwt_root());
    dw_buf all = DW_BUF_INIT;
    read_sources(&all, src);
    cr_assert_gt(all.len, 100000, "the sources were not found under %s", src);
    static const char *const banned[] = {"system(", "popen(", "execl(", "execlp(", "execv(", "execvp(",
                                         "posix_spawn", "sqlite3_mprintf", "sqlite3_vmprintf", "%q", "%Q"};
    for (size_t i = 0; i < sizeof banned / sizeof *banned; i++)
        cr_expect(strstr(all.data, banned[i]) == NULL, "the sources use %s", banned[i]);
    dw_buf_free(&all);
}
