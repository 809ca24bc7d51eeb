/* jsonrec.c: streaming reader of JSON records (JSON Lines, a JSON array of
 * objects, or a single object) with jansson. A sliding window holds the
 * unread input; each record is parsed with json_loadb(JSON_DISABLE_EOF_CHECK),
 * which reports how many bytes the value took. When a value is cut by the end
 * of the window, the window is at least doubled before parsing again, so a
 * record costs O(its size) and memory is bounded by the largest record. */
#define _GNU_SOURCE
#include "ingest/jsonrec.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Window sizes; the fuzz target builds with tiny ones (-DJR_CHUNK=64 ...) so
 * that growing and sliding the window happen on small inputs. */
#ifndef JR_CHUNK
#define JR_CHUNK (1u << 20) /* bytes asked from the reader at a time, once grown */
#endif
#ifndef JR_FIRST_CAP
#define JR_FIRST_CAP (64u << 10) /* first window size */
#endif
#ifndef JR_MIN_READ
#define JR_MIN_READ (4u << 10) /* smallest free space offered to the reader */
#endif
#define JR_TAIL 4           /* a parse error this close to the window end may be a cut */

/* Reading state of one dw_json_read call. */
typedef struct {
    dw_reader *r;         /* input */
    const dw_json_opts *o; /* callbacks */
    dw_err *e;            /* error of the reader, if it fails */
    char *buf;            /* window; unread bytes are buf[start..len) */
    size_t cap;           /* bytes allocated for buf */
    size_t start;         /* first unread byte */
    size_t len;           /* bytes valid in buf */
    uint64_t base;        /* stream offset of buf[0] */
    uint64_t line;        /* 1-based line of buf[start] */
    uint64_t line_start;  /* stream offset of the first byte of that line */
    uint64_t index;       /* number of values seen so far (records or not) */
    int not_object;       /* 1 when the last value parsed was not an object */
    int eof;              /* 1 once the reader returned 0 */
} jr_state;

/* Outcome of parsing one value. */
typedef enum {
    JR_VALUE,  /* a value was parsed */
    JR_SYNTAX, /* invalid JSON (err filled) */
    JR_BIG,    /* the value does not fit in DW_JSON_MAX_RECORD */
    JR_FAIL    /* reader or memory failure (rc set) */
} jr_result;

/* Reports an issue at a stream offset and line through on_issue. */
static void jr_issue(jr_state *s, uint64_t off, uint64_t line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void jr_issue(jr_state *s, uint64_t off, uint64_t line, const char *fmt, ...)
{
    char msg[DW_ERR_MAX];
    va_list ap;
    if (!s->o->on_issue)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    s->o->on_issue(s->o->ud, off, line, msg);
}

/* Consumes n unread bytes, keeping the line count. */
static void jr_advance(jr_state *s, size_t n)
{
    const char *p = s->buf + s->start, *end = p + n;
    const char *nl;
    while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        s->line++;
        p = nl + 1;
        s->line_start = s->base + (uint64_t)(p - s->buf);
    }
    s->start += n;
}

/* Reads more input into the window (one reader call into the free space).
 * The window starts small (small inputs stay cheap) and grows by doubling
 * up to about 2 * JR_CHUNK, or more for a larger record. Returns 1 when
 * bytes came, 0 at the end, or a dw_rc (> 1) on failure. */
static int jr_more(jr_state *s)
{
    if (s->eof)
        return 0;
    size_t want = s->cap < 2 * JR_CHUNK ? s->cap / 2 : JR_CHUNK; /* free space to offer */
    if (want < JR_MIN_READ)
        want = JR_MIN_READ;
    if (s->start > 0 && (s->cap - s->len < want || s->start == s->len)) {
        memmove(s->buf, s->buf + s->start, s->len - s->start);
        s->base += s->start;
        s->len -= s->start;
        s->start = 0;
    }
    if (s->cap - s->len < want) {
        size_t ncap = s->cap * 2 > JR_FIRST_CAP ? s->cap * 2 : JR_FIRST_CAP;
        while (ncap - s->len < want)
            ncap *= 2;
        char *nb = realloc(s->buf, ncap + 1);
        if (!nb)
            return dw_err_set(s->e, DW_ENOMEM, "out of memory reading json");
        s->buf = nb;
        s->cap = ncap;
    }
    ssize_t n = dw_reader_read(s->r, s->buf + s->len, s->cap - s->len, s->e);
    if (n < 0)
        return DW_EINPUT;
    if (n == 0) {
        s->eof = 1;
        return 0;
    }
    s->len += (size_t)n;
    return 1;
}

