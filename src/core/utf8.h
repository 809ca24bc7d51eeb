/* utf8.h: UTF-8 decoding, encoding and repair. Never cuts a character. */
#ifndef DW_UTF8_H
#define DW_UTF8_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

#define DW_UTF8_REPLACEMENT 0xFFFD

/* Decodes one code point from s[0..n). Returns its length in bytes (1..4)
 * and stores it in *cp, or returns 0 if the bytes at s do not start a valid,
 * shortest-form, non-surrogate sequence (then *cp is U+FFFD). n must be > 0. */
size_t dw_utf8_decode(const unsigned char *s, size_t n, int32_t *cp);

/* Decodes one code point, or skips one invalid sequence, at s[0..n) (n > 0).
 * Returns the number of bytes consumed (always >= 1): the length of the
 * character, or of the maximal subpart of an ill-formed sequence (what
 * dw_utf8_repair replaces by one U+FFFD). *cp is U+FFFD for an invalid one;
 * *ok (may be NULL) is 1 for a valid character, 0 otherwise. */
size_t dw_utf8_next(const unsigned char *s, size_t n, int32_t *cp, int *ok);

/* Encodes cp (must be a Unicode scalar value; anything else is encoded as
 * U+FFFD) into out; returns 1..4. */
size_t dw_utf8_encode(int32_t cp, char out[4]);

/* Length of the longest prefix of s[0..n) that is valid UTF-8. */
size_t dw_utf8_valid_prefix(const unsigned char *s, size_t n);

/* Number of code points in s[0..n): its bytes that are not continuation
 * bytes (10xxxxxx), so an invalid sequence counts as its lead bytes. Eight
 * bytes at a time. */
size_t dw_utf8_count(const char *s, size_t n);

/* Number of bytes at the end of s[0..n) that form an incomplete but so far
 * valid sequence (0..3): what a chunked reader must carry to the next chunk. */
size_t dw_utf8_incomplete_tail(const unsigned char *s, size_t n);

/* Appends s[0..n) to out with every invalid sequence (maximal subpart, as
 * Unicode recommends) replaced by U+FFFD. Returns the number of replacements;
 * *first_bad (may be NULL) receives the offset in s of the first one, or
 * (size_t)-1. Returns (size_t)-1 when out of memory. */
size_t dw_utf8_repair(dw_buf *out, const char *s, size_t n, size_t *first_bad);

/* What the first bytes of an input look like. */
typedef enum {
    DW_SNIFF_TEXT = 0,     /* UTF-8 text (a few invalid bytes may be repaired) */
    DW_SNIFF_EMPTY,        /* no bytes, or only whitespace */
    DW_SNIFF_BINARY,       /* NUL bytes or many control bytes: not text */
    DW_SNIFF_NOT_UTF8      /* text in another encoding (e.g. Windows-1256) */
} dw_sniff;

/* Classifies the first n bytes of an input (n up to a few tens of KiB; the
 * last up to 3 bytes may be a cut character and are not held against it).
 * EMPTY when every character is white space (Unicode White_Space or a BOM);
 * BINARY when there is a NUL byte (NUL padding at the very end excepted:
 * the Windows-1256 corpus ends every file with one) or more than 10% of the
 * bytes are C0 controls other than \t \n \r \f; NOT_UTF8 when more than 8 sequences
 * (maximal subparts) are invalid, or more than 2 and more than 1% of the
 * non-ASCII sequences; TEXT otherwise (one or two stray bytes are tolerated,
 * to be repaired). */
dw_sniff dw_text_sniff(const char *s, size_t n);

#endif
