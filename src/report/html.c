/* html.c: the report as one HTML file: inline CSS and SVG, no script and no
 * external resource. The page is laid out left to right (its labels are
 * English); every Arabic term, title and outlet name is isolated in a <bdi>
 * or a cell with dir="auto", so that it runs right to left beside Latin text,
 * and number cells are dir="ltr". */
#include <math.h>
#include <string.h>

#include "report/render.h"
#include "report/report.h"

static const char css[] =
    "body{font-family:" RP_FONTS ";margin:0 auto;max-width:1120px;padding:16px 24px;color:#222;"
    "background:#fff;line-height:1.45}\n"
    "h1{font-size:26px;margin:8px 0}h2{font-size:21px;border-bottom:2px solid #4e79a7;padding-bottom:4px;"
    "margin-top:32px}h3{font-size:16px;margin:18px 0 6px}\n"
    "nav a{margin-right:14px;color:#4e79a7}\n"
    "table{border-collapse:collapse;margin:6px 0 12px;font-size:14px}\n"
    "th,td{border:1px solid #ddd;padding:3px 8px;vertical-align:top}th{background:#f3f5f8;text-align:start}\n"
    "td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    "td.t{text-align:start}td.d{white-space:nowrap}\n"
    "bdi,.ar{unicode-bidi:isolate}\n"
    ".cards{display:flex;flex-wrap:wrap;gap:10px;margin:10px 0}\n"
    ".card{border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:130px;background:#fafbfc}\n"
    ".card .v{font-size:22px;font-weight:bold}.card .l{font-size:13px;color:#555}\n"
    ".grid{display:flex;flex-wrap:wrap;gap:18px}.grid>div,.grid>section{flex:1 1 340px;min-width:0}\n"
    ".outlets{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:4px 28px}\n"
    ".pair{display:flex;gap:14px;align-items:flex-start}.pair table{font-size:13px}\n"
    ".needs{background:#fff4e0;border:1px solid #f0c070;padding:8px 12px;border-radius:4px}\n"
    ".note{color:#555;font-size:13px}\n"
    "svg{max-width:100%;height:auto}\n"
    "code{background:#f3f3f3;padding:1px 4px}\n";

/* Escaped text. */
static int t(dw_buf *b, const char *s) { return dw_report_esc_html(b, s ? s : "", s ? strlen(s) : 0); }

/* A term, title or name: isolated, direction from its first strong letter. */
static int term(dw_buf *b, const char *s)
{
    int r = dw_buf_puts(b, "<bdi>");
    r |= t(b, s);
    return r | dw_buf_puts(b, "</bdi>");
}

/* A date cell (left to right, never wrapped). */
static int td_date(dw_buf *b, const json_t *v)
{
    int r = dw_buf_puts(b, "<td class=\"d\" dir=\"ltr\">");
    r |= json_is_string(v) ? t(b, json_string_value(v)) : dw_buf_puts(b, "–");
    return r | dw_buf_puts(b, "</td>");
}

/* A number cell of an integer, a rate or a real. */
static int td_int(dw_buf *b, const json_t *v)
{
    int r = dw_buf_puts(b, "<td class=\"n\" dir=\"ltr\">");
    r |= rp_put_int(b, v);
    return r | dw_buf_puts(b, "</td>");
}
static int td_pct(dw_buf *b, const json_t *v)
{
    int r = dw_buf_puts(b, "<td class=\"n\" dir=\"ltr\">");
    r |= rp_put_pct(b, v);
    return r | dw_buf_puts(b, "</td>");
}
static int td_real(dw_buf *b, const json_t *v, int prec)
{
    int r = dw_buf_puts(b, "<td class=\"n\" dir=\"ltr\">");
    r |= rp_put_real(b, v, prec);
    return r | dw_buf_puts(b, "</td>");
}
/* A text cell, isolated with dir="auto" (Arabic right to left and aligned
 * right, Latin left to right); no <bdi> inside, since the auto direction
 * skips the text of <bdi> children. */
static int td_text(dw_buf *b, const json_t *v)
{
    int r = dw_buf_puts(b, "<td class=\"t\" dir=\"auto\">");
    if (json_is_string(v))
        r |= t(b, json_string_value(v));
    else
        r |= dw_buf_puts(b, "–");
    return r | dw_buf_puts(b, "</td>");
}

