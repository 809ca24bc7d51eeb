/* date.c: publication dates as scraped pages write them, to ISO YYYY-MM-DD.
 *
 * The input is first normalized with dw_norm_text (digits to ASCII, alef and
 * teh marbuta folded, Latin lower-cased, Arabic comma to ','), so that every
 * spelling variant of a month name meets one table entry. The normalized text
 * is cut into tokens (digit runs, letter runs, single separator characters;
 * spaces only separate), and the tokens are scanned from the left for the
 * first date-shaped sequence:
 *   Y sep M sep D     4-digit year, sep one of - / . (both the same)
 *   D sep M sep Y     the same, day first
 *   D [th] [,-/.] MONTH [,-/.] Y     14th, September 2023; 28-مارس-2012
 *   MONTH D [th] [,] Y               September 14, 2023
 * Any other words (weekdays, "GMT", times) are skipped. The first date-shaped
 * sequence decides: when it names an impossible date the result is "". */
#include "ingest/date.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <utf8proc.h>

#include "core/buf.h"
#include "core/norm.h"
#include "core/utf8.h"

#define DATE_MAX_INPUT 512 /* bytes of normalized text looked at */
#define DATE_MAX_TOKENS 64 /* tokens looked at */

typedef enum { TK_NUM, TK_WORD, TK_SEP } tok_kind;

typedef struct {
    tok_kind kind;  /* digit run, letter run or separator */
    const char *s;  /* bytes in the normalized text */
    size_t n;       /* length in bytes */
    int32_t sep;    /* separator code point (dashes folded to '-') */
} date_tok;

typedef struct {
    const char *name; /* normalized spelling (dw_norm_text with teh marbuta folded) */
    int month;        /* 1..12 */
} month_name;

/* Single-word month names: English, Egyptian/Gulf, Levantine, Maghrebi
 * (Algerian/Tunisian and Moroccan), already in normalized form. */
static const month_name MONTHS[] = {
    {"january", 1}, {"jan", 1}, {"february", 2}, {"feb", 2}, {"march", 3}, {"mar", 3},
    {"april", 4}, {"apr", 4}, {"may", 5}, {"june", 6}, {"jun", 6}, {"july", 7},
    {"jul", 7}, {"august", 8}, {"aug", 8}, {"september", 9}, {"sep", 9}, {"sept", 9},
    {"october", 10}, {"oct", 10}, {"november", 11}, {"nov", 11}, {"december", 12},
    {"dec", 12},
    /* Egypt, Gulf (transliterated) */
    {"يناير", 1}, {"فبراير", 2}, {"مارس", 3}, {"ابريل", 4}, {"مايو", 5}, {"يونيو", 6},
    {"يونيه", 6}, {"يوليو", 7}, {"يوليه", 7}, {"اغسطس", 8}, {"سبتمبر", 9},
    {"اكتوبر", 10}, {"نوفمبر", 11}, {"ديسمبر", 12},
    /* Levant, Iraq (Syriac names; كانون and تشرين are two words, below) */
    {"شباط", 2}, {"اذار", 3}, {"نيسان", 4}, {"ايار", 5}, {"حزيران", 6}, {"تموز", 7},
    {"اب", 8}, {"ايلول", 9},
    /* Algeria, Tunisia (French names) */
    {"جانفي", 1}, {"فيفري", 2}, {"افريل", 4}, {"ماي", 5}, {"جوان", 6}, {"جويليه", 7},
    {"اوت", 8},
    /* Morocco */
    {"يوليوز", 7}, {"غشت", 8}, {"شتنبر", 9}, {"نونبر", 11}, {"دجنبر", 12},
};

/* Words allowed between a day number and its month ("14th of", "14 من"). */
static const char *const FILLERS[] = {"st", "nd", "rd", "th", "of", "من"};

static int tok_is(const date_tok *t, const char *w)
{
    size_t n = strlen(w);
    return t->kind == TK_WORD && t->n == n && memcmp(t->s, w, n) == 0;
}

