/* page.c: push parser for scraped news pages (page.h). Bytes are split into
 * lines, each line is classified, and a small state machine turns the lines
 * of a page into articles.
 *
 * PAGE GRAMMAR
 *
 * Input and lines
 * - Lines end with LF, CRLF or a lone CR (a CRLF split across two feeds is
 *   one line end). A UTF-8 BOM is dropped at the start of the input and at
 *   the start of each record (after dw_page_break).
 * - Invalid UTF-8 is replaced by U+FFFD (maximal subparts); each line holding
 *   invalid bytes gives one DW_ISSUE_BAD_UTF8 (offset of its first bad byte,
 *   count of bad bytes). NUL bytes are dropped (legacy dumps pad with them).
 * - "Space" below means Unicode white space (NBSP included), form feed, and
 *   the invisible marks U+061C, U+200B..U+200F, U+202A..U+202E,
 *   U+2060..U+2064, U+2066..U+2069, U+FEFF. A blank line holds only space.
 *   Stored lines lose their trailing space; titles and values lose both ends.
 *
 * Pages
 * - Pages are separated by a form-feed line (a line holding at least one
 *   \f and otherwise only space), by dw_page_break, and by the end of a TREC
 *   record. dw_page_finish ends the last page.
 * - Blank stretches are not pages, except when a whole input (or a whole
 *   record between dw_page_break calls) is blank: that is one page, reported
 *   as DW_ISSUE_EMPTY_PAGE. Pages are numbered from 0 per parser.
 *
 * Marker lines (recognized on the dw_norm_text form of the line's first 256
 * bytes, teh marbuta folded, so hamza, diacritics, tatweel, NBSP and bidi
 * marks do not matter):
 *   DATE      تاريخ النشر : <date>
 *   SOURCE    المصدر : <outlet>
 *   KEYWORDS  كلمات دلالية : k1، k2   (also كلمات مفتاحية, الكلمات الدلالية,
 *             الكلمات المفتاحية)
 *   READ      اقرأ أيضا [: <title>]  (any hamza/diacritic variant: إقرأ أيضاً,
 *             اقرا ايضا, ...)
 *   DATE, SOURCE and KEYWORDS need the colon (any spaces around it; ASCII,
 *   fullwidth or small colon). READ without a colon must be alone on its line.
 *   The value is the text after the first colon, trimmed. An empty date or
 *   source value counts as absent (p NULL). Keywords are split on , ، ; ؛
 *   or, when the value holds none of those, on - and –; each is trimmed,
 *   empty ones dropped, at most DW_PAGE_MAX_KEYWORDS kept.
 *
 * Text pages: states START (no article yet), BODY (article open, no source
 * line yet), AFTER (source line seen). The first article of a page has role
 * main, every later one role related.
 *   START: blank -> skip; content -> title of a new article, BODY;
 *          DATE / KEYWORDS -> kept for the next article; SOURCE -> ignored.
 *   BODY:  content or blank -> body line; DATE -> the article's date (the
 *          first one wins, later ones are dropped); KEYWORDS -> added to the
 *          article's keywords; SOURCE -> the article's source, AFTER (an
 *          empty value keeps the byline's); but SOURCE before the main
 *          article's first body line is a byline (see art_byline): the
 *          article stays open.
 *   AFTER: blank -> skip; KEYWORDS -> added to the article; SOURCE -> ignored;
 *          content -> the article ends, the line is the title of a related
 *          article, BODY; DATE -> the article ends, the date is kept for the
 *          next (related) article, START.
 *   READ (any state): the open article ends; the next article is related; a
 *          title after the colon opens it at once (BODY), else START.
 *   End of page: the open article ends.
 * An article's body is its body lines joined by '\n' without leading and
 * trailing blank lines. An article whose body is empty is not emitted
 * (DW_ISSUE_NO_BODY), except the only article of a page without marker
 * lines: its one line is both title and body. An article without a source line has source.p NULL.
 * article.offset is the byte offset of the first byte of its title line
 * (after a BOM). A marker line is never a title.
 *
 * Defaults (dw_page_opts.default_*) apply to the main article of the first
 * page after dw_page_new or dw_page_break. When that page has no marker line
 * at all and default_title is set, the title is default_title and the body is
 * the whole text (first line included). dw_page_parse_text with is_record
 * (JSON records) goes further: a text without a date line or read-also marker is not a page: its
 * source or keywords lines are body lines, the whole text is the body, and
 * the title is default_title or, when there is none, the first line. default_source, default_date,
 * default_url and default_id fill the fields the text does not give;
 * published is then parsed from default_date.
 *
 * TREC pages: a page whose first non-blank line starts with <DOC> is a TREC
 * record running to the first </DOC> (text after </DOC> on the same line
 * starts the next page). The fields <DOCNO> <URL> <SRC> <TITLE> <TIME> <TEXT>
 * (tags in any case, on one line or several) give ext_id, url, source, title
 * (line breaks folded to one space), date_raw and body (lines as for text
 * pages); other tags are ignored. &amp; &lt; &gt; &quot; &apos; &#N; &#xH;
 * are decoded in every field, other '&' are kept. A record without <TEXT>,
 * without a title, with an unclosed field, or cut by a new <DOC>, a form feed
 * or the end of input is dropped (DW_ISSUE_BAD_RECORD). The article's offset
 * is that of the '<' of <DOC>.
 *
 * Limits: a line longer than max_line bytes (DW_PAGE_MAX_LINE by default)
 * gives DW_ISSUE_LINE_TOO_LONG (count = line length) and the rest of its page
 * is skipped (articles already emitted stay). An article (title + body) or
 * TREC record over max_article bytes gives DW_ISSUE_TOO_LARGE and is skipped.
 * Memory is bounded by one line plus one article.
 *
 * Chunk independence: lines are assembled before anything looks at them, and
 * everything after that depends only on the sequence of lines and their
 * offsets, so any split of the same bytes gives the same callbacks. */
#include "ingest/page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <utf8proc.h>

#include "core/buf.h"
#include "core/norm.h"
#include "core/utf8.h"
#include "ingest/date.h"

#define MARKER_PREFIX 256 /* bytes of a line normalized to find a marker */
#define DATELINE_MAX_WORDS 8 /* longest line read as a dateline (art_dateline) */
#define BYLINE_MAX_WORDS 16  /* longest byline value read as a date (art_byline) */
#define BYLINE_DATE_WORD 3   /* a longer byline's date starts within its first words */

typedef enum {
    PH_START = 0, /* no open article */
    PH_BODY,      /* article open, no source line yet */
    PH_AFTER      /* source line seen */
} page_phase;

