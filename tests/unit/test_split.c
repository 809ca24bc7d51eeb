/* test_split.c: dataset releases (src/datasets): SHA-256 vectors, release
 * file names, the bounded 13-gram set, and `diwan split` / `diwan verify`
 * end to end on the sample corpus: reproducibility (threads, input order),
 * assignment rules, filters, shards, pandas loading, verify's findings. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csv.h>
#include <jansson.h>
#include <sqlite3.h>
#include <zstd.h>

#include "core/buf.h"
#include "core/grams.h"
#include "core/norm.h"
#include "datasets/csvq.h"
#include "datasets/leak.h"
#include "datasets/sha256.h"
#include "datasets/split.h"
#include "helpers.h"

/* Iteration over jansson arrays and objects, spelled out so that cppcheck,
 * which does not read jansson.h, understands the loops. */
#define DW_JSON_ARRAY_EACH(arr, i, v) for ((i) = 0; (i) < json_array_size(arr) && ((v) = json_array_get((arr), (i))); (i)++)
#define DW_JSON_OBJECT_EACH(obj, k, v)                                                                       \
    for (void *it_##v = json_object_iter((json_t *)(obj));                                                  \
         it_##v && ((k) = json_object_iter_key(it_##v), (v) = json_object_iter_value(it_##v), 1);            \
         it_##v = json_object_iter_next((json_t *)(obj), it_##v))

/* ---- SHA-256 (FIPS 180-2 appendix B vectors) ---- */

static void sha_hex(const void *p, size_t n, char out[65])
{
    dw_sha256 s;
    dw_sha256_init(&s);
    dw_sha256_update(&s, p, n);
    dw_sha256_hex(&s, out);
}

/* The FIPS 180-2 vectors with the block function in use. */
static void sha_check_fips(void)
{
    char h[65];
    sha_hex("abc", 3, h);
    cr_assert_str_eq(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sha_hex(m448, strlen(m448), h);
    cr_assert_str_eq(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    sha_hex("", 0, h);
    cr_assert_str_eq(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    /* one million 'a', fed in uneven pieces */
    char *a = malloc(1000000);
    memset(a, 'a', 1000000);
    dw_sha256 s;
    dw_sha256_init(&s);
    size_t off = 0, step = 1;
    while (off < 1000000) {
        size_t n = 1000000 - off < step ? 1000000 - off : step;
        dw_sha256_update(&s, a + off, n);
        off += n;
        step = step * 3 % 997 + 1;
    }
    dw_sha256_hex(&s, h);
    free(a);
    cr_assert_str_eq(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

Test(sha256, fips_vectors)
{
    cr_assert_eq(dw_sha256_use_accel(0), 0);
    sha_check_fips();
    if (!dw_sha256_use_accel(1))
        cr_skip_test("no SHA extensions on this CPU: portable code only");
    cr_assert_eq(dw_sha256_accel(), 1);
    sha_check_fips();
}

/* Digest of p[0..n) fed in pieces of step bytes (step 0: at once), with the
 * portable code (accel 0) or the SHA extensions (1). */
static void sha_hex_with(int accel, const unsigned char *p, size_t n, size_t step, char out[65])
{
    dw_sha256_use_accel(accel);
    dw_sha256 s;
    dw_sha256_init(&s);
    for (size_t off = 0; off < n;) {
        size_t k = !step || n - off < step ? n - off : step;
        dw_sha256_update(&s, p + off, k);
        off += k;
    }
    dw_sha256_hex(&s, out);
}

Test(sha256, accel_matches_portable)
{
    if (!dw_sha256_use_accel(1))
        cr_skip_test("no SHA extensions on this CPU");
    size_t big = (1u << 20) + 37;
    unsigned char *buf = malloc(big);
    cr_assert(buf);
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < big; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        buf[i] = (unsigned char)x;
    }
    char a[65], b[65];
    /* every length 0..300, at once and in pieces of 7 bytes */
    for (size_t n = 0; n <= 300; n++)
        for (size_t step = 0; step <= 7; step += 7) {
            sha_hex_with(0, buf + n, n, step, a);
            sha_hex_with(1, buf + n, n, step, b);
            cr_assert_str_eq(a, b, "%zu bytes, step %zu", n, step);
        }
    /* large inputs, fed at once and in uneven pieces */
    size_t lens[] = {4096, 65536 + 5, big};
    for (size_t i = 0; i < sizeof lens / sizeof *lens; i++)
        for (size_t step = 0; step <= 1000; step += 1000) {
            sha_hex_with(0, buf, lens[i], step, a);
            sha_hex_with(1, buf, lens[i], step, b);
            cr_assert_str_eq(a, b, "%zu bytes, step %zu", lens[i], step);
        }
    free(buf);
}

Test(sha256, block_boundaries)
{
    /* 55, 56 and 64 bytes straddle the padding cases (sha256sum gives these) */
    static const struct {
        size_t n;
        const char *hex;
    } cases[] = {{55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
                 {56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
                 {64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"}};
    char buf[128], h[65];
    memset(buf, 'a', sizeof buf);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        sha_hex(buf, cases[i].n, h);
        cr_assert_str_eq(h, cases[i].hex, "%zu bytes", cases[i].n);
    }
}

/* ---- CSV quoting ---- */

/* dw_csv_quote(s, n) against libcsv's csv_write. */
static void csvq_check(const char *s, size_t n)
{
    char *a = malloc(2 * n + 2), *b = malloc(2 * n + 2);
    size_t la = dw_csv_quote(a, s, n), lb = csv_write(b, 2 * n + 2, s, n);
    cr_assert_eq(la, lb, "%zu bytes: %zu vs %zu", n, la, lb);
    cr_assert(!memcmp(a, b, la), "%zu bytes differ", n);
    free(a);
    free(b);
}

Test(csvq, same_bytes_as_libcsv)
{
    static const char *const fields[] = {"",
                                         "\"",
                                         "\"\"",
                                         "a\"b",
                                         "\"start",
                                         "end\"",
                                         "a,b",
                                         "line\r\nbreak",
                                         "lf\nonly",
                                         "cr\ronly",
                                         ",,,\"\r\n\"",
                                         "قال \"المصدر\"، إن\n\"الخبر\"",
                                         "\xef\xbb\xbf\x62om \xd9\xa0\xf0\x9f\x98\x80 \x7f\x01\x1f"};
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        csvq_check(fields[i], strlen(fields[i]));
    /* random fields over an alphabet rich in quotes, commas and line ends */
    static const char alpha[] = "\",\r\n a\xd9\x84\xd8\xa7";
    char buf[700];
    uint32_t x = 7;
    for (int k = 0; k < 2000; k++) {
        x = x * 1103515245u + 12345u;
        size_t n = (x >> 8) % sizeof buf;
        for (size_t i = 0; i < n; i++) {
            x = x * 1103515245u + 12345u;
            buf[i] = alpha[(x >> 16) % (sizeof alpha - 1)];
        }
        csvq_check(buf, n);
    }
}

/* ---- names ---- */

Test(split, release_names)
{
    const char *yes[] = {"train.csv.zst", "validation.csv.zst", "test.csv.zst", "train-00000-of-00004.csv.zst",
                         "test-00012-of-00100.csv.zst", "manifest.json", "croissant.json", "README.md",
                         ".diwan-tmp-train-00000.csv.zst"};
    const char *no[] = {"train.csv", "notes.txt", "train-0000-of-00004.csv.zst", "train-00000-of-0000x.csv.zst",
                        "dev.csv.zst", "readme.md", "trainx.csv.zst", ".hidden"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        cr_assert(dw_split_is_release_name(yes[i]), "%s", yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        cr_assert(!dw_split_is_release_name(no[i]), "%s", no[i]);
}

/* ---- bounded 13-gram set ---- */

Test(leak, sampling_is_order_independent)
{
    enum { N = 50000 };
    uint64_t *h = malloc(N * sizeof *h);
    uint64_t x = 88172645463325252ull;
    for (int i = 0; i < N; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        h[i] = x | 1u << 20; /* never 0 */
    }
    dw_leak_set *a = dw_leak_set_new(1000), *b = dw_leak_set_new(1000);
    for (int i = 0; i < N; i++) {
        dw_leak_set_add(a, h[i]);
        dw_leak_set_add(b, h[N - 1 - i]);
        dw_leak_set_add(b, h[N - 1 - i]); /* duplicates change nothing */
    }
    cr_assert_eq(a->k, b->k);
    cr_assert_eq(a->len, b->len);
    cr_assert(a->len <= 1000);
    /* the modulus starts at 16 (about 3125 sampled) and doubles */
    cr_assert_eq(a->k, 64, "50000 hashes in 1000 slots need k = 64, got %llu", (unsigned long long)a->k);
    /* the set is exactly the sampled hashes */
    size_t sampled = 0;
    for (int i = 0; i < N; i++) {
        int s = dw_leak_set_sampled(a, h[i]);
        sampled += s;
        cr_assert_eq(dw_leak_set_has(a, h[i]), s);
        cr_assert_eq(dw_leak_set_has(b, h[i]), s);
    }
    cr_assert_eq(sampled, a->len);
    dw_leak_set_free(a);
    dw_leak_set_free(b);
    free(h);
}

/* Runs the leakage of train texts tr and test texts te (ntr and nte of
 * them), each row given as its text (as_text) or as its sampled hashes
 * (core/grams.h over the normalized text); returns looked, found and k. */
static void leak_texts(const char *const *tr, size_t ntr, const char *const *te, size_t nte, int as_text,
                       int threaded, int64_t out[3])
{
    char *t = dwt_tmpdir();
    char sp[4096];
    snprintf(sp, sizeof sp, "%s/spool", t);
    dw_leak_run *r = NULL;
    dw_err e = {{0}};
    cr_assert_eq(dw_leak_run_start(&r, 1000, 0, threaded, sp, &e), DW_OK, "%s", e.msg);
    dw_buf norm = DW_BUF_INIT, g = DW_BUF_INIT;
    for (size_t i = 0; i < ntr + nte; i++) {
        int is_test = i >= ntr;
        const char *x = is_test ? te[i - ntr] : tr[i];
        if (as_text) {
            cr_assert_eq(dw_leak_run_add_text(r, is_test, x, strlen(x), &e), DW_OK);
            continue;
        }
        dw_buf_reset(&norm);
        dw_buf_reset(&g);
        cr_assert_eq(dw_norm_text(&norm, x, strlen(x), 0), 0);
        cr_assert_eq(dw_grams_sample(dw_buf_str(&norm), norm.len, &g, NULL), 0);
        cr_assert_eq(dw_leak_run_add_grams(r, is_test, dw_buf_str(&g), g.len, &e), DW_OK);
    }
    uint64_t k = 0;
    cr_assert_eq(dw_leak_run_finish(r, &out[0], &out[1], &k, &e), DW_OK, "%s", e.msg);
    out[2] = (int64_t)k;
    dw_leak_run_free(r);
    dw_buf_free(&norm);
    dw_buf_free(&g);
    cr_assert_neq(access(sp, F_OK), 0, "the spool is unlinked");
    dwt_rmtree(t);
    free(t);
}

Test(leak, stored_hashes_and_texts_give_the_same_figures)
{
    /* train: 40 texts of 200 words; test: 10 texts, half of them copying
     * 100 words of a train text between lines of their own */
    enum { NTR = 40, NTE = 10, W = 200 };
    char *tr[NTR] = {0}, *te[NTE] = {0};
    uint32_t x = 4242;
    for (int i = 0; i < NTR + NTE; i++) {
        dw_buf b = DW_BUF_INIT;
        for (int w = 0; w < W; w++) {
            x = x * 1103515245u + 12345u;
            dw_buf_printf(&b, "%s%u%s", i >= NTR && i % 2 && w >= 50 && w < 150 ? "" : "k", (x >> 8) % 5000,
                          w % 17 == 16 ? "\n" : " ");
        }
        if (i < NTR)
            tr[i] = dw_buf_detach(&b, NULL);
        else
            te[i - NTR] = dw_buf_detach(&b, NULL);
    }
    /* copies: words 50..150 of train text i are test text 2j+1's */
    for (int j = 0; j < NTE / 2; j++) {
        dw_buf b = DW_BUF_INIT;
        dw_buf_puts(&b, "مقدمة\n");
        const char *p = tr[j];
        for (int w = 0; w < 50; w++)
            p = strchr(p, w % 17 == 16 ? '\n' : ' ') + 1;
        const char *q = p;
        for (int w = 50; w < 150; w++)
            q = strchr(q, w % 17 == 16 ? '\n' : ' ') + 1;
        dw_buf_append(&b, p, (size_t)(q - p));
        dw_buf_puts(&b, "\n\nخاتمة");
        free(te[2 * j + 1]);
        te[2 * j + 1] = dw_buf_detach(&b, NULL);
    }
    int64_t a[3], b[3], c[3];
    leak_texts((const char *const *)tr, NTR, (const char *const *)te, NTE, 1, 0, a);
    leak_texts((const char *const *)tr, NTR, (const char *const *)te, NTE, 0, 0, b);
    leak_texts((const char *const *)tr, NTR, (const char *const *)te, NTE, 0, 1, c);
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(a[i], b[i]);
        cr_assert_eq(a[i], c[i]);
    }
    /* 40 x 188 train 13-grams (~470 sampled) fit in 1000: modulus 16;
     * 5 copies of 100 words: 5 x 88 13-grams found (~27 sampled) */
    cr_assert_eq(a[2], 16);
    cr_assert_eq(a[0], 88, "%lld looked", (long long)a[0]);
    cr_assert_eq(a[1], 38, "%lld found", (long long)a[1]);
    for (int i = 0; i < NTR; i++)
        free(tr[i]);
    for (int i = 0; i < NTE; i++)
        free(te[i]);
}

/* ---- end to end ---- */

/* Runs argv (no shell) with stdout and stderr to files of dir; returns the
 * exit status. */
static long run_fsize_limit; /* RLIMIT_FSIZE of the next run, 0: none */

static int run(const char *dir, const char *const *argv)
{
    char out[4096], err[4096];
    snprintf(out, sizeof out, "%s/stdout", dir);
    snprintf(err, sizeof err, "%s/stderr", dir);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        int fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644), fe = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fo, 1);
        dup2(fe, 2);
        if (run_fsize_limit) {
            /* writes past the limit fail with EFBIG, as on a full disk */
            struct rlimit rl = {(rlim_t)run_fsize_limit, (rlim_t)run_fsize_limit};
            signal(SIGXFSZ, SIG_IGN);
            setrlimit(RLIMIT_FSIZE, &rl);
        }
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    int st;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* What the last run printed on stdout or stderr (static buffer). */
static const char *printed(const char *dir, const char *which)
{
    static char buf[8192];
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, which);
    char *s = dwt_read_file(p, NULL);
    snprintf(buf, sizeof buf, "%s", s ? s : "");
    free(s);
    return buf;
}

/* Ingests the sample corpus into dir/name (inputs in the order given). */
static void ingest(const char *dir, const char *name, int reversed)
{
    char db[4096];
    snprintf(db, sizeof db, "%s/%s", dir, name);
    const char *a = dwt_path("sample/pages"), *b = dwt_path("sample/extra"), *c = dwt_path("tests/data/split/tricky.jsonl");
    const char *argv[] = {dwt_bin(), "ingest", "-q", "--threads", "1", db,
                          reversed ? c : a, b, reversed ? a : c, NULL};
    cr_assert_eq(run(dir, argv), 0, "ingest: %s", printed(dir, "stderr"));
}

/* Runs diwan split DB --out DIR/out with extra options (NULL-terminated,
 * at most 16); returns the status. */
static int split(const char *dir, const char *db, const char *out, const char *const *extra)
{
    char dbp[4096], outp[4096];
    snprintf(dbp, sizeof dbp, "%s/%s", dir, db);
    snprintf(outp, sizeof outp, "%s/%s", dir, out);
    const char *argv[24] = {dwt_bin(), "split", dbp, "--out", outp, "-q"};
    int n = 6;
    for (size_t i = 0; extra && extra[i] && n < 23; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    return run(dir, argv);
}

static int verify(const char *dir, const char *out)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, out);
    const char *argv[] = {dwt_bin(), "verify", p, NULL};
    return run(dir, argv);
}

/* Compares every file of two folders byte for byte (same names too). */
static void assert_same_dirs(const char *a, const char *b)
{
    struct dirent **na, **nb;
    int ca = scandir(a, &na, NULL, alphasort), cb = scandir(b, &nb, NULL, alphasort);
    cr_assert_eq(ca, cb, "%s and %s hold different numbers of files", a, b);
    for (int i = 0; i < ca; i++) {
        cr_assert_str_eq(na[i]->d_name, nb[i]->d_name);
        if (na[i]->d_name[0] != '.') {
            char pa[4096], pb[4096];
            snprintf(pa, sizeof pa, "%s/%s", a, na[i]->d_name);
            snprintf(pb, sizeof pb, "%s/%s", b, nb[i]->d_name);
            size_t la, lb;
            char *da = dwt_read_file(pa, &la), *db = dwt_read_file(pb, &lb);
            cr_assert(da && db);
            cr_assert(la == lb && memcmp(da, db, la) == 0, "%s differs", na[i]->d_name);
            free(da);
            free(db);
        }
        free(na[i]);
        free(nb[i]);
    }
    free(na);
    free(nb);
}

static json_t *manifest(const char *dir, const char *out)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/%s/manifest.json", dir, out);
    json_error_t je;
    json_t *m = json_load_file(p, 0, &je);
    cr_assert(m, "%s: %s", p, je.text);
    return m;
}

static long long split_rows(const json_t *m, const char *s)
{
    return (long long)json_integer_value(json_object_get(json_object_get(json_object_get(m, "splits"), s), "rows"));
}

Test(split_cli, reproducible_across_threads_and_input_order)
{
    char *t = dwt_tmpdir();
    ingest(t, "a.db", 0);
    ingest(t, "b.db", 1);
    const char *t1[] = {"--seed", "13", "--threads", "1", NULL};
    const char *t2[] = {"--seed", "13", "--threads", "2", NULL};
    cr_assert_eq(split(t, "a.db", "r1", t1), 0, "%s", printed(t, "stderr"));
    cr_assert_eq(split(t, "a.db", "r2", t2), 0);
    cr_assert_eq(split(t, "b.db", "r3", t1), 0);
    char a[4096], b[4096], c[4096];
    snprintf(a, sizeof a, "%s/r1", t);
    snprintf(b, sizeof b, "%s/r2", t);
    snprintf(c, sizeof c, "%s/r3", t);
    assert_same_dirs(a, b);
    assert_same_dirs(a, c);
    /* a rerun over an earlier release gives the same bytes */
    cr_assert_eq(split(t, "a.db", "r1", t2), 0);
    assert_same_dirs(a, b);
    cr_assert_eq(verify(t, "r1"), 0, "%s", printed(t, "stderr"));
    char want[4200];
    snprintf(want, sizeof want, "%s: 5 files verified\n", a);
    cr_assert_str_eq(printed(t, "stdout"), want);
    /* another seed moves some clusters */
    const char *s2[] = {"--seed", "14", NULL};
    cr_assert_eq(split(t, "a.db", "r4", s2), 0);
    json_t *m1 = manifest(t, "r1"), *m4 = manifest(t, "r4");
    cr_assert_str_neq(json_string_value(json_object_get(json_object_get(m1, "database"), "fingerprint")),
                      json_string_value(json_object_get(json_object_get(m4, "database"), "fingerprint")));
    json_decref(m1);
    json_decref(m4);
    dwt_rmtree(t);
    free(t);
}

Test(split_cli, manifest_figures)
{
    char *t = dwt_tmpdir();
    ingest(t, "a.db", 0);
    char db[4096];
    snprintf(db, sizeof db, "%s/a.db", t);
    cr_assert_eq(split(t, "a.db", "r", NULL), 0, "%s", printed(t, "stderr"));
    json_t *m = manifest(t, "r");
    int64_t reps = dwt_q1(db, "SELECT count(*) FROM articles WHERE cluster_id IS NULL OR cluster_id = id");
    int64_t arts = dwt_q1(db, "SELECT count(*) FROM articles");
    cr_assert_eq(split_rows(m, "train") + split_rows(m, "validation") + split_rows(m, "test"), reps);
    json_t *dd = json_object_get(m, "dedup");
    cr_assert_eq(json_integer_value(json_object_get(dd, "clusters")), reps);
    cr_assert_eq(json_integer_value(json_object_get(dd, "articles")), arts);
    cr_assert_eq(json_integer_value(json_object_get(dd, "duplicates_dropped")), arts - reps);
    cr_assert(arts > reps, "the sample has near-duplicates");
    json_t *lk = json_object_get(m, "leakage");
    cr_assert_eq(json_integer_value(json_object_get(lk, "near_duplicate_pairs_across_splits")), 0);
    cr_assert(json_integer_value(json_object_get(lk, "test_ngrams")) > 0);
    cr_assert_eq(json_integer_value(json_object_get(lk, "sample_modulus")), 16);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(m, "tool"), "version")), DW_VERSION);
    /* the bytes depend on the zstd library too: its version is recorded */
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(m, "format"), "zstd_version")),
                     ZSTD_versionString());
    cr_assert(strstr(json_string_value(json_object_get(json_object_get(m, "format"), "compression")), "2 MiB"));
    cr_assert_null(json_object_get(m, "date"), "no clock without --date");
    /* every file's sha256 as sha256sum would give it */
    size_t i;
    json_t *f;
    DW_JSON_ARRAY_EACH(json_object_get(m, "files"), i, f)
    {
        char p[4096], h[65];
        snprintf(p, sizeof p, "%s/r/%s", t, json_string_value(json_object_get(f, "name")));
        size_t n;
        char *d = dwt_read_file(p, &n);
        cr_assert(d);
        sha_hex(d, n, h);
        cr_assert_str_eq(h, json_string_value(json_object_get(f, "sha256")));
        cr_assert_eq((json_int_t)n, json_integer_value(json_object_get(f, "bytes")));
        free(d);
    }
    json_decref(m);
    /* the card and croissant name the files; no temporary file is left */
    char p[4096];
    snprintf(p, sizeof p, "%s/r/README.md", t);
    char *card = dwt_read_file(p, NULL);
    cr_assert(card && strstr(card, "configs:\n- config_name: default\n  data_files:\n  - split: train\n"
                                   "    path: train*.csv.zst\n"));
    cr_assert(strstr(card, "## Deduplication"));
    free(card);
    snprintf(p, sizeof p, "%s/r/croissant.json", t);
    char *cro = dwt_read_file(p, NULL);
    cr_assert(cro && strstr(cro, "\"conformsTo\": \"http://mlcommons.org/croissant/1.0\""));
    cr_assert(strstr(cro, "\"contentUrl\": \"train.csv.zst\""));
    free(cro);
    snprintf(p, sizeof p, "%s/r", t);
    DIR *d = opendir(p);
    struct dirent *de;
    int nfiles = 0;
    while ((de = readdir(d)))
        if (de->d_name[0] != '.')
            nfiles++;
        else
            cr_assert(!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."), "left %s", de->d_name);
    closedir(d);
    cr_assert_eq(nfiles, 6);
    dwt_rmtree(t);
    free(t);
}

