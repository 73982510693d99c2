/* series.c: a run's latency by time slice, SIM__SLICES of them over its whole length,
 * for warm-up detection (run/warmup.c reads it). Memory is fixed whatever the run length. */
#include "internal.h"

struct sim__series *sim__series_create(sim_time duration)
{
    struct sim__series *s = sim_alloc(sizeof *s);
    s->width = duration / SIM__SLICES > 0 ? duration / SIM__SLICES : 1;
    return s;
}

void sim__series_add(struct sim__series *s, sim_time now, sim_time value)
{
    sim_time i = now / s->width;
    if (i < 0 || i >= SIM__SLICES) return; /* the last instant of the run */
    s->sum[i] += (double)value;
    s->count[i]++;
}

void sim__series_destroy(struct sim__series *s)
{
    sim_free(s);
}
