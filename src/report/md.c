/* md.c: the report as Markdown (pipe tables, as code-hosting sites render
 * them) with its plots as SVG files in a folder beside it, and the JSON form
 * (the model itself). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "report/render.h"
#include "report/report.h"

dw_rc dw_report_write_json(const json_t *m, FILE *out, dw_err *e)
{
    if (json_dumpf(m, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12)) != 0 ||
        fputc('\n', out) == EOF)
        return dw_err_set(e, DW_EIO, "write error");
    return DW_OK;
}

/* Escaped Markdown text of a JSON string (– for anything else). */
static int mt(dw_buf *b, const json_t *v)
{
    return json_is_string(v) ? dw_report_esc_md(b, json_string_value(v)) : dw_buf_puts(b, "–");
}

/* Writes the SVG in svg as DIR/NAME.svg (through a temporary name) and
 * appends the image link to b; with no dir, a note. */
static dw_rc plot(dw_buf *b, const dw_buf *svg, const char *dir, const char *rel, const char *name, const char *alt,
                  dw_err *e)
{
    if (!dir)
        return dw_buf_printf(b, "*(plot %s.svg: written only when the report goes to a file)*\n\n", name)
                   ? dw_err_set(e, DW_ENOMEM, "out of memory")
                   : DW_OK;
    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s/%s.svg", dir, name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return dw_err_set(e, DW_EIO, "cannot write %s: %s", tmp, strerror(errno));
    size_t w = fwrite(svg->data, 1, svg->len, f);
    int bad = w != svg->len || ferror(f);
    if (fclose(f) != 0 || bad) {
        remove(tmp);
        return dw_err_set(e, DW_EIO, "cannot write %s: write error", tmp);
    }
    if (rename(tmp, path) != 0) {
        remove(tmp);
        return dw_err_set(e, DW_EIO, "cannot rename %s: %s", tmp, strerror(errno));
    }
    return dw_buf_printf(b, "![%s](%s/%s.svg)\n\n", alt, rel, name) ? dw_err_set(e, DW_ENOMEM, "out of memory")
                                                                     : DW_OK;
}

static int needs(dw_buf *b, const json_t *m)
{
    int r = dw_buf_puts(b, "> This section needs the statistics tables: run `diwan stats ");
    r |= dw_buf_puts(b, json_string_value(json_object_get(json_object_get(m, "report"), "database")));
    return r | dw_buf_puts(b, "` first.\n\n");
}

static int no_pairs(dw_buf *b)
{
    return dw_buf_puts(b, "> Co-occurrences were not counted (`diwan stats` ran with `--no-cooc`).\n\n");
}

static int terms_md(dw_buf *b, const json_t *arr, int with_z)
{
    int r = dw_buf_puts(b, with_z ? "| # | term | count | df | z |\n|--:|---|--:|--:|--:|\n"
                                  : "| # | term | count | df |\n|--:|---|--:|--:|\n");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const json_t *o = json_array_get(arr, i);
        r |= dw_buf_printf(b, "| %zu | ", i + 1);
        r |= mt(b, json_object_get(o, "term"));
        r |= dw_buf_puts(b, " | ");
        r |= rp_put_int(b, json_object_get(o, "count"));
        r |= dw_buf_puts(b, " | ");
        r |= rp_put_int(b, json_object_get(o, "df"));
        if (with_z) {
            r |= dw_buf_puts(b, " | ");
            r |= rp_put_real(b, json_object_get(o, "z"), 2);
        }
        r |= dw_buf_puts(b, " |\n");
    }
    return r | dw_buf_puts(b, "\n");
}

