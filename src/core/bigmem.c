/* bigmem.c: zeroed memory for big random-access tables (bigmem.h). */
#define _GNU_SOURCE
#include "core/bigmem.h"

#include <stdlib.h>
#include <sys/mman.h>

#define HUGE_BYTES (2u << 20) /* a transparent huge page */

static size_t rounded(size_t n) { return (n + HUGE_BYTES - 1) / HUGE_BYTES * HUGE_BYTES; }

void *dw_bigmem_zalloc(size_t n)
{
    if (n < HUGE_BYTES)
        return calloc(1, n ? n : 1);
    void *p = mmap(NULL, rounded(n), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
#ifdef MADV_HUGEPAGE
    madvise(p, rounded(n), MADV_HUGEPAGE); /* a hint: without it, small pages */
#endif
    return p;
}

void dw_bigmem_free(void *p, size_t n)
{
    if (!p)
        return;
    if (n < HUGE_BYTES)
        free(p);
    else
        munmap(p, rounded(n));
}
