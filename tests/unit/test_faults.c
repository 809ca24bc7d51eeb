/* test_faults.c: faults injected under the diwan binary (issue 7): a memory
 * limit, a truncated database, corrupt and truncated .zst inputs among good
 * ones, unreadable inputs, zstd bombs, a line over 16 MiB, two ingests at
 * once, a read-only database and a full disk. Each test runs $DW_BIN (see
 * dwt_bin) in a forked child with the fault set up and checks the exit
 * status, that stderr names the cause, and that what the database held
 * before is intact (PRAGMA integrity_check, the rows of an earlier input).
 *
 * We run as root, where chmod 000 does not stop a read: unreadable inputs
 * are a dangling symlink, a symlink loop, a path through a regular file and
 * /proc/self/mem (open succeeds, read fails with EIO). A read-only database
 * and a full disk need a small tmpfs (mount(2), no shell): those tests skip
 * when mounting is not permitted. The memory limits (RLIMIT_AS) run
 * $DW_BIN_PLAIN, a build without AddressSanitizer (which reserves terabytes
 * of address space), and skip when it is not given; the bombs check the
 * child's peak RSS instead of running under a limit when $DW_BIN is
 * sanitized. A skip removes the test's folder itself, since Criterion does
 * not call .fini after cr_skip_test. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#include "core/buf.h"
#include "helpers.h"

#if defined(__SANITIZE_ADDRESS__)
#define FT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FT_ASAN 1
#endif
#endif
#ifndef FT_ASAN
#define FT_ASAN 0
#endif

static char *tmp;            /* the test's temporary directory */
static char db[4200];        /* tmp/t.db */
static char mnt[4200];       /* tmp/mnt, a tmpfs while mounted */
static int mounted;          /* 1 while mnt is mounted */
static const char *bin;      /* the binary ft_spawn runs: dwt_bin() unless a test changes it */

static void setup(void)
{
    tmp = dwt_tmpdir();
    cr_assert(tmp);
    snprintf(db, sizeof db, "%s/t.db", tmp);
    snprintf(mnt, sizeof mnt, "%s/mnt", tmp);
    mounted = 0;
    bin = dwt_bin();
}

static void teardown(void)
{
    if (mounted)
        umount2(mnt, MNT_DETACH);
    mounted = 0;
    dwt_rmtree(tmp);
    free(tmp);
    tmp = NULL;
}

TestSuite(faults, .init = setup, .fini = teardown, .timeout = 300);

/* Skips the test with why, after removing its folder (cr_skip_test does not
 * return, and the suite's .fini is not called after it). */
#define ft_skip(...)               \
    do {                           \
        teardown();                \
        cr_skip_test(__VA_ARGS__); \
    } while (0)

/* ---------------------------------------------------------------- helpers */

typedef struct {
    int status;        /* exit status, or 128 + signal when killed */
    char *err;         /* its stderr (malloc'd) */
    long maxrss_kb;    /* peak resident set size of the child */
} ft_run;

static void ft_run_free(ft_run *r) { free(r->err); }

/* Starts diwan with argv (argv[0] ignored) and stdout/stderr to tmp files
 * named by tag; as_limit > 0 sets RLIMIT_AS in the child first. */
static pid_t ft_spawn(const char *const *argv, rlim_t as_limit, const char *tag)
{
    char out[4300], err[4300];
    snprintf(out, sizeof out, "%s/%s.out", tmp, tag);
    snprintf(err, sizeof err, "%s/%s.err", tmp, tag);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        int fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int fe = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int fi = open("/dev/null", O_RDONLY);
        if (fo < 0 || fe < 0 || fi < 0)
            _exit(127);
        dup2(fi, 0);
        dup2(fo, 1);
        dup2(fe, 2);
        if (as_limit) {
            struct rlimit rl = {as_limit, as_limit};
            if (setrlimit(RLIMIT_AS, &rl) != 0)
                _exit(126);
        }
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    return pid;
}

static ft_run ft_wait(pid_t pid, const char *tag)
{
    ft_run r = {0, NULL, 0};
    int ws;
    struct rusage ru;
    cr_assert_eq(wait4(pid, &ws, 0, &ru), pid);
    r.status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
    r.maxrss_kb = ru.ru_maxrss;
    char err[4300];
    snprintf(err, sizeof err, "%s/%s.err", tmp, tag);
    r.err = dwt_read_file(err, NULL);
    if (!r.err)
        r.err = strdup("");
    return r;
}

static ft_run ft_diwan(const char *const *argv, rlim_t as_limit)
{
    return ft_wait(ft_spawn(argv, as_limit, "run"), "run");
}

