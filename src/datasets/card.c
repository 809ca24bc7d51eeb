/* card.c: croissant.json and README.md of a release, from its manifest
 * (see card.h). Keys are emitted in sorted order wherever the manifest has
 * objects (outlets, months), so the outputs are byte-stable. */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "datasets/card.h"

/* Iteration over jansson arrays and objects, spelled out so that cppcheck,
 * which does not read jansson.h, understands the loops. */
#define DW_JSON_ARRAY_EACH(arr, i, v) for ((i) = 0; (i) < json_array_size(arr) && ((v) = json_array_get((arr), (i))); (i)++)
#define DW_JSON_OBJECT_EACH(obj, k, v)                                                                       \
    for (void *it_##v = json_object_iter((json_t *)(obj));                                                  \
         it_##v && ((k) = json_object_iter_key(it_##v), (v) = json_object_iter_value(it_##v), 1);            \
         it_##v = json_object_iter_next((json_t *)(obj), it_##v))

/* Croissant data type of a manifest column type. */
static const char *card_cr_type(const char *t)
{
    if (!strcmp(t, "integer"))
        return "sc:Integer";
    if (!strcmp(t, "date"))
        return "sc:Date";
    return "sc:Text";
}

/* Hugging Face dtype of a manifest column type (dates stay strings, as
 * pandas and datasets read them from CSV). */
static const char *card_hf_type(const char *t) { return !strcmp(t, "integer") ? "int64" : "string"; }

static const char *card_str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static long long card_int(const json_t *o, const char *k) { return (long long)json_integer_value(json_object_get(o, k)); }

json_t *dw_card_croissant(const json_t *man)
{
    static const char *const ctx[][2] = {
        {"@language", "en"}, {"@vocab", "https://schema.org/"}, {"citeAs", "cr:citeAs"}, {"column", "cr:column"},
        {"conformsTo", "dct:conformsTo"}, {"cr", "http://mlcommons.org/croissant/"},
        {"rai", "http://mlcommons.org/croissant/RAI/"}, {"dct", "http://purl.org/dc/terms/"},
        {"extract", "cr:extract"}, {"field", "cr:field"}, {"fileProperty", "cr:fileProperty"},
        {"fileObject", "cr:fileObject"}, {"fileSet", "cr:fileSet"}, {"format", "cr:format"},
        {"includes", "cr:includes"}, {"isLiveDataset", "cr:isLiveDataset"}, {"jsonPath", "cr:jsonPath"},
        {"key", "cr:key"}, {"md5", "cr:md5"}, {"parentField", "cr:parentField"}, {"path", "cr:path"},
        {"recordSet", "cr:recordSet"}, {"references", "cr:references"}, {"regex", "cr:regex"},
        {"repeated", "cr:repeated"}, {"replace", "cr:replace"}, {"sc", "https://schema.org/"},
        {"separator", "cr:separator"}, {"source", "cr:source"}, {"subField", "cr:subField"},
        {"transform", "cr:transform"}};
    json_t *j = json_object(), *c = json_object();
    for (size_t i = 0; i < sizeof ctx / sizeof *ctx; i++)
        json_object_set_new(c, ctx[i][0], json_string(ctx[i][1]));
    json_t *data = json_object(), *dt = json_object(), *ex = json_object();
    json_object_set_new(data, "@id", json_string("cr:data"));
    json_object_set_new(data, "@type", json_string("@json"));
    json_object_set_new(dt, "@id", json_string("cr:dataType"));
    json_object_set_new(dt, "@type", json_string("@vocab"));
    json_object_set_new(ex, "@id", json_string("cr:examples"));
    json_object_set_new(ex, "@type", json_string("@json"));
    json_object_set_new(c, "data", data);
    json_object_set_new(c, "dataType", dt);
    json_object_set_new(c, "examples", ex);
    json_object_set_new(j, "@context", c);
    json_object_set_new(j, "@type", json_string("sc:Dataset"));
    json_object_set_new(j, "conformsTo", json_string("http://mlcommons.org/croissant/1.0"));
    json_object_set_new(j, "name", json_string("diwan-arabic-news"));
    json_object_set_new(j, "description",
                        json_string("Deduplicated Arabic news articles with train/validation/test splits that "
                                    "keep near-duplicates together, written by diwan"));
    json_t *tool = json_object_get(man, "tool");
    json_object_set_new(j, "version", json_string(card_str(tool, "version")));
    const char *date = json_string_value(json_object_get(man, "date"));
    if (date)
        json_object_set_new(j, "datePublished", json_string(date));
    json_object_set_new(j, "inLanguage", json_string("ar"));
    json_t *dist = json_array();
    size_t i;
    json_t *f;
    DW_JSON_ARRAY_EACH(json_object_get(man, "files"), i, f)
    {
        json_t *fo = json_object();
        const char *name = card_str(f, "name");
        json_object_set_new(fo, "@type", json_string("cr:FileObject"));
        json_object_set_new(fo, "@id", json_string(name));
        json_object_set_new(fo, "name", json_string(name));
        json_object_set_new(fo, "contentUrl", json_string(name));
        json_object_set_new(fo, "contentSize", json_sprintf("%lld B", card_int(f, "bytes")));
        json_object_set_new(fo, "encodingFormat", json_string("text/csv"));
        json_object_set_new(fo, "sha256", json_string(card_str(f, "sha256")));
        json_array_append_new(dist, fo);
    }
    /* one file set per split, so that sharded splits are one record set */
    json_t *rsets = json_array();
    const char *sname;
    json_t *sv;
    DW_JSON_OBJECT_EACH((json_t *)json_object_get(man, "splits"), sname, sv)
    {
        json_t *fs = json_object();
        char *id = NULL;
        json_object_set_new(fs, "@type", json_string("cr:FileSet"));
        json_object_set_new(fs, "@id", json_sprintf("%s-files", sname));
        json_object_set_new(fs, "name", json_sprintf("%s-files", sname));
        json_object_set_new(fs, "encodingFormat", json_string("text/csv"));
        json_object_set_new(fs, "includes", json_sprintf("%s*.csv.zst", sname));
        json_array_append_new(dist, fs);
        json_t *rs = json_object(), *fields = json_array();
        json_object_set_new(rs, "@type", json_string("cr:RecordSet"));
        json_object_set_new(rs, "@id", json_string(sname));
        json_object_set_new(rs, "name", json_string(sname));
        json_object_set_new(rs, "description", json_sprintf("the %s split: %lld rows", sname, card_int(sv, "rows")));
        size_t k;
        json_t *col;
        DW_JSON_ARRAY_EACH(json_object_get(man, "columns"), k, col)
        {
            const char *cn = card_str(col, "name");
            json_t *fd = json_object(), *src = json_object(), *fsr = json_object(), *exr = json_object();
            json_object_set_new(fd, "@type", json_string("cr:Field"));
            json_object_set_new(fd, "@id", json_sprintf("%s/%s", sname, cn));
            json_object_set_new(fd, "name", json_string(cn));
            json_object_set_new(fd, "description", json_string(card_str(col, "description")));
            json_object_set_new(fd, "dataType", json_string(card_cr_type(card_str(col, "type"))));
            json_object_set_new(fsr, "@id", json_sprintf("%s-files", sname));
            json_object_set_new(src, "fileSet", fsr);
            json_object_set_new(exr, "column", json_string(cn));
            json_object_set_new(src, "extract", exr);
            json_object_set_new(fd, "source", src);
            json_array_append_new(fields, fd);
        }
        json_object_set_new(rs, "field", fields);
        json_array_append_new(rsets, rs);
        free(id);
    }
    json_object_set_new(j, "distribution", dist);
    json_object_set_new(j, "recordSet", rsets);
    return j;
}

/* Compares two C strings through pointers, for qsort. */
static int card_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Sums the counts of obj key k over every split into a new object. */
static json_t *card_sum(const json_t *splits, const char *k)
{
    json_t *sum = json_object();
    const char *sn, *key;
    json_t *sv, *v;
    DW_JSON_OBJECT_EACH((json_t *)splits, sn, sv)
    {
        (void)sn;
        DW_JSON_OBJECT_EACH(json_object_get(sv, k), key, v)
        {
            json_t *cur = json_object_get(sum, key);
            if (cur)
                json_integer_set(cur, json_integer_value(cur) + json_integer_value(v));
            else
                json_object_set_new(sum, key, json_integer(json_integer_value(v)));
        }
    }
    return sum;
}

/* The keys of obj, sorted (caller frees the array, not the strings). */
static const char **card_keys(const json_t *obj, size_t *n)
{
    *n = json_object_size(obj);
    const char **ks = calloc(*n ? *n : 1, sizeof *ks);
    if (!ks)
        return NULL;
    size_t i = 0;
    const char *k;
    json_t *v;
    DW_JSON_OBJECT_EACH((json_t *)obj, k, v)
    {
        (void)v;
        ks[i++] = k;
    }
    qsort(ks, *n, sizeof *ks, card_cmp);
    return ks;
}

/* Escapes s for a Markdown table cell (| and newlines). */
static void card_cell(dw_buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            dw_buf_puts(b, "\\|");
        else if (*s == '\n' || *s == '\r')
            dw_buf_putc(b, ' ');
        else
            dw_buf_putc(b, *s);
    }
}

