/* test_vocab.c: the word list of a statistics run (stats/vocab.h): ids in
 * order of first appearance, lookups through table growth, words of every
 * length (empty, with NUL bytes, longer than a slot's length field can
 * say), and ranks in byte order (memcmp, shorter first on a common prefix)
 * checked against qsort, also when words arrive after a sort. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats/vocab.h"

/* A word of the reference list. */
typedef struct {
    char *s;      /* bytes (owned) */
    size_t n;     /* length */
} word;

static int cmp_word(const void *x, const void *y)
{
    const word *a = x, *b = y;
    int c = memcmp(a->s, b->s, a->n < b->n ? a->n : b->n);
    return c ? c : (a->n < b->n ? -1 : a->n > b->n);
}

/* Deterministic pseudo-random words: mostly two-byte Arabic letters with
 * shared prefixes (so that many share their first 8 bytes), some with NUL
 * and high bytes, some of length 0 to 3, and duplicates. */
static word make_word(uint64_t *st)
{
    static const char *pre[] = {"\xd8\xa7\xd9\x84", "\xd9\x88\xd8\xa7\xd9\x84", "", "\xd8\xa8\xd8\xa7\xd9\x84",
                                "a\0b", "\xff"};
    uint64_t s = *st;
    s ^= s << 13, s ^= s >> 7, s ^= s << 17;
    *st = s;
    const char *p = pre[s % 6];
    size_t pl = (s % 6 == 4) ? 3 : strlen(p);
    size_t tail = (s >> 8) % 9;
    word w = {malloc(pl + 2 * tail + 1), 0};
    memcpy(w.s, p, pl);
    w.n = pl;
    for (size_t i = 0; i < tail; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        if (s % 11 == 0) { /* a NUL now and then */
            w.s[w.n++] = '\0';
        } else {
            w.s[w.n++] = (char)0xd8;
            w.s[w.n++] = (char)(0xa0 + s % 8); /* few letters: many shared prefixes */
        }
    }
    *st = s;
    return w;
}

Test(vocab, ids_in_first_appearance_and_lookups_through_growth)
{
    dw_vocab v = DW_VOCAB_INIT;
    enum { NW = 50000 };
    char w[32];
    for (int i = 0; i < NW; i++) {
        int n = snprintf(w, sizeof w, "word%d", i);
        cr_assert_eq(dw_vocab_intern(&v, w, (size_t)n), (uint32_t)i + 1);
    }
    cr_assert_eq(v.n, NW);
    for (int i = NW - 1; i >= 0; i -= 7) { /* again: the same ids, nothing added */
        int n = snprintf(w, sizeof w, "word%d", i);
        cr_assert_eq(dw_vocab_intern(&v, w, (size_t)n), (uint32_t)i + 1);
        cr_assert_eq(dw_vocab_find(&v, w, (size_t)n), (uint32_t)i + 1);
        size_t len;
        const char *got = dw_vocab_word(&v, (uint32_t)i + 1, &len);
        cr_assert_eq(len, (size_t)n);
        cr_assert(memcmp(got, w, len) == 0);
    }
    cr_assert_eq(v.n, NW);
    cr_assert_eq(dw_vocab_find(&v, "word", 4), 0);
    cr_assert_eq(dw_vocab_find(&v, "word1x", 6), 0);
    cr_assert_gt(dw_vocab_bytes(&v), (size_t)NW * 16);
    dw_vocab_free(&v);
    dw_vocab_free(&v); /* twice: a freed vocabulary is empty */
    dw_vocab_free(NULL);
}

Test(vocab, empty_nul_and_long_words)
{
    dw_vocab v = DW_VOCAB_INIT;
    cr_assert_eq(dw_vocab_find(&v, "a", 1), 0); /* before any word */
    uint32_t e = dw_vocab_intern(&v, "", 0);
    uint32_t a = dw_vocab_intern(&v, "a", 1);
    uint32_t a0 = dw_vocab_intern(&v, "a\0", 2);
    uint32_t a00 = dw_vocab_intern(&v, "a\0\0", 3);
    cr_assert(e && a && a0 && a00 && e != a && a != a0 && a0 != a00);
    cr_assert_eq(dw_vocab_intern(&v, "a\0", 2), a0);
    cr_assert_eq(dw_vocab_find(&v, "", 0), e);
    /* longer than the slot's length field: the length comes from lens */
    size_t big = DW_VOCAB_LONG + 5;
    char *l1 = malloc(big), *l2 = malloc(big);
    memset(l1, 'x', big);
    memcpy(l2, l1, big);
    l2[big - 1] = 'y';
    uint32_t i1 = dw_vocab_intern(&v, l1, big), i2 = dw_vocab_intern(&v, l2, big);
    uint32_t i3 = dw_vocab_intern(&v, l1, big - 1); /* a prefix of l1 */
    uint32_t i4 = dw_vocab_intern(&v, l1, DW_VOCAB_LONG); /* exactly the field's mark */
    cr_assert(i1 && i2 && i3 && i4);
    cr_assert(i1 != i2 && i1 != i3 && i3 != i4 && i1 != i4);
    cr_assert_eq(dw_vocab_intern(&v, l1, big), i1);
    cr_assert_eq(dw_vocab_find(&v, l2, big), i2);
    cr_assert_eq(dw_vocab_find(&v, l1, DW_VOCAB_LONG), i4);
    cr_assert_eq(dw_vocab_sort(&v), 0);
    /* "" < "a" < "a\0" < "a\0\0" < x...x (shorter first) < x...xy */
    cr_assert_lt(v.rank[e], v.rank[a]);
    cr_assert_lt(v.rank[a], v.rank[a0]);
    cr_assert_lt(v.rank[a0], v.rank[a00]);
    cr_assert_lt(v.rank[i4], v.rank[i3]);
    cr_assert_lt(v.rank[i3], v.rank[i1]);
    cr_assert_lt(v.rank[i1], v.rank[i2]);
    free(l1);
    free(l2);
    dw_vocab_free(&v);
}