static int needs_stats(dw_buf *b, const json_t *m)
{
    int r = dw_buf_puts(b, "<p class=\"needs\">This section needs the statistics tables: run <code>diwan stats ");
    r |= t(b, json_string_value(json_object_get(json_object_get(m, "report"), "database")));
    return r | dw_buf_puts(b, "</code> first.</p>\n");
}

static int no_pairs(dw_buf *b)
{
    return dw_buf_puts(b, "<p class=\"needs\">Co-occurrences were not counted (<code>diwan stats</code> ran with "
                          "<code>--no-cooc</code>).</p>\n");
}

/* A card of the overview. */
static int card(dw_buf *b, const char *label, const char *value)
{
    int r = dw_buf_puts(b, "<div class=\"card\"><div class=\"v\" dir=\"ltr\">");
    r |= t(b, value);
    r |= dw_buf_puts(b, "</div><div class=\"l\">");
    r |= t(b, label);
    return r | dw_buf_puts(b, "</div></div>\n");
}

/* Table of terms {term, count, df} (+ z when with_z). */
static int terms_table(dw_buf *b, const json_t *arr, int with_z)
{
    int r = dw_buf_puts(b, "<table><tr><th>#</th><th>term</th><th>count</th><th>df</th>");
    if (with_z)
        r |= dw_buf_puts(b, "<th>z</th>");
    r |= dw_buf_puts(b, "</tr>\n");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const json_t *o = json_array_get(arr, i);
        r |= dw_buf_printf(b, "<tr><td class=\"n\" dir=\"ltr\">%zu</td>", i + 1);
        r |= td_text(b, json_object_get(o, "term"));
        r |= td_int(b, json_object_get(o, "count"));
        r |= td_int(b, json_object_get(o, "df"));
        if (with_z)
            r |= td_real(b, json_object_get(o, "z"), 2);
        r |= dw_buf_puts(b, "</tr>\n");
    }
    return r | dw_buf_puts(b, "</table>\n");
}

/* Table of pairs {term_a, term_b, count, pmi, npmi, llr}. */
static int pairs_table(dw_buf *b, const json_t *arr)
{
    int r = dw_buf_puts(b, "<table><tr><th>#</th><th>term a</th><th>term b</th><th>count</th><th>PMI</th>"
                           "<th>NPMI</th><th>LLR</th></tr>\n");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const json_t *o = json_array_get(arr, i);
        r |= dw_buf_printf(b, "<tr><td class=\"n\" dir=\"ltr\">%zu</td>", i + 1);
        r |= td_text(b, json_object_get(o, "term_a"));
        r |= td_text(b, json_object_get(o, "term_b"));
        r |= td_real(b, json_object_get(o, "count"), json_is_integer(json_object_get(o, "count")) ? 0 : 3);
        r |= td_real(b, json_object_get(o, "pmi"), 4);
        r |= td_real(b, json_object_get(o, "npmi"), 4);
        r |= td_real(b, json_object_get(o, "llr"), 4);
        r |= dw_buf_puts(b, "</tr>\n");
    }
    if (json_array_size(arr) == 0)
        r |= dw_buf_puts(b, "<tr><td colspan=\"7\">no pair was counted often enough to be stored</td></tr>\n");
    return r | dw_buf_puts(b, "</table>\n");
}