typedef enum {
    MODE_UNDECIDED = 0, /* no non-blank line yet */
    MODE_TEXT,          /* plain text page */
    MODE_TREC           /* TREC record */
} page_mode;

typedef enum {
    MK_NONE = 0, /* content line */
    MK_DATE,     /* تاريخ النشر: */
    MK_SOURCE,   /* المصدر: */
    MK_KEYWORDS, /* كلمات دلالية: */
    MK_READ      /* اقرأ أيضا */
} marker_kind;

/* The article being built. Metadata may arrive before the title (active 0). */
typedef struct {
    int active;               /* 1 once a title is known */
    dw_role role;             /* main or related */
    uint64_t offset;          /* offset of the title line */
    dw_buf title;             /* title line without trailing space */
    size_t title_lead;        /* leading space bytes in title */
    dw_buf body;              /* body lines joined by '\n' */
    size_t pending_blank;     /* blank lines not yet written into body */
    size_t blank_after_title; /* blank lines between title and first body line */
    int has_date;             /* a date line (or TREC TIME) was seen */
    int date_inferred;        /* the date is a dateline's (art_dateline): a date line replaces it */
    size_t body_lines;        /* non-blank body lines so far */
    dw_buf date;              /* its value, trimmed */
    int has_source;           /* a source line was seen */
    dw_buf source;            /* its value, trimmed */
    int has_url, has_id;      /* TREC URL / DOCNO present */
    dw_buf url, id;           /* their values */
    dw_buf kw;                /* keyword bytes, one after the other */
    size_t n_kw;              /* number of keywords */
    size_t kw_off[DW_PAGE_MAX_KEYWORDS]; /* start of each keyword in kw */
    size_t kw_len[DW_PAGE_MAX_KEYWORDS]; /* length of each keyword */
    int too_large;            /* over max_article: reported, not emitted */
} page_art;

struct dw_page_parser {
    dw_page_opts opts;     /* callbacks and limits (defaults live in dflt) */
    dw_page_opts dflt;     /* defaults for the next hard page */
    size_t max_line;       /* longest accepted line */
    size_t max_article;    /* largest accepted article */
    int rc;                /* sticky result: callback stop value or DW_ENOMEM */
    int plain;             /* no marker lines: every line is content (records without page structure) */

    /* line splitter */
    uint64_t pos;          /* input offset of the next byte */
    uint64_t line_off;     /* input offset of the current line's first byte */
    dw_buf raw;            /* partial line carried between feeds */
    uint64_t raw_total;    /* full length of the partial line */
    int raw_over;          /* partial line exceeds max_line */
    int skip_lf;           /* last byte was CR: drop a following LF */
    int bom_check;         /* next line may start with a BOM */

    /* current page */
    uint64_t page_no;      /* number of the current page */
    uint64_t page_off;     /* where the page started */
    int page_hard;         /* opened by new/break (defaults; blank counts) */
    int page_text;         /* a non-blank line was seen */
    int page_marker;       /* a marker line was seen */
    int page_skip;         /* skipping the rest of the page (line too long) */
    page_mode mode;        /* text or TREC */
    page_phase phase;      /* text state */
    dw_role next_role;     /* role of the next article */
    page_art a;            /* article being built */

    /* TREC */
    int in_rec;            /* inside <DOC> ... </DOC> */
    uint64_t rec_off;      /* offset of <DOC> */
    dw_buf rec;            /* record text so far (cleaned) */
    size_t rec_lines;      /* lines appended to rec */
    int rec_too_large;     /* over max_article: reported, skipped */

    /* scratch */
    dw_buf line;           /* repaired line */
    dw_buf norm;           /* normalized marker prefix */
    dw_buf tmp;            /* entity decoding, default-title body */
    dw_span kw_spans[DW_PAGE_MAX_KEYWORDS]; /* keywords handed to on_article */

    dw_page_stats st;      /* statistics */
};

/* ---- small text helpers ---- */

static int cp_is_space(int32_t cp)
{
    if (cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == 0 || cp == 0x85 || cp == 0xA0)
        return 1; /* NUL too: it is dropped from lines anyway */
    if (cp < 0x80)
        return 0;
    if (cp == 0x061C || (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
        (cp >= 0x2060 && cp <= 0x2064) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF)
        return 1;
    utf8proc_category_t c = utf8proc_category(cp);
    return c == UTF8PROC_CATEGORY_ZS || c == UTF8PROC_CATEGORY_ZL || c == UTF8PROC_CATEGORY_ZP;
}

/* Bytes of leading space in s[0..n) (stops at an invalid byte). */
static size_t lead_space(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            if (!cp_is_space(c))
                break;
            i++;
            continue;
        }
        int32_t cp;
        size_t len = dw_utf8_decode((const unsigned char *)s + i, n - i, &cp);
        if (len == 0 || !cp_is_space(cp))
            break;
        i += len;
    }
    return i;
}

/* Length of s[0..n) (valid UTF-8) without its trailing space. */
static size_t rtrim_len(const char *s, size_t n)
{
    while (n > 0) {
        unsigned char c = (unsigned char)s[n - 1];
        if (c < 0x80) {
            if (!cp_is_space(c))
                break;
            n--;
            continue;
        }
        size_t st = n - 1;
        while (st > 0 && n - st < 4 && ((unsigned char)s[st] & 0xC0) == 0x80)
            st--;
        int32_t cp;
        size_t len = dw_utf8_decode((const unsigned char *)s + st, n - st, &cp);
        if (len != n - st || !cp_is_space(cp))
            break;
        n = st;
    }
    return n;
}

static dw_span span_trim(const char *s, size_t n)
{
    size_t l = lead_space(s, n);
    dw_span r = {s + l, rtrim_len(s + l, n - l)};
    return r;
}

/* Case-insensitive search of an ASCII needle; returns offset or (size_t)-1. */
static size_t find_ci(const char *h, size_t hn, size_t from, const char *needle)
{
    size_t nn = strlen(needle);
    for (size_t i = from; i + nn <= hn; i++) {
        const char *q = memchr(h + i, needle[0], hn - i - nn + 1);
        if (!q)
            return (size_t)-1;
        i = (size_t)(q - h);
        if (strncasecmp(h + i, needle, nn) == 0)
            return i;
    }
    return (size_t)-1;
}

static int starts_ci(const char *s, size_t n, const char *w)
{
    size_t wn = strlen(w);
    return n >= wn && strncasecmp(s, w, wn) == 0;
}

/* A line holding at least one \f and otherwise only space. */
static int is_formfeed_line(const char *s, size_t n)
{
    return n > 0 && memchr(s, '\f', n) != NULL && lead_space(s, n) == n;
}

/* ---- issues and emission ---- */