/* ranks against qsort over the same distinct words, sorted in three
 * instalments (the sort merges new words with the ranked ones) */
Test(vocab, ranks_are_byte_order_across_instalments, .timeout = 60)
{
    enum { NADD = 60000 };
    dw_vocab v = DW_VOCAB_INIT;
    word *all = malloc(NADD * sizeof *all);
    size_t nall = 0;
    uint64_t st = 0x9E3779B97F4A7C15ull;
    for (int part = 0; part < 3; part++) {
        for (int i = 0; i < NADD / 3; i++) {
            word w = make_word(&st);
            uint32_t before = v.n;
            uint32_t id = dw_vocab_intern(&v, w.s, w.n);
            cr_assert_neq(id, 0);
            if (v.n > before) { /* new: id n, kept in the reference */
                cr_assert_eq(id, v.n);
                all[nall++] = w;
            } else {
                free(w.s);
            }
        }
        cr_assert_eq(dw_vocab_sort(&v), 0);
        cr_assert_eq(v.nsorted, v.n);
        /* the reference: the distinct words by qsort */
        word *ref = malloc(nall * sizeof *ref);
        memcpy(ref, all, nall * sizeof *ref);
        qsort(ref, nall, sizeof *ref, cmp_word);
        for (size_t r = 0; r < nall; r++) {
            size_t len;
            const char *got = dw_vocab_word(&v, v.order[r], &len);
            cr_assert(len == ref[r].n && memcmp(got, ref[r].s, len) == 0, "rank %zu out of order (part %d)",
                      r + 1, part);
            cr_assert_eq(v.rank[v.order[r]], (uint32_t)r + 1);
        }
        free(ref);
    }
    cr_assert_gt(nall, 1000u);
    for (size_t i = 0; i < nall; i++)
        free(all[i].s);
    free(all);
    dw_vocab_free(&v);
}

/* ranks against qsort when many words share long prefixes (8 to 100 bytes:
 * the sort orders long runs of equal 8-byte chunks by the next chunk, to a
 * depth, and the rest by comparison), with suffixes of 0 to 9 bytes over
 * an alphabet of NUL and two letters (a word ending inside a chunk equals a
 * zero-padded longer one there) */
Test(vocab, ranks_with_long_shared_prefixes, .timeout = 60)
{
    static const size_t plen[] = {0, 7, 8, 9, 15, 16, 17, 24, 56, 63, 64, 65, 72, 100};
    enum { NP = sizeof plen / sizeof *plen, PER = 400 };
    dw_vocab v = DW_VOCAB_INIT;
    word *all = malloc(NP * PER * sizeof *all);
    size_t nall = 0;
    uint64_t st = 0x2545F4914F6CDD1Dull;
    for (size_t p = 0; p < NP; p++) {
        for (int i = 0; i < PER; i++) {
            st ^= st << 13, st ^= st >> 7, st ^= st << 17;
            size_t tail = st % 10;
            word w = {malloc(plen[p] + tail + 1), plen[p] + tail};
            for (size_t k = 0; k < plen[p]; k++)
                w.s[k] = (char)('a' + k % 3);
            uint64_t t = st >> 8;
            for (size_t k = 0; k < tail; k++, t /= 3)
                w.s[plen[p] + k] = "\0bc"[t % 3];
            uint32_t before = v.n;
            cr_assert_neq(dw_vocab_intern(&v, w.s, w.n), 0);
            if (v.n > before)
                all[nall++] = w;
            else
                free(w.s);
        }
    }
    cr_assert_eq(dw_vocab_sort(&v), 0);
    qsort(all, nall, sizeof *all, cmp_word);
    for (size_t r = 0; r < nall; r++) {
        size_t len;
        const char *got = dw_vocab_word(&v, v.order[r], &len);
        cr_assert(len == all[r].n && memcmp(got, all[r].s, len) == 0, "rank %zu out of order", r + 1);
    }
    cr_assert_gt(nall, NP * PER / 2);
    for (size_t i = 0; i < nall; i++)
        free(all[i].s);
    free(all);
    dw_vocab_free(&v);
}
