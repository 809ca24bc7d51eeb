/* test_crash.c: the kill test of issue 7 at CLI level. Runs
 * `scripts/crash-test --quick --stage all` (a small synthetic corpus; 4
 * SIGKILLs each of `diwan ingest`, `diwan stats`, `diwan split` and `diwan
 * stats --merge` of 11 shards at random moments, each followed by integrity
 * checks, a rerun and a comparison with an uninterrupted run) against
 * $DW_BIN, and expects exit 0. Skips when
 * python3 is absent. The full run (scripts/crash-test --stage all, 20 kills
 * a stage on a 30 MB corpus) is run by hand. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"

/* 1 when python3 is found on $PATH (as execlp will look for it) */
static int has_python3(void)
{
    const char *path = getenv("PATH");
    char dir[4096], exe[4200];
    while (path && *path) {
        size_t n = strcspn(path, ":");
        snprintf(dir, sizeof dir, "%.*s", (int)n, path);
        snprintf(exe, sizeof exe, "%s/python3", n ? dir : ".");
        if (access(exe, X_OK) == 0)
            return 1;
        path += n + (path[n] == ':');
    }
    return 0;
}

Test(crash, quick_kill_test_loses_nothing, .timeout = 600)
{
    if (!has_python3())
        cr_skip_test("crash: python3 not found, scripts/crash-test needs it");
    char *tmp = dwt_tmpdir();
    cr_assert(tmp);
    char script[4200], work[4200], log[4200], bin[4200];
    snprintf(script, sizeof script, "%s/scripts/crash-test", dwt_root());
    snprintf(work, sizeof work, "%s/work", tmp);
    snprintf(log, sizeof log, "%s/crash-test.log", tmp);
    const char *b = dwt_bin();
    if (b[0] == '/')
        snprintf(bin, sizeof bin, "%s", b);
    else
        snprintf(bin, sizeof bin, "%s/%s", dwt_root(), b);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int in = open("/dev/null", O_RDONLY);
        if (fd < 0 || in < 0)
            _exit(127);
        dup2(in, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        execlp("python3", "python3", script, "--quick", "--stage", "all", "--kills", "4", "--seed", "7", "--bin", bin,
               "--work", work, (char *)NULL);
        _exit(127);
    }
    int ws;
    cr_assert_eq(waitpid(pid, &ws, 0), pid);
    char *out = dwt_read_file(log, NULL);
    cr_log_info("%s", out ? out : "");
    cr_expect(WIFEXITED(ws) && WEXITSTATUS(ws) == 0, "crash-test failed:\n%s", out ? out : "");
    cr_expect(out && strstr(out, "crash-test: 4 of 4 kills survived") && strstr(out, " 0 differences"), "%s",
              out ? out : "");
    cr_expect(out && strstr(out, "crash-test stats: 4 of 4 kills survived"), "%s", out ? out : "");
    cr_expect(out && strstr(out, "crash-test split: 4 of 4 kills survived"), "%s", out ? out : "");
    cr_expect(out && strstr(out, "crash-test merge: 4 of 4 kills survived"), "%s", out ? out : "");
    free(out);
    dwt_rmtree(tmp);
    free(tmp);
}