/* Makes at least one unread byte available. Returns 1, 0 at the end, or a
 * dw_rc on failure. */
static int jr_peek(jr_state *s)
{
    while (s->start == s->len) {
        int m = jr_more(s);
        if (m != 1)
            return m;
    }
    return 1;
}

/* Skips JSON whitespace. Returns as jr_peek. */
static int jr_skip_ws(jr_state *s)
{
    for (;;) {
        int m = jr_peek(s);
        if (m != 1)
            return m;
        const char *p = s->buf + s->start, *end = s->buf + s->len;
        while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
            p++;
        jr_advance(s, (size_t)(p - (s->buf + s->start)));
        if (p < end)
            return 1;
    }
}

/* Skips to the first byte after the next '\n' (or to the end), discarding as
 * it goes. Returns as jr_peek. */
static int jr_skip_line(jr_state *s)
{
    for (;;) {
        int m = jr_peek(s);
        if (m != 1)
            return m;
        const char *p = s->buf + s->start;
        const char *nl = memchr(p, '\n', s->len - s->start);
        if (nl) {
            jr_advance(s, (size_t)(nl + 1 - p));
            return 1;
        }
        jr_advance(s, s->len - s->start);
    }
}

/* Parses the value at buf[start], reading more while it is cut by the end
 * of the window. On JR_VALUE, *out owns the value and *used is its size; on
 * JR_SYNTAX and JR_BIG, *used is the number of bytes examined. */
static jr_result jr_parse(jr_state *s, json_t **out, size_t *used, json_error_t *err, int *rc)
{
    for (;;) {
        size_t avail = s->len - s->start;
        size_t want = avail > DW_JSON_MAX_RECORD ? DW_JSON_MAX_RECORD : avail;
        json_t *v = json_loadb(s->buf + s->start, want, JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY, err);
        size_t pos = err->position > 0 ? (size_t)err->position : 0;
        if (v && (pos < avail || s->eof)) {
            *out = v;
            *used = pos;
            return JR_VALUE;
        }
        json_decref(v); /* a scalar ending at the window end may go on */
        *used = pos < want ? pos : want; /* bytes jansson looked at */
        if (!v && (s->eof || pos + JR_TAIL < want))
            return JR_SYNTAX;
        if (want >= DW_JSON_MAX_RECORD) {
            *used = want;
            return JR_BIG;
        }
        /* the value is cut: at least double the window before trying again */
        size_t target = avail < JR_CHUNK ? avail + JR_CHUNK : 2 * avail;
        if (target > DW_JSON_MAX_RECORD + 1)
            target = DW_JSON_MAX_RECORD + 1;
        while (s->len - s->start < target) {
            int m = jr_more(s);
            if (m == 0)
                break;
            if (m != 1) {
                *rc = m;
                return JR_FAIL;
            }
        }
    }
}

/* Reports invalid JSON found while parsing the value starting at rec_off. */
static void jr_issue_syntax(jr_state *s, uint64_t rec_off, uint64_t rec_line, uint64_t rec_col,
                            const json_error_t *err)
{
    uint64_t line = rec_line, col = rec_col;
    if (err->line > 1) {
        line = rec_line + (uint64_t)err->line - 1;
        col = (uint64_t)(err->column > 0 ? err->column : 1);
    } else if (err->column > 1) {
        col = rec_col + (uint64_t)err->column - 1;
    }
    jr_issue(s, rec_off, rec_line, "invalid json: %s at line %llu column %llu", err->text,
             (unsigned long long)line, (unsigned long long)col);
}

/* Sets *sp to the string member key of obj, if it is a string. */
static int jr_get_str(json_t *obj, const char *key, dw_span *sp)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_string(v))
        return 0;
    sp->p = json_string_value(v);
    sp->n = json_string_length(v);
    return 1;
}

/* Turns a parsed value into a record and calls on_record. Returns its result
 * (0 to go on) or a dw_rc on memory failure. */
