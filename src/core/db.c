/* db.c: database open, schema application and version checks. */
#include "core/db.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/dbins.h"
#include "core/norm.h"

/* Why a write failed, when it can be told: sqlite does not always keep the
 * system error of a failed write (a checkpoint may overwrite it), so the
 * free space and the file size limit are looked at too. NULL if unknown. */
static const char *io_cause(const dw_db *db, int sys)
{
    if (sys == ENOSPC || sys == EDQUOT)
        return "disk full";
    if (sys == EFBIG)
        return "file size limit reached";
    char dir[4096];
    const char *slash = strrchr(db->path, '/');
    if (slash)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - db->path), db->path);
    else
        snprintf(dir, sizeof dir, ".");
    struct statvfs vf;
    if (statvfs(dir[0] ? dir : "/", &vf) == 0 && (uint64_t)vf.f_bavail * vf.f_frsize < (1u << 20))
        return "disk full";
    struct rlimit rl;
    if (getrlimit(RLIMIT_FSIZE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
        return "file size limit reached (ulimit -f)";
    return NULL;
}

dw_rc dw_db_fail(dw_db *db, dw_err *e, const char *what)
{
    int code = sqlite3_extended_errcode(db->h) & 0xff;
    int sys = sqlite3_system_errno(db->h);
    if (code == SQLITE_FULL)
        return dw_err_set(e, DW_EIO, "%s: %s: disk full", db->path, what);
    if (code == SQLITE_CANTOPEN || code == SQLITE_READONLY) {
        /* the usual cause: the folder (for -wal and -shm) or file cannot be written */
        char dir[4096];
        const char *slash = strrchr(db->path, '/');
        if (slash)
            snprintf(dir, sizeof dir, "%.*s", (int)(slash - db->path), db->path);
        else
            snprintf(dir, sizeof dir, ".");
        if (access(dir[0] ? dir : "/", W_OK) != 0 || access(db->path, W_OK) != 0)
            return dw_err_set(e, DW_EDB, "%s: %s: %s (%s)", db->path, what, sqlite3_errmsg(db->h),
                              strerror(errno));
    }
    if (code == SQLITE_IOERR) {
        const char *cause = io_cause(db, sys);
        if (cause)
            return dw_err_set(e, DW_EIO, "%s: %s: %s", db->path, what, cause);
        if (sys)
            return dw_err_set(e, DW_EIO, "%s: %s: %s (%s)", db->path, what, sqlite3_errmsg(db->h), strerror(sys));
        return dw_err_set(e, DW_EIO, "%s: %s: %s", db->path, what, sqlite3_errmsg(db->h));
    }
    if (sys && code != SQLITE_NOMEM) /* the system's reason, e.g. a read-only file system */
        return dw_err_set(e, DW_EDB, "%s: %s: %s (%s)", db->path, what, sqlite3_errmsg(db->h), strerror(sys));
    return dw_err_set(e, code == SQLITE_NOMEM ? DW_ENOMEM : DW_EDB, "%s: %s: %s", db->path, what,
                      sqlite3_errmsg(db->h));
}

dw_rc dw_db_exec(dw_db *db, const char *sql, dw_err *e)
{
    char *msg = NULL;
    if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
        /* name the failing statement by its first word: "commit", "begin", ... */
        char what[16];
        size_t i = 0;
        while (sql[i] == ' ' || sql[i] == '\n' || sql[i] == '-')
            sql++;
        for (; i < sizeof what - 1 && sql[i] && sql[i] != ' ' && sql[i] != ';' && sql[i] != '\n'; i++)
            what[i] = (char)(sql[i] >= 'A' && sql[i] <= 'Z' ? sql[i] + 32 : sql[i]);
        what[i] = '\0';
        dw_rc rc = dw_db_fail(db, e, i ? what : "sql");
        sqlite3_free(msg);
        return rc;
    }
    return DW_OK;
}

sqlite3_stmt *dw_db_prepare(dw_db *db, const char *sql, dw_err *e)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        dw_db_fail(db, e, "prepare");
        return NULL;
    }
    return st;
}

int dw_db_meta_get(dw_db *db, const char *key, char *buf, size_t cap)
{
    sqlite3_stmt *st = NULL;
    int found = -1;
    if (sqlite3_prepare_v2(db->h, "SELECT value FROM meta WHERE key = ?1", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        snprintf(buf, cap, "%s", (const char *)sqlite3_column_text(st, 0));
        found = 1;
    } else if (r == SQLITE_DONE) {
        found = 0;
    }
    sqlite3_finalize(st);
    return found;
}

dw_rc dw_db_meta_set(dw_db *db, const char *key, const char *value, dw_err *e)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->h, "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)", -1, &st,
                           NULL) != SQLITE_OK)
        return dw_db_fail(db, e, "meta");
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    sqlite3_finalize(st);
    return r == SQLITE_DONE ? DW_OK : dw_db_fail(db, e, "meta");
}

