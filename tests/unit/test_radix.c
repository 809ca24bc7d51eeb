/* test_radix.c: core/radix.h against qsort: keys of every spread (all bytes
 * random, one byte varying, all equal, a few distinct), with and without
 * values, every byte deciding, stability among equal keys, and the sizes 0, 1 and 2. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/radix.h"

/* A key and the index it started at (stability). */
typedef struct {
    uint64_t key;
    uint32_t at;
} kv;

static int cmp_kv(const void *a, const void *b)
{
    const kv *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at; /* stable: first in, first out */
}

static uint64_t next(uint64_t *s)
{
    *s ^= *s << 13, *s ^= *s >> 7, *s ^= *s << 17;
    return *s;
}

/* Keys of spread kind for n entries. */
static void make_keys(uint64_t *k, size_t n, int kind, uint64_t *s)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t r = next(s);
        switch (kind) {
        case 0: k[i] = r; break;                                  /* every byte random */
        case 1: k[i] = 0xD8A7000000000000ull | (r & 0xFF) << 16; break; /* one byte varies */
        case 2: k[i] = 42; break;                                 /* all equal */
        case 3: k[i] = (r % 5) << 56 | (r % 3); break;           /* few distinct, many ties */
        default: k[i] = r & 0x0303030303030303ull; break;         /* every byte decides some order */
        }
    }
}

Test(radix, sorts_like_a_stable_qsort)
{
    size_t sizes[] = {0, 1, 2, 3, 100, 5000, 70000};
    uint64_t s = 0x9E3779B97F4A7C15ull;
    for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++)
        for (int kind = 0; kind < 5; kind++)
            for (int with_vals = 0; with_vals < 2; with_vals++) {
                size_t n = sizes[si];
                uint64_t *k = malloc((n + 1) * sizeof *k);
                uint32_t *v = malloc((n + 1) * sizeof *v);
                kv *ref = malloc((n + 1) * sizeof *ref);
                make_keys(k, n, kind, &s);
                for (size_t i = 0; i < n; i++) {
                    v[i] = (uint32_t)i;
                    ref[i].key = k[i];
                    ref[i].at = (uint32_t)i;
                }
                qsort(ref, n, sizeof *ref, cmp_kv);
                cr_assert_eq(dw_radix_sort_u64(k, with_vals ? v : NULL, n), 0);
                for (size_t i = 0; i < n; i++) {
                    cr_assert_eq(k[i], ref[i].key, "n %zu kind %d: key %zu", n, kind, i);
                    if (with_vals)
                        cr_assert_eq(v[i], ref[i].at, "n %zu kind %d: value %zu (not stable?)", n, kind, i);
                    else
                        cr_assert_eq(v[i], (uint32_t)i, "values moved without being given");
                }
                free(k);
                free(v);
                free(ref);
            }
}