static int jr_emit(jr_state *s, json_t *v, uint64_t off, uint64_t line)
{
    uint64_t idx = s->index++;
    s->not_object = !json_is_object(v);
    if (s->not_object) {
        static const char *const names[] = {"an object", "an array", "a string", "an integer",
                                            "a real", "true", "false", "null"};
        int t = (int)json_typeof(v);
        jr_issue(s, off, line, "record %llu: not an object but %s", (unsigned long long)idx + 1,
                 t >= 0 && t < 8 ? names[t] : "a value");
        return 0;
    }
    dw_json_record rec;
    memset(&rec, 0, sizeof rec);
    rec.index = idx;
    rec.offset = off;
    rec.line = line;
    if (!jr_get_str(v, "text", &rec.text) && !jr_get_str(v, "content", &rec.text)) {
        const char *key = json_object_get(v, "text") ? "text" : json_object_get(v, "content") ? "content" : NULL;
        if (key)
            jr_issue(s, off, line, "record %llu: field %s is not a string", (unsigned long long)idx + 1, key);
        else
            jr_issue(s, off, line, "record %llu: no text or content field", (unsigned long long)idx + 1);
        return 0;
    }
    jr_get_str(v, "title", &rec.title);
    jr_get_str(v, "source", &rec.source);
    if (!jr_get_str(v, "date", &rec.date))
        jr_get_str(v, "date_extracted", &rec.date);
    jr_get_str(v, "url", &rec.url);
    char idbuf[32];
    char *iddump = NULL;
    json_t *id = json_object_get(v, "id");
    if (json_is_string(id)) {
        jr_get_str(v, "id", &rec.id);
    } else if (json_is_integer(id)) {
        int k = snprintf(idbuf, sizeof idbuf, "%" JSON_INTEGER_FORMAT, json_integer_value(id));
        rec.id.p = idbuf;
        rec.id.n = (size_t)k;
    } else if (json_is_real(id)) {
        iddump = json_dumps(id, JSON_ENCODE_ANY);
        if (!iddump)
            return dw_err_set(s->e, DW_ENOMEM, "out of memory reading json");
        rec.id.p = iddump;
        rec.id.n = strlen(iddump);
    }
    int rc = s->o->on_record ? s->o->on_record(s->o->ud, &rec) : 0;
    free(iddump);
    return rc;
}

/* Parses and emits one value at buf[start] (whitespace already skipped),
 * sets *res to the parse outcome and *seen as jr_parse sets *used. Returns 0 to go on (record emitted, or
 * problem reported through on_issue), else the callback's stop value or a
 * dw_rc on failure. */
static int jr_one(jr_state *s, jr_result *res, size_t *seen)
{
    uint64_t off = s->base + s->start, line = s->line;
    uint64_t col = off - s->line_start + 1;
    json_t *v = NULL;
    json_error_t err;
    size_t used = 0;
    int rc = 0;
    *res = jr_parse(s, &v, &used, &err, &rc);
    *seen = used;
    if (*res == JR_FAIL)
        return rc;
    if (*res == JR_SYNTAX) {
        s->index++;
        jr_issue_syntax(s, off, line, col, &err);
        return 0;
    }
    if (*res == JR_BIG) {
        s->index++;
        jr_issue(s, off, line, "record %llu: larger than %u MiB", (unsigned long long)s->index,
                 DW_JSON_MAX_RECORD >> 20);
        return 0;
    }
    rc = jr_emit(s, v, off, line);
    json_decref(v);
    jr_advance(s, used);
    return rc;
}

/* After a broken value at buf[start] of which jansson examined `seen` bytes:
 * when the error lies two or more lines below the start, the lines between
 * belonged to the broken value, and reading resumes at the error's line (so
 * no byte is parsed more than about twice: reading stays linear however the
 * input is broken); otherwise at the line after the start. Returns as jr_peek. */
static int jr_resume(jr_state *s, size_t seen)
{
    const char *p = s->buf + s->start;
    if (seen > s->len - s->start)
        seen = s->len - s->start;
    if (seen > 1) {
        const char *first = memchr(p, '\n', seen - 1);
        const char *last = first ? memrchr(p, '\n', seen - 1) : NULL;
        if (last && last != first) {
            jr_advance(s, (size_t)(last + 1 - p));
            return 1;
        }
    }
    return jr_skip_line(s);
}

