/* vocab.c: word interning and byte-order ranks (vocab.h). */
#define _GNU_SOURCE
#include "stats/vocab.h"

#include <stdlib.h>
#include <string.h>

#include "core/bigmem.h"
#include "core/hash.h"
#include "core/radix.h"

static int grow_table(dw_vocab *v)
{
    size_t ncap = v->cap ? v->cap * 2 : 1024;
    dw_vocab_slot *ns = dw_bigmem_zalloc(ncap * sizeof *ns); /* probed at random: huge pages */
    if (!ns)
        return -1;
    for (size_t i = 0; i < v->cap; i++) {
        dw_vocab_slot s = v->slots[i];
        if (!s.key)
            continue;
        uint32_t id = (uint32_t)s.key;
        uint64_t h = ((s.key >> 32) << 32) | v->hashes[id];
        size_t j = dw_vocab_home(h, ncap);
        while (ns[j].key)
            j = (j + 1) & (ncap - 1);
        ns[j] = s;
    }
    dw_bigmem_free(v->slots, v->cap * sizeof *v->slots);
    v->slots = ns;
    v->cap = ncap;
    return 0;
}

/* Word bytes equal: short words compared inline, no call */
static inline int same_bytes(const char *a, const char *b, size_t len)
{
    if (len <= 16) {
        for (size_t i = 0; i < len; i++)
            if (a[i] != b[i])
                return 0;
        return 1;
    }
    return memcmp(a, b, len) == 0;
}

/* Whether slot sl holds s[0..len) (its tag already matched). */
static inline int slot_is(const dw_vocab *v, dw_vocab_slot sl, const char *s, size_t len)
{
    size_t l = (size_t)(sl.loc & DW_VOCAB_LONG);
    if (l == DW_VOCAB_LONG)
        l = v->lens[(uint32_t)sl.key];
    return l == len && same_bytes(v->arena + (sl.loc >> 24), s, len);
}

uint32_t dw_vocab_find(const dw_vocab *v, const char *s, size_t len)
{
    if (!v->cap)
        return 0;
    uint64_t h = dw_hash64_of(s, len, 0);
    uint64_t tag = h >> 32;
    for (size_t i = dw_vocab_home(h, v->cap);; i = (i + 1) & (v->cap - 1)) {
        dw_vocab_slot sl = v->slots[i];
        if (!sl.key)
            return 0;
        if ((sl.key >> 32) == tag && slot_is(v, sl, s, len))
            return (uint32_t)sl.key;
    }
}

uint64_t dw_vocab_hash(const char *s, size_t len) { return dw_hash64_of(s, len, 0); }

uint32_t dw_vocab_intern(dw_vocab *v, const char *s, size_t len)
{
    return dw_vocab_intern_hashed(v, s, len, dw_hash64_of(s, len, 0));
}

uint32_t dw_vocab_intern_hashed(dw_vocab *v, const char *s, size_t len, uint64_t h)
{
    if ((v->n + 1) * 10 >= v->cap * 7 && grow_table(v) != 0)
        return 0;
    uint64_t tag = h >> 32;
    size_t i = dw_vocab_home(h, v->cap);
    for (;; i = (i + 1) & (v->cap - 1)) {
        dw_vocab_slot sl = v->slots[i];
        if (!sl.key)
            break;
        if ((sl.key >> 32) == tag && slot_is(v, sl, s, len))
            return (uint32_t)sl.key;
    }
    if (v->n + 1 >= v->idcap) {
        uint32_t nc = v->idcap ? v->idcap * 2 : 1024;
        uint64_t *o = realloc(v->offs, nc * sizeof *o);
        if (!o)
            return 0;
        v->offs = o;
        uint32_t *l = realloc(v->lens, nc * sizeof *l);
        if (!l)
            return 0;
        v->lens = l;
        uint32_t *hs = realloc(v->hashes, nc * sizeof *hs);
        if (!hs)
            return 0;
        v->hashes = hs;
        v->idcap = nc;
    }
    if (len >= UINT32_MAX)
        return 0;
    if (v->alen + len + 1 > v->acap) {
        size_t nc = v->acap ? v->acap * 2 : 65536;
        while (nc < v->alen + len + 1)
            nc *= 2;
        if (nc > (size_t)1 << 40) /* beyond a slot's offset field */
            return 0;
        char *a = realloc(v->arena, nc);
        if (!a)
            return 0;
        v->arena = a;
        v->acap = nc;
    }
    uint32_t id = ++v->n;
    v->offs[id] = v->alen;
    v->lens[id] = (uint32_t)len;
    v->hashes[id] = (uint32_t)h;
    v->slots[i].key = (tag << 32) | id;
    v->slots[i].loc = (uint64_t)v->alen << 24 | (len < DW_VOCAB_LONG ? len : DW_VOCAB_LONG);
    memcpy(v->arena + v->alen, s, len);
    v->alen += len;
    v->arena[v->alen++] = '\0';
    return id;
}