#define q1 dwt_q1

/* PRAGMA integrity_check (malloc'd) */
static char *ft_integrity(const char *dbp)
{
    sqlite3 *h;
    sqlite3_stmt *st;
    char *v = NULL;
    cr_assert_eq(sqlite3_open_v2(dbp, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(h, 10000);
    cr_assert_eq(sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK, "%s", sqlite3_errmsg(h));
    if (sqlite3_step(st) == SQLITE_ROW)
        v = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(h);
    return v ? v : strdup("no row");
}

/* What the database holds about inputs whose path ends with suffix: their
 * files rows, sightings with their article's hash, title and body, keywords
 * (malloc'd text, stable order, no surrogate ids). */
static char *ft_snap(const char *dbp, const char *suffix)
{
    static const char *const q[] = {
        "SELECT path, status, pages, articles, bad_bytes FROM files WHERE path LIKE '%' || ?1 ORDER BY path",
        ("SELECT g.path, g.page_no, g.byte_offset, g.role, hex(a.content_hash), a.title, a.body, a.published "
         "FROM sightings g JOIN articles a ON a.id = g.article_id WHERE g.path LIKE '%' || ?1 "
         "ORDER BY g.path, g.page_no, g.byte_offset"),
        ("SELECT g.path, g.byte_offset, k.position, k.keyword FROM keywords k JOIN sightings g "
         "ON g.id = k.sighting_id WHERE g.path LIKE '%' || ?1 ORDER BY 1, 2, 3"),
    };
    return dwt_dump(dbp, q, sizeof q / sizeof *q, suffix);
}

static void write_bytes(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    cr_assert(f, "%s", path);
    cr_assert_eq(fwrite(p, 1, n, f), n);
    cr_assert_eq(fclose(f), 0);
}

static void copy_file(const char *from, const char *to)
{
    size_t n;
    char *s = dwt_read_file(from, &n);
    cr_assert(s, "%s", from);
    write_bytes(to, s, n);
    free(s);
}

/* Text of pages distinct pages (tag makes the articles of two calls
 * distinct), separated by form-feed lines (malloc'd, *len set). */
static char *ft_pages(int pages, const char *tag, size_t *len)
{
    dw_buf b = DW_BUF_INIT;
    for (int i = 0; i < pages; i++) {
        dw_buf_printf(&b, "%sخبر %s رقم %d عن المدينة\nتاريخ النشر: 2023-%02d-%02d\n", i ? "\f\n" : "", tag, i,
                      1 + i % 12, 1 + i % 28);
        for (int l = 0; l < 12; l++)
            dw_buf_printf(&b, "السطر %d من الخبر %d (%s) يروي تفاصيل الحدث بكلمات كثيرة %d.\n", l, i, tag, i * 31 + l);
        dw_buf_printf(&b, "المصدر: %s\nكلمات دلالية: مدينة، خبر %d\n", i % 3 ? "RT" : "اليمن اليوم", i % 5);
    }
    return dw_buf_detach(&b, len);
}

static void write_pages(const char *path, int pages, const char *tag)
{
    size_t n;
    char *s = ft_pages(pages, tag, &n);
    write_bytes(path, s, n);
    free(s);
}

/* Writes a .zst of data with a content checksum. */
static void write_zst(const char *path, const char *data, size_t n)
{
    ZSTD_CCtx *c = ZSTD_createCCtx();
    cr_assert(c);
    ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
    size_t cap = ZSTD_compressBound(n);
    char *out = malloc(cap);
    cr_assert(out);
    size_t z = ZSTD_compress2(c, out, cap, data, n);
    cr_assert(!ZSTD_isError(z));
    write_bytes(path, out, z);
    free(out);
    ZSTD_freeCCtx(c);
}

/* Writes a .zst that decompresses to head, then unit repeated until total
 * bytes, then tail; compressed as a stream, never held in memory. */
static void write_bomb(const char *path, const char *head, const char *unit, size_t unit_len, size_t total,
                       const char *tail)
{
    ZSTD_CCtx *c = ZSTD_createCCtx();
    cr_assert(c);
    ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, 3);
    FILE *f = fopen(path, "wb");
    cr_assert(f);
    size_t ocap = ZSTD_CStreamOutSize();
    char *obuf = malloc(ocap);
    /* a block of whole units, about 1 MiB */
    size_t reps = (1u << 20) / unit_len + 1, blen = reps * unit_len;
    char *block = malloc(blen);
    cr_assert(obuf && block);
    for (size_t i = 0; i < reps; i++)
        memcpy(block + i * unit_len, unit, unit_len);
    const char *parts[3] = {head, NULL, tail};
    for (int k = 0; k < 3; k++) {
        size_t left = k == 1 ? total : strlen(parts[k]);
        while (left > 0 || k == 2) {
            size_t m = k == 1 ? (left < blen ? left : blen) : left;
            ZSTD_inBuffer in = {k == 1 ? block : parts[k], m, 0};
            ZSTD_EndDirective mode = k == 2 ? ZSTD_e_end : ZSTD_e_continue;
            size_t rem;
            do {
                ZSTD_outBuffer out = {obuf, ocap, 0};
                rem = ZSTD_compressStream2(c, &out, &in, mode);
                cr_assert(!ZSTD_isError(rem));
                cr_assert_eq(fwrite(obuf, 1, out.pos, f), out.pos);
            } while (mode == ZSTD_e_end ? rem != 0 : in.pos < in.size);
            left -= m;
            if (k == 2)
                break;
        }
    }
    cr_assert_eq(fclose(f), 0);
    free(obuf);
    free(block);
    ZSTD_freeCCtx(c);
}

static const char *fx_a(void) { return dwt_path("tests/data/ingest/a.txt"); }

/* Ingests tests/data/ingest/a.txt into dbp (the content to keep intact) and
 * returns its snapshot (malloc'd). */
static char *ft_store_a(const char *dbp)
{
    const char *argv[] = {"diwan", "ingest", "-q", dbp, fx_a(), NULL};
    ft_run r = ft_diwan(argv, 0);
    cr_assert_eq(r.status, 0, "%s", r.err);
    ft_run_free(&r);
    char *s = ft_snap(dbp, "a.txt");
    cr_assert(strstr(s, "ارتفاع أسعار القمح") != NULL, "%s", s);
    return s;
}

static void ft_expect_intact(const char *dbp, const char *before)
{
    char *ok = ft_integrity(dbp);
    cr_expect_str_eq(ok, "ok");
    free(ok);
    char *now = ft_snap(dbp, "a.txt");
    cr_expect_str_eq(now, before, "what was stored before changed");
    free(now);
}

static int ft_mount_tmpfs(const char *opts)
{
    cr_assert_eq(mkdir(mnt, 0755), 0);
    if (mount("tmpfs", mnt, "tmpfs", 0, opts) != 0)
        return -1;
    mounted = 1;
    return 0;
}

/* ---------------------------------------------------------------- tests */

/* A memory limit: the ingest fails with exit 6 "out of memory" whatever
 * allocation fails first, and the database keeps what it held. The input
 * needs a 16 MiB line buffer, so every limit of the ladder fails. */
Test(faults, memory_limit_fails_with_exit_6_and_keeps_the_database)
{
    if (!(bin = dwt_bin_plain()))
        ft_skip("memory limit: DW_BIN_PLAIN, a diwan built without AddressSanitizer, is not given");
    char *before = ft_store_a(db);
    char big[4300];
    snprintf(big, sizeof big, "%s/long-line.zst", tmp);
    write_bomb(big, "عنوان الخبر\n", "نص متكرر في سطر واحد طويل ", strlen("نص متكرر في سطر واحد طويل "), 40u << 20,
               "\nالمصدر: RT\n");
    static const rlim_t mb[] = {12, 16, 20};
    for (size_t i = 0; i < sizeof mb / sizeof *mb; i++) {
        const char *argv[] = {"diwan", "ingest", "--threads", "1", db, big, NULL};
        ft_run r = ft_diwan(argv, mb[i] << 20);
        cr_expect_eq(r.status, 6, "limit %d MB: exit %d: %s", (int)mb[i], r.status, r.err);
        cr_expect(strstr(r.err, "out of memory") != NULL, "limit %d MB: %s", (int)mb[i], r.err);
        ft_run_free(&r);
        ft_expect_intact(db, before);
    }
    /* with room, the same run succeeds (the line is quarantined) */
    const char *argv[] = {"diwan", "ingest", "--threads", "1", db, big, NULL};
    ft_run r = ft_diwan(argv, (rlim_t)1 << 30);
    cr_expect_eq(r.status, 0, "%s", r.err);
    ft_run_free(&r);
    cr_expect_eq(q1(db, "SELECT count(*) FROM quarantine WHERE path LIKE '%long-line.zst' AND reason = 'line too long'"), 1);
    ft_expect_intact(db, before);
    free(before);
}

/* When the threads cannot be started for lack of memory, ingest exits 6
 * (out of memory), not 70 (internal error). */
Test(faults, memory_limit_at_thread_start_is_out_of_memory)
{
    if (!(bin = dwt_bin_plain()))
        ft_skip("memory limit: DW_BIN_PLAIN, a diwan built without AddressSanitizer, is not given");
    char *before = ft_store_a(db);
    const char *argv[] = {"diwan", "ingest", "--threads", "2", db, dwt_path("sample/pages"), NULL};
    ft_run r = ft_diwan(argv, (rlim_t)8 << 20);
    cr_expect_eq(r.status, 6, "exit %d: %s", r.status, r.err);
    cr_expect(strstr(r.err, "out of memory") != NULL, "%s", r.err);
    ft_run_free(&r);
    ft_expect_intact(db, before);
    free(before);
}

/* A database file cut in half (a copy interrupted, a full disk outside
 * diwan): info and ingest exit 4 naming the database and the cause, never
 * crash, and do not touch the file. */
Test(faults, truncated_database_is_refused_with_exit_4)
{
    char *before = ft_store_a(db);
    free(before);
    char cut[4300];
    snprintf(cut, sizeof cut, "%s/cut.db", tmp);
    copy_file(db, cut);
    struct stat st;
    cr_assert_eq(stat(cut, &st), 0);
    cr_assert_gt(st.st_size, 8192, "the database is too small to cut");
    static const off_t sizes[] = {0, 50}; /* half (set below), inside the header */
    for (int k = 0; k < 2; k++) {
        off_t size = k == 0 ? st.st_size / 2 : sizes[k];
        copy_file(db, cut);
        cr_assert_eq(truncate(cut, size), 0);
        const char *info[] = {"diwan", "info", cut, NULL};
        ft_run r = ft_diwan(info, 0);
        cr_expect_eq(r.status, 4, "size %lld: info exit %d: %s", (long long)size, r.status, r.err);
        cr_expect(strstr(r.err, cut) && strstr(r.err, "database disk image is malformed"), "%s", r.err);
        ft_run_free(&r);
        const char *ing[] = {"diwan", "ingest", "-q", cut, dwt_path("tests/data/ingest/b.txt"), NULL};
        r = ft_diwan(ing, 0);
        cr_expect_eq(r.status, 4, "size %lld: ingest exit %d: %s", (long long)size, r.status, r.err);
        cr_expect(strstr(r.err, cut) && strstr(r.err, "database disk image is malformed"), "%s", r.err);
        ft_run_free(&r);
        struct stat st2;
        cr_assert_eq(stat(cut, &st2), 0);
        cr_expect_eq(st2.st_size, size, "the truncated file was changed");
    }
}

/* A corrupt .zst (a byte flipped in its last block) and a truncated one
 * among good inputs: exit 3, each named with its reason, the good inputs are
 * ingested, the bad ones quarantined and left partial; a rerun counts nothing
 * twice. */
Test(faults, corrupt_zst_among_good_inputs)
{
    char *before = ft_store_a(db);
    char g1[4300], g2[4300], bad[4300], cut[4300];
    snprintf(g1, sizeof g1, "%s/g1.txt", tmp);
    snprintf(g2, sizeof g2, "%s/g2.txt", tmp);
    snprintf(bad, sizeof bad, "%s/corrupt.zst", tmp);
    snprintf(cut, sizeof cut, "%s/cut.zst", tmp);
    write_pages(g1, 20, "g1");
    write_pages(g2, 20, "g2");
    size_t n, zn;
    char *text = ft_pages(600, "z", &n);
    write_zst(bad, text, n);
    free(text);
    char *z = dwt_read_file(bad, &zn);
    cr_assert(z && zn > 1000);
    write_bytes(cut, z, zn / 2); /* the first half of a good .zst */
    for (size_t i = zn - 400; i < zn - 380; i++)
        z[i] ^= 0x5A; /* damage in the last block */
    write_bytes(bad, z, zn);
    free(z);
    for (int round = 0; round < 2; round++) {
        const char *argv[] = {"diwan", "ingest", db, g1, bad, cut, g2, NULL};
        ft_run r = ft_diwan(argv, 0);
        cr_expect_eq(r.status, 3, "round %d: exit %d: %s", round, r.status, r.err);
        cr_expect(strstr(r.err, "corrupt.zst") != NULL, "%s", r.err);
        cr_expect(strstr(r.err, "cut.zst") != NULL && strstr(r.err, "truncated") != NULL, "%s", r.err);
        cr_expect(strstr(r.err, "2 inputs could not be read") != NULL, "%s", r.err);
        ft_run_free(&r);
        cr_expect_eq(q1(db, "SELECT count(*) FROM files WHERE status = 'done' AND (path LIKE '%g1.txt' OR path LIKE '%g2.txt')"), 2);
        cr_expect_eq(q1(db, "SELECT count(*) FROM sightings WHERE path LIKE '%g_.txt'"), 40);
        cr_expect_eq(q1(db, "SELECT count(*) FROM files WHERE status = 'partial' AND path LIKE '%.zst'"), 2);
        cr_expect_eq(q1(db, "SELECT count(*) FROM quarantine WHERE path LIKE '%corrupt.zst'"), 1);
        cr_expect_eq(q1(db, "SELECT count(*) FROM quarantine WHERE path LIKE '%cut.zst' AND reason LIKE '%truncated%'"), 1);
        /* what came before the damage: some pages, never more than once */
        int64_t s = q1(db, "SELECT count(*) FROM sightings WHERE path LIKE '%cut.zst'");
        cr_expect(s > 0 && s < 600, "%lld sightings from the truncated .zst", (long long)s);
        cr_expect_eq(q1(db, "SELECT count(*) FROM (SELECT file_id, page_no, byte_offset FROM sightings "
                            "GROUP BY 1, 2, 3 HAVING count(*) > 1)"), 0);
        ft_expect_intact(db, before);
    }
    free(before);
}

/* Inputs that cannot be read, as root: a dangling symlink, a symlink loop, a
 * path through a regular file, and /proc/self/mem (opens, then read fails
 * with EIO). Exit 3; each named with the system's reason; the good input is
 * ingested. */
Test(faults, unreadable_inputs_are_named_and_the_rest_is_ingested)
{
    char *before = ft_store_a(db);
    char dang[4300], l1[4300], l2[4300], thru[4400], good[4300];
    snprintf(dang, sizeof dang, "%s/dangling.txt", tmp);
    snprintf(l1, sizeof l1, "%s/loop1.txt", tmp);
    snprintf(l2, sizeof l2, "%s/loop2.txt", tmp);
    snprintf(good, sizeof good, "%s/good.txt", tmp);
    snprintf(thru, sizeof thru, "%s/x.txt", good);
    cr_assert_eq(symlink("no-such-target.txt", dang), 0);
    cr_assert_eq(symlink("loop2.txt", l1), 0);
    cr_assert_eq(symlink("loop1.txt", l2), 0);
    write_pages(good, 5, "good");
    const char *argv[] = {"diwan", "ingest", db, dang, l1, thru, "/proc/self/mem", good, NULL};
    ft_run r = ft_diwan(argv, 0);
    cr_expect_eq(r.status, 3, "exit %d: %s", r.status, r.err);
    char want[4600];
    snprintf(want, sizeof want, "%s: No such file or directory", dang);
    cr_expect(strstr(r.err, want) != NULL, "%s", r.err);
    snprintf(want, sizeof want, "%s: Too many levels of symbolic links", l1);
    cr_expect(strstr(r.err, want) != NULL, "%s", r.err);
    snprintf(want, sizeof want, "%s: Not a directory", thru);
    cr_expect(strstr(r.err, want) != NULL, "%s", r.err);
    cr_expect(strstr(r.err, "/proc/self/mem: read error: Input/output error") != NULL, "%s", r.err);
    cr_expect(strstr(r.err, "4 inputs could not be read") != NULL, "%s", r.err);
    ft_run_free(&r);
    cr_expect_eq(q1(db, "SELECT count(*) FROM sightings WHERE path LIKE '%good.txt'"), 5);
    cr_expect_eq(q1(db, "SELECT count(*) FROM files WHERE path LIKE '%good.txt' AND status = 'done'"), 1);
    cr_expect_eq(q1(db, "SELECT count(*) FROM quarantine WHERE path = '/proc/self/mem'"), 1);
    ft_expect_intact(db, before);
    free(before);
}

/* zstd bombs: 33 KB that expand to 1 GiB of NUL bytes, a 1 GiB line, a
 * 128 MiB JSON record. Each ends with its reason in quarantine and exit 0,
 * in bounded memory: under a 1 GiB address space limit (without ASan) and
 * with a peak RSS far below the expanded size. */
Test(faults, zstd_bombs_run_in_bounded_memory)
{
    char *before = ft_store_a(db);
    char zero[4300], line[4300], json[4300];
    snprintf(zero, sizeof zero, "%s/zeros.zst", tmp);
    snprintf(line, sizeof line, "%s/line.zst", tmp);
    snprintf(json, sizeof json, "%s/record.jsonl.zst", tmp);
    static const char nul[64];
    const char *unit = "نص متكرر في سطر واحد طويل جدا ";
    /* ASan scans every byte several times slower: smaller bombs there */
    size_t big = FT_ASAN ? (size_t)256 << 20 : (size_t)1 << 30;
    write_bomb(zero, "", nul, sizeof nul, big, "");
    write_bomb(line, "عنوان الخبر\n", unit, strlen(unit), big, "\nالمصدر: RT\n");
    write_bomb(json, "{\"title\": \"t\", \"text\": \"", unit, strlen(unit), (size_t)128 << 20,
               "\"}\n{\"title\": \"قصير\", \"text\": \"نص قصير بعد السجل الكبير\"}\n");
    const char *files[] = {zero, line, json};
    const char *reasons[] = {"binary data, not text", "line too long", "line 1: record 1: larger than 64 MiB"};
    for (int k = 0; k < 3; k++) {
        const char *argv[] = {"diwan", "ingest", "--threads", "2", db, files[k], NULL};
        ft_run r = ft_diwan(argv, FT_ASAN ? 0 : (rlim_t)1 << 30);
        cr_expect_eq(r.status, 0, "%s: exit %d: %s", files[k], r.status, r.err);
        cr_expect(strstr(r.err, reasons[k]) != NULL, "%s", r.err);
        cr_expect_lt(r.maxrss_kb, FT_ASAN ? 900L * 1024 : 400L * 1024, "%s: peak RSS %ld KB", files[k], r.maxrss_kb);
        cr_log_info("%s: peak RSS %ld KB", files[k], r.maxrss_kb);
        ft_run_free(&r);
        char sql[4600];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM quarantine WHERE path = '%s' AND reason = '%s'", files[k],
                 reasons[k]);
        cr_expect_eq(q1(db, sql), 1, "%s", sql);
    }
    /* the record after the big one was read */
    cr_expect_eq(q1(db, "SELECT count(*) FROM articles WHERE title = 'قصير'"), 1);
    ft_expect_intact(db, before);
    free(before);
}

