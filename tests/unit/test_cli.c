/* test_cli.c: end-to-end CLI tests as data (as zstd's cli-tests). Every file
 * tests/cli/NAME.t is one test: a sequence of commands, each with its exact
 * exit status, stdout and stderr. Syntax (one directive per line):
 *   # comment
 *   $ diwan ARG...        run the binary under test (arguments split on spaces;
 *                         {db} {tmp} {root} {shared} are substituted)
 *   $ write FILE TEXT     create {tmp}/FILE (and its folders) holding TEXT (\n \t \xHH escapes)
 *   $ chmod MODE FILE     change a file's mode (octal)
 * and, after a command, what applies to it:
 *   < FILE                its standard input (default /dev/null)
 *   ? N                   expected exit status (default 0)
 *   > LINE                expected stdout line (none: stdout must be empty)
 *   ! LINE                expected stderr line (none: stderr must be empty)
 *   >* / !*               stdout / stderr not checked
 *   requires shared       skip the test when ../shared is absent
 * Expected lines get the same substitutions. With DW_UPDATE_EXPECTED set,
 * the file is rewritten with what the commands printed (review the diff). */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/buf.h"
#include "helpers.h"

typedef struct {
    char *name; /* file name under tests/cli */
} cli_case;

static void free_cases(struct criterion_test_params *p)
{
    cli_case *c = p->params;
    for (size_t i = 0; i < p->length; i++)
        cr_free(c[i].name);
    cr_free(c);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

ParameterizedTestParameters(cli, cases)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/tests/cli", dwt_root());
    DIR *d = opendir(dir);
    char *names[1024];
    size_t n = 0;
    struct dirent *de;
    while (d && (de = readdir(d)) && n < 1024) {
        size_t l = strlen(de->d_name);
        if (l > 2 && strcmp(de->d_name + l - 2, ".t") == 0)
            names[n++] = strdup(de->d_name);
    }
    if (d)
        closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    cli_case *cases = cr_malloc(sizeof *cases * (n ? n : 1));
    for (size_t i = 0; i < n; i++) {
        cases[i].name = cr_malloc(strlen(names[i]) + 1);
        strcpy(cases[i].name, names[i]);
        free(names[i]);
    }
    return cr_make_param_array(cli_case, cases, n, free_cases);
}

/* Replaces {db} {tmp} {root} {shared} in s; returns a malloc'd string. */
static char *subst(const char *s, const char *tmp)
{
    const char *shared = dwt_shared();
    size_t cap = strlen(s) * 2 + 8192, n = 0;
    char *out = malloc(cap);
    while (*s) {
        const char *rep = NULL;
        size_t skip = 0;
        char dbp[4200];
        if (strncmp(s, "{db}", 4) == 0) {
            snprintf(dbp, sizeof dbp, "%s/db.sqlite", tmp);
            rep = dbp;
            skip = 4;
        } else if (strncmp(s, "{tmp}", 5) == 0) {
            rep = tmp;
            skip = 5;
        } else if (strncmp(s, "{root}", 6) == 0) {
            rep = dwt_root();
            skip = 6;
        } else if (strncmp(s, "{shared}", 8) == 0) {
            rep = shared ? shared : "/nonexistent-shared";
            skip = 8;
        }
        if (rep) {
            size_t l = strlen(rep);
            if (n + l + 1 >= cap)
                out = realloc(out, cap = (n + l) * 2 + 16);
            memcpy(out + n, rep, l);
            n += l;
            s += skip;
        } else {
            if (n + 2 >= cap)
                out = realloc(out, cap *= 2);
            out[n++] = *s++;
        }
    }
    out[n] = '\0';
    return out;
}

/* Decodes \n \t \\ \xHH escapes in place; returns the length. */
static size_t unescape(char *s)
{
    char *w = s;
    for (char *r = s; *r; r++) {
        if (*r != '\\' || !r[1]) {
            *w++ = *r;
            continue;
        }
        r++;
        if (*r == 'n')
            *w++ = '\n';
        else if (*r == 't')
            *w++ = '\t';
        else if (*r == 'r')
            *w++ = '\r';
        else if (*r == 'x' && r[1] && r[2]) {
            char hex[3] = {r[1], r[2], 0};
            *w++ = (char)strtol(hex, NULL, 16);
            r += 2;
        } else
            *w++ = *r;
    }
    *w = '\0';
    return (size_t)(w - s);
}