/* Reads rows of a release with sqlite-free means: the python checker. */
static int have_pandas(void)
{
    if (access("/usr/bin/python3", X_OK) != 0)
        return 0;
    const char *argv[] = {"/usr/bin/python3", "-c", "import pandas", NULL};
    char *t = dwt_tmpdir();
    int ok = run(t, argv) == 0;
    dwt_rmtree(t);
    free(t);
    return ok;
}

Test(split_cli, pandas_loads_every_file)
{
    if (!have_pandas())
        cr_skip_test("/usr/bin/python3 with pandas not found: release loading not checked");
    char *t = dwt_tmpdir();
    ingest(t, "a.db", 0);
    char db[4096], rel[4096];
    snprintf(db, sizeof db, "%s/a.db", t);
    const char *opts[][8] = {{NULL}, {"--keep-duplicates", "--shard-rows", "7", NULL}, {"--ratios", "0.5,0.5", NULL}};
    for (size_t k = 0; k < 3; k++) {
        char name[16];
        snprintf(name, sizeof name, "r%zu", k);
        cr_assert_eq(split(t, "a.db", name, opts[k]), 0, "%s", printed(t, "stderr"));
        snprintf(rel, sizeof rel, "%s/%s", t, name);
        const char *argv[] = {"/usr/bin/python3", dwt_path("tests/data/split/check_release.py"), rel, db, NULL};
        cr_assert_eq(run(t, argv), 0, "%s", printed(t, "stderr"));
        json_t *m = manifest(t, name);
        char want[64];
        int64_t rows = split_rows(m, "train") + split_rows(m, "validation") + split_rows(m, "test");
        snprintf(want, sizeof want, "ok %zu %lld\n", json_array_size(json_object_get(m, "files")), (long long)rows);
        cr_assert_str_eq(printed(t, "stdout"), want, "options %zu", k);
        json_decref(m);
    }
    /* keep-duplicates wrote every article */
    json_t *m = manifest(t, "r1");
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(m, "dedup"), "rows")),
                 dwt_q1(db, "SELECT count(*) FROM articles"));
    json_decref(m);
    dwt_rmtree(t);
    free(t);
}