/* A line of 17 MiB in the middle of an input: its page is quarantined from
 * that line on ("line too long", at the line's offset), the pages before and
 * after are ingested; --strict makes it exit 1. */
Test(faults, line_over_16_mib_is_quarantined)
{
    char *before = ft_store_a(db);
    char path[4300];
    snprintf(path, sizeof path, "%s/long.txt", tmp);
    const char *p1 = "الخبر الأول قبل السطر الطويل\nنص الخبر الأول في المدينة.\nالمصدر: RT\n\f\n";
    const char *p2 = "الخبر الثاني مع السطر الطويل\n";
    const char *p3 = "\nبقية الخبر الثاني.\nالمصدر: RT\n\f\nالخبر الثالث بعد السطر الطويل\nنص الخبر الثالث.\nالمصدر: RT\n";
    size_t long_len = (size_t)17 << 20;
    FILE *f = fopen(path, "wb");
    cr_assert(f);
    fputs(p1, f);
    fputs(p2, f);
    for (size_t i = 0; i < long_len; i += 8)
        fputs("abcdefg ", f);
    fputs(p3, f);
    cr_assert_eq(fclose(f), 0);
    long long off = (long long)(strlen(p1) + strlen(p2));
    for (int strict = 0; strict < 2; strict++) {
        if (strict) { /* a changed input is read again */
            f = fopen(path, "ab");
            fputs("\f\nالخبر الرابع\nنص الخبر الرابع.\nالمصدر: RT\n", f);
            fclose(f);
        }
        const char *argv[] = {"diwan", "ingest", strict ? "--strict" : "--threads=1", db, path, NULL};
        ft_run r = ft_diwan(argv, 0);
        cr_expect_eq(r.status, strict ? 1 : 0, "exit %d: %s", r.status, r.err);
        char want[4400];
        snprintf(want, sizeof want, "warning: %s:%lld: line too long", path, off);
        cr_expect(strstr(r.err, want) != NULL, "want '%s' in: %s", want, r.err);
        ft_run_free(&r);
        char sql[4600];
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM quarantine WHERE path = '%s' AND byte_offset = %lld AND reason = 'line too long'",
                 path, off);
        cr_expect_eq(q1(db, sql), 1, "%s", sql);
        cr_expect_eq(q1(db, "SELECT count(*) FROM articles WHERE title IN ('الخبر الأول قبل السطر الطويل', "
                            "'الخبر الثالث بعد السطر الطويل')"),
                     2);
        cr_expect_eq(q1(db, "SELECT count(*) FROM articles WHERE title = 'الخبر الثاني مع السطر الطويل'"), 0);
    }
    ft_expect_intact(db, before);
    free(before);
}


