/* bigmem.h: zeroed memory for big tables probed at random (hash tables of
 * counts, 13-gram sets): from 2 MiB on, mapped on its own and marked for
 * transparent huge pages. With 4 KiB pages nearly every random probe of a
 * table of hundreds of MiB misses the TLB, and every first touch costs a
 * page fault. */
#ifndef DW_BIGMEM_H
#define DW_BIGMEM_H

#include <stddef.h>

/* n zeroed bytes, or NULL when out of memory. Free with dw_bigmem_free(p, n)
 * (the same n). */
void *dw_bigmem_zalloc(size_t n);

/* Frees what dw_bigmem_zalloc(n) returned; accepts NULL. */
void dw_bigmem_free(void *p, size_t n);

#endif