dw_rc dw_db_int(dw_db *db, const char *sql, int64_t *out, dw_err *e)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK)
        return dw_db_fail(db, e, "query");
    int r = sqlite3_step(st);
    *out = r == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return (r == SQLITE_ROW || r == SQLITE_DONE) ? DW_OK : dw_db_fail(db, e, "query");
}

int dw_db_has_table(dw_db *db, const char *name)
{
    sqlite3_stmt *st = NULL;
    int found = sqlite3_prepare_v2(db->h, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1", -1, &st,
                                   NULL) == SQLITE_OK &&
                sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

/* Process-wide sqlite settings, before its first use: no memory
 * statistics (they take a global mutex on every allocation, which the
 * threads of a run then contend for). */
static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;

static void sqlite_setup(void) { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); }

/* Checks versions and flags of an existing database, or records them. */
static dw_rc check_meta(dw_db *db, unsigned flags, unsigned norm_flags, dw_err *e)
{
    char v[64];
    int have = dw_db_meta_get(db, "schema_version", v, sizeof v);
    if (have < 0)
        return dw_err_set(e, DW_EDB, "%s: not a diwan database (no meta table)", db->path);
    if (have == 0) {
        if (flags & DW_DB_READONLY)
            return dw_err_set(e, DW_EDB, "%s: not a diwan database (empty)", db->path);
        char num[32];
        dw_rc rc;
        snprintf(num, sizeof num, "%d", DW_SCHEMA_VERSION);
        if ((rc = dw_db_meta_set(db, "schema_version", num, e)) != DW_OK)
            return rc;
        snprintf(num, sizeof num, "%d", DW_NORM_VERSION);
        if ((rc = dw_db_meta_set(db, "norm_version", num, e)) != DW_OK)
            return rc;
        if ((rc = dw_db_meta_set(db, "teh_marbuta", (norm_flags & DW_NORM_TEH_MARBUTA) ? "fold" : "keep",
                                 e)) != DW_OK)
            return rc;
        if ((rc = dw_db_meta_set(db, "created_by", "diwan " DW_VERSION, e)) != DW_OK)
            return rc;
        db->norm_flags = norm_flags & DW_NORM_TEH_MARBUTA;
        return DW_OK;
    }
    if (atoi(v) != DW_SCHEMA_VERSION)
        return dw_err_set(e, DW_EDB, "%s: schema version %s, this diwan reads version %d", db->path, v,
                          DW_SCHEMA_VERSION);
    if (dw_db_meta_get(db, "norm_version", v, sizeof v) != 1 || atoi(v) != DW_NORM_VERSION)
        return dw_err_set(e, DW_EDB,
                          "%s: built with normalization version %s, this diwan uses version %d: "
                          "ingest into a new database",
                          db->path, v, DW_NORM_VERSION);
    db->norm_flags = 0;
    if (dw_db_meta_get(db, "teh_marbuta", v, sizeof v) == 1 && strcmp(v, "fold") == 0)
        db->norm_flags |= DW_NORM_TEH_MARBUTA;
    return DW_OK;
}

/* A WAL database on a read-only file system cannot be opened the usual way
 * (its -shm file cannot be created). Since nobody can write there either, a
 * reader may open it immutable. Returns 0 when reopened. */
static int reopen_immutable(dw_db *db)
{
    char dir[4096];
    const char *slash = strrchr(db->path, '/');
    if (slash)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - db->path), db->path);
    else
        snprintf(dir, sizeof dir, ".");
    if (access(dir[0] ? dir : "/", W_OK) == 0 || errno != EROFS)
        return -1;
    dw_buf uri = DW_BUF_INIT;
    dw_buf_puts(&uri, "file:");
    for (const char *p = db->path; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '%' || c == '?' || c == '#' || c <= ' ')
            dw_buf_printf(&uri, "%%%02X", c);
        else
            dw_buf_putc(&uri, (char)c);
    }
    dw_buf_puts(&uri, "?immutable=1");
    sqlite3 *h = NULL;
    int r = sqlite3_open_v2(dw_buf_str(&uri), &h, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
    dw_buf_free(&uri);
    if (r != SQLITE_OK) {
        sqlite3_close_v2(h);
        return -1;
    }
    sqlite3_close_v2(db->h);
    db->h = h;
    sqlite3_extended_result_codes(db->h, 1);
    return 0;
}