static int sec_overview(dw_buf *b, const json_t *m)
{
    const json_t *o = json_object_get(m, "overview");
    char v[128];
#define I(k) ((long long)json_integer_value(json_object_get(o, k)))
    int r = dw_buf_puts(b, "<section id=\"overview\">\n<h2>Overview</h2>\n<div class=\"cards\">\n");
    snprintf(v, sizeof v, "%lld", I("files"));
    r |= card(b, "inputs", v);
    snprintf(v, sizeof v, "%lld", I("pages"));
    r |= card(b, "pages", v);
    snprintf(v, sizeof v, "%lld", I("sightings"));
    r |= card(b, "articles found", v);
    snprintf(v, sizeof v, "%lld", I("articles"));
    r |= card(b, "unique articles", v);
    snprintf(v, sizeof v, "%.1f%%", json_real_value(json_object_get(o, "exact_duplicate_rate")) * 100);
    r |= card(b, "exact duplicates (of articles found)", v);
    snprintf(v, sizeof v, "%.1f%%", json_real_value(json_object_get(o, "near_duplicate_rate")) * 100);
    r |= card(b, "near duplicates (of unique articles)", v);
    snprintf(v, sizeof v, "%lld", I("sources"));
    r |= card(b, "outlets", v);
    snprintf(v, sizeof v, "%lld", I("quarantined"));
    r |= card(b, "quarantined", v);
    const char *d0 = json_string_value(json_object_get(o, "first_date"));
    const char *d1 = json_string_value(json_object_get(o, "last_date"));
    if (d0 && d1)
        snprintf(v, sizeof v, "%s – %s", d0, d1);
    else
        snprintf(v, sizeof v, "none");
    r |= card(b, "dates", v);
    r |= dw_buf_puts(b, "</div>\n<h3>All figures (as <code>diwan info --json</code>)</h3>\n"
                        "<table><tr><th>figure</th><th>value</th></tr>\n");
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)o, key, val)
    {
        if (json_is_array(val))
            continue;
        r |= dw_buf_puts(b, "<tr><td><code>");
        r |= t(b, key);
        r |= dw_buf_puts(b, "</code></td>");
        if (json_is_integer(val))
            r |= td_int(b, val);
        else if (json_is_real(val))
            r |= td_pct(b, val);
        else
            r |= td_text(b, val);
        r |= dw_buf_puts(b, "</tr>\n");
    }
    r |= dw_buf_puts(b, "</table>\n<p class=\"note\">Exact duplicates: articles found that repeat an article already "
                        "seen (<code>duplicate_sightings / sightings</code>). Near duplicates: unique articles that "
                        "joined a cluster as near copies (<code>near_dup_articles / articles</code>).</p>\n");
    const json_t *q = json_object_get(o, "quarantine");
    r |= dw_buf_printf(b, "<h3>Quarantined inputs (%lld)</h3>\n", I("quarantined"));
    if (json_array_size(q)) {
        r |= dw_buf_puts(b, "<table><tr><th>input</th><th>offset</th><th>reason</th></tr>\n");
        for (size_t i = 0; i < json_array_size(q); i++) {
            const json_t *x = json_array_get(q, i);
            r |= dw_buf_puts(b, "<tr>");
            r |= td_text(b, json_object_get(x, "path"));
            r |= td_int(b, json_object_get(x, "offset"));
            r |= td_text(b, json_object_get(x, "reason"));
            r |= dw_buf_puts(b, "</tr>\n");
        }
        r |= dw_buf_puts(b, "</table>\n");
        if ((long long)json_array_size(q) < I("quarantined"))
            r |= dw_buf_printf(b, "<p class=\"note\">The first %zu are shown.</p>\n", json_array_size(q));
    } else {
        r |= dw_buf_puts(b, "<p>Nothing was quarantined.</p>\n");
    }
#undef I
    return r | dw_buf_puts(b, "</section>\n");
}