/* JSON Lines (or one object, or whitespace-separated values): after a broken
 * value, reading resumes at the next line (see jr_resume). */
static int jr_read_lines(jr_state *s)
{
    for (;;) {
        int m = jr_skip_ws(s);
        if (m != 1)
            return m == 0 ? DW_OK : m;
        jr_result res;
        size_t seen;
        int rc = jr_one(s, &res, &seen);
        if (rc != 0)
            return rc;
        if (res == JR_SYNTAX || res == JR_BIG) {
            m = jr_resume(s, seen);
            if (m != 1)
                return m == 0 ? DW_OK : m;
        } else if (s->not_object) {
            /* "1 2 3" or a stray array: one issue for the line, not one per value */
            m = jr_skip_line(s);
            if (m != 1)
                return m == 0 ? DW_OK : m;
        }
    }
}

/* A JSON array of records, buf[start] being '['. Broken JSON stops the
 * reading (reported through on_issue). */
static int jr_read_array(jr_state *s)
{
    int after_value = 0; /* 1 when a ',' or ']' is expected */
    jr_advance(s, 1);
    for (;;) {
        int m = jr_skip_ws(s);
        if (m > 1)
            return m;
        uint64_t off = s->base + s->start;
        if (m == 0) {
            jr_issue(s, off, s->line, "truncated json array: end of input before ']'");
            return DW_OK;
        }
        char c = s->buf[s->start];
        if (c == ']') {
            jr_advance(s, 1);
            m = jr_skip_ws(s);
            if (m == 1)
                jr_issue(s, s->base + s->start, s->line,
                         "invalid json: data after the closing ']' at line %llu (ignored)",
                         (unsigned long long)s->line);
            return m > 1 ? m : DW_OK;
        }
        if (after_value) {
            if (c != ',') {
                jr_issue(s, off, s->line,
                         "invalid json: ',' or ']' expected at line %llu column %llu",
                         (unsigned long long)s->line,
                         (unsigned long long)(off - s->line_start + 1));
                return DW_OK;
            }
            jr_advance(s, 1);
            after_value = 0;
            continue;
        }
        jr_result res;
        size_t seen;
        int rc = jr_one(s, &res, &seen);
        if (rc != 0)
            return rc;
        if (res != JR_VALUE)
            return DW_OK; /* reported; the rest of the array cannot be trusted */
        after_value = 1;
    }
}

int dw_json_read(dw_reader *r, const char *head, size_t head_len, const dw_json_opts *o, dw_err *e)
{
    jr_state s;
    memset(&s, 0, sizeof s);
    s.r = r;
    s.o = o;
    s.e = e;
    s.line = 1;
    if (head_len > 0) {
        s.cap = head_len;
        s.buf = malloc(s.cap + 1);
        if (!s.buf)
            return dw_err_set(e, DW_ENOMEM, "out of memory reading json");
        memcpy(s.buf, head, head_len);
        s.len = head_len;
    }
    int rc = 0;
    /* a UTF-8 BOM may open the stream */
    while (s.len < 3 && (rc = jr_more(&s)) == 1)
        ;
    if (s.len < 3 && rc > 1)
        goto out;
    if (s.len >= 3 && memcmp(s.buf, "\xEF\xBB\xBF", 3) == 0)
        s.start = 3;
    rc = jr_skip_ws(&s);
    if (rc == 1)
        rc = s.buf[s.start] == '[' ? jr_read_array(&s) : jr_read_lines(&s);
out:
    free(s.buf);
    return rc;
}

int dw_json_sniff(const char *buf, size_t n)
{
    /* a page title may start with { or [ too ("[فيديو] ..."): JSON needs
     * {" or {} for an object, [{ [" or [] for an array (after blanks) */
    size_t i = 0;
    if (n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < n && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\r' || buf[i] == '\t'))
        i++;
    if (i >= n || (buf[i] != '{' && buf[i] != '['))
        return 0;
    char open = buf[i++];
    while (i < n && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\r' || buf[i] == '\t'))
        i++;
    if (i >= n)
        return 1; /* cut by the end of the sniffed bytes: let the reader say */
    if (open == '{')
        return buf[i] == '"' || buf[i] == '}';
    return buf[i] == '{' || buf[i] == '"' || buf[i] == ']';
}
