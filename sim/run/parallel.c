/* parallel.c: runs independent tasks on every core. Each task writes only its own slot,
 * so results do not depend on how tasks fall to threads: -j 1 and -j 8 give the same
 * bytes. A stop request (SIGINT, SIGTERM) ends the loop before the next task. */
#include <pthread.h>
#include <unistd.h>

#include "output.h"
#include "run.h"

struct pool_work {
    int n, next;
    pthread_mutex_t lock;
    void (*fn)(int i, void *ctx);
    void *ctx;
};

static void *worker(void *arg)
{
    struct pool_work *w = arg;
    for (;;) {
        pthread_mutex_lock(&w->lock);
        int i = w->next < w->n && !sim__stop_requested() ? w->next++ : -1;
        pthread_mutex_unlock(&w->lock);
        if (i < 0) return NULL;
        w->fn(i, w->ctx);
    }
}

int sim__cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

void sim__parallel_for(int n, int threads, void (*fn)(int i, void *ctx), void *ctx)
{
    if (threads <= 0) threads = sim__cores();
    if (threads > n) threads = n;
    struct pool_work w = {.n = n, .fn = fn, .ctx = ctx};
    if (threads <= 1) {
        for (int i = 0; i < n && !sim__stop_requested(); i++) fn(i, ctx);
        return;
    }
    pthread_mutex_init(&w.lock, NULL);
    pthread_t *ids = sim_alloc((size_t)threads * sizeof *ids);
    int started = 0;
    for (; started < threads - 1; started++)
        if (pthread_create(&ids[started], NULL, worker, &w)) break;
    worker(&w); /* the calling thread works too */
    for (int t = 0; t < started; t++) pthread_join(ids[t], NULL);
    pthread_mutex_destroy(&w.lock);
    sim_free(ids);
}