static int sec_sources(dw_buf *b, const json_t *m)
{
    const json_t *srcs = json_object_get(m, "sources");
    int r = dw_buf_puts(b, "<section id=\"sources\">\n<h2>Per outlet</h2>\n"
                           "<table><tr><th>outlet</th><th>articles</th><th>sightings</th><th>tokens</th>"
                           "<th>first date</th><th>last date</th><th>exact dup.</th><th>near dup.</th>"
                           "<th>also carried by other outlets</th><th>counted by stats</th></tr>\n");
    for (size_t i = 0; i < json_array_size(srcs); i++) {
        const json_t *o = json_array_get(srcs, i);
        r |= dw_buf_puts(b, "<tr>");
        r |= td_text(b, json_object_get(o, "name"));
        r |= td_int(b, json_object_get(o, "articles"));
        r |= td_int(b, json_object_get(o, "sightings"));
        r |= td_int(b, json_object_get(o, "tokens"));
        r |= td_date(b, json_object_get(o, "first_date"));
        r |= td_date(b, json_object_get(o, "last_date"));
        r |= td_pct(b, json_object_get(o, "exact_duplicate_rate"));
        r |= td_pct(b, json_object_get(o, "near_duplicate_rate"));
        r |= dw_buf_puts(b, "<td class=\"n\" dir=\"ltr\">");
        r |= rp_put_pct(b, json_object_get(o, "cross_outlet_share"));
        r |= dw_buf_puts(b, " (");
        r |= rp_put_int(b, json_object_get(o, "cross_outlet_articles"));
        r |= dw_buf_puts(b, " of ");
        r |= rp_put_int(b, json_object_get(o, "carried_articles"));
        r |= dw_buf_puts(b, ")</td>");
        r |= td_int(b, json_object_get(o, "counted_articles"));
        r |= dw_buf_puts(b, "</tr>\n");
    }
    if (json_array_size(srcs) == 0)
        r |= dw_buf_puts(b, "<tr><td colspan=\"10\">no outlet</td></tr>\n");
    r |= dw_buf_puts(b, "</table>\n<p class=\"note\">articles: unique articles whose primary sighting names the "
                        "outlet (as <code>diwan sources</code>); tokens and dates are theirs. Exact dup.: sightings "
                        "naming the outlet that repeat an article it already carried. Near dup.: its articles that "
                        "joined a cluster as near copies. Also carried: articles it carried that another outlet "
                        "carried too. Distinctive terms: weighted log-odds with an informative Dirichlet prior "
                        "(Monroe et al. 2008) of the outlet against the rest of the corpus, as a z-score.</p>\n");
    if (json_array_size(srcs) && json_is_null(json_object_get(json_array_get(srcs, 0), "top_terms"))) {
        r |= dw_buf_puts(b, "<h3>Top and distinctive terms per outlet</h3>\n");
        return r | needs_stats(b, m) | dw_buf_puts(b, "</section>\n");
    }
    r |= dw_buf_puts(b, "<div class=\"outlets\">\n");
    for (size_t i = 0; i < json_array_size(srcs); i++) {
        const json_t *o = json_array_get(srcs, i);
        r |= dw_buf_puts(b, "<div class=\"outlet\"><h3>");
        r |= term(b, json_string_value(json_object_get(o, "name")));
        r |= dw_buf_puts(b, "</h3>\n");
        if (json_is_null(json_object_get(o, "top_terms"))) {
            r |= needs_stats(b, m);
        } else {
            r |= dw_buf_puts(b, "<div class=\"pair\"><div><b>Top terms</b>\n");
            r |= terms_table(b, json_object_get(o, "top_terms"), 0);
            r |= dw_buf_puts(b, "</div><div><b>Distinctive terms</b>\n");
            r |= terms_table(b, json_object_get(o, "distinctive_terms"), 1);
            r |= dw_buf_puts(b, "</div></div>\n");
        }
        r |= dw_buf_puts(b, "</div>\n");
    }
    r |= dw_buf_puts(b, "</div>\n");
    return r | dw_buf_puts(b, "</section>\n");
}

static int sec_time(dw_buf *b, const json_t *m)
{
    const json_t *tm = json_object_get(m, "time");
    int r = dw_buf_puts(b, "<section id=\"time\">\n<h2>Articles per month</h2>\n");
    if (json_array_size(json_object_get(tm, "months")) == 0)
        return r | dw_buf_puts(b, "<p>No article is dated.</p>\n</section>\n");
    r |= dw_buf_puts(b, "<figure>\n");
    r |= rp_svg_months(b, tm);
    r |= dw_buf_puts(b, "<figcaption class=\"note\">Unique articles by the month of their date and their "
                        "primary outlet; the legend gives each outlet's dated articles (undated articles are left "
                        "out).</figcaption>\n</figure>\n");
    return r | dw_buf_puts(b, "</section>\n");
}

