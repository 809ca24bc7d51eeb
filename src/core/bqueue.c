/* bqueue.c: the bounded queue of buffers (bqueue.h). */
#include "core/bqueue.h"

#include <string.h>

void dw_bq_init(dw_bq *q, size_t cap)
{
    memset(q, 0, sizeof *q);
    q->cap = cap < 1 ? 1 : cap > DW_BQ_MAX ? DW_BQ_MAX : cap;
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->cv, NULL);
}

int dw_bq_put(dw_bq *q, dw_buf *b)
{
    pthread_mutex_lock(&q->mu);
    while (q->n == q->cap && !q->stopped)
        pthread_cond_wait(&q->cv, &q->mu);
    int stopped = q->stopped;
    if (!stopped) {
        size_t i = (q->head + q->n) % q->cap;
        dw_buf t = q->q[i];
        q->q[i] = *b;
        *b = t;
        dw_buf_reset(b);
        q->n++;
        pthread_cond_broadcast(&q->cv);
    }
    pthread_mutex_unlock(&q->mu);
    return stopped ? -1 : 0;
}

int dw_bq_take(dw_bq *q, dw_buf *work)
{
    pthread_mutex_lock(&q->mu);
    while (!q->n && !q->closed)
        pthread_cond_wait(&q->cv, &q->mu);
    int got = q->n > 0;
    if (got) {
        dw_buf_reset(work);
        dw_buf t = q->q[q->head];
        q->q[q->head] = *work;
        *work = t;
        q->head = (q->head + 1) % q->cap;
        q->n--;
        pthread_cond_broadcast(&q->cv);
    }
    pthread_mutex_unlock(&q->mu);
    return got;
}

void dw_bq_close(dw_bq *q)
{
    pthread_mutex_lock(&q->mu);
    q->closed = 1;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
}

void dw_bq_stop(dw_bq *q)
{
    pthread_mutex_lock(&q->mu);
    q->stopped = 1;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
}

void dw_bq_free(dw_bq *q)
{
    if (!q->cap)
        return;
    for (size_t i = 0; i < DW_BQ_MAX; i++)
        dw_buf_free(&q->q[i]);
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->cv);
    q->cap = 0;
}
