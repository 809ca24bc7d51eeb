/* tok.c: word tokenizer (tok.h). Code points below U+0800 (ASCII, Latin,
 * Greek, Cyrillic, Hebrew, Arabic) are classified through a table built once
 * from utf8proc_category; others ask utf8proc_category directly. */
#include "core/tok.h"

#include <pthread.h>
#include <stdint.h>
#include <utf8proc.h>

#include "core/utf8.h"

enum {
    TC_SEP = 0, /* separator */
    TC_WORD,    /* letter or digit: starts or continues a token */
    TC_MARK,    /* combining mark: continues a token, else separates */
    TC_END,     /* sentence-ending punctuation (unless a letter follows at once) */
    TC_NL       /* line break or CJK full stop: always ends a sentence */
};

#define TOK_TABLE 0x800

static unsigned char tok_table[TOK_TABLE]; /* TC_* of U+0000..U+07FF */
static pthread_once_t tok_once = PTHREAD_ONCE_INIT;

static int tok_class_cp(int32_t cp)
{
    switch (cp) {
    case 0x0A: case 0x0B: case 0x0C: case 0x0D: case 0x85: case 0x2028: case 0x2029:
    case 0x3002: case 0xFF01: case 0xFF1F: case 0xFF1B: /* 。！？； (no space follows in CJK) */
        return TC_NL;
    case '.': case '!': case '?': case ';':
    case 0x061F: /* ؟ */
    case 0x061B: /* ؛ */
    case 0x06D4: /* ۔ Arabic full stop */
    case 0x2026: /* … */
    case 0x203C: /* ‼ */
    case 0x2047: case 0x2048: case 0x2049: /* ⁇ ⁈ ⁉ */
        return TC_END;
    default:
        break;
    }
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
        return TC_WORD;
    case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
        return TC_MARK;
    default:
        return TC_SEP;
    }
}

static void tok_init_table(void)
{
    for (int32_t cp = 0; cp < TOK_TABLE; cp++)
        tok_table[cp] = (unsigned char)tok_class_cp(cp);
}

/* Class of the character at s[i..n) (i < n); *len receives its length, or
 * that of the invalid sequence (a separator). */
static inline int tok_class_at(const unsigned char *s, size_t i, size_t n, size_t *len)
{
    unsigned c = s[i];
    if (c < 0x80) {
        *len = 1;
        return tok_table[c];
    }
    if (c >= 0xC2 && c < 0xE0 && i + 1 < n && (s[i + 1] & 0xC0) == 0x80) {
        *len = 2;
        return tok_table[((c & 0x1F) << 6) | (s[i + 1] & 0x3F)];
    }
    int32_t cp;
    int ok;
    *len = dw_utf8_next(s + i, n - i, &cp, &ok);
    return ok ? tok_class_cp(cp) : TC_SEP;
}

void dw_tok_init(dw_tok *t, const char *s, size_t n)
{
    pthread_once(&tok_once, tok_init_table);
    t->s = s;
    t->n = n;
    t->pos = 0;
}

int dw_tok_next(dw_tok *t, dw_token *out)
{
    const unsigned char *s = (const unsigned char *)t->s;
    size_t n = t->n, i = t->pos, len = 0;
    int sent = i == 0, end_prev = 0, c;

    pthread_once(&tok_once, tok_init_table);
    for (;;) { /* separators */
        if (i >= n) {
            t->pos = n;
            return 0;
        }
        c = tok_class_at(s, i, n, &len);
        if (c == TC_WORD)
            break;
        if (end_prev)
            sent = 1;
        end_prev = c == TC_END;
        if (c == TC_NL)
            sent = 1;
        i += len;
    }
    size_t start = i;
    i += len;
    while (i < n) {
        c = tok_class_at(s, i, n, &len);
        if (c != TC_WORD && c != TC_MARK)
            break;
        i += len;
    }
    out->off = start;
    out->len = i - start;
    out->sentence_start = sent;
    t->pos = i;
    return 1;
}

size_t dw_tok_count(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t count = 0, len;
    int in = 0;

    pthread_once(&tok_once, tok_init_table);
    for (size_t i = 0; i < n; i += len) {
        int c = tok_class_at(u, i, n, &len);
        if (c == TC_WORD) {
            count += !in;
            in = 1;
        } else if (c != TC_MARK) {
            in = 0;
        }
    }
    return count;
}