char *dw_card_readme(const json_t *man)
{
    static const char *const order[] = {"train", "validation", "test"};
    const json_t *splits = json_object_get(man, "splits"), *opts = json_object_get(man, "options"),
                 *dd = json_object_get(man, "dedup"), *lk = json_object_get(man, "leakage"),
                 *dbj = json_object_get(man, "database");
    dw_buf b = DW_BUF_INIT;
    dw_buf_puts(&b, "---\nconfigs:\n- config_name: default\n  data_files:\n");
    for (int s = 0; s < 3; s++)
        if (json_object_get(splits, order[s]))
            dw_buf_printf(&b, "  - split: %s\n    path: %s*.csv.zst\n", order[s], order[s]);
    dw_buf_puts(&b, "dataset_info:\n  features:\n");
    size_t i;
    json_t *col, *f;
    DW_JSON_ARRAY_EACH(json_object_get(man, "columns"), i, col)
        dw_buf_printf(&b, "  - name: %s\n    dtype: %s\n", card_str(col, "name"), card_hf_type(card_str(col, "type")));
    dw_buf_puts(&b, "  splits:\n");
    long long total_bytes = 0, dataset_bytes = 0;
    for (int s = 0; s < 3; s++) {
        const json_t *sv = json_object_get(splits, order[s]);
        if (!sv)
            continue;
        long long nb = 0, zb = 0;
        DW_JSON_ARRAY_EACH(json_object_get(man, "files"), i, f)
        {
            if (!strcmp(card_str(f, "split"), order[s])) {
                nb += card_int(f, "csv_bytes");
                zb += card_int(f, "bytes");
            }
        }
        total_bytes += zb;
        dataset_bytes += nb;
        dw_buf_printf(&b, "  - name: %s\n    num_bytes: %lld\n    num_examples: %lld\n", order[s], nb,
                      card_int(sv, "rows"));
    }
    dw_buf_printf(&b, "  download_size: %lld\n  dataset_size: %lld\n", total_bytes, dataset_bytes);
    dw_buf_puts(&b, "language:\n- ar\ntask_categories:\n- text-generation\n- text-classification\n"
                    "pretty_name: Arabic news (diwan release)\n---\n\n");
    dw_buf_puts(&b, "# Arabic news (diwan release)\n\n");
    dw_buf_printf(&b, "Written by diwan %s", card_str(json_object_get(man, "tool"), "version"));
    const char *date = json_string_value(json_object_get(man, "date"));
    if (date)
        dw_buf_printf(&b, " on %s", date);
    dw_buf_printf(&b, " from a database fingerprinted `%s`. `manifest.json` holds every figure below and the "
                      "exact options; `diwan verify` checks the files against it.\n\n",
                  card_str(dbj, "fingerprint"));
    dw_buf_puts(&b, "## Composition\n\n| split | rows | files | bytes |\n|---|---|---|---|\n");
    for (int s = 0; s < 3; s++) {
        const json_t *sv = json_object_get(splits, order[s]);
        if (!sv)
            continue;
        long long nb = 0;
        DW_JSON_ARRAY_EACH(json_object_get(man, "files"), i, f) if (!strcmp(card_str(f, "split"), order[s])) nb +=
            card_int(f, "bytes");
        dw_buf_printf(&b, "| %s | %lld | %zu | %lld |\n", order[s], card_int(sv, "rows"),
                      json_array_size(json_object_get(sv, "files")), nb);
    }
    dw_buf_puts(&b, "\nOne row per news article. Columns:\n\n| column | type | meaning |\n|---|---|---|\n");
    DW_JSON_ARRAY_EACH(json_object_get(man, "columns"), i, col)
    {
        dw_buf_printf(&b, "| `%s` | %s | ", card_str(col, "name"), card_str(col, "type"));
        card_cell(&b, card_str(col, "description"));
        dw_buf_puts(&b, " |\n");
    }
    dw_buf_puts(&b, "\nFiles are CSV (RFC 4180, UTF-8 without BOM, a header row, CRLF line ends, text fields "
                    "quoted; bodies keep their LF line breaks inside quotes), compressed with zstd (frames with "
                    "checksums). In pandas: `pd.read_csv('train.csv.zst', keep_default_na=False)`.\n\n");
    json_t *months = card_sum(splits, "by_month");
    size_t nm = 0;
    const char **mk = card_keys(months, &nm);
    if (mk && nm)
        dw_buf_printf(&b, "Dates range over %s to %s (months with rows; `undated` counts rows without a date).\n\n",
                      mk[0], nm > 1 && !strcmp(mk[nm - 1], "undated") ? mk[nm - 2] : mk[nm - 1]);
    free(mk);
    json_decref(months);
    dw_buf_puts(&b, "## Collection\n\nScraped Arabic news pages (title, date line, body, source line, "
                    "keywords, related articles), TREC records and JSON dumps, ingested by `diwan ingest`. "
                    "Title, body, date and outlet are those of the article's primary sighting (earliest dated, "
                    "known outlet first); the text is as the source wrote it, cleaned only of invalid bytes, BOM "
                    "and line-ending noise.\n\n");
    dw_buf_printf(&b, "## Preprocessing\n\nNormalization version %s (NFKC, diacritics and tatweel dropped, alef "
                      "and digit folding; teh marbuta: %s) is used for ids, deduplication, token counts and the "
                      "leakage check, never for the published text. Options: ",
                  card_str(dbj, "norm_version"), card_str(dbj, "teh_marbuta"));
    char *fo = json_dumps(opts, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(10));
    dw_buf_printf(&b, "`%s`.\n\n", fo ? fo : "");
    free(fo);
    dw_buf_printf(&b,
                  "## Deduplication\n\nExact duplicates (same normalized body) are one article; near-duplicates "
                  "(MinHash + LSH, Jaccard of word bigrams >= 0.8 or containment) form clusters. Assignment: %s. "
                  "A cluster is never split: its split is a function of the seed and its representative's "
                  "content hash (or date). Selected clusters: %lld; their articles: %lld; rows: %lld; "
                  "near-duplicates dropped: %lld.\n\n",
                  card_str(man, "assignment"), card_int(dd, "clusters"), card_int(dd, "articles"),
                  card_int(dd, "rows"), card_int(dd, "duplicates_dropped"));
    dw_buf_printf(&b, "Leakage: %lld near-duplicate pairs across splits", card_int(lk, "near_duplicate_pairs_across_splits"));
    if (json_object_get(lk, "test_ngrams"))
        dw_buf_printf(&b, "; %lld of %lld test 13-grams (%.4f%%, sample modulus %lld) also occur in train",
                      card_int(lk, "test_ngrams_in_train"), card_int(lk, "test_ngrams"),
                      100.0 * json_number_value(json_object_get(lk, "test_ngram_share_in_train")),
                      card_int(lk, "sample_modulus"));
    dw_buf_puts(&b, ".\n\n## Sources and attribution\n\nThe text belongs to the outlets below; cite them and "
                    "respect their terms.\n\n| outlet | rows |\n|---|---|\n");
    json_t *srcs = card_sum(splits, "by_source");
    size_t ns = 0;
    const char **sk = card_keys(srcs, &ns);
    for (size_t k = 0; sk && k < ns; k++) {
        dw_buf_puts(&b, "| ");
        card_cell(&b, sk[k]);
        dw_buf_printf(&b, " | %lld |\n", (long long)json_integer_value(json_object_get(srcs, sk[k])));
    }
    free(sk);
    json_decref(srcs);
    dw_buf_puts(&b, "\n## Known limits\n\n- Outlets and dates come from the pages; an article without a source "
                    "line has an unknown outlet (`source` empty), one without a date an empty `published`.\n"
                    "- Near-duplicate detection is probabilistic (about 95% recall on edited copies); "
                    "paraphrases are not detected.\n"
                    "- The 13-gram overlap counts shared phrases (quotes, boilerplate), not only leaked "
                    "stories.\n- Scraped news may contain errors, bias and personal names.\n\n");
    dw_buf_puts(&b, "## Files\n\n| file | split | rows | bytes | sha256 |\n|---|---|---|---|---|\n");
    DW_JSON_ARRAY_EACH(json_object_get(man, "files"), i, f)
        dw_buf_printf(&b, "| %s | %s | %lld | %lld | `%s` |\n", card_str(f, "name"), card_str(f, "split"),
                      card_int(f, "rows"), card_int(f, "bytes"), card_str(f, "sha256"));
    if (!b.data)
        return NULL;
    return dw_buf_detach(&b, NULL);
}