Test(split_cli, shards_and_stale_files)
{
    char *t = dwt_tmpdir();
    ingest(t, "a.db", 0);
    const char *sh[] = {"--shard-rows", "10", NULL};
    cr_assert_eq(split(t, "a.db", "r", sh), 0, "%s", printed(t, "stderr"));
    json_t *m = manifest(t, "r");
    long long train = split_rows(m, "train");
    size_t i;
    json_t *f;
    int ntrain = 0;
    DW_JSON_ARRAY_EACH(json_object_get(m, "files"), i, f)
    {
        cr_assert(json_integer_value(json_object_get(f, "rows")) <= 10);
        if (!strcmp(json_string_value(json_object_get(f, "split")), "train")) {
            char want[64];
            snprintf(want, sizeof want, "train-%05d-of-%05lld.csv.zst", ntrain++, (train + 9) / 10);
            cr_assert_str_eq(json_string_value(json_object_get(f, "name")), want);
        }
    }
    cr_assert_eq(ntrain, (train + 9) / 10);
    json_decref(m);
    cr_assert_eq(verify(t, "r"), 0, "%s", printed(t, "stderr"));
    /* unsharded over it: the shards go */
    cr_assert_eq(split(t, "a.db", "r", NULL), 0);
    cr_assert_eq(verify(t, "r"), 0, "%s", printed(t, "stderr"));
    char p[4096];
    snprintf(p, sizeof p, "%s/r/train-00000-of-%05lld.csv.zst", t, (train + 9) / 10);
    cr_assert_neq(access(p, F_OK), 0);
    dwt_rmtree(t);
    free(t);
}

