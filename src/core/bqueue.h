/* bqueue.h: a bounded queue of buffers between a putting thread and a
 * taking thread. Blocks go round between the two sides and are reused:
 * a put swaps the filled buffer with an emptied one, a take swaps the
 * taker's emptied buffer into the ring, so no block is allocated per put
 * (a malloc per block, freed by the other thread, made the allocator hand
 * memory back to the kernel and take it again). Used by stats' lanes,
 * split's writer and its leakage check. */
#ifndef DW_BQUEUE_H
#define DW_BQUEUE_H

#include <pthread.h>
#include <stddef.h>

#include "core/buf.h"

#define DW_BQ_MAX 8 /* most blocks a queue holds */

typedef struct {
    pthread_mutex_t mu;   /* guards everything below */
    pthread_cond_t cv;    /* the queue changed */
    dw_buf q[DW_BQ_MAX];  /* ring of queued blocks (emptied buffers stay for reuse) */
    size_t cap;           /* blocks queued at most (1..DW_BQ_MAX) */
    size_t head;          /* first queued block */
    size_t n;             /* blocks queued */
    int closed;           /* 1: the putting side is done */
    int stopped;          /* 1: the taking side gave up, puts no longer wait */
} dw_bq;

/* Initializes q for at most cap blocks. Free with dw_bq_free. */
void dw_bq_init(dw_bq *q, size_t cap);
/* Queues *b, waiting while the queue is full; *b then holds an emptied
 * buffer (its allocation reused). Returns 0, or -1 when the taking side
 * stopped (*b is left as it was). */
int dw_bq_put(dw_bq *q, dw_buf *b);
/* Takes the oldest block into *work, waiting for one (the emptied contents
 * of *work go back into the ring). Returns 1, or 0 when the queue is
 * closed and empty. */
int dw_bq_take(dw_bq *q, dw_buf *work);
/* The putting side is done: takes return 0 once the queue is empty. */
void dw_bq_close(dw_bq *q);
/* The taking side gives up: puts return -1 at once, without waiting. */
void dw_bq_stop(dw_bq *q);
/* Frees the queued buffers and the lock. Accepts a zeroed queue. */
void dw_bq_free(dw_bq *q);

#endif