static int lengths_block(dw_buf *b, const json_t *l, const char *title, const char *unit)
{
    int r = dw_buf_printf(b, "<div><h3>%s</h3>\n", title);
    r |= rp_svg_hist(b, l, unit);
    r |= dw_buf_puts(b, "<p class=\"note\" dir=\"ltr\">");
    r |= dw_buf_printf(b, "%lld articles; mean %.1f, median %lld, 90th percentile %lld, max %lld %s; bins of %lld",
                       (long long)json_integer_value(json_object_get(l, "articles")),
                       json_number_value(json_object_get(l, "mean")),
                       (long long)json_integer_value(json_object_get(l, "median")),
                       (long long)json_integer_value(json_object_get(l, "p90")),
                       (long long)json_integer_value(json_object_get(l, "max")), unit,
                       (long long)json_integer_value(json_object_get(l, "bin_width")));
    return r | dw_buf_puts(b, ", the last open (99th percentile and above).</p></div>\n");
}

static int sec_distributions(dw_buf *b, const json_t *m)
{
    const json_t *s = json_object_get(m, "stats");
    int r = dw_buf_puts(b, "<section id=\"lengths\">\n<h2>Article lengths</h2>\n");
    if (json_is_null(s)) {
        r |= needs_stats(b, m);
    } else {
        const json_t *l = json_object_get(s, "lengths");
        r |= dw_buf_puts(b, "<div class=\"grid\">\n");
        r |= lengths_block(b, json_object_get(l, "tokens"), "In tokens", "tokens");
        r |= lengths_block(b, json_object_get(l, "chars"), "In characters", "characters");
        r |= dw_buf_puts(b, "</div>\n");
    }
    /* the two log-log plots side by side */
    r |= dw_buf_puts(b, "</section>\n<div class=\"grid\">\n<section id=\"zipf\">\n<h2>Rank and frequency (Zipf)</h2>\n");
    if (json_is_null(s)) {
        r |= needs_stats(b, m);
    } else {
        const json_t *z = json_object_get(s, "zipf"), *fit = json_object_get(z, "fit");
        char cap[160];
        double ex = json_number_value(json_object_get(fit, "exponent"));
        snprintf(cap, sizeof cap, "fit: f = C r^-s, s = %.3f (ranks 1 to %lld)", ex,
                 (long long)json_integer_value(json_object_get(fit, "rank_to")));
        r |= rp_svg_loglog(b, json_object_get(z, "points"), json_number_value(json_object_get(fit, "log10_c")), -ex,
                           1, json_is_null(json_object_get(fit, "exponent"))
                                  ? 0
                                  : (double)json_integer_value(json_object_get(fit, "rank_to")),
                           "rank", "frequency", cap);
        r |= dw_buf_printf(b,
                           "<p class=\"note\" dir=\"ltr\">%lld word types, %lld tokens. Least squares of log f on "
                           "log r over ranks 1 to %lld (the last rank with frequency &ge; %lld), at %lld "
                           "log-spaced ranks (every rank to 10, then 20 per decade); exponent s = %.3f.</p>\n",
                           (long long)json_integer_value(json_object_get(z, "types")),
                           (long long)json_integer_value(json_object_get(z, "tokens")),
                           (long long)json_integer_value(json_object_get(fit, "rank_to")),
                           (long long)json_integer_value(json_object_get(fit, "min_count")),
                           (long long)json_integer_value(json_object_get(fit, "points")), ex);
    }
    r |= dw_buf_puts(b, "</section>\n<section id=\"heaps\">\n<h2>Vocabulary growth (Heaps)</h2>\n");
    const json_t *h = json_object_get(m, "heaps"), *hf = json_object_get(h, "fit");
    double beta = json_number_value(json_object_get(hf, "beta")), k = json_number_value(json_object_get(hf, "k"));
    char cap[160];
    snprintf(cap, sizeof cap, "fit: V = K n^b, K = %.2f, b = %.3f", k, beta);
    double tok = (double)json_integer_value(json_object_get(h, "tokens"));
    r |= rp_svg_loglog(b, json_object_get(h, "points"), log10(k > 0 ? k : 1), beta, 100,
                       json_is_null(json_object_get(hf, "beta")) ? 0 : tok, "tokens read", "distinct words", cap);
    r |= dw_buf_printf(b,
                       "<p class=\"note\" dir=\"ltr\">%lld articles (those <code>diwan stats</code> counts) read in "
                       "the order of their content hash: %lld tokens, %lld distinct words (normalized as the "
                       "statistics are). Least squares of log V on log n over the %lld points from 100 tokens on "
                       "(10 per decade); K = %.3f, &beta; = %.3f.%s</p>\n",
                       (long long)json_integer_value(json_object_get(h, "articles")), (long long)tok,
                       (long long)json_integer_value(json_object_get(h, "types")),
                       (long long)json_integer_value(json_object_get(hf, "points")), k, beta,
                       json_is_true(json_object_get(h, "truncated")) ? " The curve stops where the set of distinct "
                                                                       "words reached its cap."
                                                                     : "");
    return r | dw_buf_puts(b, "</section>\n</div>\n");
}

