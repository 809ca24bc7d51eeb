/* norm.h: the one place where text is normalized for keys, matching and
 * statistics. Versioned: any change of output bumps DW_NORM_VERSION, which is
 * stored in the database meta table.
 *
 * Steps, in order: NFKC (utf8proc); drop Arabic diacritics U+064B..U+065F and
 * U+0670, tatweel U+0640; fold alef forms (أ إ آ ٱ -> ا), ى -> ي, ک -> ك,
 * ی -> ي, (optionally) ة -> ه; Arabic-Indic and Persian digits -> ASCII;
 * Arabic punctuation -> ASCII (، -> ,  ؛ -> ;  ؟ -> ?  ٪ -> %  « » “ ” -> ");
 * drop zero-width and bidi marks (U+200B..U+200F, U+202A..U+202E,
 * U+2066..U+2069, U+FEFF, U+061C); every whitespace run (NBSP included) -> one
 * space, except that newlines are kept (one \n for a run containing one);
 * Latin (and all cased scripts) lower-cased. Leading/trailing space trimmed.
 * When the fold changed anything but white space, NFKC and the fold are
 * applied once more (a dropped tatweel between e and U+0301 lets them
 * compose), so that the output is NFKC and normalization is idempotent.
 * Code points outside these rules (other controls, symbols, soft hyphen...)
 * are kept. */
#ifndef DW_NORM_H
#define DW_NORM_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

#define DW_NORM_VERSION 1

enum {
    DW_NORM_TEH_MARBUTA = 1u << 0, /* fold ة (U+0629) to ه (U+0647) */
    DW_NORM_NO_NEWLINES = 1u << 1, /* turn newlines into spaces too */
    DW_NORM_NO_FAST_PATH = 1u << 2 /* reference path only (tests, benchmarks):
                                      same output, several times slower */
};

/* Appends the normalized form of s[0..n) (UTF-8; each invalid sequence, as
 * a maximal subpart, becomes one U+FFFD) to out. Line breaks are LF, VT, FF,
 * CR, NEL, U+2028 and U+2029; white space is Unicode White_Space. The output
 * is NFKC and idempotent: dw_norm_text of the output gives the output.
 * Thread-safe. Returns 0, or -1 when out of memory (out is then unchanged). */
int dw_norm_text(dw_buf *out, const char *s, size_t n, unsigned flags);

/* Normalizes one code point after NFKC: returns the folded code point, or -1
 * when it is dropped. White space comes back as ' ', line breaks as '\n'
 * (' ' with DW_NORM_NO_NEWLINES); collapsing runs is dw_norm_text's job.
 * Exposed for tests and for the tokenizer's tables. */
int32_t dw_norm_fold_cp(int32_t cp, unsigned flags);

#endif