/* Two ingests into one database at once: while a writer holds the lock (the
 * test takes it exactly as a running ingest does, so that the outcome does
 * not depend on timing), a second ingest fails at once with exit 4 and
 * "another diwan process is writing to this database", a reader (diwan info)
 * works, nothing is changed; once the lock is free the same ingest runs. */
Test(faults, two_ingests_at_once_one_is_refused)
{
    char *before = ft_store_a(db);
    char lock[4300];
    snprintf(lock, sizeof lock, "%s.lock", db);
    int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    cr_assert(fd >= 0);
    cr_assert_eq(flock(fd, LOCK_EX | LOCK_NB), 0);
    const char *b[] = {"diwan", "ingest", "-q", db, dwt_path("tests/data/ingest/b.txt"), NULL};
    ft_run rb = ft_diwan(b, 0);
    const char *inf[] = {"diwan", "info", db, NULL};
    ft_run ri = ft_diwan(inf, 0);
    char want[4400];
    snprintf(want, sizeof want, "%s: another diwan process is writing to this database", db);
    int refused = rb.status == 4 && strstr(rb.err, want) != NULL;
    int info_ok = ri.status == 0;
    char *why = strdup(rb.err);
    ft_run_free(&rb);
    ft_run_free(&ri);
    cr_expect(refused, "second ingest not refused: %s", why);
    cr_expect(info_ok, "info during the ingest failed");
    free(why);
    ft_expect_intact(db, before);
    cr_expect_eq(q1(db, "SELECT count(*) FROM sightings WHERE path LIKE '%b.txt'"), 0);
    /* the lock released, the refused ingest runs */
    flock(fd, LOCK_UN);
    close(fd);
    ft_run r = ft_diwan(b, 0);
    cr_expect_eq(r.status, 0, "%s", r.err);
    ft_run_free(&r);
    cr_expect_gt(q1(db, "SELECT count(*) FROM sightings WHERE path LIKE '%b.txt'"), 0);
    free(before);
}