Test(split_cli, assignment_rules)
{
    char *t = dwt_tmpdir();
    ingest(t, "a.db", 0);
    char db[4096];
    snprintf(db, sizeof db, "%s/a.db", t);
    /* by date: train up to T, validation up to V, test later, undated train */
    const char *bd[] = {"--by-date", "2023-10-31,2023-12-31", "--keep-duplicates", NULL};
    cr_assert_eq(split(t, "a.db", "d", bd), 0, "%s", printed(t, "stderr"));
    json_t *m = manifest(t, "d");
    int64_t tr = dwt_q1(db, "SELECT count(*) FROM articles a JOIN articles r ON r.id = coalesce(a.cluster_id, a.id)"
                            " WHERE r.published IS NULL OR r.published <= '2023-10-31'");
    int64_t te = dwt_q1(db, "SELECT count(*) FROM articles a JOIN articles r ON r.id = coalesce(a.cluster_id, a.id)"
                            " WHERE r.published > '2023-12-31'");
    cr_assert_eq(split_rows(m, "train"), tr);
    cr_assert_eq(split_rows(m, "test"), te);
    cr_assert(tr > 0 && te > 0 && split_rows(m, "validation") > 0);
    json_t *months = json_object_get(json_object_get(json_object_get(m, "splits"), "test"), "by_month");
    const char *k;
    json_t *v;
    DW_JSON_OBJECT_EACH(months, k, v) cr_assert(strcmp(k, "2023-12") > 0, "test holds %s", k);
    json_decref(m);
    /* stratified: each outlet's clusters cut by largest remainder */
    const char *st[] = {"--stratify", "source", "--ratios", "0.5,0.25,0.25", NULL};
    cr_assert_eq(split(t, "a.db", "s", st), 0, "%s", printed(t, "stderr"));
    m = manifest(t, "s");
    json_t *trs = json_object_get(json_object_get(json_object_get(m, "splits"), "train"), "by_source");
    DW_JSON_OBJECT_EACH(trs, k, v)
    {
        if (!strcmp(k, "(unknown)"))
            continue;
        char sql[512];
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM articles a JOIN sources s ON s.id = a.source_id WHERE s.name = '%s'"
                 " AND (a.cluster_id IS NULL OR a.cluster_id = a.id)",
                 k);
        int64_t n = dwt_q1(db, sql);
        /* 0.5 n rounded: floor, or one more for the largest remainder */
        cr_assert(json_integer_value(v) == n / 2 || json_integer_value(v) == (n + 1) / 2, "%s: %lld of %lld", k,
                  (long long)json_integer_value(v), (long long)n);
    }
    json_decref(m);
    /* a small leak cap samples the 13-grams by hash */
    const char *lc[] = {"--leak-cap", "64", NULL};
    const char *lc0[] = {NULL};
    cr_assert_eq(split(t, "a.db", "l", lc), 0, "%s", printed(t, "stderr"));
    cr_assert_eq(split(t, "a.db", "l0", lc0), 0, "%s", printed(t, "stderr"));
    json_t *ml = manifest(t, "l"), *ml0 = manifest(t, "l0");
    json_int_t kk = json_integer_value(json_object_get(json_object_get(ml, "leakage"), "sample_modulus"));
    json_int_t looked = json_integer_value(json_object_get(json_object_get(ml, "leakage"), "test_ngrams"));
    json_int_t all = json_integer_value(json_object_get(json_object_get(ml0, "leakage"), "test_ngrams"));
    cr_assert(kk >= 8 && (kk & (kk - 1)) == 0, "modulus %lld", (long long)kk);
    cr_assert(looked < all && looked > 0, "%lld of %lld", (long long)looked, (long long)all);
    json_decref(ml);
    json_decref(ml0);
    /* filters */
    const char *fl[] = {"--source", "RT", "--min-tokens", "30", "--since", "2023-09-01", "--until", "2024-01-31", NULL};
    cr_assert_eq(split(t, "a.db", "f", fl), 0, "%s", printed(t, "stderr"));
    m = manifest(t, "f");
    int64_t want = dwt_q1(db, "SELECT count(*) FROM articles a JOIN sources s ON s.id = a.source_id WHERE s.name = 'RT'"
                              " AND (a.cluster_id IS NULL OR a.cluster_id = a.id) AND a.n_tokens >= 30"
                              " AND a.published BETWEEN '2023-09-01' AND '2024-01-31'");
    cr_assert(want > 0);
    cr_assert_eq(split_rows(m, "train") + split_rows(m, "validation") + split_rows(m, "test"), want);
    json_decref(m);
    dwt_rmtree(t);
    free(t);
}

