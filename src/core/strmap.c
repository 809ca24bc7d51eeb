/* strmap.c: open-addressing (linear probing) string -> int64 map. */
#include "core/strmap.h"

#include <stdlib.h>
#include <string.h>

#include "core/hash.h"

static size_t slot_of(const dw_strmap *m, const char *key, size_t klen)
{
    size_t mask = m->cap - 1;
    size_t i = (size_t)dw_hash64_of(key, klen, 0) & mask;
    while (m->keys[i] && !(m->klens[i] == klen && memcmp(m->keys[i], key, klen) == 0))
        i = (i + 1) & mask;
    return i;
}

int dw_strmap_get(const dw_strmap *m, const char *key, size_t klen, int64_t *val)
{
    if (!m->cap)
        return 0;
    size_t i = slot_of(m, key, klen);
    if (!m->keys[i])
        return 0;
    if (val)
        *val = m->vals[i];
    return 1;
}

static int grow(dw_strmap *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 64;
    dw_strmap n = {calloc(ncap, sizeof(char *)), calloc(ncap, sizeof(size_t)),
                   calloc(ncap, sizeof(int64_t)), ncap, m->len};
    if (!n.keys || !n.klens || !n.vals) {
        free(n.keys);
        free(n.klens);
        free(n.vals);
        return -1;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i])
            continue;
        size_t j = slot_of(&n, m->keys[i], m->klens[i]);
        n.keys[j] = m->keys[i];
        n.klens[j] = m->klens[i];
        n.vals[j] = m->vals[i];
    }
    free(m->keys);
    free(m->klens);
    free(m->vals);
    *m = n;
    return 0;
}

int dw_strmap_put(dw_strmap *m, const char *key, size_t klen, int64_t val)
{
    if ((m->len + 1) * 4 > m->cap * 3 && grow(m) < 0)
        return -1;
    size_t i = slot_of(m, key, klen);
    if (!m->keys[i]) {
        char *k = malloc(klen + 1);
        if (!k)
            return -1;
        memcpy(k, key, klen);
        k[klen] = '\0';
        m->keys[i] = k;
        m->klens[i] = klen;
        m->len++;
    }
    m->vals[i] = val;
    return 0;
}

void dw_strmap_free(dw_strmap *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->cap; i++)
        free(m->keys[i]);
    free(m->keys);
    free(m->klens);
    free(m->vals);
    memset(m, 0, sizeof *m);
}