static void issue(dw_page_parser *p, dw_issue_kind k, uint64_t off, uint64_t count,
                  const char *msg)
{
    if (p->opts.on_issue)
        p->opts.on_issue(p->opts.ud, k, off, count, msg);
}

static void art_reset(page_art *a)
{
    a->active = 0;
    a->role = DW_ROLE_MAIN;
    a->offset = 0;
    dw_buf_reset(&a->title);
    a->title_lead = 0;
    dw_buf_reset(&a->body);
    a->pending_blank = 0;
    a->blank_after_title = 0;
    a->has_date = a->has_source = a->has_url = a->has_id = 0;
    a->date_inferred = 0;
    a->body_lines = 0;
    dw_buf_reset(&a->date);
    dw_buf_reset(&a->source);
    dw_buf_reset(&a->url);
    dw_buf_reset(&a->id);
    dw_buf_reset(&a->kw);
    a->n_kw = 0;
    a->too_large = 0;
}

static void art_free(page_art *a)
{
    dw_buf_free(&a->title);
    dw_buf_free(&a->body);
    dw_buf_free(&a->date);
    dw_buf_free(&a->source);
    dw_buf_free(&a->url);
    dw_buf_free(&a->id);
    dw_buf_free(&a->kw);
}

static int nomem(dw_page_parser *p)
{
    if (!p->rc)
        p->rc = DW_ENOMEM;
    return p->rc;
}

/* Adds to *lost the '?' and U+FFFD (EF BF BD) of s, found with memchr
 * (they are rare in text). */
static void garbled_lost(dw_span s, uint64_t *lost)
{
    static const unsigned char marks[2] = {'?', 0xEF};
    for (int m = 0; m < 2; m++)
        for (const char *p = s.p, *end = s.p + s.n; (p = memchr(p, marks[m], (size_t)(end - p))) != NULL; p++)
            *lost += m == 0 || (end - p >= 3 && p[1] == '\xBF' && p[2] == '\xBD');
}

/* Adds to *chars the characters of s other than ASCII white space and
 * controls (UTF-8 lead bytes: the text is valid UTF-8 by now). */
static void garbled_chars(dw_span s, uint64_t *chars)
{
    const unsigned char *u = (const unsigned char *)s.p;
    uint64_t c = 0;
    for (size_t i = 0; i < s.n; i++)
        c += u[i] > ' ' && (u[i] & 0xC0) != 0x80;
    *chars += c;
}

/* Hands the built article (p->a) to on_article, or reports why not; then
 * clears it. Returns p->rc. */
static int art_emit(dw_page_parser *p)
{
    page_art *a = &p->a;
    if (!a->active || a->too_large) {
        art_reset(a);
        return p->rc;
    }
    int use_dflt = a->role == DW_ROLE_MAIN && p->page_hard;
    dw_article out;
    memset(&out, 0, sizeof out);
    out.role = a->role;
    out.page_no = p->page_no;
    out.offset = a->offset;
    out.title.p = a->title.data + a->title_lead;
    out.title.n = a->title.len - a->title_lead;
    out.body.p = dw_buf_str(&a->body);
    out.body.n = a->body.len;

    dw_span dt = use_dflt ? span_trim(p->dflt.default_title.p ? p->dflt.default_title.p : "",
                                      p->dflt.default_title.n)
                          : (dw_span){NULL, 0};
    if (use_dflt && (dt.n > 0 || p->plain) && !p->page_marker && p->mode == MODE_TEXT) {
        /* The whole text is the body (a record without a title of its own
         * keeps its first line as title too). */
        dw_buf_reset(&p->tmp);
        int e = dw_buf_append(&p->tmp, a->title.data, a->title.len);
        if (a->body.len) {
            for (size_t i = 0; i <= a->blank_after_title && !e; i++)
                e = dw_buf_putc(&p->tmp, '\n');
            if (!e)
                e = dw_buf_append(&p->tmp, a->body.data, a->body.len);
        }
        if (e)
            return nomem(p);
        if (p->tmp.len > p->max_article) {
            issue(p, DW_ISSUE_TOO_LARGE, a->offset, p->tmp.len, "article too large");
            art_reset(a);
            return p->rc;
        }
        if (dt.n > 0)
            out.title = dt;
        out.body.p = p->tmp.data;
        out.body.n = p->tmp.len;
    }
    if (out.body.n == 0 && !p->page_marker && p->mode == MODE_TEXT && a->role == DW_ROLE_MAIN) {
        /* a page of one line and no marker: that line is title and body */
        out.body = out.title;
    }
    if (out.body.n == 0) {
        issue(p, DW_ISSUE_NO_BODY, a->offset, 0, "article has a title but no body");
        art_reset(a);
        return p->rc;
    }
    /* garbled: the marks counted first; the characters only when the marks
     * could reach the share (a character takes at most 4 bytes) */
    uint64_t lost = 0, chars = 0;
    garbled_lost(out.title, &lost);
    garbled_lost(out.body, &lost);
    if (lost * 100 * 4 >= (uint64_t)(out.title.n + out.body.n) * DW_PAGE_GARBLED_PCT) {
        garbled_chars(out.title, &chars);
        garbled_chars(out.body, &chars);
    }
    if (chars && lost * 100 >= chars * DW_PAGE_GARBLED_PCT) {
        char msg[160];
        snprintf(msg, sizeof msg,
                 "article text is garbled: %llu%% of its characters are '?' or U+FFFD (lost in an earlier conversion)",
                 (unsigned long long)(lost * 100 / chars));
        issue(p, DW_ISSUE_GARBLED, a->offset, lost, msg);
        art_reset(a);
        return p->rc;
    }
    if (a->has_source && a->source.len)
        out.source = (dw_span){a->source.data, a->source.len};
    else if (use_dflt && p->dflt.default_source.p)
        out.source = span_trim(p->dflt.default_source.p, p->dflt.default_source.n);
    if (a->has_date && a->date.len)
        out.date_raw = (dw_span){a->date.data, a->date.len};
    else if (use_dflt && p->dflt.default_date.p)
        out.date_raw = span_trim(p->dflt.default_date.p, p->dflt.default_date.n);
    if (out.date_raw.p)
        dw_date_parse(out.date_raw.p, out.date_raw.n, out.published);
    if (a->has_url && a->url.len)
        out.url = (dw_span){a->url.data, a->url.len};
    else if (use_dflt && p->dflt.default_url.p)
        out.url = p->dflt.default_url;
    if (a->has_id && a->id.len)
        out.ext_id = (dw_span){a->id.data, a->id.len};
    else if (use_dflt && p->dflt.default_id.p)
        out.ext_id = p->dflt.default_id;
    for (size_t i = 0; i < a->n_kw; i++)
        p->kw_spans[i] = (dw_span){a->kw.data + a->kw_off[i], a->kw_len[i]};
    out.n_keywords = a->n_kw;
    out.keywords = a->n_kw ? p->kw_spans : NULL;

    p->st.articles++;
    int r = p->opts.on_article ? p->opts.on_article(p->opts.ud, &out) : 0;
    art_reset(a);
    if (r && !p->rc)
        p->rc = r;
    return p->rc;
}