Test(split_cli, verify_finds_problems)
{
    char *t = dwt_tmpdir();
    ingest(t, "a.db", 0);
    cr_assert_eq(split(t, "a.db", "r", NULL), 0, "%s", printed(t, "stderr"));
    char p[4096], q[4096];
    /* a flipped byte in a data file */
    snprintf(p, sizeof p, "%s/r/validation.csv.zst", t);
    size_t n;
    char *d = dwt_read_file(p, &n);
    d[n / 2] ^= 0x20;
    FILE *f = fopen(p, "wb");
    fwrite(d, 1, n, f);
    fclose(f);
    /* a stray file, a missing file */
    snprintf(q, sizeof q, "%s/r/notes.txt", t);
    f = fopen(q, "w");
    fputs("x\n", f);
    fclose(f);
    snprintf(q, sizeof q, "%s/r/README.md", t);
    unlink(q);
    cr_assert_eq(verify(t, "r"), 1);
    const char *err = printed(t, "stderr");
    cr_assert(strstr(err, "diwan verify: validation.csv.zst: sha256 mismatch\n"), "%s", err);
    cr_assert(strstr(err, "diwan verify: README.md: missing\n"), "%s", err);
    cr_assert(strstr(err, "diwan verify: notes.txt: not listed in manifest.json\n"), "%s", err);
    /* a truncated file */
    f = fopen(p, "wb");
    fwrite(d, 1, n / 2, f);
    fclose(f);
    free(d);
    cr_assert_eq(verify(t, "r"), 1);
    err = printed(t, "stderr");
    cr_assert(strstr(err, "validation.csv.zst: truncated zstd frame\n") || strstr(err, "corrupt zstd"), "%s", err);
    /* split refuses a folder holding other files */
    cr_assert_eq(split(t, "a.db", "r", NULL), 2);
    snprintf(q, sizeof q, "diwan split: %s/r holds notes.txt, which is not part of a release (use --force)\n", t);
    cr_assert_str_eq(printed(t, "stderr"), q);
    const char *force[] = {"--force", NULL};
    cr_assert_eq(split(t, "a.db", "r", force), 0);
    cr_assert_eq(verify(t, "r"), 1);
    snprintf(q, sizeof q, "diwan verify: notes.txt: not listed in manifest.json\ndiwan verify: %s/r: 1 problem\n", t);
    cr_assert_str_eq(printed(t, "stderr"), q);
    dwt_rmtree(t);
    free(t);
}