static int tok_is_filler(const date_tok *t)
{
    for (size_t i = 0; i < sizeof FILLERS / sizeof FILLERS[0]; i++)
        if (tok_is(t, FILLERS[i]))
            return 1;
    return 0;
}

/* Month named at tokens[i..]: returns 1..12 and the tokens used, or 0. */
static int match_month(const date_tok *t, size_t nt, size_t i, size_t *used)
{
    if (i >= nt || t[i].kind != TK_WORD)
        return 0;
    if ((tok_is(&t[i], "كانون") || tok_is(&t[i], "تشرين")) && i + 1 < nt) {
        int kanun = tok_is(&t[i], "كانون");
        const date_tok *w = &t[i + 1];
        int first = tok_is(w, "الاول") || tok_is(w, "اول");
        int second = tok_is(w, "الثاني") || tok_is(w, "ثاني");
        if (first || second) {
            *used = 2;
            if (kanun)
                return first ? 12 : 1;
            return first ? 10 : 11;
        }
    }
    for (size_t k = 0; k < sizeof MONTHS / sizeof MONTHS[0]; k++)
        if (tok_is(&t[i], MONTHS[k].name)) {
            *used = 1;
            return MONTHS[k].month;
        }
    return 0;
}

/* Value of a digit token of 1..max_digits digits, or -1. */
static int tok_num(const date_tok *t, size_t min_digits, size_t max_digits)
{
    if (t->kind != TK_NUM || t->n < min_digits || t->n > max_digits)
        return -1;
    int v = 0;
    for (size_t i = 0; i < t->n; i++)
        v = v * 10 + (t->s[i] - '0');
    return v;
}

static int is_date_sep(const date_tok *t)
{
    return t->kind == TK_SEP && (t->sep == '-' || t->sep == '/' || t->sep == '.');
}

static int is_soft_sep(const date_tok *t)
{
    return t->kind == TK_SEP && (t->sep == ',' || t->sep == '-' || t->sep == '/' || t->sep == '.');
}

static int32_t fold_sep(int32_t cp)
{
    if ((cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212 || cp == 0xFE58 || cp == 0xFE63 ||
        cp == 0xFF0D)
        return '-';
    if (cp == 0x066B) /* Arabic decimal separator */
        return '.';
    if (cp == 0x066C || cp == 0x060C) /* Arabic thousands separator, comma */
        return ',';
    return cp;
}

/* Cuts s[0..n) (valid UTF-8) into tokens; returns their number. */
static size_t date_tokenize(const char *s, size_t n, date_tok *t, size_t max)
{
    size_t nt = 0, i = 0;
    while (i < n && nt < max) {
        int32_t cp;
        size_t len = dw_utf8_decode((const unsigned char *)s + i, n - i, &cp);
        if (len == 0)
            len = 1;
        if (cp >= '0' && cp <= '9') {
            size_t j = i;
            while (j < n && s[j] >= '0' && s[j] <= '9')
                j++;
            t[nt++] = (date_tok){TK_NUM, s + i, j - i, 0};
            i = j;
            continue;
        }
        utf8proc_category_t cat = utf8proc_category(cp);
        int letter = cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_ME;
        if (letter) {
            size_t j = i + len;
            while (j < n) {
                int32_t c2;
                size_t l2 = dw_utf8_decode((const unsigned char *)s + j, n - j, &c2);
                utf8proc_category_t k2 = utf8proc_category(c2);
                if (l2 == 0 || !(k2 >= UTF8PROC_CATEGORY_LU && k2 <= UTF8PROC_CATEGORY_ME))
                    break;
                j += l2;
            }
            t[nt++] = (date_tok){TK_WORD, s + i, j - i, 0};
            i = j;
            continue;
        }
        if (!(cat >= UTF8PROC_CATEGORY_ZS && cat <= UTF8PROC_CATEGORY_ZP) && cp != '\t' &&
            cp != '\n' && cp != '\r' && cp != '\f' && cp != '\v')
            t[nt++] = (date_tok){TK_SEP, s + i, len, fold_sep(cp)};
        i += len;
    }
    return nt;
}

static int date_valid(int y, int m, int d)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1)
        return 0;
    int dim = days[m - 1];
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        dim = 29;
    return d <= dim;
}