/* ---- pages ---- */

static void page_open(dw_page_parser *p, int hard, uint64_t off)
{
    p->page_hard = hard;
    p->page_off = off;
    p->page_text = 0;
    p->page_marker = 0;
    p->page_skip = 0;
    p->mode = MODE_UNDECIDED;
    p->phase = PH_START;
    p->next_role = DW_ROLE_MAIN;
    p->in_rec = 0;
    p->rec_too_large = 0;
    p->rec_lines = 0;
    dw_buf_reset(&p->rec);
    art_reset(&p->a);
}

/* Ends the current page and opens the next at offset next_off. by_api: the
 * page is ended by dw_page_finish or dw_page_break, and the next one is hard. */
static int page_close(dw_page_parser *p, int by_api, uint64_t next_off)
{
    if (!p->page_skip) {
        if (p->in_rec)
            issue(p, DW_ISSUE_BAD_RECORD, p->rec_off, 0, "unterminated trec record");
        else if (p->a.active && art_emit(p))
            return p->rc;
    }
    int counted = p->page_text || (p->page_hard && by_api);
    /* A blank stretch dropped here hands its place (and its hardness) on. */
    int next_hard = by_api || (p->page_hard && !counted);
    if (!counted && !by_api)
        next_off = p->page_off;
    if (counted) {
        if (!p->page_text)
            issue(p, DW_ISSUE_EMPTY_PAGE, p->page_off, 0, "empty page");
        p->st.pages++;
        p->page_no++;
    }
    page_open(p, next_hard, next_off);
    return p->rc;
}

/* ---- markers ---- */

typedef struct {
    const char *norm;   /* normalized spelling */
    marker_kind kind;   /* what it marks */
} marker_def;

static const marker_def MARKERS[] = {
    {"تاريخ النشر", MK_DATE},
    {"المصدر", MK_SOURCE},
    {"كلمات دلاليه", MK_KEYWORDS},
    {"كلمات مفتاحيه", MK_KEYWORDS},
    {"الكلمات الدلاليه", MK_KEYWORDS},
    {"الكلمات المفتاحيه", MK_KEYWORDS},
    {"اقرا ايضا", MK_READ},
};

/* Could the first visible character start a marker? A cheap filter that
 * keeps most body lines away from normalization. */
static int marker_first_cp(int32_t cp)
{
    return cp == 0x062A || cp == 0x0627 || cp == 0x0623 || cp == 0x0625 || cp == 0x0622 ||
           cp == 0x0671 || cp == 0x0643 || cp == 0x06A9 || (cp >= 0xFB50 && cp <= 0xFDFF) ||
           (cp >= 0xFE70 && cp <= 0xFEFE);
}

/* Offset just after the first colon (ASCII, fullwidth, small, vertical) in
 * s[0..n), or n when none. */
static size_t after_colon(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ':')
            return i + 1;
        if ((unsigned char)s[i] == 0xEF && i + 2 < n &&
            ((memcmp(s + i, "\xEF\xBC\x9A", 3) == 0) || memcmp(s + i, "\xEF\xB9\x95", 3) == 0 ||
             memcmp(s + i, "\xEF\xB8\x93", 3) == 0))
            return i + 3;
    }
    return n;
}

/* Classifies the repaired line s[0..n); *val receives the trimmed value
 * after the colon (p NULL when the marker has no colon). */
static marker_kind marker_classify(dw_page_parser *p, const char *s, size_t n, dw_span *val)
{
    val->p = NULL;
    val->n = 0;
    size_t lead = lead_space(s, n);
    if (lead >= n)
        return MK_NONE;
    int32_t cp;
    if (dw_utf8_decode((const unsigned char *)s + lead, n - lead, &cp) == 0 ||
        !marker_first_cp(cp))
        return MK_NONE;
    size_t cut = n, truncated = 0;
    if (cut > MARKER_PREFIX) {
        cut = MARKER_PREFIX;
        while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
            cut--;
        truncated = 1;
    }
    dw_buf_reset(&p->norm);
    if (dw_norm_text(&p->norm, s, cut, DW_NORM_TEH_MARBUTA | DW_NORM_NO_NEWLINES) != 0) {
        nomem(p);
        return MK_NONE;
    }
    const char *z = dw_buf_str(&p->norm);
    for (size_t i = 0; i < sizeof MARKERS / sizeof MARKERS[0]; i++) {
        size_t mn = strlen(MARKERS[i].norm);
        if (strncmp(z, MARKERS[i].norm, mn) != 0)
            continue;
        const char *r = z + mn;
        while (*r == ' ')
            r++;
        if (*r == ':') {
            size_t c = after_colon(s, n);
            *val = span_trim(s + c, n - c);
            return MARKERS[i].kind;
        }
        if (*r == '\0' && MARKERS[i].kind == MK_READ && !truncated)
            return MK_READ;
        return MK_NONE;
    }
    return MK_NONE;
}

static int kw_add(dw_page_parser *p, const char *s, size_t n)
{
    page_art *a = &p->a;
    dw_span t = span_trim(s, n);
    if (t.n == 0 || a->n_kw >= DW_PAGE_MAX_KEYWORDS)
        return 0;
    a->kw_off[a->n_kw] = a->kw.len;
    a->kw_len[a->n_kw] = t.n;
    if (dw_buf_append(&a->kw, t.p, t.n))
        return nomem(p);
    a->n_kw++;
    return 0;
}

/* Splits a keywords value and adds its keywords to the article. */
static int kw_line(dw_page_parser *p, dw_span v)
{
    static const char *const strong[] = {",", ";", "\xD8\x8C", "\xD8\x9B"}; /* , ; ، ؛ */
    static const char *const weak[] = {"-", "\xE2\x80\x93"};                 /* - – */
    const char *const *seps = strong;
    size_t nseps = 4;
    int has_strong = 0;
    for (size_t k = 0; k < 4; k++)
        if (find_ci(v.p, v.n, 0, strong[k]) != (size_t)-1)
            has_strong = 1;
    if (!has_strong) {
        seps = weak;
        nseps = 2;
    }
    size_t start = 0, i = 0;
    while (i < v.n) {
        size_t sl = 0;
        for (size_t k = 0; k < nseps && !sl; k++) {
            size_t l = strlen(seps[k]);
            if (i + l <= v.n && memcmp(v.p + i, seps[k], l) == 0)
                sl = l;
        }
        if (sl) {
            if (kw_add(p, v.p + start, i - start))
                return p->rc;
            i += sl;
            start = i;
        } else {
            i++;
        }
    }
    return kw_add(p, v.p + start, v.n - start);
}