/* A database on a read-only file system: ingest exits 4 naming the database,
 * the file is unchanged. */
Test(faults, read_only_database_is_refused_and_unchanged)
{
    char *before = ft_store_a(db);
    if (ft_mount_tmpfs("size=4m") != 0)
        ft_skip("read-only database: cannot mount a tmpfs here (%s)", strerror(errno));
    char rdb[4300];
    snprintf(rdb, sizeof rdb, "%s/ro.db", mnt);
    copy_file(db, rdb);
    cr_assert_eq(mount("tmpfs", mnt, "tmpfs", MS_REMOUNT | MS_RDONLY, "size=4m"), 0, "%s", strerror(errno));
    size_t n0, n1;
    char *img0 = dwt_read_file(rdb, &n0);
    const char *argv[] = {"diwan", "ingest", rdb, dwt_path("tests/data/ingest/b.txt"), NULL};
    ft_run r = ft_diwan(argv, 0);
    cr_expect_eq(r.status, 4, "exit %d: %s", r.status, r.err);
    cr_expect(strstr(r.err, rdb) != NULL, "%s", r.err);
    ft_run_free(&r);
    char *img1 = dwt_read_file(rdb, &n1);
    cr_expect(img0 && img1 && n0 == n1 && memcmp(img0, img1, n0) == 0, "the database file changed");
    free(img0);
    free(img1);
    cr_assert_eq(umount2(mnt, 0), 0);
    mounted = 0;
    free(before);
}