Test(split_cli, write_error_leaves_no_file)
{
    char *t = dwt_tmpdir();
    /* 400 articles of pseudo-random words: train.csv.zst gets past 64 KB */
    char jp[4096], db[4096];
    snprintf(jp, sizeof jp, "%s/big.jsonl", t);
    snprintf(db, sizeof db, "%s/a.db", t);
    FILE *f = fopen(jp, "w");
    uint32_t x = 12345;
    for (int i = 0; i < 400; i++) {
        fprintf(f, "{\"title\": \"t%d\", \"text\": \"", i);
        for (int w = 0; w < 80; w++) {
            x = x * 1103515245u + 12345u;
            fprintf(f, "w%u ", (x >> 8) % 100000);
        }
        fprintf(f, "\"}\n");
    }
    fclose(f);
    const char *ing[] = {dwt_bin(), "ingest", "-q", "--no-near-dup", db, jp, NULL};
    cr_assert_eq(run(t, ing), 0, "%s", printed(t, "stderr"));
    /* the database's -shm (32 KiB) fits, train.csv.zst does not; written at
     * once (--threads 1) and by the writer thread (--threads 2) */
    static const char *const thr[][3] = {{"--threads", "1", NULL}, {"--threads", "2", NULL}};
    for (size_t k = 0; k < 2; k++) {
        run_fsize_limit = 40000;
        int st = split(t, "a.db", "r", thr[k]);
        run_fsize_limit = 0;
        cr_assert_eq(st, 5, "%s", printed(t, "stderr"));
        cr_assert(strstr(printed(t, "stderr"), "diwan split: cannot write "), "%s", printed(t, "stderr"));
        cr_assert(strstr(printed(t, "stderr"), "File too large"), "%s", printed(t, "stderr"));
        char p[4096];
        snprintf(p, sizeof p, "%s/r", t);
        DIR *d = opendir(p);
        cr_assert(d);
        struct dirent *de;
        while ((de = readdir(d)))
            cr_assert(!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."), "left %s", de->d_name);
        closedir(d);
    }
    dwt_rmtree(t);
    free(t);
}

/* Copies database src to dst (VACUUM INTO) and runs sql on the copy. */
static void db_copy_exec(const char *src, const char *dst, const char *sql)
{
    sqlite3 *h;
    sqlite3_stmt *st;
    cr_assert_eq(sqlite3_open(src, &h), SQLITE_OK);
    cr_assert_eq(sqlite3_prepare_v2(h, "VACUUM INTO ?1", -1, &st, NULL), SQLITE_OK, "%s", sqlite3_errmsg(h));
    sqlite3_bind_text(st, 1, dst, -1, SQLITE_STATIC);
    cr_assert_eq(sqlite3_step(st), SQLITE_DONE, "%s", sqlite3_errmsg(h));
    sqlite3_finalize(st);
    sqlite3_close(h);
    cr_assert_eq(sqlite3_open(dst, &h), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(h));
    sqlite3_close(h);
}

Test(split_cli, stored_13_grams_or_bodies_give_the_same_release)
{
    /* 600 articles of 120 words; every fifth copies 60 words of an earlier
     * one between words of its own, so that test rows share 13-grams with
     * train rows (no near-dup stage: the copies stay articles of their own) */
    char *t = dwt_tmpdir();
    char jp[4096], db[4096];
    snprintf(jp, sizeof jp, "%s/c.jsonl", t);
    snprintf(db, sizeof db, "%s/a.db", t);
    enum { NA = 600, W = 120 };
    char **texts = calloc(NA, sizeof *texts);
    uint32_t x = 2024;
    FILE *f = fopen(jp, "w");
    for (int i = 0; i < NA; i++) {
        dw_buf b = DW_BUF_INIT;
        for (int w = 0; w < W; w++) {
            x = x * 1103515245u + 12345u;
            if (i % 5 == 4 && w == 30) {
                /* words 20..80 of article i - 4 */
                const char *p = texts[i - 4];
                for (int k = 0; k < 20; k++)
                    p = strchr(p, ' ') + 1;
                const char *q = p;
                for (int k = 20; k < 80; k++)
                    q = strchr(q, ' ') + 1;
                dw_buf_append(&b, p, (size_t)(q - p));
            }
            dw_buf_printf(&b, "w%u ", (x >> 8) % 4000);
        }
        texts[i] = dw_buf_detach(&b, NULL);
        fprintf(f, "{\"title\": \"t%d\", \"text\": \"%s\"}\n", i, texts[i]);
    }
    fclose(f);
    for (int i = 0; i < NA; i++)
        free(texts[i]);
    free(texts);
    const char *ing[] = {dwt_bin(), "ingest", "-q", "--no-near-dup", db, jp, NULL};
    cr_assert_eq(run(t, ing), 0, "%s", printed(t, "stderr"));
    cr_assert_eq(dwt_q1(db, "SELECT count(*) FROM content_grams"), NA);
    /* the same database with no stored hashes, with the table dropped (as
     * a database of an older diwan opened read-only), with a third of them */
    const char *variants[][2] = {{"e.db", "DELETE FROM content_grams"},
                                 {"d.db", "DROP TABLE content_grams"},
                                 {"p.db", "DELETE FROM content_grams WHERE content_hash IN"
                                          " (SELECT content_hash FROM articles WHERE id % 3 = 0)"}};
    for (int v = 0; v < 3; v++) {
        char p[4200];
        snprintf(p, sizeof p, "%s/%s", t, variants[v][0]);
        db_copy_exec(db, p, variants[v][1]);
    }
    const char *one[] = {"--threads", "1", NULL}, *two[] = {"--threads", "2", NULL}, *three[] = {"--threads", "3", NULL};
    cr_assert_eq(split(t, "a.db", "r", one), 0, "%s", printed(t, "stderr"));
    cr_assert_eq(split(t, "e.db", "re", two), 0, "%s", printed(t, "stderr"));
    cr_assert_eq(split(t, "d.db", "rd", three), 0, "%s", printed(t, "stderr"));
    cr_assert_eq(split(t, "p.db", "rp", one), 0, "%s", printed(t, "stderr"));
    const char *lc[] = {"--leak-cap", "300", "--threads", "2", NULL};
    cr_assert_eq(split(t, "a.db", "c", lc), 0, "%s", printed(t, "stderr"));
    cr_assert_eq(split(t, "d.db", "cd", lc), 0, "%s", printed(t, "stderr"));
    char a[4096], b[4096];
    static const char *const same[][2] = {{"r", "re"}, {"r", "rd"}, {"r", "rp"}, {"c", "cd"}};
    for (size_t i = 0; i < sizeof same / sizeof *same; i++) {
        snprintf(a, sizeof a, "%s/%s", t, same[i][0]);
        snprintf(b, sizeof b, "%s/%s", t, same[i][1]);
        assert_same_dirs(a, b);
    }
    /* split opened d.db read-only: still without the table */
    char dp[4200];
    snprintf(dp, sizeof dp, "%s/d.db", t);
    cr_assert_eq(dwt_q1(dp, "SELECT count(*) FROM sqlite_master WHERE name = 'content_grams'"), 0);
    json_t *m = manifest(t, "r"), *mc = manifest(t, "c");
    json_t *lk = json_object_get(m, "leakage"), *lkc = json_object_get(mc, "leakage");
    /* ~60 test rows of ~110 13-grams: ~440 sampled; ~20 of them share 48
     * 13-grams with a train row (one way or the other): ~60 sampled */
    cr_assert_eq(json_integer_value(json_object_get(lk, "sample_modulus")), 16);
    cr_assert_eq(json_integer_value(json_object_get(lk, "test_ngrams")), 447);
    cr_assert_eq(json_integer_value(json_object_get(lk, "test_ngrams_in_train")), 69);
    /* ~3600 sampled train 13-grams in 300: modulus 16 * 16 */
    cr_assert_eq(json_integer_value(json_object_get(lkc, "sample_modulus")), 256);
    cr_assert_eq(json_integer_value(json_object_get(lkc, "test_ngrams")), 30);
    cr_assert_eq(json_integer_value(json_object_get(lkc, "test_ngrams_in_train")), 10);
    json_decref(m);
    json_decref(mc);
    dwt_rmtree(t);
    free(t);
}

Test(split_cli, many_batches_same_across_threads)
{
    /* 3000 articles of ~1.8 KB with quotes and commas: ~5.5 MB of CSV, so
     * several 1 MiB batches go through the writer's queue (4 deep) and
     * several blocks through the leakage thread's */
    char *t = dwt_tmpdir();
    char jp[4096], db[4096];
    snprintf(jp, sizeof jp, "%s/big.jsonl", t);
    snprintf(db, sizeof db, "%s/a.db", t);
    FILE *f = fopen(jp, "w");
    uint32_t x = 777;
    for (int i = 0; i < 3000; i++) {
        fprintf(f, "{\"title\": \"t\\\"%d\", \"text\": \"", i);
        for (int w = 0; w < 250; w++) {
            x = x * 1103515245u + 12345u;
            fprintf(f, (x >> 4) % 17 ? "w%u " : "\\\"w%u\\\", ", (x >> 8) % 3000);
        }
        fprintf(f, "\"}\n");
    }
    fclose(f);
    const char *ing[] = {dwt_bin(), "ingest", "-q", "--no-near-dup", db, jp, NULL};
    cr_assert_eq(run(t, ing), 0, "%s", printed(t, "stderr"));
    const char *one[] = {"--threads", "1", "--keep-duplicates", "--shard-rows", "1100", NULL};
    const char *three[] = {"--threads", "3", "--keep-duplicates", "--shard-rows", "1100", NULL};
    cr_assert_eq(split(t, "a.db", "r1", one), 0, "%s", printed(t, "stderr"));
    cr_assert_eq(split(t, "a.db", "r3", three), 0, "%s", printed(t, "stderr"));
    char a[4096], b[4096];
    snprintf(a, sizeof a, "%s/r1", t);
    snprintf(b, sizeof b, "%s/r3", t);
    assert_same_dirs(a, b);
    cr_assert_eq(verify(t, "r3"), 0, "%s", printed(t, "stderr"));
    /* every article once, train in three shards */
    char mp[4200];
    snprintf(mp, sizeof mp, "%s/manifest.json", b);
    char *man = dwt_read_file(mp, NULL);
    cr_assert(man);
    json_t *m = json_loads(man, 0, NULL);
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(m, "dedup"), "rows")), 3000);
    cr_assert_eq(json_array_size(json_object_get(json_object_get(json_object_get(m, "splits"), "train"), "files")), 3);
    json_decref(m);
    free(man);
    dwt_rmtree(t);
    free(t);
}