static int sec_ngrams(dw_buf *b, const json_t *m)
{
    const json_t *s = json_object_get(m, "stats");
    int r = dw_buf_puts(b, "<section id=\"ngrams\">\n<h2>Top n-grams</h2>\n");
    if (json_is_null(s))
        return r | needs_stats(b, m) | dw_buf_puts(b, "</section>\n");
    const json_t *sum = json_object_get(s, "summary");
    r |= dw_buf_puts(b, "<table><tr><th>n</th><th>articles</th><th>types</th><th>tokens</th><th>hapax</th></tr>\n");
    for (size_t i = 0; i < json_array_size(sum); i++) {
        const json_t *o = json_array_get(sum, i);
        r |= dw_buf_puts(b, "<tr>");
        r |= td_int(b, json_object_get(o, "n"));
        r |= td_int(b, json_object_get(o, "articles"));
        r |= td_int(b, json_object_get(o, "types"));
        r |= td_int(b, json_object_get(o, "tokens"));
        r |= td_int(b, json_object_get(o, "hapax"));
        r |= dw_buf_puts(b, "</tr>\n");
    }
    r |= dw_buf_puts(b, "</table>\n<div class=\"grid\">\n");
    static const char *const titles[] = {"Words", "Bigrams", "Trigrams"};
    for (int n = 1; n <= 3; n++) {
        char key[16];
        snprintf(key, sizeof key, "%d", n);
        r |= dw_buf_printf(b, "<div><h3>%s</h3>\n", titles[n - 1]);
        r |= terms_table(b, json_object_get(json_object_get(s, "ngrams"), key), 0);
        r |= dw_buf_puts(b, "</div>\n");
    }
    return r | dw_buf_puts(b, "</div>\n</section>\n");
}

static int sec_collocations(dw_buf *b, const json_t *m)
{
    const json_t *s = json_object_get(m, "stats");
    int r = dw_buf_puts(b, "<section id=\"collocations\">\n<h2>Collocations</h2>\n");
    if (json_is_null(s)) {
        r |= needs_stats(b, m);
    } else if (!rp_pairs_counted(s)) {
        r |= no_pairs(b);
    } else {
        const json_t *co = json_object_get(s, "collocations");
        r |= dw_buf_puts(b, "<h3>By PMI</h3>\n");
        r |= pairs_table(b, json_object_get(co, "pmi"));
        r |= dw_buf_puts(b, "<h3>By log-likelihood (G&sup2;)</h3>\n");
        r |= pairs_table(b, json_object_get(co, "llr"));
    }
    r |= dw_buf_puts(b, "</section>\n<section id=\"neighbours\">\n<h2>Neighbours of the most frequent content "
                        "words</h2>\n");
    if (json_is_null(s))
        return r | needs_stats(b, m) | dw_buf_puts(b, "</section>\n");
    if (!rp_pairs_counted(s))
        return r | no_pairs(b) | dw_buf_puts(b, "</section>\n");
    const json_t *nb = json_object_get(s, "neighbours");
    if (json_array_size(nb) == 0)
        return r | dw_buf_puts(b, "<p>No pair was counted at least <code>--min-count</code> (") |
               rp_put_param_int(b, s, "min_count") |
               dw_buf_puts(b, ") times.</p>\n</section>\n");
    r |= dw_buf_puts(b, "<table><tr><th>word</th><th>count</th><th>neighbours (pair count)</th></tr>\n");
    for (size_t i = 0; i < json_array_size(nb); i++) {
        const json_t *o = json_array_get(nb, i), *na = json_object_get(o, "neighbours");
        r |= dw_buf_puts(b, "<tr>");
        r |= td_text(b, json_object_get(o, "term"));
        r |= td_int(b, json_object_get(o, "count"));
        r |= dw_buf_puts(b, "<td class=\"t\" dir=\"auto\">");
        for (size_t j = 0; j < json_array_size(na); j++) {
            const json_t *x = json_array_get(na, j);
            /* plain text, not <bdi>: the cell's auto direction then follows
             * the first neighbour (right to left for Arabic) */
            r |= dw_buf_puts(b, j ? "، " : "");
            r |= t(b, json_string_value(json_object_get(x, "term")));
            r |= dw_buf_puts(b, " <span dir=\"ltr\">(");
            r |= rp_put_real(b, json_object_get(x, "count"), json_is_integer(json_object_get(x, "count")) ? 0 : 3);
            r |= dw_buf_puts(b, ")</span>");
        }
        r |= dw_buf_puts(b, "</td></tr>\n");
    }
    r |= dw_buf_puts(b, "</table>\n<p class=\"note\">Content words: the most frequent words with a "
                        "co-occurrence pair counted at least <code>--min-count</code> times (stop words have "
                        "none); neighbours as <code>diwan cooc WORD</code> "
                        "lists them.</p>\n");
    return r | dw_buf_puts(b, "</section>\n");
}

