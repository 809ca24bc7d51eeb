/* test_heap.c: the binary heaps of core/heap.h against qsort: items pushed
 * one by one (dw_heap_up) and the root replaced (dw_heap_down) keep the
 * first k of a stream with many ties; dw_heap_sort leaves the heap in
 * reverse order; items of an odd size move whole. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/heap.h"

/* An item of an odd size: a key and a tag that must move with it. */
typedef struct {
    int32_t key;     /* what orders items */
    char tag[7];     /* its index as text, moved along */
} item;

/* Smaller keys first; ctx, when set, reverses the order. */
static int cmp_item(const void *a, const void *b, void *ctx)
{
    const item *x = a, *y = b;
    int c = (x->key > y->key) - (x->key < y->key);
    return ctx ? -c : c;
}

static int cmp_qsort(const void *a, const void *b) { return cmp_item(a, b, NULL); }

Test(heap, keeps_the_first_k_and_sorts)
{
    enum { N = 3000 };
    static item stream[N], want[N];
    uint32_t x = 99;
    for (int i = 0; i < N; i++) {
        x = x * 1103515245u + 12345u;
        stream[i].key = (int32_t)((x >> 16) % 200) - 100; /* many ties */
        snprintf(stream[i].tag, sizeof stream[i].tag, "%d", stream[i].key);
    }
    memcpy(want, stream, sizeof want);
    qsort(want, N, sizeof *want, cmp_qsort);
    static const size_t ks[] = {1, 2, 7, 64, 1000, N};
    for (size_t ki = 0; ki < sizeof ks / sizeof *ks; ki++) {
        size_t k = ks[ki], n = 0;
        item *h = malloc(k * sizeof *h);
        int rev = 1; /* the largest of the k smallest at the root */
        for (int i = 0; i < N; i++) {
            if (n < k) {
                h[n] = stream[i];
                dw_heap_up(h, sizeof *h, n++, cmp_item, &rev);
            } else if (stream[i].key < h[0].key) {
                h[0] = stream[i];
                dw_heap_down(h, n, sizeof *h, 0, cmp_item, &rev);
            }
            cr_assert(n == 0 || h[0].key >= h[n / 2].key);
        }
        dw_heap_sort(h, n, sizeof *h, cmp_item, &rev); /* reverse of the heap's order: ascending */
        for (size_t i = 0; i < k; i++) {
            cr_assert_eq(h[i].key, want[i].key, "k %zu, item %zu", k, i);
            char tag[8];
            snprintf(tag, sizeof tag, "%d", h[i].key);
            cr_assert_str_eq(h[i].tag, tag, "a tag parted from its key");
        }
        free(h);
    }
    dw_heap_sort(NULL, 0, sizeof(item), cmp_item, NULL); /* nothing to do */
}
