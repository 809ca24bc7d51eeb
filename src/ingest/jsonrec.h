/* jsonrec.h: JSON records as datatrove and Hugging Face dumps have them:
 * JSON Lines (one object per line) or a JSON array of objects, read in a
 * streaming way with jansson (one record in memory at a time).
 * Fields: text or content (required), id, title, source, date or
 * date_extracted, url (optional; other fields are ignored). */
#ifndef DW_JSONREC_H
#define DW_JSONREC_H

#include <stddef.h>
#include <stdint.h>

#include "core/dw.h"
#include "core/zio.h"
#include "ingest/page.h"

#define DW_JSON_MAX_RECORD (64u << 20) /* a larger record is an error */

/* One record; spans are valid only during the callback. Absent fields have
 * p == NULL. Non-string id values (numbers) are given as their JSON text. */
typedef struct {
    uint64_t index;  /* 0-based number of the value in the input (unusable ones count) */
    uint64_t offset; /* byte offset of the record in the (decoded) input */
    uint64_t line;   /* 1-based line where the record starts */
    dw_span text, title, source, date, url, id;
} dw_json_record;

typedef struct {
    int (*on_record)(void *ud, const dw_json_record *r); /* non-zero stops */
    /* A record that cannot be used (invalid JSON, not an object, no text):
     * the reader goes on with the next line (JSONL) or stops (broken array). */
    void (*on_issue)(void *ud, uint64_t offset, uint64_t line, const char *msg);
    void *ud;
} dw_json_opts;

/* Reads every record of r. `head` holds bytes already read from r (the
 * caller's sniffing buffer; may be empty), to be processed first (a UTF-8
 * BOM at its start is skipped). Returns DW_OK, the callback's non-zero
 * value, DW_EINPUT when the reader fails or DW_ENOMEM (e filled). Broken JSON
 * is reported through on_issue, not as an error.
 *
 * Layout: if the first non-blank byte is '[', the input is one array whose
 * elements are records; a syntax error, a truncated array or an element over
 * DW_JSON_MAX_RECORD stops the reading (after an issue). Otherwise the input
 * is a sequence of values separated by whitespace: JSON Lines, or one object
 * (possibly pretty-printed over many lines); after a broken value, reading
 * resumes at the line following the one where it started (or, when the error
 * was found two or more lines below, at the error's line: reading stays
 * linear however the input is broken). After a value that is not an object,
 * the rest of its last line is skipped (one issue per line, not per value).
 *
 * index counts every value met, usable or not; issue messages say
 * "record N" with N = index + 1 and give "line L column C" of a syntax error
 * (C counts bytes before the value on its first line, then characters).
 * Memory: the window holds the largest record plus about 2 MiB, whatever the
 * input size. Strings with \u0000 and invalid UTF-8 are invalid JSON for
 * jansson and reported as such. */
int dw_json_read(dw_reader *r, const char *head, size_t head_len, const dw_json_opts *o, dw_err *e);

/* 1 if buf (after an optional BOM and blanks) starts like JSON records:
 * '{' then '"' or '}', or '[' then '{', '"' or ']' (blanks between allowed),
 * so that a page whose title starts with '{' or '[' stays a page. */
int dw_json_sniff(const char *buf, size_t n);

#endif
