/* test_bqueue.c: the bounded queue of buffers: blocks come out in order
 * across threads, a full queue makes the putting side wait, close ends the
 * takes once drained, stop makes puts fail at once, buffers are reused. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bqueue.h"

#define NBLOCKS 2000

/* The taking side: checks the order of the blocks ("block N"). */
static void *taker(void *arg)
{
    dw_bq *q = arg;
    dw_buf w = DW_BUF_INIT;
    long want = 0, *bad = calloc(1, sizeof *bad);
    while (dw_bq_take(q, &w)) {
        char exp[32];
        snprintf(exp, sizeof exp, "block %ld", want++);
        if (strcmp(dw_buf_str(&w), exp) != 0)
            (*bad)++;
    }
    if (want != NBLOCKS)
        (*bad)++;
    dw_buf_free(&w);
    return bad;
}

Test(bqueue, blocks_in_order_across_threads)
{
    dw_bq q;
    dw_bq_init(&q, 3);
    pthread_t th;
    cr_assert_eq(pthread_create(&th, NULL, taker, &q), 0);
    dw_buf b = DW_BUF_INIT;
    for (long i = 0; i < NBLOCKS; i++) {
        dw_buf_printf(&b, "block %ld", i);
        cr_assert_eq(dw_bq_put(&q, &b), 0);
        cr_assert_eq(b.len, 0, "put leaves an emptied buffer");
    }
    dw_bq_close(&q);
    void *bad;
    pthread_join(th, &bad);
    cr_assert_eq(*(long *)bad, 0, "blocks out of order or lost");
    free(bad);
    dw_buf_free(&b);
    dw_bq_free(&q);
}

Test(bqueue, capacity_close_stop_and_reuse)
{
    dw_bq q;
    dw_bq_init(&q, 2);
    dw_buf b = DW_BUF_INIT, w = DW_BUF_INIT;
    dw_buf_puts(&b, "a");
    cr_assert_eq(dw_bq_put(&q, &b), 0);
    dw_buf_puts(&b, "bb");
    cr_assert_eq(dw_bq_put(&q, &b), 0);
    cr_assert_eq(q.n, 2);
    cr_assert_eq(dw_bq_take(&q, &w), 1);
    cr_assert_str_eq(dw_buf_str(&w), "a");
    const char *kept = w.data;
    cr_assert_eq(dw_bq_take(&q, &w), 1);
    cr_assert_str_eq(dw_buf_str(&w), "bb");
    /* the emptied buffer of the first take went back into the ring and
     * comes to the putting side again */
    dw_buf_puts(&b, "c");
    cr_assert_eq(dw_bq_put(&q, &b), 0);
    dw_buf_puts(&b, "d");
    cr_assert_eq(dw_bq_put(&q, &b), 0);
    cr_assert(b.data == kept || q.q[0].data == kept || q.q[1].data == kept, "buffers are not reused");
    /* stop: a put on a full queue returns at once, keeping its block */
    dw_buf_puts(&b, "e");
    dw_bq_stop(&q);
    cr_assert_eq(dw_bq_put(&q, &b), -1);
    cr_assert_str_eq(dw_buf_str(&b), "e");
    /* close: the queued blocks still come out, then 0 */
    dw_bq_close(&q);
    cr_assert_eq(dw_bq_take(&q, &w), 1);
    cr_assert_str_eq(dw_buf_str(&w), "c");
    cr_assert_eq(dw_bq_take(&q, &w), 1);
    cr_assert_str_eq(dw_buf_str(&w), "d");
    cr_assert_eq(dw_bq_take(&q, &w), 0);
    dw_buf_free(&b);
    dw_buf_free(&w);
    dw_bq_free(&q);
    dw_bq_free(&q); /* a freed queue may be freed again */
}
