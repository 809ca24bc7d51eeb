/* page.h: push parser for scraped news pages (see README "Page grammar").
 *
 * Bytes are fed in chunks of any size (a chunk may end inside a line or a
 * UTF-8 character); the parser splits lines (LF, CRLF or CR), drops a leading
 * BOM, repairs invalid UTF-8 to U+FFFD, recognizes the marker lines on their
 * normalized form (so NBSP, bidi marks, diacritics and hamza variants do not
 * matter) and calls on_article once per article, in input order, with the
 * article's text cleaned but not normalized. The same bytes give the same
 * calls whatever the chunk sizes.
 *
 * Also recognizes TREC/CLEF records (<DOC> ... </DOC>, as in the ANT corpus):
 * each record is a page holding one main article (TITLE, TIME, SRC, TEXT). */
#ifndef DW_PAGE_H
#define DW_PAGE_H

#include <stddef.h>
#include <stdint.h>

#include "core/dw.h"

#define DW_PAGE_MAX_LINE (16u << 20)    /* a longer line is an error (quarantined page) */
#define DW_PAGE_MAX_ARTICLE (64u << 20) /* a larger article is quarantined */
#define DW_PAGE_MAX_KEYWORDS 256        /* further keywords are ignored */
/* The most words an outlet's name has: a byline value with more is a body
 * line (page.c), a source value with more is not made an outlet (ingest). */
#define DW_PAGE_OUTLET_MAX_WORDS 8
/* An article whose title and body hold at least this share (in percent) of
 * '?' and U+FFFD among their characters (ASCII white space left out) is
 * garbled: its text was lost in an earlier conversion (quarantined,
 * DW_ISSUE_GARBLED). */
#define DW_PAGE_GARBLED_PCT 30

typedef enum {
    DW_ROLE_MAIN = 0,   /* the page's own article */
    DW_ROLE_RELATED = 1 /* an article after a "read also" marker */
} dw_role;

/* A view of a string inside the parser's buffers; valid during the callback. */
typedef struct {
    const char *p; /* bytes, not NUL-terminated; NULL when absent */
    size_t n;      /* length in bytes */
} dw_span;

/* One article as found in the input. Every span is valid only during the
 * on_article callback (copy what you keep). */
typedef struct {
    dw_role role;         /* main or related */
    uint64_t page_no;     /* 0-based page number within the input */
    uint64_t offset;      /* input offset of the title line (after a BOM); TREC: of <DOC> */
    dw_span title;        /* title, trimmed (white space and bidi marks); never empty */
    dw_span body;         /* body lines joined by '\n', trimmed of blank lines */
    dw_span source;       /* text after "المصدر:", trimmed; p NULL when none or empty */
    dw_span date_raw;     /* text after "تاريخ النشر:" (or TREC TIME); p NULL when none/empty */
    char published[11];   /* "YYYY-MM-DD" parsed from date_raw, or "" */
    size_t n_keywords;    /* number of keywords */
    const dw_span *keywords; /* keywords as written, trimmed, in order */
    dw_span url;          /* URL when known (JSON records, TREC), else p NULL */
    dw_span ext_id;       /* identifier given by the input (JSON id, TREC DOCNO) */
} dw_article;

/* Problems found in the input; the run goes on after each. The offset is
 * that of the line, article or record concerned; count as noted. */
typedef enum {
    DW_ISSUE_BAD_UTF8 = 1,  /* invalid bytes replaced by U+FFFD; one per line; offset = first
                               bad byte, count = bytes replaced */
    DW_ISSUE_EMPTY_PAGE,    /* a whole input or record (between breaks) with no text; count 0 */
    DW_ISSUE_NO_BODY,       /* an article with a title but no body (skipped); count 0 */
    DW_ISSUE_LINE_TOO_LONG, /* line over max_line (the rest of the page is skipped);
                               count = line length */
    DW_ISSUE_TOO_LARGE,     /* article or TREC record over max_article (skipped);
                               count = bytes when the limit was crossed */
    DW_ISSUE_BAD_RECORD,    /* malformed TREC record (skipped); count 0 */
    DW_ISSUE_GARBLED        /* an article whose text is mostly '?' and U+FFFD (skipped, see
                               DW_PAGE_GARBLED_PCT); count = those characters */
} dw_issue_kind;

typedef struct {
    /* Called once per article. Returns 0 to go on; a non-zero value stops
     * parsing and is returned by dw_page_feed/dw_page_finish. */
    int (*on_article)(void *ud, const dw_article *a);
    /* Called once per problem; offset is a byte offset in the input, count a
     * number of bytes or items; msg is a lowercase reason. May be NULL. */
    void (*on_issue)(void *ud, dw_issue_kind kind, uint64_t offset, uint64_t count, const char *msg);
    void *ud; /* passed to both callbacks */
    /* Defaults for the main article of the next page, for records whose
     * metadata comes from outside the text (JSON fields). Spans must stay
     * valid until the page ends. A title default is used only when the page
     * has no marker lines: then the whole text is the body. */
    dw_span default_title, default_source, default_date, default_url, default_id;
    /* 1 when the text is a record's text (JSON): with dw_page_parse_text, a
     * text without a date line, read-also marker or <DOC> is then not a page
     * but one article whose body is the whole text. */
    int is_record;
    /* Limits; 0 means DW_PAGE_MAX_LINE / DW_PAGE_MAX_ARTICLE (tests and
     * fuzzers set small values). Read by dw_page_new only. */
    size_t max_line;    /* longest line in bytes */
    size_t max_article; /* largest article (title + body) or TREC record */
} dw_page_opts;

typedef struct dw_page_parser dw_page_parser;

/* Creates a parser; the caller frees it with dw_page_free. NULL when out of
 * memory. opts is copied. */
dw_page_parser *dw_page_new(const dw_page_opts *opts);
void dw_page_free(dw_page_parser *p); /* accepts NULL */

/* Feeds n bytes. Returns DW_OK, or the non-zero value an on_article callback
 * returned (parsing stops), or DW_ENOMEM. */
int dw_page_feed(dw_page_parser *p, const char *data, size_t n);
/* Ends the input: flushes the last article. Same returns as dw_page_feed. */
int dw_page_finish(dw_page_parser *p);

/* Ends the current page (the next bytes start a new page, page_no + 1) and,
 * for records, replaces the defaults (only the default_* fields of
 * next_defaults are read; NULL clears them). Used between JSON records, not
 * after the last one (a blank record is reported as an empty page). */
int dw_page_break(dw_page_parser *p, const dw_page_opts *next_defaults);

/* Sets the input offset given to the next byte fed (offsets reported are
 * counted from there). Call before feeding, or right after dw_page_break
 * (e.g. with the offset of the next JSON record). */
void dw_page_set_offset(dw_page_parser *p, uint64_t off);

/* Parses one whole text in a single call (convenience for records and tests):
 * new + feed + finish + free. Offsets are relative to base_offset. */
int dw_page_parse_text(const dw_page_opts *opts, const char *s, size_t n, uint64_t base_offset);

/* Statistics since creation. */
typedef struct {
    uint64_t pages;     /* pages seen (including empty ones) */
    uint64_t articles;  /* on_article calls */
    uint64_t bad_bytes; /* invalid UTF-8 bytes replaced */
    uint64_t lines;     /* lines read */
} dw_page_stats;
void dw_page_get_stats(const dw_page_parser *p, dw_page_stats *out);

#endif
