/* hold.c: the classic hold benchmark of archsim's calendar (sim/kernel/calendar.c). The
 * calendar is filled with N pending events; then each hold pops the earliest and pushes
 * it back at its time plus an exponential increment (mean 1 ms), so the size stays N. The
 * first N holds let the times settle into their steady spread and are not timed. The
 * increments are drawn beforehand (GSL MT19937), so only the calendar is measured.
 *
 * usage: hold PENDING HOLDS -> prints "pending holds cpu_seconds ns_per_hold" */
#include <math.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <gsl/gsl_rng.h>

#include "kernel/internal.h"

#define INCREMENTS 65536 /* a power of two: a ring of pre-drawn increments */

static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: hold PENDING HOLDS\n");
        return 2;
    }
    size_t pending = strtoull(argv[1], NULL, 10);
    uint64_t holds = strtoull(argv[2], NULL, 10);
    if (pending < 1) {
        fprintf(stderr, "hold: PENDING must be at least 1\n");
        return 2;
    }
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    sim_time *inc = sim_alloc(INCREMENTS * sizeof *inc);
    for (size_t i = 0; i < INCREMENTS; i++)
        inc[i] = (sim_time)(-1e6 * log(gsl_rng_uniform_pos(g))) + 1;

    struct sim__calendar cal;
    struct sim_pool pool;
    sim__calendar_init(&cal);
    sim_pool_init(&pool, sizeof(struct sim_event));
    uint64_t seq = 0, k = 0;
    for (size_t i = 0; i < pending; i++) {
        struct sim_event *ev = sim_pool_get(&pool);
        memset(ev, 0, sizeof *ev);
        ev->time = inc[k++ & (INCREMENTS - 1)];
        ev->seq = seq++;
        sim__calendar_push(&cal, ev, 0);
    }

    sim_time now = 0;
    double started = 0;
    for (uint64_t h = 0; h < pending + holds; h++) {
        if (h == pending) started = cpu_seconds();
        struct sim_event *ev = sim__calendar_pop(&cal, SIM_NEVER);
        now = ev->time;
        ev->time = now + inc[k++ & (INCREMENTS - 1)];
        ev->seq = seq++;
        sim__calendar_push(&cal, ev, now);
    }
    double cpu = cpu_seconds() - started;
    if (sim__calendar_size(&cal) != pending) {
        fprintf(stderr, "hold: the calendar holds %zu events, expected %zu\n",
                sim__calendar_size(&cal), pending);
        return 1;
    }
    printf("%zu %llu %.6f %.2f\n", pending, (unsigned long long)holds, cpu,
           holds ? cpu * 1e9 / (double)holds : 0.0);
    sim__calendar_fini(&cal);
    sim_pool_fini(&pool);
    sim_free(inc);
    gsl_rng_free(g);
    return 0;
}