const char *dw_vocab_word(const dw_vocab *v, uint32_t id, size_t *len)
{
    *len = v->lens[id];
    return v->arena + v->offs[id];
}

static int cmp_words(const dw_vocab *v, uint32_t a, uint32_t b)
{
    size_t la = v->lens[a], lb = v->lens[b];
    int c = memcmp(v->arena + v->offs[a], v->arena + v->offs[b], la < lb ? la : lb);
    if (c)
        return c;
    return la < lb ? -1 : la > lb;
}

static int cmp_ids(const void *x, const void *y, void *ctx)
{
    return cmp_words(ctx, *(const uint32_t *)x, *(const uint32_t *)y);
}

/* 8 bytes of a word from byte d on, big-endian, zero-padded. Sorted by
 * these, words are in their byte order (memcmp, shorter first on a common
 * prefix) except among equal values, which a further chunk or a comparison
 * then orders. */
static uint64_t word_chunk(const dw_vocab *v, uint32_t id, size_t d)
{
    const unsigned char *w = (const unsigned char *)v->arena + v->offs[id];
    size_t n = v->lens[id];
    uint64_t p = 0;
    if (n >= d + 8) { /* the common case: one load */
        memcpy(&p, w + d, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        p = __builtin_bswap64(p);
#endif
        return p;
    }
    for (size_t i = d; i < d + 8; i++)
        p = p << 8 | (i < n ? w[i] : 0);
    return p;
}

#define TIE_RADIX_MIN 64 /* a run of equal chunks this long is sorted by the next chunk */
#define TIE_DEPTH_MAX 64 /* bytes sorted by chunks; deeper ties go to the comparison sort */

/* Orders a short run ids[0..m) of words whose chunks at d are equal: by
 * their chunks at d + 8 (in pre[0..m), overwritten), an insertion sort,
 * then by a comparison where those tie. Each word's bytes are read once
 * or twice instead of at every comparison of a qsort (those reads miss the
 * cache: the words of a run are scattered over the arena). */
static void sort_short(const dw_vocab *v, uint32_t *ids, uint64_t *pre, size_t m, size_t d)
{
    for (size_t k = 0; k < m; k++)
        pre[k] = word_chunk(v, ids[k], d + 8);
    for (size_t k = 1; k < m; k++) {
        uint64_t p = pre[k];
        uint32_t id = ids[k];
        size_t j = k;
        while (j > 0 && (pre[j - 1] > p || (pre[j - 1] == p && cmp_words(v, ids[j - 1], id) > 0))) {
            pre[j] = pre[j - 1];
            ids[j] = ids[j - 1];
            j--;
        }
        pre[j] = p;
        ids[j] = id;
    }
}

/* Orders ids[0..n), whose words share their first d bytes and are sorted
 * by their chunks at d (pre[i], the chunk of ids[i]): each run of equal
 * chunks is sorted by the next chunk (a radix sort, then recursively) when
 * it is long and every word in it has those 8 bytes, else by comparison: a
 * word that ends inside the chunk can tie at every depth with one that
 * continues with NUL bytes (zero padding keeps the order otherwise).
 * Recursion depth at most TIE_DEPTH_MAX / 8. Returns 0 or -1 (no memory). */
static int sort_ties(const dw_vocab *v, uint32_t *ids, uint64_t *pre, size_t n, size_t d)
{
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && pre[j] == pre[i])
            j++;
        size_t m = j - i;
        int deeper = m >= TIE_RADIX_MIN && d + 8 < TIE_DEPTH_MAX;
        for (size_t k = i; deeper && k < j; k++)
            deeper = v->lens[ids[k]] >= d + 8;
        if (deeper) {
            for (size_t k = i; k < j; k++)
                pre[k] = word_chunk(v, ids[k], d + 8);
            if (dw_radix_sort_u64(pre + i, ids + i, m) != 0 || sort_ties(v, ids + i, pre + i, m, d + 8) != 0)
                return -1;
        } else if (m > 1 && m < TIE_RADIX_MIN)
            sort_short(v, ids + i, pre + i, m, d);
        else if (m > 1)
            qsort_r(ids + i, m, sizeof *ids, cmp_ids, (void *)v);
        i = j;
    }
    return 0;
}

