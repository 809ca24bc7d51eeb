/* sel.h (internal to src/stats): the text the statistics count, shared by
 * the counting run (stats.c) and `diwan text` (text.c) so that the two can
 * never disagree: which articles, in which order (one SQL query), and how
 * a body is split into tokens (dw_stok, both tokenizers). */
#ifndef DW_STATS_SEL_H
#define DW_STATS_SEL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/tok.h"

/* The articles counted: cluster representatives (an article that the
 * near-dup stage has not clustered is its own representative), or every
 * article with ?1 = 1. The one place that selects them.
 * Columns: body, published, source name, id, content hash; ?1: all_copies;
 * ?2, ?3: shards and shard (articles whose id is shard modulo shards; every
 * article when shards <= 1). */
static const char dw_stats_articles_sql[] __attribute__((unused)) =
    "SELECT a.body, a.published, s.name, a.id, a.content_hash FROM articles a LEFT JOIN sources s ON s.id = a.source_id"
    " WHERE (?1 OR a.cluster_join IS NULL OR a.cluster_join <> 'near') AND (?2 <= 1 OR a.id % ?2 = ?3)"
    " ORDER BY a.id";

/* White space of the whitespace tokenizer: 1, or 2 for a line break (a
 * sentence boundary). */
static const unsigned char dw_ws_class[256] __attribute__((unused)) = {['\t'] = 1, ['\n'] = 2, ['\v'] = 1, ['\f'] = 1, ['\r'] = 2, [' '] = 1};

/* The end of the whitespace token going on at u[i] in u[0..n): eight bytes
 * at a time, jumping to the first byte below '!' (white space is), then
 * byte by byte at the end of the text. Byte by byte everywhere, it was 40%
 * of a raw run's tokenizing time. */
static inline size_t dw_ws_token_end(const unsigned char *u, size_t i, size_t n)
{
    const uint64_t hi = 0x8080808080808080ull, low7 = 0x7F7F7F7F7F7F7F7Full, add = 0x5F5F5F5F5F5F5F5Full;
    while (i + 8 <= n) {
        uint64_t x;
        memcpy(&x, u + i, 8);
        /* bit 7 of a byte ends up set when the byte is '!' (0x21) or above:
         * set already, or its low 7 bits + 0x5F carry into it (never beyond
         * it: 0x7F + 0x5F < 0x100); m marks the bytes below '!' */
        uint64_t m = ~(((x & low7) + add) | x) & hi;
        if (!m) {
            i += 8;
            continue;
        }
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        size_t k = (size_t)__builtin_clzll(m) >> 3;
#else
        size_t k = (size_t)__builtin_ctzll(m) >> 3;
#endif
        if (dw_ws_class[u[i + k]])
            return i + k;
        i += k + 1; /* a control byte inside the token */
    }
    while (i < n && !dw_ws_class[u[i]])
        i++;
    return i;
}

/* The tokens of a text as the statistics split it: with whitespace, the
 * runs between the six white-space bytes, a line break (LF, CR) starting
 * a sentence; else core/tok's words and sentences. Init with
 * dw_stok_init; the text is not copied. */
typedef struct {
    dw_tok t;             /* the words tokenizer, or the text and position (whitespace) */
    int whitespace;       /* 1: whitespace-separated runs */
    int started;          /* 1: a token was returned (whitespace) */
} dw_stok;

static inline void dw_stok_init(dw_stok *k, const char *s, size_t n, int whitespace)
{
    dw_tok_init(&k->t, s, n);
    k->whitespace = whitespace;
    k->started = 0;
}

/* The next token into *out (sentence_start set on the first token and
 * after a sentence end); 0 when there is none. */
static inline int dw_stok_next(dw_stok *k, dw_token *out)
{
    if (!k->whitespace)
        return dw_tok_next(&k->t, out);
    const unsigned char *u = (const unsigned char *)k->t.s;
    size_t i = k->t.pos, n = k->t.n;
    int sent = !k->started;
    while (i < n && dw_ws_class[u[i]]) {
        sent |= dw_ws_class[u[i]] == 2;
        i++;
    }
    if (i >= n) {
        k->t.pos = n;
        return 0;
    }
    out->off = i;
    k->t.pos = dw_ws_token_end(u, i + 1, n);
    out->len = k->t.pos - i;
    out->sentence_start = sent;
    k->started = 1;
    return 1;
}

#endif
