/* strmap.h: a small open-addressing hash map from byte strings to integers,
 * for registries and caches (keys are copied and owned by the map). */
#ifndef DW_STRMAP_H
#define DW_STRMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    char **keys;     /* owned copies, NUL-terminated; NULL for an empty slot */
    size_t *klens;   /* key lengths */
    int64_t *vals;   /* values */
    size_t cap;      /* slots, a power of two */
    size_t len;      /* keys stored */
} dw_strmap;

#define DW_STRMAP_INIT {NULL, NULL, NULL, 0, 0}

/* Looks key up; returns 1 and stores the value in *val (may be NULL) when
 * found, else 0. */
int dw_strmap_get(const dw_strmap *m, const char *key, size_t klen, int64_t *val);
/* Inserts or replaces. Returns 0, or -1 when out of memory. */
int dw_strmap_put(dw_strmap *m, const char *key, size_t klen, int64_t val);
/* Frees every key and the tables; the map may be reused. Accepts NULL. */
void dw_strmap_free(dw_strmap *m);

#endif