/* On a read-only file system, ingest names the cause (read-only file
 * system) and info still reads the database (opened immutable). */
Test(faults, read_only_database_message_names_the_cause)
{
    char *before = ft_store_a(db);
    if (ft_mount_tmpfs("size=4m") != 0)
        ft_skip("read-only database: cannot mount a tmpfs here (%s)", strerror(errno));
    char rdb[4300];
    snprintf(rdb, sizeof rdb, "%s/ro.db", mnt);
    copy_file(db, rdb);
    cr_assert_eq(mount("tmpfs", mnt, "tmpfs", MS_REMOUNT | MS_RDONLY, "size=4m"), 0);
    const char *argv[] = {"diwan", "ingest", rdb, dwt_path("tests/data/ingest/b.txt"), NULL};
    ft_run r = ft_diwan(argv, 0);
    cr_expect(strcasestr(r.err, "read-only file system") != NULL, "%s", r.err);
    ft_run_free(&r);
    const char *info[] = {"diwan", "info", rdb, NULL};
    r = ft_diwan(info, 0);
    cr_expect_eq(r.status, 0, "info on a read-only database: exit %d: %s", r.status, r.err);
    ft_run_free(&r);
    free(before);
}

/* A real full disk (a 1 MiB tmpfs, ENOSPC rather than the RLIMIT_FSIZE of
 * test_ingest.c): exit 5 "disk full" naming the database; what was stored
 * before is intact and the database consistent. */