/* Sorts ids[0..n) into the words' order: a radix sort of the first 8
 * bytes (core/radix.h), then of the next 8 within long runs of equal
 * prefixes (Arabic words share long ones: the article al- alone is 4
 * bytes), and a comparison sort of the short runs. Returns 0 or -1 (no
 * memory). Three to four times faster than qsort with memcmp on a large
 * vocabulary, whose comparisons miss the cache. */
static int sort_ids(const dw_vocab *v, uint32_t *ids, size_t n)
{
    if (n < 2)
        return 0;
    uint64_t *pre = malloc(n * sizeof *pre);
    if (!pre)
        return -1;
    for (size_t i = 0; i < n; i++)
        pre[i] = word_chunk(v, ids[i], 0);
    int rc = dw_radix_sort_u64(pre, ids, n) != 0 ? -1 : sort_ties(v, ids, pre, n, 0);
    free(pre);
    return rc;
}

int dw_vocab_sort(dw_vocab *v)
{
    if (v->nsorted == v->n)
        return 0;
    uint32_t *order = malloc((size_t)v->n * sizeof *order);
    uint32_t *rank = malloc(((size_t)v->n + 1) * sizeof *rank);
    if (!order || !rank) {
        free(order);
        free(rank);
        return -1;
    }
    /* sort the new words, then merge them with the sorted old ones */
    uint32_t nnew = v->n - v->nsorted, nold = v->nsorted;
    uint32_t *fresh = order + nold;
    for (uint32_t k = 0; k < nnew; k++)
        fresh[k] = nold + 1 + k;
    if (sort_ids(v, fresh, nnew) != 0) {
        free(order);
        free(rank);
        return -1;
    }
    uint32_t *tmp = malloc((size_t)nnew * sizeof *tmp);
    if (!tmp) {
        free(order);
        free(rank);
        return -1;
    }
    memcpy(tmp, fresh, (size_t)nnew * sizeof *tmp);
    uint32_t i = 0, j = 0, k = 0;
    while (i < nold || j < nnew) {
        if (j >= nnew || (i < nold && cmp_words(v, v->order[i], tmp[j]) < 0))
            order[k++] = v->order[i++];
        else
            order[k++] = tmp[j++];
    }
    free(tmp);
    rank[0] = 0;
    for (uint32_t r = 0; r < v->n; r++)
        rank[order[r]] = r + 1;
    free(v->order);
    free(v->rank);
    v->order = order;
    v->rank = rank;
    v->nsorted = v->n;
    return 0;
}

size_t dw_vocab_bytes(const dw_vocab *v)
{
    return v->acap + (size_t)v->idcap * 16 + v->cap * sizeof *v->slots + (size_t)v->nsorted * 8;
}

void dw_vocab_free(dw_vocab *v)
{
    if (!v)
        return;
    free(v->arena);
    free(v->offs);
    free(v->lens);
    free(v->hashes);
    dw_bigmem_free(v->slots, v->cap * sizeof *v->slots);
    free(v->order);
    free(v->rank);
    memset(v, 0, sizeof *v);
}