/* One command of a case and what it must give. */
typedef struct {
    char *argv[64];  /* arguments (owned) */
    int argc;        /* number of arguments */
    char *stdin_path; /* file for standard input, or NULL (then /dev/null) */
    int status;      /* expected exit status */
    char *out, *err; /* expected output (owned), lines joined by \n */
    int any_out, any_err; /* 1: not checked */
    int line;        /* line of the '$' directive */
} step;

/* Update mode: the new text of the case file, and lines waiting for the
 * current step's expectations to be written first. */
static dw_buf upd_text = DW_BUF_INIT, upd_pending = DW_BUF_INIT;
static int upd_mode;

/* Appends s to b with the substitutions undone ({db} {tmp} {root} {shared}). */
static void unsubst(dw_buf *b, const char *s, const char *tmp)
{
    char dbp[4200];
    snprintf(dbp, sizeof dbp, "%s/db.sqlite", tmp);
    const char *shared = dwt_shared();
    const struct {
        const char *from, *to;
    } t[] = {{dbp, "{db}"}, {tmp, "{tmp}"}, {dwt_root(), "{root}"}, {shared ? shared : "\x01", "{shared}"}};
    while (*s) {
        size_t i;
        for (i = 0; i < sizeof t / sizeof *t; i++) {
            size_t l = strlen(t[i].from);
            if (l > 1 && strncmp(s, t[i].from, l) == 0) {
                dw_buf_puts(b, t[i].to);
                s += l;
                break;
            }
        }
        if (i == sizeof t / sizeof *t)
            dw_buf_putc(b, *s++);
    }
}

static void upd_lines(char prefix, const char *text, const char *tmp)
{
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        char *line = strndup(p, n);
        dw_buf_putc(&upd_text, prefix);
        if (n)
            dw_buf_putc(&upd_text, ' ');
        unsubst(&upd_text, line, tmp);
        dw_buf_putc(&upd_text, '\n');
        free(line);
        p += n + (nl ? 1 : 0);
    }
}

static void run_step(const char *casename, step *st, const char *tmp)
{
    char outp[4200], errp[4200];
    snprintf(outp, sizeof outp, "%s/.stdout", tmp);
    snprintf(errp, sizeof errp, "%s/.stderr", tmp);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        int in = open(st->stdin_path ? st->stdin_path : "/dev/null", O_RDONLY);
        int o = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (in < 0 || o < 0 || e < 0)
            _exit(127);
        dup2(in, 0);
        dup2(o, 1);
        dup2(e, 2);
        setenv("LC_ALL", "C.UTF-8", 1);
        execv(dwt_bin(), st->argv);
        _exit(127);
    }
    int ws;
    waitpid(pid, &ws, 0);
    char *out = dwt_read_file(outp, NULL);
    char *err = dwt_read_file(errp, NULL);
    int status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
    cr_expect_eq(status, st->status, "%s:%d: exit status %d, expected %d\nstderr:\n%s", casename, st->line,
                 status, st->status, err ? err : "");
    if (!st->any_out)
        cr_expect_str_eq(out, st->out, "%s:%d: stdout differs\n--- got:\n%s--- expected:\n%s", casename,
                         st->line, out, st->out);
    if (!st->any_err)
        cr_expect_str_eq(err, st->err, "%s:%d: stderr differs\n--- got:\n%s--- expected:\n%s", casename,
                         st->line, err, st->err);
    if (upd_mode) {
        if (status)
            dw_buf_printf(&upd_text, "? %d\n", status);
        if (!st->any_out)
            upd_lines('>', out ? out : "", tmp);
        if (!st->any_err)
            upd_lines('!', err ? err : "", tmp);
    }
    free(out);
    free(err);
}

static void append_line(char **acc, const char *line)
{
    size_t a = *acc ? strlen(*acc) : 0, l = strlen(line);
    *acc = realloc(*acc, a + l + 2);
    memcpy(*acc + a, line, l);
    (*acc)[a + l] = '\n';
    (*acc)[a + l + 1] = '\0';
}

static void step_free(step *st)
{
    for (int i = 0; i < st->argc; i++)
        free(st->argv[i]);
    free(st->stdin_path);
    free(st->out);
    free(st->err);
    memset(st, 0, sizeof *st);
}

