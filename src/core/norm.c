/* norm.c: text normalization for keys, matching and statistics (norm.h).
 *
 * Reference path (norm_segment): decode (each invalid maximal subpart ->
 * U+FFFD), NFKC with utf8proc (decompose, canonical order, compose), then the
 * per-code-point fold of dw_fold_rules (+ lower case). When the fold changed
 * anything but white space, NFKC and the fold run once more: a dropped
 * tatweel between 'e' and U+0301 lets them compose, 'J' + U+030C lower-cased
 * composes to U+01F0; so the output is NFKC and dw_norm_text idempotent.
 * White space runs are collapsed as code points are emitted.
 *
 * Fast path (dw_norm_text): most news text is ASCII and Arabic letters, for
 * which NFKC is the identity. norm_fast maps each code point of a small
 * domain (U+0000..U+07FF, U+2000..U+207F, U+FEFF) to its final bytes when
 * the code point is a "safe starter": canonical combining class 0, NFKC made
 * of starters only, output not longer than input, and never the second
 * element of a canonical composition (so text can be cut before it). Inert
 * Arabic marks (U+064B..U+0652, U+0656..U+065F, U+0670: dropped, and part of
 * no composition) are skipped. Anything else is "slow": the fast path backs
 * off to the last safe starter it emitted (it may compose with what follows,
 * e.g. alef + U+0653, 'e' + U+0301) and hands the text from there to the next
 * safe starter to the reference path. tests/unit/test_norm.c checks that
 * both paths give the same bytes over every code point, every BMP code point
 * followed by each Arabic mark, every canonical decomposition and real text. */
#include "core/norm.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "core/utf8.h"

enum {
    FOLD_DROP = -1,   /* the code point is removed */
    FOLD_NEWLINE = -2 /* a line break: '\n', or ' ' with DW_NORM_NO_NEWLINES */
};

/* One rule of the fold: a code point range and what it becomes. */
typedef struct {
    int32_t lo;          /* first code point of the range */
    int32_t hi;          /* last code point of the range (inclusive) */
    int32_t to;          /* replacement of lo, or FOLD_DROP / FOLD_NEWLINE */
    unsigned char shift; /* 1: lo+k becomes to+k (digits); 0: all become to */
    unsigned char flag;  /* dw_norm flag the rule needs, 0 when unconditional */
} dw_fold_rule;

/* THE fold, applied after NFKC, sorted by lo, ranges disjoint. Code points
 * not listed are lower-cased (utf8proc_tolower). Changing the output of any
 * rule means bumping DW_NORM_VERSION. */
static const dw_fold_rule dw_fold_rules[] = {
    {0x0009, 0x0009, ' ', 0, 0},                      /* tab */
    {0x000A, 0x000D, FOLD_NEWLINE, 0, 0},             /* LF VT FF CR */
    {0x0085, 0x0085, FOLD_NEWLINE, 0, 0},             /* NEL */
    {0x00A0, 0x00A0, ' ', 0, 0},                      /* NBSP (NFKC did it) */
    {0x00AB, 0x00AB, '"', 0, 0},                      /* « */
    {0x00BB, 0x00BB, '"', 0, 0},                      /* » */
    {0x060C, 0x060C, ',', 0, 0},                      /* Arabic comma */
    {0x061B, 0x061B, ';', 0, 0},                      /* Arabic semicolon */
    {0x061C, 0x061C, FOLD_DROP, 0, 0},                /* ALM */
    {0x061F, 0x061F, '?', 0, 0},                      /* Arabic question mark */
    {0x0622, 0x0623, 0x0627, 0, 0},                   /* alef madda, hamza above */
    {0x0625, 0x0625, 0x0627, 0, 0},                   /* alef hamza below */
    {0x0629, 0x0629, 0x0647, 0, DW_NORM_TEH_MARBUTA}, /* teh marbuta -> heh */
    {0x0640, 0x0640, FOLD_DROP, 0, 0},                /* tatweel */
    {0x0649, 0x0649, 0x064A, 0, 0},                   /* alef maksura -> yeh */
    {0x064B, 0x065F, FOLD_DROP, 0, 0},                /* harakat, tanwin, marks */
    {0x0660, 0x0669, '0', 1, 0},                      /* Arabic-Indic digits */
    {0x066A, 0x066A, '%', 0, 0},                      /* Arabic percent */
    {0x0670, 0x0670, FOLD_DROP, 0, 0},                /* superscript alef */
    {0x0671, 0x0671, 0x0627, 0, 0},                   /* alef wasla */
    {0x06A9, 0x06A9, 0x0643, 0, 0},                   /* keheh -> kaf */
    {0x06CC, 0x06CC, 0x064A, 0, 0},                   /* Farsi yeh -> yeh */
    {0x06F0, 0x06F9, '0', 1, 0},                      /* Persian digits */
    {0x1680, 0x1680, ' ', 0, 0},                      /* Ogham space */
    {0x2000, 0x200A, ' ', 0, 0},                      /* en quad .. hair space */
    {0x200B, 0x200F, FOLD_DROP, 0, 0},                /* ZWSP ZWNJ ZWJ LRM RLM */
    {0x201C, 0x201D, '"', 0, 0},                      /* curly double quotes */
    {0x2028, 0x2029, FOLD_NEWLINE, 0, 0},             /* line/paragraph separator */
    {0x202A, 0x202E, FOLD_DROP, 0, 0},                /* LRE RLE PDF LRO RLO */
    {0x202F, 0x202F, ' ', 0, 0},                      /* narrow NBSP */
    {0x205F, 0x205F, ' ', 0, 0},                      /* math space */
    {0x2066, 0x2069, FOLD_DROP, 0, 0},                /* LRI RLI FSI PDI */
    {0x3000, 0x3000, ' ', 0, 0},                      /* ideographic space */
    {0xFEFF, 0xFEFF, FOLD_DROP, 0, 0},                /* BOM, ZWNBSP */
};