static int buf_set(dw_page_parser *p, dw_buf *b, const char *s, size_t n)
{
    dw_buf_reset(b);
    if (dw_buf_append(b, s, n))
        return nomem(p);
    return 0;
}

static void art_check_size(dw_page_parser *p)
{
    page_art *a = &p->a;
    if (!a->too_large && a->title.len + a->body.len > p->max_article) {
        a->too_large = 1;
        issue(p, DW_ISSUE_TOO_LARGE, a->offset, a->title.len + a->body.len,
              "article too large");
        dw_buf_free(&a->body);
    }
}

/* Opens an article with s[0..n) (repaired, non-blank) as its title line. */
static int art_start(dw_page_parser *p, const char *s, size_t n, uint64_t off)
{
    page_art *a = &p->a;
    a->active = 1;
    a->role = p->next_role;
    p->next_role = DW_ROLE_RELATED;
    a->offset = off;
    size_t rn = rtrim_len(s, n);
    if (buf_set(p, &a->title, s, rn))
        return p->rc;
    a->title_lead = lead_space(s, rn);
    p->phase = PH_BODY;
    art_check_size(p);
    return 0;
}

static int art_body_line(dw_page_parser *p, const char *s, size_t n)
{
    page_art *a = &p->a;
    size_t rn = rtrim_len(s, n);
    if (rn == 0) {
        a->pending_blank++;
        return 0;
    }
    if (a->too_large)
        return 0;
    int e = 0;
    if (a->body.len == 0) {
        a->blank_after_title = a->pending_blank;
    } else {
        for (size_t i = 0; i <= a->pending_blank && !e; i++)
            e = dw_buf_putc(&a->body, '\n');
    }
    a->pending_blank = 0;
    if (e || dw_buf_append(&a->body, s, rn))
        return nomem(p);
    a->body_lines++;
    art_check_size(p);
    return 0;
}

/* Number of space-separated words of s[0..n), counted up to max + 1 (a
 * paragraph is told from a short line without reading all of it). With
 * digit_word, also the 1-based index of the first of those words holding a
 * digit (ASCII, Arabic-Indic or Persian), 0 when none does. */
static size_t count_words(const char *s, size_t n, size_t max, size_t *digit_word)
{
    size_t words = 0;
    int in_word = 0;
    if (digit_word)
        *digit_word = 0;
    for (size_t i = 0; i < n && words <= max;) {
        int32_t cp;
        size_t l = dw_utf8_decode((const unsigned char *)s + i, n - i, &cp);
        int sp = cp_is_space(cp);
        words += !sp && !in_word;
        in_word = !sp;
        if (digit_word && !*digit_word &&
            ((cp >= '0' && cp <= '9') || (cp >= 0x660 && cp <= 0x669) || (cp >= 0x6F0 && cp <= 0x6F9)))
            *digit_word = words;
        i += l ? l : 1;
    }
    return words;
}

/* A source line between the main article's title and its first body line:
 * a byline, as newspapers print it under the title, not the line that
 * closes the article. Its value (further leading colons dropped) is
 *   empty: skipped;
 *   a date (dw_date_parse) of at most DW_PAGE_OUTLET_MAX_WORDS words, or
 *     of at most BYLINE_MAX_WORDS whose date starts within the first
 *     BYLINE_DATE_WORD words (`يوم الأربعاء 09/05/2012 م - الموافق ...
 *     الساعة 7:27 مساءً`): the article's date, unless it has one;
 *   at most DW_PAGE_OUTLET_MAX_WORDS words: the article's source (a closing source
 *     line with a value replaces it);
 *   longer: the first body line (a label stuck to a paragraph, even one
 *     that mentions a date: its text is kept).
 * The article stays open in every case. */
static int art_byline(dw_page_parser *p, dw_span v)
{
    while (v.n && (*v.p == ':' || *v.p == ' ')) {
        v.p++;
        v.n--;
    }
    if (!v.n)
        return 0;
    char iso[11];
    size_t digit_word;
    size_t words = count_words(v.p, v.n, BYLINE_MAX_WORDS, &digit_word);
    int date_shaped = words <= DW_PAGE_OUTLET_MAX_WORDS ||
                      (words <= BYLINE_MAX_WORDS && digit_word && digit_word <= BYLINE_DATE_WORD);
    if (date_shaped && dw_date_parse(v.p, v.n, iso)) {
        if (p->a.has_date)
            return 0;
        p->a.has_date = 1;
        return buf_set(p, &p->a.date, v.p, v.n);
    }
    if (words > DW_PAGE_OUTLET_MAX_WORDS)
        return art_body_line(p, v.p, v.n);
    p->a.has_source = 1;
    return buf_set(p, &p->a.source, v.p, v.n);
}

/* A dateline: one of the first two body lines of a page's main article
 * without a date, of at most DATELINE_MAX_WORDS words, that dw_date_parse
 * reads (`الأربعاء, 28-مارس-2012`, `الجمعة 06/07/2012`, `بيت لحم 23-5-2012
 * وفا`), as newspapers print under the title without a label, gives the
 * article's date; the line stays in the body, and a date line (تاريخ
 * النشر:) later in the article replaces it. Not for records (their date
 * comes from their fields) or pages without marker rules (plain). Returns
 * p->rc (0 to go on). */
static int art_dateline(dw_page_parser *p, const char *s, size_t n)
{
    page_art *a = &p->a;
    if (a->role != DW_ROLE_MAIN || a->has_date || a->body_lines >= 2 || p->plain ||
        (p->page_hard && p->dflt.default_date.p))
        return 0;
    dw_span v = span_trim(s, n);
    char iso[11];
    if (!v.n || count_words(v.p, v.n, DATELINE_MAX_WORDS, NULL) > DATELINE_MAX_WORDS || !dw_date_parse(v.p, v.n, iso))
        return 0;
    a->has_date = 1;
    a->date_inferred = 1;
    return buf_set(p, &a->date, v.p, v.n);
}

