/* grams.c: 13-gram hashes of a normalized text, rolling (see grams.h). */
#include "core/grams.h"

#include <string.h>
/* inlined: tokens are short, XXH3's small-input paths stay in the loop */
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "core/hash.h"
#include "core/tok.h"

/* The rolling state over the last 13 token hashes. */
typedef struct {
    uint64_t ring[DW_GRAMS_N]; /* token hashes, slot count % 13 is the oldest once full */
    uint64_t h;                /* sum of t_j * B^(12-j) over the window */
    uint64_t b12;              /* B^12: weight of the oldest token */
    size_t count;              /* tokens seen */
} grams_roll;

static void grams_roll_init(grams_roll *r)
{
    memset(r, 0, sizeof *r);
    r->b12 = 1;
    for (int i = 0; i < DW_GRAMS_N - 1; i++)
        r->b12 *= DW_GRAMS_BASE;
}

/* Adds the token tok[0..len); returns 1 and the hash of the 13-gram ending
 * with it in *out when there is one, else 0. */
static inline int grams_roll_push(grams_roll *r, const char *tok, size_t len, uint64_t *out)
{
    uint64_t t = XXH3_64bits(tok, len);
    size_t slot = r->count % DW_GRAMS_N;
    /* before the window is full the slot holds 0, which weighs nothing */
    r->h = (r->h - r->ring[slot] * r->b12) * DW_GRAMS_BASE + t;
    r->ring[slot] = t;
    if (++r->count < DW_GRAMS_N)
        return 0;
    uint64_t h = dw_hash_fmix64(r->h);
    *out = h ? h : 1;
    return 1;
}

/* Walks the tokens of norm[0..n), calling fn with the hash of every
 * 13-gram; returns the number of tokens. Inline, so that each caller's fn
 * is a direct call. */
static inline size_t grams_walk(const char *norm, size_t n, void (*fn)(uint64_t h, void *arg), void *arg)
{
    grams_roll r;
    grams_roll_init(&r);
    dw_tok t;
    dw_token tk;
    dw_tok_init(&t, norm ? norm : "", norm ? n : 0);
    uint64_t h;
    while (dw_tok_next(&t, &tk))
        if (grams_roll_push(&r, norm + tk.off, tk.len, &h))
            fn(h, arg);
    return r.count;
}

size_t dw_grams_hash(const char *norm, size_t n, void (*fn)(uint64_t h, void *arg), void *arg)
{
    return grams_walk(norm, n, fn, arg);
}

/* Where dw_grams_sample puts the sampled hashes. */
typedef struct {
    dw_buf *out;   /* the blob being appended to (not owned) */
    int rc;        /* -1 once out of memory (the tokens are still counted) */
} grams_sink;

static void grams_keep(uint64_t h, void *arg)
{
    grams_sink *k = arg;
    if (!dw_grams_sampled(h) || k->rc < 0)
        return;
    unsigned char le[8];
    for (int i = 0; i < 8; i++)
        le[i] = (unsigned char)(h >> (8 * i));
    if (dw_buf_append(k->out, le, sizeof le) < 0)
        k->rc = -1;
}

int dw_grams_sample(const char *norm, size_t n, dw_buf *out, size_t *ntokens)
{
    grams_sink k = {out, 0};
    size_t count = grams_walk(norm, n, grams_keep, &k);
    if (ntokens)
        *ntokens = count;
    return k.rc;
}
