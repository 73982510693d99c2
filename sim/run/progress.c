/* progress.c: "\r t 12.3s of 60s (20%), 6.1M events/s, 4s left" on stderr, at most four
 * times a second, only on a terminal and only once a run has taken a second. Replications
 * on several threads each own a slot; the line sums them. */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

struct sim__progress {
    pthread_mutex_t lock;
    int slots;
    sim_time total;
    _Atomic sim_time *done;
    _Atomic uint64_t events;
    double start, last;
    bool shown;
};

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct sim__progress *sim__progress_create(int slots, sim_time total)
{
    if (!isatty(STDERR_FILENO) || slots <= 0 || total <= 0) return NULL;
    struct sim__progress *p = sim_alloc(sizeof *p);
    pthread_mutex_init(&p->lock, NULL);
    p->slots = slots;
    p->total = total;
    p->done = sim_alloc((size_t)slots * sizeof *p->done);
    p->start = p->last = wall();
    return p;
}

void sim__progress_update(struct sim__progress *p, int slot, sim_time now, uint64_t events)
{
    atomic_store_explicit(&p->done[slot], now, memory_order_relaxed);
    atomic_fetch_add_explicit(&p->events, events, memory_order_relaxed);
    if (pthread_mutex_trylock(&p->lock)) return;
    double t = wall();
    if (t - p->start > 1 && t - p->last > 0.25) {
        double done = 0;
        for (int i = 0; i < p->slots; i++) done += (double)atomic_load(&p->done[i]);
        double frac = done / (double)p->total, elapsed = t - p->start;
        double eps = (double)atomic_load(&p->events) / elapsed;
        fprintf(stderr, "\r\033[Karchsim: simulated %.0fs of %.0fs (%.0f%%), %.3g events/s, %.0fs left",
                done / SIM_S, (double)p->total / SIM_S, 100 * frac, eps,
                frac > 0 ? elapsed * (1 - frac) / frac : 0.0);
        p->last = t;
        p->shown = true;
    }
    pthread_mutex_unlock(&p->lock);
}

void sim__progress_destroy(struct sim__progress *p)
{
    if (!p) return;
    if (p->shown) fputs("\r\033[K", stderr);
    pthread_mutex_destroy(&p->lock);
    sim_free(p->done);
    sim_free(p);
}