int32_t dw_norm_fold_cp(int32_t cp, unsigned flags)
{
    size_t lo = 0, hi = sizeof dw_fold_rules / sizeof dw_fold_rules[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const dw_fold_rule *r = &dw_fold_rules[mid];
        if (cp < r->lo) {
            hi = mid;
        } else if (cp > r->hi) {
            lo = mid + 1;
        } else {
            if (r->flag && !(flags & r->flag))
                break;
            if (r->to == FOLD_NEWLINE)
                return (flags & DW_NORM_NO_NEWLINES) ? ' ' : '\n';
            return r->shift ? r->to + (cp - r->lo) : r->to;
        }
    }
    return utf8proc_tolower(cp);
}

/* ---- reference path ---------------------------------------------------- */

#define NORM_STACK_CPS 256

/* A growable array of code points, on the stack until it outgrows it. */
typedef struct {
    int32_t *v;  /* code points */
    size_t n;    /* number used */
    size_t cap;  /* number allocated */
    int heap;    /* 1 when v was malloc'ed (free it), 0 when it is the stack */
} cpvec;

static int cpv_reserve(cpvec *a, size_t extra)
{
    if (a->cap - a->n >= extra)
        return 0;
    size_t cap = a->cap * 2;
    while (cap - a->n < extra)
        cap *= 2;
    if (cap > SIZE_MAX / sizeof(int32_t))
        return -1;
    int32_t *v = a->heap ? realloc(a->v, cap * sizeof *v) : malloc(cap * sizeof *v);
    if (!v)
        return -1;
    if (!a->heap)
        memcpy(v, a->v, a->n * sizeof *v);
    a->v = v;
    a->cap = cap;
    a->heap = 1;
    return 0;
}

static void cpv_free(cpvec *a)
{
    if (a->heap)
        free(a->v);
}

/* Appends the compatibility decomposition of cp (a scalar value). */
static int cpv_decompose(cpvec *a, int32_t cp)
{
    for (;;) {
        utf8proc_ssize_t r = utf8proc_decompose_char(cp, a->v + a->n,
                                                     (utf8proc_ssize_t)(a->cap - a->n),
                                                     UTF8PROC_COMPOSE | UTF8PROC_COMPAT, NULL);
        if (r < 0) { /* not reachable without REJECTNA; be safe */
            cp = DW_UTF8_REPLACEMENT;
            continue;
        }
        if ((size_t)r <= a->cap - a->n) {
            a->n += (size_t)r;
            return 0;
        }
        if (cpv_reserve(a, (size_t)r) < 0)
            return -1;
    }
}