Test(faults, full_disk_exits_5_and_keeps_what_was_stored)
{
    if (ft_mount_tmpfs("size=1m") != 0)
        ft_skip("full disk: cannot mount a tmpfs here (%s)", strerror(errno));
    char fdb[4300], corpus[4300];
    snprintf(fdb, sizeof fdb, "%s/full.db", mnt);
    snprintf(corpus, sizeof corpus, "%s/corpus.txt", tmp);
    char *before = ft_store_a(fdb);
    write_pages(corpus, 1500, "full");
    const char *argv[] = {"diwan", "ingest", fdb, corpus, NULL};
    ft_run r = ft_diwan(argv, 0);
    cr_expect_eq(r.status, 5, "exit %d: %s", r.status, r.err);
    char want[4400];
    snprintf(want, sizeof want, "%s: ", fdb);
    cr_expect(strstr(r.err, want) != NULL && strstr(r.err, "disk full") != NULL, "%s", r.err);
    ft_run_free(&r);
    ft_expect_intact(fdb, before);
    cr_expect_eq(q1(fdb, "SELECT count(*) FROM files WHERE path LIKE '%corpus.txt' AND status = 'done'"), 0);
    free(before);
}

/* A full disk under the spill folder of `stats` (a 64 KiB tmpfs as
 * --tmpdir): the lanes counting the co-occurrences cannot write a run; exit
 * 5 naming the run file, the statistics of the previous run intact, and no
 * spill folder left behind. */
