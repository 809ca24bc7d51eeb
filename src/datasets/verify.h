/* verify.h: `diwan verify DIR`: checks a release written by `diwan split`
 * against its manifest.json: every listed file present with the listed size,
 * SHA-256 and row count (zstd frames decoded in a streaming way, checksums
 * included, CSV parsed with libcsv), header as the manifest's columns, each
 * row's split column that of its file, no cluster_id in two splits, and no
 * file in DIR that the manifest does not list. */
#ifndef DW_VERIFY_H
#define DW_VERIFY_H

#include <stdint.h>

#include "core/dw.h"

/* Called once per problem found, with a message "NAME: reason". */
typedef void (*dw_verify_report_fn)(const char *msg, void *arg);

/* Verifies the release in dir. *problems receives the number of problems
 * (each reported through fn); *files the number of files checked. Returns
 * DW_OK when the check ran (whatever it found), DW_ENOMEM otherwise. Memory
 * grows only with the number of distinct clusters (16 bytes each). */
dw_rc dw_verify_dir(const char *dir, dw_verify_report_fn fn, void *arg, int64_t *problems, int64_t *files,
                    dw_err *e);

#endif