static int sec_clusters(dw_buf *b, const json_t *m)
{
    const json_t *cl = json_object_get(m, "clusters");
    int r = dw_buf_puts(b, "<section id=\"clusters\">\n<h2>Largest duplicate clusters</h2>\n");
    if (json_array_size(cl) == 0)
        r |= dw_buf_puts(b, "<p>No near-duplicate cluster of two or more articles.</p>\n");
    for (size_t i = 0; i < json_array_size(cl); i++) {
        const json_t *c = json_array_get(cl, i), *mem = json_object_get(c, "members");
        r |= dw_buf_printf(b, "<h3>Cluster <span dir=\"ltr\">%lld</span>: %lld articles, %lld sightings</h3>\n",
                           (long long)json_integer_value(json_object_get(c, "cluster")),
                           (long long)json_integer_value(json_object_get(c, "articles")),
                           (long long)json_integer_value(json_object_get(c, "sightings")));
        r |= dw_buf_puts(b, "<table><tr><th>article</th><th>join</th><th>similarity</th><th>date</th><th>outlet</th>"
                            "<th>sightings</th><th>title</th></tr>\n");
        for (size_t j = 0; j < json_array_size(mem); j++) {
            const json_t *o = json_array_get(mem, j);
            r |= dw_buf_puts(b, "<tr>");
            r |= td_int(b, json_object_get(o, "article"));
            r |= td_text(b, json_object_get(o, "join"));
            r |= td_real(b, json_object_get(o, "similarity"), 3);
            r |= td_date(b, json_object_get(o, "date"));
            r |= td_text(b, json_object_get(o, "source"));
            r |= td_int(b, json_object_get(o, "sightings"));
            r |= td_text(b, json_object_get(o, "title"));
            r |= dw_buf_puts(b, "</tr>\n");
        }
        r |= dw_buf_puts(b, "</table>\n");
    }
    return r | dw_buf_puts(b, "</section>\n");
}