/* One repaired, non-blank line of a text page. */
static int text_line(dw_page_parser *p, const char *s, size_t n, uint64_t off)
{
    dw_span v;
    marker_kind k = p->plain ? MK_NONE : marker_classify(p, s, n, &v);
    if (p->rc)
        return p->rc;
    if (k != MK_NONE)
        p->page_marker = 1;
    switch (k) {
    case MK_NONE:
        if (p->phase == PH_AFTER && art_emit(p))
            return p->rc;
        if (p->phase == PH_BODY)
            return art_dateline(p, s, n) ? p->rc : art_body_line(p, s, n);
        return art_start(p, s, n, off);
    case MK_DATE:
        if (p->phase == PH_AFTER) {
            if (art_emit(p))
                return p->rc;
            p->phase = PH_START;
        }
        if (!p->a.has_date || p->a.date_inferred) {
            p->a.has_date = 1;
            p->a.date_inferred = 0;
            return buf_set(p, &p->a.date, v.p, v.n);
        }
        return 0;
    case MK_SOURCE:
        if (p->phase == PH_BODY && p->a.role == DW_ROLE_MAIN && p->a.body.len == 0)
            return art_byline(p, v);
        if (p->phase == PH_BODY) {
            p->phase = PH_AFTER;
            if (!v.n && p->a.has_source)
                return 0; /* an empty closing line keeps the byline's outlet */
            p->a.has_source = 1;
            return buf_set(p, &p->a.source, v.p, v.n);
        }
        return 0;
    case MK_KEYWORDS:
        return kw_line(p, v);
    case MK_READ:
        if (p->a.active && art_emit(p))
            return p->rc;
        p->phase = PH_START;
        p->next_role = DW_ROLE_RELATED;
        if (v.p && v.n)
            return art_start(p, v.p, v.n, off);
        return 0;
    }
    return 0;
}

/* ---- TREC ---- */