Test(faults, stats_spill_on_full_disk_exits_5_and_keeps_the_old_statistics)
{
    if (ft_mount_tmpfs("size=64k") != 0)
        ft_skip("full disk: cannot mount a tmpfs here (%s)", strerror(errno));
    char corpus[4300];
    snprintf(corpus, sizeof corpus, "%s/corpus.txt", tmp);
    write_pages(corpus, 1500, "spill");
    const char *ing[] = {"diwan", "ingest", "-q", db, corpus, NULL};
    ft_run r = ft_diwan(ing, 0);
    cr_assert_eq(r.status, 0, "%s", r.err);
    ft_run_free(&r);
    const char *ok[] = {"diwan", "stats", "-q", "--tmpdir", tmp, db, NULL};
    r = ft_diwan(ok, 0);
    cr_assert_eq(r.status, 0, "%s", r.err);
    ft_run_free(&r);
    const char *snap_sql = "SELECT (SELECT count(*) || '/' || total(count) FROM stats_cooc) || ' ' ||"
                           " (SELECT count(*) || '/' || total(count) FROM stats_ngrams) || ' ' ||"
                           " (SELECT group_concat(key || '=' || value) FROM stats_info)";
    char *before = dwt_qs(db, snap_sql);
    cr_assert_gt(dwt_q1(db, "SELECT count(*) FROM stats_cooc"), 100);
    /* every pair of an article, in a budget that spills many runs */
    const char *full[] = {"diwan", "stats", "--scope", "article", "--min-count", "1", "--memory-mb", "32",
                          "--threads", "2", "--tmpdir", mnt, db, NULL};
    r = ft_diwan(full, 0);
    cr_expect_eq(r.status, 5, "exit %d: %s", r.status, r.err);
    char want[4400];
    snprintf(want, sizeof want, "cannot write %s/diwan-stats.", mnt);
    cr_expect(strstr(r.err, want) != NULL && strstr(r.err, "/run-") != NULL &&
                  strstr(r.err, "No space left on device") != NULL,
              "%s", r.err);
    ft_run_free(&r);
    char *after = dwt_qs(db, snap_sql);
    cr_expect_str_eq(after, before, "the statistics changed");
    char *okk = ft_integrity(db);
    cr_expect_str_eq(okk, "ok");
    free(okk);
    DIR *d = opendir(mnt);
    cr_assert(d);
    struct dirent *de;
    while ((de = readdir(d)))
        cr_expect(de->d_name[0] == '.', "left in the spill folder: %s", de->d_name);
    closedir(d);
    free(before);
    free(after);
}
