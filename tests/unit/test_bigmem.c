/* test_bigmem.c: big zeroed tables (core/bigmem.h) on both paths, the
 * heap below 2 MiB and a huge-page mapping from 2 MiB on; and the figures
 * list that info and the report share (core/figures.h). */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "core/bigmem.h"
#include "core/figures.h"

Test(bigmem, zeroed_writable_and_freed_on_both_paths)
{
    static const size_t sizes[] = {0, 1, 4096, (2u << 20) - 1, 2u << 20, (5u << 20) + 3};
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        size_t n = sizes[k];
        unsigned char *p = dw_bigmem_zalloc(n);
        cr_assert(p, "no memory for %zu bytes", n);
        for (size_t i = 0; i < n; i += 4093)
            cr_assert_eq(p[i], 0, "byte %zu of %zu not zero", i, n);
        if (n) {
            cr_assert_eq(p[n - 1], 0);
            memset(p, 0xab, n);
            cr_assert_eq(p[n - 1], 0xab);
        }
        dw_bigmem_free(p, n);
    }
    dw_bigmem_free(NULL, 1u << 30);
}

Test(figures, names_and_queries)
{
    const dw_figure *f = dw_figures();
    cr_assert_str_eq(f[0].key, "files");
    cr_assert_str_eq(f[DW_FIGURE_COUNT - 1].key, "invalid_bytes");
    for (int i = 0; i < DW_FIGURE_COUNT; i++) {
        cr_assert(f[i].key && f[i].key[0]);
        cr_assert(strncmp(f[i].sql, "SELECT ", 7) == 0, "%s: %s", f[i].key, f[i].sql);
        for (int j = 0; j < i; j++)
            cr_assert(strcmp(f[i].key, f[j].key) != 0, "%s twice", f[i].key);
    }
}