/* Appends s[0..n) with the XML entities decoded. */
static int entity_decode(dw_buf *out, const char *s, size_t n)
{
    static const struct {
        const char *name; /* entity with & and ; */
        char c;           /* its character */
    } named[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    size_t i = 0, done = 0;
    while (i < n) {
        const char *amp = memchr(s + i, '&', n - i);
        if (!amp)
            break;
        i = (size_t)(amp - s);
        size_t elen = 0;
        char one = 0;
        int32_t cp = -1;
        for (size_t k = 0; k < sizeof named / sizeof named[0]; k++) {
            size_t l = strlen(named[k].name);
            if (i + l <= n && memcmp(s + i, named[k].name, l) == 0) {
                elen = l;
                one = named[k].c;
            }
        }
        if (!elen && i + 3 < n && s[i + 1] == '#') {
            size_t j = i + 2;
            int hex = 0;
            if (s[j] == 'x' || s[j] == 'X') {
                hex = 1;
                j++;
            }
            int32_t v = 0;
            size_t digits = 0;
            while (j < n && digits < 8) {
                char c = s[j];
                int d = (c >= '0' && c <= '9') ? c - '0'
                        : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
                        : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                      : -1;
                if (d < 0)
                    break;
                v = v * (hex ? 16 : 10) + d;
                digits++;
                j++;
            }
            if (digits && j < n && s[j] == ';' && v <= 0x10FFFF && !(v >= 0xD800 && v <= 0xDFFF) &&
                (v >= 0x20 || v == '\t')) {
                elen = j + 1 - i;
                cp = v;
            }
        }
        if (!elen) {
            i++;
            continue;
        }
        if (dw_buf_append(out, s + done, i - done))
            return -1;
        if (cp >= 0) {
            char enc[4];
            size_t el = dw_utf8_encode(cp, enc);
            if (dw_buf_append(out, enc, el))
                return -1;
        } else if (dw_buf_putc(out, one)) {
            return -1;
        }
        i += elen;
        done = i;
    }
    return dw_buf_append(out, s + done, n - done);
}

/* Finds <tag>...</tag> in r; *v is the content (p NULL when the tag is
 * absent). Returns -1 when the tag is opened but not closed. */
static int trec_field(const char *r, size_t n, const char *tag, dw_span *v)
{
    char open[16], close[17];
    size_t tl = strlen(tag);
    open[0] = '<';
    memcpy(open + 1, tag, tl);
    open[tl + 1] = '>';
    open[tl + 2] = '\0';
    close[0] = '<';
    close[1] = '/';
    memcpy(close + 2, tag, tl);
    close[tl + 2] = '>';
    close[tl + 3] = '\0';
    v->p = NULL;
    v->n = 0;
    size_t o = find_ci(r, n, 0, open);
    if (o == (size_t)-1)
        return 0;
    size_t b = o + tl + 2;
    size_t c = find_ci(r, n, b, close);
    if (c == (size_t)-1)
        return -1;
    v->p = r + b;
    v->n = c - b;
    return 0;
}

/* Decodes a one-value field into dst: entities decoded, each line trimmed,
 * non-blank lines joined by one space. */
static int trec_value(dw_page_parser *p, dw_buf *dst, dw_span v, int *has)
{
    *has = v.p != NULL;
    dw_buf_reset(dst);
    if (!v.p)
        return 0;
    dw_buf_reset(&p->tmp);
    if (entity_decode(&p->tmp, v.p, v.n))
        return nomem(p);
    const char *t = dw_buf_str(&p->tmp);
    size_t n = p->tmp.len;
    for (size_t i = 0; i < n;) {
        const char *nl = memchr(t + i, '\n', n - i);
        size_t e = nl ? (size_t)(nl - t) : n;
        dw_span l = span_trim(t + i, e - i);
        if (l.n && ((dst->len && dw_buf_putc(dst, ' ')) || dw_buf_append(dst, l.p, l.n)))
            return nomem(p);
        i = e + 1;
    }
    return 0;
}

/* Parses the finished record in p->rec and emits its article. */
static int trec_emit(dw_page_parser *p)
{
    const char *r = dw_buf_str(&p->rec);
    size_t n = p->rec.len;
    dw_span no, url, src, title, tim, text;
    int bad = trec_field(r, n, "DOCNO", &no) | trec_field(r, n, "URL", &url) |
              trec_field(r, n, "SRC", &src) | trec_field(r, n, "TITLE", &title) |
              trec_field(r, n, "TIME", &tim) | trec_field(r, n, "TEXT", &text);
    if (bad) {
        issue(p, DW_ISSUE_BAD_RECORD, p->rec_off, 0, "trec record with an unclosed field");
        return p->rc;
    }
    if (!text.p) {
        issue(p, DW_ISSUE_BAD_RECORD, p->rec_off, 0, "trec record without <text>");
        return p->rc;
    }
    page_art *a = &p->a;
    art_reset(a);
    int has_title;
    if (trec_value(p, &a->title, title, &has_title) || trec_value(p, &a->id, no, &a->has_id) ||
        trec_value(p, &a->url, url, &a->has_url) ||
        trec_value(p, &a->source, src, &a->has_source) ||
        trec_value(p, &a->date, tim, &a->has_date))
        return p->rc;
    if (a->title.len == 0) {
        issue(p, DW_ISSUE_BAD_RECORD, p->rec_off, 0, "trec record without a title");
        art_reset(a);
        return p->rc;
    }
    a->active = 1;
    a->role = DW_ROLE_MAIN;
    a->offset = p->rec_off;
    for (size_t i = 0; i < text.n;) {
        const char *nl = memchr(text.p + i, '\n', text.n - i);
        size_t e = nl ? (size_t)(nl - text.p) : text.n;
        dw_buf_reset(&p->tmp);
        if (entity_decode(&p->tmp, text.p + i, e - i))
            return nomem(p);
        if (art_body_line(p, dw_buf_str(&p->tmp), p->tmp.len))
            return p->rc;
        i = e + 1;
    }
    return art_emit(p);
}

static void handle_line(dw_page_parser *p, const char *s, size_t n, uint64_t off);

/* Drops NUL bytes from the line in *out (legacy dumps pad files with them),
 * moving it into p->line when it is not there yet. */
static int line_drop_nul(dw_page_parser *p, dw_span *out)
{
    if (!out->n || !memchr(out->p, '\0', out->n))
        return 0;
    if (out->p != p->line.data) {
        dw_buf_reset(&p->line);
        if (dw_buf_append(&p->line, out->p, out->n))
            return nomem(p);
    }
    size_t w = 0;
    for (size_t r = 0; r < p->line.len; r++)
        if (p->line.data[r] != '\0')
            p->line.data[w++] = p->line.data[r];
    p->line.len = w;
    p->line.data[w] = '\0';
    *out = (dw_span){p->line.data, w};
    return 0;
}

/* Repairs s[0..n) into p->line when it holds invalid UTF-8 (one issue per
 * line) or NUL bytes (dropped); returns the clean bytes (s itself when
 * clean) in *out. */
static int line_repair(dw_page_parser *p, const char *s, size_t n, uint64_t off, dw_span *out)
{
    size_t v = dw_utf8_valid_prefix((const unsigned char *)s, n);
    if (v == n) {
        *out = (dw_span){s, n};
        return line_drop_nul(p, out);
    }
    dw_buf_reset(&p->line);
    size_t first = (size_t)-1;
    size_t reps = dw_utf8_repair(&p->line, s, n, &first);
    if (reps == (size_t)-1)
        return nomem(p);
    uint64_t bad = n - (p->line.len - 3 * reps);
    p->st.bad_bytes += bad;
    issue(p, DW_ISSUE_BAD_UTF8, off + (first == (size_t)-1 ? v : first), bad,
          "invalid utf-8 replaced");
    *out = (dw_span){dw_buf_str(&p->line), p->line.len};
    return line_drop_nul(p, out);
}

/* One raw line (or line piece) while inside a TREC record. */
static void trec_line(dw_page_parser *p, const char *s, size_t n, uint64_t off)
{
    size_t lead = lead_space(s, n);
    if (p->rec_lines > 0 && starts_ci(s + lead, n - lead, "<doc>")) {
        if (page_close(p, 0, off))
            return;
        handle_line(p, s, n, off);
        return;
    }
    size_t e = find_ci(s, n, 0, "</doc>");
    size_t take = e == (size_t)-1 ? n : e + 6;
    dw_span c;
    if (line_repair(p, s, take, off, &c))
        return;
    if (!p->rec_too_large) {
        if (p->rec.len + c.n + 1 > p->max_article) {
            p->rec_too_large = 1;
            issue(p, DW_ISSUE_TOO_LARGE, p->rec_off, p->rec.len + c.n, "trec record too large");
            dw_buf_free(&p->rec);
        } else if (dw_buf_append(&p->rec, c.p, c.n) ||
                   (e == (size_t)-1 && dw_buf_putc(&p->rec, '\n'))) {
            nomem(p);
            return;
        }
    }
    p->rec_lines++;
    if (e == (size_t)-1)
        return;
    p->in_rec = 0;
    if (!p->rec_too_large && trec_emit(p))
        return;
    if (page_close(p, 0, off + take))
        return;
    if (take < n && lead_space(s + take, n - take) < n - take)
        handle_line(p, s + take, n - take, off + take);
}

/* One raw line (without its terminator) at input offset off. */
static void handle_line(dw_page_parser *p, const char *s, size_t n, uint64_t off)
{
    if (p->rc)
        return;
    if (p->page_skip) {
        if (is_formfeed_line(s, n)) {
            page_close(p, 0, off + n);
        } else if (p->mode == MODE_TREC) {
            size_t e = find_ci(s, n, 0, "</doc>");
            if (e != (size_t)-1) {
                p->in_rec = 0;
                if (page_close(p, 0, off + e + 6))
                    return;
                if (e + 6 < n && lead_space(s + e + 6, n - e - 6) < n - e - 6)
                    handle_line(p, s + e + 6, n - e - 6, off + e + 6);
            }
        }
        return;
    }
    if (p->in_rec) {
        trec_line(p, s, n, off);
        return;
    }
    if (is_formfeed_line(s, n)) {
        page_close(p, 0, off + n);
        return;
    }
    size_t lead = lead_space(s, n);
    int blank = lead == n;
    if (p->mode == MODE_UNDECIDED) {
        if (blank)
            return;
        p->page_text = 1;
        if (starts_ci(s + lead, n - lead, "<doc>")) {
            p->mode = MODE_TREC;
            p->in_rec = 1;
            p->rec_off = off + lead;
            p->rec_lines = 0;
            p->rec_too_large = 0;
            dw_buf_reset(&p->rec);
            trec_line(p, s, n, off);
            return;
        }
        p->mode = MODE_TEXT;
    }
    if (blank) {
        if (p->phase == PH_BODY)
            art_body_line(p, s, 0);
        return;
    }
    dw_span c;
    if (line_repair(p, s, n, off, &c))
        return;
    text_line(p, c.p, c.n, off);
}

/* A complete raw line from the splitter: BOM, length limit, then handle. */
static void splitter_line(dw_page_parser *p, const char *s, size_t n, uint64_t total, int over)
{
    uint64_t off = p->line_off;
    p->st.lines++;
    over = over || total > p->max_line;
    if (p->bom_check) {
        p->bom_check = 0;
        if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
            s += 3;
            n -= 3;
            total -= 3;
            off += 3;
        }
    }
    if (over) {
        issue(p, DW_ISSUE_LINE_TOO_LONG, off, total, "line too long");
        p->page_text = 1;
        p->page_skip = 1;
        p->in_rec = 0;
        art_reset(&p->a);
        dw_buf_free(&p->rec);
        return;
    }
    handle_line(p, s, n, off);
}

/* ---- public API ---- */

