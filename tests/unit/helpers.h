/* helpers.h: shared helpers for the Criterion test suite. */
#ifndef DW_TEST_HELPERS_H
#define DW_TEST_HELPERS_H

#include <stddef.h>
#include <stdint.h>

/* Repository root: $DW_ROOT, or "." when unset. */
const char *dwt_root(void);
/* Path of ../shared beside the repository, or NULL when it is absent (tests
 * that need it then skip with a clear message via cr_skip_test). */
const char *dwt_shared(void);
/* Path of the diwan binary under test: $DW_BIN, or build/diwan. */
const char *dwt_bin(void);
/* Path of a diwan binary built without AddressSanitizer, for the tests that
 * set RLIMIT_AS (ASan reserves terabytes of address space): $DW_BIN_PLAIN
 * (`make test` passes its clang build), or NULL when unset or not
 * executable. */
const char *dwt_bin_plain(void);
/* Reads a whole file; caller frees. NULL on error. */
char *dwt_read_file(const char *path, size_t *len);
/* Joins root-relative path: returns a static buffer rotated among 8 slots. */
const char *dwt_path(const char *rel);
/* Makes a fresh temporary directory; caller frees the string. */
char *dwt_tmpdir(void);
/* The first column of the first row of sql run read-only on database dbp:
 * as an integer (-1 when no row), or as a string (caller frees; NULL when no
 * row or NULL). A failing open or prepare fails the test. */
int64_t dwt_q1(const char *dbp, const char *sql);
char *dwt_qs(const char *dbp, const char *sql);
/* Every row of each query in sql[0..n) run read-only on dbp, as text: cells
 * tab-separated, rows on lines, "--" after each query (caller frees). When
 * bind1 is not NULL it is bound to ?1 of the queries that have one. */
char *dwt_dump(const char *dbp, const char *const *sql, size_t n, const char *bind1);
/* rm -rf of a directory made by dwt_tmpdir (no shell). */
void dwt_rmtree(const char *dir);

#endif