static int pairs_md(dw_buf *b, const json_t *arr)
{
    int r = dw_buf_puts(b, "| # | term a | term b | count | PMI | NPMI | LLR |\n|--:|---|---|--:|--:|--:|--:|\n");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const json_t *o = json_array_get(arr, i);
        r |= dw_buf_printf(b, "| %zu | ", i + 1);
        r |= mt(b, json_object_get(o, "term_a"));
        r |= dw_buf_puts(b, " | ");
        r |= mt(b, json_object_get(o, "term_b"));
        r |= dw_buf_puts(b, " | ");
        r |= rp_put_real(b, json_object_get(o, "count"), json_is_integer(json_object_get(o, "count")) ? 0 : 3);
        r |= dw_buf_puts(b, " | ");
        r |= rp_put_real(b, json_object_get(o, "pmi"), 4);
        r |= dw_buf_puts(b, " | ");
        r |= rp_put_real(b, json_object_get(o, "npmi"), 4);
        r |= dw_buf_puts(b, " | ");
        r |= rp_put_real(b, json_object_get(o, "llr"), 4);
        r |= dw_buf_puts(b, " |\n");
    }
    return r | dw_buf_puts(b, "\n");
}

dw_rc dw_report_write_md(const json_t *m, FILE *out, const char *files_dir, const char *files_rel, dw_err *e)
{
    dw_buf b = DW_BUF_INIT, svg = DW_BUF_INIT;
    dw_rc rc = DW_OK;
    if (files_dir && mkdir(files_dir, 0777) != 0 && errno != EEXIST)
        return dw_err_set(e, DW_EIO, "cannot create %s: %s", files_dir, strerror(errno));
    const json_t *rep = json_object_get(m, "report"), *o = json_object_get(m, "overview");
    const json_t *s = json_object_get(m, "stats");
    int r = dw_buf_puts(&b, "# Corpus report: ");
    r |= mt(&b, json_object_get(rep, "database"));
    r |= dw_buf_puts(&b, "\n\n");
    r |= mt(&b, json_object_get(rep, "generator"));
    if (json_is_string(json_object_get(rep, "date"))) {
        r |= dw_buf_puts(&b, ", ");
        r |= mt(&b, json_object_get(rep, "date"));
    }
    r |= dw_buf_printf(&b, "; at most %lld rows per table.\n\n",
                       (long long)json_integer_value(json_object_get(rep, "limit")));
    /* overview */
    r |= dw_buf_puts(&b, "## Overview\n\n| figure | value |\n|---|--:|\n");
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)o, key, val)
    {
        if (json_is_array(val))
            continue;
        r |= dw_buf_printf(&b, "| `%s` | ", key);
        if (json_is_integer(val))
            r |= rp_put_int(&b, val);
        else if (json_is_real(val))
            r |= rp_put_pct(&b, val);
        else
            r |= mt(&b, val);
        r |= dw_buf_puts(&b, " |\n");
    }
    r |= dw_buf_puts(&b, "\nExact duplicates: articles found that repeat an article already seen "
                         "(`duplicate_sightings / sightings`). Near duplicates: unique articles that joined a "
                         "cluster as near copies (`near_dup_articles / articles`).\n\n");
    const json_t *q = json_object_get(o, "quarantine");
    r |= dw_buf_printf(&b, "### Quarantined inputs (%lld)\n\n",
                       (long long)json_integer_value(json_object_get(o, "quarantined")));
    if (json_array_size(q)) {
        r |= dw_buf_puts(&b, "| input | offset | reason |\n|---|--:|---|\n");
        for (size_t i = 0; i < json_array_size(q); i++) {
            const json_t *x = json_array_get(q, i);
            r |= dw_buf_puts(&b, "| ");
            r |= mt(&b, json_object_get(x, "path"));
            r |= dw_buf_puts(&b, " | ");
            r |= rp_put_int(&b, json_object_get(x, "offset"));
            r |= dw_buf_puts(&b, " | ");
            r |= mt(&b, json_object_get(x, "reason"));
            r |= dw_buf_puts(&b, " |\n");
        }
        r |= dw_buf_puts(&b, "\n");
    } else {
        r |= dw_buf_puts(&b, "Nothing was quarantined.\n\n");
    }
    /* outlets */
    const json_t *srcs = json_object_get(m, "sources");
    r |= dw_buf_puts(&b, "## Per outlet\n\n| outlet | articles | sightings | tokens | first date | last date | "
                         "exact dup. | near dup. | also carried by other outlets | counted by stats |\n"
                         "|---|--:|--:|--:|---|---|--:|--:|--:|--:|\n");
    for (size_t i = 0; i < json_array_size(srcs); i++) {
        const json_t *x = json_array_get(srcs, i);
        r |= dw_buf_puts(&b, "| ");
        r |= mt(&b, json_object_get(x, "name"));
        r |= dw_buf_puts(&b, " | ");
        r |= rp_put_int(&b, json_object_get(x, "articles"));
        r |= dw_buf_puts(&b, " | ");
        r |= rp_put_int(&b, json_object_get(x, "sightings"));
        r |= dw_buf_puts(&b, " | ");
        r |= rp_put_int(&b, json_object_get(x, "tokens"));
        r |= dw_buf_puts(&b, " | ");
        r |= mt(&b, json_object_get(x, "first_date"));
        r |= dw_buf_puts(&b, " | ");
        r |= mt(&b, json_object_get(x, "last_date"));
        r |= dw_buf_puts(&b, " | ");
        r |= rp_put_pct(&b, json_object_get(x, "exact_duplicate_rate"));
        r |= dw_buf_puts(&b, " | ");
        r |= rp_put_pct(&b, json_object_get(x, "near_duplicate_rate"));
        r |= dw_buf_puts(&b, " | ");
        r |= rp_put_pct(&b, json_object_get(x, "cross_outlet_share"));
        r |= dw_buf_puts(&b, " (");
        r |= rp_put_int(&b, json_object_get(x, "cross_outlet_articles"));
        r |= dw_buf_puts(&b, " of ");
        r |= rp_put_int(&b, json_object_get(x, "carried_articles"));
        r |= dw_buf_puts(&b, ") | ");
        r |= rp_put_int(&b, json_object_get(x, "counted_articles"));
        r |= dw_buf_puts(&b, " |\n");
    }
    r |= dw_buf_puts(&b, "\n");
    if (json_is_null(s) && json_array_size(srcs)) {
        r |= dw_buf_puts(&b, "### Top and distinctive terms per outlet\n\n");
        r |= needs(&b, m);
    }
    for (size_t i = 0; !json_is_null(s) && i < json_array_size(srcs); i++) {
        const json_t *x = json_array_get(srcs, i);
        r |= dw_buf_puts(&b, "### ");
        r |= mt(&b, json_object_get(x, "name"));
        r |= dw_buf_puts(&b, "\n\n");
        if (json_is_null(json_object_get(x, "top_terms"))) {
            r |= needs(&b, m);
            continue;
        }
        r |= dw_buf_puts(&b, "Top terms:\n\n");
        r |= terms_md(&b, json_object_get(x, "top_terms"), 0);
        r |= dw_buf_puts(&b, "Distinctive terms (weighted log-odds, informative Dirichlet prior, z-score):\n\n");
        r |= terms_md(&b, json_object_get(x, "distinctive_terms"), 1);
    }
    /* time */
    r |= dw_buf_puts(&b, "## Articles per month\n\n");
    if (r)
        goto nomem;
    const json_t *tm = json_object_get(m, "time");
    if (json_array_size(json_object_get(tm, "months"))) {
        if (rp_svg_months(&svg, tm) != 0)
            goto nomem;
        if ((rc = plot(&b, &svg, files_dir, files_rel, "months", "articles per month per outlet", e)) != DW_OK)
            goto out;
        dw_buf_reset(&svg);
    } else {
        r |= dw_buf_puts(&b, "No article is dated.\n\n");
    }
    /* lengths */
    r |= dw_buf_puts(&b, "## Article lengths\n\n");
    if (json_is_null(s)) {
        r |= needs(&b, m);
    } else {
        static const char *const units[] = {"tokens", "chars"};
        for (int k = 0; k < 2; k++) {
            const json_t *l = json_object_get(json_object_get(s, "lengths"), units[k]);
            char name[32];
            snprintf(name, sizeof name, "lengths-%s", units[k]);
            if (r || rp_svg_hist(&svg, l, k ? "characters" : "tokens") != 0)
                goto nomem;
            if ((rc = plot(&b, &svg, files_dir, files_rel, name, name, e)) != DW_OK)
                goto out;
            dw_buf_reset(&svg);
            r |= dw_buf_printf(&b, "In %s: %lld articles; mean %.1f, median %lld, 90th percentile %lld, max %lld; "
                                   "bins of %lld, the last open.\n\n",
                               k ? "characters" : "tokens",
                               (long long)json_integer_value(json_object_get(l, "articles")),
                               json_number_value(json_object_get(l, "mean")),
                               (long long)json_integer_value(json_object_get(l, "median")),
                               (long long)json_integer_value(json_object_get(l, "p90")),
                               (long long)json_integer_value(json_object_get(l, "max")),
                               (long long)json_integer_value(json_object_get(l, "bin_width")));
        }
    }
    /* Zipf */
    r |= dw_buf_puts(&b, "## Rank and frequency (Zipf)\n\n");
    if (json_is_null(s)) {
        r |= needs(&b, m);
    } else {
        const json_t *z = json_object_get(s, "zipf"), *fit = json_object_get(z, "fit");
        double ex = json_number_value(json_object_get(fit, "exponent"));
        char cap[160];
        snprintf(cap, sizeof cap, "fit: f = C r^-s, s = %.3f (ranks 1 to %lld)", ex,
                 (long long)json_integer_value(json_object_get(fit, "rank_to")));
        if (r || rp_svg_loglog(&svg, json_object_get(z, "points"), json_number_value(json_object_get(fit, "log10_c")),
                               -ex, 1,
                               json_is_null(json_object_get(fit, "exponent"))
                                   ? 0
                                   : (double)json_integer_value(json_object_get(fit, "rank_to")),
                               "rank", "frequency", cap) != 0)
            goto nomem;
        if ((rc = plot(&b, &svg, files_dir, files_rel, "zipf", "rank-frequency plot", e)) != DW_OK)
            goto out;
        dw_buf_reset(&svg);
        r |= dw_buf_printf(&b,
                           "%lld word types, %lld tokens. Zipf exponent s = %.3f: least squares of log f on log r "
                           "over ranks 1 to %lld (the last rank with frequency at least %lld), at %lld log-spaced "
                           "ranks.\n\n",
                           (long long)json_integer_value(json_object_get(z, "types")),
                           (long long)json_integer_value(json_object_get(z, "tokens")), ex,
                           (long long)json_integer_value(json_object_get(fit, "rank_to")),
                           (long long)json_integer_value(json_object_get(fit, "min_count")),
                           (long long)json_integer_value(json_object_get(fit, "points")));
    }
    /* Heaps */
    {
        const json_t *h = json_object_get(m, "heaps"), *hf = json_object_get(h, "fit");
        double beta = json_number_value(json_object_get(hf, "beta")), k = json_number_value(json_object_get(hf, "k"));
        double tok = (double)json_integer_value(json_object_get(h, "tokens"));
        char cap[160];
        snprintf(cap, sizeof cap, "fit: V = K n^b, K = %.2f, b = %.3f", k, beta);
        r |= dw_buf_puts(&b, "## Vocabulary growth (Heaps)\n\n");
        if (r || rp_svg_loglog(&svg, json_object_get(h, "points"), log10(k > 0 ? k : 1), beta, 100,
                               json_is_null(json_object_get(hf, "beta")) ? 0 : tok, "tokens read", "distinct words",
                               cap) != 0)
            goto nomem;
        if ((rc = plot(&b, &svg, files_dir, files_rel, "heaps", "vocabulary growth", e)) != DW_OK)
            goto out;
        dw_buf_reset(&svg);
        r |= dw_buf_printf(&b,
                           "%lld articles read in content-hash order: %lld tokens, %lld distinct words. "
                           "V = K n^β with K = %.3f, β = %.3f (least squares on log-log axes, points from 100 "
                           "tokens on).%s\n\n",
                           (long long)json_integer_value(json_object_get(h, "articles")), (long long)tok,
                           (long long)json_integer_value(json_object_get(h, "types")), k, beta,
                           json_is_true(json_object_get(h, "truncated")) ? " The curve stops at the cap of distinct "
                                                                           "words."
                                                                         : "");
    }
    /* n-grams, collocations, neighbours */
    r |= dw_buf_puts(&b, "## Top n-grams\n\n");
    if (json_is_null(s)) {
        r |= needs(&b, m);
    } else {
        static const char *const titles[] = {"Words", "Bigrams", "Trigrams"};
        for (int n = 1; n <= 3; n++) {
            char nk[16];
            snprintf(nk, sizeof nk, "%d", n);
            r |= dw_buf_printf(&b, "### %s\n\n", titles[n - 1]);
            r |= terms_md(&b, json_object_get(json_object_get(s, "ngrams"), nk), 0);
        }
    }
    r |= dw_buf_puts(&b, "## Collocations\n\n");
    if (json_is_null(s)) {
        r |= needs(&b, m);
    } else if (!rp_pairs_counted(s)) {
        r |= no_pairs(&b);
    } else {
        r |= dw_buf_puts(&b, "### By PMI\n\n");
        r |= pairs_md(&b, json_object_get(json_object_get(s, "collocations"), "pmi"));
        r |= dw_buf_puts(&b, "### By log-likelihood\n\n");
        r |= pairs_md(&b, json_object_get(json_object_get(s, "collocations"), "llr"));
    }
    r |= dw_buf_puts(&b, "## Neighbours of the most frequent content words\n\n");
    if (json_is_null(s)) {
        r |= needs(&b, m);
    } else if (!rp_pairs_counted(s)) {
        r |= no_pairs(&b);
    } else {
        const json_t *nb = json_object_get(s, "neighbours");
        if (json_array_size(nb) == 0) {
            r |= dw_buf_puts(&b, "No pair was counted at least `--min-count` (");
            r |= rp_put_param_int(&b, s, "min_count");
            r |= dw_buf_puts(&b, ") times.\n");
        } else {
            r |= dw_buf_puts(&b, "| word | count | neighbours (pair count) |\n|---|--:|---|\n");
        }
        for (size_t i = 0; i < json_array_size(nb); i++) {
            const json_t *x = json_array_get(nb, i), *na = json_object_get(x, "neighbours");
            r |= dw_buf_puts(&b, "| ");
            r |= mt(&b, json_object_get(x, "term"));
            r |= dw_buf_puts(&b, " | ");
            r |= rp_put_int(&b, json_object_get(x, "count"));
            r |= dw_buf_puts(&b, " | ");
            for (size_t j = 0; j < json_array_size(na); j++) {
                const json_t *y = json_array_get(na, j);
                r |= dw_buf_puts(&b, j ? ", " : "");
                r |= mt(&b, json_object_get(y, "term"));
                r |= dw_buf_puts(&b, " (");
                r |= rp_put_real(&b, json_object_get(y, "count"), json_is_integer(json_object_get(y, "count")) ? 0 : 3);
                r |= dw_buf_puts(&b, ")");
            }
            r |= dw_buf_puts(&b, " |\n");
        }
        r |= dw_buf_puts(&b, "\n");
    }
    /* clusters */
    const json_t *cl = json_object_get(m, "clusters");
    r |= dw_buf_puts(&b, "## Largest duplicate clusters\n\n");
    if (json_array_size(cl) == 0)
        r |= dw_buf_puts(&b, "No near-duplicate cluster of two or more articles.\n\n");
    for (size_t i = 0; i < json_array_size(cl); i++) {
        const json_t *c = json_array_get(cl, i), *mem = json_object_get(c, "members");
        r |= dw_buf_printf(&b, "### Cluster %lld: %lld articles, %lld sightings\n\n",
                           (long long)json_integer_value(json_object_get(c, "cluster")),
                           (long long)json_integer_value(json_object_get(c, "articles")),
                           (long long)json_integer_value(json_object_get(c, "sightings")));
        r |= dw_buf_puts(&b, "| article | join | similarity | date | outlet | sightings | title |\n"
                             "|--:|---|--:|---|---|--:|---|\n");
        for (size_t j = 0; j < json_array_size(mem); j++) {
            const json_t *x = json_array_get(mem, j);
            r |= dw_buf_puts(&b, "| ");
            r |= rp_put_int(&b, json_object_get(x, "article"));
            r |= dw_buf_puts(&b, " | ");
            r |= mt(&b, json_object_get(x, "join"));
            r |= dw_buf_puts(&b, " | ");
            r |= rp_put_real(&b, json_object_get(x, "similarity"), 3);
            r |= dw_buf_puts(&b, " | ");
            r |= mt(&b, json_object_get(x, "date"));
            r |= dw_buf_puts(&b, " | ");
            r |= mt(&b, json_object_get(x, "source"));
            r |= dw_buf_puts(&b, " | ");
            r |= rp_put_int(&b, json_object_get(x, "sightings"));
            r |= dw_buf_puts(&b, " | ");
            r |= mt(&b, json_object_get(x, "title"));
            r |= dw_buf_puts(&b, " |\n");
        }
        r |= dw_buf_puts(&b, "\n");
    }
    /* repeated lines */
    const json_t *rl = json_object_get(m, "repeated_lines"), *ls = json_object_get(rl, "lines");
    r |= dw_buf_puts(&b, "## Repeated lines\n\n");
    if (json_array_size(ls) == 0)
        r |= dw_buf_puts(&b, "No body line is found in two articles or more.\n");
    else
        r |= dw_buf_puts(&b, "| # | line | articles | share | outlets | mostly in |\n|--:|---|--:|--:|--:|---|\n");
    for (size_t i = 0; i < json_array_size(ls); i++) {
        const json_t *x = json_array_get(ls, i);
        r |= dw_buf_printf(&b, "| %zu | ", i + 1);
        r |= mt(&b, json_object_get(x, "line"));
        r |= dw_buf_puts(&b, " | ");
        r |= rp_put_int(&b, json_object_get(x, "articles"));
        r |= dw_buf_puts(&b, " | ");
        r |= rp_put_pct(&b, json_object_get(x, "share"));
        r |= dw_buf_puts(&b, " | ");
        r |= rp_put_int(&b, json_object_get(x, "outlets"));
        r |= dw_buf_puts(&b, " | ");
        const json_t *top = json_object_get(x, "top_outlet");
        if (json_is_string(top))
            r |= mt(&b, top);
        else
            r |= dw_buf_puts(&b, "(unknown outlet)");
        r |= dw_buf_printf(&b, " (%lld) |\n", (long long)json_integer_value(json_object_get(x, "top_outlet_articles")));
    }
    if (json_array_size(ls))
        r |= dw_buf_printf(&b, "\nThe body lines (of up to %lld bytes) found in the most of the %lld articles "
                               "(near-duplicate copies left out), counted once per article.\n",
                           (long long)json_integer_value(json_object_get(rl, "max_bytes")),
                           (long long)json_integer_value(json_object_get(rl, "articles")));
    if (r)
        goto nomem;
    if (fwrite(b.data, 1, b.len, out) != b.len)
        rc = dw_err_set(e, DW_EIO, "write error");
    goto out;
nomem:
    rc = dw_err_set(e, DW_ENOMEM, "out of memory");
out:
    dw_buf_free(&b);
    dw_buf_free(&svg);
    return rc;
}