/* Tries the patterns at token i. Returns 1 (date found, *y *m *d set), 0 (no
 * date shape here). */
static int match_at(const date_tok *t, size_t nt, size_t i, int *y, int *m, int *d)
{
    /* Y sep M sep D and D sep M sep Y */
    if (i + 4 < nt && is_date_sep(&t[i + 1]) && is_date_sep(&t[i + 3]) &&
        t[i + 1].sep == t[i + 3].sep) {
        int a = tok_num(&t[i], 4, 4), b = tok_num(&t[i + 2], 1, 2), c = tok_num(&t[i + 4], 1, 2);
        if (a >= 0 && b >= 0 && c >= 0) {
            *y = a, *m = b, *d = c;
            return 1;
        }
        a = tok_num(&t[i], 1, 2), c = tok_num(&t[i + 4], 4, 4);
        if (a >= 0 && b >= 0 && c >= 0) {
            *d = a, *m = b, *y = c;
            return 1;
        }
    }
    /* D [filler] [seps] MONTH [seps] Y */
    int day = tok_num(&t[i], 1, 2);
    if (day >= 0) {
        size_t j = i + 1, used = 0;
        while (j < nt && j < i + 3 && tok_is_filler(&t[j]))
            j++;
        for (size_t k = 0; k < 2 && j < nt && is_soft_sep(&t[j]); k++)
            j++;
        int mon = match_month(t, nt, j, &used);
        if (mon) {
            j += used;
            for (size_t k = 0; k < 2 && j < nt && is_soft_sep(&t[j]); k++)
                j++;
            int year = j < nt ? tok_num(&t[j], 4, 4) : -1;
            if (year >= 0) {
                *d = day, *m = mon, *y = year;
                return 1;
            }
        }
        return 0;
    }
    /* MONTH D [th] [,] Y */
    size_t used = 0;
    int mon = match_month(t, nt, i, &used);
    if (mon) {
        size_t j = i + used;
        if (j < nt && is_soft_sep(&t[j]) && t[j].sep != ',')
            j++;
        int dd = j < nt ? tok_num(&t[j], 1, 2) : -1;
        if (dd < 0)
            return 0;
        j++;
        if (j < nt && tok_is_filler(&t[j]))
            j++;
        for (size_t k = 0; k < 2 && j < nt && is_soft_sep(&t[j]); k++)
            j++;
        int year = j < nt ? tok_num(&t[j], 4, 4) : -1;
        if (year >= 0) {
            *d = dd, *m = mon, *y = year;
            return 1;
        }
    }
    return 0;
}

int dw_date_parse(const char *s, size_t n, char out[11])
{
    out[0] = '\0';
    if (!s || n == 0)
        return 0;
    /* Enough raw bytes for any date line; cut on a character boundary. */
    size_t cut = n;
    if (cut > DATE_MAX_INPUT) {
        cut = DATE_MAX_INPUT;
        while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
            cut--;
    }
    dw_buf nb = DW_BUF_INIT;
    if (dw_norm_text(&nb, s, cut, DW_NORM_TEH_MARBUTA | DW_NORM_NO_NEWLINES) != 0) {
        dw_buf_free(&nb);
        return 0;
    }
    date_tok t[DATE_MAX_TOKENS];
    size_t nt = date_tokenize(dw_buf_str(&nb), nb.len, t, DATE_MAX_TOKENS);
    int ok = 0;
    for (size_t i = 0; i < nt; i++) {
        int y, m, d;
        if (match_at(t, nt, i, &y, &m, &d)) {
            if (date_valid(y, m, d)) {
                /* date_valid bounds y, m, d: exactly 10 characters */
                snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
                         (unsigned)d % 100u);
                ok = 1;
            }
            break;
        }
    }
    dw_buf_free(&nb);
    return ok;
}