static int sec_lines(dw_buf *b, const json_t *m)
{
    const json_t *o = json_object_get(m, "repeated_lines"), *ls = json_object_get(o, "lines");
    int r = dw_buf_puts(b, "<section id=\"lines\">\n<h2>Repeated lines</h2>\n");
    if (json_array_size(ls) == 0)
        return r | dw_buf_puts(b, "<p>No body line is found in two articles or more.</p>\n</section>\n");
    r |= dw_buf_puts(b, "<table><tr><th>#</th><th>line</th><th>articles</th><th>share</th><th>outlets</th>"
                        "<th>mostly in</th></tr>\n");
    for (size_t i = 0; i < json_array_size(ls); i++) {
        const json_t *x = json_array_get(ls, i);
        r |= dw_buf_printf(b, "<tr><td class=\"n\" dir=\"ltr\">%zu</td>", i + 1);
        r |= td_text(b, json_object_get(x, "line"));
        r |= td_int(b, json_object_get(x, "articles"));
        r |= td_pct(b, json_object_get(x, "share"));
        r |= td_int(b, json_object_get(x, "outlets"));
        r |= dw_buf_puts(b, "<td class=\"t\" dir=\"auto\">");
        const json_t *top = json_object_get(x, "top_outlet");
        r |= t(b, json_is_string(top) ? json_string_value(top) : "(unknown outlet)");
        r |= dw_buf_printf(b, " <span dir=\"ltr\">(%lld)</span></td></tr>\n",
                           (long long)json_integer_value(json_object_get(x, "top_outlet_articles")));
    }
    r |= dw_buf_printf(b, "</table>\n<p class=\"note\">The body lines (of up to %lld bytes) found in the most of "
                          "the %lld articles (near-duplicate copies left out), counted once per article: bylines, "
                          "sign-offs, adverts and page furniture that a scraper kept are found here.</p>\n",
                       (long long)json_integer_value(json_object_get(o, "max_bytes")),
                       (long long)json_integer_value(json_object_get(o, "articles")));
    return r | dw_buf_puts(b, "</section>\n");
}

dw_rc dw_report_write_html(const json_t *m, FILE *out, dw_err *e)
{
    dw_buf b = DW_BUF_INIT;
    const json_t *rep = json_object_get(m, "report");
    const char *db = json_string_value(json_object_get(rep, "database"));
    int r = dw_buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\" dir=\"ltr\">\n<head>\n<meta charset=\"utf-8\">\n"
                            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    r |= t(&b, "Corpus report: ");
    r |= t(&b, db);
    r |= dw_buf_printf(&b, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<header>\n<h1>Corpus report: ", css);
    r |= term(&b, db);
    r |= dw_buf_puts(&b, "</h1>\n<p class=\"note\">");
    r |= t(&b, json_string_value(json_object_get(rep, "generator")));
    if (json_is_string(json_object_get(rep, "date"))) {
        r |= dw_buf_puts(&b, ", <span dir=\"ltr\">");
        r |= t(&b, json_string_value(json_object_get(rep, "date")));
        r |= dw_buf_puts(&b, "</span>");
    }
    r |= dw_buf_printf(&b, "; at most %lld rows per table.",
                       (long long)json_integer_value(json_object_get(rep, "limit")));
    const json_t *needs = json_object_get(rep, "needs_stats");
    if (json_array_size(needs))
        r |= dw_buf_puts(&b, " Statistics were not computed: the sections on terms, lengths, Zipf, n-grams and "
                             "collocations need <code>diwan stats</code>.");
    r |= dw_buf_puts(&b, "</p>\n<nav><a href=\"#overview\">Overview</a><a href=\"#sources\">Outlets</a>"
                         "<a href=\"#time\">Time</a><a href=\"#lengths\">Lengths</a><a href=\"#zipf\">Zipf</a>"
                         "<a href=\"#heaps\">Heaps</a><a href=\"#ngrams\">N-grams</a>"
                         "<a href=\"#collocations\">Collocations</a><a href=\"#neighbours\">Neighbours</a>"
                         "<a href=\"#clusters\">Clusters</a><a href=\"#lines\">Lines</a></nav>\n</header>\n<main>\n");
    r |= sec_overview(&b, m);
    r |= sec_sources(&b, m);
    r |= sec_time(&b, m);
    r |= sec_distributions(&b, m);
    r |= sec_ngrams(&b, m);
    r |= sec_collocations(&b, m);
    r |= sec_clusters(&b, m);
    r |= sec_lines(&b, m);
    r |= dw_buf_puts(&b, "</main>\n</body>\n</html>\n");
    if (r) {
        dw_buf_free(&b);
        return dw_err_set(e, DW_ENOMEM, "out of memory");
    }
    size_t len = b.len, w = fwrite(b.data, 1, len, out);
    dw_buf_free(&b);
    if (w != len)
        return dw_err_set(e, DW_EIO, "write error");
    return DW_OK;
}