dw_page_parser *dw_page_new(const dw_page_opts *opts)
{
    dw_page_parser *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    if (opts)
        p->opts = *opts;
    p->dflt = p->opts;
    p->max_line = p->opts.max_line ? p->opts.max_line : DW_PAGE_MAX_LINE;
    p->max_article = p->opts.max_article ? p->opts.max_article : DW_PAGE_MAX_ARTICLE;
    p->bom_check = 1;
    page_open(p, 1, 0);
    return p;
}

void dw_page_free(dw_page_parser *p)
{
    if (!p)
        return;
    dw_buf_free(&p->raw);
    dw_buf_free(&p->rec);
    dw_buf_free(&p->line);
    dw_buf_free(&p->norm);
    dw_buf_free(&p->tmp);
    art_free(&p->a);
    free(p);
}

void dw_page_set_offset(dw_page_parser *p, uint64_t off)
{
    if (p->pos == p->line_off && p->raw.len == 0 && !p->raw_over)
        p->line_off = off;
    if (p->page_off == p->pos && !p->page_text)
        p->page_off = off;
    p->pos = off;
}

/* A line over max_line keeps only its first 3 bytes (enough to see a BOM,
 * so that offsets do not depend on where the line was cut into feeds). */
static int splitter_head(dw_page_parser *p, const char *s, size_t n)
{
    if (p->raw.len > 3) {
        p->raw.len = 3;
        p->raw.data[3] = '\0';
    }
    size_t want = 3 - p->raw.len;
    if (want > n)
        want = n;
    if (want && dw_buf_append(&p->raw, s, want))
        return nomem(p);
    return 0;
}

/* Ends the line being assembled with s[0..n) (at a line end, break or
 * finish). */
static void splitter_flush(dw_page_parser *p, const char *s, size_t n)
{
    if (p->raw.len == 0 && !p->raw_over) {
        splitter_line(p, s, n, n, 0);
        return;
    }
    uint64_t total = p->raw_total + n;
    if (!p->raw_over && p->raw.len + n > p->max_line)
        p->raw_over = 1;
    if (p->raw_over ? splitter_head(p, s, n) : dw_buf_append(&p->raw, s, n) ? nomem(p) : 0)
        return;
    splitter_line(p, dw_buf_str(&p->raw), p->raw.len, total, p->raw_over);
    dw_buf_reset(&p->raw);
    p->raw_total = 0;
    p->raw_over = 0;
}

/* Keeps a partial line for the next feed (up to max_line bytes). */
static int splitter_keep(dw_page_parser *p, const char *s, size_t n)
{
    p->raw_total += n;
    if (!p->raw_over && p->raw.len + n > p->max_line)
        p->raw_over = 1;
    if (p->raw_over)
        return splitter_head(p, s, n);
    if (dw_buf_append(&p->raw, s, n))
        return nomem(p);
    return 0;
}

/* Offset of the first CR or LF in s[0..n), or n. */
static size_t find_eol(const char *s, size_t n)
{
    const char *lf = memchr(s, '\n', n);
    size_t lim = lf ? (size_t)(lf - s) : n;
    const char *cr = memchr(s, '\r', lim);
    return cr ? (size_t)(cr - s) : lim;
}

int dw_page_feed(dw_page_parser *p, const char *data, size_t n)
{
    if (p->rc)
        return p->rc;
    size_t i = 0;
    if (n > 0 && p->skip_lf) {
        p->skip_lf = 0;
        if (data[0] == '\n') {
            i = 1;
            p->pos++;
            p->line_off = p->pos;
        }
    }
    while (i < n && !p->rc) {
        size_t rem = n - i;
        size_t j = find_eol(data + i, rem);
        if (j == rem) {
            splitter_keep(p, data + i, rem);
            p->pos += rem;
            break;
        }
        size_t adv = j + 1;
        if (data[i + j] == '\r') {
            if (j + 1 < rem) {
                if (data[i + j + 1] == '\n')
                    adv++;
            } else {
                p->skip_lf = 1;
            }
        }
        splitter_flush(p, data + i, j);
        p->pos += adv;
        p->line_off = p->pos;
        i += adv;
    }
    return p->rc;
}

/* Flushes a pending partial line. */
static void splitter_end(dw_page_parser *p)
{
    if (p->raw.len || p->raw_over)
        splitter_flush(p, "", 0);
    p->skip_lf = 0;
    p->line_off = p->pos;
}

int dw_page_finish(dw_page_parser *p)
{
    if (p->rc)
        return p->rc;
    splitter_end(p);
    if (p->rc)
        return p->rc;
    page_close(p, 1, p->pos);
    return p->rc;
}

int dw_page_break(dw_page_parser *p, const dw_page_opts *next_defaults)
{
    if (p->rc)
        return p->rc;
    splitter_end(p);
    if (p->rc)
        return p->rc;
    if (page_close(p, 1, p->pos))
        return p->rc;
    dw_page_opts d;
    memset(&d, 0, sizeof d);
    if (next_defaults) {
        d.default_title = next_defaults->default_title;
        d.default_source = next_defaults->default_source;
        d.default_date = next_defaults->default_date;
        d.default_url = next_defaults->default_url;
        d.default_id = next_defaults->default_id;
    }
    p->dflt = d;
    p->bom_check = 1;
    return p->rc;
}

/* 1 if s[0..n) has a date line or a read-also marker: the structure of a
 * page, as opposed to an article text that merely ends with a source line. */
static int has_page_structure(dw_page_parser *p, const char *s, size_t n)
{
    size_t lead = 0;
    while (lead < n && (s[lead] == ' ' || s[lead] == '\t' || s[lead] == '\n' || s[lead] == '\r'))
        lead++;
    if (n - lead >= 5 && strncasecmp(s + lead, "<DOC>", 5) == 0)
        return 1;
    for (size_t i = 0; i < n;) {
        size_t e = i;
        while (e < n && s[e] != '\n' && s[e] != '\r')
            e++;
        dw_span v;
        marker_kind k = marker_classify(p, s + i, e - i, &v);
        if (k == MK_DATE || k == MK_READ)
            return 1;
        i = e + 1;
    }
    return 0;
}

int dw_page_parse_text(const dw_page_opts *opts, const char *s, size_t n, uint64_t base_offset)
{
    dw_page_parser *p = dw_page_new(opts);
    if (!p)
        return DW_ENOMEM;
    /* a record is a page only when its text has a page's structure;
     * otherwise all of it is the body */
    if (opts->is_record && !has_page_structure(p, s, n))
        p->plain = 1;
    dw_page_set_offset(p, base_offset);
    int rc = dw_page_feed(p, s, n);
    if (!rc)
        rc = dw_page_finish(p);
    dw_page_free(p);
    return rc;
}

void dw_page_get_stats(const dw_page_parser *p, dw_page_stats *out)
{
    *out = p->st;
}