static int cpv_cmp_key(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

/* Stable sort of a run of non-starters v[0..n) by combining class. Short
 * runs (the usual case) by insertion; long ones (adversarial "Zalgo" text)
 * by qsort on (class, index, code point) keys, so that the cost stays
 * O(n log n). Returns -1 when out of memory. */
static int cpv_sort_marks(int32_t *v, size_t n)
{
    if (n <= 32) {
        for (size_t i = 1; i < n; i++) {
            int32_t c = v[i];
            int k = utf8proc_get_property(c)->combining_class;
            size_t j = i;
            while (j > 0 && utf8proc_get_property(v[j - 1])->combining_class > k) {
                v[j] = v[j - 1];
                j--;
            }
            v[j] = c;
        }
        return 0;
    }
    uint64_t *key = malloc(n * sizeof *key);
    if (!key)
        return -1;
    for (size_t i = 0; i < n; i++)
        key[i] = (uint64_t)utf8proc_get_property(v[i])->combining_class << 56 | (uint64_t)i << 21 |
                 (uint64_t)v[i];
    qsort(key, n, sizeof *key, cpv_cmp_key);
    for (size_t i = 0; i < n; i++)
        v[i] = (int32_t)(key[i] & 0x1FFFFF);
    free(key);
    return 0;
}

/* Canonical ordering then canonical composition of a decomposed array: the
 * rest of what utf8proc_map does for NFKC (same result as the ordering loop
 * of utf8proc_decompose_custom, same options as utf8proc_NFKC). */
static int cpv_compose(cpvec *a)
{
    for (size_t i = 0; i < a->n;) {
        if (utf8proc_get_property(a->v[i])->combining_class == 0) {
            i++;
            continue;
        }
        size_t j = i + 1;
        while (j < a->n && utf8proc_get_property(a->v[j])->combining_class != 0)
            j++;
        if (j - i > 1 && cpv_sort_marks(a->v + i, j - i) < 0)
            return -1;
        i = j;
    }
    if (a->n > 1) {
        utf8proc_ssize_t r = utf8proc_normalize_utf32(a->v, (utf8proc_ssize_t)a->n,
                                                      UTF8PROC_COMPOSE | UTF8PROC_STABLE);
        if (r >= 0)
            a->n = (size_t)r;
    }
    return 0;
}

/* Output state shared by both paths. */
typedef struct {
    dw_buf *out;    /* destination */
    unsigned flags; /* DW_NORM_* */
    int started;    /* something other than white space has been written */
    int pending;    /* white space since the last output: 0, 1 space, 2 newline */
} norm_state;

static int norm_emit(norm_state *st, int32_t cp)
{
    char b[5];
    size_t k = 0;
    if (cp == ' ') {
        if (st->pending < 1)
            st->pending = 1;
        return 0;
    }
    if (cp == '\n') {
        st->pending = 2;
        return 0;
    }
    if (st->pending && st->started)
        b[k++] = st->pending == 2 ? '\n' : ' ';
    st->pending = 0;
    st->started = 1;
    k += dw_utf8_encode(cp, b + k);
    return dw_buf_append(st->out, b, k);
}

/* Normalizes s[0..n) by the reference path and emits it. */
static int norm_segment(norm_state *st, const unsigned char *s, size_t n)
{
    int32_t st1[NORM_STACK_CPS], st2[NORM_STACK_CPS];
    cpvec a = {st1, 0, NORM_STACK_CPS, 0}, b = {st2, 0, NORM_STACK_CPS, 0};
    cpvec *res = &a;
    int rc = -1, dirty = 0;

    for (size_t i = 0; i < n;) {
        int32_t cp;
        i += dw_utf8_next(s + i, n - i, &cp, NULL);
        if (cpv_decompose(&a, cp) < 0)
            goto done;
    }
    if (cpv_compose(&a) < 0)
        goto done;
    size_t w = 0;
    for (size_t r = 0; r < a.n; r++) {
        int32_t f = dw_norm_fold_cp(a.v[r], st->flags);
        if (f != a.v[r] && f != ' ' && f != '\n')
            dirty = 1;
        if (f >= 0)
            a.v[w++] = f;
    }
    a.n = w;
    if (dirty) { /* second round: re-compose what the fold brought together */
        for (size_t r = 0; r < a.n; r++)
            if (cpv_decompose(&b, a.v[r]) < 0)
                goto done;
        if (cpv_compose(&b) < 0)
            goto done;
        w = 0;
        for (size_t r = 0; r < b.n; r++) {
            int32_t f = dw_norm_fold_cp(b.v[r], st->flags);
            if (f >= 0)
                b.v[w++] = f;
        }
        b.n = w;
        res = &b;
    }
    for (size_t r = 0; r < res->n; r++)
        if (norm_emit(st, res->v[r]) < 0)
            goto done;
    rc = 0;
done:
    cpv_free(&a);
    cpv_free(&b);
    return rc;
}

/* ---- fast path ---------------------------------------------------------- */

enum {
    FK_SLOW = 0, /* not handled here: back off to the reference path */
    FK_OUT,      /* safe starter: write b[0..len) */
    FK_SPACE,    /* white space */
    FK_NL,       /* line break */
    FK_DROP,     /* safe starter that the fold drops (tatweel, ZWSP, ...) */
    FK_MARK      /* inert Arabic mark, dropped */
};

/* What the fast path does with one code point. */
typedef struct {
    unsigned char kind; /* FK_* */
    unsigned char len;  /* bytes in b for FK_OUT (1..3) */
    char b[6];          /* output bytes (fold of NFKC), no NUL */
} norm_fast_ent;

#define NORM_DOMAIN_2000 0x800 /* index of U+2000; U+2000..U+207F follow */
#define NORM_DOMAIN_FEFF 0x880 /* index of U+FEFF */
#define NORM_DOMAIN 0x881      /* entries per table */

/* [0] without, [1] with DW_NORM_TEH_MARBUTA (the only flag changing bytes). */
static norm_fast_ent norm_fast[2][NORM_DOMAIN];
static norm_fast_ent norm_fast_slow; /* kind FK_SLOW, for everything else */
static pthread_once_t norm_fast_once = PTHREAD_ONCE_INIT;

/* Arabic marks that take part in no canonical composition (U+0653..U+0655
 * compose with alef, waw, yeh, heh goal...): checked by the tests. */
static int norm_mark_is_inert(int32_t cp)
{
    return (cp >= 0x064B && cp <= 0x0652) || (cp >= 0x0656 && cp <= 0x065F) || cp == 0x0670;
}

static int32_t norm_domain_cp(size_t idx)
{
    if (idx < NORM_DOMAIN_2000)
        return (int32_t)idx;
    if (idx < NORM_DOMAIN_FEFF)
        return (int32_t)(0x2000 + idx - NORM_DOMAIN_2000);
    return 0xFEFF;
}

static void norm_fast_entry(norm_fast_ent *e, int32_t cp, unsigned flags)
{
    int32_t stk[NORM_STACK_CPS];
    cpvec a = {stk, 0, NORM_STACK_CPS, 0};
    char in[4];
    size_t inlen = dw_utf8_encode(cp, in);

    memset(e, 0, sizeof *e);
    if (utf8proc_get_property(cp)->combining_class != 0) {
        if (norm_mark_is_inert(cp) && dw_norm_fold_cp(cp, flags) == FOLD_DROP)
            e->kind = FK_MARK;
        return;
    }
    if (cpv_decompose(&a, cp) < 0 || cpv_compose(&a) < 0)
        goto slow;
    size_t k = 0;
    for (size_t i = 0; i < a.n; i++) {
        if (utf8proc_get_property(a.v[i])->combining_class != 0)
            goto slow;
        int32_t f = dw_norm_fold_cp(a.v[i], flags);
        if (f == ' ' || f == '\n' || f < 0) {
            if (a.n != 1)
                goto slow;
            e->kind = f == ' ' ? FK_SPACE : f == '\n' ? FK_NL : FK_DROP;
            goto done;
        }
        if (f != a.v[i] && utf8proc_get_property(f)->combining_class != 0)
            goto slow;
        char b[4];
        size_t bl = dw_utf8_encode(f, b);
        if (k + bl > inlen)
            goto slow;
        memcpy(e->b + k, b, bl);
        k += bl;
    }
    if (k == 0)
        goto slow;
    e->kind = FK_OUT;
    e->len = (unsigned char)k;
    goto done;
slow:
    memset(e, 0, sizeof *e);
done:
    cpv_free(&a);
}

static void norm_fast_init(void)
{
    for (unsigned t = 0; t < 2; t++)
        for (size_t i = 0; i < NORM_DOMAIN; i++)
            norm_fast_entry(&norm_fast[t][i], norm_domain_cp(i), t ? DW_NORM_TEH_MARBUTA : 0);
}

/* Looks up the code point at s[i..n): its entry, or norm_fast_slow; *len
 * receives its length in bytes (for a slow one, what dw_utf8_next skips). */
static inline const norm_fast_ent *norm_fast_at(const norm_fast_ent *tab, const unsigned char *s,
                                                size_t i, size_t n, size_t *len)
{
    unsigned c = s[i];
    if (c < 0x80) {
        *len = 1;
        return &tab[c];
    }
    if (c >= 0xC2 && c < 0xE0 && i + 1 < n && (s[i + 1] & 0xC0) == 0x80) {
        *len = 2;
        return &tab[((c & 0x1F) << 6) | (s[i + 1] & 0x3F)];
    }
    if (c == 0xE2 && i + 2 < n && (s[i + 1] & 0xFE) == 0x80 && (s[i + 2] & 0xC0) == 0x80) {
        *len = 3;
        return &tab[NORM_DOMAIN_2000 + (((s[i + 1] & 1u) << 6) | (s[i + 2] & 0x3F))];
    }
    if (c == 0xEF && i + 2 < n && s[i + 1] == 0xBB && s[i + 2] == 0xBF) {
        *len = 3;
        return &tab[NORM_DOMAIN_FEFF];
    }
    int32_t cp;
    *len = dw_utf8_next(s + i, n - i, &cp, NULL);
    return &norm_fast_slow;
}

int dw_norm_text(dw_buf *out, const char *src, size_t n, unsigned flags)
{
    const unsigned char *s = (const unsigned char *)src;
    size_t base = out->len;
    norm_state st = {out, flags, 0, 0};

    if (n == 0)
        return 0;
    if (flags & DW_NORM_NO_FAST_PATH) {
        if (norm_segment(&st, s, n) < 0)
            goto oom;
        return 0;
    }
    pthread_once(&norm_fast_once, norm_fast_init);
    const norm_fast_ent *tab = norm_fast[(flags & DW_NORM_TEH_MARBUTA) ? 1 : 0];
    int nlval = (flags & DW_NORM_NO_NEWLINES) ? 1 : 2;

    /* The fast path writes at most one byte per input byte, plus one pending
     * space; the room is re-checked after each slow segment. */
    if (dw_buf_grow(out, n + 4) < 0)
        return -1;
    char *o = out->data;
    size_t ol = out->len, i = 0;
    int pending = 0; /* white space seen since the last output (1 space, 2 newline) */
    /* Something other than white space was written iff ol > base. Back-off
     * point: the last safe starter, where it was written (after any white
     * space it flushed) and the pending white space before it. */
    size_t bo_in = 0, bo_out = ol;
    int bo_pending = 0;

    while (i < n) {
        size_t len;
        const norm_fast_ent *e = norm_fast_at(tab, s, i, n, &len);
        if (e->kind == FK_OUT) {
            if (pending) {
                if (ol > base)
                    o[ol++] = pending == 2 ? '\n' : ' ';
                pending = 0;
            }
            bo_pending = 0;
            for (;;) { /* the common case: a run of safe starters */
                bo_in = i;
                bo_out = ol;
                memcpy(o + ol, e->b, 4);
                ol += e->len;
                i += len;
                if (i >= n)
                    break;
                e = norm_fast_at(tab, s, i, n, &len);
                if (e->kind != FK_OUT)
                    break;
            }
            if (i >= n)
                break;
        }
        if (e->kind == FK_SPACE || e->kind == FK_NL) {
            bo_in = i;
            bo_out = ol;
            bo_pending = pending;
            if (e->kind == FK_NL) {
                if (pending < nlval)
                    pending = nlval;
            } else if (!pending) {
                pending = 1;
            }
            i += len;
            continue;
        }
        if (e->kind == FK_DROP || e->kind == FK_MARK) {
            i += len;
            continue;
        }
        /* A slow code point at i: the segment runs from the back-off point to
         * the next safe starter. */
        size_t j = i + len;
        while (j < n) {
            const norm_fast_ent *f = norm_fast_at(tab, s, j, n, &len);
            if (f->kind == FK_OUT || f->kind == FK_SPACE || f->kind == FK_NL)
                break;
            j += len;
        }
        out->len = bo_out;
        st.started = bo_out > base;
        st.pending = bo_pending;
        if (norm_segment(&st, s + bo_in, j - bo_in) < 0 || dw_buf_grow(out, n - j + 4) < 0)
            goto oom;
        o = out->data;
        ol = out->len;
        pending = st.pending;
        i = j;
        bo_in = j;
        bo_out = ol;
        bo_pending = pending;
    }
    out->len = ol;
    out->data[ol] = '\0';
    return 0;
oom:
    out->len = base;
    if (out->data)
        out->data[base] = '\0';
    return -1;
}