/* Progress reports of a split (at most 16 kept). */
typedef struct {
    char phase[16][16]; /* phase of each report */
    int64_t rows[16];   /* its rows */
    double frac[16];    /* its frac */
    int n;              /* reports received */
} split_log;

static void split_log_progress(void *ud, const dw_split_progress *p)
{
    split_log *l = ud;
    if (l->n < 16) {
        snprintf(l->phase[l->n], sizeof l->phase[l->n], "%s", p->phase);
        l->rows[l->n] = p->rows;
        l->frac[l->n] = p->frac;
    }
    l->n++;
}

/* on_progress hears assigning (--stratify), writing from 0 rows to every row
 * read, then finishing; and the release is the one the CLI writes without
 * progress */
Test(split_cli, progress_reports_and_same_release)
{
    char *t = dwt_tmpdir();
    ingest(t, "a.db", 0);
    const char *ex[] = {"--seed", "13", "--stratify", "source", "--keep-duplicates", NULL};
    cr_assert_eq(split(t, "a.db", "r1", ex), 0, "%s", printed(t, "stderr"));
    char dbp[4096], out[4096], ref[4096];
    snprintf(dbp, sizeof dbp, "%s/a.db", t);
    snprintf(out, sizeof out, "%s/r2", t);
    snprintf(ref, sizeof ref, "%s/r1", t);
    dw_db *db = NULL;
    dw_err e = {{0}};
    cr_assert_eq(dw_db_open(&db, dbp, DW_DB_READONLY, 0, &e), DW_OK, "%s", e.msg);
    dw_split_opts o;
    dw_split_opts_init(&o);
    o.seed = 13;
    o.stratify = 1;
    o.keep_duplicates = 1;
    o.threads = 2;
    split_log l = {0};
    o.on_progress = split_log_progress;
    o.progress_ud = &l;
    dw_split_summary sum;
    cr_assert_eq(dw_split_run(db, &o, out, &sum, &e), DW_OK, "%s", e.msg);
    dw_db_close(db);
    cr_assert_eq(l.n, 4, "%d reports", l.n);
    cr_expect_str_eq(l.phase[0], "assigning");
    cr_expect_str_eq(l.phase[1], "writing");
    cr_expect_eq(l.rows[1], 0);
    cr_expect_eq(l.frac[1], 0.0);
    cr_expect_str_eq(l.phase[2], "writing");
    cr_expect_eq(l.rows[2], sum.rows[0] + sum.rows[1] + sum.rows[2]);
    cr_expect_eq(l.frac[2], 1.0);
    cr_expect_str_eq(l.phase[3], "finishing");
    cr_expect_gt(sum.rows[0], 20);
    assert_same_dirs(ref, out);
    dwt_rmtree(t);
    free(t);
}
