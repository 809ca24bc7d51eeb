/* heap.c: binary heaps over caller-owned arrays (heap.h). */
#include "core/heap.h"

#include <string.h>

/* Exchanges two items of size bytes, up to 64 at a time. */
static void swap_items(char *a, char *b, size_t size)
{
    char t[64];
    while (size) {
        size_t m = size < sizeof t ? size : sizeof t;
        memcpy(t, a, m);
        memcpy(a, b, m);
        memcpy(b, t, m);
        a += m;
        b += m;
        size -= m;
    }
}

void dw_heap_down(void *base, size_t n, size_t size, size_t i, dw_heap_cmp cmp, void *ctx)
{
    char *h = base;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && cmp(h + l * size, h + m * size, ctx) < 0)
            m = l;
        if (r < n && cmp(h + r * size, h + m * size, ctx) < 0)
            m = r;
        if (m == i)
            return;
        swap_items(h + i * size, h + m * size, size);
        i = m;
    }
}

void dw_heap_up(void *base, size_t size, size_t i, dw_heap_cmp cmp, void *ctx)
{
    char *h = base;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (cmp(h + i * size, h + p * size, ctx) >= 0)
            return;
        swap_items(h + i * size, h + p * size, size);
        i = p;
    }
}

void dw_heap_sort(void *base, size_t n, size_t size, dw_heap_cmp cmp, void *ctx)
{
    char *h = base;
    for (; n > 1; n--) { /* the root to the end, then the rest again */
        swap_items(h, h + (n - 1) * size, size);
        dw_heap_down(base, n - 1, size, 0, cmp, ctx);
    }
}
