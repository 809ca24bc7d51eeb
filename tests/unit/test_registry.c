/* test_registry.c: the outlet registry: built-in aliases, spelling variants,
 * user TSV files and their errors. */
#include <criterion/criterion.h>
#include <string.h>

#include "ingest/registry.h"

static dw_registry *builtin(void)
{
    dw_registry *r = dw_registry_new(0);
    dw_err e = {{0}};
    cr_assert(r);
    cr_assert_eq(dw_registry_load_tsv(r, dw_sources_tsv, strlen(dw_sources_tsv), "builtin", DW_ORIGIN_BUILTIN, &e),
                 DW_OK, "%s", e.msg);
    return r;
}

static const char *canon(dw_registry *r, const char *written)
{
    int i = dw_registry_lookup(r, written, strlen(written));
    return i < 0 ? "(unknown)" : dw_registry_name(r, i);
}

/* written spelling -> canonical outlet */
static const char *const cases[][2] = {
    {"قناة اليمن اليوم", "Al-Yaman Al-Youm"},
    {"اليمن اليوم", "Al-Yaman Al-Youm"},
    {"  قناة   اليمن\u00a0اليوم ", "Al-Yaman Al-Youm"},
    {"قناة اليمن اليوم\u200f", "Al-Yaman Al-Youm"},
    {"RT", "RT"},
    {"rt", "RT"},
    {"RT Arabic", "RT"},
    {"روسيا اليوم", "RT"},
    {"روسیا الیوم", "RT"},          /* Persian yeh */
    {"آر تي", "RT"},
    {"ار تى", "RT"},                /* alef maqsura, bare alef */
    {"skynews", "Sky News Arabia"},
    {"CNN", "CNN Arabic"},
    {"was", "Saudi Press Agency"},
    {"alriyadh", "Al Riyadh"},
    {"قناة الغد", "(unknown)"},
    {"", "(unknown)"},
};

Test(registry, builtin_aliases_match_spelling_variants)
{
    dw_registry *r = builtin();
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        cr_expect_str_eq(canon(r, cases[i][0]), cases[i][1], "'%s'", cases[i][0]);
    dw_registry_free(r);
}

Test(registry, user_file_overrides_builtin_and_adds)
{
    dw_registry *r = builtin();
    const char tsv[] = "# my outlets\n\nقناة الغد\tAl Ghad TV\nRT\tRussia Today\r\n  اليمن اليوم \t Al-Yaman Al-Youm \n";
    dw_err e = {{0}};
    cr_assert_eq(dw_registry_load_tsv(r, tsv, strlen(tsv), "mine.tsv", DW_ORIGIN_USER, &e), DW_OK, "%s", e.msg);
    cr_expect_str_eq(canon(r, "قناة الغد"), "Al Ghad TV");
    cr_expect_str_eq(canon(r, "RT"), "Russia Today");
    cr_expect_str_eq(canon(r, "روسيا اليوم"), "RT"); /* other aliases keep their outlet */
    cr_expect_str_eq(canon(r, "اليمن اليوم"), "Al-Yaman Al-Youm");
    int i = dw_registry_lookup(r, "قناة الغد", strlen("قناة الغد"));
    cr_expect_eq(dw_registry_origin(r, i), DW_ORIGIN_USER);
    dw_registry_free(r);
}

Test(registry, seen_outlet_does_not_override_builtin)
{
    dw_registry *r = builtin();
    int i = dw_registry_add(r, "RT", 2, "RT-seen", DW_ORIGIN_SEEN);
    cr_expect_str_eq(dw_registry_name(r, i), "RT");
    dw_registry_free(r);
}

Test(registry, bad_tsv_lines_are_reported_with_line_numbers)
{
    dw_registry *r = dw_registry_new(0);
    dw_err e = {{0}};
    const char t1[] = "ok\tOK\nno tab here\n";
    cr_expect_eq(dw_registry_load_tsv(r, t1, strlen(t1), "s.tsv", DW_ORIGIN_USER, &e), DW_EUSAGE);
    cr_expect_str_eq(e.msg, "s.tsv:2: expected alias<TAB>canonical name");
    const char t2[] = "\u064e\u064e\tX\n"; /* only diacritics: empty once normalized */
    cr_expect_eq(dw_registry_load_tsv(r, t2, strlen(t2), "s.tsv", DW_ORIGIN_USER, &e), DW_EUSAGE);
    cr_expect_str_eq(e.msg, "s.tsv:1: alias is empty once normalized");
    const char t3[] = "a\tb\tc\n";
    cr_expect_eq(dw_registry_load_tsv(r, t3, strlen(t3), "s.tsv", DW_ORIGIN_USER, &e), DW_EUSAGE);
    cr_expect_eq(dw_registry_load_file(r, "/nonexistent/x.tsv", DW_ORIGIN_USER, &e), DW_EUSAGE);
    cr_expect_str_eq(e.msg, "cannot open sources file /nonexistent/x.tsv: No such file or directory");
    dw_registry_free(r);
}
