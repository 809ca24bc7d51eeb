/* text.c: the text the statistics count, written out (dw_stats_text): the
 * tokens of the same articles in the same order as a counting run, split
 * the same way (stats/sel.h), one article or one sentence a line, for
 * other tools (GloVe, word2vec, fastText, sort | uniq -c). */
#include "stats/stats.h"

#include <sqlite3.h>
#include <string.h>

#include "core/buf.h"
#include "core/norm.h"
#include "core/tok.h"
#include "stats/sel.h"

#define TEXT_FLUSH_BYTES (1u << 20) /* output handed to the writer in blocks of about this */

/* Appends the tokens of text s[0..n) to out, separated by one space, a
 * newline before each new sentence with sentences (counted in *lines).
 * Returns the tokens appended, or -1 when out of memory. */
static long long put_tokens(dw_buf *out, const char *s, size_t n, int whitespace, int sentences, uint64_t *lines)
{
    long long k = 0;
    dw_stok t;
    dw_token tk;
    dw_stok_init(&t, s, n, whitespace);
    while (dw_stok_next(&t, &tk)) {
        int brk = k && sentences && tk.sentence_start; /* a line ends before it */
        if ((k && dw_buf_putc(out, brk ? '\n' : ' ') != 0) || dw_buf_append(out, s + tk.off, tk.len) != 0)
            return -1;
        *lines += (uint64_t)brk;
        k++;
    }
    return k;
}

size_t dw_stats_first_token(const char *s, size_t n, int whitespace, size_t *off, size_t *len)
{
    dw_stok t;
    dw_token tk;
    size_t count = 0;
    *off = *len = 0;
    dw_stok_init(&t, s, n, whitespace);
    while (dw_stok_next(&t, &tk))
        if (count++ == 0) {
            *off = tk.off;
            *len = tk.len;
        }
    return count;
}

dw_rc dw_stats_text(dw_db *db, const dw_stats_opts *o, int sentences, dw_text_writer write, void *ud,
                    dw_stats_text_summary *sum, dw_err *e)
{
    memset(sum, 0, sizeof *sum);
    dw_rc rc = dw_db_exec(db, "BEGIN", e); /* one snapshot of the articles */
    if (rc != DW_OK)
        return rc;
    sqlite3_stmt *st = dw_db_prepare(db, dw_stats_articles_sql, e);
    if (!st) {
        sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
        return DW_EDB;
    }
    sqlite3_bind_int(st, 1, o->all_copies);
    sqlite3_bind_int64(st, 2, o->shards);
    sqlite3_bind_int64(st, 3, o->shard);
    dw_buf norm = DW_BUF_INIT, out = DW_BUF_INIT;
    int r;
    while (rc == DW_OK && (r = sqlite3_step(st)) == SQLITE_ROW) {
        const char *body = (const char *)sqlite3_column_text(st, 0);
        size_t n = (size_t)sqlite3_column_bytes(st, 0);
        if (!body)
            body = "";
        sum->articles++;
        if (o->normalize) {
            dw_buf_reset(&norm);
            if (dw_norm_text(&norm, body, n, db->norm_flags) != 0) {
                rc = dw_err_set(e, DW_ENOMEM, "out of memory");
                break;
            }
            body = norm.data ? norm.data : "";
            n = norm.len;
        }
        long long k = put_tokens(&out, body, n, o->whitespace, sentences, &sum->lines);
        if (k < 0 || (k > 0 && dw_buf_putc(&out, '\n') != 0)) {
            rc = dw_err_set(e, DW_ENOMEM, "out of memory");
            break;
        }
        sum->lines += k > 0; /* the article's last line */
        sum->tokens += (uint64_t)k;
        if (out.len >= TEXT_FLUSH_BYTES) {
            if (write(ud, out.data, out.len) != 0)
                rc = dw_err_set(e, DW_EIO, "cannot write output");
            dw_buf_reset(&out);
        }
    }
    if (rc == DW_OK && r != SQLITE_DONE)
        rc = dw_db_fail(db, e, "read articles");
    if (rc == DW_OK && out.len && write(ud, out.data, out.len) != 0)
        rc = dw_err_set(e, DW_EIO, "cannot write output");
    sqlite3_finalize(st);
    sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL);
    dw_buf_free(&norm);
    dw_buf_free(&out);
    return rc;
}
