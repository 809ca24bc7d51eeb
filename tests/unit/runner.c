/* runner.c: the entry point of the test binary: Criterion's default main,
 * except that the runner process ends with _exit. Every test runs in a
 * process of its own, where LeakSanitizer still checks for leaks at exit;
 * the runner itself holds only Criterion's bookkeeping, some of which
 * Criterion never frees (48-byte blocks per timed test), and LeakSanitizer
 * would otherwise fail the run after its synthesis line. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct criterion_test_set *tests = criterion_initialize();
    int result = 0;
    if (criterion_handle_args(argc, argv, true))
        result = !criterion_run_all_tests(tests);
    criterion_finalize(tests);
    fflush(stdout);
    fflush(stderr);
    _exit(result);
}