dw_rc dw_db_open(dw_db **out, const char *path, unsigned flags, unsigned norm_flags, dw_err *e)
{
    struct stat st;
    *out = NULL;
    if (stat(path, &st) != 0) {
        if (errno != ENOENT || !(flags & DW_DB_CREATE))
            return dw_err_set(e, DW_EDB, "cannot open database %s: %s", path, strerror(errno));
        /* say which folder is missing or not writable */
        char dir[4096];
        const char *slash = strrchr(path, '/');
        if (slash && slash != path)
            snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
        else
            snprintf(dir, sizeof dir, "%s", slash ? "/" : ".");
        if (access(dir, W_OK) != 0)
            return dw_err_set(e, DW_EDB, "cannot create database %s: folder %s: %s", path, dir, strerror(errno));
    } else if (S_ISDIR(st.st_mode)) {
        return dw_err_set(e, DW_EDB, "cannot open database %s: is a directory", path);
    }
    dw_db *db = calloc(1, sizeof *db);
    if (!db || !(db->path = strdup(path))) {
        free(db);
        return dw_err_set(e, DW_ENOMEM, "out of memory");
    }
    db->lock_fd = -1;
    pthread_once(&sqlite_once, sqlite_setup);
    /* a connection is used by one thread at a time: no sqlite mutexes */
    int oflags = SQLITE_OPEN_NOMUTEX | ((flags & DW_DB_READONLY) ? SQLITE_OPEN_READONLY
                                          : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    if (sqlite3_open_v2(path, &db->h, oflags, NULL) != SQLITE_OK) {
        dw_rc rc = dw_err_set(e, DW_EDB, "cannot open database %s: %s", path,
                              db->h ? sqlite3_errmsg(db->h) : "out of memory");
        dw_db_close(db);
        return rc;
    }
    sqlite3_extended_result_codes(db->h, 1);
    sqlite3_busy_timeout(db->h, 30000);
    dw_rc rc = DW_OK;
    if (!(flags & DW_DB_READONLY)) {
        /* 16 KiB pages for a new database (an existing one keeps its own;
         * this must come before WAL mode writes the header): a quarter of
         * the reads and B-tree cells per body, about 10% off the runs that
         * read every article (stats, split) and write millions of rows,
         * ingest no slower, the file 5% smaller (scripts/bench-*) */
        rc = dw_db_exec(db, "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", e);
        if (rc == DW_OK)
            rc = dw_db_exec(db, "BEGIN IMMEDIATE", e);
        if (rc == DW_OK) {
            rc = dw_db_exec(db, dw_schema_sql, e);
            if (rc == DW_OK)
                rc = check_meta(db, flags, norm_flags, e);
            if (rc == DW_OK)
                rc = dw_db_exec(db, "COMMIT", e);
            else
                sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
        }
    } else {
        /* reading the schema tells a database from another file */
        rc = dw_db_exec(db, "SELECT count(*) FROM sqlite_master", e);
        if (rc != DW_OK && (sqlite3_extended_errcode(db->h) & 0xff) == SQLITE_CANTOPEN && reopen_immutable(db) == 0)
            rc = dw_db_exec(db, "SELECT count(*) FROM sqlite_master", e);
        if (rc != DW_OK)
            rc = dw_err_set(e, DW_EDB, "%s: %s", path, sqlite3_errmsg(db->h));
        else
            rc = check_meta(db, flags, norm_flags, e);
    }
    /* the batched inserts' virtual table (core/dbins.h), on the final handle */
    if (rc == DW_OK && dw_ins_register(db->h) != SQLITE_OK)
        rc = dw_err_set(e, DW_EDB, "%s: %s", path, sqlite3_errmsg(db->h));
    if (rc != DW_OK) {
        /* "file is not a database" and friends come back through sqlite */
        dw_db_close(db);
        return rc;
    }
    /* 64 MiB page cache; checkpoints every 64 MiB of WAL rather than 4 MiB
     * (counted in pages, whose size depends on the database): fewer fsyncs
     * on bulk ingests, same durability */
    sqlite3_exec(db->h, "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;", NULL, NULL, NULL);
    int64_t page = 0;
    dw_err ignored;
    if (dw_db_int(db, "PRAGMA page_size", &page, &ignored) != DW_OK || page <= 0)
        page = 4096;
    char ckpt[64];
    snprintf(ckpt, sizeof ckpt, "PRAGMA wal_autocheckpoint=%lld;", (long long)((64 << 20) / page));
    sqlite3_exec(db->h, ckpt, NULL, NULL, NULL);
    *out = db;
    return DW_OK;
}

dw_rc dw_db_lock_writer(dw_db *db, dw_err *e)
{
    char lock[4096];
    snprintf(lock, sizeof lock, "%s.lock", db->path);
    int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return dw_err_set(e, DW_EDB, "cannot create lock file %s: %s", lock, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int err = errno;
        close(fd);
        if (err == EWOULDBLOCK)
            return dw_err_set(e, DW_EDB, "%s: another diwan process is writing to this database", db->path);
        return dw_err_set(e, DW_EDB, "cannot lock %s: %s", lock, strerror(err));
    }
    db->lock_fd = fd;
    return DW_OK;
}

void dw_db_close(dw_db *db)
{
    if (!db)
        return;
    if (db->h)
        sqlite3_close_v2(db->h);
    if (db->lock_fd >= 0)
        close(db->lock_fd);
    free(db->path);
    free(db);
}
