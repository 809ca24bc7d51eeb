/* radix.c: stable LSD radix sort of 64-bit keys with values (radix.h). */
#include "core/radix.h"

#include <stdlib.h>
#include <string.h>

int dw_radix_sort_u64(uint64_t *keys, uint32_t *vals, size_t n)
{
    if (n < 2)
        return 0;
    uint64_t *tk = malloc(n * sizeof *tk);
    uint32_t *tv = vals ? malloc(n * sizeof *tv) : NULL;
    if (!tk || (vals && !tv)) {
        free(tk);
        free(tv);
        return -1;
    }
    size_t cnt[8][256] = {{0}}; /* every pass's histogram, from one read */
    for (size_t i = 0; i < n; i++)
        for (int b = 0; b < 8; b++)
            cnt[b][keys[i] >> (8 * b) & 0xFF]++;
    uint64_t *sk = keys, *dk = tk;
    uint32_t *sv = vals, *dv = tv;
    for (int b = 0; b < 8; b++) {
        size_t *c = cnt[b];
        if (c[sk[0] >> (8 * b) & 0xFF] == n)
            continue; /* every key has this byte */
        size_t pos = 0;
        for (int k = 0; k < 256; k++) {
            size_t x = c[k];
            c[k] = pos;
            pos += x;
        }
        for (size_t i = 0; i < n; i++) {
            size_t j = c[sk[i] >> (8 * b) & 0xFF]++;
            dk[j] = sk[i];
            if (sv)
                dv[j] = sv[i];
        }
        uint64_t *xk = sk;
        sk = dk;
        dk = xk;
        uint32_t *xv = sv;
        sv = dv;
        dv = xv;
    }
    if (sk != keys) {
        memcpy(keys, sk, n * sizeof *keys);
        if (vals)
            memcpy(vals, sv, n * sizeof *vals);
    }
    free(tk);
    free(tv);
    return 0;
}