static void finish_step(const char *casename, step *st, const char *tmp)
{
    if (!st->argc) {
        dw_buf_append(&upd_text, upd_pending.data ? upd_pending.data : "", upd_pending.len);
        dw_buf_reset(&upd_pending);
        return;
    }
    if (!st->out)
        st->out = strdup("");
    if (!st->err)
        st->err = strdup("");
    run_step(casename, st, tmp);
    step_free(st);
    dw_buf_append(&upd_text, upd_pending.data ? upd_pending.data : "", upd_pending.len);
    dw_buf_reset(&upd_pending);
}

ParameterizedTest(cli_case *c, cli, cases, .timeout = 120)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/cli/%s", dwt_root(), c->name);
    char *text = dwt_read_file(path, NULL);
    cr_assert(text, "cannot read %s", path);
    if (strstr(text, "\nrequires shared") || strncmp(text, "requires shared", 15) == 0) {
        if (!dwt_shared()) {
            free(text);
            cr_skip_test("%s: ../shared not found beside the repository", c->name);
        }
    }
    char *tmp = dwt_tmpdir();
    cr_assert(tmp);
    step st;
    memset(&st, 0, sizeof st);
    int lineno = 0;
    char *save = NULL;
    upd_mode = getenv("DW_UPDATE_EXPECTED") != NULL;
    dw_buf_reset(&upd_text);
    dw_buf_reset(&upd_pending);
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        int expect = (line[0] == '?' || line[0] == '>' || line[0] == '!') &&
                     (line[1] == ' ' || line[1] == '\0');
        if (line[0] == '$' || line[0] == '<' || strcmp(line, ">*") == 0 || strcmp(line, "!*") == 0) {
            if (line[0] == '$')
                finish_step(c->name, &st, tmp);
            dw_buf_puts(&upd_text, line);
            dw_buf_putc(&upd_text, '\n');
        } else if (!expect) {
            dw_buf_puts(&upd_pending, line);
            dw_buf_putc(&upd_pending, '\n');
        }
        char *l = subst(line, tmp);
        if (l[0] == '$' && l[1] == ' ') {
            char *args = l + 2, *sp = NULL;
            char *w0 = strtok_r(args, " ", &sp);
            if (w0 && strcmp(w0, "write") == 0) {
                char *file = strtok_r(NULL, " ", &sp);
                char *content = sp ? sp : (char *)"";
                size_t n = unescape(content);
                char fp[8400];
                snprintf(fp, sizeof fp, "%s/%s", tmp, file);
                for (char *q = fp + strlen(tmp) + 1; (q = strchr(q, '/')); q++) { /* parent folders */
                    *q = '\0';
                    mkdir(fp, 0755);
                    *q = '/';
                }
                FILE *f = fopen(fp, "wb");
                cr_assert(f, "cannot write %s", fp);
                fwrite(content, 1, n, f);
                fclose(f);
            } else if (w0 && strcmp(w0, "chmod") == 0) {
                char *mode = strtok_r(NULL, " ", &sp);
                char *file = strtok_r(NULL, " ", &sp);
                cr_assert(mode && file);
                chmod(file, (mode_t)strtol(mode, NULL, 8));
            } else {
                st.argv[st.argc++] = strdup("diwan");
                st.line = lineno;
                for (char *w = strtok_r(NULL, " ", &sp); w && st.argc < 63; w = strtok_r(NULL, " ", &sp))
                    st.argv[st.argc++] = strdup(w);
                st.argv[st.argc] = NULL;
            }
        } else if (l[0] == '<' && l[1] == ' ') {
            free(st.stdin_path);
            st.stdin_path = strdup(l + 2);
        } else if (l[0] == '?' && l[1] == ' ') {
            st.status = atoi(l + 2);
        } else if (strcmp(l, ">*") == 0) {
            st.any_out = 1;
        } else if (strcmp(l, "!*") == 0) {
            st.any_err = 1;
        } else if (l[0] == '>' && (l[1] == ' ' || l[1] == '\0')) {
            append_line(&st.out, l[1] ? l + 2 : "");
        } else if (l[0] == '!' && (l[1] == ' ' || l[1] == '\0')) {
            append_line(&st.err, l[1] ? l + 2 : "");
        }
        free(l);
    }
    finish_step(c->name, &st, tmp);
    step_free(&st);
    if (upd_mode) {
        FILE *f = fopen(path, "wb");
        cr_assert(f, "cannot write %s", path);
        fwrite(dw_buf_str(&upd_text), 1, upd_text.len, f);
        fclose(f);
    }
    free(text);
    dwt_rmtree(tmp);
    free(tmp);
}
